"""problem+json rendering of every API error."""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from app.services.errors import DomainError, Invalid, TooManyAttempts

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    """A problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    headers = {"Retry-After": str(extra.pop("retry_after"))} if "retry_after" in extra else None
    body.pop("retry_after", None)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def from_domain_error(exc: DomainError) -> JSONResponse:
    """The problem+json answer to a domain error."""
    extra: dict[str, Any] = {}
    if isinstance(exc, Invalid):
        extra["errors"] = [{"field": e.field, "message": e.message} for e in exc.errors]
    line_errors = getattr(exc, "line_errors", None)
    if line_errors is not None:
        extra["errors"] = [
            {"field": f"line {e.line}", "message": e.message, "line": e.line} for e in line_errors
        ]
    if isinstance(exc, TooManyAttempts):
        extra["retry_after"] = exc.retry_after
    response = problem(exc.status, exc.title, exc.detail, **extra)
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def from_validation_error(exc: RequestValidationError) -> JSONResponse:
    """422 with one entry per bad field."""
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        errors.append({"field": ".".join(loc) or "body", "message": str(err.get("msg", "invalid"))})
    return problem(422, "Invalid input", "The request does not have the expected shape.", errors=errors)

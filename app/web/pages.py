"""What every page router shares: CSRF on writes, HTML responses, form error helpers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from app.deps import csrf_protect
from app.services.errors import Invalid
from app.web.htmx import render


def page_router() -> APIRouter:
    """A router for pages: every state-changing request must carry the CSRF token."""
    return APIRouter(
        dependencies=[Depends(csrf_protect)], default_response_class=HTMLResponse, include_in_schema=False
    )


def field_errors(exc: Invalid) -> dict[str, str]:
    """Field name → message, for showing each message beside its field."""
    errors: dict[str, str] = {}
    for error in exc.errors:
        errors.setdefault(error.field, error.message)
    return errors


def form_again(
    request: Request, template: str, context: dict[str, Any], exc: Invalid, *, block: str | None = None
) -> HTMLResponse:
    """The form again, with what was typed and each message beside its field (422)."""
    return render(request, template, {**context, "errors": field_errors(exc)}, status=422, block=block)


def safe_next(target: str | None) -> str:
    """A local path to go back to after signing in; anything else goes home."""
    if not target or not target.startswith("/") or target.startswith("//") or target.startswith("/\\"):
        return "/"
    return target

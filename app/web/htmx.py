"""Everything about htmx in one place: fragments, redirects, toasts, and `Vary: HX-Request`."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.web.templating import render_template


def is_htmx(request: Request) -> bool:
    """True for requests htmx sent (not history restores, which want the full page)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    block: str | None = None,
    toast: str | None = None,
) -> HTMLResponse:
    """The full page, or only `block` when htmx asked; one URL per view."""
    ctx = {"request": request, **(context or {})}
    ctx.setdefault("viewer", getattr(getattr(request.state, "caller", None), "user", None))
    ctx.setdefault("timezone", request.app.state.settings.timezone)
    fragment = block if block is not None and is_htmx(request) else None
    response = HTMLResponse(render_template(template, ctx, fragment), status_code=status)
    response.headers["Vary"] = "HX-Request, Accept-Language, Cookie"
    if toast and is_htmx(request):
        response.headers["HX-Trigger"] = json.dumps({"proxima:toast": toast})
    return response


def redirect(request: Request, url: str) -> Response:
    """After a successful form: a 303 for plain browsers, HX-Redirect for htmx."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)

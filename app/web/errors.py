"""How pages show errors: the login page for 401, an error page otherwise, an htmx toast for fragments."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from app.i18n import _
from app.services.errors import DomainError
from app.web.htmx import is_htmx, redirect, render


def page_for_error(request: Request, status: int, title: str, detail: str) -> Response:
    """An error page (or, for htmx, a toast with the message)."""
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect(request, f"/login?next={quote(target, safe='')}")
    if is_htmx(request):
        response = render(request, "errors/toast.html", {"message": detail}, status=status, toast=detail)
        response.headers["HX-Reswap"] = "none"
        return response
    titles = {
        403: _("You may not do this"),
        404: _("Page not found"),
        409: _("This clashes with what exists"),
        422: _("Something is wrong with what was sent"),
        429: _("Too many attempts"),
        503: _("Proxima is busy"),
    }
    return render(
        request,
        "errors/error.html",
        {
            "status": status,
            "title": titles.get(status, _("Something went wrong")),
            "detail": detail,
            # the unit of work was rolled back: the layout uses a detached copy of the viewer
            "viewer": getattr(request.state, "viewer_snapshot", None),
        },
        status=status,
    )


def page_for_domain_error(request: Request, exc: DomainError) -> Response:
    """The page answer to a domain error raised outside a form."""
    return page_for_error(request, exc.status, exc.title, exc.detail)

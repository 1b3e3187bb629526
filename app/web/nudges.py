"""Nudge cards: follow one, put it aside or dismiss it, turn nudges off; how nudges perform (HR)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from babel.numbers import format_decimal, format_percent
from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.deps import DB, AppSettings, CurrentUser, WriteDB
from app.i18n import _, current_locale, ngettext
from app.models import Role
from app.models.base import utcnow
from app.services import engagement, nudges
from app.services.errors import Forbidden
from app.web.htmx import is_htmx, redirect, render
from app.web.pages import page_router, safe_next

router = page_router()

PERIODS = {"30": 30, "90": 90, "all": None}


@router.get("/nudges")
def index(request: Request, db: WriteDB, settings: AppSettings, viewer: CurrentUser) -> Response:
    """The suggestions offered to me now, how they are chosen, and the switch to turn them off."""
    enabled = nudges.enabled(db, viewer=viewer)
    offered = nudges.offer(db, viewer=viewer, threshold=settings.group_threshold) if enabled else []
    return render(
        request,
        "nudges/index.html",
        {
            "nudges": offered,
            "nudges_enabled": enabled,
            "next": "/nudges",
            "can_measure": viewer.has_role(Role.hr, Role.admin),
        },
    )


@router.get("/nudges/{nudge_id}/go")
def go(nudge_id: str, db: WriteDB, settings: AppSettings, viewer: CurrentUser) -> Response:
    """Follow one of my nudges: the click is logged, then on to its action (a path of this site)."""
    url = nudges.click(db, viewer=viewer, nudge=nudge_id, threshold=settings.group_threshold)
    return RedirectResponse(url, status_code=303)


def _put_aside(request: Request, back: str, message: str) -> Response:
    """htmx: the card goes (an empty swap) with a toast; without JavaScript, back to the page."""
    if is_htmx(request):
        return render(request, "nudges/_removed.html", toast=message)
    return redirect(request, safe_next(back))


@router.post("/nudges/{nudge_id}/dismiss")
def dismiss(
    request: Request, nudge_id: str, db: DB, viewer: CurrentUser, next: Annotated[str, Form()] = "/"
) -> Response:
    """Dismiss a nudge: it stays away for its cool-down."""
    days = nudges.dismiss(db, viewer=viewer, nudge=nudge_id)
    message = ngettext(
        "Dismissed: you will not see it for a day.", "Dismissed: you will not see it for {n} days.", days
    )
    return _put_aside(request, next, message.format(n=days))


@router.post("/nudges/{nudge_id}/snooze")
def snooze(
    request: Request, nudge_id: str, db: DB, viewer: CurrentUser, next: Annotated[str, Form()] = "/"
) -> Response:
    """Not now: the nudge comes back in a few days."""
    days = nudges.snooze(db, viewer=viewer, nudge=nudge_id)
    return _put_aside(request, next, _("Put aside for {n} days.").format(n=days))


@router.post("/nudges/settings")
def nudge_settings(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    enabled: Annotated[str, Form()] = "0",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Turn my nudges off (or back on); htmx swaps the panel in place."""
    on = enabled == "1"
    engagement.set_nudges_enabled(db, user=viewer, enabled=on)
    db.flush()
    if not is_htmx(request):
        return redirect(request, safe_next(next))
    offered = nudges.offer(db, viewer=viewer, threshold=settings.group_threshold) if on else []
    return render(
        request,
        "nudges/_panel.html",
        {"nudges": offered, "nudges_enabled": on, "next": safe_next(next)},
        toast=_("Suggestions are on.") if on else _("Suggestions are off."),
    )


@router.get("/admin/nudges")
def performance(
    request: Request, db: DB, settings: AppSettings, viewer: CurrentUser, period: str = "90"
) -> Response:
    """Per nudge: completion of people shown vs held out, and the uplift with its 95% interval."""
    if not viewer.has_role(Role.hr, Role.admin):
        raise Forbidden(_("Only HR and administrators see how nudges perform."))
    days = PERIODS.get(period, 90)
    since = utcnow() - timedelta(days=days) if days else None
    return render(
        request,
        "nudges/admin.html",
        {
            "measures": nudges.measure(db, since, threshold=settings.group_threshold),
            "threshold": settings.group_threshold,
            "period": period if period in PERIODS else "90",
            "percent": _percent,
            "points": _points,
        },
    )


def _percent(rate: float) -> str:
    """A rate as a percentage in the reader's language (42.5% / 42,5 %)."""
    return format_percent(rate, format="#,##0.0%", locale=current_locale())


def _points(value: float) -> str:
    """A difference of rates in signed percentage points (+12.0 / −3.5)."""
    return format_decimal(value * 100, format="+#,##0.0;-#,##0.0", locale=current_locale())

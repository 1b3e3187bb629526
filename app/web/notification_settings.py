"""Notification settings (a channel per type, a watch level per community) and one-click unsubscribe."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from app.deps import DB, AppSettings, CurrentUser
from app.i18n import _, set_current_locale
from app.models import User
from app.services import communities, digests, notifications
from app.services.errors import FieldError, Invalid
from app.web.htmx import redirect, render
from app.web.pages import form_again, page_router

pages = page_router()
# Mail clients post the one-click unsubscribe from elsewhere, without cookies: the signed token in
# the address is the authority, so these two routes carry no CSRF check and need no session.
public = APIRouter(default_response_class=HTMLResponse, include_in_schema=False)
router = APIRouter()

TEMPLATE = "notifications/settings.html"


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form as plain strings (the field names vary with the types and communities)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormFields = Annotated[dict[str, str], Depends(form_fields)]


def _context(db: DB, user: User, **extra: Any) -> dict[str, Any]:
    current = notifications.preferences(db, user.id)
    watched = digests.watched_communities(db, user=user)
    return {
        "types": digests.type_labels(),
        "channels": [(c, _(label)) for c, label in digests.CHANNEL_LABELS.items()],
        "watch_levels": [(w, _(label)) for w, label in digests.WATCH_LABELS.items()],
        "values": {**current, **extra.pop("values", {})},
        "watched": watched,
        "watch_values": {
            **{str(w.community.id): w.level for w in watched},
            **extra.pop("watch_values", {}),
        },
        "errors": {},
        "saved": None,
        **extra,
    }


@pages.get("/settings/notifications")
def settings_page(request: Request, db: DB, user: CurrentUser) -> Response:
    """How the person hears of each kind of notification, and how closely they follow each community."""
    return render(request, TEMPLATE, _context(db, user, saved=request.query_params.get("saved")))


@pages.post("/settings/notifications")
def save_channels(request: Request, db: DB, user: CurrentUser, fields: FormFields) -> Response:
    """Save a channel per type; a type left out keeps its channel; a bad value is shown beside its row."""
    chosen = {t: fields[t] for t in notifications.DEFAULT_CHANNELS if t in fields}
    try:
        notifications.set_preferences(db, user=user, channels=chosen)
    except Invalid as exc:
        db.rollback()
        return form_again(request, TEMPLATE, _context(db, user, values=chosen), exc)
    return redirect(request, "/settings/notifications?saved=channels")


@pages.post("/settings/notifications/communities")
def save_watch_levels(request: Request, db: DB, user: CurrentUser, fields: FormFields) -> Response:
    """Save how closely the person follows each of their communities."""
    chosen: dict[str, str] = {}
    problems: list[FieldError] = []
    for watched in digests.watched_communities(db, user=user):
        key = str(watched.community.id)
        level = fields.get(f"watch-{key}")
        if level is None or level == watched.level:
            continue
        chosen[key] = level
        try:
            communities.set_watch(db, actor=user, community=watched.community, level=level)
        except Invalid as exc:
            problems += [FieldError(f"watch-{key}", e.message) for e in exc.errors]
    if problems:
        db.rollback()
        return form_again(request, TEMPLATE, _context(db, user, watch_values=chosen), Invalid(problems))
    return redirect(request, "/settings/notifications?saved=communities#communities")


@public.get("/unsubscribe/{token}")
def unsubscribe_page(request: Request, db: DB, settings: AppSettings, token: str) -> Response:
    """What the unsubscribe link in an email opens: a button, nothing changed yet."""
    person = digests.person_for_unsubscribe(db, settings=settings, token=token)
    set_current_locale(person.locale)
    return render(
        request,
        "notifications/unsubscribe.html",
        {
            "person": person,
            "token": token,
            "done": False,
            "email_types": digests.email_types(db, user=person),
        },
    )


@public.post("/unsubscribe/{token}")
def unsubscribe(request: Request, db: DB, settings: AppSettings, token: str) -> Response:
    """One click (RFC 8058): every type the person heard of by email now stays in the app only."""
    person = digests.person_for_unsubscribe(db, settings=settings, token=token)
    set_current_locale(person.locale)
    digests.unsubscribe(db, user=person)
    return render(
        request,
        "notifications/unsubscribe.html",
        {"person": person, "token": token, "done": True, "email_types": []},
    )


router.include_router(pages)
router.include_router(public)

"""The leadership page (an executive's cadence and reach), their delegates, and drafts to approve."""

from __future__ import annotations

import re
from typing import Annotated, Any

import structlog
from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from app.deps import DB, AppSettings, CurrentUser, get_database
from app.i18n import _
from app.models import Role, User
from app.models.base import utcnow
from app.services import delegates, directory, leadership
from app.services.errors import FieldError, Invalid
from app.web.htmx import redirect, render
from app.web.pages import form_again, page_router

router = page_router()
log = structlog.get_logger(__name__)
_EMAIL_IN = re.compile(r"<([^<>@\s]+@[^<>\s]+)>\s*$")


def note_read(request: Request, *, item: Any, viewer: User) -> None:
    """Record that someone opened a leadership post's page, once a day, in a short write of its own
    (reading pages never hold the write lock); a busy database only costs the record, not the page."""
    if not leadership.worth_recording(item, viewer.id):
        return
    day = utcnow().date()
    if not leadership.read_to_note(post_id=item.id, created_at=item.created_at, user_id=viewer.id, day=day):
        return
    try:
        with get_database(request).session(write=True) as writer:
            leadership.record_read(writer, post_id=item.id, user_id=viewer.id, day=day)
    except OperationalError as exc:
        log.warning("post_read_not_recorded", post_id=item.id, error=str(exc).splitlines()[0][:200])


# ---- the leadership page -------------------------------------------------------------------------


def _page_context(db: DB, settings: Any, viewer: User, **extra: Any) -> dict[str, Any]:
    weeks = leadership.cadence(db, executive=viewer, tz=settings.timezone)
    bars, top = leadership.bars(weeks)
    return {
        "weeks": weeks,
        "bars": bars,
        "top": top,
        "chart": {"width": leadership.CHART_WIDTH, "height": leadership.CHART_HEIGHT},
        "total_posts": sum(w.posts for w in weeks),
        "total_leadership": sum(w.leadership for w in weeks),
        "active_weeks": sum(1 for w in weeks if w.posts),
        "reach": leadership.reach(db, executive=viewer, threshold=settings.group_threshold),
        "threshold": settings.group_threshold,
        "drafts": delegates.drafts_to_approve(db, executive=viewer),
        "delegates": delegates.delegates_of(db, executive=viewer),
        "approval": delegates.approval_required(db, viewer.id),
        "errors": {},
        "typed": {},
        **extra,
    }


@router.get("/leadership")
def leadership_page(request: Request, db: DB, settings: AppSettings, viewer: CurrentUser) -> Response:
    """An executive's posting cadence over 12 weeks, the reach of their leadership posts, and drafts."""
    delegates.require_executive(db, viewer)
    return render(request, "leadership/index.html", _page_context(db, settings, viewer))


@router.post("/leadership/drafts/{post_id}/approve")
def approve(request: Request, db: DB, viewer: CurrentUser, post_id: int) -> Response:
    """Publish a delegate's draft now."""
    delegates.approve_draft(db, actor=viewer, post_id=post_id)
    return redirect(request, "/leadership?done=approved#drafts")


@router.post("/leadership/drafts/{post_id}/reject")
def reject(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    post_id: int,
    note: Annotated[str, Form()] = "",
) -> Response:
    """Send a draft back to the delegate with a note; without a note, the page again with the message."""
    try:
        delegates.reject_draft(db, actor=viewer, post_id=post_id, note=note)
    except Invalid as exc:
        db.rollback()
        context = _page_context(db, settings, viewer, typed={post_id: note}, error_post=post_id)
        return form_again(request, "leadership/index.html", context, exc)
    return redirect(request, "/leadership?done=rejected#drafts")


@router.get("/leadership/drafts")
def my_drafts(request: Request, db: DB, viewer: CurrentUser) -> Response:
    """A delegate's desk: post for an executive, and the drafts written for them (waiting, or sent
    back with a note)."""
    from app.web.posts import composer_context  # the post page records reads through this module

    executives = delegates.executives_served(db, delegate=viewer)
    composer = composer_context(db, viewer, next_url="/leadership/drafts")
    composer["post_as"] = executives
    if executives:
        composer["values"] = {"kind": "status", "on_behalf_of": str(executives[0].id)}
    return render(
        request,
        "leadership/drafts.html",
        {
            "written": delegates.drafts_written(db, delegate=viewer),
            "executives": executives,
            "composer": composer,
        },
    )


@router.get("/leadership/post-as")
def post_as(request: Request, db: DB, viewer: CurrentUser) -> Response:
    """The composer's "Post as" choice, for delegates (nothing for anyone else)."""
    executives = delegates.executives_served(db, delegate=viewer)
    if not executives:
        return Response(status_code=200, content="", media_type="text/html")
    composer = {
        "values": {"kind": "status"},
        "errors": {},
        "post_as": executives,
        "can_lead": viewer.has_role(Role.executive),
    }
    return render(request, "leadership/_post_as.html", {"composer": composer})


# ---- delegates -----------------------------------------------------------------------------------


def _person_id(db: DB, typed: str) -> int:
    """The active colleague a picker names: "Name <email>", an email, an @handle or an exact name."""
    typed = typed.strip()
    if not typed:
        raise Invalid.one("person", _("Choose a person from the suggestions."))
    match = _EMAIL_IN.search(typed)
    email = (match.group(1) if match else typed).lower()
    found = db.scalar(select(User.id).where(User.email == email, User.is_active.is_(True)))
    if found is None:
        found = db.scalar(
            select(User.id).where(User.handle == typed.lstrip("@").lower(), User.is_active.is_(True))
        )
    if found is None:
        candidates = directory.search_people(db, q=typed, limit=2).items
        if len(candidates) != 1:
            raise Invalid.one("person", _("Choose a person from the suggestions."))
        found = candidates[0].id
    return found


def _delegates_context(db: DB, viewer: User, **extra: Any) -> dict[str, Any]:
    return {
        "delegates": delegates.delegates_of(db, executive=viewer),
        "approval": delegates.approval_required(db, viewer.id),
        "errors": {},
        "typed": "",
        "saved": None,
        **extra,
    }


@router.get("/leadership/delegates")
def delegates_page(request: Request, db: DB, viewer: CurrentUser) -> Response:
    """An executive's delegates and how their posts go out."""
    delegates.require_executive(db, viewer)
    saved = request.query_params.get("saved")
    return render(request, "leadership/delegates.html", _delegates_context(db, viewer, saved=saved))


@router.post("/leadership/delegates")
def add_delegate(
    request: Request, db: DB, viewer: CurrentUser, person: Annotated[str, Form()] = ""
) -> Response:
    """Name a delegate from the directory; a name that fits nobody shows the form again."""
    delegates.require_executive(db, viewer)
    try:
        delegates.add_delegate(db, actor=viewer, delegate_id=_person_id(db, person))
    except Invalid as exc:
        db.rollback()
        field = Invalid([FieldError("person", e.message) for e in exc.errors])
        return form_again(
            request, "leadership/delegates.html", _delegates_context(db, viewer, typed=person), field
        )
    return redirect(request, "/leadership/delegates?saved=added")


@router.post("/leadership/delegates/{user_id}/remove")
def remove_delegate(request: Request, db: DB, viewer: CurrentUser, user_id: int) -> Response:
    """Withdraw a delegate: they can no longer post for you."""
    delegates.remove_delegate(db, actor=viewer, delegate_id=user_id)
    return redirect(request, "/leadership/delegates?saved=removed")


@router.post("/leadership/delegates/mode")
def set_mode(request: Request, db: DB, viewer: CurrentUser, mode: Annotated[str, Form()] = "") -> Response:
    """Choose: delegates publish directly, or their posts wait for your approval."""
    if mode not in ("direct", "approval"):
        delegates.require_executive(db, viewer)
        exc = Invalid.one("mode", _("Choose one of the two options."))
        return form_again(request, "leadership/delegates.html", _delegates_context(db, viewer), exc)
    delegates.set_approval(db, actor=viewer, required=mode == "approval")
    return redirect(request, "/leadership/delegates?saved=mode")

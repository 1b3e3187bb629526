"""Reverse mentoring pages: /mentoring for everyone (offer, ask, proposals, pairs, sessions, feedback)
and /admin/mentoring for HR (the programme in aggregate)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Form, Request
from fastapi.responses import Response

from app.deps import DB, AppSettings, CurrentUser
from app.i18n import _
from app.models import MentoringRole, User
from app.services import mentoring
from app.services.errors import Invalid
from app.services.text import split_tags
from app.web.htmx import redirect, render
from app.web.pages import form_again, page_router

router = page_router()

NOTICES = {
    "offered": lambda: _("Thank you: you are on the list of mentors."),
    "asked": lambda: _("Your request is saved: Proxima looks for a mentor for you."),
    "withdrawn": lambda: _("Done: you are off the programme on that side."),
    "matched": lambda: _("Proxima proposed a pair: see below, and accept it if it suits you."),
    "nomatch": lambda: _("No suitable match for now. Proxima will propose one as soon as someone fits."),
    "accepted": lambda: _("You accepted. The pair starts as soon as both have accepted."),
    "declined": lambda: _("You declined this proposal."),
    "ended": lambda: _("The pair has ended. Thank you for taking part!"),
    "planned": lambda: _("The session is planned; your partner has been told."),
    "cancelled": lambda: _("The session is cancelled."),
    "feedback": lambda: _("Thank you for your feedback."),
}


def _number(raw: str, field: str, default: int) -> int:
    if not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise Invalid.one(field, _("Give a whole number.")) from None


def _local(raw: str, tz: str) -> datetime | None:
    if not raw.strip():
        return None
    try:
        parsed = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise Invalid.one("starts_at", _("Give a date and a time.")) from None
    return parsed.replace(tzinfo=ZoneInfo(tz)) if parsed.tzinfo is None else parsed


def _context(db: DB, viewer: User, **extra: Any) -> dict[str, Any]:
    view = mentoring.overview(db, viewer=viewer)
    return {
        "view": view,
        "max_sessions": mentoring.MAX_SESSIONS_PER_MONTH,
        "errors": {},
        "form": None,
        "values": {},
        **extra,
    }


def _again(
    request: Request, db: DB, viewer: User, exc: Invalid, form: str, values: dict[str, Any]
) -> Response:
    db.rollback()
    return form_again(request, "mentoring/index.html", _context(db, viewer, form=form, values=values), exc)


@router.get("/mentoring")
def index(request: Request, db: DB, viewer: CurrentUser, done: str = "") -> Response:
    """Reverse mentoring: what I offer or ask, the pairs Proxima proposes me, my pairs and their sessions."""
    notice = NOTICES[done]() if done in NOTICES else None
    return render(request, "mentoring/index.html", _context(db, viewer, notice=notice))


@router.post("/mentoring/offer")
def offer(
    request: Request,
    db: DB,
    viewer: CurrentUser,
    topics: Annotated[list[str] | None, Form()] = None,
    sessions_per_month: Annotated[str, Form()] = "1",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Volunteer as a mentor on some of my expertise tags; Proxima then looks for mentees."""
    values = {"topics": topics or [], "sessions_per_month": sessions_per_month, "note": note}
    try:
        mentoring.offer_to_mentor(
            db,
            actor=viewer,
            topics=topics or [],
            sessions_per_month=_number(sessions_per_month, "sessions_per_month", 1),
            note=note,
        )
        made = mentoring.match(db, only_user_id=viewer.id)
    except Invalid as exc:
        return _again(request, db, viewer, exc, "offer", values)
    return redirect(request, "/mentoring?done=" + ("matched#proposals" if made else "offered"))


@router.post("/mentoring/ask")
def ask(
    request: Request,
    db: DB,
    viewer: CurrentUser,
    topics: Annotated[str, Form()] = "",
    sessions_per_month: Annotated[str, Form()] = "1",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Ask to be mentored on a few topics; Proxima then looks for a mentor."""
    values = {"topics": topics, "sessions_per_month": sessions_per_month, "note": note}
    try:
        mentoring.ask_for_mentoring(
            db,
            actor=viewer,
            topics=split_tags(topics),
            sessions_per_month=_number(sessions_per_month, "sessions_per_month", 1),
            note=note,
        )
        made = mentoring.match(db, only_user_id=viewer.id)
    except Invalid as exc:
        return _again(request, db, viewer, exc, "ask", values)
    return redirect(request, "/mentoring?done=" + ("matched#proposals" if made else "asked"))


@router.post("/mentoring/withdraw")
def withdraw(request: Request, db: DB, viewer: CurrentUser, role: Annotated[str, Form()] = "") -> Response:
    """Leave the programme as a mentor or as a mentee (pairs already formed carry on)."""
    if role in (MentoringRole.mentor.value, MentoringRole.mentee.value):
        mentoring.withdraw(db, actor=viewer, role=role)
    return redirect(request, "/mentoring?done=withdrawn")


@router.post("/mentoring/match")
def match_me(request: Request, db: DB, viewer: CurrentUser) -> Response:
    """Ask Proxima to look for a pair for me now."""
    made = mentoring.match(db, only_user_id=viewer.id)
    return redirect(request, "/mentoring?done=" + ("matched#proposals" if made else "nomatch"))


@router.post("/mentoring/pairs/{pair_id}/accept")
def accept(request: Request, db: DB, viewer: CurrentUser, pair_id: int) -> Response:
    """Accept a proposed pair."""
    pair = mentoring.respond(db, actor=viewer, pair_id=pair_id, accept=True)
    return redirect(request, f"/mentoring?done=accepted#pair-{pair.id}")


@router.post("/mentoring/pairs/{pair_id}/decline")
def decline(request: Request, db: DB, viewer: CurrentUser, pair_id: int) -> Response:
    """Decline a proposed pair (the two people will not be proposed to each other again)."""
    mentoring.respond(db, actor=viewer, pair_id=pair_id, accept=False)
    return redirect(request, "/mentoring?done=declined")


@router.post("/mentoring/pairs/{pair_id}/end")
def end(request: Request, db: DB, viewer: CurrentUser, pair_id: int) -> Response:
    """End an active pair."""
    mentoring.end_pair(db, actor=viewer, pair_id=pair_id)
    return redirect(request, "/mentoring?done=ended")


@router.post("/mentoring/pairs/{pair_id}/sessions")
def plan(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    pair_id: int,
    starts_at: Annotated[str, Form()] = "",
    duration_minutes: Annotated[str, Form()] = "60",
    location: Annotated[str, Form()] = "",
    agenda: Annotated[str, Form()] = "",
) -> Response:
    """Plan a session of my pair; my partner is told."""
    values = {
        "starts_at": starts_at,
        "duration_minutes": duration_minutes,
        "location": location,
        "agenda": agenda,
    }
    try:
        data = mentoring.SessionData(
            starts_at=_local(starts_at, settings.timezone),
            duration_minutes=_number(duration_minutes, "duration_minutes", 60),
            location=location,
            agenda=agenda,
        )
        mentoring.plan_session(db, actor=viewer, pair_id=pair_id, data=data)
    except Invalid as exc:
        return _again(request, db, viewer, exc, f"session-{pair_id}", values)
    return redirect(request, f"/mentoring?done=planned#pair-{pair_id}")


@router.post("/mentoring/sessions/{session_id}/cancel")
def cancel(request: Request, db: DB, viewer: CurrentUser, session_id: int) -> Response:
    """Cancel a session that has not started."""
    try:
        mentoring.cancel_session(db, actor=viewer, session_id=session_id)
    except Invalid as exc:
        return _again(request, db, viewer, exc, f"cancel-{session_id}", {})
    return redirect(request, "/mentoring?done=cancelled")


@router.post("/mentoring/sessions/{session_id}/feedback")
def feedback(
    request: Request,
    db: DB,
    viewer: CurrentUser,
    session_id: int,
    rating: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
) -> Response:
    """Say how a session went (1 to 5, a few words if I like); only the pair sees it."""
    values = {"rating": rating, "comment": comment}
    try:
        mentoring.give_feedback(
            db, actor=viewer, session_id=session_id, rating=_number(rating, "rating", 0), comment=comment
        )
    except Invalid as exc:
        return _again(request, db, viewer, exc, f"feedback-{session_id}", values)
    return redirect(request, f"/mentoring?done=feedback#session-{session_id}")


@router.get("/mentoring/sessions/{session_id}/session.ics")
def session_ics(request: Request, db: DB, viewer: CurrentUser, session_id: int) -> Response:
    """A session as a calendar file, for the two people of the pair."""
    name, text = mentoring.session_ics(
        db, viewer=viewer, session_id=session_id, base_url=str(request.base_url)
    )
    return Response(
        text,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/admin/mentoring")
def programme(
    request: Request, db: DB, settings: AppSettings, viewer: CurrentUser, proposed: str = ""
) -> Response:
    """The programme for HR: how many mentors, mentees, pairs and sessions, and satisfaction — in
    aggregate, nothing under the threshold."""
    figures = mentoring.programme_figures(db, viewer=viewer, threshold=settings.group_threshold)
    return render(
        request,
        "mentoring/admin.html",
        {"figures": figures, "proposed": int(proposed) if proposed.isdigit() else None},
    )


@router.post("/admin/mentoring/match")
def match_everyone(request: Request, db: DB, viewer: CurrentUser) -> Response:
    """HR asks Proxima to propose pairs to everyone waiting (names stay with the people concerned)."""
    mentoring.require_programme_viewer(viewer)
    made = mentoring.match(db)
    return redirect(request, f"/admin/mentoring?proposed={len(made)}")

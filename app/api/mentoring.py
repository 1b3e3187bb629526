"""Reverse mentoring over the API: offer or ask, answer proposals, plan sessions, give feedback; the
programme's figures for HR (suppressed under the threshold, as `{"key", "suppressed": true}`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from app.api.schemas import PersonRef, Strict
from app.deps import DB, AppSettings, CurrentUser
from app.models import MentoringRole
from app.services import mentoring

router = APIRouter(tags=["mentoring"])


class EnrolmentIn(Strict):
    """Topics (for a mentor: some of their expertise tags), sessions a month, a note."""

    topics: list[str]
    sessions_per_month: int = 1
    note: Annotated[str, Field(max_length=5000)] = ""


class EnrolmentRead(BaseModel):
    """One side of the programme the caller is on."""

    topics: list[str]
    sessions_per_month: int
    note: str


class SessionIn(Strict):
    """A session to plan: when (with its time zone), how long, where, what about."""

    starts_at: datetime = Field(strict=False)
    duration_minutes: int = 60
    location: Annotated[str, Field(max_length=5000)]
    agenda: Annotated[str, Field(max_length=5000)] = ""


class FeedbackIn(Strict):
    """How a session went: 1 to 5, and a few words if one likes."""

    rating: int
    comment: Annotated[str, Field(max_length=5000)] = ""


class FeedbackRead(BaseModel):
    """One side's feedback on a session (the pair alone reads it)."""

    user_id: int
    rating: int
    comment: str


class SessionRead(BaseModel):
    """A session of a pair."""

    id: int
    starts_at: datetime
    ends_at: datetime
    location: str
    agenda: str
    cancelled: bool
    feedback: list[FeedbackRead]


class PairRead(BaseModel):
    """A proposal or a pair, from the caller's side, with the reasons of its score."""

    id: int
    status: str
    role: str
    partner: PersonRef
    topics: list[str]
    score: int
    reasons: list[str]
    i_accepted: bool
    partner_accepted: bool
    sessions: list[SessionRead]


class MentoringRead(BaseModel):
    """The caller's side of the programme."""

    mentor: EnrolmentRead | None
    mentee: EnrolmentRead | None
    proposals: list[PairRead]
    pairs: list[PairRead]


class ProgrammeRead(BaseModel):
    """The programme in aggregate (HR): counts, and the average rating, each only from the threshold."""

    threshold: int
    counts: list[dict[str, object]]
    ratings: int | None
    average_rating: float | None


def _enrolment(e: mentoring.Enrolment | None) -> EnrolmentRead | None:
    if e is None:
        return None
    return EnrolmentRead(topics=e.topics, sessions_per_month=e.row.sessions_per_month, note=e.row.note)


def _pair(v: mentoring.PairView) -> PairRead:
    return PairRead(
        id=v.row.id,
        status=v.row.status,
        role=v.my_role,
        partner=PersonRef(id=v.partner.id, display_name=v.partner.display_name, handle=v.partner.handle),
        topics=v.row.topics,
        score=v.row.score,
        reasons=v.reasons,
        i_accepted=v.i_accepted,
        partner_accepted=v.partner_accepted,
        sessions=[
            SessionRead(
                id=s.row.id,
                starts_at=s.row.starts_at,
                ends_at=s.row.ends_at,
                location=s.row.location,
                agenda=s.row.agenda,
                cancelled=s.row.cancelled_at is not None,
                feedback=[
                    FeedbackRead(user_id=f.user_id, rating=f.rating, comment=f.comment)
                    for f in s.feedback.values()
                ],
            )
            for s in v.sessions
        ],
    )


def _me(db: DB, user: CurrentUser) -> MentoringRead:
    view = mentoring.overview(db, viewer=user)
    return MentoringRead(
        mentor=_enrolment(view.mentor),
        mentee=_enrolment(view.mentee),
        proposals=[_pair(v) for v in view.proposals],
        pairs=[_pair(v) for v in view.pairs],
    )


@router.get("/mentoring/me", response_model=MentoringRead)
def me(db: DB, user: CurrentUser) -> MentoringRead:
    """What I offer or ask, the proposals waiting for me, and my pairs with their sessions."""
    return _me(db, user)


@router.put("/mentoring/offer", response_model=MentoringRead)
def offer(body: EnrolmentIn, db: DB, user: CurrentUser) -> MentoringRead:
    """Volunteer as a mentor on some of my expertise tags; Proxima looks for mentees at once."""
    mentoring.offer_to_mentor(
        db, actor=user, topics=body.topics, sessions_per_month=body.sessions_per_month, note=body.note
    )
    mentoring.match(db, only_user_id=user.id)
    return _me(db, user)


@router.put("/mentoring/request", response_model=MentoringRead)
def ask(body: EnrolmentIn, db: DB, user: CurrentUser) -> MentoringRead:
    """Ask to be mentored on some topics; Proxima looks for a mentor at once."""
    mentoring.ask_for_mentoring(
        db, actor=user, topics=body.topics, sessions_per_month=body.sessions_per_month, note=body.note
    )
    mentoring.match(db, only_user_id=user.id)
    return _me(db, user)


@router.delete("/mentoring/offer", status_code=204)
def stop_offering(db: DB, user: CurrentUser) -> Response:
    """Stop offering to mentor (formed pairs carry on)."""
    mentoring.withdraw(db, actor=user, role=MentoringRole.mentor.value)
    return Response(status_code=204)


@router.delete("/mentoring/request", status_code=204)
def stop_asking(db: DB, user: CurrentUser) -> Response:
    """Stop looking for a mentor (formed pairs carry on)."""
    mentoring.withdraw(db, actor=user, role=MentoringRole.mentee.value)
    return Response(status_code=204)


@router.post("/mentoring/pairs/{pair_id}/accept", status_code=204)
def accept(pair_id: int, db: DB, user: CurrentUser) -> Response:
    """Accept a proposal (the pair exists once both have); 404 for anyone outside the pair."""
    mentoring.respond(db, actor=user, pair_id=pair_id, accept=True)
    return Response(status_code=204)


@router.post("/mentoring/pairs/{pair_id}/decline", status_code=204)
def decline(pair_id: int, db: DB, user: CurrentUser) -> Response:
    """Decline a proposal."""
    mentoring.respond(db, actor=user, pair_id=pair_id, accept=False)
    return Response(status_code=204)


@router.post("/mentoring/pairs/{pair_id}/end", status_code=204)
def end(pair_id: int, db: DB, user: CurrentUser) -> Response:
    """End an active pair."""
    mentoring.end_pair(db, actor=user, pair_id=pair_id)
    return Response(status_code=204)


@router.post("/mentoring/pairs/{pair_id}/sessions", status_code=201, response_model=SessionRead)
def plan(pair_id: int, body: SessionIn, db: DB, user: CurrentUser) -> SessionRead:
    """Plan a session of my pair; my partner is told."""
    session = mentoring.plan_session(
        db,
        actor=user,
        pair_id=pair_id,
        data=mentoring.SessionData(
            starts_at=body.starts_at,
            duration_minutes=body.duration_minutes,
            location=body.location,
            agenda=body.agenda,
        ),
    )
    return SessionRead(
        id=session.id,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        location=session.location,
        agenda=session.agenda,
        cancelled=False,
        feedback=[],
    )


@router.post("/mentoring/sessions/{session_id}/cancel", status_code=204)
def cancel(session_id: int, db: DB, user: CurrentUser) -> Response:
    """Cancel a session that has not started."""
    mentoring.cancel_session(db, actor=user, session_id=session_id)
    return Response(status_code=204)


@router.put("/mentoring/sessions/{session_id}/feedback", response_model=FeedbackRead)
def feedback(session_id: int, body: FeedbackIn, db: DB, user: CurrentUser) -> FeedbackRead:
    """Say how a session went (once it took place); saying it again replaces it."""
    row = mentoring.give_feedback(
        db, actor=user, session_id=session_id, rating=body.rating, comment=body.comment
    )
    return FeedbackRead(user_id=row.user_id, rating=row.rating, comment=row.comment)


@router.get("/mentoring/programme", response_model=ProgrammeRead)
def programme(db: DB, settings: AppSettings, user: CurrentUser) -> ProgrammeRead:
    """The programme's counts and satisfaction (HR and administrators), suppressed under the threshold."""
    figures = mentoring.programme_figures(db, viewer=user, threshold=settings.group_threshold)
    return ProgrammeRead(
        threshold=figures.threshold,
        counts=[
            {"key": f.key, "suppressed": True} if f.value is None else {"key": f.key, "count": f.value}
            for f in figures.counts
        ],
        ratings=figures.ratings,
        average_rating=figures.average_rating,
    )

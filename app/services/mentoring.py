"""Reverse mentoring: colleagues offer to mentor on their expertise tags, others ask to be mentored;
Proxima proposes pairs with a score it explains, both sides accept, the pair plans sessions and
each side says briefly how a session went. HR sees the programme in aggregate only.

The matching rule (``score``): a mentor and a mentee are only proposed to each other when they share
at least one topic; then, in points,

- ``topics``: 10 per shared topic;
- ``site``: 5 when both work on the same site (they can meet in person);
- ``department``: 3 when both are in the same department;
- ``availability``: 1 per session a month the mentor offers, and 2 more when that covers what the
  mentee asked for;
- ``load``: minus 3 per pair the mentor already has (proposed or active).

A mentor takes at most as many pairs as sessions a month offered; a mentee has one pair (proposed or
active) at a time; two people are proposed to each other once. The best-scoring proposals are made
first (greedy), ties broken by who asked first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, func, or_, select
from sqlalchemy.orm import Session

from app.i18n import _, gettext, ngettext
from app.models import (
    MentoringEnrolment,
    MentoringFeedback,
    MentoringPair,
    MentoringRole,
    MentoringSession,
    MentoringTopic,
    PairStatus,
    Role,
    Tag,
    User,
)
from app.models.base import utcnow
from app.services import activity, notifications, tags
from app.services.aggregates import group_shown
from app.services.errors import FieldError, Forbidden, Invalid, NotFound
from app.services.text import fold

MAX_SESSIONS_PER_MONTH = 4
MAX_TOPICS = 8
NOTE_LIMIT = 500
COMMENT_LIMIT = 1000
AGENDA_LIMIT = 1000
LOCATION_LIMIT = 200
MAX_SESSION_MINUTES = 8 * 60
OPEN = (PairStatus.proposed.value, PairStatus.active.value)

POINTS_PER_TOPIC = 10
POINTS_SAME_SITE = 5
POINTS_SAME_DEPARTMENT = 3
POINTS_COVERS_REQUEST = 2
POINTS_PER_PAIR_HELD = -3


# ---- enrolling ----------------------------------------------------------------------------------


@dataclass
class Enrolment:
    """One side of the programme a person is on, with its topics."""

    row: MentoringEnrolment
    topics: list[str]


def _enrolment(db: Session, user_id: int, role: str) -> MentoringEnrolment | None:
    return db.scalar(
        select(MentoringEnrolment).where(
            MentoringEnrolment.user_id == user_id, MentoringEnrolment.role == role
        )
    )


def _topics_of(db: Session, enrolment_ids: list[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {eid: [] for eid in enrolment_ids}
    if enrolment_ids:
        for eid, name in db.execute(
            select(MentoringTopic.enrolment_id, Tag.name)
            .join(Tag, Tag.id == MentoringTopic.tag_id)
            .where(MentoringTopic.enrolment_id.in_(enrolment_ids))
            .order_by(Tag.name)
        ):
            result[eid].append(name)
    return result


def expertise_of(db: Session, user: User) -> list[str]:
    """The person's expertise tags, the topics they may offer to mentor on."""
    return tags.tags_of(db, [user.id])[user.id]


def _check_common(sessions_per_month: int, note: str) -> list[FieldError]:
    errors = []
    if not 1 <= sessions_per_month <= MAX_SESSIONS_PER_MONTH:
        errors.append(
            FieldError(
                "sessions_per_month",
                _("Between 1 and {n} sessions a month.").format(n=MAX_SESSIONS_PER_MONTH),
            )
        )
    if len(note.strip()) > NOTE_LIMIT:
        errors.append(FieldError("note", _("At most {n} characters.").format(n=NOTE_LIMIT)))
    return errors


def _save(
    db: Session,
    *,
    actor: User,
    role: str,
    tag_rows: list[Tag],
    sessions_per_month: int,
    note: str,
) -> MentoringEnrolment:
    row = _enrolment(db, actor.id, role)
    if row is None:
        row = MentoringEnrolment(user_id=actor.id, role=role)
        db.add(row)
    row.sessions_per_month = sessions_per_month
    row.note = note.strip()
    if not row.active:
        row.active = True
        row.created_at = utcnow()  # back in the queue from now
    db.flush()
    db.execute(delete(MentoringTopic).where(MentoringTopic.enrolment_id == row.id))
    db.add_all([MentoringTopic(enrolment_id=row.id, tag_id=t.id) for t in tag_rows])
    activity.record(
        db, user_id=actor.id, kind=f"mentoring_{role}", subject_type="mentoring", subject_id=row.id
    )
    db.flush()
    return row


def offer_to_mentor(
    db: Session, *, actor: User, topics: list[str], sessions_per_month: int, note: str = ""
) -> MentoringEnrolment:
    """Volunteer as a mentor on some of one's expertise tags, for a few sessions a month."""
    errors = _check_common(sessions_per_month, note)
    mine = {fold(name): name for name in expertise_of(db, actor)}
    chosen = [fold(t) for t in topics if t.strip()]
    if not mine:
        errors.append(
            FieldError("topics", _("Add expertise tags to your profile first: you mentor on them."))
        )
    elif not chosen:
        errors.append(FieldError("topics", _("Choose at least one of your expertise tags.")))
    elif any(key not in mine for key in chosen):
        errors.append(FieldError("topics", _("Choose among your expertise tags.")))
    if errors:
        raise Invalid(errors)
    tag_rows = list(db.scalars(select(Tag).where(Tag.key.in_(chosen))))
    return _save(
        db,
        actor=actor,
        role=MentoringRole.mentor.value,
        tag_rows=tag_rows,
        sessions_per_month=sessions_per_month,
        note=note,
    )


def ask_for_mentoring(
    db: Session, *, actor: User, topics: list[str], sessions_per_month: int, note: str = ""
) -> MentoringEnrolment:
    """Ask to be mentored on a few topics (any tags), for a few sessions a month."""
    errors = _check_common(sessions_per_month, note)
    cleaned = [t for t in topics if t.strip()]
    if not cleaned:
        errors.append(FieldError("topics", _("Name at least one topic.")))
    elif len(cleaned) > MAX_TOPICS:
        errors.append(FieldError("topics", _("At most {n} topics.").format(n=MAX_TOPICS)))
    tag_rows: list[Tag] = []
    if not errors:
        try:
            tag_rows = tags.get_or_create_tags(db, cleaned)
        except Invalid as exc:
            errors += [FieldError("topics", e.message) for e in exc.errors]
    if errors:
        raise Invalid(errors)
    return _save(
        db,
        actor=actor,
        role=MentoringRole.mentee.value,
        tag_rows=tag_rows,
        sessions_per_month=sessions_per_month,
        note=note,
    )


def withdraw(db: Session, *, actor: User, role: str) -> None:
    """Stop offering (or asking for) mentoring; proposals still waiting on that side are withdrawn.
    Pairs already formed carry on until one side ends them."""
    row = _enrolment(db, actor.id, role)
    if row is None or not row.active:
        return
    row.active = False
    side = MentoringPair.mentor_id if role == MentoringRole.mentor.value else MentoringPair.mentee_id
    now = utcnow()
    for pair in db.scalars(
        select(MentoringPair).where(side == actor.id, MentoringPair.status == PairStatus.proposed.value)
    ):
        pair.status = PairStatus.declined.value
        pair.closed_at = now
        pair.closed_by_id = actor.id
    db.flush()


# ---- matching -----------------------------------------------------------------------------------


@dataclass
class _Side:
    enrolment: MentoringEnrolment
    user: User
    topic_keys: dict[str, str]  # key -> name


@dataclass(frozen=True)
class Proposal:
    """A candidate pair and the reasons of its score."""

    mentor: _Side
    mentee: _Side
    score: int
    reasons: list[dict[str, Any]]
    topics: list[str]


def score(mentor: _Side, mentee: _Side, pairs_held: int) -> Proposal | None:
    """How well a mentor suits a mentee, with each reason and its points; None without a shared topic."""
    shared = sorted(mentor.topic_keys[k] for k in mentor.topic_keys.keys() & mentee.topic_keys.keys())
    if not shared:
        return None
    reasons: list[dict[str, Any]] = [
        {"code": "topics", "points": POINTS_PER_TOPIC * len(shared), "params": {"topics": ", ".join(shared)}}
    ]
    if mentor.user.site and mentor.user.site == mentee.user.site:
        reasons.append({"code": "site", "points": POINTS_SAME_SITE, "params": {"site": mentor.user.site}})
    if mentor.user.department and mentor.user.department == mentee.user.department:
        reasons.append(
            {
                "code": "department",
                "points": POINTS_SAME_DEPARTMENT,
                "params": {"department": mentor.user.department},
            }
        )
    offered = mentor.enrolment.sessions_per_month
    covers = offered >= mentee.enrolment.sessions_per_month
    reasons.append(
        {
            "code": "availability",
            "points": offered + (POINTS_COVERS_REQUEST if covers else 0),
            "params": {"offered": offered, "asked": mentee.enrolment.sessions_per_month},
        }
    )
    if pairs_held:
        reasons.append(
            {"code": "load", "points": POINTS_PER_PAIR_HELD * pairs_held, "params": {"pairs": pairs_held}}
        )
    return Proposal(mentor, mentee, sum(r["points"] for r in reasons), reasons, shared)


def reason_text(reason: dict[str, Any]) -> str:
    """One reason of a proposal, in the reader's language."""
    params = reason.get("params", {})
    code = reason.get("code")
    if code == "topics":
        return _("Shared topics: {topics}").format(topics=params.get("topics", ""))
    if code == "site":
        return _("Both in {site}: you can meet in person").format(site=params.get("site", ""))
    if code == "department":
        return _("Both in {department}").format(department=params.get("department", ""))
    if code == "availability":
        offered = int(params.get("offered", 0))
        return ngettext(
            "The mentor offers {n} session a month",
            "The mentor offers {n} sessions a month",
            offered,
        ).format(n=offered)
    if code == "load":
        held = int(params.get("pairs", 0))
        return ngettext(
            "The mentor already has {n} pair",
            "The mentor already has {n} pairs",
            held,
        ).format(n=held)
    return str(code)


def _sides(db: Session, role: str) -> list[_Side]:
    rows = db.execute(
        select(MentoringEnrolment, User)
        .join(User, User.id == MentoringEnrolment.user_id)
        .where(MentoringEnrolment.role == role, MentoringEnrolment.active.is_(True), User.is_active.is_(True))
        .order_by(MentoringEnrolment.created_at, MentoringEnrolment.id)
    ).all()
    keys: dict[int, dict[str, str]] = defaultdict(dict)
    ids = [e.id for e, _u in rows]
    if ids:
        for eid, key, name in db.execute(
            select(MentoringTopic.enrolment_id, Tag.key, Tag.name)
            .join(Tag, Tag.id == MentoringTopic.tag_id)
            .where(MentoringTopic.enrolment_id.in_(ids))
        ):
            keys[eid][key] = name
    return [_Side(e, u, keys[e.id]) for e, u in rows]


def match(db: Session, *, only_user_id: int | None = None) -> list[MentoringPair]:
    """Propose pairs to the people waiting (or to one person only), best scores first; both sides are
    told and must accept. Returns the new proposals."""
    mentors = _sides(db, MentoringRole.mentor.value)
    mentees = _sides(db, MentoringRole.mentee.value)
    if not mentors or not mentees:
        return []
    known = {(m, e) for m, e in db.execute(select(MentoringPair.mentor_id, MentoringPair.mentee_id))}
    open_pairs = db.execute(
        select(MentoringPair.mentor_id, MentoringPair.mentee_id).where(MentoringPair.status.in_(OPEN))
    ).all()
    held: dict[int, int] = defaultdict(int)
    busy_mentees: set[int] = set()
    for mentor_id, mentee_id in open_pairs:
        held[mentor_id] += 1
        busy_mentees.add(mentee_id)
    candidates: list[tuple[int, int, Proposal]] = []
    for order, mentee in enumerate(mentees):
        if mentee.user.id in busy_mentees:
            continue
        for mentor in mentors:
            if mentor.user.id == mentee.user.id or (mentor.user.id, mentee.user.id) in known:
                continue
            if only_user_id is not None and only_user_id not in (mentor.user.id, mentee.user.id):
                continue
            if held[mentor.user.id] >= mentor.enrolment.sessions_per_month:
                continue
            proposal = score(mentor, mentee, held[mentor.user.id])
            if proposal is not None:
                candidates.append((order, mentor.user.id, proposal))
    candidates.sort(key=lambda c: (-c[2].score, c[0], c[1]))
    made: list[MentoringPair] = []
    for _order, mentor_id, proposal in candidates:
        mentee_id = proposal.mentee.user.id
        if mentee_id in busy_mentees or held[mentor_id] >= proposal.mentor.enrolment.sessions_per_month:
            continue
        # the load may have grown since this candidate was scored: score it again before proposing
        fresh = score(proposal.mentor, proposal.mentee, held[mentor_id])
        if fresh is None:
            continue
        pair = MentoringPair(
            mentor_id=mentor_id,
            mentee_id=mentee_id,
            status=PairStatus.proposed.value,
            score=fresh.score,
            reasons=fresh.reasons,
            topics=fresh.topics,
        )
        db.add(pair)
        db.flush()
        held[mentor_id] += 1
        busy_mentees.add(mentee_id)
        made.append(pair)
        _tell_both(db, pair, "proposed")
    return made


def _tell_both(
    db: Session, pair: MentoringPair, event: str, *, by: int | None = None, extra: Any = None
) -> None:
    """Tell the two people of a pair (or only the other one, when `by` did it) what happened."""
    for recipient, other in ((pair.mentor_id, pair.mentee_id), (pair.mentee_id, pair.mentor_id)):
        if by is not None and recipient == by:
            continue
        notifications.notify(
            db,
            recipient_id=recipient,
            type="mentoring",
            key=f"mentoring:{pair.id}:{event}" + (f":{extra}" if extra is not None else ""),
            url=f"/mentoring#pair-{pair.id}",
            actor_id=other,
            params={
                "event": event,
                "title": ", ".join(pair.topics),
                "topics": ", ".join(pair.topics),
                "role": "mentor" if recipient == pair.mentor_id else "mentee",
                **({"starts_at": extra} if event == "session" and extra else {}),
            },
        )


# ---- answering, ending --------------------------------------------------------------------------


def _pair_of(db: Session, viewer: User, pair_id: int, *, lock: bool = False) -> MentoringPair:
    """A pair the viewer is one side of; NotFound for anyone else (a pair is the two people's business)."""
    pair = db.get(MentoringPair, pair_id, with_for_update=lock)
    if pair is None or viewer.id not in (pair.mentor_id, pair.mentee_id):
        raise NotFound(_("No such mentoring pair."))
    return pair


def respond(db: Session, *, actor: User, pair_id: int, accept: bool) -> MentoringPair:
    """Accept or decline a proposed pair; once both accepted, the pair exists and both are told."""
    pair = _pair_of(db, actor, pair_id, lock=True)
    if pair.status != PairStatus.proposed.value:
        raise Invalid.one("pair", _("This proposal has already been answered."))
    now = utcnow()
    if not accept:
        pair.status = PairStatus.declined.value
        pair.closed_at = now
        pair.closed_by_id = actor.id
        db.flush()
        return pair
    if actor.id == pair.mentor_id:
        pair.mentor_accepted_at = pair.mentor_accepted_at or now
    else:
        pair.mentee_accepted_at = pair.mentee_accepted_at or now
    if pair.mentor_accepted_at and pair.mentee_accepted_at:
        pair.status = PairStatus.active.value
        pair.started_at = now
        activity.record(
            db, user_id=actor.id, kind="mentoring_pair", subject_type="mentoring", subject_id=pair.id
        )
        db.flush()
        _tell_both(db, pair, "accepted")
    db.flush()
    return pair


def end_pair(db: Session, *, actor: User, pair_id: int) -> MentoringPair:
    """End an active pair (either side may); its history and feedback stay with the two people."""
    pair = _pair_of(db, actor, pair_id, lock=True)
    if pair.status != PairStatus.active.value:
        raise Invalid.one("pair", _("Only an active pair can be ended."))
    pair.status = PairStatus.ended.value
    pair.closed_at = utcnow()
    pair.closed_by_id = actor.id
    db.flush()
    return pair


# ---- sessions and feedback ----------------------------------------------------------------------


@dataclass
class SessionData:
    """When and where a pair meets, and what about."""

    starts_at: datetime | None
    duration_minutes: int = 60
    location: str = ""
    agenda: str = ""


def plan_session(db: Session, *, actor: User, pair_id: int, data: SessionData) -> MentoringSession:
    """Plan a session of an active pair; the other side is told."""
    pair = _pair_of(db, actor, pair_id)
    if pair.status != PairStatus.active.value:
        raise Invalid.one("pair", _("Sessions are planned once both have accepted the pair."))
    errors = []
    if data.starts_at is None:
        errors.append(FieldError("starts_at", _("Give a date and a time.")))
    elif data.starts_at.tzinfo is None:
        errors.append(FieldError("starts_at", _("Give the time zone (e.g. 2026-12-03T14:00:00+01:00).")))
    elif data.starts_at <= utcnow():
        errors.append(FieldError("starts_at", _("Choose a moment in the future.")))
    if not 15 <= data.duration_minutes <= MAX_SESSION_MINUTES:
        errors.append(FieldError("duration_minutes", _("Between 15 minutes and 8 hours.")))
    location = data.location.strip()
    if not location:
        errors.append(FieldError("location", _("Where do you meet? A room, a café or an online link.")))
    elif len(location) > LOCATION_LIMIT:
        errors.append(FieldError("location", _("At most {n} characters.").format(n=LOCATION_LIMIT)))
    if len(data.agenda.strip()) > AGENDA_LIMIT:
        errors.append(FieldError("agenda", _("At most {n} characters.").format(n=AGENDA_LIMIT)))
    if errors:
        raise Invalid(errors)
    assert data.starts_at is not None
    session = MentoringSession(
        pair_id=pair.id,
        starts_at=data.starts_at,
        ends_at=data.starts_at + timedelta(minutes=data.duration_minutes),
        location=location,
        agenda=data.agenda.strip(),
        created_by_id=actor.id,
    )
    db.add(session)
    db.flush()
    _tell_both(db, pair, "session", by=actor.id, extra=session.starts_at.isoformat())
    return session


def _session_of(db: Session, viewer: User, session_id: int) -> tuple[MentoringSession, MentoringPair]:
    session = db.get(MentoringSession, session_id)
    if session is None:
        raise NotFound(_("No such session."))
    return session, _pair_of(db, viewer, session.pair_id)


def cancel_session(db: Session, *, actor: User, session_id: int) -> None:
    """Cancel a session that has not started yet."""
    session, _pair = _session_of(db, actor, session_id)
    if session.starts_at <= utcnow():
        raise Invalid.one("session", _("This session has already started."))
    session.cancelled_at = session.cancelled_at or utcnow()
    db.flush()


def give_feedback(
    db: Session, *, actor: User, session_id: int, rating: int, comment: str = ""
) -> MentoringFeedback:
    """Say how a session went (1 to 5, and a few words if one likes); saying it again replaces it."""
    session, _pair = _session_of(db, actor, session_id)
    errors = []
    if session.cancelled_at is not None:
        errors.append(FieldError("session", _("This session was cancelled.")))
    elif session.starts_at > utcnow():
        errors.append(FieldError("session", _("Feedback comes after the session.")))
    if not 1 <= rating <= 5:
        errors.append(FieldError("rating", _("A rating from 1 to 5.")))
    if len(comment.strip()) > COMMENT_LIMIT:
        errors.append(FieldError("comment", _("At most {n} characters.").format(n=COMMENT_LIMIT)))
    if errors:
        raise Invalid(errors)
    row = db.get(MentoringFeedback, (session.id, actor.id))
    if row is None:
        row = MentoringFeedback(
            session_id=session.id, user_id=actor.id, rating=rating, comment=comment.strip()
        )
        db.add(row)
    else:
        row.rating = rating
        row.comment = comment.strip()
    db.flush()
    return row


# ---- what a person sees -------------------------------------------------------------------------


@dataclass
class SessionView:
    """A session as the pair sees it, with both sides' feedback."""

    row: MentoringSession
    feedback: dict[int, MentoringFeedback] = field(default_factory=dict)

    @property
    def past(self) -> bool:
        """The session has started (feedback may be given)."""
        return self.row.starts_at <= utcnow()


@dataclass
class PairView:
    """A pair (or a proposal) from one side: the other person, my role, the reasons, the sessions."""

    row: MentoringPair
    partner: User
    my_role: str
    reasons: list[str]
    sessions: list[SessionView] = field(default_factory=list)

    @property
    def i_accepted(self) -> bool:
        """I have accepted this proposal."""
        stamp = self.row.mentor_accepted_at if self.my_role == "mentor" else self.row.mentee_accepted_at
        return stamp is not None

    @property
    def partner_accepted(self) -> bool:
        """The other side has accepted this proposal."""
        stamp = self.row.mentee_accepted_at if self.my_role == "mentor" else self.row.mentor_accepted_at
        return stamp is not None


@dataclass
class Overview:
    """Everything /mentoring shows one person: their enrolments, proposals, pairs and sessions."""

    mentor: Enrolment | None
    mentee: Enrolment | None
    expertise: list[str]
    proposals: list[PairView]
    pairs: list[PairView]
    past_pairs: list[PairView]

    @property
    def may_look(self) -> bool:
        """Proxima could still propose something: a mentor with room, or a mentee without a pair."""
        open_ = self.proposals + self.pairs
        as_mentor = sum(1 for v in open_ if v.my_role == MentoringRole.mentor.value)
        as_mentee = sum(1 for v in open_ if v.my_role == MentoringRole.mentee.value)
        return bool(
            (self.mentor and as_mentor < self.mentor.row.sessions_per_month)
            or (self.mentee and not as_mentee)
        )


def overview(db: Session, *, viewer: User) -> Overview:
    """My side of the programme: what I offer or ask, proposals waiting, my pairs with their sessions."""
    rows = list(db.scalars(select(MentoringEnrolment).where(MentoringEnrolment.user_id == viewer.id)))
    topics = _topics_of(db, [r.id for r in rows])
    by_role = {r.role: Enrolment(r, topics[r.id]) for r in rows if r.active}
    partner_id = case(
        (MentoringPair.mentor_id == viewer.id, MentoringPair.mentee_id), else_=MentoringPair.mentor_id
    )
    pair_rows = db.execute(
        select(MentoringPair, User)
        .join(User, User.id == partner_id)
        .where(or_(MentoringPair.mentor_id == viewer.id, MentoringPair.mentee_id == viewer.id))
        .order_by(MentoringPair.proposed_at.desc(), MentoringPair.id.desc())
    ).all()
    views = [
        PairView(
            row=pair,
            partner=partner,
            my_role="mentor" if pair.mentor_id == viewer.id else "mentee",
            reasons=[reason_text(r) for r in pair.reasons],
        )
        for pair, partner in pair_rows
    ]
    with_sessions = [v for v in views if v.row.status in (PairStatus.active.value, PairStatus.ended.value)]
    if with_sessions:
        by_pair = {v.row.id: v for v in with_sessions}
        sessions = list(
            db.scalars(
                select(MentoringSession)
                .where(MentoringSession.pair_id.in_(list(by_pair)))
                .order_by(MentoringSession.starts_at)
            )
        )
        by_session = {s.id: SessionView(s) for s in sessions}
        if by_session:
            for fb in db.scalars(
                select(MentoringFeedback).where(MentoringFeedback.session_id.in_(list(by_session)))
            ):
                by_session[fb.session_id].feedback[fb.user_id] = fb
        for s in sessions:
            by_pair[s.pair_id].sessions.append(by_session[s.id])
    return Overview(
        mentor=by_role.get(MentoringRole.mentor.value),
        mentee=by_role.get(MentoringRole.mentee.value),
        expertise=expertise_of(db, viewer),
        proposals=[v for v in views if v.row.status == PairStatus.proposed.value],
        pairs=[v for v in views if v.row.status == PairStatus.active.value],
        past_pairs=[v for v in views if v.row.status == PairStatus.ended.value],
    )


def session_ics(db: Session, *, viewer: User, session_id: int, base_url: str) -> tuple[str, str]:
    """A session as an iCalendar file for the two people of the pair (file name, text)."""
    session, pair = _session_of(db, viewer, session_id)
    partner = db.get(User, pair.mentee_id if viewer.id == pair.mentor_id else pair.mentor_id)
    summary = _("Reverse mentoring with {name}").format(name=partner.display_name if partner else "")
    host = base_url.split("://")[-1].strip("/")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Proxima//Mentoring//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:proxima-mentoring-{session.id}@{host}",
        f"DTSTAMP:{_ics_time(utcnow())}",
        f"DTSTART:{_ics_time(session.starts_at)}",
        f"DTEND:{_ics_time(session.ends_at)}",
        f"SUMMARY:{_ics_text(summary)}",
        f"LOCATION:{_ics_text(session.location)}",
        f"DESCRIPTION:{_ics_text(session.agenda)}",
        f"URL:{base_url.rstrip('/')}/mentoring#pair-{pair.id}",
        f"STATUS:{'CANCELLED' if session.cancelled_at else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return f"mentoring-{session.id}.ics", "\r\n".join(_fold(line) for line in lines) + "\r\n"


def _ics_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r", "")
        .replace("\n", "\\n")
    )


def _ics_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """RFC 5545 lines of at most 75 octets, continued with a leading space."""
    parts = []
    while len(line.encode()) > 74:
        cut = 74
        while len(line[:cut].encode()) > 74:
            cut -= 1
        parts.append(line[:cut])
        line = " " + line[cut:]
    parts.append(line)
    return "\r\n".join(parts)


# ---- the programme in aggregate (HR) ------------------------------------------------------------


@dataclass
class Figure:
    """One count of the programme, or None when under the threshold."""

    key: str
    label: str
    value: int | None


@dataclass
class ProgrammeFigures:
    """The programme as HR sees it: counts and satisfaction, nothing under the threshold."""

    threshold: int
    counts: list[Figure]
    ratings: int | None
    average_rating: float | None


def require_programme_viewer(viewer: User) -> None:
    """Only HR and administrators see the programme's figures."""
    if not viewer.has_role(Role.hr, Role.admin):
        raise Forbidden(_("Only HR and administrators see the mentoring programme's figures."))


def programme_figures(db: Session, *, viewer: User, threshold: int) -> ProgrammeFigures:
    """How many mentors, mentees, pairs and sessions, and how satisfied people are — each figure only
    when it counts at least the threshold (a smaller one could point at someone)."""
    require_programme_viewer(viewer)
    now = utcnow()
    active_people = select(User.id).where(User.is_active.is_(True))

    def enrolled(role: str) -> Any:
        return (
            select(func.count())
            .select_from(MentoringEnrolment)
            .where(
                MentoringEnrolment.role == role,
                MentoringEnrolment.active.is_(True),
                MentoringEnrolment.user_id.in_(active_people),
            )
            .scalar_subquery()
        )

    def pairs(*statuses: str) -> Any:
        return (
            select(func.count())
            .select_from(MentoringPair)
            .where(MentoringPair.status.in_(statuses))
            .scalar_subquery()
        )

    held = (
        select(func.count())
        .select_from(MentoringSession)
        .where(MentoringSession.cancelled_at.is_(None), MentoringSession.starts_at <= now)
        .scalar_subquery()
    )
    mentors, mentees, active, ever, proposed, sessions = db.execute(
        select(
            enrolled(MentoringRole.mentor.value),
            enrolled(MentoringRole.mentee.value),
            pairs(PairStatus.active.value),
            pairs(PairStatus.active.value, PairStatus.ended.value),
            pairs(PairStatus.proposed.value),
            held,
        )
    ).one()
    raw = {
        "mentors": (gettext("Mentors volunteering"), mentors),
        "mentees": (gettext("People asking to be mentored"), mentees),
        "proposed": (gettext("Proposals waiting for an answer"), proposed),
        "active": (gettext("Active pairs"), active),
        "ever": (gettext("Pairs formed since the start"), ever),
        "sessions": (gettext("Sessions held"), sessions),
    }
    counts = [
        Figure(key, label, int(value) if group_shown(int(value or 0), threshold) else None)
        for key, (label, value) in raw.items()
    ]
    ratings, average = db.execute(select(func.count(), func.avg(MentoringFeedback.rating))).one()
    shown = group_shown(int(ratings), threshold)
    return ProgrammeFigures(
        threshold=threshold,
        counts=counts,
        ratings=int(ratings) if shown else None,
        average_rating=round(float(average), 1) if shown and average is not None else None,
    )

"""The engagement engine: each person's stage in their journey, as a table of named rules.

One place evaluates the rules (``decide``) over a person's figures, which one statement reads
(``_figures_statement``) for one person as events arrive, or for everyone at once in a sweep.
Every change writes one transition with its time and a human reason. See docs/engagement.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, distinct, exists, func, insert, select, update
from sqlalchemy.orm import Session, aliased

from app.i18n import gettext
from app.models import (
    ActivityEvent,
    EngagementState,
    Membership,
    MemberStatus,
    Post,
    Reaction,
    Stage,
    StageTransition,
    User,
)
from app.models.base import utcnow
from app.settings import Settings

ORDER = [Stage.information, Stage.discovery, Stage.participation, Stage.contribution, Stage.promotion]
RANK = {stage.value: index for index, stage in enumerate(ORDER)}
RANK[Stage.disappointment.value] = -1

FOLLOW_KINDS = ("follow", "join", "follow_tag")
REACT_KINDS = ("like", "rsvp")
COMMENT_KINDS = ("comment", "answer")
LEAVE_KINDS = ("leave", "removed_from_community")
# events that other people's actions record for a person: they are not that person coming back
OTHERS_DOING = ("content_liked", "answer_accepted", "removed_from_community")
# a day on which the person came in and read (recorded once per day, never per hit)
READ_KINDS = ("visit_day", "read_day")
# events that may move someone's stage; others (profile edits, admin actions) do not
STAGE_EVENTS = frozenset(
    {
        "sign_in",
        "visit_day",
        "read_day",
        *FOLLOW_KINDS,
        *REACT_KINDS,
        "post",
        *COMMENT_KINDS,
        "praise_given",
        "answer_accepted",
        "content_liked",
        *LEAVE_KINDS,
    }
)


def N_(message: str) -> str:
    """Mark a reason for extraction; it is stored in English and translated when shown."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for extraction; chosen by a count when shown."""
    return singular, plural


@dataclass(frozen=True)
class Rules:
    """The thresholds and windows, from settings (defaults in docs/engagement.md)."""

    window_days: int = 30
    promotion_window_days: int = 60
    read_days: int = 3
    contribution_posts: int = 1
    contribution_comments: int = 2
    promotion_signals: int = 2
    like_departments: int = 3
    disappointment_days: int = 30

    @classmethod
    def from_settings(cls, settings: Settings) -> Rules:
        """The rules an installation configured."""
        return cls(
            window_days=settings.engagement_window_days,
            promotion_window_days=settings.engagement_promotion_window_days,
            read_days=settings.engagement_read_days,
            contribution_posts=settings.engagement_contribution_posts,
            contribution_comments=settings.engagement_contribution_comments,
            promotion_signals=settings.engagement_promotion_signals,
            like_departments=settings.engagement_like_departments,
            disappointment_days=settings.engagement_disappointment_days,
        )


@dataclass
class Figures:
    """What the engine knows of one person, as of a moment (shown to that person on "My journey")."""

    user_id: int
    signed_in: bool = False
    first_seen_at: datetime | None = None
    last_seen_at: datetime | None = None
    follows_joins: int = 0
    likes_rsvps: int = 0
    read_days: int = 0
    posts: int = 0
    comments: int = 0
    praise_given: int = 0
    answers_accepted: int = 0
    like_departments: int = 0
    animates_community: bool = False
    memberships: int = 0
    joined_ever: int = 0
    stage: str | None = None
    peak: str = Stage.information.value
    peak_at: datetime | None = None


@dataclass
class Verdict:
    """A stage and why, as a reason to translate and its parameters."""

    stage: str
    reason: str
    params: dict[str, Any] = field(default_factory=dict)


# ---- the rule table ------------------------------------------------------------------------------


def _participation(f: Figures, r: Rules) -> Verdict | None:
    if f.follows_joins >= 1 and f.likes_rsvps >= 1:
        return Verdict(
            Stage.participation,
            N_("Follows colleagues or communities and reacted in the last {days} days"),
            {"days": r.window_days},
        )
    if f.read_days >= r.read_days:
        return Verdict(
            Stage.participation,
            N_("Came to read on {n} different days in the last {days} days"),
            {"n": f.read_days, "days": r.window_days},
        )
    return None


def _contribution(f: Figures, r: Rules) -> Verdict | None:
    if f.posts >= r.contribution_posts:
        return Verdict(
            Stage.contribution,
            N_("Posts in the last {days} days: {n}"),
            {"n": f.posts, "days": r.window_days},
        )
    if f.comments >= r.contribution_comments:
        return Verdict(
            Stage.contribution,
            N_("Comments or answers in the last {days} days: {n}"),
            {"n": f.comments, "days": r.window_days},
        )
    return None


PROMOTION_SIGNALS: dict[str, Callable[[Figures, Rules], bool]] = {
    "animates": lambda f, r: f.animates_community,
    "praised": lambda f, r: f.praise_given >= 1,
    "answer_accepted": lambda f, r: f.answers_accepted >= 1,
    "liked_across": lambda f, r: f.like_departments >= r.like_departments,
}
SIGNAL_LABELS = {
    "animates": N_("animates a community where colleagues post"),
    "praised": N_("recognised colleagues"),
    "answer_accepted": N_("gave answers that were accepted"),
    "liked_across": N_("is appreciated across departments"),
}


def promotion_signals(f: Figures, r: Rules) -> list[str]:
    """Which of the ways of bringing others in this person shows (in the promotion window)."""
    return [key for key, holds in PROMOTION_SIGNALS.items() if holds(f, r)]


def _promotion(f: Figures, r: Rules) -> Verdict | None:
    signals = promotion_signals(f, r)
    if _contribution(f, r) is not None and len(signals) >= r.promotion_signals:
        return Verdict(Stage.promotion, N_("Contributes, and {signals}"), {"signals": signals})
    return None


def _discovery(f: Figures, r: Rules) -> Verdict | None:
    return Verdict(Stage.discovery, N_("Has signed in")) if f.signed_in else None


RULES: list[Callable[[Figures, Rules], Verdict | None]] = [
    _promotion,
    _contribution,
    _participation,
    _discovery,
]


def evaluate(f: Figures, r: Rules) -> Verdict:
    """The stage a person's activity shows: the latest stage whose rule holds."""
    for rule in RULES:
        verdict = rule(f, r)
        if verdict is not None:
            return verdict
    return Verdict(Stage.information, N_("Has an account but has not signed in yet"))


def decide(f: Figures, r: Rules, *, as_of: datetime, event: str | None) -> Verdict:
    """The stage to be in now: activity's stage, or disappointment when someone who had come
    far drops out (no visit for a while, or a sharp fall of activity — the sweep — or leaving
    every community they joined)."""
    reached = RANK.get(f.peak, 0) >= RANK[Stage.participation.value]
    if f.stage == Stage.disappointment.value and event in OTHERS_DOING:
        return Verdict(f.stage, "")  # only a sign-in with activity of their own brings them back
    if event in LEAVE_KINDS and reached and f.joined_ever > 0 and f.memberships == 0:
        return Verdict(Stage.disappointment, N_("Left every community they had joined"))
    if event is None:  # the sweep: time-based changes only
        if f.stage == Stage.disappointment.value:
            return Verdict(f.stage, "")
        absent = f.last_seen_at is None or f.last_seen_at < as_of - timedelta(days=r.disappointment_days)
        if reached and f.signed_in and absent:
            return Verdict(
                Stage.disappointment, N_("No visit for {days} days"), {"days": r.disappointment_days}
            )
    now = evaluate(f, r)
    if f.stage == Stage.disappointment.value and RANK[now.stage] <= RANK[Stage.discovery.value]:
        return Verdict(f.stage, "")  # a visit alone does not end a disappointment: activity does
    # a sharp fall: someone who was contributing (or more) now shows no more than a visit
    was_contributing = RANK.get(f.stage or "", -1) >= RANK[Stage.contribution.value]
    if was_contributing and RANK[now.stage] <= RANK[Stage.discovery.value]:
        return Verdict(
            Stage.disappointment,
            N_("Activity fell sharply: no follow, reaction or post in the last {days} days"),
            {"days": r.window_days},
        )
    return now


def depth_of(f: Figures, as_of: datetime) -> int:
    """How deep a disappointment is: the shorter the journey before it, the deeper (3 deep … 1 mild)."""
    if f.first_seen_at is None:
        return 3
    journey = as_of - f.first_seen_at
    return 3 if journey < timedelta(days=30) else 2 if journey < timedelta(days=90) else 1


def reason_text(reason: str, params: dict[str, Any]) -> str:
    """A stored reason in the reader's language."""
    if not reason:
        return ""
    values = dict(params)
    if "signals" in values:
        values["signals"] = ", ".join(
            gettext(SIGNAL_LABELS[s]) for s in values["signals"] if s in SIGNAL_LABELS
        )
    try:
        return gettext(reason).format(**values)
    except (KeyError, IndexError, ValueError):
        return gettext(reason)


# ---- reading figures -----------------------------------------------------------------------------


def _windows(as_of: datetime, r: Rules) -> tuple[datetime, datetime]:
    return as_of - timedelta(days=r.window_days), as_of - timedelta(days=r.promotion_window_days)


def _activity_columns(as_of: datetime, r: Rules) -> list[Any]:
    window, promo = _windows(as_of, r)
    recent = ActivityEvent.created_at > window
    promo_recent = ActivityEvent.created_at > promo

    def count(kinds: Iterable[str], since: Any = recent) -> Any:
        return func.coalesce(
            func.sum(case((and_(ActivityEvent.kind.in_(list(kinds)), since), 1), else_=0)), 0
        )

    read_day = func.count(
        distinct(
            case(
                (and_(ActivityEvent.kind.in_(READ_KINDS), recent), func.date(ActivityEvent.created_at)),
                else_=None,
            )
        )
    )
    return [
        count(FOLLOW_KINDS).label("follows_joins"),
        count(REACT_KINDS).label("likes_rsvps"),
        read_day.label("read_days"),
        count(["post"]).label("posts"),
        count(COMMENT_KINDS).label("comments"),
        count(["praise_given"], promo_recent).label("praise_given"),
        count(["answer_accepted"], promo_recent).label("answers_accepted"),
    ]


def _like_departments(as_of: datetime, r: Rules) -> Any:
    """Per author: how many departments the colleagues who reacted to their posts come from."""
    _window, promo = _windows(as_of, r)
    reactor = aliased(User)
    return (
        select(Post.author_id.label("user_id"), func.count(distinct(reactor.department)).label("n"))
        .join(Reaction, Reaction.post_id == Post.id)
        .join(reactor, reactor.id == Reaction.user_id)
        .where(Reaction.created_at > promo, Reaction.created_at <= as_of, reactor.id != Post.author_id)
        .group_by(Post.author_id)
    )


def _animators(as_of: datetime, r: Rules) -> Select[Any]:
    """People who manage a community in which someone else posted in the promotion window."""
    _window, promo = _windows(as_of, r)
    return (
        select(Membership.user_id.label("user_id"))
        .distinct()
        .where(
            Membership.role == "manager",
            Membership.status == MemberStatus.member.value,
            exists().where(
                Post.community_id == Membership.community_id,
                Post.author_id != Membership.user_id,
                Post.created_at > promo,
                Post.created_at <= as_of,
                Post.removed_at.is_(None),
                Post.is_draft.is_(False),
            ),
        )
    )


def _figures_statement(user_id: int, as_of: datetime, r: Rules) -> Select[Any]:
    """Everything about one person in one statement: activity aggregates and scalar subqueries."""
    _window, promo = _windows(as_of, r)
    departments = _like_departments(as_of, r).where(Post.author_id == user_id).subquery()
    state = select(EngagementState).where(EngagementState.user_id == user_id).subquery()
    person = select(User.first_seen_at, User.last_seen_at).where(User.id == user_id).subquery()
    memberships = (
        select(func.count())
        .select_from(Membership)
        .where(Membership.user_id == user_id, Membership.status == MemberStatus.member.value)
        .scalar_subquery()
    )
    joined = (
        select(func.count())
        .select_from(ActivityEvent)
        .where(ActivityEvent.user_id == user_id, ActivityEvent.kind == "join")
        .scalar_subquery()
    )
    animates = exists(_animators(as_of, r).where(Membership.user_id == user_id).subquery().select())
    return (
        select(
            *_activity_columns(as_of, r),
            select(departments.c.n).scalar_subquery().label("like_departments"),
            animates.label("animates_community"),
            memberships.label("memberships"),
            joined.label("joined_ever"),
            select(person.c.first_seen_at).scalar_subquery().label("first_seen_at"),
            select(person.c.last_seen_at).scalar_subquery().label("last_seen_at"),
            select(state.c.stage).scalar_subquery().label("stage"),
            select(state.c.peak).scalar_subquery().label("peak"),
            select(state.c.peak_at).scalar_subquery().label("peak_at"),
        )
        .select_from(ActivityEvent)
        .where(
            ActivityEvent.user_id == user_id,
            ActivityEvent.created_at > promo,
            ActivityEvent.created_at <= as_of,
        )
    )


def _to_figures(user_id: int, row: Any) -> Figures:
    return Figures(
        user_id=user_id,
        signed_in=row.first_seen_at is not None,
        first_seen_at=row.first_seen_at,
        last_seen_at=row.last_seen_at,
        follows_joins=int(row.follows_joins or 0),
        likes_rsvps=int(row.likes_rsvps or 0),
        read_days=int(row.read_days or 0),
        posts=int(row.posts or 0),
        comments=int(row.comments or 0),
        praise_given=int(row.praise_given or 0),
        answers_accepted=int(row.answers_accepted or 0),
        like_departments=int(row.like_departments or 0),
        animates_community=bool(row.animates_community),
        memberships=int(row.memberships or 0),
        joined_ever=int(row.joined_ever or 0),
        stage=row.stage,
        peak=row.peak or Stage.information.value,
        peak_at=_aware(row.peak_at),
    )


def _aware(value: Any) -> datetime | None:
    if value is None or (isinstance(value, datetime) and value.tzinfo is not None):
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


def figures(db: Session, *, user_id: int, rules: Rules, as_of: datetime | None = None) -> Figures:
    """What the engine holds about one person right now (one statement)."""
    as_of = as_of or utcnow()
    row = db.execute(_figures_statement(user_id, as_of, rules)).one()
    result = _to_figures(user_id, row)
    result.first_seen_at, result.last_seen_at = _aware(result.first_seen_at), _aware(result.last_seen_at)
    return result


# ---- writing transitions -------------------------------------------------------------------------


def _apply(db: Session, f: Figures, verdict: Verdict, at: datetime) -> bool:
    """Store a change of stage (two statements); nothing when the stage stays the same."""
    if f.stage == verdict.stage:
        return False
    peak, peak_at = f.peak, f.peak_at
    if RANK.get(verdict.stage, -1) > RANK.get(peak, 0):
        peak, peak_at = verdict.stage, at
    values = {
        "stage": verdict.stage,
        "since": at,
        "reason": verdict.reason,
        "reason_params": verdict.params,
        "peak": peak,
        "peak_at": peak_at,
        "updated_at": at,
        "depth": depth_of(f, at) if verdict.stage == Stage.disappointment.value else None,
    }
    if f.stage is None:
        db.execute(insert(EngagementState).values(user_id=f.user_id, **values))
    else:
        db.execute(update(EngagementState).where(EngagementState.user_id == f.user_id).values(**values))
    db.execute(
        insert(StageTransition).values(
            user_id=f.user_id,
            from_stage=f.stage,
            to_stage=verdict.stage,
            at=at,
            reason=verdict.reason,
            reason_params=verdict.params,
        )
    )
    return True


_configured: list[Settings] = []


def configure(settings: Settings) -> None:
    """Use this installation's rules (the application factory calls it)."""
    _configured[:] = [settings]


def current_rules() -> Rules:
    """The rules in force: the application's settings, else the environment's."""
    from app.settings import get_settings

    return Rules.from_settings(_configured[0] if _configured else get_settings())


def on_event(db: Session, *, user_id: int, kind: str, at: datetime | None = None) -> None:
    """Move a person's stage as one of their events arrives: one statement to read, two to write."""
    if kind not in STAGE_EVENTS:
        return
    at = at or utcnow()
    rules = current_rules()
    f = figures(db, user_id=user_id, rules=rules, as_of=at)
    _apply(db, f, decide(f, rules, as_of=at, event=kind), at)


def on_account_created(db: Session, *, user_id: int, at: datetime | None = None) -> None:
    """Every account starts at information."""
    at = at or utcnow()
    f = Figures(user_id=user_id)
    _apply(db, f, Verdict(Stage.information, N_("Account created")), at)


# ---- the sweep -----------------------------------------------------------------------------------


@dataclass
class SweepReport:
    """What a sweep did."""

    people: int = 0
    changed: int = 0
    by_stage: dict[str, int] = field(default_factory=dict)


def sweep(db: Session, *, as_of: datetime | None = None) -> SweepReport:
    """Apply the time-based transitions for everyone as of a moment, with set-based reads."""
    as_of = as_of or utcnow()
    rules = current_rules()
    _window, promo = _windows(as_of, rules)
    activity = {
        row.user_id: row
        for row in db.execute(
            select(ActivityEvent.user_id, *_activity_columns(as_of, rules))
            .where(ActivityEvent.created_at > promo, ActivityEvent.created_at <= as_of)
            .group_by(ActivityEvent.user_id)
        )
    }
    departments: dict[int, int] = {uid: n for uid, n in db.execute(_like_departments(as_of, rules))}
    animators = set(db.scalars(_animators(as_of, rules)))
    states = {s.user_id: s for s in db.execute(select(EngagementState)).scalars()}
    people = db.execute(
        select(User.id, User.first_seen_at, User.last_seen_at).where(User.is_active.is_(True))
    ).all()
    report = SweepReport(people=len(people))
    new_states: list[dict[str, Any]] = []
    changed_states: list[dict[str, Any]] = []
    transitions: list[dict[str, Any]] = []
    empty = {
        "follows_joins": 0,
        "likes_rsvps": 0,
        "read_days": 0,
        "posts": 0,
        "comments": 0,
        "praise_given": 0,
        "answers_accepted": 0,
    }
    for person_id, first_seen, last_seen in people:
        row = activity.get(person_id)
        counts = {k: int(getattr(row, k) or 0) for k in empty} if row is not None else empty
        state = states.get(person_id)
        f = Figures(
            user_id=person_id,
            signed_in=first_seen is not None,
            first_seen_at=first_seen,
            last_seen_at=last_seen,
            like_departments=int(departments.get(person_id, 0)),
            animates_community=person_id in animators,
            stage=state.stage if state else None,
            peak=state.peak if state else Stage.information.value,
            peak_at=state.peak_at if state else None,
            **counts,
        )
        verdict = decide(f, rules, as_of=as_of, event=None)
        report.by_stage[verdict.stage] = report.by_stage.get(verdict.stage, 0) + 1
        if f.stage == verdict.stage:
            continue
        peak, peak_at = f.peak, f.peak_at
        if RANK.get(verdict.stage, -1) > RANK.get(peak, 0):
            peak, peak_at = verdict.stage, as_of
        values = {
            "user_id": person_id,
            "stage": verdict.stage,
            "since": as_of,
            "reason": verdict.reason,
            "reason_params": verdict.params,
            "peak": peak,
            "peak_at": peak_at,
            "updated_at": as_of,
            "depth": depth_of(f, as_of) if verdict.stage == Stage.disappointment.value else None,
        }
        (new_states if state is None else changed_states).append(values)
        transitions.append(
            {
                "user_id": person_id,
                "from_stage": f.stage,
                "to_stage": verdict.stage,
                "at": as_of,
                "reason": verdict.reason,
                "reason_params": verdict.params,
            }
        )
    if new_states:
        db.execute(insert(EngagementState), new_states)
    if changed_states:
        db.execute(update(EngagementState), changed_states)  # bulk UPDATE by primary key
    if transitions:
        db.execute(insert(StageTransition), transitions)
    report.changed = len(transitions)
    return report


# ---- reading for people and HR -------------------------------------------------------------------


def state_of(db: Session, *, user_id: int) -> EngagementState | None:
    """A person's current stage row."""
    return db.get(EngagementState, user_id)


def history_of(db: Session, *, user_id: int, limit: int = 100) -> list[StageTransition]:
    """A person's journey, newest first."""
    return list(
        db.scalars(
            select(StageTransition)
            .where(StageTransition.user_id == user_id)
            .order_by(StageTransition.at.desc(), StageTransition.id.desc())
            .limit(limit)
        )
    )


@dataclass
class Group:
    """One population's stage counts, or suppressed when too small to show (or when it would let
    a smaller group be deduced); a count of None is hidden so that no small group can be."""

    key: str
    members: int
    stages: dict[str, int | None] | None


def adoption(db: Session, *, by: str, threshold: int) -> list[Group]:
    """Stage counts per department, site, role or seniority band, released with every other
    population at once under the suppression rules (app/services/aggregates.py)."""
    from app.services import adoption as dashboard  # the dashboard reads the engine: import late

    table = dashboard.release(db, threshold=threshold).tables[by]
    return [Group(row.key, row.members, row.cells) for row in table.rows]


def set_nudges_enabled(db: Session, *, user: User, enabled: bool) -> None:
    """A person turns nudges on or off."""
    state = db.get(EngagementState, user.id)
    if state is None:
        on_account_created(db, user_id=user.id)
        state = db.get(EngagementState, user.id)
    assert state is not None
    state.nudges_enabled = enabled

"""A community's lifecycle (launching, active, declining, dormant), computed from its activity.

Communities have a journey as well as people (seed 003: "or a community dies"). Its stage is read
from the posts and comments written in it, in one statement, and shown to its managers only.
The thresholds are in ``LifecycleRules`` (documented in docs/engagement.md):

- ``launching``: created less than ``launch_days`` (30) days ago — too young to judge;
- ``dormant``: no post and no comment in the last ``dormant_days`` (60) days;
- ``declining``: posts and comments in the last ``window_days`` (30) days are fewer than
  ``decline_ratio`` (50%) of those in the 30 days before, which were at least
  ``decline_min_previous`` (4) — so that a quiet community going from 2 to 0 is not "declining";
- ``active``: otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from statistics import median
from typing import Any

from sqlalchemy import and_, case, distinct, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from app.i18n import gettext, ngettext
from app.models import (
    Comment,
    Community,
    CommunityWinback,
    EngagementState,
    MemberRole,
    Membership,
    MemberStatus,
    Post,
    PostKind,
    Reaction,
    Rsvp,
    Stage,
    User,
    WinbackRecipient,
)
from app.models.base import utcnow
from app.services import activity, communities, notifications
from app.services.aggregates import group_shown, suppress
from app.services.errors import FieldError, Invalid


class CommunityStage(StrEnum):
    """Where a community stands in its life."""

    launching = "launching"
    active = "active"
    declining = "declining"
    dormant = "dormant"


@dataclass(frozen=True)
class LifecycleRules:
    """The thresholds of the community lifecycle (days, and the share that marks a decline)."""

    launch_days: int = 30
    window_days: int = 30
    dormant_days: int = 60
    decline_ratio: float = 0.5
    decline_min_previous: int = 4


RULES = LifecycleRules()


@dataclass(frozen=True)
class Lifecycle:
    """A community's stage, why (in the reader's language), and the figures it was read from.

    ``posts_last_30`` and ``posts_prev_30`` count posts *and* comments written in the community
    (removed ones excepted); ``active_members_30`` counts the people who wrote them in the last 30 days.
    """

    stage: str
    reason: str
    posts_last_30: int
    posts_prev_30: int
    active_members_30: int


def _contributions(community_id: int, since: datetime, as_of: datetime) -> Any:
    """Posts and comments written in the community in a period: who wrote them, and when."""
    posts = select(Post.author_id.label("author_id"), Post.created_at.label("at")).where(
        Post.community_id == community_id,
        Post.removed_at.is_(None),
        Post.is_draft.is_(False),
        Post.created_at > since,
        Post.created_at <= as_of,
    )
    comments = (
        select(Comment.author_id.label("author_id"), Comment.created_at.label("at"))
        .join(Post, Post.id == Comment.post_id)
        .where(
            Post.community_id == community_id,
            Post.removed_at.is_(None),
            Post.is_draft.is_(False),
            Comment.removed_at.is_(None),
            Comment.created_at > since,
            Comment.created_at <= as_of,
        )
    )
    return union_all(posts, comments).subquery()


def community_lifecycle(
    db: Session, *, community: Community, as_of: datetime | None = None, rules: LifecycleRules = RULES
) -> Lifecycle:
    """Where a community stands (launching, active, declining or dormant) and why, for its managers."""
    as_of = as_of or utcnow()
    recent = as_of - timedelta(days=rules.window_days)
    # the comparison period and the dormancy period are read in the same statement
    earliest = min(as_of - timedelta(days=2 * rules.window_days), as_of - timedelta(days=rules.dormant_days))
    rows = _contributions(community.id, earliest, as_of)
    in_recent = rows.c.at > recent
    in_previous = and_(rows.c.at <= recent, rows.c.at > as_of - timedelta(days=2 * rules.window_days))
    dormancy = rows.c.at > as_of - timedelta(days=rules.dormant_days)
    figures = db.execute(
        select(
            func.coalesce(func.sum(case((in_recent, 1), else_=0)), 0),
            func.coalesce(func.sum(case((in_previous, 1), else_=0)), 0),
            func.count(distinct(case((in_recent, rows.c.author_id), else_=None))),
            func.coalesce(func.sum(case((dormancy, 1), else_=0)), 0),
        )
    ).one()
    last, previous, members, in_dormancy_window = (int(value or 0) for value in figures)
    stage, reason = _decide(community, as_of, rules, last, previous, in_dormancy_window)
    return Lifecycle(stage, reason, last, previous, members)


def _decide(
    community: Community, as_of: datetime, rules: LifecycleRules, last: int, previous: int, recent_all: int
) -> tuple[str, str]:
    """The rule table: the first stage whose condition holds, with a reason in the reader's language."""
    age = as_of - community.created_at
    if age < timedelta(days=rules.launch_days):
        return CommunityStage.launching, ngettext(
            "Created %(num)d day ago: it is too early to judge.",
            "Created %(num)d days ago: it is too early to judge.",
            age.days,
        ) % {"num": age.days}
    if recent_all == 0:
        return CommunityStage.dormant, gettext("No post and no comment in the last %(days)d days.") % {
            "days": rules.dormant_days
        }
    if previous >= rules.decline_min_previous and last < rules.decline_ratio * previous:
        return CommunityStage.declining, gettext(
            "%(last)d posts and comments in the last %(days)d days, against %(previous)d in the %(days)d days"
            " before."
        ) % {"last": last, "previous": previous, "days": rules.window_days}
    return CommunityStage.active, gettext(
        "%(last)d posts and comments in the last %(days)d days (%(previous)d in the %(days)d days before)."
    ) % {"last": last, "previous": previous, "days": rules.window_days}


# ---- the health page: weekly activity, questions, members by stage ------------------------------

HEALTH_WEEKS = 12


@dataclass(frozen=True)
class Week:
    """One week of a community's activity (the seven days from `start`)."""

    start: datetime
    posts: int
    answers: int  # comments on questions
    comments: int  # other comments

    @property
    def total(self) -> int:
        """Everything written that week."""
        return self.posts + self.answers + self.comments


def weekly_activity(
    db: Session, *, community: Community, as_of: datetime | None = None, weeks: int = HEALTH_WEEKS
) -> list[Week]:
    """Posts, answers and comments written in the community, week by week (the last `weeks` seven-day
    periods, oldest first), removed ones excepted."""
    as_of = as_of or utcnow()
    since = as_of - timedelta(days=7 * weeks)
    posts = select(literal("post").label("what"), Post.created_at.label("at")).where(
        Post.community_id == community.id,
        Post.removed_at.is_(None),
        Post.is_draft.is_(False),
        Post.created_at > since,
        Post.created_at <= as_of,
    )
    comments = (
        select(
            case((Post.kind == PostKind.question.value, literal("answer")), else_=literal("comment")).label(
                "what"
            ),
            Comment.created_at.label("at"),
        )
        .join(Post, Post.id == Comment.post_id)
        .where(
            Post.community_id == community.id,
            Post.removed_at.is_(None),
            Post.is_draft.is_(False),
            Comment.removed_at.is_(None),
            Comment.created_at > since,
            Comment.created_at <= as_of,
        )
    )
    tally = [{"post": 0, "answer": 0, "comment": 0} for _ in range(weeks)]
    for what, at in db.execute(union_all(posts, comments)):
        at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # a raw union is not typed
        index = weeks - 1 - min(weeks - 1, int((as_of - at) / timedelta(days=7)))
        tally[index][what] += 1
    return [
        Week(as_of - timedelta(days=7 * (weeks - i)), t["post"], t["answer"], t["comment"])
        for i, t in enumerate(tally)
    ]


@dataclass(frozen=True)
class Questions:
    """How a community answers its questions."""

    unanswered: int  # open questions nobody but their author has answered
    oldest_unanswered: list[tuple[int, str, datetime]]  # (post id, title, asked at), oldest first
    answered_recently: int  # questions of the last weeks that got an answer
    median_first_answer: timedelta | None  # among those


def questions(
    db: Session, *, community: Community, as_of: datetime | None = None, weeks: int = HEALTH_WEEKS
) -> Questions:
    """Unanswered questions, and the median time to a first answer over the last `weeks` weeks."""
    as_of = as_of or utcnow()
    first_answer = (
        select(func.min(Comment.created_at))
        .where(Comment.post_id == Post.id, Comment.author_id != Post.author_id, Comment.removed_at.is_(None))
        .correlate(Post)
        .scalar_subquery()
    )
    rows = db.execute(
        select(Post.id, Post.title, Post.body, Post.created_at, first_answer.label("first_answer"))
        .where(
            Post.community_id == community.id,
            Post.kind == PostKind.question.value,
            Post.removed_at.is_(None),
            Post.is_draft.is_(False),
            Post.created_at <= as_of,
            or_(first_answer.is_(None), Post.created_at > as_of - timedelta(days=7 * weeks)),
        )
        .order_by(Post.created_at, Post.id)
    ).all()
    unanswered = [r for r in rows if r.first_answer is None]
    delays = sorted(
        _aware(r.first_answer) - r.created_at
        for r in rows
        if r.first_answer is not None and r.created_at > as_of - timedelta(days=7 * weeks)
    )
    return Questions(
        unanswered=len(unanswered),
        oldest_unanswered=[(r.id, _title(r.title, r.body), r.created_at) for r in unanswered[:5]],
        answered_recently=len(delays),
        median_first_answer=median(delays) if delays else None,
    )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _title(title: str | None, body: str, limit: int = 90) -> str:
    text = " ".join((title or body or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def members_by_stage(db: Session, *, community: Community, threshold: int) -> dict[str, int | None] | None:
    """How many members are at each stage of their journey: nothing when the community has fewer
    members than the threshold, and each small cell hidden (with its complement) by `suppress`."""
    stage = func.coalesce(EngagementState.stage, literal(Stage.information.value))
    counts = {s.value: 0 for s in Stage}
    for name, count in db.execute(
        select(stage, func.count())
        .select_from(Membership)
        .join(User, User.id == Membership.user_id)
        .outerjoin(EngagementState, EngagementState.user_id == Membership.user_id)
        .where(
            Membership.community_id == community.id,
            Membership.status == MemberStatus.member.value,
            User.is_active.is_(True),
        )
        .group_by(stage)
    ):
        counts[name] = int(count)
    if not group_shown(sum(counts.values()), threshold):
        return None
    return suppress(counts, threshold)


# ---- win-back: a word to the members who went quiet ---------------------------------------------
# The manager learns how many members have been inactive in the community, never who they are: a
# name on such a list invites pressure on a person, and the message reaches them all the same.

WINBACK_DAYS = (30, 60, 90)
WINBACK_COOLDOWN_DAYS = 30  # a member hears a win-back message from one community once a month at most
WINBACK_MESSAGE_LIMIT = 1000


def _inactive_members(community: Community, days: int, as_of: datetime) -> Any:
    """The members (managers aside) who joined more than `days` days ago and have not posted,
    commented, reacted or answered an event in the community since."""
    since = as_of - timedelta(days=days)
    in_community = select(Post.id).where(Post.community_id == community.id)
    acted = union_all(
        select(Post.author_id.label("user_id")).where(
            Post.community_id == community.id, Post.created_at > since
        ),
        select(Comment.author_id).where(Comment.post_id.in_(in_community), Comment.created_at > since),
        select(Reaction.user_id).where(Reaction.post_id.in_(in_community), Reaction.created_at > since),
        select(Rsvp.user_id).where(Rsvp.post_id.in_(in_community), Rsvp.created_at > since),
    )
    return (
        select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.community_id == community.id,
            Membership.status == MemberStatus.member.value,
            Membership.role != MemberRole.manager.value,
            User.is_active.is_(True),
            func.coalesce(Membership.joined_at, Membership.created_at) <= since,
            Membership.user_id.not_in(acted),
        )
    )


def _recently_contacted(community: Community, as_of: datetime) -> Any:
    return select(WinbackRecipient.user_id).where(
        WinbackRecipient.community_id == community.id,
        WinbackRecipient.sent_at > as_of - timedelta(days=WINBACK_COOLDOWN_DAYS),
    )


@dataclass(frozen=True)
class Dormancy:
    """How many members went quiet, and how many of them may be written to now."""

    days: int
    inactive: int
    reachable: int  # the others heard a win-back message less than 30 days ago
    last_sent_at: datetime | None


def dormancy(db: Session, *, community: Community, days: int, as_of: datetime | None = None) -> Dormancy:
    """The count of inactive members for the win-back form (never who they are)."""
    as_of = as_of or utcnow()
    inactive = _inactive_members(community, days, as_of).subquery()
    contacted = _recently_contacted(community, as_of)
    total, reachable = db.execute(
        select(
            func.count(), func.coalesce(func.sum(case((inactive.c.user_id.in_(contacted), 0), else_=1)), 0)
        )
    ).one()
    last = db.scalar(
        select(func.max(CommunityWinback.sent_at)).where(CommunityWinback.community_id == community.id)
    )
    return Dormancy(days, int(total), int(reachable), last)


def send_winback(
    db: Session,
    *,
    actor: User,
    community: Community,
    message: str,
    days: int,
    as_of: datetime | None = None,
) -> CommunityWinback:
    """A manager's message to the members inactive for `days` days, by notification; each member hears
    one at most every 30 days from a community. Refused when nobody can be written to."""
    communities.require_manager(db, actor, community)
    as_of = as_of or utcnow()
    text = message.strip()
    errors = []
    if days not in WINBACK_DAYS:
        errors.append(FieldError("days", gettext("Choose 30, 60 or 90 days.")))
    if not text:
        errors.append(FieldError("message", gettext("Write a few words to the members.")))
    elif len(text) > WINBACK_MESSAGE_LIMIT:
        errors.append(
            FieldError("message", gettext("At most {n} characters.").format(n=WINBACK_MESSAGE_LIMIT))
        )
    if errors:
        raise Invalid(errors)
    recipients = list(
        db.scalars(
            _inactive_members(community, days, as_of).where(
                Membership.user_id.not_in(_recently_contacted(community, as_of))
            )
        )
    )
    if not recipients:
        raise Invalid.one(
            "message",
            gettext(
                "Nobody to write to: no member has been inactive that long, or they all heard from the "
                "community less than {n} days ago."
            ).format(n=WINBACK_COOLDOWN_DAYS),
        )
    winback = CommunityWinback(
        community_id=community.id,
        sent_by_id=actor.id,
        message=text,
        inactive_days=days,
        recipient_count=len(recipients),
        sent_at=as_of,
    )
    db.add(winback)
    db.flush()
    db.add_all(
        [
            WinbackRecipient(winback_id=winback.id, user_id=uid, community_id=community.id, sent_at=as_of)
            for uid in recipients
        ]
    )
    activity.audit(
        db, actor_id=actor.id, action="community_winback", target_id=community.id, recipients=len(recipients)
    )
    db.flush()
    notifications.notify_each(  # hundreds of quiet members: one statement, not several per person
        db,
        recipients=select(WinbackRecipient.user_id).where(WinbackRecipient.winback_id == winback.id),
        type="community_winback",
        key=f"winback:{community.id}:{winback.id}",
        url=f"/communities/{community.slug}",
        actor_id=actor.id,
        community_id=community.id,
        params={"community": community.name, "title": _title(None, text, 120), "message": text},
        at=as_of,
    )
    return winback

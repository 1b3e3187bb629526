"""WIIFM nudges: the next step worth taking for a person, with what is in it for them.

Each nudge in the catalogue says which stages it serves, when it is eligible (from real data), the
personal benefit it names ("what's in it for me"), and when it is completed (the action done).
A share of eligible people (the holdout, 10% by default) is deterministically not shown a nudge,
so that the completion rate of people who saw it can be compared with those who did not.
Every delivery, holdout, click, dismissal, snooze and completion is logged in `nudge_events`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.i18n import gettext
from app.models import (
    Community,
    EngagementState,
    Follow,
    Membership,
    MemberStatus,
    NudgeEvent,
    Post,
    PostKind,
    Reaction,
    Stage,
    User,
    UserTag,
)
from app.models.base import utcnow
from app.services import engagement
from app.services.engagement import N_
from app.services.errors import NotFound
from app.services.visibility import community_visible, post_readable

SHOWN_AT_ONCE = 3
SNOOZE_DAYS = 3


@dataclass
class Context:
    """What eligibility rules look at: the person, their stage and figures, and the session."""

    db: Session
    viewer: User
    stage: str
    figures: engagement.Figures
    now: datetime


@dataclass(frozen=True)
class NudgeDef:
    """One nudge of the catalogue."""

    key: str
    stages: frozenset[str]
    title: str
    wiifm: str
    action_url: str
    eligible: Callable[[Context], dict[str, Any] | None]
    completed: Callable[[Context], bool]
    priority: int = 50
    holdout: float = 0.10
    cooldown_days: int = 14


@dataclass
class Nudge:
    """A nudge offered to one person now."""

    id: int
    key: str
    title: str
    wiifm: str
    action_url: str


CATALOGUE: list[NudgeDef] = []


def nudge(**kwargs: Any) -> None:
    """Add a nudge to the catalogue."""
    stages = kwargs.pop("stages")
    CATALOGUE.append(
        NudgeDef(stages=frozenset(s.value if isinstance(s, Stage) else s for s in stages), **kwargs)
    )


def _count(db: Session, stmt: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def _tag_count(c: Context) -> int:
    return _count(c.db, select(UserTag.user_id).where(UserTag.user_id == c.viewer.id))


def _following(c: Context) -> int:
    return _count(c.db, select(Follow.followee_id).where(Follow.follower_id == c.viewer.id))


def _memberships(c: Context) -> int:
    return _count(
        c.db,
        select(Membership.community_id).where(
            Membership.user_id == c.viewer.id, Membership.status == MemberStatus.member.value
        ),
    )


def _has_reacted(c: Context) -> bool:
    return _count(c.db, select(Reaction.post_id).where(Reaction.user_id == c.viewer.id).limit(1)) > 0


def _has_posted(c: Context) -> bool:
    return _count(c.db, select(Post.id).where(Post.author_id == c.viewer.id).limit(1)) > 0


def _colleagues_of_site_in_a_community(c: Context) -> dict[str, Any] | None:
    if not c.viewer.site:
        return None
    mine = select(Membership.community_id).where(Membership.user_id == c.viewer.id)
    row = c.db.execute(
        select(Community.name, Community.slug, func.count())
        .join(Membership, Membership.community_id == Community.id)
        .join(User, User.id == Membership.user_id)
        .where(
            community_visible(c.viewer.id),
            Community.visibility != "secret",
            Community.archived_at.is_(None),
            Community.id.not_in(mine),
            User.site == c.viewer.site,
            User.id != c.viewer.id,
            Membership.status == MemberStatus.member.value,
        )
        .group_by(Community.id, Community.name, Community.slug)
        .order_by(func.count().desc(), Community.id)
        .limit(1)
    ).first()
    if row is None or row[2] < 2:
        return None
    return {"n": row[2], "site": c.viewer.site, "community": row[0], "url": f"/communities/{row[1]}"}


def _unanswered_for_my_expertise(c: Context) -> dict[str, Any] | None:
    from app.models import PostTag, Tag

    my_tags = select(UserTag.tag_id).where(UserTag.user_id == c.viewer.id)
    rows = c.db.execute(
        select(Tag.name, func.count(Post.id))
        .join(PostTag, PostTag.tag_id == Tag.id)
        .join(Post, Post.id == PostTag.post_id)
        .where(
            Tag.id.in_(my_tags),
            Post.kind == PostKind.question.value,
            Post.accepted_comment_id.is_(None),
            Post.author_id != c.viewer.id,
            post_readable(c.viewer.id),
        )
        .group_by(Tag.id, Tag.name)
        .order_by(func.count(Post.id).desc())
        .limit(1)
    ).first()
    if rows is None:
        return None
    return {"n": rows[1], "tag": rows[0], "url": f"/tags/{rows[0]}"}


def _away_days(c: Context) -> int:
    seen = c.figures.last_seen_at
    return (c.now - seen).days if seen else 0


nudge(
    key="discovery.photo",
    stages=[Stage.discovery, Stage.participation],
    priority=10,
    title=N_("Add a photo"),
    wiifm=N_("Colleagues recognise you in meetings and find you faster in the directory."),
    action_url="/me/edit#photo",
    eligible=lambda c: {} if c.viewer.photo_id is None else None,
    completed=lambda c: c.viewer.photo_id is not None,
)
nudge(
    key="discovery.tags",
    stages=[Stage.discovery, Stage.participation],
    priority=11,
    title=N_("Add 3 expertise tags"),
    wiifm=N_("“Who knows…?” sends colleagues who need your know-how straight to you."),
    action_url="/me/edit#tags",
    eligible=lambda c: {} if _tag_count(c) < 3 else None,
    completed=lambda c: _tag_count(c) >= 3,
)
nudge(
    key="discovery.follow",
    stages=[Stage.discovery],
    priority=12,
    title=N_("Follow 3 colleagues or communities"),
    wiifm=N_("Your feed fills with what the people you work with share."),
    action_url="/people",
    eligible=lambda c: {} if _following(c) + _memberships(c) < 3 else None,
    completed=lambda c: _following(c) + _memberships(c) >= 3,
)
nudge(
    key="discovery.first_like",
    stages=[Stage.discovery],
    priority=13,
    title=N_("React to a colleague's post"),
    wiifm=N_("A like takes a second and tells a colleague their work was seen."),
    action_url="/",
    eligible=lambda c: {} if not _has_reacted(c) else None,
    completed=_has_reacted,
)
nudge(
    key="discovery.first_post",
    stages=[Stage.discovery, Stage.participation],
    priority=14,
    title=N_("Share your first post"),
    wiifm=N_("Say what you are working on: the colleagues who can help you will know."),
    action_url="/#composer",
    eligible=lambda c: {} if not _has_posted(c) else None,
    completed=_has_posted,
)
nudge(
    key="participation.site_community",
    stages=[Stage.discovery, Stage.participation],
    priority=20,
    title=N_("Join {community}"),
    wiifm=N_("{n} people of your site ({site}) are in {community}."),
    action_url="{url}",
    eligible=_colleagues_of_site_in_a_community,
    completed=lambda c: _colleagues_of_site_in_a_community(c) is None,
)
nudge(
    key="contribution.answer_expertise",
    stages=[Stage.participation, Stage.contribution, Stage.promotion],
    priority=30,
    title=N_("Answer a question on #{tag}"),
    wiifm=N_("{n} unanswered questions are tagged with your expertise #{tag}."),
    action_url="{url}",
    eligible=_unanswered_for_my_expertise,
    completed=lambda c: _unanswered_for_my_expertise(c) is None,
)
nudge(
    key="disappointment.what_changed",
    stages=[Stage.disappointment],
    priority=5,
    title=N_("See what changed since your last visit"),
    wiifm=N_("You have been away {days} days: here is what your colleagues shared meanwhile."),
    action_url="/",
    eligible=lambda c: {"days": max(_away_days(c), 1)},
    completed=lambda c: c.stage != Stage.disappointment.value,
)


# ---- offering, logging and measuring -------------------------------------------------------------


def in_holdout(user_id: int, nudge_def: NudgeDef) -> bool:
    """Deterministically, a share of people never see this nudge (the comparison group)."""
    digest = hashlib.sha256(f"{nudge_def.key}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < nudge_def.holdout


def _render(text: str, params: dict[str, Any]) -> str:
    try:
        return gettext(text).format(**params)
    except (KeyError, IndexError, ValueError):
        return gettext(text)


def _blocked(db: Session, user_id: int, now: datetime) -> set[str]:
    """Nudges dismissed or snoozed and still within their cool-down."""
    return set(
        db.scalars(
            select(NudgeEvent.nudge_key).where(
                NudgeEvent.user_id == user_id,
                NudgeEvent.event.in_(["dismissed", "snoozed"]),
                NudgeEvent.until > now,
            )
        )
    )


def _logged_today(db: Session, user_id: int, now: datetime) -> dict[tuple[str, str], int]:
    start = now - timedelta(
        hours=now.hour, minutes=now.minute, seconds=now.second, microseconds=now.microsecond
    )
    return {
        (key, event): event_id
        for key, event, event_id in db.execute(
            select(NudgeEvent.nudge_key, NudgeEvent.event, func.max(NudgeEvent.id))
            .where(NudgeEvent.user_id == user_id, NudgeEvent.at >= start)
            .group_by(NudgeEvent.nudge_key, NudgeEvent.event)
        )
    }


def offer(
    db: Session, *, viewer: User, limit: int = SHOWN_AT_ONCE, now: datetime | None = None
) -> list[Nudge]:
    """The nudges to show this person now, ranked; deliveries and holdouts are logged once a day."""
    now = now or utcnow()
    state = db.get(EngagementState, viewer.id)
    if state is not None and not state.nudges_enabled:
        return []
    stage = state.stage if state else Stage.information.value
    context = Context(
        db,
        viewer,
        stage,
        engagement.figures(db, user_id=viewer.id, rules=engagement.current_rules(), as_of=now),
        now,
    )
    blocked = _blocked(db, viewer.id, now)
    logged = _logged_today(db, viewer.id, now)
    offered: list[Nudge] = []
    for definition in sorted(CATALOGUE, key=lambda d: d.priority):
        if len(offered) >= limit:
            break
        if stage not in definition.stages or definition.key in blocked:
            continue
        params = definition.eligible(context)
        if params is None:
            continue
        if in_holdout(viewer.id, definition):
            if (definition.key, "holdout") not in logged:
                db.add(NudgeEvent(user_id=viewer.id, nudge_key=definition.key, event="holdout", at=now))
            continue
        delivery = logged.get((definition.key, "delivered"))
        if delivery is None:
            event = NudgeEvent(user_id=viewer.id, nudge_key=definition.key, event="delivered", at=now)
            db.add(event)
            db.flush()
            delivery = event.id
        offered.append(
            Nudge(
                id=delivery,
                key=definition.key,
                title=_render(definition.title, params),
                wiifm=_render(definition.wiifm, params),
                action_url=definition.action_url.format(**params),
            )
        )
    return offered


def _find(db: Session, viewer: User, nudge: str) -> str:
    """A nudge's key from a delivery id or a key; only one's own deliveries."""
    if nudge.isdigit():
        event = db.get(NudgeEvent, int(nudge))
        if event is None or event.user_id != viewer.id:
            raise NotFound(gettext("No such nudge."))
        return event.nudge_key
    if nudge not in {d.key for d in CATALOGUE}:
        raise NotFound(gettext("No such nudge."))
    return nudge


def dismiss(db: Session, *, viewer: User, nudge: str, now: datetime | None = None) -> None:
    """Dismiss a nudge: it does not come back for its cool-down."""
    now = now or utcnow()
    key = _find(db, viewer, nudge)
    cooldown = next(d.cooldown_days for d in CATALOGUE if d.key == key)
    db.add(
        NudgeEvent(
            user_id=viewer.id, nudge_key=key, event="dismissed", at=now, until=now + timedelta(days=cooldown)
        )
    )


def snooze(db: Session, *, viewer: User, nudge: str, now: datetime | None = None) -> None:
    """Put a nudge aside for a few days."""
    now = now or utcnow()
    key = _find(db, viewer, nudge)
    db.add(
        NudgeEvent(
            user_id=viewer.id, nudge_key=key, event="snoozed", at=now, until=now + timedelta(days=SNOOZE_DAYS)
        )
    )


def click(db: Session, *, viewer: User, nudge: str, now: datetime | None = None) -> str:
    """Log that a person followed a nudge; returns where it leads."""
    key = _find(db, viewer, nudge)
    db.add(NudgeEvent(user_id=viewer.id, nudge_key=key, event="clicked", at=now or utcnow()))
    return key


@dataclass
class Measure:
    """Shown vs holdout for one nudge: completion rates and the uplift with a 95% interval."""

    key: str
    shown: int
    shown_completed: int
    held_out: int
    held_out_completed: int
    clicks: int
    dismissals: int
    uplift: float | None = None
    low: float | None = None
    high: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def shown_rate(self) -> float | None:
        """Completion rate of people who were shown the nudge."""
        return self.shown_completed / self.shown if self.shown else None

    @property
    def held_out_rate(self) -> float | None:
        """Completion rate of the comparison group."""
        return self.held_out_completed / self.held_out if self.held_out else None

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
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, case, distinct, func, select, union_all
from sqlalchemy.orm import Session

from app.i18n import gettext, ngettext
from app.models import Comment, Community, Post
from app.models.base import utcnow


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
        Post.created_at > since,
        Post.created_at <= as_of,
    )
    comments = (
        select(Comment.author_id.label("author_id"), Comment.created_at.label("at"))
        .join(Post, Post.id == Comment.post_id)
        .where(
            Post.community_id == community_id,
            Post.removed_at.is_(None),
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

"""The leadership page: an executive's posting cadence and the reach of their leadership posts.

A *reader* of a leadership post is a colleague who opened its page, reacted to it, or commented on
it — the executive and their delegates left out. Opening the page is recorded once per person, post
and day (`post_reads`), only for leadership posts, by one insert that ignores a repeat; the feed
itself records nothing (a post scrolled past is not a post read). Reach is shown in aggregate:
readers, how many departments and sites they came from, and readers per department only for groups
of at least the threshold (the smaller ones, and whatever would let them be recovered by subtraction,
are hidden by `aggregates.suppress`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from threading import Lock
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, union
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.models import Comment, Delegate, Post, PostReader, Reaction, User
from app.models.base import utcnow

WEEKS = 12
MAX_POSTS = 20


# ---- reads ---------------------------------------------------------------------------------------

_noted: set[tuple[int, datetime, int, date]] = set()
_noted_lock = Lock()
_NOTED_MAX = 50_000


def read_to_note(*, post_id: int, created_at: datetime, user_id: int, day: date) -> bool:
    """True the first time this process sees a person open a leadership post on a day (the database
    ignores repeats anyway; this spares them a write). The post's time tells a reused id apart."""
    key = (post_id, created_at, user_id, day)
    with _noted_lock:
        if key in _noted:
            return False
        if len(_noted) >= _NOTED_MAX:
            _noted.clear()
        _noted.add(key)
    return True


def record_read(db: Session, *, post_id: int, user_id: int, day: date) -> None:
    """Note that a person opened a leadership post's page on a day: one insert, a repeat is ignored."""
    insert_ = postgresql_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.execute(insert_(PostReader).values(post_id=post_id, user_id=user_id, day=day).on_conflict_do_nothing())


def worth_recording(item: Any, viewer_id: int) -> bool:
    """A read counts for a published leadership post opened by someone other than its author or poster."""
    return (
        bool(item.is_leadership)
        and not item.is_draft
        and item.removed_at is None
        and viewer_id not in (item.author_id, item.posted_by_id)
    )


# ---- cadence -------------------------------------------------------------------------------------


@dataclass
class Week:
    """One week of the cadence chart."""

    start: date
    posts: int = 0
    leadership: int = 0


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def cadence(db: Session, *, executive: User, tz: str, now: datetime | None = None) -> list[Week]:
    """The executive's published posts per week (Monday to Sunday, local time) over the last 12 weeks,
    the current one last; leadership posts counted apart."""
    zone = ZoneInfo(tz)
    now = now or utcnow()
    this_week = _week_start(now.astimezone(zone).date())
    weeks = [Week(this_week - timedelta(weeks=WEEKS - 1 - i)) for i in range(WEEKS)]
    first = datetime.combine(weeks[0].start, datetime.min.time(), tzinfo=zone)
    by_start = {w.start: w for w in weeks}
    rows = db.execute(
        select(Post.created_at, Post.is_leadership).where(
            Post.author_id == executive.id,
            Post.is_draft.is_(False),
            Post.removed_at.is_(None),
            Post.created_at >= first,
            Post.created_at <= now,
        )
    )
    for created_at, is_leadership in rows:
        week = by_start.get(_week_start(created_at.astimezone(zone).date()))
        if week is not None:
            week.posts += 1
            week.leadership += int(bool(is_leadership))
    return weeks


@dataclass
class Bar:
    """A week's bar in the chart, in the SVG's units."""

    week: Week
    x: float
    width: float
    other_y: float
    other_height: float
    lead_y: float
    lead_height: float


CHART_HEIGHT, CHART_WIDTH = 100.0, 240.0


def bars(weeks: list[Week]) -> tuple[list[Bar], int]:
    """Geometry for the cadence chart (leadership posts stacked under the others) and its scale."""
    top = max([w.posts for w in weeks] + [1])
    slot = CHART_WIDTH / len(weeks)
    result = []
    for i, week in enumerate(weeks):
        lead = CHART_HEIGHT * week.leadership / top
        other = CHART_HEIGHT * (week.posts - week.leadership) / top
        result.append(
            Bar(
                week=week,
                x=round(i * slot + slot * 0.15, 2),
                width=round(slot * 0.7, 2),
                lead_y=round(CHART_HEIGHT - lead, 2),
                lead_height=round(lead, 2),
                other_y=round(CHART_HEIGHT - lead - other, 2),
                other_height=round(other, 2),
            )
        )
    return result, top


# ---- reach ---------------------------------------------------------------------------------------


@dataclass
class Poster:
    """The delegate who posted for the executive."""

    id: int
    display_name: str
    handle: str


@dataclass
class Reach:
    """How far one leadership post went, in aggregate."""

    post: Post
    posted_by: Poster | None
    readers: int = 0
    departments: int = 0
    sites: int = 0
    replies: int = 0
    # readers per department ("" for people without one); None where the group is too small to show
    by_department: dict[str, int | None] = field(default_factory=dict)


def reach(db: Session, *, executive: User, threshold: int, limit: int = MAX_POSTS) -> list[Reach]:
    """The executive's latest published leadership posts with their reach (four statements)."""
    from app.services.aggregates import suppress

    poster = User.__table__.alias("poster")
    rows = db.execute(
        select(Post, poster.c.id, poster.c.display_name, poster.c.handle)
        .outerjoin(poster, poster.c.id == Post.posted_by_id)
        .where(
            Post.author_id == executive.id,
            Post.is_leadership.is_(True),
            Post.is_draft.is_(False),
            Post.removed_at.is_(None),
        )
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(limit)
    ).all()
    found: list[Reach] = []
    for post, poster_id, poster_name, poster_handle in rows:
        by = Poster(poster_id, poster_name, poster_handle) if poster_id else None
        found.append(Reach(post=post, posted_by=by))
    if not found:
        return found
    ids = [r.post.id for r in found]
    # who read: opened the page, reacted or commented (a union keeps each person once per post)
    touched = union(
        select(PostReader.post_id, PostReader.user_id).where(PostReader.post_id.in_(ids)),
        select(Reaction.post_id, Reaction.user_id).where(Reaction.post_id.in_(ids)),
        select(Comment.post_id, Comment.author_id.label("user_id")).where(
            Comment.post_id.in_(ids), Comment.removed_at.is_(None)
        ),
    ).subquery()
    team = select(Delegate.delegate_id).where(Delegate.executive_id == executive.id)
    groups = db.execute(
        select(touched.c.post_id, User.department, User.site, func.count())
        .join(User, User.id == touched.c.user_id)
        .where(User.id != executive.id, User.id.not_in(team))
        .group_by(touched.c.post_id, User.department, User.site)
    ).all()
    per_department: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    sites: dict[int, set[str]] = defaultdict(set)
    readers: dict[int, int] = defaultdict(int)
    for post_id, department, site, count in groups:
        readers[post_id] += count
        per_department[post_id][department or ""] += count
        if site:
            sites[post_id].add(site)
    replies = dict(
        db.execute(
            select(Comment.post_id, func.count())
            .where(Comment.post_id.in_(ids), Comment.author_id == executive.id, Comment.removed_at.is_(None))
            .group_by(Comment.post_id)
        ).all()
    )
    for r in found:
        pid = r.post.id
        r.readers = readers.get(pid, 0)
        r.departments = len([d for d in per_department[pid] if d])
        r.sites = len(sites[pid])
        r.replies = replies.get(pid, 0)
        counts = dict(sorted(per_department[pid].items(), key=lambda kv: (-kv[1], kv[0])))
        r.by_department = suppress(counts, threshold) if counts else {}
    return found

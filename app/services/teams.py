"""A line manager's team: the adoption of their direct reports, in aggregate, and what they can do.

The team is the manager's active direct reports (`users.manager_id`), the manager left out. Its
funnel (people per stage) and its trend over 12 weeks are shown only for a team of at least the
group threshold, with the cell rules of `aggregates` (a small cell hides a second one). A manager
who may also read the HR dashboard could subtract their team from a department or site shown there:
for them the team is linked to the dashboard's groups (`aggregates.differencing_risk` and the cell
links), leaving their own stage out since it is theirs to know.

The suggested actions name no one's stage: events for newcomers the team can join, the first
public post (company-wide or in a public community) of a team member, a colleague who just joined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select
from sqlalchemy.orm import Session, aliased

from app.i18n import _
from app.models import Event, Post, PostTag, Role, Tag, User
from app.models.base import utcnow
from app.services import adoption, aggregates, snapshots
from app.services.aggregates import Cells
from app.services.errors import NotFound
from app.services.visibility import public_community_ids

STAGES = snapshots.STAGES
NEWCOMER_TAGS = (
    "onboarding",
    "bienvenue",
    "welcome",
    "newcomers",
    "nouveaux arrivants",
    "accueil",
    "integration",
)
ACTION_DAYS = 30
ACTION_ITEMS = 5


def public_post() -> ColumnElement[bool]:
    """A post anyone may read: published, not removed, company-wide or in a public community."""
    return and_(
        Post.removed_at.is_(None),
        Post.is_draft.is_(False),
        or_(Post.community_id.is_(None), Post.community_id.in_(public_community_ids())),
    )


def direct_reports(db: Session, *, manager_id: int) -> list[User]:
    """The manager's active direct reports, by name (the manager never counts in their own team)."""
    return list(
        db.scalars(
            select(User)
            .where(User.manager_id == manager_id, User.is_active.is_(True), User.id != manager_id)
            .order_by(User.search_name, User.id)
        )
    )


def has_reports(db: Session, *, user_id: int) -> bool:
    """True when this person manages at least one active colleague."""
    return bool(
        db.scalar(
            select(exists().where(User.manager_id == user_id, User.is_active.is_(True), User.id != user_id))
        )
    )


@dataclass
class Week:
    """One week of the team's trend (the same people each week)."""

    week: date
    members: int
    cells: Cells | None


@dataclass
class Item:
    """One thing an action points at: a named event, post or colleague, with its link."""

    label: str
    url: str
    detail: str = ""
    when: datetime | None = None


@dataclass
class Action:
    """A suggested action for the manager; `kind` picks its sentence."""

    kind: str  # newcomer_events, events, first_posts, newcomers
    count: int
    items: list[Item] = field(default_factory=list)


@dataclass
class TeamView:
    """What a line manager sees of their team."""

    size: int
    threshold: int
    suppressed: bool  # no count is shown (too small, or it would be subtracted from another view)
    reason: str | None  # "small" or "overlap" when suppressed
    stages: Cells | None  # present when the team is at least the threshold
    trend: list[Week]
    members: list[User]
    actions: list[Action]


def _counts(stages: dict[int, str]) -> dict[str, int]:
    counts = dict.fromkeys(STAGES, 0)
    for stage in stages.values():
        counts[stage] += 1
    return counts


def _links(
    db: Session, viewer: User, team: set[int], counts: dict[str, int], threshold: int
) -> tuple[bool, set[str]]:
    """For a manager who also reads the HR dashboard: whether the team must be withheld because a
    group shown there differs from it by a few people, and which cells to hide because a group
    equal to it, or a difference from it, would tell them. The manager's own stage is left out."""
    catalogue, members = adoption.release_people(db, threshold=threshold)
    stages_now = snapshots.stages_as_of(db)
    own = {viewer.id}
    forced: set[str] = set()
    for dimension in snapshots.DIMENSIONS:
        table = catalogue.tables[dimension]
        shown = {r.key: members[dimension][r.key] for r in table.rows if r.cells is not None}
        partition = dimension != "role"
        if aggregates.differencing_risk(team, shown, threshold, partition=partition, ignore=own):
            return True, forced
        unions = aggregates.nesting_unions(team, members[dimension]) if partition else [[k] for k in shown]
        for union in unions:
            if not union or not all(k in shown for k in union):
                continue
            people = set().union(*(members[dimension][k] for k in union)) - own
            if not (people >= team or people <= team):
                continue
            difference = len(people ^ team)
            for c in STAGES:
                group_cells = [table.row(k).cells for k in union]
                if any(cells is None or cells[c] is None for cells in group_cells):
                    if difference == 0 or people >= team:
                        forced.add(c)  # the team would reveal what the dashboard hides
                    continue
                theirs = sum(1 for uid in people if stages_now.get(uid) == c)
                derived = abs(theirs - counts[c])
                if difference and (aggregates.small(derived, threshold) or derived == difference):
                    forced.add(c)
    return False, forced


def team_view(db: Session, *, viewer: User, threshold: int, now: datetime | None = None) -> TeamView:
    """The viewer's team; NotFound for a person without direct reports."""
    members = direct_reports(db, manager_id=viewer.id)
    if not members:
        raise NotFound(_("You have no direct reports."))
    now = now or utcnow()
    ids = {m.id for m in members}
    size = len(ids)
    stages_now = snapshots.stages_as_of(db, ids=ids)
    counts = _counts(stages_now)
    shown = aggregates.group_shown(size, threshold)
    withheld, forced = False, set[str]()
    if shown and viewer.has_role(Role.hr, Role.admin):
        withheld, forced = _links(db, viewer, ids, counts, threshold)
    cells: Cells | None = None
    reason = None
    if not shown:
        reason = "small"
    elif withheld:
        reason = "overlap"
        cells = dict.fromkeys(STAGES)
    else:
        table = aggregates.suppress_table(
            {"team": counts},
            threshold,
            columns=STAGES,
            totals_released=False,
            forced=[("team", c) for c in forced],
        )
        cells = table.rows[0].cells or dict.fromkeys(STAGES)
    trend = _trend(db, ids, threshold, now) if shown and not withheld else []
    return TeamView(
        size=size,
        threshold=threshold,
        suppressed=not shown or withheld,
        reason=reason,
        stages=cells,
        trend=trend,
        members=members,
        actions=actions(db, viewer=viewer, team=members, now=now),
    )


def _trend(db: Session, ids: set[int], threshold: int, now: datetime) -> list[Week]:
    """The team's funnel at the end of each of the last 12 weeks, the same people each week: a
    week when fewer than all of them had arrived, but by fewer than the threshold, is not shown
    (it would differ from the next by those few people)."""
    weeks = []
    for week, stages in snapshots.weekly_stages(db, ids=ids, as_of=now):
        present = len(stages)
        missing = len(ids) - present
        if not aggregates.group_shown(present, threshold) or aggregates.small(missing, threshold):
            weeks.append(Week(week, present, None))
            continue
        weeks.append(Week(week, present, aggregates.suppress(_counts(stages), threshold)))
    return weeks


# ---- suggested actions ---------------------------------------------------------------------------


def newcomer_tag_ids() -> Select[Any]:
    """The tags that mark an event for newcomers."""
    return select(Tag.id).where(Tag.key.in_(NEWCOMER_TAGS))


def _upcoming_events(db: Session, now: datetime, *, newcomers: bool) -> list[Item]:
    stmt = (
        select(Post.id, Post.title, Post.body, Event.starts_at)
        .join(Event, Event.post_id == Post.id)
        .where(public_post(), Event.starts_at > now, Event.starts_at <= now + timedelta(days=ACTION_DAYS))
        .order_by(Event.starts_at, Post.id)
    )
    if newcomers:
        stmt = stmt.where(exists().where(PostTag.post_id == Post.id, PostTag.tag_id.in_(newcomer_tag_ids())))
    return [
        Item(label=title or _excerpt(body), url=f"/posts/{pid}", when=starts)
        for pid, title, body, starts in db.execute(stmt)
    ]


def _excerpt(text: str, limit: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def first_public(authors: Any, since: datetime) -> ColumnElement[bool]:
    """Public posts since a moment by these authors (a select of user ids) that are their author's
    first public post: nothing earlier of theirs is public."""
    earlier = aliased(Post)
    return and_(
        Post.author_id.in_(authors),
        public_post(),
        Post.created_at > since,
        ~exists().where(
            earlier.author_id == Post.author_id,
            earlier.removed_at.is_(None),
            earlier.is_draft.is_(False),
            or_(earlier.community_id.is_(None), earlier.community_id.in_(public_community_ids())),
            or_(
                earlier.created_at < Post.created_at,
                and_(earlier.created_at == Post.created_at, earlier.id < Post.id),
            ),
        ),
    )


def first_public_posts(db: Session, *, team_ids: set[int], since: datetime) -> list[tuple[User, Post]]:
    """Team members whose first public post (company-wide or in a public community) is recent."""
    if not team_ids:
        return []
    rows = db.execute(
        select(User, Post)
        .join(Post, Post.author_id == User.id)
        .where(first_public(list(team_ids), since))
        .order_by(Post.created_at.desc(), Post.id.desc())
    ).all()
    return [(u, p) for u, p in rows]


def actions(db: Session, *, viewer: User, team: list[User], now: datetime) -> list[Action]:
    """What the manager could do this month; each names events, public posts or arrivals, never a stage."""
    result: list[Action] = []
    ids = {m.id for m in team}
    for_newcomers = _upcoming_events(db, now, newcomers=True)
    if for_newcomers:
        result.append(Action("newcomer_events", len(for_newcomers), for_newcomers[:ACTION_ITEMS]))
    else:
        events = _upcoming_events(db, now, newcomers=False)
        if events:
            result.append(Action("events", len(events), events[:ACTION_ITEMS]))
    firsts = first_public_posts(db, team_ids=ids, since=now - timedelta(days=ACTION_DAYS))
    if firsts:
        result.append(
            Action(
                "first_posts",
                len(firsts),
                [
                    Item(
                        label=u.display_name,
                        url=f"/posts/{p.id}",
                        detail=p.title or _excerpt(p.body),
                        when=p.created_at,
                    )
                    for u, p in firsts[:ACTION_ITEMS]
                ],
            )
        )
    arrivals = sorted(
        (m for m in team if m.created_at > now - timedelta(days=ACTION_DAYS)),
        key=lambda m: m.created_at,
        reverse=True,
    )
    if arrivals:
        result.append(
            Action(
                "newcomers",
                len(arrivals),
                [
                    Item(label=m.display_name, url=f"/people/{m.handle}", when=m.created_at)
                    for m in arrivals[:ACTION_ITEMS]
                ],
            )
        )
    return result

"""People's stages at any past moment, and the weekly adoption snapshots drawn from them.

A person's stage at a moment is the destination of their last stage transition at or before it
(the engine writes one per change, `StageTransition`), so no per-person history is stored twice:
a line manager's 12-week trend is read from the transitions of their team's members. What is
stored, once a week, is each population's stage counts (`AdoptionSnapshot`): overall, and per
department, site, role and seniority band, raw (suppression applies when they are shown).
`take` is idempotent per week (the first snapshot of a week stays); `engagement sweep` and
`engagement snapshot` both call it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, literal, select
from sqlalchemy.orm import Session

from app.models import AdoptionSnapshot, EngagementState, Role, Stage, StageTransition, User, UserRole
from app.models.base import utcnow
from app.services.engagement import N_

STAGES = [s.value for s in Stage]
DIMENSIONS = ("department", "site", "role", "seniority")
WEEKS = 12

# seniority in the company, as the nudge engine reads it (users.created_at), in bands of days
SENIORITY_BANDS: tuple[tuple[str, int | None, str], ...] = (
    ("under_3_months", 91, N_("Less than 3 months")),
    ("3_to_12_months", 365, N_("3 to 12 months")),
    ("1_to_3_years", 3 * 365, N_("1 to 3 years")),
    ("over_3_years", None, N_("More than 3 years")),
)
NO_GROUP = "—"


def week_start(moment: datetime | date) -> date:
    """The Monday of the (UTC) week a moment falls in."""
    day = moment.astimezone(UTC).date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def week_end(week: date) -> datetime:
    """The last instant of a week: its stages are read as of then."""
    return datetime.combine(week + timedelta(days=7), time.min, tzinfo=UTC) - timedelta(microseconds=1)


def seniority_band(created_at: datetime, as_of: datetime) -> str:
    """The band of a person's seniority in the company at a moment."""
    days = (as_of - created_at).days
    for key, below, _label in SENIORITY_BANDS:
        if below is None or days < below:
            return key
    return SENIORITY_BANDS[-1][0]


@dataclass(frozen=True)
class Person:
    """What the populations need to know of one person."""

    id: int
    department: str
    site: str
    roles: frozenset[str]
    created_at: datetime


def people(db: Session, *, as_of: datetime | None = None, ids: Collection[int] | None = None) -> list[Person]:
    """The active people who existed at a moment (default now), with their groups."""
    stmt = select(User.id, User.department, User.site, User.created_at).where(User.is_active.is_(True))
    if as_of is not None:
        stmt = stmt.where(User.created_at <= as_of)
    if ids is not None:
        stmt = stmt.where(User.id.in_(list(ids)))
    rows = db.execute(stmt.order_by(User.id)).all()
    roles: dict[int, set[str]] = {}
    role_stmt = select(UserRole.user_id, UserRole.role)
    if ids is not None:
        role_stmt = role_stmt.where(UserRole.user_id.in_(list(ids)))
    for uid, role in db.execute(role_stmt):
        roles.setdefault(uid, set()).add(role)
    return [
        Person(
            id=uid,
            department=department or NO_GROUP,
            site=site or NO_GROUP,
            roles=frozenset(roles.get(uid, set()) | {Role.employee.value}),
            created_at=created_at,
        )
        for uid, department, site, created_at in rows
    ]


def groups_of(persons: Iterable[Person], dimension: str, as_of: datetime) -> dict[int, str | frozenset[str]]:
    """Each person's group in a dimension (a set of roles for `role`)."""
    if dimension == "department":
        return {p.id: p.department for p in persons}
    if dimension == "site":
        return {p.id: p.site for p in persons}
    if dimension == "seniority":
        return {p.id: seniority_band(p.created_at, as_of) for p in persons}
    if dimension == "role":
        return {p.id: p.roles for p in persons}
    raise ValueError(dimension)


def stages_as_of(
    db: Session, *, as_of: datetime | None = None, ids: Collection[int] | None = None
) -> dict[int, str]:
    """Each active person's stage at a moment (default now), `information` for someone with no
    transition yet or who had not signed in by then; people created after the moment are left out."""
    if as_of is None:
        stage = func.coalesce(EngagementState.stage, literal(Stage.information.value))
        stmt = (
            select(User.id, stage)
            .outerjoin(EngagementState, EngagementState.user_id == User.id)
            .where(User.is_active.is_(True))
        )
        if ids is not None:
            stmt = stmt.where(User.id.in_(list(ids)))
        return {uid: s for uid, s in db.execute(stmt)}
    return history(db, moments=[as_of], ids=ids)[0]


def history(
    db: Session, *, moments: Sequence[datetime], ids: Collection[int] | None = None
) -> list[dict[int, str]]:
    """Each active person's stage at each of these moments, from one read of the transitions: the
    destination of their last transition at or before the moment; `information` before any, or
    before their first sign-in (whatever a later replay of the rules wrote)."""
    users = select(User.id, User.created_at, User.first_seen_at).where(User.is_active.is_(True))
    moves = select(StageTransition.user_id, StageTransition.at, StageTransition.to_stage).order_by(
        StageTransition.user_id, StageTransition.at, StageTransition.id
    )
    if ids is not None:
        users = users.where(User.id.in_(list(ids)))
        moves = moves.where(StageTransition.user_id.in_(list(ids)))
    if moments:
        moves = moves.where(StageTransition.at <= max(moments))
    times: dict[int, list[datetime]] = {}
    stages: dict[int, list[str]] = {}
    for uid, at, to_stage in db.execute(moves):
        times.setdefault(uid, []).append(at)
        stages.setdefault(uid, []).append(to_stage)
    people_rows = db.execute(users).all()
    result = []
    for moment in moments:
        now: dict[int, str] = {}
        for uid, created, first_seen in people_rows:
            if created > moment:
                continue
            i = bisect_right(times.get(uid, []), moment)
            if i == 0 or first_seen is None or first_seen > moment:
                now[uid] = Stage.information.value
            else:
                now[uid] = stages[uid][i - 1]
        result.append(now)
    return result


@dataclass
class SnapshotReport:
    """What taking a snapshot did."""

    week: date
    taken: bool  # False: this week already had its snapshot
    people: int = 0
    rows: int = 0


def take(
    db: Session,
    *,
    as_of: datetime | None = None,
    stages: dict[int, str] | None = None,
    persons: list[Person] | None = None,
) -> SnapshotReport:
    """Store the week's stage counts per population, once per week (idempotent); `stages` and
    `persons` may be given when read already (a backfill reads them once for every week)."""
    moment = as_of or utcnow()
    week = week_start(moment)
    if db.scalar(select(func.count()).select_from(AdoptionSnapshot).where(AdoptionSnapshot.week == week)):
        return SnapshotReport(week, False)
    if stages is None:
        stages = stages_as_of(db, as_of=as_of)
    persons = persons if persons is not None else people(db, as_of=as_of)
    # one pass over the people: the finest groups; every population's counts are sums of them
    cells: dict[tuple[str, str, str, tuple[str, ...]], dict[str, int]] = {}
    for p in persons:
        stage = stages.get(p.id)
        if stage is None:
            continue
        cell = (p.department, p.site, seniority_band(p.created_at, moment), tuple(sorted(p.roles)))
        bucket = cells.get(cell)
        if bucket is None:
            bucket = cells[cell] = {}
        bucket[stage] = bucket.get(stage, 0) + 1
    by_group: dict[tuple[str, str], dict[str, int]] = {("overall", ""): dict.fromkeys(STAGES, 0)}
    for (department, site, band, roles), counts in cells.items():
        keys = [("overall", ""), ("department", department), ("site", site), ("seniority", band)]
        keys += [("role", role) for role in roles]
        for key in keys:
            bucket = by_group.setdefault(key, dict.fromkeys(STAGES, 0))
            for stage, n in counts.items():
                bucket[stage] += n
    rows: list[dict[str, object]] = [
        {
            "dimension": dimension,
            "key": key,
            "members": sum(counts.values()),
            "counts": counts,
            "cells": [[*c[:3], list(c[3]), n] for c, n in sorted(cells.items())]
            if dimension == "overall"
            else None,
        }
        for (dimension, key), counts in sorted(by_group.items())
    ]
    db.execute(insert(AdoptionSnapshot), [{**row, "week": week, "taken_at": moment} for row in rows])
    return SnapshotReport(week, True, sum(by_group["overall", ""].values()), len(rows))


def backfill(db: Session, *, weeks: int = WEEKS, as_of: datetime | None = None) -> int:
    """Snapshots for the past weeks that have none, read from the stage transitions (the demo's
    history, or a deployment that starts taking snapshots late); returns how many weeks were added."""
    now = as_of or utcnow()
    taken = set(db.scalars(select(AdoptionSnapshot.week).distinct()))
    past = [week_start(now) - timedelta(weeks=back) for back in range(weeks - 1, 0, -1)]
    moments = [week_end(w) for w in past if w not in taken]
    everyone = people(db)
    added = 0
    for moment, stages in zip(moments, history(db, moments=moments), strict=True):
        added += take(db, as_of=moment, stages=stages, persons=everyone).taken
    added += take(db, as_of=as_of).taken
    return added


def weekly_stages(
    db: Session, *, ids: Collection[int], weeks: int = WEEKS, as_of: datetime | None = None
) -> list[tuple[date, dict[int, str]]]:
    """The stages of these people at the end of each of the last `weeks` weeks (now for the
    current week), read from their transitions at once."""
    now = as_of or utcnow()
    weeks_list = [week_start(now) - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    moments = [week_end(w) for w in weeks_list[:-1]] + [now]
    return list(zip(weeks_list, history(db, moments=moments, ids=ids), strict=True))

"""The HR and communications adoption dashboard: every figure released under the suppression rules.

The funnel overall and by population (department, site, role, seniority band) comes from one
release of the whole catalogue (`aggregates.release_catalogue`), so that no view subtracted from
another tells a small group's stages. Weekly snapshots are released the same way, week by week,
from the finest groups the snapshot stored. Cohorts of newcomers, nudge uplift and feedback themes
are tables of their own, each suppressed with `aggregates.suppress_table`. Only HR and
administrators may read any of it (`require_reader`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import AdoptionSnapshot, FeedbackCategory, FeedbackItem, Role, StageTransition, User
from app.models.base import utcnow
from app.services import aggregates, feedback, snapshots
from app.services.aggregates import Catalogue, Cells, Table
from app.services.errors import Forbidden
from app.services.snapshots import DIMENSIONS, STAGES

REACHED = ("participation", "contribution", "promotion")
COHORT_DAYS = 30
COHORT_MONTHS = 6
THEME_MONTHS = 6


def require_reader(viewer: User) -> None:
    """Only HR and administrators read adoption figures."""
    if not viewer.has_role(Role.hr, Role.admin):
        raise Forbidden(_("Only HR and administrators see adoption figures."))


# ---- the funnel, now and in past weeks -----------------------------------------------------------


def _release(
    stages: dict[int, str], persons: Iterable[snapshots.Person], as_of: datetime, threshold: int
) -> Catalogue:
    persons = [p for p in persons if p.id in stages]
    dimensions = {d: snapshots.groups_of(persons, d, as_of) for d in DIMENSIONS}
    return aggregates.release_catalogue(
        {p.id: stages[p.id] for p in persons}, dimensions, STAGES, threshold, overlapping=("role",)
    )


def release(db: Session, *, threshold: int) -> Catalogue:
    """Today's funnel, overall and by every population, released together."""
    now = utcnow()
    return _release(snapshots.stages_as_of(db), snapshots.people(db), now, threshold)


def release_people(db: Session, *, threshold: int) -> tuple[Catalogue, dict[str, dict[str, set[int]]]]:
    """Today's release and the members of every group it names (for the teams' differencing rule)."""
    now = utcnow()
    persons = snapshots.people(db)
    stages = snapshots.stages_as_of(db)
    catalogue = _release(stages, persons, now, threshold)
    members: dict[str, dict[str, set[int]]] = {}
    for d in DIMENSIONS:
        for uid, value in snapshots.groups_of(persons, d, now).items():
            for key in [value] if isinstance(value, str) else value:
                members.setdefault(d, {}).setdefault(key, set()).add(uid)
    return catalogue, members


@dataclass
class Week:
    """One week of a population's trend: its members and released cells (None: not shown)."""

    week: date
    members: int
    cells: Cells | None


def _week_release(row: AdoptionSnapshot, threshold: int) -> Catalogue:
    """A stored week released like today: from the finest groups (department x site x seniority x
    roles) the snapshot kept, so that its views are linked as today's are."""
    stages: dict[int, str] = {}
    persons: list[snapshots.Person] = []
    moment = row.taken_at
    uid = 0
    for department, site, band, roles, counts in row.cells or []:
        for stage, n in counts.items():
            for _i in range(int(n)):
                uid += 1
                stages[uid] = stage
                # a creation date that falls in the stored band, as of the snapshot's moment
                days = {"under_3_months": 0, "3_to_12_months": 100, "1_to_3_years": 400}.get(band, 1200)
                persons.append(
                    snapshots.Person(uid, department, site, frozenset(roles), moment - timedelta(days=days))
                )
    return _release(stages, persons, moment, threshold)


def trend(
    db: Session, *, threshold: int, dimension: str = "overall", key: str = "", weeks: int = snapshots.WEEKS
) -> list[Week]:
    """A population's weekly stage counts over the last weeks, each week released like today."""
    first = snapshots.week_start(utcnow()) - timedelta(weeks=weeks - 1)
    rows = db.scalars(
        select(AdoptionSnapshot)
        .where(AdoptionSnapshot.dimension == "overall", AdoptionSnapshot.week >= first)
        .order_by(AdoptionSnapshot.week)
    ).all()
    result = []
    for row in rows:
        catalogue = _week_release(row, threshold)
        if dimension == "overall":
            result.append(Week(row.week, catalogue.members, catalogue.overall if catalogue.shown else None))
            continue
        table = catalogue.tables.get(dimension)
        found = next((r for r in table.rows if r.key == key), None) if table else None
        if found is None:
            result.append(Week(row.week, 0, None))
        else:
            result.append(Week(row.week, found.members, found.cells))
    return result


# ---- cohorts of newcomers ------------------------------------------------------------------------


@dataclass
class Cohort:
    """People who arrived in one month, and how many reached participation within 30 days."""

    month: date
    members: int
    reached: int | None
    not_yet: int | None
    complete: bool  # every member has had their 30 days
    suppressed: bool

    @property
    def share(self) -> float | None:
        """The share who reached participation, when it may be shown."""
        if self.reached is None or not self.members:
            return None
        return self.reached / self.members


def _month(moment: datetime) -> date:
    return moment.astimezone(UTC).date().replace(day=1)


def cohorts(db: Session, *, threshold: int, months: int = COHORT_MONTHS) -> list[Cohort]:
    """Newcomers by month of arrival (account created), last months first: the share who reached
    participation or beyond within 30 days; cohorts and cells under the threshold are not shown."""
    now = utcnow()
    start = _month(now)
    for _i in range(months - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    begin = datetime(start.year, start.month, 1, tzinfo=UTC)
    arrivals = db.execute(
        select(User.id, User.created_at).where(User.is_active.is_(True), User.created_at >= begin)
    ).all()
    reached_at: dict[int, datetime] = {
        uid: at
        for uid, at in db.execute(
            select(StageTransition.user_id, func.min(StageTransition.at))
            .join(User, User.id == StageTransition.user_id)
            .where(StageTransition.to_stage.in_(REACHED), User.created_at >= begin)
            .group_by(StageTransition.user_id)
        )
    }
    rows: dict[str, dict[str, int]] = {}
    complete: dict[str, bool] = {}
    month = start
    while month <= _month(now):
        rows[month.isoformat()] = {"reached": 0, "not_yet": 0}
        complete[month.isoformat()] = True
        month = (month + timedelta(days=32)).replace(day=1)
    for uid, created in arrivals:
        key = _month(created).isoformat()
        at = reached_at.get(uid)
        ok = at is not None and at <= created + timedelta(days=COHORT_DAYS)
        rows[key]["reached" if ok else "not_yet"] += 1
        if created + timedelta(days=COHORT_DAYS) > now:
            complete[key] = False
    table = aggregates.suppress_table(rows, threshold, columns=["reached", "not_yet"])
    return [
        Cohort(
            month=date.fromisoformat(r.key),
            members=r.members,
            reached=r.cells["reached"] if r.cells else None,
            not_yet=r.cells["not_yet"] if r.cells else None,
            complete=complete[r.key],
            suppressed=r.cells is None,
        )
        for r in reversed(table.rows)
    ]


# ---- nudge uplift --------------------------------------------------------------------------------


@dataclass
class Uplift:
    """A nudge's measured effect: shown vs held out, completion rates, uplift with its interval."""

    key: str
    label: str
    shown: int | None
    held_out: int | None
    shown_rate: float | None
    held_out_rate: float | None
    uplift: float | None
    low: float | None
    high: float | None
    suppressed: bool


def uplift(db: Session, *, threshold: int) -> list[Uplift]:
    """The engine's holdout measurement (`nudges.measure`), with each group's completions obeying
    the cell rules: a rate resting on 1 to threshold-1 people, or on everyone, is not shown."""
    from app.services import nudges  # the catalogue registers the managers' nudges, which read teams

    result = []
    for m in nudges.measure(db, threshold=threshold):
        if m.suppressed or m.shown is None or m.held_out is None:
            result.append(Uplift(m.key, m.label, None, None, None, None, None, None, None, True))
            continue
        shown = aggregates.suppress(
            {"done": m.shown_completed or 0, "not": m.shown - (m.shown_completed or 0)}, threshold
        )
        held = aggregates.suppress(
            {"done": m.held_out_completed or 0, "not": m.held_out - (m.held_out_completed or 0)}, threshold
        )
        rates_shown = shown["done"] is not None and held["done"] is not None
        result.append(
            Uplift(
                m.key,
                m.label,
                m.shown,
                m.held_out,
                m.shown_rate if shown["done"] is not None else None,
                m.held_out_rate if held["done"] is not None else None,
                m.uplift if rates_shown else None,
                m.low if rates_shown else None,
                m.high if rates_shown else None,
                False,
            )
        )
    return result


# ---- feedback themes -----------------------------------------------------------------------------


@dataclass
class Themes:
    """Feedback items per category and month (anonymous ones counted alike, never by author)."""

    categories: list[tuple[str, str]]  # (key, label)
    table: Table
    months: list[date] = field(default_factory=list)

    @property
    def by_month(self) -> list[tuple[date, aggregates.Row]]:
        """Each month with its released row, oldest first."""
        return list(zip(self.months, self.table.rows, strict=True))


def themes(db: Session, *, threshold: int, months: int = THEME_MONTHS) -> Themes:
    """Counts of feedback items per category by month over the last months (merged duplicates left
    out); months and cells under the threshold are not shown."""
    now = utcnow().date()
    start = now.replace(day=1)
    for _i in range(months - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    labels = {c.key: c.label for c in feedback.categories(db, include_retired=True)}
    rows: dict[str, dict[str, int]] = {}
    month = start
    keys: list[str] = []
    while month <= now:
        rows[month.isoformat()] = {}
        keys.append(month.isoformat())
        month = (month + timedelta(days=32)).replace(day=1)
    found = db.execute(
        select(FeedbackCategory.key, FeedbackItem.created_on)
        .join(FeedbackCategory, FeedbackCategory.id == FeedbackItem.category_id)
        .where(FeedbackItem.created_on >= start, FeedbackItem.merged_into_id.is_(None))
    ).all()
    used = set(labels)
    for category, day in found:
        bucket = rows[day.replace(day=1).isoformat()]
        bucket[category] = bucket.get(category, 0) + 1
        used.add(category)
    columns = [k for k in labels if k in used] + sorted(used - set(labels))
    table = aggregates.suppress_table(rows, threshold, columns=columns)
    return Themes([(k, labels.get(k, k)) for k in columns], table, [date.fromisoformat(k) for k in keys])


# ---- the dashboard and its CSV tables ------------------------------------------------------------


def csv_rows(db: Session, *, table: str, threshold: int) -> list[list[Any]]:
    """One table of the dashboard as CSV rows (header first), with the page's suppression: a hidden
    count is an empty cell, and a group that is not shown says so."""
    hidden = ""
    if table == "funnel":
        catalogue = release(db, threshold=threshold)
        return [["stage", "people"]] + [
            [s, hidden if catalogue.overall[s] is None else catalogue.overall[s]] for s in STAGES
        ]
    if table in DIMENSIONS:
        catalogue = release(db, threshold=threshold)
        header = ["group", "members", *STAGES, "suppressed"]
        out: list[list[Any]] = [header]
        for row in catalogue.tables[table].rows:
            if row.cells is None:
                out.append([row.key, hidden, *[hidden for _s in STAGES], "yes"])
            else:
                out.append(
                    [
                        row.key,
                        row.members,
                        *[hidden if row.cells[s] is None else row.cells[s] for s in STAGES],
                        "no",
                    ]
                )
        return out
    if table == "weekly":
        out = [["week", "people", *STAGES]]
        for w in trend(db, threshold=threshold):
            cells = w.cells or {}
            out.append(
                [
                    w.week.isoformat(),
                    w.members if w.cells is not None else hidden,
                    *[hidden if cells.get(s) is None else cells[s] for s in STAGES],
                ]
            )
        return out
    if table == "cohorts":
        out = [
            [
                "month",
                "newcomers",
                "reached_participation_within_30_days",
                "not_yet",
                "complete",
                "suppressed",
            ]
        ]
        for c in cohorts(db, threshold=threshold):
            out.append(
                [
                    c.month.strftime("%Y-%m"),
                    hidden if c.suppressed else c.members,
                    hidden if c.reached is None else c.reached,
                    hidden if c.not_yet is None else c.not_yet,
                    "yes" if c.complete else "no",
                    "yes" if c.suppressed else "no",
                ]
            )
        return out
    if table == "uplift":
        out = [
            [
                "nudge",
                "shown",
                "held_out",
                "shown_rate",
                "held_out_rate",
                "uplift",
                "low",
                "high",
                "suppressed",
            ]
        ]
        for u in uplift(db, threshold=threshold):
            out.append(
                [u.key]
                + [
                    hidden if v is None else (round(v, 4) if isinstance(v, float) else v)
                    for v in (u.shown, u.held_out, u.shown_rate, u.held_out_rate, u.uplift, u.low, u.high)
                ]
                + ["yes" if u.suppressed else "no"]
            )
        return out
    if table == "themes":
        found = themes(db, threshold=threshold)
        keys = [k for k, _label in found.categories]
        out = [["month", "items", *keys, "suppressed"]]
        for row in found.table.rows:
            month = row.key[:7]
            if row.cells is None:
                out.append([month, hidden, *[hidden for _k in keys], "yes"])
            else:
                out.append(
                    [
                        month,
                        row.members,
                        *[hidden if row.cells[k] is None else row.cells[k] for k in keys],
                        "no",
                    ]
                )
        return out
    raise ValueError(table)


CSV_TABLES = ("funnel", *DIMENSIONS, "weekly", "cohorts", "uplift", "themes")

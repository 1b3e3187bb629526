"""A line manager's team: its adoption in aggregate (never a member's stage)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel

from app.deps import DB, AppSettings, CurrentUser
from app.services import teams

router = APIRouter(tags=["teams"])


class TeamWeek(BaseModel):
    """One week of the team's trend; `stages` is absent when the week is not shown."""

    week: date
    stages: dict[str, int | None] | None


class TeamRead(BaseModel):
    """The caller's team: its size, and its stage counts when it has at least the threshold.

    A count may be null: hidden so that a small group cannot be recovered by subtraction."""

    size: int
    threshold: int
    suppressed: bool
    stages: dict[str, int | None] | None = None
    trend: list[TeamWeek] | None = None


@router.get(
    "/teams/me",
    response_model=TeamRead,
    response_model_exclude_unset=True,
    responses={404: {"description": "The caller has no direct reports"}},
)
def my_team(db: DB, settings: AppSettings, user: CurrentUser) -> TeamRead:
    """The caller's direct reports in aggregate: size, and stage counts when size >= threshold."""
    view = teams.team_view(db, viewer=user, threshold=settings.group_threshold)
    if view.stages is None:
        return TeamRead(size=view.size, threshold=view.threshold, suppressed=True)
    return TeamRead(
        size=view.size,
        threshold=view.threshold,
        suppressed=view.suppressed,
        stages=view.stages,
        trend=[TeamWeek(week=w.week, stages=w.cells) for w in view.trend],
    )

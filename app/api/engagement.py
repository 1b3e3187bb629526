"""The engagement engine: one's own stage and nudges; adoption by population for HR."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel

from app.api.schemas import Strict
from app.deps import DB, AppSettings, CurrentUser, WriteDB
from app.models import Stage
from app.services import adoption as adoption_service
from app.services import engagement, nudges

router = APIRouter(tags=["engagement"])


class NudgeRead(BaseModel):
    """A next step worth taking, and what is in it for the person."""

    id: int
    key: str
    title: str
    wiifm: str
    action_url: str


class EngagementRead(BaseModel):
    """A person's own stage, its history and their nudges (shown to that person alone)."""

    stage: str
    since: datetime | None
    reason: str
    history: list[dict[str, object]]
    nudges: list[NudgeRead]
    nudges_enabled: bool


class NudgeSettings(Strict):
    """Turn nudges on or off."""

    enabled: bool


class AdoptionRead(BaseModel):
    """Adoption by population, with small groups suppressed and complementary counts hidden (null)."""

    threshold: int
    by: str
    groups: list[dict[str, object]]


@router.get("/engagement/me", response_model=EngagementRead)
def me(db: WriteDB, settings: AppSettings, user: CurrentUser) -> EngagementRead:
    """The caller's stage, since when and why, their journey, and the nudges offered to them."""
    state = engagement.state_of(db, user_id=user.id)
    history = [
        {
            "from": t.from_stage,
            "to": t.to_stage,
            "at": t.at,
            "reason": engagement.reason_text(t.reason, t.reason_params),
        }
        for t in engagement.history_of(db, user_id=user.id)
    ]
    offered = nudges.offer(db, viewer=user, threshold=settings.group_threshold)
    return EngagementRead(
        stage=state.stage if state else Stage.information.value,
        since=state.since if state else None,
        reason=engagement.reason_text(state.reason, state.reason_params) if state else "",
        history=history,
        nudges=[
            NudgeRead(id=n.id, key=n.key, title=n.title, wiifm=n.wiifm, action_url=n.action_url)
            for n in offered
        ],
        nudges_enabled=state.nudges_enabled if state else True,
    )


@router.post("/engagement/nudges/{nudge_id}/dismiss", status_code=204)
def dismiss(nudge_id: str, db: DB, user: CurrentUser) -> Response:
    """Dismiss a nudge (by its id or its key); it does not come back for its cool-down."""
    nudges.dismiss(db, viewer=user, nudge=nudge_id)
    return Response(status_code=204)


@router.post("/engagement/nudges/{nudge_id}/snooze", status_code=204)
def snooze(nudge_id: str, db: DB, user: CurrentUser) -> Response:
    """Put a nudge aside for a few days."""
    nudges.snooze(db, viewer=user, nudge=nudge_id)
    return Response(status_code=204)


@router.put("/engagement/nudges/settings", status_code=204)
def nudge_settings(body: NudgeSettings, db: DB, user: CurrentUser) -> Response:
    """Turn nudges on or off for oneself."""
    engagement.set_nudges_enabled(db, user=user, enabled=body.enabled)
    return Response(status_code=204)


@router.get("/analytics/adoption", response_model=AdoptionRead)
def adoption(
    db: DB,
    settings: AppSettings,
    user: CurrentUser,
    by: Literal["department", "site", "role", "seniority"] = "department",
) -> AdoptionRead:
    """Stage counts by department, site, role or seniority band (HR and admins): a group under the
    threshold is `{"key", "suppressed": true}`; a count that would let a small group be deduced is null."""
    adoption_service.require_reader(user)
    groups: list[dict[str, object]] = []
    for group in engagement.adoption(db, by=by, threshold=settings.group_threshold):
        if group.stages is None:
            groups.append({"key": group.key, "suppressed": True})
        else:
            groups.append({"key": group.key, "members": group.members, "stages": group.stages})
    return AdoptionRead(threshold=settings.group_threshold, by=by, groups=groups)

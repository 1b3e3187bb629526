"""A person's notification channels by type, read and changed through the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from pydantic import StrictStr

from app.deps import DB, CurrentUser
from app.services import notifications

router = APIRouter(tags=["notifications"])

Channels = dict[str, StrictStr]


@router.get("/notifications/preferences", response_model=Channels)
def read_preferences(db: DB, user: CurrentUser) -> dict[str, str]:
    """Every notification type with the caller's channel for it: app, email, daily, weekly or off."""
    return notifications.preferences(db, user.id)


@router.put("/notifications/preferences", response_model=Channels)
def update_preferences(
    db: DB, user: CurrentUser, body: Annotated[Channels, Body(examples=[{"mention": "email", "like": "off"}])]
) -> dict[str, str]:
    """Change the channel of the types given (the others keep theirs); an unknown type or channel is 422."""
    notifications.set_preferences(db, user=user, channels=body)
    return notifications.preferences(db, user.id)

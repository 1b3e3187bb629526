"""A person's notifications: the list with its unread count, and marking them read."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from app.api.schemas import PersonRef, Strict
from app.deps import DB, CurrentUser
from app.services import notifications
from app.services.notifications import NotificationView

router = APIRouter(tags=["notifications"])


class NotificationRead(BaseModel):
    """One line: what happened, who did it (the latest person, for a group), where to look."""

    id: int
    type: str
    actor: PersonRef | None
    actor_count: int
    text: str
    url: str
    read: bool
    created_at: datetime


class NotificationPage(BaseModel):
    """A page of notifications, newest first, with the unread count (the bell's number)."""

    items: list[NotificationRead]
    next_cursor: str | None = None
    unread_count: int


class MarkRead(Strict):
    """Which lines to mark read: some `ids`, or `all`."""

    ids: list[int] = Field(default_factory=list)
    all: bool = False


def _read(view: NotificationView) -> NotificationRead:
    actor = view.actor
    return NotificationRead(
        id=view.id,
        type=view.type,
        actor=PersonRef(id=actor.id, display_name=actor.display_name, handle=actor.handle) if actor else None,
        actor_count=view.actor_count,
        text=view.text,
        url=view.url,
        read=view.read,
        created_at=view.created_at,
    )


@router.get("/notifications", response_model=NotificationPage)
def list_notifications(
    db: DB,
    viewer: CurrentUser,
    cursor: str | None = None,
    limit: int | None = Query(default=None),
    unread: bool = False,
) -> NotificationPage:
    """The caller's notifications, newest first, in their language."""
    page = notifications.list_for(db, viewer=viewer, cursor=cursor, limit=limit, unread=unread)
    return NotificationPage(
        items=[_read(v) for v in page.items],
        next_cursor=page.next_cursor,
        unread_count=notifications.unread_count(db, viewer=viewer),
    )


@router.post("/notifications/read", status_code=204)
def mark_read(body: MarkRead, db: DB, viewer: CurrentUser) -> Response:
    """Mark some of the caller's notifications read, or all of them."""
    notifications.mark_read(db, viewer=viewer, ids=body.ids, everything=body.all)
    return Response(status_code=204)

"""The bell, the notifications page, opening a notification and marking them read."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.deps import DB, CurrentUser, WriteDB
from app.models import Notification
from app.services import notifications
from app.services.errors import Invalid, NotFound
from app.web.htmx import is_htmx, redirect, render
from app.web.pages import page_router

router = page_router()


@router.get("/notifications")
def page(request: Request, db: DB, viewer: CurrentUser, cursor: str = "", unread: bool = False) -> Response:
    """Everything the person was told, newest first; "show more" loads the next page in place."""
    listing = notifications.list_for(db, viewer=viewer, cursor=cursor or None, unread=unread)
    return render(
        request,
        "notifications/index.html",
        {
            "page": listing,
            "unread_only": unread,
            "unread_count": notifications.unread_count(db, viewer=viewer),
            "more": bool(cursor),
        },
        block="more" if cursor else None,
    )


@router.get("/notifications/bell")
def bell(request: Request, db: DB, viewer: CurrentUser) -> Response:
    """The bell with the unread count (loaded after the page, and again on each live event)."""
    response = render(
        request, "notifications/_bell.html", {"unread_count": notifications.unread_count(db, viewer=viewer)}
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/notifications/{notification_id}/open")
def open_notification(request: Request, db: WriteDB, viewer: CurrentUser, notification_id: int) -> Response:
    """Follow a notification: it is read, and the person lands where it points."""
    row = db.get(Notification, notification_id)
    if row is None or row.user_id != viewer.id:
        raise NotFound("No such notification.")
    notifications.mark_read(db, viewer=viewer, ids=[row.id])
    target = row.url if row.url.startswith("/") and not row.url.startswith("//") else "/notifications"
    return RedirectResponse(target, status_code=303)


@router.post("/notifications/read")
def mark_read(
    request: Request,
    db: DB,
    viewer: CurrentUser,
    ids: Annotated[list[int] | None, Form()] = None,
    all: Annotated[bool, Form()] = False,
    unread: Annotated[bool, Form()] = False,
) -> Response:
    """Mark one notification read, or all of them; htmx swaps the list in place."""
    try:
        notifications.mark_read(db, viewer=viewer, ids=ids or [], everything=all)
    except Invalid:
        db.rollback()
    target = "/notifications?unread=true" if unread else "/notifications"
    if is_htmx(request):
        listing = notifications.list_for(db, viewer=viewer, unread=unread)
        return render(
            request,
            "notifications/index.html",
            {
                "page": listing,
                "unread_only": unread,
                "unread_count": notifications.unread_count(db, viewer=viewer),
                "more": False,
            },
            block="listing",
        )
    return redirect(request, target)

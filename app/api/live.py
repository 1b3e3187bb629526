"""The live-updates stream for API clients: Server-Sent Events at /api/v1/events, bearer token.

The same stream as the pages' /events (see app/web/live.py and services/broker.py): events are
"something changed" signals; clients re-fetch notifications, the feed or a post's comments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse

from app.deps import get_database, get_settings, resolve_caller
from app.i18n import _
from app.services import broker
from app.services.errors import Unauthorized

router = APIRouter(tags=["live"])


def _scope(request: Request, post_ids: list[int]) -> broker.Scope | None:
    with get_database(request).session(write=False) as db:
        caller = resolve_caller(request, db)
        scope = broker.viewer_scope(db, viewer=caller.user, post_ids=post_ids) if caller else None
    request.state.caller = None  # an open stream keeps no database object alive
    return scope


@router.get(
    "/events", response_class=StreamingResponse, responses={200: {"content": {"text/event-stream": {}}}}
)
async def events(request: Request, post: Annotated[list[int] | None, Query()] = None) -> Response:
    """Events `notifications`, `feed` and `comment` (for each `?post=ID` the caller may read), as
    text/event-stream; `Last-Event-ID` on reconnection sends a catch-up; 503 + Retry-After when full."""
    settings = get_settings(request)
    if broker.local.connections() >= settings.live_max_connections:
        return Response(status_code=503, headers={"Retry-After": "30"})
    scope = await run_in_threadpool(_scope, request, post or [])
    if scope is None:
        raise Unauthorized(_("Sign in first."))
    catch_up = request.headers.get("last-event-id") is not None
    return StreamingResponse(
        broker.sse_stream(scope, settings, catch_up=catch_up),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )

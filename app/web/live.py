"""The live-updates stream of signed-in pages: Server-Sent Events at /events (htmx SSE extension).

The person is identified with a short unit of work that is closed before the stream starts: an
idle stream holds no database connection. What it sends is decided by `services/broker.py`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse

from app.deps import get_database, get_settings, resolve_caller
from app.i18n import _
from app.services import broker
from app.services.errors import Unauthorized

router = APIRouter()

STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # proxies must not buffer


def busy() -> Response:
    """The answer beyond the connection cap: come back later (the browser retries by itself)."""
    return Response(status_code=503, headers={"Retry-After": "30"})


def _scope(request: Request, post_ids: list[int]) -> broker.Scope | None:
    with get_database(request).session(write=False) as db:
        caller = resolve_caller(request, db)
        if caller is None:
            return None
        scope = broker.viewer_scope(db, viewer=caller.user, post_ids=post_ids)
    request.state.caller = None  # an open stream keeps no database object alive
    return scope


async def open_stream(request: Request, post_ids: list[int]) -> Response:
    """Authenticate, subscribe and stream; Unauthorized without a session or token."""
    settings = get_settings(request)
    if broker.local.connections() >= settings.live_max_connections:
        return busy()
    scope = await run_in_threadpool(_scope, request, post_ids)
    if scope is None:
        raise Unauthorized(_("Sign in first."))
    catch_up = request.headers.get("last-event-id") is not None
    return StreamingResponse(
        broker.sse_stream(scope, settings, catch_up=catch_up),
        media_type="text/event-stream",
        headers=STREAM_HEADERS,
    )


@router.get("/events", include_in_schema=False)
async def events(request: Request, post: Annotated[list[int] | None, Query()] = None) -> Response:
    """What changed for the person while the page is open: notifications, the feed, open posts."""
    return await open_stream(request, post or [])

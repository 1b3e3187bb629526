"""The home page: the composer, the feed, and suggestions beside it."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app.deps import DB, AppSettings, CurrentUser, OptionalCaller, WriteDB
from app.models.base import utcnow
from app.services import campaigns, communities, directory, nudges, posts, tags
from app.web.htmx import render
from app.web.pages import page_router
from app.web.posts import composer_context

router = page_router()


@router.get("/")
def home(request: Request, db: DB, caller: OptionalCaller) -> Response:
    """The home feed: followed people, joined communities, followed tags and leadership posts."""
    if caller is None:
        return RedirectResponse("/login", status_code=303)
    viewer = caller.user
    page = posts.home_feed(db, viewer=viewer)
    return render(
        request,
        "home/feed.html",
        {
            "items": page.items,
            "next_cursor": page.next_cursor,
            "campaigns": campaigns.cards_for(db, viewer=viewer),
            "composer": composer_context(db, viewer, next_url="/"),
            "since": utcnow().isoformat(),
            "count": 0,
        },
    )


@router.get("/home/aside")
def home_aside(request: Request, db: WriteDB, settings: AppSettings, viewer: CurrentUser) -> Response:
    """Beside the feed: my nudges (the first steps first), colleagues to meet, communities to join,
    trending tags. The session writes: showing a nudge logs its delivery."""
    enabled = nudges.enabled(db, viewer=viewer)
    meet = directory.colleagues_to_meet(db, viewer=viewer, limit=4)
    return render(
        request,
        "home/aside.html",
        {
            "nudges": nudges.offer(db, viewer=viewer, threshold=settings.group_threshold) if enabled else [],
            "nudges_enabled": enabled,
            "next": "/",
            "meet": meet,
            "meet_tags": tags.tags_of(db, [p.id for p in meet]),
            "suggested": communities.suggestions(db, viewer=viewer, limit=3),
            "trending": posts.trending_tags(db, viewer=viewer, limit=8),
        },
        block="aside",
    )

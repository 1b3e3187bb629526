"""Search across posts, people and communities."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel

from app.api.communities import CommunityRead, read
from app.api.posts import PostRead, read_item
from app.api.users import UserRead, read_users
from app.deps import DB, CurrentUser
from app.services import search as search_service

router = APIRouter(tags=["search"])


class PostHitRead(PostRead):
    """A post found by a search, with the passage that matched (HTML: words in <mark>, the rest escaped)."""

    snippet: str


class SearchRead(BaseModel):
    """What a search found, only among what the caller may see."""

    posts: list[PostHitRead]
    people: list[UserRead]
    communities: list[CommunityRead]


@router.get("/search", response_model=SearchRead)
def search(
    db: DB,
    viewer: CurrentUser,
    q: str = "",
    kind: str | None = None,
    community: str | None = None,
    author: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> SearchRead:
    """Full-text search; `kind` is a section (posts, people, communities) or a post kind; `author` a
    handle or an id; `since`/`until` whole days (UTC). Post filters leave people and communities out."""
    found = search_service.search(
        db,
        viewer=viewer,
        q=q,
        kind=kind or None,
        community=community or None,
        author_id=search_service.resolve_author(db, author) if author else None,
        since=since,
        until=until,
    )
    return SearchRead(
        posts=[
            PostHitRead(**read_item(hit, viewer.id).model_dump(), snippet=str(hit.snippet))
            for hit in found.posts
        ],
        people=read_users(db, found.people),
        communities=[read(card) for card in found.communities],
    )

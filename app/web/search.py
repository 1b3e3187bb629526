"""The search page: posts, people and communities, filtered, updated live as one types."""

from __future__ import annotations

from datetime import date

from fastapi import Request
from fastapi.responses import Response

from app.deps import DB, CurrentUser
from app.i18n import _
from app.services import communities, users
from app.services import search as search_service
from app.services import tags as tag_service
from app.services.errors import Invalid
from app.web.htmx import is_htmx, render
from app.web.pages import field_errors, page_router

router = page_router()


def _kind_labels() -> dict[str, str]:
    return {
        "posts": _("Posts"),
        "people": _("Colleagues"),
        "communities": _("Communities"),
        "status": _("Status updates"),
        "article": _("Articles"),
        "question": _("Questions"),
        "event": _("Events"),
        "praise": _("Praise"),
        "poll": _("Polls"),
    }


def _day(raw: str, name: str, errors: dict[str, str]) -> date | None:
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        errors[name] = _("A date like 2026-11-24.")
        return None


@router.get("/search")
def search_page(
    request: Request,
    db: DB,
    viewer: CurrentUser,
    q: str = "",
    kind: str = "",
    community: str = "",
    author: str = "",
    since: str = "",
    until: str = "",
) -> Response:
    """Search posts, people and communities; the post filters narrow to posts."""
    filters = {"q": q, "kind": kind, "community": community, "author": author, "since": since, "until": until}
    errors: dict[str, str] = {}
    author_id = None
    try:
        author_id = search_service.resolve_author(db, author)
    except Invalid as exc:
        errors.update(field_errors(exc))
    since_day, until_day = _day(since, "since", errors), _day(until, "until", errors)
    results = search_service.SearchResults()
    if not errors:
        results = search_service.search(
            db,
            viewer=viewer,
            q=q,
            kind=kind if kind in search_service.KINDS else None,
            community=community or None,
            author_id=author_id,
            since=since_day,
            until=until_day,
        )
    # the filter form is not part of a live update
    mine = [] if is_htmx(request) else communities.directory(db, viewer=viewer, mine=True, limit=100).items
    people_ids = [p.id for p in results.people]
    return render(
        request,
        "search/index.html",
        {
            "filters": filters,
            "errors": errors,
            "searched": bool(search_service.query_words(q)),
            "results": results,
            "kind_labels": _kind_labels(),
            "my_communities": [card.community for card in mine],
            "tag_map": tag_service.tags_of(db, people_ids),
            "following_ids": users.is_following(db, actor=viewer, user_ids=people_ids),
        },
        block="results",
    )

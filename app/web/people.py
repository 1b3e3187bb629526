"""The directory, the expert finder, profiles, tag pages, follow buttons and photos."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from app.deps import DB, CurrentUser
from app.i18n import _
from app.models import User
from app.services import directory, photos, users
from app.services import tags as tag_service
from app.services.errors import NotFound
from app.services.text import fold
from app.web.htmx import is_htmx, redirect, render
from app.web.pages import page_router

router = page_router()


def _cards_context(db: DB, viewer: User, people: list[User]) -> dict[str, object]:
    ids = [p.id for p in people]
    return {
        "tag_map": tag_service.tags_of(db, ids),
        "following_ids": users.is_following(db, actor=viewer, user_ids=ids),
    }


@router.get("/people")
def directory_page(
    request: Request,
    db: DB,
    viewer: CurrentUser,
    q: str = "",
    tag: str = "",
    department: str = "",
    site: str = "",
    cursor: str = "",
) -> Response:
    """The people directory: search by name, tag, department and site."""
    page = directory.search_people(
        db, q=q, tag=tag or None, department=department or None, site=site or None, cursor=cursor or None
    )
    departments, sites = directory.facets(db)
    filters = {"q": q, "tag": tag, "department": department, "site": site}
    return render(
        request,
        "people/directory.html",
        {
            "people": page.items,
            "next_cursor": page.next_cursor,
            "filters": filters,
            "departments": departments,
            "sites": sites,
            **_cards_context(db, viewer, page.items),
        },
        block="more" if cursor else "results",
    )


@router.get("/people/experts")
def experts_page(request: Request, db: DB, viewer: CurrentUser, q: str = "") -> Response:
    """ "Who knows …?": colleagues ranked by how well their expertise matches the question."""
    found = directory.find_experts(db, query=q) if q.strip() else []
    return render(
        request,
        "people/experts.html",
        {"q": q, "experts": found, **_cards_context(db, viewer, [e.user for e in found])},
        block="results",
    )


@router.get("/people/{handle}")
def profile_page(request: Request, db: DB, viewer: CurrentUser, handle: str) -> Response:
    """A colleague's profile: who they are, their expertise and whom they follow."""
    person = users.get_user_by_handle(db, handle)
    manager = users.get_user(db, person.manager_id) if person.manager_id else None
    reports = users.direct_reports(db, user=person)
    followed = users.following(db, user=person, limit=24)
    followers, following_count = users.follow_counts(db, user=person)
    return render(
        request,
        "people/profile.html",
        {
            "person": person,
            "manager": manager,
            "person_tags": tag_service.tags_of(db, [person.id])[person.id],
            "followed": followed,
            "followers": followers,
            "following_count": following_count,
            "is_following": person.id in users.is_following(db, actor=viewer, user_ids=[person.id]),
            "is_me": person.id == viewer.id,
            "reports": reports,
        },
    )


def _follow_response(request: Request, db: DB, viewer: User, person: User, message: str) -> Response:
    if not is_htmx(request):
        return redirect(request, f"/people/{person.handle}")
    following = person.id in users.is_following(db, actor=viewer, user_ids=[person.id])
    return render(
        request, "people/_follow.html", {"person": person, "is_following": following}, toast=message
    )


@router.post("/people/{handle}/follow")
def follow(request: Request, db: DB, viewer: CurrentUser, handle: str) -> Response:
    """Follow a colleague (htmx swaps the button; without JavaScript, back to the profile)."""
    person = users.get_user_by_handle(db, handle)
    users.follow(db, actor=viewer, user=person)
    return _follow_response(
        request, db, viewer, person, _("You now follow {name}.").format(name=person.display_name)
    )


@router.post("/people/{handle}/unfollow")
def unfollow(request: Request, db: DB, viewer: CurrentUser, handle: str) -> Response:
    """Stop following a colleague."""
    person = users.get_user_by_handle(db, handle)
    users.unfollow(db, actor=viewer, user=person)
    return _follow_response(
        request, db, viewer, person, _("You no longer follow {name}.").format(name=person.display_name)
    )


@router.get("/tags/{name}")
def tag_page(request: Request, db: DB, viewer: CurrentUser, name: str, cursor: str = "") -> Response:
    """A tag: the colleagues who carry that expertise."""
    tag = tag_service.find_tag(db, name)
    if tag is None:
        raise NotFound(_("Nobody uses this tag yet."))
    page = directory.people_with_tag(db, tag=tag.name, cursor=cursor or None)
    return render(
        request,
        "tags/show.html",
        {
            "tag": tag,
            "count": directory.tag_count(db, tag=tag),
            "people": page.items,
            "next_cursor": page.next_cursor,
            "filters": {"tag": tag.name},
            **_cards_context(db, viewer, page.items),
        },
        block="more" if cursor else None,
    )


@router.get("/suggest/tags")
def suggest_tags(request: Request, db: DB, _viewer: CurrentUser, tags: str = "") -> Response:
    """Datalist options completing the last tag typed in a comma-separated field."""
    head, _sep, last = tags.rpartition(",")
    prefix = (head.strip() + ", ") if head.strip() else ""
    already = {fold(t) for t in head.split(",") if t.strip()}
    found = tag_service.suggest_tags(db, last.strip()) if last.strip() else []
    options = [(prefix + name, count) for name, count in found if fold(name) not in already]
    return render(request, "people/_tag_options.html", {"options": options})


@router.get("/suggest/people")
def suggest_people(request: Request, db: DB, _viewer: CurrentUser, manager: str = "") -> Response:
    """Datalist options of colleagues whose name matches (the manager picker)."""
    people = directory.search_people(db, q=manager, limit=8).items if len(manager.strip()) >= 2 else []
    return render(request, "people/_people_options.html", {"options": people})


@router.get("/media/photos/{photo_id}.jpg")
def photo(db: DB, _viewer: CurrentUser, photo_id: str) -> Response:
    """A profile photo (signed-in colleagues only; cached for long: a new photo gets a new URL)."""
    stored = photos.get_photo(db, photo_id)
    return Response(
        stored.data,
        media_type=stored.content_type,
        headers={
            "Cache-Control": "private, max-age=31536000, immutable",
            "Content-Disposition": f'inline; filename="{stored.id}.jpg"',
            "X-Content-Type-Options": "nosniff",
        },
    )

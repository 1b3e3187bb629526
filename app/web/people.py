"""The directory, the expert finder, profiles, tag pages, follow buttons and photos."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from app.deps import DB, CurrentUser
from app.i18n import _
from app.models import User
from app.services import directory, photos, posts, users
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
    # the filters' choices are only drawn with the whole page, not with each htmx refresh of the results
    departments, sites = ([], []) if is_htmx(request) else directory.facets(db)
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
def profile_page(request: Request, db: DB, viewer: CurrentUser, handle: str, cursor: str = "") -> Response:
    """A colleague's profile: who they are, their expertise and their activity; their network loads beside."""
    view = users.profile_view(db, viewer=viewer, handle=handle)
    person = view.person
    activity = posts.profile_feed(db, viewer=viewer, person=person, cursor=cursor or None, limit=10)
    if cursor:
        return render(
            request,
            "posts/feed_page.html",
            {
                "items": activity.items,
                "next_cursor": activity.next_cursor,
                "more_url": f"/people/{person.handle}",
            },
            block="more",
        )
    return render(
        request,
        "people/profile.html",
        {
            "person": person,
            "view": view,
            "person_tags": tag_service.tags_of(db, [person.id])[person.id],
            "is_me": person.id == viewer.id,
            "activity": activity.items,
            "activity_cursor": activity.next_cursor,
        },
    )


@router.get("/people/{handle}/aside")
def profile_aside(request: Request, db: DB, viewer: CurrentUser, handle: str) -> Response:
    """Beside a profile: their manager and team, whom they follow, how many posts the viewer may read."""
    person = users.get_user_by_handle(db, handle)
    manager = users.get_user(db, person.manager_id) if person.manager_id else None
    _followers, following_count = users.follow_counts(db, user=person)
    return render(
        request,
        "people/profile_aside.html",
        {
            "person": person,
            "manager": manager,
            "reports": users.direct_reports(db, user=person),
            "followed": users.following(db, user=person, limit=24),
            "following_count": following_count,
            "post_count": posts.post_count(db, viewer=viewer, person=person),
        },
        block="aside",
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
    """A hashtag: the posts carrying it, the colleagues with that expertise, questions waiting."""
    tag = tag_service.find_tag(db, name)
    if tag is None:
        raise NotFound(_("Nobody uses this tag yet."))
    feed = posts.tag_feed(db, viewer=viewer, tag=tag, cursor=cursor or None)
    if cursor:
        return render(
            request,
            "posts/feed_page.html",
            {"items": feed.items, "next_cursor": feed.next_cursor, "more_url": f"/tags/{tag.name}"},
            block="more",
        )
    people = directory.people_with_tag(db, tag=tag.name, limit=12)
    return render(
        request,
        "tags/show.html",
        {
            "tag": tag,
            "count": directory.tag_count(db, tag=tag),
            "post_count": posts.tag_post_count(db, viewer=viewer, tag=tag),
            "following": posts.follows_tag(db, actor=viewer, tag=tag),
            "people": people.items,
            "more_people": people.next_cursor is not None,
            "items": feed.items,
            "next_cursor": feed.next_cursor,
            "unanswered": posts.unanswered_questions(db, viewer=viewer, tag=tag, limit=5),
            **_cards_context(db, viewer, people.items),
        },
    )


@router.post("/tags/{name}/follow")
def follow_tag(
    request: Request, db: DB, viewer: CurrentUser, name: str, follow: Annotated[str, Form()] = "1"
) -> Response:
    """Follow (or stop following) a hashtag: its posts come to the home feed."""
    tag = posts.follow_tag(db, actor=viewer, name=name, follow=follow == "1")
    if not is_htmx(request):
        return redirect(request, f"/tags/{tag.name}")
    message = _("You follow #{tag}.") if follow == "1" else _("You no longer follow #{tag}.")
    return render(
        request,
        "tags/_follow.html",
        {"tag": tag, "following": follow == "1"},
        toast=message.format(tag=tag.name),
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
def suggest_people(
    request: Request,
    db: DB,
    _viewer: CurrentUser,
    q: str = "",
    manager: str = "",
    praised: str = "",
    person: str = "",
) -> Response:
    """Datalist options of colleagues whose name matches (manager and colleague pickers)."""
    typed = (q or manager or praised or person).strip()
    people = directory.search_people(db, q=typed, limit=8).items if len(typed) >= 2 else []
    return render(request, "people/_people_options.html", {"options": people})


@router.get("/media/photos/{photo_id}.jpg")
@router.get("/media/images/{photo_id}.jpg")
def photo(db: DB, _viewer: CurrentUser, photo_id: str) -> Response:
    """A profile photo or an article image (signed-in colleagues only; cached for long: a new image
    gets a new URL)."""
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

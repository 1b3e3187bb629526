"""Posting, the home feed, a post's page with its comments, reactions, answers, RSVPs and votes."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import Row, select

from app.deps import DB, AppSettings, CurrentUser
from app.i18n import _
from app.models import Community, Event, Membership, MemberStatus, Post, Role, User
from app.models.base import utcnow
from app.services import communities, delegates, events, photos, posts
from app.services.errors import FieldError, Invalid
from app.services.text import split_tags
from app.services.visibility import get_visible_community, get_visible_post
from app.web import leadership
from app.web.htmx import is_htmx, redirect, render
from app.web.pages import field_errors, page_router, safe_next

router = page_router()
_EMAIL_IN = re.compile(r"<([^<>@\s]+@[^<>\s]+)>\s*$")


def my_communities(db: DB, viewer: User) -> list[Row[tuple[str, str]]]:
    """The communities a person may post in (member, not archived), by name: slug and name only,
    the composer's choice (the home page shows it on every visit)."""
    return list(
        db.execute(
            select(Community.slug, Community.name)
            .join(Membership, Membership.community_id == Community.id)
            .where(
                Membership.user_id == viewer.id,
                Membership.status == MemberStatus.member.value,
                Community.archived_at.is_(None),
            )
            .order_by(Community.search_name)
        )
    )


def composer_context(
    db: DB,
    viewer: User,
    *,
    next_url: str,
    fixed_community: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    saved: bool = False,
    new_item: Any = None,
) -> dict[str, Any]:
    """What the post composer needs."""
    return {
        "values": values or {"kind": "status"},
        "errors": errors or {},
        "next": next_url,
        "fixed_community": fixed_community,
        "communities": [] if fixed_community else my_communities(db, viewer),
        "can_lead": viewer.has_role(Role.executive),
        "post_as": None,  # the executives one may post for: loaded when the composer is first used
        "saved": saved,
        "new_item": new_item,
    }


def _local(value: str, tz: str, field: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise Invalid.one(field, _("Give a date and a time.")) from exc
    return parsed.replace(tzinfo=ZoneInfo(tz)) if parsed.tzinfo is None else parsed


def _event_data(
    tz: str, starts_at: str, ends_at: str, location: str, capacity: str, online_url: str
) -> posts.EventData:
    """An event's fields as the composer and the editor send them (times in the site's zone)."""
    start = _local(starts_at, tz, "event.starts_at")
    if start is None:
        raise Invalid.one("event.starts_at", _("When does it start?"))
    try:
        seats = int(capacity) if capacity.strip() else None
    except ValueError as exc:
        raise Invalid.one("event.capacity", _("A number of seats, or nothing.")) from exc
    return posts.EventData(
        starts_at=start,
        ends_at=_local(ends_at, tz, "event.ends_at"),
        location=location,
        capacity=seats,
        online_url=online_url.strip() or None,
    )


def person_id(db: DB, typed: str) -> int | None:
    """The active person a picker names: \"Name <email>\", an email or an @handle."""
    typed = typed.strip()
    if not typed:
        return None
    match = _EMAIL_IN.search(typed)
    email = (match.group(1) if match else typed).lower()
    found = db.scalar(select(User.id).where(User.email == email, User.is_active.is_(True)))
    if found is None:
        handle = typed.lstrip("@").lower()
        found = db.scalar(select(User.id).where(User.handle == handle, User.is_active.is_(True)))
    if found is None:
        raise Invalid.one("praised_user_id", _("Choose a colleague from the suggestions."))
    return found


@router.get("/feed")
def feed_more(request: Request, db: DB, viewer: CurrentUser, cursor: str = "") -> Response:
    """The next page of the home feed (htmx "load more"; a plain page without JavaScript)."""
    page = posts.home_feed(db, viewer=viewer, cursor=cursor or None)
    return render(
        request, "posts/feed_page.html", {"items": page.items, "next_cursor": page.next_cursor}, block="more"
    )


@router.get("/feed/new")
def feed_new(request: Request, db: DB, viewer: CurrentUser, since: str = "") -> Response:
    """How many posts arrived since the page was loaded (the "N new posts" indicator)."""
    try:
        moment = datetime.fromisoformat(since)
    except ValueError:
        moment = utcnow()
    count = posts.new_in_home_feed(db, viewer=viewer, since=moment)
    return render(request, "posts/_new_posts.html", {"count": count, "since": since})


@router.post("/posts")
def create_post(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    kind: Annotated[str, Form()] = "status",
    body: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    community: Annotated[str, Form()] = "",
    tags: Annotated[str, Form()] = "",
    praised: Annotated[str, Form()] = "",
    starts_at: Annotated[str, Form()] = "",
    ends_at: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "",
    capacity: Annotated[str, Form()] = "",
    online_url: Annotated[str, Form()] = "",
    options: Annotated[str, Form()] = "",
    is_leadership: Annotated[str, Form()] = "",
    on_behalf_of: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
    fixed: Annotated[str, Form()] = "",
    image: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Share a post from the composer; on a mistake, the composer again with the messages."""
    values = {
        "kind": kind,
        "body": body,
        "title": title,
        "community": community,
        "tags": tags,
        "praised": praised,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "location": location,
        "capacity": capacity,
        "online_url": online_url,
        "options": options,
        "is_leadership": bool(is_leadership),
        "on_behalf_of": on_behalf_of,
    }
    fixed_community = community if fixed else None
    problems: list[FieldError] = []
    author_id = int(on_behalf_of) if on_behalf_of.strip().isdigit() else None
    if is_leadership and author_id is None and not viewer.has_role(Role.executive):
        problems.append(FieldError("is_leadership", _("Only executives' posts can be leadership posts.")))
    event = None
    praised_id = None
    try:
        if kind == "event":
            event = _event_data(settings.timezone, starts_at, ends_at, location, capacity, online_url)
        if kind == "praise":
            praised_id = person_id(db, praised)
        if kind == "article" and image is not None and image.filename:
            picture = image.file.read(settings.max_upload_bytes + 1)
            stored = photos.store_image(db, settings=settings, actor=viewer, data=picture)
            body = f"{body.rstrip()}\n\n![{title.strip()}]({photos.image_url(stored)})\n"
    except Invalid as exc:
        problems += exc.errors
    data = posts.PostData(
        kind=kind,
        body=body,
        title=title or None,
        community=community or None,
        tags=split_tags(tags),
        event=event,
        praised_user_id=praised_id,
        poll_options=options.splitlines(),
        is_leadership=bool(is_leadership),
        on_behalf_of=author_id,
    )
    if kind == "event" and event is None and not problems:
        problems.append(FieldError("event.starts_at", _("When does it start?")))
    post: Post | None = None
    try:
        if problems:
            raise Invalid(problems)
        post = posts.create_post(db, actor=viewer, data=data)
    except Invalid as exc:
        db.rollback()
        errors = field_errors(Invalid([*problems, *[e for e in exc.errors if e not in problems]]))
        context = composer_context(
            db, viewer, next_url=next, fixed_community=fixed_community, values=values, errors=errors
        )
        context["post_as"] = delegates.executives_served(db, delegate=viewer)
        return render(request, "posts/_composer.html", {"composer": context}, status=422)
    if post.is_draft:  # a delegate's draft waits for the executive: it is in no feed yet
        if not is_htmx(request):
            return redirect(request, "/leadership/drafts")
        context = composer_context(db, viewer, next_url=next, fixed_community=fixed_community, saved=True)
        context["draft"] = True
        return render(request, "posts/_composer.html", {"composer": context}, toast=_("Sent for approval."))
    if not is_htmx(request):
        return redirect(request, safe_next(next))
    item = posts.feed_item(db, viewer=viewer, post=post)
    context = composer_context(
        db, viewer, next_url=next, fixed_community=fixed_community, saved=True, new_item=item
    )
    return render(request, "posts/_composer.html", {"composer": context}, toast=_("Posted."))


@router.get("/posts/{post_id}")
def post_page(request: Request, db: DB, viewer: CurrentUser, post_id: int) -> Response:
    """A post with all its comments and replies; the accepted answer first."""
    item = posts.get_visible_item(db, viewer=viewer, post_id=post_id)
    leadership.note_read(request, item=item, viewer=viewer)
    return render(request, "posts/show.html", _post_context(db, viewer, item))


def _post_context(db: DB, viewer: User, item: Any, **extra: Any) -> dict[str, Any]:
    return {
        "item": item,
        "post": item,
        "comments": posts.comments_of(db, post=item),
        "can_moderate": communities.can_moderate(db, viewer, item.community_id),
        "is_author": item.author_id == viewer.id,
        "can_manage": delegates.may_manage(
            db, actor=viewer, author_id=item.author_id, posted_by_id=item.posted_by_id
        ),
        "errors": {},
        **extra,
    }


def _reactions(request: Request, db: DB, viewer: User, post: Post) -> Response:
    if not is_htmx(request):
        return redirect(request, f"/posts/{post.id}")
    return render(request, "posts/_reactions.html", {"item": posts.feed_item(db, viewer=viewer, post=post)})


@router.post("/posts/{post_id}/react")
def react(
    request: Request, db: DB, viewer: CurrentUser, post_id: int, kind: Annotated[str, Form()] = "like"
) -> Response:
    """React to a post; the counts update in place."""
    post = get_visible_post(db, viewer, post_id)
    posts.react(db, actor=viewer, post=post, kind=kind)
    return _reactions(request, db, viewer, post)


@router.post("/posts/{post_id}/unreact")
def unreact(request: Request, db: DB, viewer: CurrentUser, post_id: int) -> Response:
    """Take one's reaction back."""
    post = get_visible_post(db, viewer, post_id)
    posts.unreact(db, actor=viewer, post=post)
    return _reactions(request, db, viewer, post)


@router.post("/posts/{post_id}/comments")
def comment(
    request: Request,
    db: DB,
    viewer: CurrentUser,
    post_id: int,
    body: Annotated[str, Form()] = "",
    parent_id: Annotated[str, Form()] = "",
) -> Response:
    """Comment (or answer, or reply); htmx refreshes the thread without reloading the page."""
    post = get_visible_post(db, viewer, post_id)
    try:
        parent = int(parent_id) if parent_id.strip() else None
    except ValueError:
        parent = -1
    try:
        posts.add_comment(db, actor=viewer, post=post, body=body, parent_id=parent)
    except Invalid as exc:
        db.rollback()
        item = posts.get_visible_item(db, viewer=viewer, post_id=post_id)
        context = _post_context(db, viewer, item, errors=field_errors(exc), typed=body)
        return render(
            request, "posts/show.html", context, status=422, block="comments" if is_htmx(request) else None
        )
    if not is_htmx(request):
        return redirect(request, f"/posts/{post_id}#comments")
    item = posts.get_visible_item(db, viewer=viewer, post_id=post_id)
    return render(request, "posts/show.html", _post_context(db, viewer, item), block="comments")


@router.post("/posts/{post_id}/comments/{comment_id}/accept")
def accept(request: Request, db: DB, viewer: CurrentUser, post_id: int, comment_id: int) -> Response:
    """The question's author accepts an answer."""
    posts.accept_answer(db, actor=viewer, post=get_visible_post(db, viewer, post_id), comment_id=comment_id)
    return redirect(request, f"/posts/{post_id}#comment-{comment_id}")


@router.post("/posts/{post_id}/comments/{comment_id}/delete")
def delete_comment(request: Request, db: DB, viewer: CurrentUser, post_id: int, comment_id: int) -> Response:
    """The author deletes their comment."""
    post = get_visible_post(db, viewer, post_id)
    posts.delete_comment(db, actor=viewer, post=post, comment=posts.get_comment(db, post, comment_id))
    return redirect(request, f"/posts/{post_id}#comments")


@router.post("/posts/{post_id}/rsvp")
def rsvp(request: Request, db: DB, viewer: CurrentUser, post_id: int) -> Response:
    """Say you come (or join the waiting list)."""
    post = get_visible_post(db, viewer, post_id)
    status = events.rsvp(db, actor=viewer, post=post)
    message = (
        _("See you there!") if status == "going" else _("The event is full: you are on the waiting list.")
    )
    return _event_box(request, db, viewer, post, message)


@router.post("/posts/{post_id}/rsvp/cancel")
def cancel_rsvp(request: Request, db: DB, viewer: CurrentUser, post_id: int) -> Response:
    """Withdraw from an event."""
    post = get_visible_post(db, viewer, post_id)
    events.cancel_rsvp(db, actor=viewer, post=post)
    return _event_box(request, db, viewer, post, _("You are no longer registered."))


def _event_box(request: Request, db: DB, viewer: User, post: Post, message: str) -> Response:
    if not is_htmx(request):
        return redirect(request, f"/posts/{post.id}")
    return render(
        request, "posts/_event.html", {"item": posts.feed_item(db, viewer=viewer, post=post)}, toast=message
    )


@router.get("/posts/{post_id}/event.ics")
def event_ics(request: Request, db: DB, viewer: CurrentUser, post_id: int) -> Response:
    """The event as a calendar file."""
    post = get_visible_post(db, viewer, post_id)
    return Response(
        events.ics(db, post=post, base_url=str(request.base_url)),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="proxima-event-{post.id}.ics"'},
    )


@router.post("/posts/{post_id}/vote")
def vote(
    request: Request, db: DB, viewer: CurrentUser, post_id: int, option_id: Annotated[str, Form()] = ""
) -> Response:
    """Vote in a poll; the results replace the form."""
    post = get_visible_post(db, viewer, post_id)
    try:
        events.vote(db, actor=viewer, post=post, option_id=int(option_id))
    except ValueError:
        raise Invalid.one("option_id", _("Choose one of the poll's options.")) from None
    if not is_htmx(request):
        return redirect(request, f"/posts/{post.id}")
    return render(request, "posts/_poll.html", {"item": posts.feed_item(db, viewer=viewer, post=post)})


@router.get("/posts/{post_id}/edit")
def edit_form(request: Request, db: DB, settings: AppSettings, viewer: CurrentUser, post_id: int) -> Response:
    """The author's editor."""
    post = get_visible_post(db, viewer, post_id)
    tag_names = [t for t in posts.feed_item(db, viewer=viewer, post=post).tags]
    values = {"title": post.title or "", "body": post.body, "tags": ", ".join(tag_names)}
    event = db.get(Event, post.id) if post.kind == "event" else None
    if event is not None:
        zone = ZoneInfo(settings.timezone)

        def local(value: datetime | None) -> str:
            return value.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if value else ""

        values |= {
            "starts_at": local(event.starts_at),
            "ends_at": local(event.ends_at),
            "location": event.location,
            "online_url": event.online_url or "",
            "capacity": str(event.capacity or ""),
        }
    return render(request, "posts/edit.html", {"post": post, "values": values, "errors": {}})


@router.post("/posts/{post_id}/edit")
def edit(
    request: Request,
    db: DB,
    viewer: CurrentUser,
    post_id: int,
    settings: AppSettings,
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    tags: Annotated[str, Form()] = "",
    starts_at: Annotated[str, Form()] = "",
    ends_at: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "",
    capacity: Annotated[str, Form()] = "",
    online_url: Annotated[str, Form()] = "",
) -> Response:
    """Save the author's changes (an "edited" mark shows); an event's attendees hear of a move."""
    post = get_visible_post(db, viewer, post_id)

    try:
        posts.update_post(
            db, actor=viewer, post=post, changes={"title": title, "body": body, "tags": split_tags(tags)}
        )
        if post.kind == "event":
            data = _event_data(settings.timezone, starts_at, ends_at, location, capacity, online_url)
            events.update_event(db, actor=viewer, post=post, data=data)
    except Invalid as exc:
        db.rollback()
        post = get_visible_post(db, viewer, post_id)
        values = {"title": title, "body": body, "tags": tags, "starts_at": starts_at, "ends_at": ends_at}
        values |= {"location": location, "capacity": capacity, "online_url": online_url}
        return render(
            request,
            "posts/edit.html",
            {"post": post, "values": values, "errors": field_errors(exc)},
            status=422,
        )
    return redirect(request, f"/posts/{post.id}")


@router.post("/posts/{post_id}/delete")
def delete(request: Request, db: DB, viewer: CurrentUser, post_id: int) -> Response:
    """The author deletes their post."""
    post = get_visible_post(db, viewer, post_id)
    community = db.get(Community, post.community_id) if post.community_id else None
    target = f"/communities/{community.slug}" if community else "/"
    posts.delete_post(db, actor=viewer, post=post)
    return redirect(request, target)


@router.post("/posts/{post_id}/remove")
def remove(
    request: Request, db: DB, viewer: CurrentUser, post_id: int, reason: Annotated[str, Form()] = ""
) -> Response:
    """A moderator removes a post, with a reason shown to its author."""
    post = get_visible_post(db, viewer, post_id)
    posts.remove_post(db, actor=viewer, post=post, reason=reason)
    community = db.get(Community, post.community_id) if post.community_id else None
    return redirect(request, f"/communities/{community.slug}" if community else "/")


@router.post("/posts/{post_id}/pin")
def pin(
    request: Request, db: DB, viewer: CurrentUser, post_id: int, pinned: Annotated[str, Form()] = "1"
) -> Response:
    """Community managers pin (or unpin) a post."""
    post = get_visible_post(db, viewer, post_id)
    communities.set_pinned(db, actor=viewer, post=post, pinned=pinned == "1")
    return redirect(request, f"/posts/{post.id}")


@router.get("/suggest/mentions")
def suggest_mentions(
    request: Request, db: DB, viewer: CurrentUser, q: str = "", community: str = ""
) -> Response:
    """People to mention; inside a private or secret community, only its members."""
    where = get_visible_community(db, viewer, community) if community else None
    people = posts.mention_candidates(db, viewer=viewer, prefix=q.lstrip("@"), community=where)
    return render(request, "people/_mention_options.html", {"options": people})

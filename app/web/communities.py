"""Community pages: the directory, creating and editing, a community's feed, members and requests."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response

from app.deps import DB, AppSettings, CurrentUser
from app.i18n import _
from app.models import Community, MemberStatus, User
from app.services import communities, posts
from app.services.errors import Invalid
from app.services.visibility import get_visible_community
from app.web.htmx import is_htmx, redirect, render
from app.web.pages import form_again, page_router
from app.web.posts import composer_context, person_id

router = page_router()


@router.get("/communities")
def directory(
    request: Request,
    db: DB,
    viewer: CurrentUser,
    q: str = "",
    visibility: str = "",
    mine: str = "",
    cursor: str = "",
) -> Response:
    """The communities one may see, with filters and suggestions."""
    page = communities.directory(
        db, viewer=viewer, q=q, visibility=visibility or None, mine=mine == "1", cursor=cursor or None
    )
    filters = {"q": q, "visibility": visibility, "mine": mine}
    return render(
        request,
        "communities/index.html",
        {
            "cards": page.items,
            "next_cursor": page.next_cursor,
            "filters": filters,
            "suggested": [] if cursor or q else communities.suggestions(db, viewer=viewer),
        },
        block="more" if cursor else "results",
    )


def _form_context(values: dict[str, Any] | None = None, community: Community | None = None) -> dict[str, Any]:
    return {
        "values": values or {"visibility": "public", "name": "", "description": "", "charter": ""},
        "community": community,
        "errors": {},
    }


def _save_cover(db: DB, settings: Any, viewer: User, community: Community, cover: UploadFile | None) -> None:
    if cover is not None and cover.filename:
        data = cover.file.read(settings.max_upload_bytes + 1)
        communities.set_cover(db, settings=settings, actor=viewer, community=community, data=data)


@router.get("/communities/new")
def new_form(request: Request, viewer: CurrentUser) -> Response:
    """The form to start a community."""
    return render(request, "communities/form.html", _form_context())


@router.post("/communities/new")
def create(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    name: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    charter: Annotated[str, Form()] = "",
    visibility: Annotated[str, Form()] = "public",
    cover: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Start a community; its creator manages it."""
    data = communities.CommunityData(
        name=name, description=description, charter=charter, visibility=visibility
    )
    try:
        community = communities.create_community(db, actor=viewer, data=data)
        _save_cover(db, settings, viewer, community, cover)
    except Invalid as exc:
        db.rollback()
        return form_again(request, "communities/form.html", _form_context(data.__dict__), exc)
    return redirect(request, f"/communities/{community.slug}")


def _page_context(db: DB, viewer: User, slug: str) -> dict[str, Any]:
    view = communities.community_view(db, viewer=viewer, slug=slug)
    return {
        "community": view.community,
        "view": view,
        "membership": view.membership,
        "member_count": view.member_count,
        "pending_count": view.pending_count,
        "is_manager": view.is_manager,
        "is_member": view.is_member,
        "readable": view.readable,
    }


@router.get("/communities/{slug}")
def show(
    request: Request, db: DB, viewer: CurrentUser, slug: str, cursor: str = "", kind: str = ""
) -> Response:
    """A community: its feed for those who may read it, pinned posts on top; the rest loads beside."""
    context = _page_context(db, viewer, slug)
    community = context["community"]
    items: list[Any] = []
    next_cursor = None
    if context["readable"]:
        page = posts.community_feed(
            db, viewer=viewer, community=community, cursor=cursor or None, kind=kind or None
        )
        items, next_cursor = page.items, page.next_cursor
    if cursor:
        return render(
            request,
            "posts/feed_page.html",
            {
                "items": items,
                "next_cursor": next_cursor,
                "more_url": f"/communities/{slug}",
                "more_params": f"&kind={quote(kind)}" if kind else "",
            },
            block="more",
        )
    context.update(
        items=items,
        next_cursor=next_cursor,
        kind=kind,
        pinned=posts.pinned_posts(db, viewer=viewer, community=community)
        if context["readable"] and not kind
        else [],
        composer=composer_context(db, viewer, next_url=f"/communities/{slug}", fixed_community=slug)
        if context["is_member"] and community.archived_at is None
        else None,
    )
    return render(request, "communities/show.html", context)


@router.get("/communities/{slug}/aside")
def aside(request: Request, db: DB, viewer: CurrentUser, slug: str) -> Response:
    """Beside a community's feed: questions waiting, trending tags, managers."""
    context = _page_context(db, viewer, slug)
    community = context["community"]
    readable = context["readable"]
    context.update(
        unanswered=posts.unanswered_questions(db, viewer=viewer, community=community, limit=5)
        if readable
        else [],
        trending=posts.trending_tags(db, viewer=viewer, community=community, limit=8) if readable else [],
        managers=[
            u for u, m in communities.members(db, community=community, limit=50) if m.role == "manager"
        ],
    )
    return render(request, "communities/aside.html", context, block="aside")


@router.post("/communities/{slug}/join")
def join(
    request: Request, db: DB, viewer: CurrentUser, slug: str, accept_charter: Annotated[str, Form()] = ""
) -> Response:
    """Join (public) or ask to join (private), accepting the charter."""
    community = get_visible_community(db, viewer, slug)
    try:
        communities.join(db, actor=viewer, slug=slug, accept_charter=accept_charter == "1")
    except Invalid as exc:
        db.rollback()
        context = _page_context(db, viewer, slug)
        community = context["community"]
        context.update(
            items=[],
            next_cursor=None,
            pinned=[],
            unanswered=[],
            trending=[],
            composer=None,
            kind="",
            errors={"accept_charter": exc.errors[0].message},
        )
        return render(request, "communities/show.html", context, status=422)
    return redirect(request, f"/communities/{community.slug}")


@router.post("/communities/{slug}/leave")
def leave(request: Request, db: DB, viewer: CurrentUser, slug: str) -> Response:
    """Leave a community, or withdraw a request."""
    communities.leave(db, actor=viewer, community=get_visible_community(db, viewer, slug))
    return redirect(request, "/communities")


@router.post("/communities/{slug}/watch")
def watch(
    request: Request, db: DB, viewer: CurrentUser, slug: str, level: Annotated[str, Form()] = ""
) -> Response:
    """A member chooses which of the community's news reach them."""
    community = get_visible_community(db, viewer, slug)
    member = communities.set_watch(db, actor=viewer, community=community, level=level)
    if not is_htmx(request):
        return redirect(request, f"/communities/{community.slug}")
    labels = {
        "all": _("You will hear of every new post here."),
        "mentions": _("You will hear of mentions and replies only."),
        "muted": _("This community is muted: it will not notify you."),
    }
    return render(
        request,
        "communities/_watch.html",
        {"community": community, "membership": member},
        toast=labels[member.watch],
    )


@router.get("/communities/{slug}/edit")
def edit_form(request: Request, db: DB, viewer: CurrentUser, slug: str) -> Response:
    """Managers edit the community."""
    community = get_visible_community(db, viewer, slug)
    communities.require_manager(db, viewer, community)
    values = {
        "name": community.name,
        "description": community.description,
        "charter": community.charter,
        "visibility": community.visibility,
    }
    return render(request, "communities/form.html", _form_context(values, community))


@router.post("/communities/{slug}/edit")
def edit(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    slug: str,
    name: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    charter: Annotated[str, Form()] = "",
    visibility: Annotated[str, Form()] = "public",
    cover: Annotated[UploadFile | None, File()] = None,
    remove_cover: Annotated[str, Form()] = "",
) -> Response:
    """Save the managers' changes."""
    community = get_visible_community(db, viewer, slug)
    data = communities.CommunityData(
        name=name, description=description, charter=charter, visibility=visibility
    )
    try:
        communities.update_community(db, actor=viewer, community=community, data=data)
        if remove_cover:
            communities.set_cover(db, settings=settings, actor=viewer, community=community, data=None)
        _save_cover(db, settings, viewer, community, cover)
    except Invalid as exc:
        db.rollback()
        community = get_visible_community(db, viewer, slug)
        return form_again(request, "communities/form.html", _form_context(data.__dict__, community), exc)
    return redirect(request, f"/communities/{community.slug}")


@router.post("/communities/{slug}/archive")
def archive(
    request: Request, db: DB, viewer: CurrentUser, slug: str, archived: Annotated[str, Form()] = "1"
) -> Response:
    """Managers archive the community (read-only) or bring it back."""
    community = get_visible_community(db, viewer, slug)
    communities.set_archived(db, actor=viewer, community=community, archived=archived == "1")
    return redirect(request, f"/communities/{slug}")


@router.get("/communities/{slug}/members")
def members(request: Request, db: DB, viewer: CurrentUser, slug: str) -> Response:
    """Members, and for managers the requests waiting and the tools to run the community."""
    context = _page_context(db, viewer, slug)
    community = context["community"]
    context.update(
        members=communities.members(db, community=community),
        pending=communities.members(db, community=community, status=MemberStatus.pending.value)
        if context["is_manager"]
        else [],
        errors={},
    )
    return render(request, "communities/members.html", context)


@router.post("/communities/{slug}/requests/{user_id}/{decision}")
def decide(request: Request, db: DB, viewer: CurrentUser, slug: str, user_id: int, decision: str) -> Response:
    """Managers approve or reject a request."""
    community = get_visible_community(db, viewer, slug)
    communities.decide_request(
        db, actor=viewer, community=community, user_id=user_id, approve=decision == "approve"
    )
    return redirect(request, f"/communities/{slug}/members")


@router.post("/communities/{slug}/members")
def add_member(
    request: Request, db: DB, viewer: CurrentUser, slug: str, person: Annotated[str, Form()] = ""
) -> Response:
    """Managers add a colleague (by "Name <email>", email or @handle)."""
    community = get_visible_community(db, viewer, slug)
    try:
        user_id = person_id(db, person)
        if user_id is None:
            raise Invalid.one("person", _("Choose a colleague from the suggestions."))
        communities.add_member(db, actor=viewer, community=community, user_id=user_id)
    except Invalid as exc:
        db.rollback()
        context = _page_context(db, viewer, slug)
        community = context["community"]
        context.update(
            members=communities.members(db, community=community),
            pending=communities.members(db, community=community, status=MemberStatus.pending.value),
            errors={"person": exc.errors[0].message},
            typed=person,
        )
        return render(request, "communities/members.html", context, status=422)
    return redirect(request, f"/communities/{slug}/members")


@router.post("/communities/{slug}/members/{user_id}/remove")
def remove_member(request: Request, db: DB, viewer: CurrentUser, slug: str, user_id: int) -> Response:
    """Managers remove a member."""
    communities.remove_member(
        db, actor=viewer, community=get_visible_community(db, viewer, slug), user_id=user_id
    )
    return redirect(request, f"/communities/{slug}/members")


@router.post("/communities/{slug}/members/{user_id}/manager")
def toggle_manager(
    request: Request,
    db: DB,
    viewer: CurrentUser,
    slug: str,
    user_id: int,
    manager: Annotated[str, Form()] = "1",
) -> Response:
    """Managers name another manager, or step one down."""
    community = get_visible_community(db, viewer, slug)
    communities.set_manager(db, actor=viewer, community=community, user_id=user_id, manager=manager == "1")
    return redirect(request, f"/communities/{slug}/members")

"""Communities: create, list, join, requests, members, managers, archive."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile
from pydantic import BaseModel

from app.api.schemas import Page, PersonRef, Strict
from app.deps import DB, AppSettings, CurrentUser
from app.models import Community, MemberStatus
from app.services import communities
from app.services.visibility import get_visible_community

router = APIRouter(tags=["communities"])


class CommunityCreate(Strict):
    """A new community."""

    name: str
    description: str = ""
    visibility: str = "public"
    charter: str = ""


class CommunityUpdate(Strict):
    """Changes to a community (managers); only the fields sent change."""

    name: str | None = None
    description: str | None = None
    visibility: str | None = None
    charter: str | None = None
    archived: bool | None = None


class CommunityRead(BaseModel):
    """A community as the caller may see it."""

    id: int
    slug: str
    name: str
    description: str
    visibility: str
    charter: str
    charter_html: str
    member_count: int
    my_status: str | None
    my_role: str | None
    archived: bool
    cover_url: str | None = None
    created_at: datetime
    reason: str | None = None


class JoinResult(BaseModel):
    """Where the caller stands after asking to join."""

    status: str


class JoinRequest(Strict):
    """Joining means accepting the community's charter."""

    accept_charter: bool = True


class MemberRead(BaseModel):
    """A member or requester of a community."""

    user: PersonRef
    role: str
    status: str
    since: datetime


def read(card: communities.CommunityCard) -> CommunityRead:
    """The API shape of a listed community."""
    c = card.community
    return CommunityRead(
        id=c.id,
        slug=c.slug,
        name=c.name,
        description=c.description,
        visibility=c.visibility,
        charter=c.charter,
        charter_html=c.charter_html,
        member_count=card.member_count,
        my_status=card.my_status,
        my_role=card.my_role,
        archived=c.archived_at is not None,
        cover_url=f"/media/images/{c.cover_id}.jpg" if c.cover_id else None,
        created_at=c.created_at,
        reason=card.reason,
    )


def read_one(db: DB, viewer: CurrentUser, community: Community) -> CommunityRead:
    """One community with its counts."""
    return read(communities.cards(db, viewer, [community])[0])


@router.post("/communities", status_code=201, response_model=CommunityRead)
def create_community(body: CommunityCreate, db: DB, actor: CurrentUser) -> CommunityRead:
    """Create a community; the creator manages it."""
    community = communities.create_community(
        db, actor=actor, data=communities.CommunityData(**body.model_dump())
    )
    return read_one(db, actor, community)


@router.get("/communities", response_model=Page[CommunityRead])
def list_communities(
    db: DB,
    viewer: CurrentUser,
    q: str = "",
    visibility: str | None = None,
    mine: bool = False,
    archived: bool = False,
    cursor: str | None = None,
    limit: Annotated[int | None, Query()] = None,
) -> Page[CommunityRead]:
    """The communities the caller may see (never a secret one they are not in)."""
    page = communities.directory(
        db,
        viewer=viewer,
        q=q,
        visibility=visibility,
        mine=mine,
        include_archived=archived,
        cursor=cursor,
        limit=limit,
    )
    return Page[CommunityRead](items=[read(c) for c in page.items], next_cursor=page.next_cursor)


@router.get("/communities/suggestions", response_model=Page[CommunityRead])
def suggested_communities(db: DB, viewer: CurrentUser) -> Page[CommunityRead]:
    """Communities worth joining, each with its reason."""
    return Page[CommunityRead](items=[read(c) for c in communities.suggestions(db, viewer=viewer)])


@router.get("/communities/{slug}", response_model=CommunityRead)
def get_community(slug: str, db: DB, viewer: CurrentUser) -> CommunityRead:
    """One community; 404 when it is secret to the caller."""
    return read_one(db, viewer, get_visible_community(db, viewer, slug))


@router.patch("/communities/{slug}", response_model=CommunityRead)
def update_community(slug: str, body: CommunityUpdate, db: DB, actor: CurrentUser) -> CommunityRead:
    """Managers edit or archive the community."""
    community = get_visible_community(db, actor, slug)
    changes = body.model_dump(exclude_unset=True)
    archived = changes.pop("archived", None)
    if changes:
        data = communities.CommunityData(
            name=changes.get("name", community.name),
            description=changes.get("description", community.description),
            charter=changes.get("charter", community.charter),
            visibility=changes.get("visibility", community.visibility),
        )
        communities.update_community(db, actor=actor, community=community, data=data)
    if archived is not None:
        communities.set_archived(db, actor=actor, community=community, archived=archived)
    return read_one(db, actor, community)


@router.post("/communities/{slug}/join", response_model=JoinResult)
def join(slug: str, db: DB, actor: CurrentUser, body: JoinRequest | None = None) -> JoinResult:
    """Join a public community (member) or ask to join a private one (pending)."""
    accept = body.accept_charter if body is not None else True
    membership = communities.join(db, actor=actor, slug=slug, accept_charter=accept)
    return JoinResult(status=membership.status)


@router.post("/communities/{slug}/leave", status_code=204)
def leave(slug: str, db: DB, actor: CurrentUser) -> Response:
    """Leave a community, or withdraw a request."""
    communities.leave(db, actor=actor, community=get_visible_community(db, actor, slug))
    return Response(status_code=204)


class WatchIn(Strict):
    """How closely the caller follows a community: `all`, `mentions` (the default) or `muted`."""

    level: str


class WatchRead(BaseModel):
    """The caller's watch level in a community."""

    level: str


@router.put("/communities/{slug}/watch", response_model=WatchRead)
def set_watch(slug: str, body: WatchIn, db: DB, actor: CurrentUser) -> WatchRead:
    """Choose which of a community's news notify the caller (members only)."""
    community = get_visible_community(db, actor, slug)
    member = communities.set_watch(db, actor=actor, community=community, level=body.level)
    return WatchRead(level=member.watch)


@router.get("/communities/{slug}/members", response_model=Page[MemberRead])
def list_members(slug: str, db: DB, viewer: CurrentUser, status: str = "member") -> Page[MemberRead]:
    """Members (anyone who may see the community); pending requests (managers only)."""
    community = get_visible_community(db, viewer, slug)
    if status == MemberStatus.pending.value:
        communities.require_manager(db, viewer, community)
    rows = communities.members(db, community=community, status=status)
    return Page[MemberRead](
        items=[
            MemberRead(
                user=PersonRef(id=u.id, display_name=u.display_name, handle=u.handle),
                role=m.role,
                status=m.status,
                since=m.joined_at or m.created_at,
            )
            for u, m in rows
        ]
    )


@router.post("/communities/{slug}/requests/{user_id}/approve", status_code=204)
def approve(slug: str, user_id: int, db: DB, actor: CurrentUser) -> Response:
    """Managers approve a request to join."""
    community = get_visible_community(db, actor, slug)
    communities.decide_request(db, actor=actor, community=community, user_id=user_id, approve=True)
    return Response(status_code=204)


@router.post("/communities/{slug}/requests/{user_id}/reject", status_code=204)
def reject(slug: str, user_id: int, db: DB, actor: CurrentUser) -> Response:
    """Managers reject a request to join."""
    community = get_visible_community(db, actor, slug)
    communities.decide_request(db, actor=actor, community=community, user_id=user_id, approve=False)
    return Response(status_code=204)


@router.put("/communities/{slug}/members/{user_id}", status_code=204)
def add_member(slug: str, user_id: int, db: DB, actor: CurrentUser) -> Response:
    """Managers add a member (the way into a secret community)."""
    communities.add_member(db, actor=actor, community=get_visible_community(db, actor, slug), user_id=user_id)
    return Response(status_code=204)


@router.delete("/communities/{slug}/members/{user_id}", status_code=204)
def remove_member(slug: str, user_id: int, db: DB, actor: CurrentUser) -> Response:
    """Managers remove a member; a member may remove themself."""
    communities.remove_member(
        db, actor=actor, community=get_visible_community(db, actor, slug), user_id=user_id
    )
    return Response(status_code=204)


@router.put("/communities/{slug}/managers/{user_id}", status_code=204)
def add_manager(slug: str, user_id: int, db: DB, actor: CurrentUser) -> Response:
    """Managers name another manager."""
    community = get_visible_community(db, actor, slug)
    communities.set_manager(db, actor=actor, community=community, user_id=user_id, manager=True)
    return Response(status_code=204)


@router.delete("/communities/{slug}/managers/{user_id}", status_code=204)
def remove_manager(slug: str, user_id: int, db: DB, actor: CurrentUser) -> Response:
    """Managers step a manager down (one always remains)."""
    community = get_visible_community(db, actor, slug)
    communities.set_manager(db, actor=actor, community=community, user_id=user_id, manager=False)
    return Response(status_code=204)


@router.put("/communities/{slug}/cover", response_model=CommunityRead)
def set_cover(
    slug: str, file: Annotated[UploadFile, File()], db: DB, settings: AppSettings, actor: CurrentUser
) -> CommunityRead:
    """Managers upload a cover image (re-encoded, at most 1600 px wide)."""
    community = get_visible_community(db, actor, slug)
    data = file.file.read(settings.max_upload_bytes + 1)
    communities.set_cover(db, settings=settings, actor=actor, community=community, data=data)
    return read_one(db, actor, community)


@router.delete("/communities/{slug}/cover", response_model=CommunityRead)
def remove_cover(slug: str, db: DB, settings: AppSettings, actor: CurrentUser) -> CommunityRead:
    """Managers remove the cover image."""
    community = get_visible_community(db, actor, slug)
    communities.set_cover(db, settings=settings, actor=actor, community=community, data=None)
    return read_one(db, actor, community)

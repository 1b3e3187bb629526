"""People: accounts, profiles, the directory, the expert finder, follows, photos and the import."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.schemas import Page, PersonRef, Strict
from app.deps import DB, AppSettings, CurrentUser
from app.models import User
from app.services import directory, photos, tags, users

router = APIRouter(tags=["people"])


class UserRead(BaseModel):
    """A person's profile as colleagues see it (never their engagement stage)."""

    id: int
    email: str
    handle: str
    display_name: str
    department: str | None
    site: str | None
    job_title: str | None
    roles: list[str]
    tags: list[str]
    bio: str
    languages: list[str]
    manager: PersonRef | None
    photo_url: str | None
    is_active: bool
    created_at: datetime


class MeRead(UserRead):
    """One's own profile, with one's settings."""

    locale: str | None


class UserCreate(Strict):
    """An account created by an administrator."""

    email: str
    display_name: str
    password: str | None = None
    department: str | None = None
    site: str | None = None
    job_title: str | None = None
    manager_email: str | None = None
    roles: list[str] = Field(default_factory=list)
    locale: str | None = None


class ProfileUpdate(Strict):
    """Fields of one's profile; only those sent change."""

    display_name: str | None = None
    bio: str | None = None
    tags: list[str] | None = None
    locale: str | None = None
    job_title: str | None = None
    department: str | None = None
    site: str | None = None
    manager_id: int | None = None
    languages: list[str] | None = None


class AdminUpdate(ProfileUpdate):
    """What an administrator may change on anyone's account."""

    roles: list[str] | None = None
    is_active: bool | None = None


class ExpertRead(BaseModel):
    """A person the expert finder proposes."""

    user: UserRead
    score: int
    matched_tags: list[str]


class TagSuggestion(BaseModel):
    """An existing tag and how many people carry it."""

    name: str
    people: int


class ImportReportRead(BaseModel):
    """What a directory import did."""

    created: int
    updated: int
    unchanged: int


def read_users(db: Session, people: list[User]) -> list[UserRead]:
    """Profiles for several people with two queries (their tags and their managers)."""
    tag_map = tags.tags_of(db, [p.id for p in people])
    role_map = users.roles_of(db, [p.id for p in people])
    manager_ids = {p.manager_id for p in people if p.manager_id}
    managers = (
        {m.id: m for m in db.scalars(select(User).where(User.id.in_(manager_ids)))} if manager_ids else {}
    )
    result = []
    for p in people:
        manager = managers.get(p.manager_id) if p.manager_id else None
        result.append(
            UserRead(
                id=p.id,
                email=p.email,
                handle=p.handle,
                display_name=p.display_name,
                department=p.department,
                site=p.site,
                job_title=p.job_title,
                roles=role_map.get(p.id, ["employee"]),
                tags=tag_map.get(p.id, []),
                bio=p.bio,
                languages=list(p.languages or []),
                manager=PersonRef(id=manager.id, display_name=manager.display_name, handle=manager.handle)
                if manager
                else None,
                photo_url=f"/media/photos/{p.photo_id}.jpg" if p.photo_id else None,
                is_active=p.is_active,
                created_at=p.created_at,
            )
        )
    return result


def read_me(db: Session, user: User) -> MeRead:
    """One's own profile."""
    return MeRead(**read_users(db, [user])[0].model_dump(), locale=user.locale)


@router.post("/users", status_code=201, response_model=UserRead)
def create_user(body: UserCreate, db: DB, settings: AppSettings, actor: CurrentUser) -> UserRead:
    """Create an account (administrators)."""
    user = users.create_user(db, settings=settings, actor=actor, data=users.AccountData(**body.model_dump()))
    return read_users(db, [user])[0]


@router.get("/users/me", response_model=MeRead)
def get_me(db: DB, user: CurrentUser) -> MeRead:
    """The caller's own profile."""
    return read_me(db, user)


@router.patch("/users/me", response_model=MeRead)
def update_me(body: ProfileUpdate, db: DB, user: CurrentUser) -> MeRead:
    """Edit one's profile: bio, tags, locale, job title, department, site, manager, languages."""
    users.update_profile(db, actor=user, user=user, changes=body.model_dump(exclude_unset=True))
    return read_me(db, user)


@router.put("/users/me/photo", response_model=MeRead)
def upload_photo(
    photo: Annotated[UploadFile, File()], db: DB, settings: AppSettings, user: CurrentUser
) -> MeRead:
    """Upload a profile photo (JPEG, PNG, WebP or GIF; resized and re-encoded)."""
    data = photo.file.read(settings.max_upload_bytes + 1)
    photos.set_photo(db, settings=settings, actor=user, data=data)
    return read_me(db, user)


@router.delete("/users/me/photo", status_code=204)
def delete_photo(db: DB, user: CurrentUser) -> Response:
    """Remove one's profile photo."""
    photos.remove_photo(db, actor=user)
    return Response(status_code=204)


@router.get("/users", response_model=Page[UserRead])
def list_users(
    db: DB,
    _user: CurrentUser,
    q: str | None = None,
    tag: str | None = None,
    department: str | None = None,
    site: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int | None, Query()] = None,
) -> Page[UserRead]:
    """The directory: search by name (`q`), expertise tag, department and site."""
    page = directory.search_people(
        db, q=q, tag=tag, department=department, site=site, cursor=cursor, limit=limit
    )
    return Page[UserRead](items=read_users(db, page.items), next_cursor=page.next_cursor)


@router.post("/users/import", response_model=ImportReportRead)
def import_users(
    file: Annotated[UploadFile, File()], db: DB, settings: AppSettings, actor: CurrentUser
) -> ImportReportRead:
    """Import the directory from CSV (administrators): all rows or none, bad rows reported by line."""
    raw = file.file.read(settings.max_import_bytes + 1)
    report = directory.import_directory(db, settings=settings, actor=actor, raw=raw)
    return ImportReportRead(created=report.created, updated=report.updated, unchanged=report.unchanged)


@router.get("/users/{user_id}", response_model=UserRead)
def get_user(user_id: int, db: DB, _user: CurrentUser) -> UserRead:
    """A colleague's profile."""
    return read_users(db, [users.get_user(db, user_id)])[0]


@router.patch("/users/{user_id}", response_model=UserRead)
def admin_update_user(user_id: int, body: AdminUpdate, db: DB, actor: CurrentUser) -> UserRead:
    """Change anyone's profile, roles or active state (administrators)."""
    users.require_admin(actor)
    target = users.get_user(db, user_id)
    changes = body.model_dump(exclude_unset=True)
    roles, active = changes.pop("roles", None), changes.pop("is_active", None)
    if changes:
        users.update_profile(db, actor=actor, user=target, changes=changes)
    if roles is not None:
        users.set_roles(db, actor=actor, user=target, roles=roles)
    if active is not None:
        users.set_active(db, actor=actor, user=target, active=active)
    return read_users(db, [target])[0]


@router.put("/users/{user_id}/follow", status_code=204)
def follow(user_id: int, db: DB, actor: CurrentUser) -> Response:
    """Follow a colleague (idempotent)."""
    users.follow(db, actor=actor, user=users.get_user(db, user_id))
    return Response(status_code=204)


@router.delete("/users/{user_id}/follow", status_code=204)
def unfollow(user_id: int, db: DB, actor: CurrentUser) -> Response:
    """Stop following a colleague (idempotent)."""
    users.unfollow(db, actor=actor, user=users.get_user(db, user_id))
    return Response(status_code=204)


@router.get("/users/{user_id}/following", response_model=Page[UserRead])
def list_following(user_id: int, db: DB, _user: CurrentUser) -> Page[UserRead]:
    """Whom a person follows."""
    return Page[UserRead](items=read_users(db, users.following(db, user=users.get_user(db, user_id))))


@router.get("/experts", response_model=Page[ExpertRead])
def experts(db: DB, _user: CurrentUser, q: str = "") -> Page[ExpertRead]:
    """ "Who knows …?": people ranked by how well their expertise tags match `q`."""
    found = directory.find_experts(db, query=q)
    reads = read_users(db, [e.user for e in found])
    return Page[ExpertRead](
        items=[
            ExpertRead(user=r, score=e.score, matched_tags=e.matched)
            for r, e in zip(reads, found, strict=True)
        ]
    )


@router.get("/tags", response_model=list[TagSuggestion])
def suggest_tags(db: DB, _user: CurrentUser, q: str = "") -> list[TagSuggestion]:
    """Existing tags starting with `q`, most carried first."""
    return [TagSuggestion(name=name, people=count) for name, count in tags.suggest_tags(db, q)]

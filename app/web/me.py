"""One's own profile and settings: edit the profile, the photo, password, API tokens, sessions."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from app.deps import DB, AppSettings, CurrentCaller, CurrentUser
from app.i18n import _
from app.models import User
from app.services import auth, directory, photos, tags, users
from app.services.errors import FieldError, Invalid
from app.services.text import split_tags
from app.web.htmx import redirect, render
from app.web.pages import form_again, page_router

router = page_router()

COMMON_LANGUAGES = ["fr", "en", "de", "es", "it", "pt", "nl", "ar", "zh", "ja", "pl", "ro", "tr", "ru"]
_EMAIL_IN = re.compile(r"<([^<>@\s]+@[^<>\s]+)>\s*$")


def _edit_context(db: DB, user: User, values: dict[str, Any] | None = None) -> dict[str, Any]:
    departments, sites = directory.facets(db)
    manager = db.get(User, user.manager_id) if user.manager_id else None
    current = {
        "display_name": user.display_name,
        "job_title": user.job_title or "",
        "department": user.department or "",
        "site": user.site or "",
        "manager": f"{manager.display_name} <{manager.email}>" if manager else "",
        "bio": user.bio,
        "tags": ", ".join(tags.tags_of(db, [user.id])[user.id]),
        "languages": list(user.languages or []),
    }
    languages = COMMON_LANGUAGES + [c for c in current["languages"] if c not in COMMON_LANGUAGES]
    return {
        "values": {**current, **(values or {})},
        "departments": departments,
        "sites": sites,
        "language_choices": languages,
        "errors": {},
    }


def _manager_id(db: DB, typed: str) -> int | None:
    """The person a manager field names: "Name <email>", an email, or an exact name."""
    typed = typed.strip()
    if not typed:
        return None
    match = _EMAIL_IN.search(typed)
    email = (match.group(1) if match else typed).lower()
    found = db.scalar(select(User.id).where(User.email == email, User.is_active.is_(True)))
    if found is None:
        candidates = directory.search_people(db, q=typed, limit=2).items
        if len(candidates) == 1:
            return candidates[0].id
        raise Invalid.one("manager", _("Choose a person from the suggestions."))
    return found


@router.get("/me/edit")
def edit_profile_form(request: Request, db: DB, user: CurrentUser) -> Response:
    """The profile editor."""
    return render(request, "me/edit.html", _edit_context(db, user))


@router.post("/me/edit")
def edit_profile(
    request: Request,
    db: DB,
    user: CurrentUser,
    display_name: Annotated[str, Form()] = "",
    job_title: Annotated[str, Form()] = "",
    department: Annotated[str, Form()] = "",
    site: Annotated[str, Form()] = "",
    manager: Annotated[str, Form()] = "",
    bio: Annotated[str, Form()] = "",
    tags_field: Annotated[str, Form(alias="tags")] = "",
    languages: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Save the profile; on a mistake, the form again with the message beside the field."""
    values = {
        "display_name": display_name,
        "job_title": job_title,
        "department": department,
        "site": site,
        "manager": manager,
        "bio": bio,
        "tags": tags_field,
        "languages": languages or [],
    }
    changes: dict[str, Any] = {
        "display_name": display_name,
        "job_title": job_title,
        "department": department,
        "site": site,
        "bio": bio,
        "tags": split_tags(tags_field),
        "languages": languages or [],
    }
    problems: list[FieldError] = []
    try:
        changes["manager_id"] = _manager_id(db, manager)
    except Invalid as exc:
        problems += exc.errors
    try:
        users.update_profile(db, actor=user, user=user, changes=changes)
    except Invalid as exc:
        problems = exc.errors + problems
    if problems:
        db.rollback()
        return form_again(request, "me/edit.html", _edit_context(db, user, values), Invalid(problems))
    return redirect(request, f"/people/{user.handle}?saved=1")


@router.post("/me/photo")
def upload_photo(
    request: Request,
    db: DB,
    settings: AppSettings,
    user: CurrentUser,
    photo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Upload a new profile photo; a file that is not an image is refused with a clear message."""
    data = photo.file.read(settings.max_upload_bytes + 1) if photo is not None else b""
    try:
        photos.set_photo(db, settings=settings, actor=user, data=data)
    except Invalid as exc:
        db.rollback()
        return form_again(request, "me/edit.html", _edit_context(db, user), exc)
    return redirect(request, "/me/edit?photo=1")


@router.post("/me/photo/delete")
def delete_photo(request: Request, db: DB, user: CurrentUser) -> Response:
    """Remove one's profile photo."""
    photos.remove_photo(db, actor=user)
    return redirect(request, "/me/edit")


def _settings_context(db: DB, caller: Any, **extra: Any) -> dict[str, Any]:
    return {
        "tokens": auth.list_tokens(db, user=caller.user),
        "sessions": auth.list_sessions(db, user=caller.user),
        "current_session_id": caller.session_id,
        "errors": {},
        "new_token": None,
        **extra,
    }


@router.get("/settings")
def settings_page(request: Request, db: DB, caller: CurrentCaller) -> Response:
    """Language, password, API tokens and signed-in browsers."""
    return render(
        request, "me/settings.html", _settings_context(db, caller, saved=request.query_params.get("saved"))
    )


@router.post("/settings/password")
def change_password(
    request: Request,
    db: DB,
    settings: AppSettings,
    caller: CurrentCaller,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    confirm_password: Annotated[str, Form()] = "",
) -> Response:
    """Change one's password; every other browser is signed out."""
    try:
        if new_password != confirm_password:
            raise Invalid.one("confirm_password", _("The two new passwords differ."))
        auth.change_password(
            db,
            settings=settings,
            user=caller.user,
            current=current_password,
            new=new_password,
            keep_session_id=caller.session_id,
        )
    except Invalid as exc:
        db.rollback()
        return form_again(request, "me/settings.html", _settings_context(db, caller), exc)
    return redirect(request, "/settings?saved=password")


@router.post("/settings/tokens")
def create_token(
    request: Request, db: DB, caller: CurrentCaller, name: Annotated[str, Form()] = ""
) -> Response:
    """Create an API token; its secret is shown once."""
    _token, secret = auth.issue_token(db, user=caller.user, name=name)
    return render(request, "me/settings.html", _settings_context(db, caller, new_token=secret), status=201)


@router.post("/settings/tokens/{token_id}/revoke")
def revoke_token(request: Request, db: DB, caller: CurrentCaller, token_id: int) -> Response:
    """Revoke one of one's API tokens."""
    auth.revoke_token(db, user=caller.user, token_id=token_id)
    return redirect(request, "/settings?saved=token")


@router.post("/settings/sessions/revoke-others")
def revoke_other_sessions(request: Request, db: DB, caller: CurrentCaller) -> Response:
    """Sign out every other browser."""
    auth.revoke_sessions(db, user_id=caller.user.id, keep_session_id=caller.session_id)
    return redirect(request, "/settings?saved=sessions")

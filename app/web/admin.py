"""Administration: people and roles, account creation, deactivation, the directory import, the audit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from app.deps import DB, AppSettings, CurrentUser
from app.models import AuditEntry, User
from app.services import directory, users
from app.services.errors import Conflict, FieldError, Invalid
from app.web.htmx import redirect, render
from app.web.pages import form_again, page_router

router = page_router()

SAMPLE_CSV = (
    "email,display_name,department,site,job_title,manager_email,roles,locale\n"
    "sophie.bernard@example.com,Sophie Bernard,Direction,Paris,Directrice générale,,executive,fr\n"
    "julien.moreau@example.com,Julien Moreau,Engineering,Lyon,Engineering manager,"
    "sophie.bernard@example.com,,fr\n"
    "oliver.smith@example.com,Oliver Smith,Engineering,London,Developer,julien.moreau@example.com,,en\n"
)


@router.get("/admin/people")
def people(
    request: Request,
    admin: CurrentUser,
    db: DB,
    q: str = "",
    role: str = "",
    status: str = "active",
    cursor: str = "",
) -> Response:
    """Everyone, with their roles and whether they can sign in."""
    users.require_admin(admin)
    page = users.admin_list(db, q=q, role=role or None, status=status, cursor=cursor or None)
    return render(
        request,
        "admin/people.html",
        {
            "people": page.items,
            "next_cursor": page.next_cursor,
            "filters": {"q": q, "role": role, "status": status},
            "all_roles": users.ALL_ROLES,
        },
        block="more" if cursor else "results",
    )


def _new_context(values: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"values": values or {"roles": []}, "all_roles": users.ALL_ROLES, "errors": {}}


@router.get("/admin/people/new")
def new_person_form(request: Request, admin: CurrentUser) -> Response:
    """The form to create one account."""
    users.require_admin(admin)
    return render(request, "admin/new.html", _new_context())


@router.post("/admin/people/new")
def create_person(
    request: Request,
    db: DB,
    settings: AppSettings,
    admin: CurrentUser,
    email: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    department: Annotated[str, Form()] = "",
    site: Annotated[str, Form()] = "",
    job_title: Annotated[str, Form()] = "",
    manager_email: Annotated[str, Form()] = "",
    roles: Annotated[list[str] | None, Form()] = None,
    locale: Annotated[str, Form()] = "",
) -> Response:
    """Create an account; the form again with messages when something is wrong."""
    users.require_admin(admin)
    data = users.AccountData(
        email=email,
        display_name=display_name,
        password=password or None,
        department=department,
        site=site,
        job_title=job_title,
        manager_email=manager_email,
        roles=roles or [],
        locale=locale,
    )
    try:
        user = users.create_user(db, settings=settings, actor=admin, data=data)
    except Conflict as exc:
        db.rollback()
        return form_again(
            request, "admin/new.html", _new_context(data.__dict__), Invalid([FieldError("email", exc.detail)])
        )
    except Invalid as exc:
        db.rollback()
        return form_again(request, "admin/new.html", _new_context(data.__dict__), exc)
    return redirect(request, f"/admin/people/{user.id}?created=1")


def _person_context(db: DB, person: User, **extra: Any) -> dict[str, Any]:
    history = db.scalars(
        select(AuditEntry).where(AuditEntry.target_id == person.id).order_by(AuditEntry.id.desc()).limit(20)
    )
    return {"person": person, "all_roles": users.ALL_ROLES, "errors": {}, "history": list(history), **extra}


@router.get("/admin/people/{user_id}")
def person_page(request: Request, db: DB, admin: CurrentUser, user_id: int) -> Response:
    """One account: roles, active or not, a temporary password."""
    users.require_admin(admin)
    person = users.get_user(db, user_id)
    return render(request, "admin/person.html", _person_context(db, person, flash=request.query_params))


@router.post("/admin/people/{user_id}/roles")
def set_roles(
    request: Request,
    db: DB,
    admin: CurrentUser,
    user_id: int,
    roles: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Give a person exactly the roles ticked."""
    users.require_admin(admin)
    person = users.get_user(db, user_id)
    try:
        users.set_roles(db, actor=admin, user=person, roles=roles or [])
    except Invalid as exc:
        db.rollback()
        return form_again(request, "admin/person.html", _person_context(db, users.get_user(db, user_id)), exc)
    return redirect(request, f"/admin/people/{user_id}?saved=roles")


@router.post("/admin/people/{user_id}/active")
def set_active(
    request: Request, db: DB, admin: CurrentUser, user_id: int, active: Annotated[str, Form()] = "0"
) -> Response:
    """Deactivate (sign-in refused, content kept) or reactivate an account."""
    users.require_admin(admin)
    person = users.get_user(db, user_id)
    try:
        users.set_active(db, actor=admin, user=person, active=active == "1")
    except Invalid as exc:
        db.rollback()
        return form_again(request, "admin/person.html", _person_context(db, users.get_user(db, user_id)), exc)
    return redirect(request, f"/admin/people/{user_id}?saved=active")


@router.post("/admin/people/{user_id}/password")
def set_password(
    request: Request,
    db: DB,
    settings: AppSettings,
    admin: CurrentUser,
    user_id: int,
    password: Annotated[str, Form()] = "",
) -> Response:
    """Set a temporary password (people imported from the directory have none)."""
    users.require_admin(admin)
    person = users.get_user(db, user_id)
    try:
        users.set_password(db, settings=settings, actor=admin, user=person, password=password)
    except Invalid as exc:
        db.rollback()
        return form_again(request, "admin/person.html", _person_context(db, users.get_user(db, user_id)), exc)
    return redirect(request, f"/admin/people/{user_id}?saved=password")


@router.get("/admin/import")
def import_form(request: Request, admin: CurrentUser) -> Response:
    """The directory import form."""
    users.require_admin(admin)
    return render(
        request, "admin/import.html", {"columns": directory.IMPORT_COLUMNS, "report": None, "line_errors": []}
    )


@router.get("/admin/import/sample.csv")
def sample_csv(admin: CurrentUser) -> Response:
    """A sample directory file to start from."""
    users.require_admin(admin)
    return Response(
        SAMPLE_CSV,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="proxima-directory-sample.csv"'},
    )


@router.post("/admin/import")
def import_directory(
    request: Request,
    db: DB,
    settings: AppSettings,
    admin: CurrentUser,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Import the directory: all rows or none; every bad row listed with its line number."""
    users.require_admin(admin)
    raw = file.file.read(settings.max_import_bytes + 1) if file is not None else b""
    context: dict[str, Any] = {"columns": directory.IMPORT_COLUMNS, "report": None, "line_errors": []}
    try:
        context["report"] = directory.import_directory(db, settings=settings, actor=admin, raw=raw)
    except directory.ImportRejected as exc:
        db.rollback()
        return render(request, "admin/import.html", {**context, "line_errors": exc.line_errors}, status=422)
    return render(request, "admin/import.html", context)


@router.get("/admin/audit")
def audit_log(request: Request, db: DB, admin: CurrentUser) -> Response:
    """The latest administrative actions."""
    users.require_admin(admin)
    entries, people = users.audit_entries(db, limit=200)
    return render(request, "admin/audit.html", {"entries": entries, "people": people})

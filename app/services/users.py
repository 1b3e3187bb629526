"""Accounts, profiles, roles and follows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from babel import Locale
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, aliased

from app.i18n import LOCALES, _
from app.models import AuditEntry, Follow, Role, User, UserRole, UserTag
from app.models.base import utcnow
from app.services import activity, auth, engagement, tags
from app.services.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from app.services.pagination import Page, decode_keyset, encode_cursor, text_key
from app.services.text import clean_line, fold, handle_base, normalize_email
from app.settings import Settings

BIO_MAX = 2000
ALL_ROLES = [r.value for r in Role]
_KNOWN_LANGUAGES = frozenset(Locale("en").languages)


@dataclass
class AccountData:
    """What an administrator or the directory import says about a person."""

    email: str
    display_name: str
    password: str | None = None
    department: str | None = None
    site: str | None = None
    job_title: str | None = None
    manager_email: str | None = None
    roles: list[str] = field(default_factory=list)
    locale: str | None = None


def require_admin(actor: User | None) -> None:
    """Refuse anyone but an administrator (None is the command line, which is trusted)."""
    if actor is not None and not actor.has_role(Role.admin):
        raise Forbidden(_("Only administrators may do this."))


def check_roles(raw: list[str]) -> list[str]:
    """Known roles, deduplicated; `employee` is implied."""
    roles: list[str] = []
    for role in (r.strip().lower() for r in raw):
        if not role:
            continue
        if role not in ALL_ROLES:
            raise Invalid.one("roles", _("Unknown role: {role}.").format(role=role))
        if role not in roles:
            roles.append(role)
    return roles


def check_locale(raw: str | None) -> str | None:
    """en, fr, or nothing."""
    if raw is None or raw.strip() == "":
        return None
    code = raw.strip().lower()
    if code not in LOCALES:
        raise Invalid.one("locale", _("Choose English (en) or French (fr)."))
    return code


def unique_handle(db: Session, email: str) -> str:
    """A free handle from the email's local part: jeanne.dupont, then jeanne.dupont2, …"""
    base = handle_base(email)
    taken = set(db.scalars(select(User.handle).where(User.handle.startswith(base, autoescape=True))))
    if base not in taken:
        return base
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def _set_roles(db: Session, user: User, roles: list[str]) -> None:
    wanted = {Role.employee.value, *roles}
    user.role_rows = [row for row in user.role_rows if row.role in wanted]
    held = {row.role for row in user.role_rows}
    for role in sorted(wanted - held):
        user.role_rows.append(UserRole(role=role))


def _active_admins(db: Session) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(UserRole)
            .join(User, User.id == UserRole.user_id)
            .where(UserRole.role == Role.admin.value, User.is_active.is_(True))
        )
        or 0
    )


def resolve_manager(db: Session, email: str | None, field_name: str = "manager_email") -> User | None:
    """The person a manager email names; an unknown email is an input error."""
    if not email or not email.strip():
        return None
    manager = db.scalar(select(User).where(User.email == email.strip().lower()))
    if manager is None:
        raise Invalid.one(field_name, _("Nobody in the directory has this email."))
    return manager


def check_manager_chain(db: Session, user: User, manager: User | None) -> None:
    """Refuse a manager link that would make someone their own (indirect) manager."""
    if manager is None or user.id is None:
        return
    if manager.id == user.id:
        raise Invalid.one("manager", _("A person cannot be their own manager."))
    seen: set[int] = set()
    current: int | None = manager.manager_id
    while current is not None and current not in seen:
        if current == user.id:
            raise Invalid.one("manager", _("This person reports to you; they cannot be your manager."))
        seen.add(current)
        current = db.scalar(select(User.manager_id).where(User.id == current))


def create_user(db: Session, *, settings: Settings, actor: User | None, data: AccountData) -> User:
    """Create one account (administrators and the command line); an existing email is a conflict."""
    require_admin(actor)
    errors: list[FieldError] = []
    email = display_name = ""
    roles: list[str] = []
    locale = None
    for check in ("email", "display_name", "roles", "locale", "password"):
        try:
            if check == "email":
                email = normalize_email(data.email)
            elif check == "display_name":
                display_name = clean_line(data.display_name, "display_name", 120) or ""
                if not display_name:
                    raise Invalid.one("display_name", _("A name is required."))
            elif check == "roles":
                roles = check_roles(data.roles)
            elif check == "locale":
                locale = check_locale(data.locale)
            elif check == "password" and data.password is not None:
                auth.check_password_rules(data.password)
        except Invalid as exc:
            errors.extend(exc.errors)
    if errors:
        raise Invalid(errors)
    if db.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(_("An account with this email already exists."))
    manager = resolve_manager(db, data.manager_email)
    user = User(
        email=email,
        handle=unique_handle(db, email),
        display_name=display_name,
        search_name=fold(display_name),
        password_hash=auth.password_hasher(settings).hash(data.password) if data.password else None,
        department=clean_line(data.department, "department", 120),
        site=clean_line(data.site, "site", 120),
        job_title=clean_line(data.job_title, "job_title", 160),
        manager_id=manager.id if manager else None,
        locale=locale,
        bio="",
        languages=[],
    )
    _set_roles(db, user, roles)
    db.add(user)
    db.flush()
    engagement.on_account_created(db, user_id=user.id)
    activity.audit(db, actor_id=actor.id if actor else None, action="user_created", target_id=user.id)
    return user


def get_user(db: Session, user_id: int) -> User:
    """A person by id (deactivated people keep their profile: their content stays)."""
    user = db.get(User, user_id)
    if user is None:
        raise NotFound(_("Nobody here by that id."))
    return user


def get_user_by_handle(db: Session, handle: str) -> User:
    """A person by their @handle."""
    user = db.scalar(select(User).where(User.handle == handle.lower().lstrip("@")))
    if user is None:
        raise NotFound(_("Nobody here by that name."))
    return user


def check_languages(raw: list[str]) -> list[str]:
    """Language codes the person speaks, known to Babel, deduplicated."""
    result: list[str] = []
    for code in (c.strip().lower() for c in raw):
        if not code:
            continue
        if code not in _KNOWN_LANGUAGES:
            raise Invalid.one("languages", _("Unknown language code: {code}.").format(code=code))
        if code not in result:
            result.append(code)
    return result[:12]


def update_profile(db: Session, *, actor: User, user: User, changes: dict[str, Any]) -> User:
    """Edit a profile (one's own, or anyone's for an administrator); only the given fields change."""
    if actor.id != user.id:
        require_admin(actor)
    errors: list[FieldError] = []

    def attempt(fn: Any) -> None:
        try:
            fn()
        except Invalid as exc:
            errors.extend(exc.errors)

    def set_display_name() -> None:
        name = clean_line(changes["display_name"], "display_name", 120)
        if not name:
            raise Invalid.one("display_name", _("A name is required."))
        user.display_name, user.search_name = name, fold(name)

    def set_bio() -> None:
        bio = (changes["bio"] or "").strip()
        if len(bio) > BIO_MAX:
            raise Invalid.one("bio", _("At most {n} characters.").format(n=BIO_MAX))
        user.bio = bio

    def set_line(name: str, max_len: int) -> None:
        setattr(user, name, clean_line(changes[name], name, max_len))

    def set_manager() -> None:
        manager_id = changes["manager_id"]
        manager = None
        if manager_id is not None:
            manager = db.get(User, manager_id)
            if manager is None or not manager.is_active:
                raise Invalid.one("manager", _("Choose a person from the directory."))
        check_manager_chain(db, user, manager)
        user.manager_id = manager.id if manager else None

    def set_tags() -> None:
        new_tags = tags.get_or_create_tags(db, list(changes["tags"]))
        db.execute(delete(UserTag).where(UserTag.user_id == user.id))
        for position, tag in enumerate(new_tags):
            db.add(UserTag(user_id=user.id, tag_id=tag.id, position=position))

    if "display_name" in changes:
        attempt(set_display_name)
    if "bio" in changes:
        attempt(set_bio)
    for name, max_len in (("job_title", 160), ("department", 120), ("site", 120)):
        if name in changes:
            attempt(lambda name=name, max_len=max_len: set_line(name, max_len))
    if "manager_id" in changes:
        attempt(set_manager)
    if "languages" in changes:
        attempt(lambda: setattr(user, "languages", check_languages(list(changes["languages"] or []))))
    if "locale" in changes:
        attempt(lambda: setattr(user, "locale", check_locale(changes["locale"])))
    if "tags" in changes:
        attempt(set_tags)
    if errors:
        raise Invalid(errors)
    user.updated_at = utcnow()
    activity.record(db, user_id=actor.id, kind="profile_updated", subject_type="user", subject_id=user.id)
    db.flush()
    return user


def set_roles(db: Session, *, actor: User | None, user: User, roles: list[str]) -> User:
    """Give a person exactly these roles (administrators); the last active admin keeps theirs."""
    require_admin(actor)
    wanted = check_roles(roles)
    if (
        user.has_role(Role.admin)
        and Role.admin.value not in wanted
        and user.is_active
        and _active_admins(db) <= 1
    ):
        raise Invalid.one("roles", _("At least one active administrator must remain."))
    before = user.roles
    _set_roles(db, user, wanted)
    db.flush()
    activity.audit(
        db,
        actor_id=actor.id if actor else None,
        action="roles_changed",
        target_id=user.id,
        before=before,
        after=user.roles,
    )
    return user


def set_active(db: Session, *, actor: User | None, user: User, active: bool) -> User:
    """Deactivate (they can no longer sign in; their content stays) or reactivate an account."""
    require_admin(actor)
    if user.is_active == active:
        return user
    if not active:
        if actor is not None and actor.id == user.id:
            raise Forbidden(_("You cannot deactivate your own account."))
        if user.has_role(Role.admin) and _active_admins(db) <= 1:
            raise Invalid.one("active", _("At least one active administrator must remain."))
        auth.revoke_sessions(db, user_id=user.id)
        auth.revoke_tokens(db, user_id=user.id)
    user.is_active = active
    db.flush()
    activity.audit(
        db,
        actor_id=actor.id if actor else None,
        action="activated" if active else "deactivated",
        target_id=user.id,
    )
    return user


def set_password(db: Session, *, settings: Settings, actor: User | None, user: User, password: str) -> None:
    """An administrator sets a temporary password (for people imported without one)."""
    require_admin(actor)
    user.password_hash = auth.hash_password(settings, password)
    auth.revoke_sessions(db, user_id=user.id)
    activity.audit(db, actor_id=actor.id if actor else None, action="password_set", target_id=user.id)


def follow(db: Session, *, actor: User, user: User) -> None:
    """Follow a colleague; following twice changes nothing."""
    if actor.id == user.id:
        raise Invalid.one("user", _("You cannot follow yourself."))
    if not user.is_active:
        raise NotFound(_("Nobody here by that id."))
    if db.get(Follow, (actor.id, user.id)) is None:
        db.add(Follow(follower_id=actor.id, followee_id=user.id))
        activity.record(db, user_id=actor.id, kind="follow", subject_type="user", subject_id=user.id)
        db.flush()


def unfollow(db: Session, *, actor: User, user: User) -> None:
    """Stop following a colleague; unfollowing twice changes nothing."""
    db.execute(delete(Follow).where(Follow.follower_id == actor.id, Follow.followee_id == user.id))


def is_following(db: Session, *, actor: User, user_ids: list[int]) -> set[int]:
    """Which of these people the actor follows."""
    if not user_ids:
        return set()
    return set(
        db.scalars(
            select(Follow.followee_id).where(Follow.follower_id == actor.id, Follow.followee_id.in_(user_ids))
        )
    )


def following(db: Session, *, user: User, limit: int = 60) -> list[User]:
    """The active people someone follows, most recent first."""
    return list(
        db.scalars(
            select(User)
            .join(Follow, Follow.followee_id == User.id)
            .where(Follow.follower_id == user.id, User.is_active.is_(True))
            .order_by(Follow.created_at.desc(), User.id)
            .limit(limit)
        )
    )


def follow_counts(db: Session, *, user: User) -> tuple[int, int]:
    """(followers, following) of a person, active people only."""
    followers = (
        db.scalar(
            select(func.count())
            .select_from(Follow)
            .join(User, User.id == Follow.follower_id)
            .where(Follow.followee_id == user.id, User.is_active.is_(True))
        )
        or 0
    )
    followed = (
        db.scalar(
            select(func.count())
            .select_from(Follow)
            .join(User, User.id == Follow.followee_id)
            .where(Follow.follower_id == user.id, User.is_active.is_(True))
        )
        or 0
    )
    return followers, followed


@dataclass
class ChecklistItem:
    """One step of a complete profile."""

    key: str
    done: bool


def profile_checklist(db: Session, *, user: User) -> list[ChecklistItem]:
    """What makes a profile findable: photo, job title, bio, 3 expertise tags, 3 people followed."""
    tag_count = db.scalar(select(func.count()).select_from(UserTag).where(UserTag.user_id == user.id)) or 0
    followed = db.scalar(select(func.count()).select_from(Follow).where(Follow.follower_id == user.id)) or 0
    return [
        ChecklistItem("photo", user.photo_id is not None),
        ChecklistItem("job_title", bool(user.job_title)),
        ChecklistItem("bio", bool(user.bio)),
        ChecklistItem("tags", tag_count >= 3),
        ChecklistItem("follow", followed >= 3),
    ]


def direct_reports(db: Session, *, user: User, limit: int = 50) -> list[User]:
    """The active people who report directly to someone, by name."""
    return list(
        db.scalars(
            select(User)
            .where(User.manager_id == user.id, User.is_active.is_(True))
            .order_by(User.search_name, User.id)
            .limit(limit)
        )
    )


def admin_list(
    db: Session, *, q: str = "", role: str | None = None, status: str = "active", cursor: str | None = None
) -> Page[User]:
    """Everyone (active, deactivated or all), by name, for administrators."""
    stmt = select(User)
    if status == "active":
        stmt = stmt.where(User.is_active.is_(True))
    elif status == "inactive":
        stmt = stmt.where(User.is_active.is_(False))
    for word in fold(q).split():
        stmt = stmt.where((User.search_name.like(f"%{word}%")) | (User.email.like(f"%{word}%")))
    if role:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    after = decode_keyset(cursor, text_key)
    if after is not None:
        name, last = after
        stmt = stmt.where((User.search_name > name) | ((User.search_name == name) & (User.id > last)))
    people = list(db.scalars(stmt.order_by(User.search_name, User.id).limit(51)))
    next_cursor = None
    if len(people) > 50:
        people = people[:50]
        next_cursor = encode_cursor([people[-1].search_name, people[-1].id])
    return Page(people, next_cursor)


def audit_entries(db: Session, *, limit: int = 200) -> tuple[list[AuditEntry], dict[int, User]]:
    """The latest administrative actions and the people they name."""
    entries = list(db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))
    ids = {e.actor_id for e in entries if e.actor_id} | {e.target_id for e in entries if e.target_id}
    people = {u.id: u for u in db.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return entries, people


@dataclass
class ProfileView:
    """A profile page's header: the person, their manager, counts, and whether the viewer follows them."""

    person: User
    manager_name: str | None
    manager_handle: str | None
    followers: int
    following: int
    is_following: bool


def profile_view(db: Session, *, viewer: User, handle: str) -> ProfileView:
    """Everything a profile header needs, in one statement."""
    manager = aliased(User)
    follower = aliased(User)
    followee = aliased(User)
    followers = (
        select(func.count())
        .select_from(Follow)
        .join(follower, follower.id == Follow.follower_id)
        .where(Follow.followee_id == User.id, follower.is_active.is_(True))
        .correlate(User)
        .scalar_subquery()
    )
    following = (
        select(func.count())
        .select_from(Follow)
        .join(followee, followee.id == Follow.followee_id)
        .where(Follow.follower_id == User.id, followee.is_active.is_(True))
        .correlate(User)
        .scalar_subquery()
    )
    mine = (
        select(func.count())
        .select_from(Follow)
        .where(Follow.follower_id == viewer.id, Follow.followee_id == User.id)
        .correlate(User)
        .scalar_subquery()
    )
    row = db.execute(
        select(User, manager.display_name, manager.handle, followers, following, mine)
        .outerjoin(manager, manager.id == User.manager_id)
        .where(User.handle == handle.lower().lstrip("@"))
    ).first()
    if row is None:
        raise NotFound(_("Nobody here by that name."))
    return ProfileView(row[0], row[1], row[2], row[3] or 0, row[4] or 0, bool(row[5]))


def roles_of(db: Session, user_ids: list[int]) -> dict[int, list[str]]:
    """The roles of several people in one statement (`employee` first, as `User.roles` gives them)."""
    result: dict[int, list[str]] = {uid: [Role.employee.value] for uid in user_ids}
    if not user_ids:
        return result
    rows = db.execute(
        select(UserRole.user_id, UserRole.role).where(UserRole.user_id.in_(user_ids)).order_by(UserRole.role)
    )
    for uid, role in rows:
        if role != Role.employee.value:
            result[uid].append(role)
    return result

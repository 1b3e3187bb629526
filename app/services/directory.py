"""Finding colleagues: the directory, the expert finder, tag pages, and the CSV directory import."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import Select, and_, distinct, func, or_, select, tuple_
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import Follow, Tag, User, UserTag
from app.services import activity, users
from app.services.errors import DomainError, Invalid
from app.services.pagination import Page, clamp_limit, decode_keyset, encode_cursor, text_key
from app.services.text import fold, normalize_tag
from app.settings import Settings

IMPORT_COLUMNS = [
    "email",
    "display_name",
    "department",
    "site",
    "job_title",
    "manager_email",
    "roles",
    "locale",
]
REQUIRED_COLUMNS = {"email", "display_name"}


def visible_people() -> Select[User]:
    """The people any signed-in colleague may find in the directory: active accounts."""
    return select(User).where(User.is_active.is_(True))


def _tag_key(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    return fold(normalize_tag(raw))


def search_people(
    db: Session,
    *,
    q: str | None = None,
    tag: str | None = None,
    department: str | None = None,
    site: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[User]:
    """The directory: people by name, tag, department and site, alphabetical, a page at a time."""
    size = clamp_limit(limit)
    stmt = visible_people()
    for word in fold(q or "").split():
        pattern = f"%{word}%"
        stmt = stmt.where(or_(User.search_name.like(pattern), User.handle.like(pattern)))
    key = _tag_key(tag)
    if key is not None:
        stmt = stmt.where(
            User.id.in_(select(UserTag.user_id).join(Tag, Tag.id == UserTag.tag_id).where(Tag.key == key))
        )
    if department:
        stmt = stmt.where(User.department == department)
    if site:
        stmt = stmt.where(User.site == site)
    after = decode_keyset(cursor, text_key)
    if after is not None:
        stmt = stmt.where(tuple_(User.search_name, User.id) > tuple_(*after))
    people = list(db.scalars(stmt.order_by(User.search_name, User.id).limit(size + 1)))
    next_cursor = None
    if len(people) > size:
        people = people[:size]
        next_cursor = encode_cursor([people[-1].search_name, people[-1].id])
    return Page(people, next_cursor)


@dataclass
class Expert:
    """A person the expert finder proposes, with the tags that matched."""

    user: User
    score: int
    matched: list[str] = field(default_factory=list)


def _expert_terms(query: str) -> list[str]:
    parts = [p for p in (fold(x.lstrip("#")) for x in query.split(",")) if p]
    words = [w for p in parts for w in p.split() if len(w) >= 2]
    terms: list[str] = []
    for term in [*parts, *words]:
        if term not in terms:
            terms.append(term)
    return terms[:10]


def find_experts(db: Session, *, query: str, limit: int = 30) -> list[Expert]:
    """ "Who knows …?": people ranked by how well their expertise tags match what is asked.

    An exact tag scores 3 per term, a tag that contains the term 1; ties go to the most followed.
    """
    terms = _expert_terms(query)
    if not terms:
        return []
    conditions = [Tag.key == t for t in terms] + [
        Tag.key.contains(t, autoescape=True) for t in terms if len(t) >= 3
    ]
    tag_rows = db.execute(select(Tag.id, Tag.key, Tag.name).where(or_(*conditions))).all()
    if not tag_rows:
        return []
    tag_score: dict[int, tuple[str, int]] = {}
    for tag_id, key, name in tag_rows:
        score = sum(3 if key == t else 1 for t in terms if key == t or (len(t) >= 3 and t in key))
        tag_score[tag_id] = (name, score)
    carriers = db.execute(
        select(UserTag.user_id, UserTag.tag_id)
        .join(User, User.id == UserTag.user_id)
        .where(UserTag.tag_id.in_(tag_score), User.is_active.is_(True))
    ).all()
    scores: dict[int, Expert] = {}
    for user_id, tag_id in carriers:
        name, score = tag_score[tag_id]
        expert = scores.setdefault(user_id, Expert(user=None, score=0))  # type: ignore[arg-type]
        expert.score += score
        expert.matched.append(name)
    if not scores:
        return []
    followers = dict(
        db.execute(
            select(Follow.followee_id, func.count())
            .where(Follow.followee_id.in_(scores))
            .group_by(Follow.followee_id)
        ).all()
    )
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1].score, -followers.get(kv[0], 0), kv[0]))[:limit]
    people = {u.id: u for u in db.scalars(select(User).where(User.id.in_([uid for uid, _e in ranked])))}
    result = []
    for user_id, expert in ranked:
        expert.user = people[user_id]
        expert.matched.sort()
        result.append(expert)
    return result


def people_with_tag(
    db: Session, *, tag: str, cursor: str | None = None, limit: int | None = None
) -> Page[User]:
    """The people who carry an expertise tag (the tag page)."""
    return search_people(db, tag=tag, cursor=cursor, limit=limit)


def tag_count(db: Session, *, tag: Tag) -> int:
    """How many active people carry a tag."""
    return (
        db.scalar(
            select(func.count(distinct(UserTag.user_id)))
            .join(User, User.id == UserTag.user_id)
            .where(UserTag.tag_id == tag.id, User.is_active.is_(True))
        )
        or 0
    )


def facets(db: Session) -> tuple[list[str], list[str]]:
    """The departments and sites in the directory, for the filters."""
    departments = db.scalars(
        select(User.department)
        .distinct()
        .where(User.department.is_not(None), User.is_active.is_(True))
        .order_by(User.department)
    )
    sites = db.scalars(
        select(User.site)
        .distinct()
        .where(User.site.is_not(None), User.is_active.is_(True))
        .order_by(User.site)
    )
    return [d for d in departments if d], [s for s in sites if s]


def colleagues_to_meet(db: Session, *, viewer: User, limit: int = 6) -> list[User]:
    """Colleagues of the viewer's department, team and site whom they do not follow yet."""
    followed = select(Follow.followee_id).where(Follow.follower_id == viewer.id)
    near = [User.manager_id == viewer.id]
    if viewer.manager_id is not None:
        near += [User.id == viewer.manager_id, User.manager_id == viewer.manager_id]
    if viewer.department:
        near.append(User.department == viewer.department)
    if viewer.site:
        near.append(and_(User.site == viewer.site, User.photo_id.is_not(None)))
    stmt = (
        visible_people()
        .where(User.id != viewer.id, User.id.not_in(followed), or_(*near))
        .order_by((User.manager_id == viewer.id).desc(), User.photo_id.is_(None), User.search_name)
        .limit(limit)
    )
    return list(db.scalars(stmt))


# ---- the directory import --------------------------------------------------------------------


@dataclass
class ImportLineError:
    """A bad row: its line number in the file (the header is line 1) and why."""

    line: int
    message: str


class ImportRejected(DomainError):
    """The file had bad rows: nothing of it was written."""

    status = 422
    title = "Directory import rejected"

    def __init__(self, errors: list[ImportLineError]) -> None:
        self.line_errors = errors
        super().__init__("\n".join(f"line {e.line}: {e.message}" for e in errors))


@dataclass
class ImportReport:
    """What an accepted import did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class _Row:
    line: int
    email: str
    data: users.AccountData
    roles: list[str]


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # spreadsheets saved in Windows encodings


def _rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    rows: list[tuple[int, dict[str, str]]] = []
    start = 1
    for record in reader:
        if not header:
            header = [h.strip().lower() for h in record]
            start = reader.line_num + 1
            continue
        if any(cell.strip() for cell in record):
            padded = record + [""] * (len(header) - len(record))
            rows.append((start, {h: (padded[i] if i < len(padded) else "") for i, h in enumerate(header)}))
            if len(record) > len(header):
                rows[-1][1]["__extra__"] = "1"
        start = reader.line_num + 1
    return header, rows


def import_directory(db: Session, *, settings: Settings, actor: User | None, raw: bytes) -> ImportReport:
    """Create or update people from a CSV file, all or nothing.

    Idempotent on email; manager links resolved within the file and the directory; every bad row is
    reported with its line number and reason, and then nothing is written.
    """
    users.require_admin(actor)
    if len(raw) > settings.max_import_bytes:
        raise ImportRejected([ImportLineError(1, _("The file is larger than the import limit."))])
    try:
        header, records = _rows(_decode(raw))
    except csv.Error as exc:
        raise ImportRejected(
            [ImportLineError(1, _("This is not a CSV file: {error}").format(error=exc))]
        ) from exc
    errors: list[ImportLineError] = []
    if not header:
        raise ImportRejected([ImportLineError(1, _("The file is empty."))])
    missing = REQUIRED_COLUMNS - set(header)
    unknown = [h for h in header if h not in IMPORT_COLUMNS]
    if missing:
        errors.append(
            ImportLineError(1, _("Missing column(s): {cols}.").format(cols=", ".join(sorted(missing))))
        )
    if unknown:
        errors.append(ImportLineError(1, _("Unknown column(s): {cols}.").format(cols=", ".join(unknown))))
    if errors:
        raise ImportRejected(errors)
    if not records:
        raise ImportRejected([ImportLineError(1, _("The file has a header but no rows."))])

    parsed: list[_Row] = []
    seen: dict[str, int] = {}
    for line, cells in records:
        problems: list[str] = []
        if "__extra__" in cells:
            problems.append(_("more cells than columns"))
        email = ""
        try:
            email = users.normalize_email(cells.get("email", ""))
        except Invalid:
            problems.append(_("invalid email “{value}”").format(value=cells.get("email", "").strip()))
        if email and email in seen:
            problems.append(_("email already on line {n}").format(n=seen[email]))
        name = " ".join(cells.get("display_name", "").split())
        if not name:
            problems.append(_("display_name is empty"))
        elif len(name) > 120:
            problems.append(_("display_name is longer than 120 characters"))
        for column, max_len in (("department", 120), ("site", 120), ("job_title", 160)):
            if len(cells.get(column, "").strip()) > max_len:
                problems.append(_("{column} is longer than {n} characters").format(column=column, n=max_len))
        roles: list[str] = []
        try:
            roles = users.check_roles(cells.get("roles", "").replace("|", ";").replace(" ", ";").split(";"))
        except Invalid as exc:
            problems.append(exc.errors[0].message)
        locale = cells.get("locale", "").strip().lower()
        if locale and locale not in ("en", "fr"):
            problems.append(_("locale must be en or fr, not “{value}”").format(value=locale))
        manager_email = cells.get("manager_email", "").strip().lower()
        if manager_email and manager_email == email:
            problems.append(_("a person cannot be their own manager"))
        if problems:
            errors.append(ImportLineError(line, "; ".join(p.rstrip(".") for p in problems)))
            continue
        seen[email] = line
        data = users.AccountData(
            email=email,
            display_name=name,
            department=cells.get("department", "").strip() or None,
            site=cells.get("site", "").strip() or None,
            job_title=cells.get("job_title", "").strip() or None,
            manager_email=manager_email or None,
            roles=roles,
            locale=locale or None,
        )
        parsed.append(_Row(line, email, data, roles))

    existing = (
        {u.email: u for u in db.scalars(select(User).where(User.email.in_([r.email for r in parsed])))}
        if parsed
        else {}
    )
    manager_emails = {r.data.manager_email for r in parsed if r.data.manager_email}
    known_managers = (
        set(db.scalars(select(User.email).where(User.email.in_(manager_emails)))) if manager_emails else set()
    )
    for row in parsed:
        wanted = row.data.manager_email
        if wanted and wanted not in seen and wanted not in known_managers:
            errors.append(
                ImportLineError(
                    row.line,
                    _("manager_email “{value}” is neither in the file nor in the directory").format(
                        value=manager_email
                    ),
                )
            )
    errors.extend(_manager_cycles(db, parsed, existing))
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.line))
    return _apply_import(db, settings=settings, actor=actor, rows=parsed, existing=existing)


def _manager_cycles(db: Session, rows: list[_Row], existing: dict[str, User]) -> list[ImportLineError]:
    """Rows whose manager chain (the file's links over the directory's) comes back to them."""
    links: dict[str, str | None] = {}
    directory = (
        dict(db.execute(select(User.email, User.manager_id).where(User.manager_id.is_not(None))).all())
        if existing
        else {}
    )
    emails_by_id = dict(db.execute(select(User.id, User.email)).all()) if directory else {}
    for email, manager_id in directory.items():
        links[email] = emails_by_id.get(manager_id) if manager_id is not None else None
    for row in rows:
        links[row.email] = row.data.manager_email
    errors = []
    for row in rows:
        seen = {row.email}
        current = links.get(row.email)
        while current:
            if current in seen:
                errors.append(ImportLineError(row.line, _("the manager links of this row form a loop")))
                break
            seen.add(current)
            current = links.get(current)
    return errors


def _apply_import(
    db: Session, *, settings: Settings, actor: User | None, rows: list[_Row], existing: dict[str, User]
) -> ImportReport:
    report = ImportReport()
    by_email: dict[str, User] = dict(existing)
    created: set[str] = set()
    for row in rows:
        if row.email not in by_email:
            account = users.AccountData(**{**row.data.__dict__, "manager_email": None})
            by_email[row.email] = users.create_user(db, settings=settings, actor=actor, data=account)
            created.add(row.email)
    outside = {r.data.manager_email for r in rows if r.data.manager_email} - set(by_email)
    if outside:
        by_email.update({m.email: m for m in db.scalars(select(User).where(User.email.in_(outside)))})
    for row in rows:
        user = by_email[row.email]
        manager_id = by_email[row.data.manager_email].id if row.data.manager_email else None
        state = (user.display_name, user.department, user.site, user.job_title, user.locale, user.manager_id)
        user.display_name, user.search_name = row.data.display_name, fold(row.data.display_name)
        user.department, user.site, user.job_title = row.data.department, row.data.site, row.data.job_title
        user.locale = row.data.locale or user.locale
        user.manager_id = manager_id
        roles_changed = sorted(user.roles) != sorted({"employee", *row.roles})
        if roles_changed:
            users.set_roles(db, actor=actor, user=user, roles=row.roles)
        if row.email in created:
            report.created += 1
        elif roles_changed or state != (
            user.display_name,
            user.department,
            user.site,
            user.job_title,
            user.locale,
            user.manager_id,
        ):
            report.updated += 1
        else:
            report.unchanged += 1
    db.flush()
    activity.audit(
        db,
        actor_id=actor.id if actor else None,
        action="directory_imported",
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
    )
    return report

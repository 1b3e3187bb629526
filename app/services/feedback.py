"""Employee feedback to HR, named or anonymous, and the public "you said, we did" board.

Anonymity is a property of what is stored (docs/feedback.md): an anonymous item keeps no author, only
`author_tag = HMAC(secret key, "feedback-author:<user id>")`, which the author's own requests
recompute to find "mine"; no instant is stored, only days; item ids are random. HR reads items through
`item_view`, which never carries an anonymous author and shows a department or site only for a group of
at least the threshold. Nothing here records an activity event, an audit line or a log line about an
anonymous item's author; their notifications carry neither the item's id nor its words.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.i18n import _, current_locale, format_number
from app.models import (
    FeedbackAttachment,
    FeedbackBoardEntry,
    FeedbackCategory,
    FeedbackComment,
    FeedbackItem,
    FeedbackNote,
    FeedbackReply,
    FeedbackStatus,
    FeedbackVolunteer,
    FeedbackVote,
    Role,
    User,
    UserRole,
)
from app.services import activity, notifications, photos
from app.services.engagement import N_
from app.services.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from app.services.pagination import Page, clamp_limit, date_key, decode_keyset, encode_cursor
from app.settings import Settings

MAX_BODY = 5000
MAX_REPLY = 5000
MAX_NOTE = 5000
MAX_COMMENT = 2000
MAX_TITLE = 160
MAX_LABEL = 80
MY_FEEDBACK_URL = "/feedback/mine"

DEFAULT_CATEGORIES: dict[str, str] = {
    "work_conditions": N_("Work conditions"),
    "tools": N_("Tools"),
    "training": N_("Training"),
    "management": N_("Management"),
    "csr_initiative": N_("Corporate social responsibility initiative"),
    "idea": N_("Idea"),
    "other": N_("Other"),
}
# the categories whose items may become initiatives that colleagues join (seed 001)
INITIATIVE_CATEGORIES = frozenset({"csr_initiative", "idea"})

STATUS_LABELS: dict[str, str] = {
    FeedbackStatus.received: N_("Received"),
    FeedbackStatus.in_review: N_("In review"),
    FeedbackStatus.answered: N_("Answered"),
    FeedbackStatus.done: N_("Done"),
    FeedbackStatus.declined: N_("Declined"),
}
STATUSES = tuple(s.value for s in FeedbackStatus)
# the path an item normally follows (declined leaves it)
STATUS_PATH = ("received", "in_review", "answered", "done")

PDF_MAGIC = b"%PDF-"


# ---- small helpers ------------------------------------------------------------------------------


def today(settings: Settings) -> date:
    """The company's current day (what feedback records instead of an instant)."""
    return datetime.now(ZoneInfo(settings.timezone)).date()


def _mac(settings: Settings, message: str) -> str:
    return hmac.new(settings.secret_key.encode(), message.encode(), hashlib.sha256).hexdigest()


def author_tag(settings: Settings, user_id: int) -> str:
    """The one-way tag an anonymous item keeps instead of its author; only the author's requests make it."""
    return _mac(settings, f"feedback-author:{user_id}")


def submission_digest(settings: Settings, user_id: int, day: date, body: str) -> str:
    """The keyed digest of (person, day, text) that makes a double submit one item."""
    normalised = " ".join(body.split()).casefold()
    return _mac(settings, f"feedback-submission:{user_id}:{day.isoformat()}:{normalised}")


def is_hr(user: User) -> bool:
    """True for the people who read and answer feedback."""
    return user.has_role(Role.hr)


def excerpt(text: str, limit: int = 60) -> str:
    """The start of a text on one line."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _check_text(value: str, field_name: str, empty: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise Invalid.one(field_name, empty)
    if len(text) > limit:
        raise Invalid.one(field_name, _("At most {n} characters.").format(n=format_number(limit)))
    return text


def status_label(status: str) -> str:
    """A status's name in the current language."""
    return _(STATUS_LABELS.get(status, status))


# ---- categories ---------------------------------------------------------------------------------


@dataclass
class CategoryView:
    """A category as shown: its key and its name in the reader's language."""

    key: str
    label: str
    label_en: str | None
    label_fr: str | None
    retired: bool
    position: int


def _label(category: FeedbackCategory) -> str:
    mine = category.label_fr if current_locale() == "fr" else category.label_en
    if mine:
        return mine
    if category.key in DEFAULT_CATEGORIES:
        return _(DEFAULT_CATEGORIES[category.key])
    return category.label_en or category.label_fr or category.key


def _category_view(category: FeedbackCategory) -> CategoryView:
    return CategoryView(
        category.key,
        _label(category),
        category.label_en,
        category.label_fr,
        category.retired,
        category.position,
    )


def ensure_default_categories(db: Session) -> None:
    """The seven default categories, when none exist (the migration seeds them; an emptied database not)."""
    if db.scalar(select(func.count()).select_from(FeedbackCategory)):
        return
    for position, key in enumerate(DEFAULT_CATEGORIES, start=1):
        db.add(FeedbackCategory(key=key, position=position))
    db.flush()


def categories(db: Session, *, include_retired: bool = False) -> list[CategoryView]:
    """The categories people may choose (HR also sees retired ones), in their order."""
    stmt = select(FeedbackCategory).order_by(FeedbackCategory.position, FeedbackCategory.id)
    if not include_retired:
        stmt = stmt.where(FeedbackCategory.retired.is_(False))
    rows = list(db.scalars(stmt))
    if not rows and not db.scalar(select(func.count()).select_from(FeedbackCategory)):
        return [
            CategoryView(key, _(label), None, None, False, position)
            for position, (key, label) in enumerate(DEFAULT_CATEGORIES.items(), start=1)
        ]
    return [_category_view(c) for c in rows]


def _category_map(db: Session) -> dict[int, CategoryView]:
    return {c.id: _category_view(c) for c in db.scalars(select(FeedbackCategory))}


def _category_by_key(db: Session, key: str, *, allow_retired: bool = False) -> FeedbackCategory:
    ensure_default_categories(db)
    category = db.scalar(select(FeedbackCategory).where(FeedbackCategory.key == (key or "").strip()))
    if category is None or (category.retired and not allow_retired):
        raise Invalid.one("category", _("Choose one of the offered categories."))
    return category


def require_hr(user: User) -> None:
    """HR only: anyone else gets 404, as if the page did not exist."""
    if not is_hr(user):
        raise NotFound(_("Page not found"))


_KEY_CLEAN = re.compile(r"[^a-z0-9]+")


def add_category(
    db: Session, *, actor: User, label_en: str, label_fr: str = "", key: str = ""
) -> CategoryView:
    """HR adds a category (its key comes from the English name unless given)."""
    require_hr(actor)
    ensure_default_categories(db)
    english = (label_en or "").strip()
    french = (label_fr or "").strip()
    errors = []
    if not english and not french:
        errors.append(FieldError("label_en", _("Give the category a name.")))
    for name, value in (("label_en", english), ("label_fr", french)):
        if len(value) > MAX_LABEL:
            errors.append(FieldError(name, _("At most {n} characters.").format(n=MAX_LABEL)))
    from app.services.text import fold  # accents fold the same way as tags do

    slug = _KEY_CLEAN.sub("_", fold(key or english or french)).strip("_")[:40]
    if not errors and not slug:
        errors.append(FieldError("label_en", _("Give the category a name with letters or digits.")))
    if not errors and db.scalar(select(FeedbackCategory.id).where(FeedbackCategory.key == slug)):
        errors.append(FieldError("label_en", _("A category with this name already exists.")))
    if errors:
        raise Invalid(errors)
    last = db.scalar(select(func.max(FeedbackCategory.position))) or 0
    category = FeedbackCategory(
        key=slug, label_en=english or None, label_fr=french or None, position=last + 1
    )
    db.add(category)
    db.flush()
    return _category_view(category)


def update_category(
    db: Session,
    *,
    actor: User,
    key: str,
    label_en: str | None = None,
    label_fr: str | None = None,
    retired: bool | None = None,
) -> CategoryView:
    """HR renames a category (an empty name goes back to the built-in one) or retires / restores it."""
    require_hr(actor)
    ensure_default_categories(db)
    category = db.scalar(select(FeedbackCategory).where(FeedbackCategory.key == key))
    if category is None:
        raise NotFound(_("No such category."))
    errors = []
    for name, value in (("label_en", label_en), ("label_fr", label_fr)):
        if value is not None and len(value.strip()) > MAX_LABEL:
            errors.append(FieldError(name, _("At most {n} characters.").format(n=MAX_LABEL)))
    if errors:
        raise Invalid(errors)
    if label_en is not None:
        category.label_en = label_en.strip() or None
    if label_fr is not None:
        category.label_fr = label_fr.strip() or None
    if category.key not in DEFAULT_CATEGORIES and not (category.label_en or category.label_fr):
        raise Invalid.one("label_en", _("Give the category a name."))
    if retired is not None:
        if retired and not db.scalar(
            select(func.count()).where(
                FeedbackCategory.retired.is_(False), FeedbackCategory.id != category.id
            )
        ):
            raise Invalid.one("retired", _("Keep at least one category open."))
        category.retired = retired
    db.flush()
    return _category_view(category)


# ---- groups under the threshold -----------------------------------------------------------------


class _Groups:
    """Head counts of departments and sites (active people), memoised for one request."""

    def __init__(self, db: Session, threshold: int) -> None:
        self.db = db
        self.threshold = threshold
        self._sizes: dict[tuple[str | None, str | None], int] = {}

    def size(self, department: str | None, site: str | None) -> int:
        key = (department, site)
        if key not in self._sizes:
            stmt = select(func.count()).select_from(User).where(User.is_active.is_(True))
            if department is not None:
                stmt = stmt.where(User.department == department)
            if site is not None:
                stmt = stmt.where(User.site == site)
            self._sizes[key] = self.db.scalar(stmt) or 0
        return self._sizes[key]

    def shown(self, department: str | None, site: str | None) -> tuple[str | None, str | None]:
        """The department and site that may be shown together without naming fewer than `threshold`."""
        dept = department if department and self.size(department, None) >= self.threshold else None
        place = site if site and self.size(None, site) >= self.threshold else None
        if dept and place and self.size(dept, place) < self.threshold:
            place = None  # each is large enough, but together they would point at a few people
        return dept, place


def anonymous_groups(db: Session, *, settings: Settings, author: User) -> tuple[str | None, str | None]:
    """The department and site an anonymous item may keep: only groups of at least the threshold."""
    return _Groups(db, settings.group_threshold).shown(author.department, author.site)


# ---- items: writing ------------------------------------------------------------------------------


@dataclass
class Upload:
    """A file sent with an item."""

    filename: str
    data: bytes


def new_item_id(db: Session) -> int:
    """A random, unused item id (sequential ids would tell HR the order of submissions)."""
    while True:
        candidate = 1_000_000 + secrets.randbelow(2_000_000_000)
        if db.get(FeedbackItem, candidate) is None:
            return candidate


def _clean_filename(name: str) -> str:
    # ASCII only: the name travels in a Content-Disposition header
    base = re.sub(r"[^A-Za-z0-9._\- ]+", "", (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip()
    return base[:100] or "attachment"


def _attachment(settings: Settings, upload: Upload, *, anonymous: bool) -> FeedbackAttachment:
    """Check and prepare an attachment: images re-encoded without metadata; PDFs for named items only."""
    data = upload.data
    if len(data) > settings.max_upload_bytes:
        raise Invalid.one(
            "attachment",
            _("The file is larger than {n} MB.").format(n=settings.max_upload_bytes // (1024 * 1024)),
        )
    if data.startswith(PDF_MAGIC):
        if anonymous:
            raise Invalid.one(
                "attachment",
                _(
                    "Anonymous feedback takes images only: a PDF can carry its author's name in "
                    "hidden details that we cannot remove."
                ),
            )
        name = _clean_filename(upload.filename)
        if not name.lower().endswith(".pdf"):
            name += ".pdf"
        return FeedbackAttachment(
            id=secrets.token_hex(16), content_type="application/pdf", filename=name, size=len(data), data=data
        )
    try:
        content, _width, _height = photos.process_image(
            settings, data, field="attachment", max_width=photos.ARTICLE_IMAGE_WIDTH
        )
    except Invalid as exc:
        if any(e.message == _("This image has too many pixels.") for e in exc.errors):
            raise
        raise Invalid.one("attachment", _("Attach an image (JPEG, PNG, WebP, GIF) or a PDF.")) from exc
    # an anonymous file keeps no name of its own (a file name can be a person's name)
    stem = "attachment" if anonymous else _clean_filename(upload.filename).rsplit(".", 1)[0]
    return FeedbackAttachment(
        id=secrets.token_hex(16),
        content_type="image/jpeg",
        filename=f"{stem}.jpg",
        size=len(content),
        data=content,
    )


def submit(
    db: Session,
    *,
    settings: Settings,
    actor: User,
    category: str,
    body: str,
    anonymous: bool,
    share_group: bool = True,
    upload: Upload | None = None,
) -> tuple[FeedbackItem, bool]:
    """Send feedback to HR; returns the item and False when the same text was already sent today."""
    errors: list[FieldError] = []
    try:
        chosen = _category_by_key(db, category)
    except Invalid as exc:
        errors += exc.errors
    try:
        text = _check_text(body, "body", _("Write your feedback."), MAX_BODY)
    except Invalid as exc:
        errors += exc.errors
    attachment = None
    if upload is not None and upload.data:
        try:
            attachment = _attachment(settings, upload, anonymous=anonymous)
        except Invalid as exc:
            errors += exc.errors
    if errors:
        raise Invalid(errors)
    day = today(settings)
    digest = submission_digest(settings, actor.id, day, text)
    existing = db.scalar(select(FeedbackItem).where(FeedbackItem.submission_digest == digest))
    if existing is not None:
        return existing, False
    department = site = None
    if anonymous and share_group:
        department, site = anonymous_groups(db, settings=settings, author=actor)
    item = FeedbackItem(
        id=new_item_id(db),
        category_id=chosen.id,
        body=text,
        anonymous=anonymous,
        author_id=None if anonymous else actor.id,
        author_tag=author_tag(settings, actor.id) if anonymous else None,
        submission_digest=digest,
        department=department,
        site=site,
        status=FeedbackStatus.received.value,
        created_on=day,
    )
    try:
        with db.begin_nested():
            db.add(item)
            db.flush()
    except IntegrityError:  # the same text, sent twice at once: the first one wins
        found = db.scalar(select(FeedbackItem).where(FeedbackItem.submission_digest == digest))
        if found is None:
            raise
        return found, False
    if attachment is not None:
        attachment.item_id = item.id
        db.add(attachment)
    if not anonymous:
        # an anonymous item records nothing about its author: an event would tie them to it
        activity.record(
            db, user_id=actor.id, kind="feedback_sent", subject_type="feedback", subject_id=item.id
        )
    db.flush()
    return item, True


def attach(db: Session, *, settings: Settings, actor: User, item: FeedbackItem, upload: Upload) -> None:
    """The author adds (or replaces) the file of their item while HR has not yet answered."""
    if not is_author(settings, actor, item):
        raise NotFound(_("No such feedback."))
    if item.status not in ("received", "in_review"):
        raise Invalid.one("attachment", _("HR has answered: add what you want to say as a reply."))
    if not upload.data:
        raise Invalid.one("attachment", _("Choose a file."))
    attachment = _attachment(settings, upload, anonymous=item.anonymous)
    db.execute(delete(FeedbackAttachment).where(FeedbackAttachment.item_id == item.id))
    attachment.item_id = item.id
    db.add(attachment)
    db.flush()


def is_author(settings: Settings, viewer: User, item: FeedbackItem) -> bool:
    """True when the viewer wrote this item (for an anonymous one: their tag matches)."""
    if item.author_id is not None:
        return item.author_id == viewer.id
    return item.author_tag is not None and hmac.compare_digest(
        item.author_tag, author_tag(settings, viewer.id)
    )


def get_item(db: Session, *, settings: Settings, viewer: User, item_id: int) -> FeedbackItem:
    """An item its author or HR may see; NotFound for anyone else."""
    item = db.get(FeedbackItem, item_id)
    if item is None or not (is_hr(viewer) or is_author(settings, viewer, item)):
        raise NotFound(_("No such feedback."))
    return item


def get_own_item(db: Session, *, settings: Settings, viewer: User, item_id: int) -> FeedbackItem:
    """One of the viewer's own items; NotFound otherwise (HR included)."""
    item = db.get(FeedbackItem, item_id)
    if item is None or not is_author(settings, viewer, item):
        raise NotFound(_("No such feedback."))
    return item


def get_hr_item(db: Session, *, viewer: User, item_id: int) -> FeedbackItem:
    """An item in the HR inbox; NotFound for anyone but HR."""
    require_hr(viewer)
    item = db.get(FeedbackItem, item_id)
    if item is None:
        raise NotFound(_("No such feedback."))
    return item


def _anonymous_author_id(db: Session, settings: Settings, tag: str) -> int | None:
    """Who holds this tag, found by trying every active person (the secret key makes this possible
    for the server alone; it is how an anonymous author hears of a change)."""
    key = settings.secret_key.encode()
    for (user_id,) in db.execute(select(User.id).where(User.is_active.is_(True))):
        mac = hmac.new(key, f"feedback-author:{user_id}".encode(), hashlib.sha256).hexdigest()
        if hmac.compare_digest(mac, tag):
            return int(user_id)
    return None


def _tell_author(db: Session, settings: Settings, item: FeedbackItem, *, reply: bool = False) -> None:
    """Notify the author of a change. An anonymous author's line names neither the item nor its words:
    a fresh random key and the "my feedback" page."""
    params: dict[str, str | bool] = {"status": item.status}
    if reply:
        params["reply"] = True
    if item.author_id is not None:
        kind = "reply" if reply else "status"
        notifications.notify(
            db,
            recipient_id=item.author_id,
            type="feedback",
            key=f"feedback:{kind}:{item.id}",
            url=f"/feedback/mine/{item.id}",
            params={**params, "title": excerpt(item.body)},
        )
        return
    if item.author_tag is None:
        return
    recipient = _anonymous_author_id(db, settings, item.author_tag)
    if recipient is not None:
        notifications.notify(
            db,
            recipient_id=recipient,
            type="feedback",
            key=f"feedback:anonymous:{secrets.token_hex(8)}",
            url=MY_FEEDBACK_URL,
            params=params,
        )


def set_status(
    db: Session, *, settings: Settings, actor: User, item: FeedbackItem, status: str, reason: str = ""
) -> FeedbackItem:
    """HR moves an item along (declining needs a reason the author reads); its author is told, and so
    are the authors of the items merged into it."""
    require_hr(actor)
    if status not in STATUSES:
        raise Invalid.one("status", _("Choose one of the offered statuses."))
    if item.merged_into_id is not None:
        raise Invalid.one("status", _("This item was merged: change the status of the item it joined."))
    why = (reason or "").strip()
    if status == FeedbackStatus.declined:
        why = _check_text(why, "reason", _("Say why it is declined: its author reads it."), MAX_REPLY)
    changed = item.status != status or (status == FeedbackStatus.declined and item.decline_reason != why)
    item.status = status
    item.decline_reason = why if status == FeedbackStatus.declined else None
    if not changed:
        return item
    db.flush()
    _tell_author(db, settings, item)
    for merged in db.scalars(select(FeedbackItem).where(FeedbackItem.merged_into_id == item.id)):
        merged.status = item.status
        merged.decline_reason = item.decline_reason
        _tell_author(db, settings, merged)
    db.flush()
    return item


def assign(db: Session, *, actor: User, item: FeedbackItem, assignee_id: int | None) -> FeedbackItem:
    """HR hands an item to an HR colleague (or to nobody)."""
    require_hr(actor)
    if assignee_id is not None and assignee_id not in {p.id for p in hr_people(db)}:
        raise Invalid.one("assignee_id", _("Choose an HR colleague."))
    handed = assignee_id is not None and assignee_id != item.assignee_id
    item.assignee_id = assignee_id
    db.flush()
    if handed and assignee_id is not None:
        notifications.notify(  # the HR colleague hears of it; nothing here names an anonymous author
            db,
            recipient_id=assignee_id,
            type="feedback",
            key=f"feedback:assigned:{item.id}",
            url=f"/feedback/inbox/{item.id}",
            actor_id=actor.id,
            params={"assigned": True, "title": excerpt(item.body)},
        )
    return item


def hr_people(db: Session) -> list[User]:
    """The active people with the HR role, by name."""
    return list(
        db.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.hr.value, User.is_active.is_(True))
            .order_by(User.display_name)
        )
    )


def add_reply(
    db: Session, *, settings: Settings, actor: User, item: FeedbackItem, body: str
) -> FeedbackReply:
    """A message in the item's conversation. The author writes as the author (never named on an
    anonymous item); HR writes under their name, the author is told, and a first answer marks the
    item answered."""
    if is_author(settings, actor, item):
        from_hr = False
    elif is_hr(actor):
        from_hr = True
    else:
        raise NotFound(_("No such feedback."))
    text = _check_text(body, "body", _("Write your reply."), MAX_REPLY)
    reply = FeedbackReply(
        item_id=item.id,
        from_hr=from_hr,
        hr_author_id=actor.id if from_hr else None,
        body=text,
        created_on=today(settings),
    )
    db.add(reply)
    if from_hr:
        if item.status in ("received", "in_review") and item.merged_into_id is None:
            item.status = FeedbackStatus.answered.value
        db.flush()
        _tell_author(db, settings, item, reply=True)
    db.flush()
    return reply


def add_note(db: Session, *, settings: Settings, actor: User, item: FeedbackItem, body: str) -> FeedbackNote:
    """An HR-internal note on an item (its author never sees notes)."""
    require_hr(actor)
    text = _check_text(body, "note", _("Write the note."), MAX_NOTE)
    note = FeedbackNote(item_id=item.id, author_id=actor.id, body=text, created_on=today(settings))
    db.add(note)
    db.flush()
    return note


def merge(db: Session, *, settings: Settings, actor: User, item: FeedbackItem, into_id: int) -> FeedbackItem:
    """HR folds a duplicate into the item it repeats: the duplicate follows the kept item's status
    from now on, and its author is told and still finds it in "my feedback"."""
    require_hr(actor)
    kept = db.get(FeedbackItem, into_id)
    if kept is None or kept.id == item.id:
        raise Invalid.one("into", _("Choose another item of the inbox, by its number."))
    if kept.merged_into_id is not None:
        raise Invalid.one("into", _("That item was itself merged: choose the item it joined."))
    if item.merged_into_id is not None:
        raise Conflict(_("This item is already merged."))
    db.execute(
        update(FeedbackItem)
        .where(FeedbackItem.merged_into_id == item.id)
        .values(merged_into_id=kept.id, status=kept.status, decline_reason=kept.decline_reason)
        .execution_options(synchronize_session=False)
    )
    item.merged_into_id = kept.id
    item.status = kept.status
    item.decline_reason = kept.decline_reason
    db.flush()
    _tell_author(db, settings, item)
    return item


def reveal(db: Session, *, settings: Settings, actor: User, item: FeedbackItem) -> FeedbackItem:
    """The author of an anonymous item gives their name, for good; the tag goes, the name stays."""
    if not is_author(settings, actor, item):
        raise NotFound(_("No such feedback."))
    if not item.anonymous:
        return item
    item.anonymous = False
    item.author_id = actor.id
    item.author_tag = None
    item.department = None  # a named item shows the author's own profile
    item.site = None
    item.revealed_on = today(settings)
    db.flush()
    return item


# ---- items: reading ------------------------------------------------------------------------------


@dataclass
class ReplyView:
    """A message of the conversation: HR's under a name, the author's as "the author"."""

    from_hr: bool
    hr_name: str | None
    body: str
    created_on: date


@dataclass
class NoteView:
    """An HR-internal note."""

    author_name: str | None
    body: str
    created_on: date


@dataclass
class AttachmentView:
    """What is known of an attachment without reading it."""

    id: str
    filename: str
    content_type: str
    size: int


@dataclass
class BoardRef:
    """Where an item was published on the board."""

    id: int
    title: str
    is_initiative: bool


@dataclass
class ItemView:
    """An item as HR or its author sees it. `author` is None whenever the item is anonymous; the
    department and site of an anonymous author appear only for groups of at least the threshold."""

    id: int
    category: CategoryView
    body: str
    anonymous: bool
    author: User | None
    department: str | None
    site: str | None
    status: str
    decline_reason: str | None
    assignee: User | None
    merged_into_id: int | None
    merged_ids: list[int]
    created_on: date
    revealed_on: date | None
    attachment: AttachmentView | None
    board: BoardRef | None
    replies: list[ReplyView] = field(default_factory=list)
    notes: list[NoteView] = field(default_factory=list)
    reply_count: int = 0

    @property
    def status_label(self) -> str:
        """The status in the reader's language."""
        return status_label(self.status)

    @property
    def title(self) -> str:
        """A short name for lists."""
        return excerpt(self.body, 90)


def _people(db: Session, ids: Iterable[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in db.scalars(select(User).where(User.id.in_(wanted)))}


def _views(
    db: Session, settings: Settings, items: list[FeedbackItem], *, for_hr: bool, full: bool
) -> list[ItemView]:
    """Views of several items in a few statements; replies and notes only when `full`."""
    if not items:
        return []
    ids = [i.id for i in items]
    cats = _category_map(db)
    people = _people(db, [i.author_id for i in items] + [i.assignee_id for i in items])
    groups = _Groups(db, settings.group_threshold)
    attachments = {
        a.item_id: AttachmentView(a.id, a.filename, a.content_type, a.size)
        for a in db.execute(
            select(
                FeedbackAttachment.id,
                FeedbackAttachment.item_id,
                FeedbackAttachment.filename,
                FeedbackAttachment.content_type,
                FeedbackAttachment.size,
            ).where(FeedbackAttachment.item_id.in_(ids))
        )
    }
    boards = {
        row.item_id: BoardRef(row.id, row.title, row.is_initiative)
        for row in db.execute(
            select(
                FeedbackBoardEntry.id,
                FeedbackBoardEntry.item_id,
                FeedbackBoardEntry.title,
                FeedbackBoardEntry.is_initiative,
            ).where(FeedbackBoardEntry.item_id.in_(ids))
        )
    }
    merged: dict[int, list[int]] = {}
    for child, parent in db.execute(
        select(FeedbackItem.id, FeedbackItem.merged_into_id).where(FeedbackItem.merged_into_id.in_(ids))
    ):
        if parent is not None:
            merged.setdefault(parent, []).append(child)
    reply_counts = dict(
        db.execute(
            select(FeedbackReply.item_id, func.count())
            .where(FeedbackReply.item_id.in_(ids))
            .group_by(FeedbackReply.item_id)
        ).all()
    )
    views = []
    for item in items:
        author = people.get(item.author_id) if item.author_id is not None and not item.anonymous else None
        if item.anonymous:
            department, site = groups.shown(item.department, item.site)
        elif author is not None:
            department, site = author.department, author.site
        else:
            department = site = None
        views.append(
            ItemView(
                id=item.id,
                category=cats.get(item.category_id)
                or CategoryView("other", _("Other"), None, None, False, 0),
                body=item.body,
                anonymous=item.anonymous,
                author=author,
                department=department,
                site=site,
                status=item.status,
                decline_reason=item.decline_reason,
                assignee=people.get(item.assignee_id) if for_hr and item.assignee_id else None,
                merged_into_id=item.merged_into_id,
                merged_ids=sorted(merged.get(item.id, [])) if for_hr else [],
                created_on=item.created_on,
                revealed_on=item.revealed_on,
                attachment=attachments.get(item.id),
                board=boards.get(item.id),
                reply_count=int(reply_counts.get(item.id, 0)),
            )
        )
    if full:
        by_id = {v.id: v for v in views}
        replies = list(
            db.scalars(select(FeedbackReply).where(FeedbackReply.item_id.in_(ids)).order_by(FeedbackReply.id))
        )
        notes = (
            list(
                db.scalars(
                    select(FeedbackNote).where(FeedbackNote.item_id.in_(ids)).order_by(FeedbackNote.id)
                )
            )
            if for_hr
            else []
        )
        writers = _people(db, [r.hr_author_id for r in replies] + [n.author_id for n in notes])
        for r in replies:
            hr_writer = writers.get(r.hr_author_id) if r.hr_author_id else None
            by_id[r.item_id].replies.append(
                ReplyView(r.from_hr, hr_writer.display_name if hr_writer else None, r.body, r.created_on)
            )
        for n in notes:
            writer = writers.get(n.author_id) if n.author_id else None
            by_id[n.item_id].notes.append(
                NoteView(writer.display_name if writer else None, n.body, n.created_on)
            )
    return views


def item_view(db: Session, *, settings: Settings, viewer: User, item: FeedbackItem) -> ItemView:
    """One item with its conversation, as this viewer may see it (HR: with notes; author: without)."""
    for_hr = is_hr(viewer) and not is_author(settings, viewer, item)
    return _views(db, settings, [item], for_hr=for_hr, full=True)[0]


def hr_item_view(db: Session, *, settings: Settings, viewer: User, item: FeedbackItem) -> ItemView:
    """One item as the HR inbox shows it (with notes), even to an HR person who wrote it."""
    require_hr(viewer)
    return _views(db, settings, [item], for_hr=True, full=True)[0]


def own_item_view(db: Session, *, settings: Settings, viewer: User, item: FeedbackItem) -> ItemView:
    """One of the viewer's own items, as its author sees it."""
    return _views(db, settings, [item], for_hr=False, full=True)[0]


def _mine_clause(settings: Settings, viewer: User) -> ColumnElement[bool]:
    return or_(
        FeedbackItem.author_id == viewer.id, FeedbackItem.author_tag == author_tag(settings, viewer.id)
    )


def _page(
    db: Session,
    settings: Settings,
    stmt: Select[FeedbackItem],
    *,
    cursor: str | None,
    limit: int | None,
    for_hr: bool,
    full: bool,
) -> Page[ItemView]:
    size = clamp_limit(limit, default=30)
    position = decode_keyset(cursor, date_key)
    query = stmt.order_by(FeedbackItem.created_on.desc(), FeedbackItem.id.desc()).limit(size + 1)
    if position is not None:
        on, last = position
        query = query.where(
            or_(FeedbackItem.created_on < on, and_(FeedbackItem.created_on == on, FeedbackItem.id < last))
        )
    rows = list(db.scalars(query))
    views = _views(db, settings, rows[:size], for_hr=for_hr, full=full)
    next_cursor = None
    if len(rows) > size:
        last_row = rows[size - 1]
        next_cursor = encode_cursor([last_row.created_on.isoformat(), last_row.id])
    return Page(views, next_cursor)


def mine(
    db: Session, *, settings: Settings, viewer: User, cursor: str | None = None, limit: int | None = None
) -> Page[ItemView]:
    """The viewer's own feedback (named and anonymous, merged ones too), newest day first, with replies."""
    stmt = select(FeedbackItem).where(_mine_clause(settings, viewer))
    return _page(db, settings, stmt, cursor=cursor, limit=limit, for_hr=False, full=True)


@dataclass
class InboxFilters:
    """What the HR inbox is narrowed to."""

    status: str | None = None
    category: str | None = None
    since: date | None = None
    until: date | None = None
    assignee: str | None = None  # "me", "none", or an HR person's id
    include_merged: bool = False


def inbox(
    db: Session,
    *,
    settings: Settings,
    viewer: User,
    filters: InboxFilters,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[ItemView]:
    """HR's inbox, newest day first; anonymous items carry no author. NotFound for anyone but HR."""
    require_hr(viewer)
    stmt = select(FeedbackItem)
    if filters.status:
        if filters.status not in STATUSES:
            raise Invalid.one("status", _("Choose one of the offered statuses."))
        stmt = stmt.where(FeedbackItem.status == filters.status)
    if filters.category:
        category_id = db.scalar(select(FeedbackCategory.id).where(FeedbackCategory.key == filters.category))
        if category_id is None:
            raise Invalid.one("category", _("Choose one of the offered categories."))
        stmt = stmt.where(FeedbackItem.category_id == category_id)
    if filters.since and filters.until and filters.since > filters.until:
        raise Invalid.one("until", _("The end comes before the start."))
    if filters.since:
        stmt = stmt.where(FeedbackItem.created_on >= filters.since)
    if filters.until:
        stmt = stmt.where(FeedbackItem.created_on <= filters.until)
    if filters.assignee == "me":
        stmt = stmt.where(FeedbackItem.assignee_id == viewer.id)
    elif filters.assignee == "none":
        stmt = stmt.where(FeedbackItem.assignee_id.is_(None))
    elif filters.assignee:
        try:
            stmt = stmt.where(FeedbackItem.assignee_id == int(filters.assignee))
        except ValueError:
            raise Invalid.one("assignee", _("Choose an HR colleague.")) from None
    if not filters.include_merged:
        stmt = stmt.where(FeedbackItem.merged_into_id.is_(None))
    return _page(db, settings, stmt, cursor=cursor, limit=limit, for_hr=True, full=False)


def inbox_counts(db: Session, *, viewer: User) -> dict[str, int]:
    """How many open (not merged) items the inbox holds in each status."""
    require_hr(viewer)
    rows = db.execute(
        select(FeedbackItem.status, func.count())
        .where(FeedbackItem.merged_into_id.is_(None))
        .group_by(FeedbackItem.status)
    ).all()
    found = {status: int(n) for status, n in rows}
    return {s: found.get(s, 0) for s in STATUSES}


def get_attachment(
    db: Session, *, settings: Settings, viewer: User, attachment_id: str
) -> FeedbackAttachment:
    """An attachment, for HR and the item's author only (404 for anyone else)."""
    attachment = db.get(FeedbackAttachment, attachment_id)
    if attachment is None:
        raise NotFound(_("No such file."))
    item = db.get(FeedbackItem, attachment.item_id)
    if item is None or not (is_hr(viewer) or is_author(settings, viewer, item)):
        raise NotFound(_("No such file."))
    return attachment


def item_attachment(db: Session, *, item: FeedbackItem) -> FeedbackAttachment:
    """The file of an item, if it has one."""
    attachment = db.scalar(select(FeedbackAttachment).where(FeedbackAttachment.item_id == item.id))
    if attachment is None:
        raise NotFound(_("No such file."))
    return attachment


# ---- the board -----------------------------------------------------------------------------------


def publish(
    db: Session,
    *,
    settings: Settings,
    actor: User,
    item: FeedbackItem,
    title: str,
    body: str,
    outcome: str = "",
    initiative: bool = False,
) -> FeedbackBoardEntry:
    """HR puts an item on the board in their own words (the original stays untouched), with what was
    done; ideas and CSR initiatives may become initiatives colleagues join. Publishing again edits."""
    require_hr(actor)
    errors: list[FieldError] = []
    for name, value, empty, limit in (
        ("title", title, _("Give it a title."), MAX_TITLE),
        ("body", body, _("Say what was raised, in words that identify nobody."), MAX_BODY),
    ):
        try:
            _check_text(value, name, empty, limit)
        except Invalid as exc:
            errors += exc.errors
    if len((outcome or "").strip()) > MAX_BODY:
        errors.append(FieldError("outcome", _("At most {n} characters.").format(n=format_number(MAX_BODY))))
    category_key = db.scalar(select(FeedbackCategory.key).where(FeedbackCategory.id == item.category_id))
    if initiative and category_key not in INITIATIVE_CATEGORIES:
        errors.append(
            FieldError("initiative", _("Only ideas and CSR initiatives can become initiatives to join."))
        )
    if item.merged_into_id is not None:
        errors.append(FieldError("title", _("This item was merged: publish the item it joined.")))
    if errors:
        raise Invalid(errors)
    entry = db.scalar(select(FeedbackBoardEntry).where(FeedbackBoardEntry.item_id == item.id))
    if entry is None:
        entry = FeedbackBoardEntry(item_id=item.id, published_by_id=actor.id, published_on=today(settings))
        db.add(entry)
    entry.title = title.strip()
    entry.body = body.strip()
    entry.outcome = (outcome or "").strip()
    entry.is_initiative = initiative
    db.flush()
    return entry


def unpublish(db: Session, *, actor: User, entry_id: int) -> None:
    """HR takes an entry off the board (its votes, comments and volunteers go with it)."""
    require_hr(actor)
    entry = db.get(FeedbackBoardEntry, entry_id)
    if entry is None:
        raise NotFound(_("No such board item."))
    db.delete(entry)
    db.flush()


@dataclass
class BoardEntryView:
    """A board entry as every employee sees it."""

    id: int
    title: str
    body: str
    outcome: str
    category: CategoryView
    status: str
    is_initiative: bool
    published_on: date
    vote_count: int
    comment_count: int
    volunteer_count: int
    voted: bool
    volunteering: bool
    volunteer_public: bool
    item_id: int | None = None  # HR only
    comments: list[tuple[User, FeedbackComment]] = field(default_factory=list)
    volunteers: list[User] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        """The status in the reader's language."""
        return status_label(self.status)


def board(
    db: Session,
    *,
    viewer: User,
    category: str | None = None,
    status: str | None = None,
    initiatives: bool = False,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[BoardEntryView]:
    """The "you said, we did" board, newest first, filtered by category, status or initiatives."""
    size = clamp_limit(limit, default=30)
    stmt = select(FeedbackBoardEntry, FeedbackItem.status, FeedbackItem.category_id).join(
        FeedbackItem, FeedbackItem.id == FeedbackBoardEntry.item_id
    )
    if category:
        category_id = db.scalar(select(FeedbackCategory.id).where(FeedbackCategory.key == category))
        if category_id is None:
            raise Invalid.one("category", _("Choose one of the offered categories."))
        stmt = stmt.where(FeedbackItem.category_id == category_id)
    if status:
        if status not in STATUSES:
            raise Invalid.one("status", _("Choose one of the offered statuses."))
        stmt = stmt.where(FeedbackItem.status == status)
    if initiatives:
        stmt = stmt.where(FeedbackBoardEntry.is_initiative.is_(True))
    position = decode_keyset(cursor, date_key)
    if position is not None:
        on, last = position
        stmt = stmt.where(
            or_(
                FeedbackBoardEntry.published_on < on,
                and_(FeedbackBoardEntry.published_on == on, FeedbackBoardEntry.id < last),
            )
        )
    rows = db.execute(
        stmt.order_by(FeedbackBoardEntry.published_on.desc(), FeedbackBoardEntry.id.desc()).limit(size + 1)
    ).all()
    shown = rows[:size]
    entry_ids = [entry.id for entry, _s, _c in shown]
    voted = set(
        db.scalars(
            select(FeedbackVote.entry_id).where(
                FeedbackVote.user_id == viewer.id, FeedbackVote.entry_id.in_(entry_ids)
            )
        )
    )
    joined = {
        v.entry_id: v
        for v in db.scalars(
            select(FeedbackVolunteer).where(
                FeedbackVolunteer.user_id == viewer.id, FeedbackVolunteer.entry_id.in_(entry_ids)
            )
        )
    }
    cats = _category_map(db)
    views = [
        _entry_view(entry, item_status, cats[category_id], entry.id in voted, joined.get(entry.id), viewer)
        for entry, item_status, category_id in shown
    ]
    next_cursor = None
    if len(rows) > size:
        last_entry = rows[size - 1][0]
        next_cursor = encode_cursor([last_entry.published_on.isoformat(), last_entry.id])
    return Page(views, next_cursor)


def _entry_view(
    entry: FeedbackBoardEntry,
    status: str,
    category: CategoryView,
    voted: bool,
    volunteer: FeedbackVolunteer | None,
    viewer: User,
) -> BoardEntryView:
    return BoardEntryView(
        id=entry.id,
        title=entry.title,
        body=entry.body,
        outcome=entry.outcome,
        category=category,
        status=status,
        is_initiative=entry.is_initiative,
        published_on=entry.published_on,
        vote_count=entry.vote_count,
        comment_count=entry.comment_count,
        volunteer_count=entry.volunteer_count,
        voted=voted,
        volunteering=volunteer is not None,
        volunteer_public=volunteer.public if volunteer is not None else True,
        item_id=entry.item_id if is_hr(viewer) else None,
    )


def _get_entry(db: Session, entry_id: int) -> FeedbackBoardEntry:
    entry = db.get(FeedbackBoardEntry, entry_id)
    if entry is None:
        raise NotFound(_("No such board item."))
    return entry


def board_entry(db: Session, *, viewer: User, entry_id: int) -> BoardEntryView:
    """One board entry with its comments and the volunteers who show their name."""
    entry = _get_entry(db, entry_id)
    item = db.get(FeedbackItem, entry.item_id)
    assert item is not None
    category = _category_map(db)[item.category_id]
    voted = db.get(FeedbackVote, (entry.id, viewer.id)) is not None
    view = _entry_view(
        entry, item.status, category, voted, db.get(FeedbackVolunteer, (entry.id, viewer.id)), viewer
    )
    view.comments = [
        (user, comment)
        for comment, user in db.execute(
            select(FeedbackComment, User)
            .join(User, User.id == FeedbackComment.author_id)
            .where(FeedbackComment.entry_id == entry.id)
            .order_by(FeedbackComment.id)
        ).all()
    ]
    view.volunteers = list(
        db.scalars(
            select(User)
            .join(FeedbackVolunteer, FeedbackVolunteer.user_id == User.id)
            .where(FeedbackVolunteer.entry_id == entry.id, FeedbackVolunteer.public.is_(True))
            .order_by(User.display_name)
        )
    )
    return view


def support(db: Session, *, actor: User, entry_id: int) -> None:
    """Support a board entry: one vote per person, again changes nothing."""
    entry = _get_entry(db, entry_id)
    if db.get(FeedbackVote, (entry.id, actor.id)) is not None:
        return
    try:
        with db.begin_nested():
            db.add(FeedbackVote(entry_id=entry.id, user_id=actor.id))
            db.flush()
    except IntegrityError:  # a concurrent click already counted it
        return
    db.execute(
        update(FeedbackBoardEntry)
        .where(FeedbackBoardEntry.id == entry.id)
        .values(vote_count=FeedbackBoardEntry.vote_count + 1)
        .execution_options(synchronize_session=False)
    )
    activity.record(
        db, user_id=actor.id, kind="feedback_vote", subject_type="feedback_board", subject_id=entry.id
    )
    db.refresh(entry)


def unsupport(db: Session, *, actor: User, entry_id: int) -> None:
    """Withdraw one's support (idempotent)."""
    entry = _get_entry(db, entry_id)
    result = db.execute(
        delete(FeedbackVote).where(FeedbackVote.entry_id == entry.id, FeedbackVote.user_id == actor.id)
    )
    if getattr(result, "rowcount", 0):
        db.execute(
            update(FeedbackBoardEntry)
            .where(FeedbackBoardEntry.id == entry.id)
            .values(vote_count=FeedbackBoardEntry.vote_count - 1)
            .execution_options(synchronize_session=False)
        )
    db.refresh(entry)


def comment(db: Session, *, settings: Settings, actor: User, entry_id: int, body: str) -> FeedbackComment:
    """A colleague comments a board entry, under their name."""
    entry = _get_entry(db, entry_id)
    text = _check_text(body, "body", _("Write your comment."), MAX_COMMENT)
    row = FeedbackComment(entry_id=entry.id, author_id=actor.id, body=text, created_on=today(settings))
    db.add(row)
    db.execute(
        update(FeedbackBoardEntry)
        .where(FeedbackBoardEntry.id == entry.id)
        .values(comment_count=FeedbackBoardEntry.comment_count + 1)
        .execution_options(synchronize_session=False)
    )
    activity.record(
        db, user_id=actor.id, kind="feedback_comment", subject_type="feedback_board", subject_id=entry.id
    )
    db.flush()
    return row


def volunteer(db: Session, *, settings: Settings, actor: User, entry_id: int, public: bool = True) -> None:
    """Join an initiative as a volunteer (listed by name only if one agrees); again updates the choice."""
    entry = _get_entry(db, entry_id)
    if not entry.is_initiative:
        raise Invalid.one("volunteer", _("This item is not an initiative to join."))
    row = db.get(FeedbackVolunteer, (entry.id, actor.id))
    if row is not None:
        row.public = public
        db.flush()
        return
    try:
        with db.begin_nested():
            db.add(
                FeedbackVolunteer(
                    entry_id=entry.id, user_id=actor.id, public=public, joined_on=today(settings)
                )
            )
            db.flush()
    except IntegrityError:
        return
    db.execute(
        update(FeedbackBoardEntry)
        .where(FeedbackBoardEntry.id == entry.id)
        .values(volunteer_count=FeedbackBoardEntry.volunteer_count + 1)
        .execution_options(synchronize_session=False)
    )
    activity.record(
        db, user_id=actor.id, kind="volunteer", subject_type="feedback_board", subject_id=entry.id
    )
    db.flush()


def leave_initiative(db: Session, *, actor: User, entry_id: int) -> None:
    """Stop volunteering (idempotent)."""
    entry = _get_entry(db, entry_id)
    result = db.execute(
        delete(FeedbackVolunteer).where(
            FeedbackVolunteer.entry_id == entry.id, FeedbackVolunteer.user_id == actor.id
        )
    )
    if getattr(result, "rowcount", 0):
        db.execute(
            update(FeedbackBoardEntry)
            .where(FeedbackBoardEntry.id == entry.id)
            .values(volunteer_count=FeedbackBoardEntry.volunteer_count - 1)
            .execution_options(synchronize_session=False)
        )
    db.flush()


def require_hr_action(viewer: User) -> None:
    """An author may see their item but not run HR's actions on it (403, not 404)."""
    if not is_hr(viewer):
        raise Forbidden(_("Only HR can do this."))

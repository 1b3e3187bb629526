"""Employee feedback to HR (named or anonymous), the HR inbox, and the "you said, we did" board."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile
from pydantic import BaseModel, Field

from app.api.schemas import Page, PersonRef, Strict
from app.deps import DB, AppSettings, CurrentUser
from app.i18n import _
from app.models import FeedbackAttachment, FeedbackItem, User
from app.services import feedback
from app.services.errors import Invalid

router = APIRouter(tags=["feedback"])


class FeedbackCreate(Strict):
    """Feedback for HR. `anonymous`: HR never learns who wrote it; `share_group`: an anonymous author's
    department and site may be shown, and only when at least the threshold of people share them."""

    category: str
    body: str
    anonymous: bool = False
    share_group: bool = True


class FeedbackCreated(BaseModel):
    """The item just sent (or, for the same text sent again the same day, the one sent before)."""

    id: int
    status: str
    anonymous: bool


class CategoryRead(BaseModel):
    """A category people may choose."""

    key: str
    label: str
    retired: bool


class CategoryList(BaseModel):
    """The categories, in their order."""

    items: list[CategoryRead]


class CategoryCreate(Strict):
    """A new category (HR); its key comes from the English name unless given."""

    label_en: str = ""
    label_fr: str = ""
    key: str = ""


class CategoryUpdate(Strict):
    """A renamed (empty: the built-in name) or retired category (HR)."""

    label_en: str | None = None
    label_fr: str | None = None
    retired: bool | None = None


class ReplyRead(BaseModel):
    """A message of the conversation; `author` names HR's writer, never the item's author."""

    from_hr: bool
    author: str | None
    body: str
    created_on: date


class NoteRead(BaseModel):
    """An HR-internal note."""

    author: str | None
    body: str
    created_on: date


class AttachmentRead(BaseModel):
    """The file sent with the item."""

    url: str
    filename: str
    content_type: str
    size: int


class BoardRef(BaseModel):
    """Where the item stands on the board."""

    id: int
    title: str
    is_initiative: bool


class FeedbackRead(BaseModel):
    """An item as HR or its author sees it. Anonymous: no author, and a department or site only for a
    group of at least the threshold; only days, never times."""

    id: int
    category: str
    category_label: str
    body: str
    status: str
    anonymous: bool
    author: PersonRef | None
    department: str | None
    site: str | None
    decline_reason: str | None
    assignee: PersonRef | None
    merged_into: int | None
    merged: list[int]
    created_on: date
    revealed_on: date | None
    attachment: AttachmentRead | None
    board: BoardRef | None
    reply_count: int
    replies: list[ReplyRead]
    notes: list[NoteRead] = Field(default_factory=list)


class FeedbackUpdate(Strict):
    """HR's changes: the status (declined needs `reason`), and who in HR handles it."""

    status: str | None = None
    reason: str | None = None
    assignee_id: int | None = None


class TextIn(Strict):
    """A reply, a note or a comment."""

    body: str


class MergeIn(Strict):
    """The item this one repeats."""

    into: int


class PublishIn(Strict):
    """What the board shows: HR's own words (the original stays untouched) and what was done."""

    title: str
    body: str
    outcome: str = ""
    initiative: bool = False


class BoardEntryRead(BaseModel):
    """An entry of the board."""

    id: int
    title: str
    body: str
    outcome: str
    category: str
    category_label: str
    status: str
    is_initiative: bool
    published_on: date
    vote_count: int
    comment_count: int
    volunteer_count: int
    voted: bool
    volunteering: bool
    item_id: int | None = None


class BoardCommentRead(BaseModel):
    """A colleague's comment."""

    author: PersonRef
    body: str
    created_on: date


class BoardEntryDetail(BoardEntryRead):
    """An entry with its comments and the volunteers who show their name."""

    comments: list[BoardCommentRead]
    volunteers: list[PersonRef]


class VolunteerIn(Strict):
    """Whether one's name is shown among the volunteers."""

    public: bool = True


def _person(user: User | None) -> PersonRef | None:
    return PersonRef(id=user.id, display_name=user.display_name, handle=user.handle) if user else None


def _read(view: feedback.ItemView) -> FeedbackRead:
    return FeedbackRead(
        id=view.id,
        category=view.category.key,
        category_label=view.category.label,
        body=view.body,
        status=view.status,
        anonymous=view.anonymous,
        author=_person(view.author),
        department=view.department,
        site=view.site,
        decline_reason=view.decline_reason,
        assignee=_person(view.assignee),
        merged_into=view.merged_into_id,
        merged=view.merged_ids,
        created_on=view.created_on,
        revealed_on=view.revealed_on,
        attachment=AttachmentRead(
            url=f"/api/v1/feedback/{view.id}/attachment",
            filename=view.attachment.filename,
            content_type=view.attachment.content_type,
            size=view.attachment.size,
        )
        if view.attachment
        else None,
        board=BoardRef(id=view.board.id, title=view.board.title, is_initiative=view.board.is_initiative)
        if view.board
        else None,
        reply_count=view.reply_count,
        replies=[
            ReplyRead(from_hr=r.from_hr, author=r.hr_name, body=r.body, created_on=r.created_on)
            for r in view.replies
        ],
        notes=[NoteRead(author=n.author_name, body=n.body, created_on=n.created_on) for n in view.notes],
    )


def _entry(view: feedback.BoardEntryView) -> BoardEntryRead:
    return BoardEntryRead(
        id=view.id,
        title=view.title,
        body=view.body,
        outcome=view.outcome,
        category=view.category.key,
        category_label=view.category.label,
        status=view.status,
        is_initiative=view.is_initiative,
        published_on=view.published_on,
        vote_count=view.vote_count,
        comment_count=view.comment_count,
        volunteer_count=view.volunteer_count,
        voted=view.voted,
        volunteering=view.volunteering,
        item_id=view.item_id,
    )


def _detail(view: feedback.BoardEntryView) -> BoardEntryDetail:
    return BoardEntryDetail(
        **_entry(view).model_dump(),
        comments=[
            BoardCommentRead(
                author=PersonRef(id=u.id, display_name=u.display_name, handle=u.handle),
                body=c.body,
                created_on=c.created_on,
            )
            for u, c in view.comments
        ],
        volunteers=[
            PersonRef(id=u.id, display_name=u.display_name, handle=u.handle) for u in view.volunteers
        ],
    )


def _file(attachment: FeedbackAttachment) -> Response:
    """The file, never rendered by the browser as a page of ours."""
    disposition = "inline" if attachment.content_type.startswith("image/") else "attachment"
    return Response(
        attachment.data,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{attachment.filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def _item_view(db: DB, settings: AppSettings, viewer: User, item: FeedbackItem) -> FeedbackRead:
    return _read(feedback.item_view(db, settings=settings, viewer=viewer, item=item))


# ---- sending and following one's own feedback ------------------------------------------------------


@router.post("/feedback", status_code=201, response_model=FeedbackCreated)
def send(body: FeedbackCreate, db: DB, settings: AppSettings, actor: CurrentUser) -> FeedbackCreated:
    """Send feedback to HR, named or anonymous; the same text sent again the same day is the same item."""
    item, _created = feedback.submit(
        db,
        settings=settings,
        actor=actor,
        category=body.category,
        body=body.body,
        anonymous=body.anonymous,
        share_group=body.share_group,
    )
    return FeedbackCreated(id=item.id, status=item.status, anonymous=item.anonymous)


@router.get("/feedback/mine", response_model=Page[FeedbackRead])
def mine(
    db: DB, settings: AppSettings, viewer: CurrentUser, cursor: str | None = None, limit: int | None = None
) -> Page[FeedbackRead]:
    """The caller's own feedback, named and anonymous, with HR's replies and each status."""
    page = feedback.mine(db, settings=settings, viewer=viewer, cursor=cursor, limit=limit)
    return Page(items=[_read(v) for v in page.items], next_cursor=page.next_cursor)


@router.get("/feedback/categories", response_model=CategoryList)
def list_categories(db: DB, viewer: CurrentUser, include_retired: bool = False) -> CategoryList:
    """The categories feedback may have (HR may ask for the retired ones too)."""
    rows = feedback.categories(db, include_retired=include_retired and feedback.is_hr(viewer))
    return CategoryList(items=[CategoryRead(key=c.key, label=c.label, retired=c.retired) for c in rows])


@router.post("/feedback/categories", status_code=201, response_model=CategoryRead)
def add_category(body: CategoryCreate, db: DB, actor: CurrentUser) -> CategoryRead:
    """HR adds a category."""
    c = feedback.add_category(db, actor=actor, label_en=body.label_en, label_fr=body.label_fr, key=body.key)
    return CategoryRead(key=c.key, label=c.label, retired=c.retired)


@router.patch("/feedback/categories/{key}", response_model=CategoryRead)
def update_category(key: str, body: CategoryUpdate, db: DB, actor: CurrentUser) -> CategoryRead:
    """HR renames, retires or restores a category."""
    c = feedback.update_category(
        db, actor=actor, key=key, label_en=body.label_en, label_fr=body.label_fr, retired=body.retired
    )
    return CategoryRead(key=c.key, label=c.label, retired=c.retired)


# ---- the board -------------------------------------------------------------------------------------


@router.get("/feedback/board", response_model=Page[BoardEntryRead])
def board(
    db: DB,
    viewer: CurrentUser,
    category: str | None = None,
    status: str | None = None,
    initiatives: bool = False,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[BoardEntryRead]:
    """ "You said, we did": what HR published and what came of it, newest first."""
    page = feedback.board(
        db,
        viewer=viewer,
        category=category,
        status=status,
        initiatives=initiatives,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=[_entry(v) for v in page.items], next_cursor=page.next_cursor)


@router.get("/feedback/board/{entry_id}", response_model=BoardEntryDetail)
def board_entry(entry_id: int, db: DB, viewer: CurrentUser) -> BoardEntryDetail:
    """One board entry with its comments and its volunteers who show their name."""
    return _detail(feedback.board_entry(db, viewer=viewer, entry_id=entry_id))


@router.delete("/feedback/board/{entry_id}", status_code=204)
def unpublish(entry_id: int, db: DB, actor: CurrentUser) -> Response:
    """HR takes an entry off the board."""
    feedback.unpublish(db, actor=actor, entry_id=entry_id)
    return Response(status_code=204)


@router.put("/feedback/board/{entry_id}/vote", status_code=204)
def support(entry_id: int, db: DB, actor: CurrentUser) -> Response:
    """Support an entry; one vote per person, idempotent."""
    feedback.support(db, actor=actor, entry_id=entry_id)
    return Response(status_code=204)


@router.delete("/feedback/board/{entry_id}/vote", status_code=204)
def unsupport(entry_id: int, db: DB, actor: CurrentUser) -> Response:
    """Withdraw one's support, idempotent."""
    feedback.unsupport(db, actor=actor, entry_id=entry_id)
    return Response(status_code=204)


@router.post("/feedback/board/{entry_id}/comments", status_code=201, response_model=BoardCommentRead)
def comment(
    entry_id: int, body: TextIn, db: DB, settings: AppSettings, actor: CurrentUser
) -> BoardCommentRead:
    """Comment an entry, under one's name."""
    row = feedback.comment(db, settings=settings, actor=actor, entry_id=entry_id, body=body.body)
    return BoardCommentRead(
        author=PersonRef(id=actor.id, display_name=actor.display_name, handle=actor.handle),
        body=row.body,
        created_on=row.created_on,
    )


@router.put("/feedback/board/{entry_id}/volunteer", status_code=204)
def volunteer(
    entry_id: int, db: DB, settings: AppSettings, actor: CurrentUser, body: VolunteerIn | None = None
) -> Response:
    """Join an initiative as a volunteer (listed by name when `public`)."""
    public = body.public if body is not None else True
    feedback.volunteer(db, settings=settings, actor=actor, entry_id=entry_id, public=public)
    return Response(status_code=204)


@router.delete("/feedback/board/{entry_id}/volunteer", status_code=204)
def leave(entry_id: int, db: DB, actor: CurrentUser) -> Response:
    """Stop volunteering, idempotent."""
    feedback.leave_initiative(db, actor=actor, entry_id=entry_id)
    return Response(status_code=204)


# ---- the HR inbox and one item -----------------------------------------------------------------------


@router.get("/feedback", response_model=Page[FeedbackRead])
def inbox(
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    status: str | None = None,
    category: str | None = None,
    since: Annotated[date | None, Query()] = None,
    until: Annotated[date | None, Query()] = None,
    assignee: str | None = None,
    include_merged: bool = False,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[FeedbackRead]:
    """HR's inbox (404 for anyone else): anonymous items carry no author and nothing that identifies."""
    filters = feedback.InboxFilters(
        status=status,
        category=category,
        since=since,
        until=until,
        assignee=assignee,
        include_merged=include_merged,
    )
    page = feedback.inbox(db, settings=settings, viewer=viewer, filters=filters, cursor=cursor, limit=limit)
    return Page(items=[_read(v) for v in page.items], next_cursor=page.next_cursor)


@router.get("/feedback/{item_id}", response_model=FeedbackRead)
def show(item_id: int, db: DB, settings: AppSettings, viewer: CurrentUser) -> FeedbackRead:
    """An item with its replies, for HR or its author (404 for anyone else)."""
    item = feedback.get_item(db, settings=settings, viewer=viewer, item_id=item_id)
    return _item_view(db, settings, viewer, item)


@router.patch("/feedback/{item_id}", response_model=FeedbackRead)
def update(
    item_id: int, body: FeedbackUpdate, db: DB, settings: AppSettings, actor: CurrentUser
) -> FeedbackRead:
    """HR changes the status (the author is told) or the HR colleague in charge."""
    item = feedback.get_item(db, settings=settings, viewer=actor, item_id=item_id)
    feedback.require_hr_action(actor)
    if "assignee_id" in body.model_fields_set:
        feedback.assign(db, actor=actor, item=item, assignee_id=body.assignee_id)
    if body.status is not None:
        feedback.set_status(
            db, settings=settings, actor=actor, item=item, status=body.status, reason=body.reason or ""
        )
    elif not body.model_fields_set & {"assignee_id"}:
        raise Invalid.one("status", _("Choose one of the offered statuses."))
    return _read(feedback.hr_item_view(db, settings=settings, viewer=actor, item=item))


@router.post("/feedback/{item_id}/replies", status_code=201, response_model=ReplyRead)
def reply(item_id: int, body: TextIn, db: DB, settings: AppSettings, actor: CurrentUser) -> ReplyRead:
    """A reply from HR (the author is told) or from the author (still anonymous if the item is)."""
    item = feedback.get_item(db, settings=settings, viewer=actor, item_id=item_id)
    row = feedback.add_reply(db, settings=settings, actor=actor, item=item, body=body.body)
    return ReplyRead(
        from_hr=row.from_hr,
        author=actor.display_name if row.from_hr else None,
        body=row.body,
        created_on=row.created_on,
    )


@router.post("/feedback/{item_id}/notes", status_code=201, response_model=NoteRead)
def note(item_id: int, body: TextIn, db: DB, settings: AppSettings, actor: CurrentUser) -> NoteRead:
    """An HR-internal note; the author never sees it."""
    item = feedback.get_hr_item(db, viewer=actor, item_id=item_id)
    row = feedback.add_note(db, settings=settings, actor=actor, item=item, body=body.body)
    return NoteRead(author=actor.display_name, body=row.body, created_on=row.created_on)


@router.post("/feedback/{item_id}/merge", response_model=FeedbackRead)
def merge(item_id: int, body: MergeIn, db: DB, settings: AppSettings, actor: CurrentUser) -> FeedbackRead:
    """HR merges a duplicate into the item it repeats; its author is told and keeps seeing it."""
    item = feedback.get_hr_item(db, viewer=actor, item_id=item_id)
    feedback.merge(db, settings=settings, actor=actor, item=item, into_id=body.into)
    return _read(feedback.hr_item_view(db, settings=settings, viewer=actor, item=item))


@router.post("/feedback/{item_id}/reveal", response_model=FeedbackRead)
def reveal(item_id: int, db: DB, settings: AppSettings, actor: CurrentUser) -> FeedbackRead:
    """The author of an anonymous item gives their name to HR, for good."""
    item = feedback.get_own_item(db, settings=settings, viewer=actor, item_id=item_id)
    feedback.reveal(db, settings=settings, actor=actor, item=item)
    return _read(feedback.own_item_view(db, settings=settings, viewer=actor, item=item))


@router.post("/feedback/{item_id}/publish", status_code=201, response_model=BoardEntryDetail)
def publish(
    item_id: int, body: PublishIn, db: DB, settings: AppSettings, actor: CurrentUser
) -> BoardEntryDetail:
    """HR publishes the item on the board in their own words, with the outcome (again: edits it)."""
    item = feedback.get_hr_item(db, viewer=actor, item_id=item_id)
    entry = feedback.publish(
        db,
        settings=settings,
        actor=actor,
        item=item,
        title=body.title,
        body=body.body,
        outcome=body.outcome,
        initiative=body.initiative,
    )
    return _detail(feedback.board_entry(db, viewer=actor, entry_id=entry.id))


@router.put("/feedback/{item_id}/attachment", status_code=204)
def attach(
    item_id: int,
    db: DB,
    settings: AppSettings,
    actor: CurrentUser,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """The author attaches a file (an image, or a PDF for a named item) while HR has not answered."""
    item = feedback.get_own_item(db, settings=settings, viewer=actor, item_id=item_id)
    data = file.file.read(settings.max_upload_bytes + 1) if file is not None else b""
    upload = feedback.Upload(filename=(file.filename or "") if file is not None else "", data=data)
    feedback.attach(db, settings=settings, actor=actor, item=item, upload=upload)
    return Response(status_code=204)


@router.get("/feedback/{item_id}/attachment")
def attachment(item_id: int, db: DB, settings: AppSettings, viewer: CurrentUser) -> Response:
    """The item's file, for HR and its author only."""
    item = feedback.get_item(db, settings=settings, viewer=viewer, item_id=item_id)
    return _file(feedback.item_attachment(db, item=item))

"""Feedback pages: send feedback to HR, "my feedback", the HR inbox, categories, and the board."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response

from app.deps import DB, AppSettings, CurrentUser
from app.i18n import _
from app.models import FeedbackAttachment, FeedbackItem, User
from app.services import feedback
from app.services.errors import Invalid
from app.settings import Settings
from app.web.htmx import is_htmx, redirect, render
from app.web.pages import form_again, page_router

router = page_router()


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


def _labels(settings: Settings) -> dict[str, Any]:
    """What every feedback page shows: the statuses' names in the reader's language, the threshold."""
    return {
        "status_labels": {s: feedback.status_label(s) for s in feedback.STATUSES},
        "threshold": settings.group_threshold,
    }


def _parse_day(value: str, field_name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid.one(field_name, _("Give a date as YYYY-MM-DD.")) from None


# ---- sending, and one's own feedback ----------------------------------------------------------------


@router.get("/feedback")
def feedback_home(request: Request, _viewer: CurrentUser) -> Response:
    """The feedback section starts with one's own feedback."""
    return redirect(request, "/feedback/mine")


def _new_context(db: DB, settings: Settings, values: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        **_labels(settings),
        "categories": feedback.categories(db),
        "values": {"category": "", "body": "", "anonymous": False, "share_group": True, **(values or {})},
        "max_body": feedback.MAX_BODY,
        "errors": {},
    }


@router.get("/feedback/new")
def new_form(
    request: Request, db: DB, settings: AppSettings, _viewer: CurrentUser, category: str = ""
) -> Response:
    """The form to write to HR, named or anonymous."""
    return render(request, "feedback/new.html", _new_context(db, settings, {"category": category}))


@router.post("/feedback/new")
def send(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    category: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    anonymous: Annotated[bool, Form()] = False,
    share_group: Annotated[bool, Form()] = False,
    attachment: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Send the feedback; the form again with each message beside its field when something is wrong."""
    data = attachment.file.read(settings.max_upload_bytes + 1) if attachment is not None else b""
    upload = feedback.Upload(attachment.filename or "", data) if attachment is not None and data else None
    try:
        item, created = feedback.submit(
            db,
            settings=settings,
            actor=viewer,
            category=category,
            body=body,
            anonymous=anonymous,
            share_group=share_group,
            upload=upload,
        )
    except Invalid as exc:
        db.rollback()
        values = {"category": category, "body": body, "anonymous": anonymous, "share_group": share_group}
        return form_again(request, "feedback/new.html", _new_context(db, settings, values), exc)
    return redirect(request, f"/feedback/mine/{item.id}?{'sent' if created else 'again'}=1")


@router.get("/feedback/mine")
def mine(
    request: Request, db: DB, settings: AppSettings, viewer: CurrentUser, cursor: str | None = None
) -> Response:
    """The feedback one sent, named and anonymous, with where each stands."""
    page = feedback.mine(db, settings=settings, viewer=viewer, cursor=cursor)
    return render(request, "feedback/mine.html", {"page": page})


def _own_context(
    db: DB, settings: Settings, viewer: User, item: FeedbackItem, **extra: Any
) -> dict[str, Any]:
    return {
        "item": feedback.own_item_view(db, settings=settings, viewer=viewer, item=item),
        "status_path": feedback.STATUS_PATH,
        "errors": {},
        "typed": "",
        **extra,
    }


@router.get("/feedback/mine/{item_id}")
def my_item(request: Request, db: DB, settings: AppSettings, viewer: CurrentUser, item_id: int) -> Response:
    """One's own item: its status, HR's replies, a reply box, and (anonymous) a way to give one's name."""
    item = feedback.get_own_item(db, settings=settings, viewer=viewer, item_id=item_id)
    flags = {k: request.query_params.get(k) for k in ("sent", "again", "revealed", "replied")}
    return render(request, "feedback/mine_item.html", _own_context(db, settings, viewer, item, flags=flags))


@router.post("/feedback/mine/{item_id}/replies")
def my_reply(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    item_id: int,
    body: Annotated[str, Form()] = "",
) -> Response:
    """Answer HR on one's own item (still anonymous when the item is)."""
    item = feedback.get_own_item(db, settings=settings, viewer=viewer, item_id=item_id)
    try:
        feedback.add_reply(db, settings=settings, actor=viewer, item=item, body=body)
    except Invalid as exc:
        db.rollback()
        context = _own_context(db, settings, viewer, item, typed=body, flags={})
        return form_again(request, "feedback/mine_item.html", context, exc)
    return redirect(request, f"/feedback/mine/{item.id}?replied=1#conversation")


@router.post("/feedback/mine/{item_id}/reveal")
def reveal(request: Request, db: DB, settings: AppSettings, viewer: CurrentUser, item_id: int) -> Response:
    """Give one's name to HR on an anonymous item, for good."""
    item = feedback.get_own_item(db, settings=settings, viewer=viewer, item_id=item_id)
    feedback.reveal(db, settings=settings, actor=viewer, item=item)
    return redirect(request, f"/feedback/mine/{item.id}?revealed=1")


@router.post("/feedback/mine/{item_id}/attachment")
def attach(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    item_id: int,
    attachment: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Add or replace the file of one's item while HR has not answered."""
    item = feedback.get_own_item(db, settings=settings, viewer=viewer, item_id=item_id)
    data = attachment.file.read(settings.max_upload_bytes + 1) if attachment is not None else b""
    try:
        feedback.attach(
            db,
            settings=settings,
            actor=viewer,
            item=item,
            upload=feedback.Upload(attachment.filename or "" if attachment else "", data),
        )
    except Invalid as exc:
        db.rollback()
        context = _own_context(db, settings, viewer, item, flags={})
        return form_again(request, "feedback/mine_item.html", context, exc)
    return redirect(request, f"/feedback/mine/{item.id}")


@router.get("/feedback/files/{attachment_id}")
def file(db: DB, settings: AppSettings, viewer: CurrentUser, attachment_id: str) -> Response:
    """An attachment, for HR and the item's author only."""
    return _file(feedback.get_attachment(db, settings=settings, viewer=viewer, attachment_id=attachment_id))


# ---- the HR inbox -------------------------------------------------------------------------------------


@router.get("/feedback/inbox")
def inbox(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    status: str = "",
    category: str = "",
    since: str = "",
    until: str = "",
    assignee: str = "",
    cursor: str | None = None,
) -> Response:
    """HR's inbox with its filters (404 for anyone but HR); anonymous items name nobody."""
    counts = feedback.inbox_counts(db, viewer=viewer)
    values = {"status": status, "category": category, "since": since, "until": until, "assignee": assignee}
    context: dict[str, Any] = {
        **_labels(settings),
        "counts": counts,
        "values": values,
        "categories": feedback.categories(db, include_retired=True),
        "statuses": feedback.STATUSES,
        "hr_people": feedback.hr_people(db),
        "errors": {},
        "page": None,
    }
    try:
        filters = feedback.InboxFilters(
            status=status or None,
            category=category or None,
            since=_parse_day(since, "since"),
            until=_parse_day(until, "until"),
            assignee=assignee or None,
        )
        context["page"] = feedback.inbox(db, settings=settings, viewer=viewer, filters=filters, cursor=cursor)
    except Invalid as exc:
        return form_again(request, "feedback/inbox.html", context, exc)
    return render(request, "feedback/inbox.html", context, block="results")


def _hr_context(db: DB, settings: Settings, viewer: User, item: FeedbackItem, **extra: Any) -> dict[str, Any]:
    return {
        **_labels(settings),
        "item": feedback.hr_item_view(db, settings=settings, viewer=viewer, item=item),
        "statuses": feedback.STATUSES,
        "hr_people": feedback.hr_people(db),
        "errors": {},
        "typed": {},
        "done": None,
        **extra,
    }


@router.get("/feedback/inbox/{item_id}")
def inbox_item(
    request: Request, db: DB, settings: AppSettings, viewer: CurrentUser, item_id: int
) -> Response:
    """One item for HR: the text, the conversation, internal notes, and every action."""
    item = feedback.get_hr_item(db, viewer=viewer, item_id=item_id)
    done = request.query_params.get("done")
    return render(request, "feedback/inbox_item.html", _hr_context(db, settings, viewer, item, done=done))


def _hr_action_failed(
    request: Request,
    db: DB,
    settings: Settings,
    viewer: User,
    item: FeedbackItem,
    exc: Invalid,
    typed: dict[str, str],
) -> Response:
    db.rollback()
    return form_again(
        request, "feedback/inbox_item.html", _hr_context(db, settings, viewer, item, typed=typed), exc
    )


@router.post("/feedback/inbox/{item_id}/status")
def change_status(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    item_id: int,
    status: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Move the item along; declining needs the reason its author will read."""
    item = feedback.get_hr_item(db, viewer=viewer, item_id=item_id)
    try:
        feedback.set_status(db, settings=settings, actor=viewer, item=item, status=status, reason=reason)
    except Invalid as exc:
        return _hr_action_failed(
            request, db, settings, viewer, item, exc, {"reason": reason, "status": status}
        )
    return redirect(request, f"/feedback/inbox/{item.id}?done=status")


@router.post("/feedback/inbox/{item_id}/assign")
def assign(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    item_id: int,
    assignee_id: Annotated[str, Form()] = "",
) -> Response:
    """Hand the item to an HR colleague (or to nobody)."""
    item = feedback.get_hr_item(db, viewer=viewer, item_id=item_id)
    try:
        chosen = int(assignee_id) if assignee_id else None
    except ValueError:
        chosen = -1
    try:
        feedback.assign(db, actor=viewer, item=item, assignee_id=chosen)
    except Invalid as exc:
        return _hr_action_failed(request, db, settings, viewer, item, exc, {})
    return redirect(request, f"/feedback/inbox/{item.id}?done=assigned")


@router.post("/feedback/inbox/{item_id}/replies")
def hr_reply(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    item_id: int,
    body: Annotated[str, Form()] = "",
) -> Response:
    """Reply to the author (who is told, and reads it even when anonymous)."""
    item = feedback.get_hr_item(db, viewer=viewer, item_id=item_id)
    try:
        feedback.add_reply(db, settings=settings, actor=viewer, item=item, body=body)
    except Invalid as exc:
        return _hr_action_failed(request, db, settings, viewer, item, exc, {"body": body})
    return redirect(request, f"/feedback/inbox/{item.id}?done=replied#conversation")


@router.post("/feedback/inbox/{item_id}/notes")
def hr_note(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    item_id: int,
    note: Annotated[str, Form()] = "",
) -> Response:
    """An internal note for HR colleagues; the author never sees it."""
    item = feedback.get_hr_item(db, viewer=viewer, item_id=item_id)
    try:
        feedback.add_note(db, settings=settings, actor=viewer, item=item, body=note)
    except Invalid as exc:
        return _hr_action_failed(request, db, settings, viewer, item, exc, {"note": note})
    return redirect(request, f"/feedback/inbox/{item.id}?done=noted#notes")


@router.post("/feedback/inbox/{item_id}/merge")
def merge(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    item_id: int,
    into: Annotated[str, Form()] = "",
) -> Response:
    """Fold this duplicate into the item it repeats."""
    item = feedback.get_hr_item(db, viewer=viewer, item_id=item_id)
    try:
        target = int(into.strip().lstrip("#"))
    except ValueError:
        target = 0
    try:
        feedback.merge(db, settings=settings, actor=viewer, item=item, into_id=target)
    except Invalid as exc:
        return _hr_action_failed(request, db, settings, viewer, item, exc, {"into": into})
    return redirect(request, f"/feedback/inbox/{item.id}?done=merged")


def _publish_context(
    db: DB, settings: Settings, viewer: User, item: FeedbackItem, **values: Any
) -> dict[str, Any]:
    view = feedback.hr_item_view(db, settings=settings, viewer=viewer, item=item)
    entry = feedback.board_entry(db, viewer=viewer, entry_id=view.board.id) if view.board else None
    defaults = {
        "title": entry.title if entry else feedback.excerpt(view.body, 80),
        "body": entry.body if entry else view.body,
        "outcome": entry.outcome if entry else "",
        "initiative": entry.is_initiative if entry else False,
    }
    return {
        "item": view,
        "entry": entry,
        "values": {**defaults, **values},
        "can_be_initiative": view.category.key in feedback.INITIATIVE_CATEGORIES,
        "errors": {},
    }


@router.get("/feedback/inbox/{item_id}/publish")
def publish_form(
    request: Request, db: DB, settings: AppSettings, viewer: CurrentUser, item_id: int
) -> Response:
    """Write what the board will show: HR's own words (the original stays as it was) and the outcome."""
    item = feedback.get_hr_item(db, viewer=viewer, item_id=item_id)
    return render(request, "feedback/publish.html", _publish_context(db, settings, viewer, item))


@router.post("/feedback/inbox/{item_id}/publish")
def publish(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    item_id: int,
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
    initiative: Annotated[bool, Form()] = False,
) -> Response:
    """Publish on the board (or save the changes of what is already there)."""
    item = feedback.get_hr_item(db, viewer=viewer, item_id=item_id)
    try:
        entry = feedback.publish(
            db,
            settings=settings,
            actor=viewer,
            item=item,
            title=title,
            body=body,
            outcome=outcome,
            initiative=initiative,
        )
    except Invalid as exc:
        db.rollback()
        values = {"title": title, "body": body, "outcome": outcome, "initiative": initiative}
        return form_again(
            request, "feedback/publish.html", _publish_context(db, settings, viewer, item, **values), exc
        )
    return redirect(request, f"/feedback/board/{entry.id}?published=1")


# ---- categories (HR) -----------------------------------------------------------------------------------


def _categories_context(db: DB, **extra: Any) -> dict[str, Any]:
    return {
        "categories": feedback.categories(db, include_retired=True),
        "defaults": feedback.DEFAULT_CATEGORIES,
        "values": {"label_en": "", "label_fr": ""},
        "errors": {},
        "failed_key": None,
        **extra,
    }


@router.get("/feedback/categories")
def categories_page(request: Request, db: DB, viewer: CurrentUser) -> Response:
    """HR names, adds, retires and restores the categories people choose from."""
    feedback.require_hr(viewer)
    return render(
        request, "feedback/categories.html", _categories_context(db, saved=request.query_params.get("saved"))
    )


@router.post("/feedback/categories")
def add_category(
    request: Request,
    db: DB,
    viewer: CurrentUser,
    label_en: Annotated[str, Form()] = "",
    label_fr: Annotated[str, Form()] = "",
) -> Response:
    """Add a category."""
    try:
        feedback.add_category(db, actor=viewer, label_en=label_en, label_fr=label_fr)
    except Invalid as exc:
        db.rollback()
        context = _categories_context(db, values={"label_en": label_en, "label_fr": label_fr})
        return form_again(request, "feedback/categories.html", context, exc)
    return redirect(request, "/feedback/categories?saved=1")


@router.post("/feedback/categories/{key}")
def update_category(
    request: Request,
    db: DB,
    viewer: CurrentUser,
    key: str,
    label_en: Annotated[str, Form()] = "",
    label_fr: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "rename",
) -> Response:
    """Rename a category (empty: its built-in name), or retire or restore it."""
    try:
        if action == "retire":
            feedback.update_category(db, actor=viewer, key=key, retired=True)
        elif action == "restore":
            feedback.update_category(db, actor=viewer, key=key, retired=False)
        else:
            feedback.update_category(db, actor=viewer, key=key, label_en=label_en, label_fr=label_fr)
    except Invalid as exc:
        db.rollback()
        return form_again(request, "feedback/categories.html", _categories_context(db, failed_key=key), exc)
    return redirect(request, "/feedback/categories?saved=1")


# ---- the board ---------------------------------------------------------------------------------------------


@router.get("/feedback/board")
def board(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    category: str = "",
    status: str = "",
    initiatives: bool = False,
    cursor: str | None = None,
) -> Response:
    """ "You said, we did": what colleagues raised, what came of it; support, comment, volunteer."""
    values = {"category": category, "status": status, "initiatives": initiatives}
    context: dict[str, Any] = {
        **_labels(settings),
        "values": values,
        "categories": feedback.categories(db, include_retired=True),
        "statuses": feedback.STATUSES,
        "errors": {},
        "page": None,
    }
    try:
        context["page"] = feedback.board(
            db,
            viewer=viewer,
            category=category or None,
            status=status or None,
            initiatives=initiatives,
            cursor=cursor,
        )
    except Invalid as exc:
        return form_again(request, "feedback/board.html", context, exc)
    return render(request, "feedback/board.html", context, block="results")


def _entry_context(db: DB, viewer: User, entry_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "entry": feedback.board_entry(db, viewer=viewer, entry_id=entry_id),
        "errors": {},
        "typed": "",
        **extra,
    }


@router.get("/feedback/board/{entry_id}")
def board_entry(request: Request, db: DB, viewer: CurrentUser, entry_id: int) -> Response:
    """One board entry: what was said, what was done, support, comments, volunteers."""
    published = request.query_params.get("published")
    return render(
        request, "feedback/board_entry.html", _entry_context(db, viewer, entry_id, published=published)
    )


@router.post("/feedback/board/{entry_id}/vote")
def vote(
    request: Request, db: DB, viewer: CurrentUser, entry_id: int, support: Annotated[str, Form()] = "1"
) -> Response:
    """Support the entry (or withdraw one's support); htmx swaps the button and its count."""
    if support == "0":
        feedback.unsupport(db, actor=viewer, entry_id=entry_id)
    else:
        feedback.support(db, actor=viewer, entry_id=entry_id)
    if is_htmx(request):
        return render(
            request,
            "feedback/_vote.html",
            {"entry": feedback.board_entry(db, viewer=viewer, entry_id=entry_id)},
        )
    return redirect(request, request.headers.get("referer") or f"/feedback/board/{entry_id}")


@router.post("/feedback/board/{entry_id}/comments")
def comment(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    entry_id: int,
    body: Annotated[str, Form()] = "",
) -> Response:
    """Comment the entry, under one's name."""
    try:
        feedback.comment(db, settings=settings, actor=viewer, entry_id=entry_id, body=body)
    except Invalid as exc:
        db.rollback()
        return form_again(
            request, "feedback/board_entry.html", _entry_context(db, viewer, entry_id, typed=body), exc
        )
    return redirect(request, f"/feedback/board/{entry_id}#comments")


@router.post("/feedback/board/{entry_id}/volunteer")
def volunteer(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    entry_id: int,
    public: Annotated[bool, Form()] = False,
    leave: Annotated[str, Form()] = "",
) -> Response:
    """Join the initiative (listed by name only if one agrees), change that choice, or leave it."""
    try:
        if leave:
            feedback.leave_initiative(db, actor=viewer, entry_id=entry_id)
        else:
            feedback.volunteer(db, settings=settings, actor=viewer, entry_id=entry_id, public=public)
    except Invalid as exc:
        db.rollback()
        return form_again(request, "feedback/board_entry.html", _entry_context(db, viewer, entry_id), exc)
    return redirect(request, f"/feedback/board/{entry_id}#volunteers")


@router.post("/feedback/board/{entry_id}/unpublish")
def unpublish(request: Request, db: DB, viewer: CurrentUser, entry_id: int) -> Response:
    """HR takes the entry off the board."""
    feedback.unpublish(db, actor=viewer, entry_id=entry_id)
    return redirect(request, "/feedback/board")

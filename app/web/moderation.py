"""Reporting a post or a comment, and the moderation queue where managers and admins decide."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response

from app.deps import DB, CurrentUser
from app.i18n import _
from app.models import Comment, Post, User
from app.services import moderation, posts
from app.services.errors import Invalid, NotFound
from app.services.visibility import get_visible_post
from app.web.htmx import is_htmx, redirect, render
from app.web.pages import form_again, page_router

router = page_router()


def _reported(db: DB, viewer: User, post_id: int, comment_id: int | None) -> tuple[Post, Comment | None]:
    """The post (and comment) the viewer wants to report, as they may see it."""
    post = get_visible_post(db, viewer, post_id)
    if post.removed_at is not None:
        raise NotFound(_("No such post."))
    comment = posts.get_comment(db, post, comment_id) if comment_id is not None else None
    if comment is not None and comment.removed_at is not None:
        raise NotFound(_("No such comment."))
    return post, comment


def _report_context(post: Post, comment: Comment | None, reason: str = "") -> dict[str, Any]:
    return {"post": post, "comment": comment, "reason": reason, "errors": {}}


@router.get("/posts/{post_id}/report")
def report_form(
    request: Request, db: DB, viewer: CurrentUser, post_id: int, comment: int | None = None
) -> Response:
    """The form to report a post (or, with ?comment=ID, one of its comments) to its moderators."""
    post, reported_comment = _reported(db, viewer, post_id, comment)
    return render(request, "moderation/report.html", _report_context(post, reported_comment))


@router.post("/posts/{post_id}/report")
def report(
    request: Request,
    db: DB,
    viewer: CurrentUser,
    post_id: int,
    reason: Annotated[str, Form()] = "",
    comment: Annotated[int | None, Form()] = None,
) -> Response:
    """Send the report; back to the post with a thank-you, or the form again with the message."""
    post, reported_comment = _reported(db, viewer, post_id, comment)
    try:
        moderation.report(db, actor=viewer, post=post, reason=reason, comment_id=comment)
    except Invalid as exc:
        db.rollback()
        return form_again(
            request, "moderation/report.html", _report_context(post, reported_comment, reason), exc
        )
    return redirect(request, f"/posts/{post.id}?reported=1")


def _queue_context(db: DB, viewer: User, **extra: Any) -> dict[str, Any]:
    return {
        "entries": moderation.queue(db, viewer=viewer),
        "moderates": moderation.moderates_anything(db, viewer=viewer),
        "errors": {},
        "failed_id": None,
        "typed": "",
        **extra,
    }


@router.get("/moderation")
def queue_page(request: Request, db: DB, viewer: CurrentUser) -> Response:
    """The reports waiting for this viewer's decision, oldest first; an explanation when there are none."""
    return render(request, "moderation/queue.html", _queue_context(db, viewer))


def _decided(request: Request, done: str, message: str) -> Response:
    """htmx: the entry becomes a short confirmation; without JavaScript, back to the queue."""
    if not is_htmx(request):
        return redirect(request, f"/moderation?done={done}")
    return render(request, "moderation/_done.html", {"message": message})


@router.post("/moderation/reports/{report_id}/dismiss")
def dismiss(request: Request, db: DB, viewer: CurrentUser, report_id: int) -> Response:
    """Nothing wrong: every report about this post or comment is closed."""
    moderation.dismiss(db, actor=viewer, report_id=report_id)
    return _decided(request, "dismissed", _("Reports dismissed; nothing was removed."))


@router.post("/moderation/reports/{report_id}/remove")
def remove(
    request: Request, db: DB, viewer: CurrentUser, report_id: int, reason: Annotated[str, Form()] = ""
) -> Response:
    """Remove what was reported, with a reason shown to its author; its reports are closed."""
    try:
        moderation.remove(db, actor=viewer, report_id=report_id, reason=reason)
    except Invalid as exc:
        db.rollback()
        context = _queue_context(db, viewer, failed_id=report_id, typed=reason)
        if not is_htmx(request):
            return form_again(request, "moderation/queue.html", context, exc)
        # htmx: only this entry again, with the message beside its field
        entry = next((e for e in context["entries"] if e.id == report_id), None)
        if entry is None:
            raise
        return form_again(request, "moderation/_entry.html", {**context, "entry": entry}, exc)
    return _decided(request, "removed", _("Removed. Its author sees your reason."))

"""Reports and the moderation queue: report a post or a comment; moderators dismiss or remove."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel

from app.api.posts import CommunityRef, RemoveIn
from app.api.schemas import PersonRef, Strict
from app.deps import DB, CurrentUser
from app.models import User
from app.services import moderation
from app.services.visibility import get_visible_post

router = APIRouter(tags=["moderation"])


class ReportCreate(Strict):
    """Why the post (or one of its comments) should be looked at by its moderators."""

    reason: str
    comment_id: int | None = None


class ReportCreated(BaseModel):
    """The report, open until a moderator decides."""

    id: int
    status: str


class ReportedPost(BaseModel):
    """The reported post (or the post of the reported comment)."""

    id: int
    kind: str
    title: str | None
    body_html: str
    author: PersonRef
    community: CommunityRef | None
    created_at: datetime


class ReportedComment(BaseModel):
    """The reported comment."""

    id: int
    body_html: str
    author: PersonRef
    created_at: datetime


class ReportReason(BaseModel):
    """One report: who reported, why, when."""

    id: int
    reporter: PersonRef
    reason: str
    created_at: datetime
    resolution: str | None


class QueueItem(BaseModel):
    """One reported post or comment; acting on `id` acts on all its reports."""

    id: int
    status: str
    post: ReportedPost
    comment: ReportedComment | None
    author: PersonRef
    count: int
    reports: list[ReportReason]
    first_reported_at: datetime


class Queue(BaseModel):
    """What the caller may moderate, oldest first."""

    items: list[QueueItem]


def _person(user: User) -> PersonRef:
    return PersonRef(id=user.id, display_name=user.display_name, handle=user.handle)


def _item(view: moderation.ReportView) -> QueueItem:
    post, comment, community = view.post, view.comment, view.community
    return QueueItem(
        id=view.id,
        status=view.status,
        post=ReportedPost(
            id=post.id,
            kind=post.kind,
            title=post.title,
            body_html=post.body_html,
            author=_person(view.post_author),
            community=CommunityRef(slug=community.slug, name=community.name, visibility=community.visibility)
            if community
            else None,
            created_at=post.created_at,
        ),
        comment=ReportedComment(
            id=comment.id,
            body_html=comment.body_html,
            author=_person(view.author),
            created_at=comment.created_at,
        )
        if comment
        else None,
        author=_person(view.author),
        count=view.count,
        reports=[
            ReportReason(
                id=r.id,
                reporter=_person(r.reporter),
                reason=r.reason,
                created_at=r.created_at,
                resolution=r.resolution,
            )
            for r in view.reasons
        ],
        first_reported_at=view.first_reported_at,
    )


@router.post("/posts/{post_id}/report", status_code=201, response_model=ReportCreated)
def report(post_id: int, body: ReportCreate, db: DB, actor: CurrentUser) -> ReportCreated:
    """Report a post, or one of its comments, to its moderators (again: the same open report)."""
    post = get_visible_post(db, actor, post_id)
    created = moderation.report(db, actor=actor, post=post, reason=body.reason, comment_id=body.comment_id)
    return ReportCreated(id=created.id, status="open")


@router.get("/moderation/reports", response_model=Queue)
def reports(db: DB, viewer: CurrentUser, include_resolved: bool = False) -> Queue:
    """The reported posts and comments the caller moderates, oldest first (empty for non-moderators)."""
    return Queue(
        items=[_item(v) for v in moderation.queue(db, viewer=viewer, include_resolved=include_resolved)]
    )


@router.post("/moderation/reports/{report_id}/dismiss", status_code=204)
def dismiss(report_id: int, db: DB, actor: CurrentUser) -> Response:
    """Nothing wrong: close every open report about the same post or comment."""
    moderation.dismiss(db, actor=actor, report_id=report_id)
    return Response(status_code=204)


@router.post("/moderation/reports/{report_id}/remove", status_code=204)
def remove(report_id: int, body: RemoveIn, db: DB, actor: CurrentUser) -> Response:
    """Remove the reported post or comment (the reason is shown to its author); its reports close."""
    moderation.remove(db, actor=actor, report_id=report_id, reason=body.reason)
    return Response(status_code=204)

"""Executives' delegates, the approval of their drafts, and the leadership figures."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel

from app.api.posts import PostRead, read_item
from app.api.schemas import PersonRef, Strict
from app.deps import DB, AppSettings, CurrentUser
from app.models import User
from app.services import delegates, leadership, posts

router = APIRouter(tags=["leadership"])


def _ref(person: User) -> PersonRef:
    return PersonRef(id=person.id, display_name=person.display_name, handle=person.handle)


class DelegationRead(BaseModel):
    """Whom the caller named as delegates and how their posts go out, and whom the caller posts for."""

    mode: Literal["direct", "approval"]
    delegates: list[PersonRef]
    executives: list[PersonRef]


class DelegationUpdate(Strict):
    """How delegates' posts go out: published at once (`direct`) or after the executive's approval."""

    mode: Literal["direct", "approval"]


class RejectIn(Strict):
    """Why the executive sends a draft back (shown to the delegate)."""

    note: str


class DraftRead(BaseModel):
    """A delegate's draft waiting for (or sent back by) the executive."""

    post: PostRead
    status: str
    note: str | None
    submitted_at: datetime


class WeekRead(BaseModel):
    """One week of an executive's posting."""

    start: date
    posts: int
    leadership: int


class DepartmentReach(BaseModel):
    """Readers from one department; `suppressed` when the group is under the threshold."""

    key: str
    readers: int | None = None
    suppressed: bool = False


class ReachRead(BaseModel):
    """How far one leadership post went, in aggregate."""

    post_id: int
    title: str | None
    created_at: datetime
    posted_by: PersonRef | None
    readers: int
    departments: int
    sites: int
    reactions: int
    comments: int
    replies: int
    by_department: list[DepartmentReach]


class LeadershipRead(BaseModel):
    """An executive's cadence over 12 weeks and the reach of their latest leadership posts."""

    threshold: int
    weeks: list[WeekRead]
    posts: list[ReachRead]


@router.get("/users/me/delegates", response_model=DelegationRead)
def my_delegation(db: DB, me: CurrentUser) -> DelegationRead:
    """The caller's delegates (executives) and the executives the caller may post for."""
    return DelegationRead(
        mode="approval" if delegates.approval_required(db, me.id) else "direct",
        delegates=[_ref(p) for p in delegates.delegates_of(db, executive=me)],
        executives=[_ref(p) for p in delegates.executives_served(db, delegate=me)],
    )


@router.put("/users/me/delegates/{user_id}", status_code=204)
def add_delegate(user_id: int, db: DB, me: CurrentUser) -> Response:
    """An executive names a delegate who may post on their behalf (idempotent)."""
    delegates.add_delegate(db, actor=me, delegate_id=user_id)
    return Response(status_code=204)


@router.delete("/users/me/delegates/{user_id}", status_code=204)
def remove_delegate(user_id: int, db: DB, me: CurrentUser) -> Response:
    """An executive withdraws a delegate (idempotent)."""
    delegates.remove_delegate(db, actor=me, delegate_id=user_id)
    return Response(status_code=204)


@router.put("/users/me/delegation", status_code=204)
def set_delegation(body: DelegationUpdate, db: DB, me: CurrentUser) -> Response:
    """An executive chooses whether delegates publish directly or submit drafts for approval."""
    delegates.set_approval(db, actor=me, required=body.mode == "approval")
    return Response(status_code=204)


def _draft(db: DB, viewer: User, view: delegates.DraftView) -> DraftRead:
    item = posts.feed_item(db, viewer=viewer, post=view.post)
    return DraftRead(
        post=read_item(item, viewer.id),
        status=view.draft.status,
        note=view.draft.note,
        submitted_at=view.draft.submitted_at,
    )


@router.get("/leadership/drafts", response_model=list[DraftRead])
def drafts(db: DB, me: CurrentUser) -> list[DraftRead]:
    """Drafts waiting for the caller's approval (executives), or those the caller wrote (delegates)."""
    views = delegates.drafts_to_approve(db, executive=me) + delegates.drafts_written(db, delegate=me)
    return [_draft(db, me, v) for v in views]


@router.post("/posts/{post_id}/approve", response_model=PostRead)
def approve(post_id: int, db: DB, me: CurrentUser) -> PostRead:
    """The executive publishes a delegate's draft (it reaches the feeds as new)."""
    post = delegates.approve_draft(db, actor=me, post_id=post_id)
    return read_item(posts.feed_item(db, viewer=me, post=post), me.id)


@router.post("/posts/{post_id}/reject", status_code=204)
def reject(post_id: int, body: RejectIn, db: DB, me: CurrentUser) -> Response:
    """The executive sends a draft back to the delegate with a note."""
    delegates.reject_draft(db, actor=me, post_id=post_id, note=body.note)
    return Response(status_code=204)


@router.get("/leadership/me", response_model=LeadershipRead)
def my_leadership(db: DB, settings: AppSettings, me: CurrentUser) -> LeadershipRead:
    """An executive's posting cadence and the reach of their latest leadership posts (aggregated)."""
    delegates.require_executive(db, me)
    threshold = settings.group_threshold
    weeks = leadership.cadence(db, executive=me, tz=settings.timezone)
    reach = leadership.reach(db, executive=me, threshold=threshold)
    return LeadershipRead(
        threshold=threshold,
        weeks=[WeekRead(start=w.start, posts=w.posts, leadership=w.leadership) for w in weeks],
        posts=[
            ReachRead(
                post_id=r.post.id,
                title=r.post.title,
                created_at=r.post.created_at,
                posted_by=PersonRef(
                    id=r.posted_by.id, display_name=r.posted_by.display_name, handle=r.posted_by.handle
                )
                if r.posted_by
                else None,
                readers=r.readers,
                departments=r.departments,
                sites=r.sites,
                reactions=r.post.reaction_count,
                comments=r.post.comment_count,
                replies=r.replies,
                by_department=[
                    DepartmentReach(key=key, readers=n)
                    if n is not None
                    else DepartmentReach(key=key, suppressed=True)
                    for key, n in r.by_department.items()
                ],
            )
            for r in reach
        ],
    )

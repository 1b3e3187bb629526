"""Moderation: people report posts and comments; community managers and administrators decide.

Reports go to whoever moderates the post's place: a community's managers, or the administrators
for company-wide posts (`communities.can_moderate`). Moderators see who reported and why; the
reported author never does, not even when they moderate the place themself (their own reports are
left to the other moderators).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from app.i18n import _
from app.models import Comment, Community, MemberRole, Membership, MemberStatus, Post, Report, Role, User
from app.models.base import utcnow
from app.services import activity, posts
from app.services.communities import can_moderate
from app.services.errors import Conflict, Forbidden, Invalid, NotFound
from app.services.visibility import post_readable

REASON_LIMIT = 1000
QUEUE_LIMIT = 100

DISMISSED = "dismissed"
REMOVED = "removed"


def _check_reason(reason: str, missing: str) -> str:
    text = reason.strip()
    if not text:
        raise Invalid.one("reason", missing)
    if len(text) > REASON_LIMIT:
        raise Invalid.one("reason", _("At most {n} characters.").format(n=REASON_LIMIT))
    return text


def _same_target(post_id: int, comment_id: int | None) -> ColumnElement[bool]:
    """The reports about one post itself, or about one of its comments."""
    on_comment = Report.comment_id.is_(None) if comment_id is None else Report.comment_id == comment_id
    return and_(Report.post_id == post_id, on_comment)


def _open_report(db: Session, reporter_id: int, post_id: int, comment_id: int | None) -> Report | None:
    return db.scalar(
        select(Report).where(
            _same_target(post_id, comment_id), Report.reporter_id == reporter_id, Report.resolved_at.is_(None)
        )
    )


def report(db: Session, *, actor: User, post: Post, reason: str, comment_id: int | None = None) -> Report:
    """Report a post the actor can read (or one of its comments) to its moderators, with a reason.

    Reporting the same thing again while the first report is open returns that report."""
    text = _check_reason(reason, _("Tell the moderators what is wrong."))
    if post.removed_at is not None:
        raise NotFound(_("No such post."))
    if comment_id is None:
        if post.author_id == actor.id:
            raise Invalid.one("post", _("You cannot report your own post."))
    else:
        comment = posts.get_comment(db, post, comment_id)
        if comment.removed_at is not None:
            raise NotFound(_("No such comment."))
        if comment.author_id == actor.id:
            raise Invalid.one("comment_id", _("You cannot report your own comment."))
    # PostgreSQL: reports about one post queue on its row, so a double click makes one report
    # (SQLite writers already queue on BEGIN IMMEDIATE)
    db.execute(select(Post.id).where(Post.id == post.id).with_for_update())
    existing = _open_report(db, actor.id, post.id, comment_id)
    if existing is not None:
        return existing
    created = Report(
        reporter_id=actor.id,
        post_id=post.id,
        comment_id=comment_id,
        community_id=post.community_id,
        reason=text,
        created_at=utcnow(),
    )
    db.add(created)
    activity.record(db, user_id=actor.id, kind="report", subject_type="post", subject_id=post.id)
    db.flush()
    return created


# ---- the queue ---------------------------------------------------------------------------------


def managed_community_ids(viewer_id: int) -> Select[int]:
    """The communities a person manages (as a full member)."""
    return select(Membership.community_id).where(
        Membership.user_id == viewer_id,
        Membership.role == MemberRole.manager.value,
        Membership.status == MemberStatus.member.value,
    )


def _in_scope(viewer: User) -> ColumnElement[bool]:
    """The reports this viewer moderates: their communities', and company-wide ones for admins."""
    company_wide = Report.community_id.is_(None) if viewer.has_role(Role.admin) else false()
    return or_(Report.community_id.in_(managed_community_ids(viewer.id)), company_wide)


def moderates_anything(db: Session, *, viewer: User) -> bool:
    """True for administrators and for the managers of at least one community."""
    if viewer.has_role(Role.admin):
        return True
    return db.scalar(managed_community_ids(viewer.id).limit(1)) is not None


@dataclass
class Reason:
    """One report in a queue entry: who reported, why, when."""

    id: int
    reporter: User
    reason: str
    created_at: datetime
    resolution: str | None


@dataclass
class ReportView:
    """One reported post or comment, with all its reports: what a moderator decides on.

    `id` is the oldest report about it; acting on any of its reports acts on all of them."""

    id: int
    post: Post
    post_author: User
    community: Community | None
    comment: Comment | None
    comment_author: User | None
    reasons: list[Reason] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many reports."""
        return len(self.reasons)

    @property
    def author(self) -> User:
        """Who wrote what was reported."""
        return self.comment_author or self.post_author

    @property
    def status(self) -> str:
        """ "open" while a report waits, else how the latest one was resolved."""
        if any(r.resolution is None for r in self.reasons):
            return "open"
        return self.reasons[-1].resolution or "open"

    @property
    def first_reported_at(self) -> datetime:
        """When it was first reported."""
        return self.reasons[0].created_at


def queue(
    db: Session, *, viewer: User, include_resolved: bool = False, limit: int = QUEUE_LIMIT
) -> list[ReportView]:
    """The reported posts and comments this viewer may act on, one entry each, oldest first.

    Open reports only unless asked, and only about what is still shown; never what the viewer wrote."""
    Target = aliased(Comment, name="target")
    not_mine = or_(
        and_(Report.comment_id.is_(None), Post.author_id != viewer.id),
        and_(Report.comment_id.is_not(None), Target.author_id != viewer.id),
    )
    conditions = [_in_scope(viewer), not_mine]
    if not include_resolved:
        conditions += [
            Report.resolved_at.is_(None),
            Post.removed_at.is_(None),
            or_(Report.comment_id.is_(None), Target.removed_at.is_(None)),
        ]
    targets = db.execute(
        select(Report.post_id, Report.comment_id)
        .join(Post, Post.id == Report.post_id)
        .outerjoin(Target, Target.id == Report.comment_id)
        .where(*conditions)
        .group_by(Report.post_id, Report.comment_id)
        .order_by(func.min(Report.created_at), Report.post_id, Report.comment_id)
        .limit(limit)
    ).all()
    if not targets:
        return []
    keys = {(t.post_id, t.comment_id) for t in targets}
    post_ids = {t.post_id for t in targets}
    comment_ids = {t.comment_id for t in targets if t.comment_id is not None}

    Author = aliased(User, name="author")
    loaded = {
        p.id: (p, author, community)
        for p, author, community in db.execute(
            select(Post, Author, Community)
            .join(Author, Author.id == Post.author_id)
            .outerjoin(Community, Community.id == Post.community_id)
            .where(Post.id.in_(post_ids))
        )
    }
    comments = (
        {
            c.id: (c, author)
            for c, author in db.execute(
                select(Comment, Author)
                .join(Author, Author.id == Comment.author_id)
                .where(Comment.id.in_(comment_ids))
            )
        }
        if comment_ids
        else {}
    )
    reasons: dict[tuple[int, int | None], list[Reason]] = defaultdict(list)
    reported = (
        select(Report, User).join(User, User.id == Report.reporter_id).where(Report.post_id.in_(post_ids))
    )
    if not include_resolved:
        reported = reported.where(Report.resolved_at.is_(None))
    for row, reporter in db.execute(reported.order_by(Report.created_at, Report.id)):
        key = (row.post_id, row.comment_id)
        if key in keys:
            reasons[key].append(Reason(row.id, reporter, row.reason, row.created_at, row.resolution))

    views = []
    for t in targets:
        post, post_author, community = loaded[t.post_id]
        comment, comment_author = comments[t.comment_id] if t.comment_id is not None else (None, None)
        found = reasons[(t.post_id, t.comment_id)]
        views.append(ReportView(found[0].id, post, post_author, community, comment, comment_author, found))
    return views


# ---- deciding ----------------------------------------------------------------------------------


def _get_actionable(db: Session, actor: User, report_id: int) -> tuple[Report, int]:
    """A report still open that the actor moderates, and who wrote what it is about.

    404 when the actor may not know of it, 403 when they may see the post but not decide,
    409 when another moderator already decided."""
    found = db.get(Report, report_id)
    if found is None:
        raise NotFound(_("No such report."))
    if not can_moderate(db, actor, found.community_id):
        readable = db.scalar(select(Post.id).where(Post.id == found.post_id, post_readable(actor.id)))
        if readable is None:
            raise NotFound(_("No such report."))
        raise Forbidden(_("Only the community's managers (or an administrator) may decide on this report."))
    target = (
        db.get(Comment, found.comment_id) if found.comment_id is not None else db.get(Post, found.post_id)
    )
    if target is None or target.author_id == actor.id:
        raise NotFound(_("No such report."))  # the other moderators decide about one's own words
    still_open = db.scalar(
        select(Report.id).where(_same_target(found.post_id, found.comment_id), Report.resolved_at.is_(None))
    )
    if still_open is None:
        raise Conflict(_("Another moderator has already decided on this report."))
    return found, target.author_id


def _resolve(db: Session, *, actor: User, found: Report, resolution: str) -> int:
    """Close every open report about the same post or comment; how many were closed."""
    result = db.execute(
        update(Report)
        .where(_same_target(found.post_id, found.comment_id), Report.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=actor.id, resolution=resolution)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def dismiss(db: Session, *, actor: User, report_id: int) -> None:
    """A moderator finds nothing wrong: every open report about the same post or comment is closed."""
    found, author_id = _get_actionable(db, actor, report_id)
    closed = _resolve(db, actor=actor, found=found, resolution=DISMISSED)
    activity.audit(
        db,
        actor_id=actor.id,
        action="reports_dismissed",
        target_id=author_id,
        post_id=found.post_id,
        comment_id=found.comment_id,
        reports=closed,
    )
    db.flush()


def remove(db: Session, *, actor: User, report_id: int, reason: str) -> None:
    """A moderator removes the reported post or comment, with a reason shown to its author;
    every open report about it is closed."""
    found, author_id = _get_actionable(db, actor, report_id)
    text = _check_reason(reason, _("Say why, for the author."))
    post = db.get(Post, found.post_id)
    if post is None:
        raise NotFound(_("No such post."))
    if found.comment_id is None:
        posts.remove_post(db, actor=actor, post=post, reason=text)
    else:
        comment = posts.get_comment(db, post, found.comment_id)
        posts.remove_comment(db, actor=actor, post=post, comment=comment, reason=text)
    closed = _resolve(db, actor=actor, found=found, resolution=REMOVED)
    activity.audit(
        db,
        actor_id=actor.id,
        action="reports_upheld",
        target_id=author_id,
        post_id=found.post_id,
        comment_id=found.comment_id,
        reports=closed,
    )
    db.flush()

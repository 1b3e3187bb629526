"""Testimonials: a colleague tells their own digital journey, and it inspires those just starting.

A testimonial is an article carrying the tag #mydigitaljourney (seed 000: "inspiring
testimonials"): no new kind of post, so it lives everywhere articles live (feed, search, tag page,
profile, moderation). The engine suggests testimonials to people at the first stages (discovery,
participation) of the author's own population — same department first, then same site — and
only testimonials they may read. Publishing an article already places its author at contribution
or beyond, so suggesting their testimonial to earlier stages says nothing of the author's stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, exists, or_, select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import Comment, Post, PostKind, PostTag, Reaction, Stage, Tag, User
from app.models.base import utcnow
from app.services.text import fold
from app.services.visibility import post_readable

TAG = "mydigitaljourney"
READER_STAGES = frozenset({Stage.discovery.value, Stage.participation.value})
FRESH_DAYS = 365  # a testimonial older than a year tells of a platform that has changed since


def is_testimonial(post: Any = Post) -> Any:
    """An article carrying the #mydigitaljourney tag."""
    tagged = select(PostTag.post_id).join(Tag, Tag.id == PostTag.tag_id).where(Tag.key == fold(TAG))
    return (post.kind == PostKind.article.value) & post.id.in_(tagged)


@dataclass
class Suggested:
    """A testimonial worth reading, and what its author shares with the reader."""

    post_id: int
    title: str
    author: str
    group: str  # the department or site the reader shares with the author


def for_reader(db: Session, *, viewer: User, now: datetime | None = None) -> Suggested | None:
    """The testimonial to suggest to this reader: by a colleague of their department (else their
    site), readable by them, recent, not theirs, not one they already reacted to or commented on."""
    now = now or utcnow()
    department, site = viewer.department, viewer.site
    if not department and not site:
        return None
    near = []
    if department:
        near.append(User.department == department)
    if site:
        near.append(User.site == site)
    reacted = exists().where(Reaction.post_id == Post.id, Reaction.user_id == viewer.id)
    commented = exists().where(Comment.post_id == Post.id, Comment.author_id == viewer.id)
    order = [case((User.department == department, 0), else_=1)] if department else []
    row = db.execute(
        select(Post.id, Post.title, User.display_name, User.department, User.site)
        .join(User, User.id == Post.author_id)
        .where(
            is_testimonial(),
            post_readable(viewer.id),
            Post.author_id != viewer.id,
            Post.created_at > now - timedelta(days=FRESH_DAYS),
            User.is_active.is_(True),
            or_(*near),
            ~reacted,
            ~commented,
        )
        .order_by(*order, Post.created_at.desc(), Post.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    group = department if department and row.department == department else site or ""
    return Suggested(row.id, row.title or "", row.display_name, group)


def read_since(db: Session, *, viewer: User, since: datetime) -> bool:
    """True when the reader reacted to or commented on a testimonial since then."""
    reacted = select(Reaction.post_id).where(Reaction.user_id == viewer.id, Reaction.created_at > since)
    commented = select(Comment.post_id).where(Comment.author_id == viewer.id, Comment.created_at > since)
    return bool(
        db.scalar(select(exists().where(is_testimonial(), or_(Post.id.in_(reacted), Post.id.in_(commented)))))
    )


def mine(db: Session, *, user: User) -> list[Post]:
    """One's own testimonials, newest first."""
    return list(
        db.scalars(
            select(Post)
            .where(is_testimonial(), Post.author_id == user.id, Post.removed_at.is_(None))
            .order_by(Post.created_at.desc(), Post.id.desc())
        )
    )


def composer_values() -> dict[str, Any]:
    """The composer, filled in for a testimonial: an article, a title, questions to answer, the tag."""
    body = "\n\n".join(
        [
            _("**Where I started.** What did I expect from Proxima when I first came in?"),
            _("**What changed for my work.** A colleague I found, a question answered, time saved…"),
            _("**What I would tell a colleague who starts.** The first step worth taking."),
        ]
    )
    return {"kind": "article", "title": _("My digital journey"), "body": body, "tags": TAG}

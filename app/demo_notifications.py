"""The demo company's notifications, derived from its content as the services would have written them.

The loader writes posts, comments and reactions straight to the database, so nobody was told of
anything; this gives the last two weeks their notifications in a few set-based reads: mentions,
comments and answers on one's posts, replies to one's comments, reactions (grouped per post),
praise and accepted answers. Only what the recipient may read is notified (company-wide posts, public
communities, communities they belong to: `visibility.post_readable`, applied to a set). What
happened well before a person's last visit is read."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Bundle, Session, aliased

from app.models import (
    Base,
    Comment,
    Mention,
    Notification,
    NotificationActor,
    Post,
    Reaction,
    User,
)
from app.services.notifications import post_title
from app.services.visibility import post_readable

WINDOW = timedelta(days=14)
_UNREAD = timedelta(days=2)
_BATCH = 2_000


def _rows(rows: Any) -> list[Any]:
    """Rows of bundles (named groups of columns), typed loosely for the loops below."""
    return list(rows)


class _Lines:
    """Notification lines being gathered, one per (recipient, key), with their distinct actors."""

    def __init__(self) -> None:
        self.rows: dict[tuple[int, str], dict[str, Any]] = {}
        self.actors: dict[tuple[int, str], set[int]] = defaultdict(set)

    def add(
        self,
        *,
        user_id: int,
        type_: str,
        key: str,
        actor_id: int,
        at: datetime,
        post: Any,
        url: str,
        **params: Any,
    ) -> None:
        if user_id == actor_id:
            return
        line = self.rows.get((user_id, key))
        if line is None or at >= line["created_at"]:
            self.rows[(user_id, key)] = {
                "user_id": user_id,
                "type": type_,
                "group_key": key,
                "actor_id": actor_id,
                "post_id": post.id,
                "community_id": None,
                "params": {"title": post_title(post), **params},
                "url": url,
                "created_at": at,
            }
        self.actors[(user_id, key)].add(actor_id)


def load(db: Session, *, now: datetime) -> int:
    """Write the notifications of the two weeks before `now`; how many lines were written."""
    since = now - WINDOW
    lines = _Lines()
    recipient = aliased(User)

    # mentions in posts and in comments
    # columns, not entities: the large company has hundreds of thousands of rows in the window
    post_columns = (Post.id, Post.title, Post.body, Post.author_id, Post.kind, Post.created_at)
    for mention, post, comment in _rows(
        db.execute(
            select(
                Bundle("mention", Mention.user_id),
                Bundle("post", *post_columns),
                Bundle("comment", Comment.id, Comment.author_id, Comment.created_at),
            )
            .join(Post, Post.id == Mention.post_id)
            .outerjoin(Comment, Comment.id == Mention.comment_id)
            .join(recipient, recipient.id == Mention.user_id)
            .where(
                func.coalesce(Comment.created_at, Post.created_at) >= since,
                Post.removed_at.is_(None),
                post_readable(Mention.user_id),
            )
        ).all()
    ):
        if comment.id is None:
            lines.add(
                user_id=mention.user_id,
                type_="mention",
                key=f"mention:post:{post.id}",
                actor_id=post.author_id,
                at=post.created_at,
                post=post,
                url=f"/posts/{post.id}",
            )
        else:
            lines.add(
                user_id=mention.user_id,
                type_="mention",
                key=f"mention:comment:{comment.id}",
                actor_id=comment.author_id,
                at=comment.created_at,
                post=post,
                url=f"/posts/{post.id}#comment-{comment.id}",
                in_comment=1,
            )

    # comments and answers on one's posts, replies to one's comments
    parent = aliased(Comment)
    for comment, post, parent_author in db.execute(
        select(
            Bundle("comment", Comment.id, Comment.author_id, Comment.created_at, Comment.parent_id),
            Bundle("post", *post_columns),
            parent.author_id,
        )
        .join(Post, Post.id == Comment.post_id)
        .outerjoin(parent, parent.id == Comment.parent_id)
        .where(Comment.created_at >= since, Comment.removed_at.is_(None), Post.removed_at.is_(None))
    ).all():
        url = f"/posts/{post.id}#comment-{comment.id}"
        if parent_author is not None and parent_author != comment.author_id:
            lines.add(
                user_id=parent_author,
                type_="reply",
                key=f"reply:comment:{comment.parent_id}",
                actor_id=comment.author_id,
                at=comment.created_at,
                post=post,
                url=url,
            )
        if parent_author != post.author_id:
            type_ = "answer" if post.kind == "question" and comment.parent_id is None else "comment"
            lines.add(
                user_id=post.author_id,
                type_=type_,
                key=f"{type_}:post:{post.id}",
                actor_id=comment.author_id,
                at=comment.created_at,
                post=post,
                url=url,
            )

    # reactions, one growing line per post
    for reaction, post in _rows(
        db.execute(
            select(Bundle("reaction", Reaction.user_id, Reaction.created_at), Bundle("post", *post_columns))
            .join(Post, Post.id == Reaction.post_id)
            .where(Reaction.created_at >= since, Post.removed_at.is_(None))
        ).all()
    ):
        lines.add(
            user_id=post.author_id,
            type_="like",
            key=f"like:post:{post.id}",
            actor_id=reaction.user_id,
            at=reaction.created_at,
            post=post,
            url=f"/posts/{post.id}",
        )

    # praise, and accepted answers
    for post in db.execute(
        select(*post_columns, Post.praised_user_id).where(
            Post.created_at >= since,
            Post.praised_user_id.is_not(None),
            Post.removed_at.is_(None),
            post_readable(Post.praised_user_id),
        )
    ).all():
        assert post.praised_user_id is not None
        lines.add(
            user_id=post.praised_user_id,
            type_="praise",
            key=f"praise:post:{post.id}",
            actor_id=post.author_id,
            at=post.created_at,
            post=post,
            url=f"/posts/{post.id}",
        )
    for post, answer in _rows(
        db.execute(
            select(
                Bundle("post", *post_columns),
                Bundle("answer", Comment.id, Comment.author_id, Comment.created_at),
            )
            .join(Comment, Comment.id == Post.accepted_comment_id)
            .where(Comment.created_at >= since, Post.removed_at.is_(None))
        ).all()
    ):
        lines.add(
            user_id=answer.author_id,
            type_="answer_accepted",
            key=f"answer_accepted:post:{post.id}",
            actor_id=post.author_id,
            at=answer.created_at + timedelta(hours=2),
            post=post,
            url=f"/posts/{post.id}#comment-{answer.id}",
        )

    if not lines.rows:
        return 0
    last_seen = dict(
        db.execute(select(User.id, User.last_seen_at).where(User.id.in_({u for u, _ in lines.rows}))).all()
    )
    rows = []
    for (user_id, key), row in sorted(lines.rows.items(), key=lambda kv: (kv[1]["created_at"], kv[0])):
        seen = last_seen.get(user_id)
        row["actor_count"] = len(lines.actors[(user_id, key)])
        # read when seen on an earlier visit; the last two days wait in the bell
        row["read_at"] = seen if seen is not None and seen - _UNREAD >= row["created_at"] else None
        rows.append(row)
    for start in range(0, len(rows), _BATCH):
        db.execute(insert(Base.metadata.tables[Notification.__tablename__]), rows[start : start + _BATCH])
    ids = dict(
        ((user_id, key), nid)
        for nid, user_id, key in db.execute(
            select(Notification.id, Notification.user_id, Notification.group_key)
        ).all()
    )
    actors = [
        {"notification_id": ids[k], "actor_id": a}
        for k, people in lines.actors.items()
        if k in ids
        for a in people
    ]
    for start in range(0, len(actors), _BATCH):
        db.execute(
            insert(Base.metadata.tables[NotificationActor.__tablename__]), actors[start : start + _BATCH]
        )
    return len(rows)

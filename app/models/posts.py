"""Posts of every kind, their comments, reactions, tags, mentions, events, polls and reports."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class PostKind(enum.StrEnum):
    """What a post is."""

    status = "status"
    article = "article"
    question = "question"
    event = "event"
    praise = "praise"
    poll = "poll"


class ReactionKind(enum.StrEnum):
    """The reactions people may leave; `like` is the default."""

    like = "like"
    celebrate = "celebrate"
    support = "support"
    insightful = "insightful"
    curious = "curious"


class Post(Base):
    """Something a person shared, in a community or company-wide (community_id is null)."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    title: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    is_leadership: Mapped[bool] = mapped_column(default=False)
    # a delegate posted it for the author (an executive); a draft waits for the author's approval.
    # No ON DELETE action: SQLite adds this reference to `posts` in place (recreating the table would
    # drop the full-text triggers) and cannot report an action back; people are deactivated, not deleted.
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    is_draft: Mapped[bool] = mapped_column(default=False, server_default=false())
    praised_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    accepted_comment_id: Mapped[int | None]
    # counts kept by the writes (UPDATE … SET n = n + 1), so a feed page reads them with the post
    like_count: Mapped[int] = mapped_column(default=0)
    celebrate_count: Mapped[int] = mapped_column(default=0, server_default="0")
    support_count: Mapped[int] = mapped_column(default=0, server_default="0")
    insightful_count: Mapped[int] = mapped_column(default=0, server_default="0")
    curious_count: Mapped[int] = mapped_column(default=0, server_default="0")
    reaction_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)  # every comment shown, replies included
    # the comments shown that are not replies: a question's answers
    answer_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    pinned_at: Mapped[datetime | None]
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    removal_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_posts_created_at_id", "created_at", "id"),
        Index("ix_posts_community_id_created_at_id", "community_id", "created_at", "id"),
        Index("ix_posts_author_id_created_at_id", "author_id", "created_at", "id"),
        Index("ix_posts_leadership_created_at_id", "is_leadership", "created_at", "id"),
        # the question an answer was accepted on (ambassadors' "answers accepted"), questions only
        Index(
            "ix_posts_accepted_comment_id",
            "accepted_comment_id",
            sqlite_where=text("accepted_comment_id IS NOT NULL"),
            postgresql_where=text("accepted_comment_id IS NOT NULL"),
        ),
    )


class PostTag(Base):
    """A post carries a hashtag."""

    __tablename__ = "post_tags"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_post_tags_tag_id_post_id", "tag_id", "post_id"),)


class Mention(Base):
    """A post or comment names a person with @handle."""

    __tablename__ = "mentions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class Comment(Base):
    """A comment on a post, or a reply to a comment (one level)."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    removal_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_comments_post_id_created_at", "post_id", "created_at"),)


class Reaction(Base):
    """One person's reaction to a post (one per person per post)."""

    __tablename__ = "reactions"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=ReactionKind.like.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_reactions_user_id", "user_id"),)


class Event(Base):
    """The meeting point an event post announces."""

    __tablename__ = "events"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime | None]
    location: Mapped[str] = mapped_column(String(200))
    online_url: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int | None]


class RsvpStatus(enum.StrEnum):
    """Where a person stands for an event."""

    going = "going"
    waitlist = "waitlist"


class Rsvp(Base):
    """A person's answer to an event; beyond capacity they wait in line."""

    __tablename__ = "rsvps"

    post_id: Mapped[int] = mapped_column(ForeignKey("events.post_id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_rsvps_post_id_status_created_at", "post_id", "status", "created_at"),)


class PollOption(Base):
    """One answer a poll offers."""

    __tablename__ = "poll_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(200))


class PollVote(Base):
    """One person's vote in a poll (one per person)."""

    __tablename__ = "poll_votes"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("poll_options.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Report(Base):
    """Someone reports a post or a comment to the moderators."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[str | None] = mapped_column(String(16))  # dismissed | removed

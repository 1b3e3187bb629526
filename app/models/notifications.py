"""Notifications, the people behind a grouped one, each person's delivery preferences and the emails sent."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class NotificationType(enum.StrEnum):
    """What a notification is about (the contract's `type`)."""

    mention = "mention"
    comment = "comment"
    reply = "reply"
    like = "like"
    praise = "praise"
    answer = "answer"
    answer_accepted = "answer_accepted"
    join_request = "join_request"
    join_decision = "join_decision"
    event = "event"
    feedback = "feedback"
    community_post = "community_post"
    delegate_draft = "delegate_draft"  # a delegate's draft waits for the executive's approval
    ambassador_invitation = "ambassador_invitation"
    mentoring = "mentoring"  # a reverse-mentoring pair proposed, accepted, a session planned
    campaign = "campaign"  # a message from HR or communications to an audience
    community_winback = "community_winback"  # a community's managers miss a member


class Channel(enum.StrEnum):
    """How a person wants to hear of one type of notification (everything but `off` shows in the app)."""

    app = "app"  # in the app only
    email = "email"  # in the app, and by email at once
    daily = "daily"  # in the app, and in a daily digest of what was not seen
    weekly = "weekly"  # in the app, and in a weekly digest of what was not seen
    off = "off"  # not at all


class WatchLevel(enum.StrEnum):
    """How closely a member follows a community."""

    all = "all"  # every new post
    mentions = "mentions"  # mentions and replies only (the default)
    muted = "muted"  # nothing from this community


class Notification(Base):
    """One line in a person's notifications; a group (likes or comments on one post) is one line that updates.

    The text is not stored: `type` and `params` are rendered in the reader's language when read, so a
    digest and the page speak the person's language. `post_id` and `community_id` let every read
    re-check visibility: a post that was removed, or a community the person left, hides the line."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(32))
    group_key: Mapped[str] = mapped_column(String(120))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_count: Mapped[int] = mapped_column(default=1)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    url: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)  # moved forward when a group grows
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]  # when it went out by email (at once or in a digest)

    __table_args__ = (
        UniqueConstraint("user_id", "group_key"),
        Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
    )


class NotificationActor(Base):
    """A person counted in a grouped notification ("Léa and 4 others liked …"), once each."""

    __tablename__ = "notification_actors"

    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class NotificationPreference(Base):
    """A person's choice of channel for one type; absent rows mean the default of that type."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    type: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))


class EmailDelivery(Base):
    """One email to one person for one period, claimed before it is sent so that it never goes twice.

    `kind` is `immediate`, `daily` or `weekly`; `period` names the day (`2026-11-24`), the ISO week
    (`2026-W48`) or, for an immediate email, the notification and its version."""

    __tablename__ = "email_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # claimed, sent, failed, empty
    notification_count: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(400))

    __table_args__ = (UniqueConstraint("user_id", "kind", "period"),)

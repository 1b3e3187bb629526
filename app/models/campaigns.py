"""Messages to an audience fixed when they go out: HR/communications campaigns (shown at the top of
the home feed and notified) and community managers' win-back messages to dormant members."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class Campaign(Base):
    """A message, possibly featuring a public post, for a population and/or stages.

    Scheduled until `started_at` is set: starting fixes the audience (`campaign_recipients`)."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    # {"departments": [...], "sites": [...], "stages": [...]}: AND across filters, OR within one
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]  # shown in the feed until then
    started_at: Mapped[datetime | None]
    audience_size: Mapped[int | None]  # fixed when it starts
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(32))


class CampaignRecipient(Base):
    """One person of a started campaign's audience, and what they did with it."""

    __tablename__ = "campaign_recipients"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    seen_at: Mapped[datetime | None]  # the card was shown in their feed
    clicked_at: Mapped[datetime | None]  # they opened it (from the card or the notification)
    dismissed_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_campaign_recipients_user_id", "user_id"),)


class CommunityWinback(Base):
    """A message a community's manager sent to the members inactive in it for some days."""

    __tablename__ = "community_winbacks"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text)
    inactive_days: Mapped[int]
    recipient_count: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class WinbackRecipient(Base):
    """One member a win-back message went to (a member hears one at most every 30 days per community)."""

    __tablename__ = "winback_recipients"

    winback_id: Mapped[int] = mapped_column(
        ForeignKey("community_winbacks.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_winback_recipients_community_id_user_id", "community_id", "user_id", "sent_at"),
    )

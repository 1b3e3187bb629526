"""Executives and the assistants who post for them: delegates, the approval choice, drafts, and reads
of leadership posts (their reach)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class Delegate(Base):
    """An executive named this person to draft and publish posts on their behalf."""

    __tablename__ = "delegates"

    executive_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_delegates_delegate_id", "delegate_id"),)


class DelegationSettings(Base):
    """How an executive wants their delegates' posts handled (no row: they publish directly)."""

    __tablename__ = "delegation_settings"

    executive_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    approval_required: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DraftStatus(enum.StrEnum):
    """Where a delegate's draft stands (once approved it is a post like any other, and the row goes)."""

    pending = "pending"
    rejected = "rejected"


class PostDraft(Base):
    """A post a delegate wrote for an executive who approves first; the post stays a draft meanwhile."""

    __tablename__ = "post_drafts"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    executive_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    delegate_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=DraftStatus.pending.value)
    note: Mapped[str | None] = mapped_column(Text)  # the executive's reason, when rejected
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_post_drafts_executive_id_status", "executive_id", "status"),)


class PostReader(Base):
    """A person opened a leadership post's page on a day (one row per person, post and day)."""

    __tablename__ = "post_reads"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)

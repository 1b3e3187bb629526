"""Ambassadors: the colleagues who already give, recognised by an invitation they accepted."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class InvitationStatus(enum.StrEnum):
    """Where an invitation to become an ambassador stands."""

    pending = "pending"
    accepted = "accepted"
    declined = "declined"


class EndReason(enum.StrEnum):
    """Why an ambassadorship ended."""

    stepped_down = "stepped_down"  # the person chose to
    ended = "ended"  # HR ended it


class AmbassadorInvitation(Base):
    """HR invites a colleague to become an ambassador; only their acceptance makes them one."""

    __tablename__ = "ambassador_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    # why they were suggested, as the HR page showed it ([{"key", "n"}]): shown to the person too
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=InvitationStatus.pending.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_ambassador_invitations_user_id_status", "user_id", "status"),
        # at most one open invitation per person, even when two HR people click at once
        Index(
            "uq_ambassador_invitations_pending_user_id",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )


class Ambassador(Base):
    """A person who accepted; the row stays when the ambassadorship ends (ended_at set)."""

    __tablename__ = "ambassadors"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("ambassador_invitations.id", ondelete="SET NULL")
    )
    since: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    end_reason: Mapped[str | None] = mapped_column(String(16))


class AmbassadorSpace(Base):
    """The private community that gathers the ambassadors (a single row, id 1, made on first need)."""

    __tablename__ = "ambassador_spaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

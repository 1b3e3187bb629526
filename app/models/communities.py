"""Communities: spaces with a charter, members, managers and a visibility."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class Visibility(enum.StrEnum):
    """Who may see a community and its posts."""

    public = "public"  # listed; anyone joins; posts visible to everyone
    private = "private"  # listed; joining is a request; posts visible to members
    secret = "secret"  # noqa: S105 - invisible to non-members everywhere; members are added by managers


class Community(Base):
    """A space run by its managers."""

    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    search_name: Mapped[str] = mapped_column(String(120), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    charter: Mapped[str] = mapped_column(Text, default="")
    charter_html: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(16), index=True)
    cover_id: Mapped[str | None] = mapped_column(String(32))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]


class MemberRole(enum.StrEnum):
    """What a person is in a community."""

    member = "member"
    manager = "manager"


class MemberStatus(enum.StrEnum):
    """Where a person stands with a community."""

    member = "member"
    pending = "pending"  # asked to join a private community


class Membership(Base):
    """A person in a community (or asking to be)."""

    __tablename__ = "memberships"

    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), default=MemberRole.member.value)
    status: Mapped[str] = mapped_column(String(16), default=MemberStatus.member.value)
    charter_accepted_at: Mapped[datetime | None]
    # how closely the member follows it: all (every post), mentions (the default), muted
    watch: Mapped[str] = mapped_column(String(16), default="mentions", server_default="mentions")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    joined_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_memberships_user_id_status", "user_id", "status"),)


class TagFollow(Base):
    """A person follows a hashtag."""

    __tablename__ = "tag_follows"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

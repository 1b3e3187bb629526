"""People, their roles, expertise tags, photos and who follows whom."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow


class Role(enum.StrEnum):
    """What a person may do beyond being an employee."""

    employee = "employee"
    community_manager = "community_manager"
    executive = "executive"
    hr = "hr"
    admin = "admin"


class User(Base):
    """A person of the company, with a directory entry and a profile."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    handle: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    # lower-cased, accent-free copy of the name: what directory search matches against
    search_name: Mapped[str] = mapped_column(String(120), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    department: Mapped[str | None] = mapped_column(String(120), index=True)
    site: Mapped[str | None] = mapped_column(String(120), index=True)
    job_title: Mapped[str | None] = mapped_column(String(160))
    bio: Mapped[str] = mapped_column(Text, default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    locale: Mapped[str | None] = mapped_column(String(8))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    photo_id: Mapped[str | None] = mapped_column(String(32))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    first_seen_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]

    # loaded with the person on sign-in (joined); elsewhere on first use, which only admin paths need
    role_rows: Mapped[list[UserRole]] = relationship(
        lazy="select", cascade="all, delete-orphan", order_by="UserRole.role"
    )
    manager: Mapped[User | None] = relationship(remote_side=[id], lazy="raise")

    @property
    def roles(self) -> list[str]:
        """The person's roles; `employee` always comes first."""
        extra = sorted(r.role for r in self.role_rows if r.role != Role.employee)
        return [Role.employee.value, *extra]

    def has_role(self, *roles: Role) -> bool:
        """True when the person holds any of these roles."""
        held = {r.role for r in self.role_rows}
        return any(role.value in held for role in roles)


class UserRole(Base):
    """One role held by one person."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class Tag(Base):
    """An expertise or topic tag; `key` is the accent-free form two spellings share."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UserTag(Base):
    """A person carries an expertise tag."""

    __tablename__ = "user_tags"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = (Index("ix_user_tags_tag_id", "tag_id"),)


class Follow(Base):
    """One person follows another."""

    __tablename__ = "follows"

    follower_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    followee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_follows_followee_id", "followee_id"),)


class Photo(Base):
    """An image re-encoded server-side (a profile photo, or an image in an article); kept in the
    database so every worker and machine can serve it, and a backup holds it."""

    __tablename__ = "photos"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="profile", server_default="profile")
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

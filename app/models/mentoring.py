"""Reverse mentoring: who offers to mentor or asks to be mentored, on which topics; the pairs
Proxima proposes, their sessions and each side's feedback."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class MentoringRole(enum.StrEnum):
    """Which side of the programme an enrolment is on."""

    mentor = "mentor"
    mentee = "mentee"


class PairStatus(enum.StrEnum):
    """Where a proposed pair stands: both must accept before it is a pair."""

    proposed = "proposed"
    active = "active"
    declined = "declined"
    ended = "ended"


class MentoringEnrolment(Base):
    """A person offers to mentor (on some of their expertise tags) or asks to be mentored (on topics),
    with how many sessions a month they can give or would like."""

    __tablename__ = "mentoring_enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(8))
    sessions_per_month: Mapped[int] = mapped_column(default=1)
    note: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "role"),)


class MentoringTopic(Base):
    """One topic of an enrolment (a tag)."""

    __tablename__ = "mentoring_topics"

    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("mentoring_enrolments.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (Index("ix_mentoring_topics_tag_id", "tag_id"),)


class MentoringPair(Base):
    """A mentor and a mentee Proxima proposed to each other, with the score that explains why;
    a pair exists once both accepted. A pair of people is proposed at most once."""

    __tablename__ = "mentoring_pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=PairStatus.proposed.value, index=True)
    score: Mapped[int] = mapped_column(default=0)
    # [{"code": "topics", "points": 20, "params": {...}}, …]: rendered in the reader's language
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    mentor_accepted_at: Mapped[datetime | None]
    mentee_accepted_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]  # declined or ended
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        UniqueConstraint("mentor_id", "mentee_id"),
        CheckConstraint("mentor_id <> mentee_id", name="not_self"),
    )


class MentoringSession(Base):
    """A session a pair planned: when, where (a place or a link) and what about."""

    __tablename__ = "mentoring_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("mentoring_pairs.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    location: Mapped[str] = mapped_column(String(200), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_mentoring_sessions_pair_id_starts_at", "pair_id", "starts_at"),)


class MentoringFeedback(Base):
    """One side's short feedback on a session that took place (seen by the pair only)."""

    __tablename__ = "mentoring_feedback"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("mentoring_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),)

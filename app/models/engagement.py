"""The engagement engine's memory: each person's stage, every transition, and nudge deliveries."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class Stage(enum.StrEnum):
    """Where a person stands in their journey (seed 003)."""

    information = "information"
    discovery = "discovery"
    participation = "participation"
    contribution = "contribution"
    promotion = "promotion"
    disappointment = "disappointment"


class EngagementState(Base):
    """A person's current stage, with why and since when (one row per person)."""

    __tablename__ = "engagement_states"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(16), index=True)
    since: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    reason_params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # the furthest stage reached (disappointment needs to know a person had come that far)
    peak: Mapped[str] = mapped_column(String(16), default=Stage.information.value)
    peak_at: Mapped[datetime | None]
    # how deep a disappointment is (1 mild … 3 deep): the shorter the earlier phases, the deeper
    depth: Mapped[int | None]
    nudges_enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class StageTransition(Base):
    """One move from a stage to another, with its time and a human reason."""

    __tablename__ = "stage_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    from_stage: Mapped[str | None] = mapped_column(String(16))
    to_stage: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    reason_params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (Index("ix_stage_transitions_user_id_at", "user_id", "at"),)


class NudgeEvent(Base):
    """A nudge's life with one person: shown, held out, clicked, dismissed, snoozed, completed."""

    __tablename__ = "nudge_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    nudge_key: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    until: Mapped[datetime | None]  # dismissals and snoozes last until then

    __table_args__ = (
        Index("ix_nudge_events_user_id_key_at", "user_id", "nudge_key", "at"),
        Index("ix_nudge_events_key_event", "nudge_key", "event"),
    )

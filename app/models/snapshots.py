"""Weekly adoption snapshots: how many people of each population stood at each stage that week."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class AdoptionSnapshot(Base):
    """One population's stage counts for one week (raw counts: suppression applies when shown)."""

    __tablename__ = "adoption_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[date] = mapped_column(Date)  # the Monday the week starts on
    dimension: Mapped[str] = mapped_column(String(16))  # overall, department, site, role, seniority
    key: Mapped[str] = mapped_column(String(120))  # the group ("" for overall)
    members: Mapped[int]
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # stage -> people
    # on the overall row only: the finest groups, [department, site, seniority band, roles, counts],
    # from which a past week's views are released together as today's are
    cells: Mapped[list[Any] | None] = mapped_column(JSON)
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)  # the instant the stages were read as of

    __table_args__ = (UniqueConstraint("week", "dimension", "key"),)

"""weekly adoption snapshots

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Weekly stage counts per population (overall, department, site, role, seniority band)."""
    op.create_table(
        "adoption_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("cells", sa.JSON(), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adoption_snapshots")),
        sa.UniqueConstraint(
            "week", "dimension", "key", name=op.f("uq_adoption_snapshots_week_dimension_key")
        ),
    )


def downgrade() -> None:
    """Drop the weekly snapshots."""
    op.drop_table("adoption_snapshots")

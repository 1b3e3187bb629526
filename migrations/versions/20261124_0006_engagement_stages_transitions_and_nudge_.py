"""engagement stages, transitions and nudge events

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 07:36:05.590764
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """engagement stages, transitions and nudge events."""
    op.create_table(
        "engagement_states",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reason_params", sa.JSON(), nullable=False),
        sa.Column("peak", sa.String(length=16), nullable=False),
        sa.Column("peak_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("depth", sa.Integer(), nullable=True),
        sa.Column("nudges_enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_engagement_states_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_engagement_states")),
    )
    with op.batch_alter_table("engagement_states", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagement_states_stage"), ["stage"], unique=False)

    op.create_table(
        "nudge_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("nudge_key", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_nudge_events_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudge_events")),
    )
    with op.batch_alter_table("nudge_events", schema=None) as batch_op:
        batch_op.create_index("ix_nudge_events_key_event", ["nudge_key", "event"], unique=False)
        batch_op.create_index("ix_nudge_events_user_id_key_at", ["user_id", "nudge_key", "at"], unique=False)

    op.create_table(
        "stage_transitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("from_stage", sa.String(length=16), nullable=True),
        sa.Column("to_stage", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reason_params", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_stage_transitions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_transitions")),
    )
    with op.batch_alter_table("stage_transitions", schema=None) as batch_op:
        batch_op.create_index("ix_stage_transitions_user_id_at", ["user_id", "at"], unique=False)


def downgrade() -> None:
    """Undo: engagement stages, transitions and nudge events."""
    with op.batch_alter_table("stage_transitions", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_transitions_user_id_at")

    op.drop_table("stage_transitions")
    with op.batch_alter_table("nudge_events", schema=None) as batch_op:
        batch_op.drop_index("ix_nudge_events_user_id_key_at")
        batch_op.drop_index("ix_nudge_events_key_event")

    op.drop_table("nudge_events")
    with op.batch_alter_table("engagement_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_states_stage"))

    op.drop_table("engagement_states")

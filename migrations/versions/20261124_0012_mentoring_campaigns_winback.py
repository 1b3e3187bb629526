"""reverse mentoring, campaigns and their recipients, community win-back

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Reverse mentoring, campaigns and their recipients, community win-back."""
    op.create_table(
        "mentoring_enrolments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("sessions_per_month", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_mentoring_enrolments_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentoring_enrolments")),
        sa.UniqueConstraint("user_id", "role", name=op.f("uq_mentoring_enrolments_user_id_role")),
    )
    op.create_table(
        "mentoring_topics",
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["mentoring_enrolments.id"],
            name=op.f("fk_mentoring_topics_enrolment_id_mentoring_enrolments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_mentoring_topics_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("enrolment_id", "tag_id", name=op.f("pk_mentoring_topics")),
    )
    op.create_index("ix_mentoring_topics_tag_id", "mentoring_topics", ["tag_id"], unique=False)
    op.create_table(
        "mentoring_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mentor_accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mentee_accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("mentor_id <> mentee_id", name=op.f("ck_mentoring_pairs_not_self")),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["users.id"],
            name=op.f("fk_mentoring_pairs_closed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mentee_id"], ["users.id"], name=op.f("fk_mentoring_pairs_mentee_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"], ["users.id"], name=op.f("fk_mentoring_pairs_mentor_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentoring_pairs")),
        sa.UniqueConstraint("mentor_id", "mentee_id", name=op.f("uq_mentoring_pairs_mentor_id_mentee_id")),
    )
    op.create_index(op.f("ix_mentoring_pairs_mentee_id"), "mentoring_pairs", ["mentee_id"], unique=False)
    op.create_index(op.f("ix_mentoring_pairs_mentor_id"), "mentoring_pairs", ["mentor_id"], unique=False)
    op.create_index(op.f("ix_mentoring_pairs_status"), "mentoring_pairs", ["status"], unique=False)
    op.create_table(
        "mentoring_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_mentoring_sessions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["mentoring_pairs.id"],
            name=op.f("fk_mentoring_sessions_pair_id_mentoring_pairs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentoring_sessions")),
    )
    op.create_index(
        "ix_mentoring_sessions_pair_id_starts_at",
        "mentoring_sessions",
        ["pair_id", "starts_at"],
        unique=False,
    )
    op.create_table(
        "mentoring_feedback",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_mentoring_feedback_rating_range")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["mentoring_sessions.id"],
            name=op.f("fk_mentoring_feedback_session_id_mentoring_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_mentoring_feedback_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("session_id", "user_id", name=op.f("pk_mentoring_feedback")),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("audience_size", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_campaigns_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_campaigns_post_id_posts"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_index(op.f("ix_campaigns_starts_at"), "campaigns", ["starts_at"], unique=False)
    op.create_table(
        "campaign_recipients",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("clicked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_recipients_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_campaign_recipients_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("campaign_id", "user_id", name=op.f("pk_campaign_recipients")),
    )
    op.create_index("ix_campaign_recipients_user_id", "campaign_recipients", ["user_id"], unique=False)
    op.create_table(
        "community_winbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("inactive_days", sa.Integer(), nullable=False),
        sa.Column("recipient_count", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_community_winbacks_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"],
            ["users.id"],
            name=op.f("fk_community_winbacks_sent_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_winbacks")),
    )
    op.create_index(
        op.f("ix_community_winbacks_community_id"), "community_winbacks", ["community_id"], unique=False
    )
    op.create_table(
        "winback_recipients",
        sa.Column("winback_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_winback_recipients_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_winback_recipients_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["winback_id"],
            ["community_winbacks.id"],
            name=op.f("fk_winback_recipients_winback_id_community_winbacks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("winback_id", "user_id", name=op.f("pk_winback_recipients")),
    )
    op.create_index(
        "ix_winback_recipients_community_id_user_id",
        "winback_recipients",
        ["community_id", "user_id", "sent_at"],
        unique=False,
    )


def downgrade() -> None:
    """Undo: reverse mentoring, campaigns and their recipients, community win-back."""
    op.drop_index("ix_winback_recipients_community_id_user_id", table_name="winback_recipients")
    op.drop_table("winback_recipients")
    op.drop_index(op.f("ix_community_winbacks_community_id"), table_name="community_winbacks")
    op.drop_table("community_winbacks")
    op.drop_index("ix_campaign_recipients_user_id", table_name="campaign_recipients")
    op.drop_table("campaign_recipients")
    op.drop_index(op.f("ix_campaigns_starts_at"), table_name="campaigns")
    op.drop_table("campaigns")
    op.drop_table("mentoring_feedback")
    op.drop_index("ix_mentoring_sessions_pair_id_starts_at", table_name="mentoring_sessions")
    op.drop_table("mentoring_sessions")
    op.drop_index(op.f("ix_mentoring_pairs_status"), table_name="mentoring_pairs")
    op.drop_index(op.f("ix_mentoring_pairs_mentor_id"), table_name="mentoring_pairs")
    op.drop_index(op.f("ix_mentoring_pairs_mentee_id"), table_name="mentoring_pairs")
    op.drop_table("mentoring_pairs")
    op.drop_index("ix_mentoring_topics_tag_id", table_name="mentoring_topics")
    op.drop_table("mentoring_topics")
    op.drop_table("mentoring_enrolments")

"""executives' delegates, posts published for an executive, drafts awaiting approval, post reads

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 13:00:00

An executive names delegates who post on their behalf (`posts.posted_by_id`), either directly or
as drafts the executive approves (`posts.is_draft`, with `post_drafts` for the review). Reads of a
leadership post's page are kept one row per person, post and day (`post_reads`) for its reach.
Plain ALTER TABLE on `posts` (no batch "move and copy" on SQLite): recreating `posts` would drop
the full-text triggers of revision 0003.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Delegates, the executive's approval choice, drafts, post reads, and two columns on posts."""
    op.create_table(
        "delegates",
        sa.Column("executive_id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delegate_id"], ["users.id"], name=op.f("fk_delegates_delegate_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["executive_id"], ["users.id"], name=op.f("fk_delegates_executive_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("executive_id", "delegate_id", name=op.f("pk_delegates")),
    )
    op.create_index("ix_delegates_delegate_id", "delegates", ["delegate_id"], unique=False)
    op.create_table(
        "delegation_settings",
        sa.Column("executive_id", sa.Integer(), nullable=False),
        sa.Column("approval_required", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["executive_id"],
            ["users.id"],
            name=op.f("fk_delegation_settings_executive_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("executive_id", name=op.f("pk_delegation_settings")),
    )

    # posts: who posted it for the author, and whether it is a draft waiting for approval. SQLite
    # takes the reference inline with the column (it cannot add a constraint afterwards), and reads
    # no ON DELETE action back from such a reference: the model declares none (nobody is deleted).
    inline = op.get_bind().dialect.name == "sqlite"
    op.add_column(
        "posts",
        sa.Column(
            "posted_by_id",
            sa.Integer(),
            sa.ForeignKey("users.id", name=op.f("fk_posts_posted_by_id_users")) if inline else None,
            nullable=True,
        ),
        inline_references=inline,
    )
    if not inline:
        op.create_foreign_key(
            op.f("fk_posts_posted_by_id_users"),
            "posts",
            "users",
            ["posted_by_id"],
            ["id"],
        )
    op.add_column("posts", sa.Column("is_draft", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index(op.f("ix_posts_posted_by_id"), "posts", ["posted_by_id"], unique=False)

    op.create_table(
        "post_drafts",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("executive_id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["delegate_id"], ["users.id"], name=op.f("fk_post_drafts_delegate_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["executive_id"], ["users.id"], name=op.f("fk_post_drafts_executive_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_post_drafts_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_post_drafts")),
    )
    op.create_index(op.f("ix_post_drafts_delegate_id"), "post_drafts", ["delegate_id"], unique=False)
    op.create_index(
        "ix_post_drafts_executive_id_status", "post_drafts", ["executive_id", "status"], unique=False
    )
    op.create_table(
        "post_reads",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_post_reads_post_id_posts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_post_reads_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("post_id", "user_id", "day", name=op.f("pk_post_reads")),
    )


def downgrade() -> None:
    """Undo: drafts are deleted (they were never published), then the tables and the columns go."""
    op.drop_table("post_reads")
    op.drop_index("ix_post_drafts_executive_id_status", table_name="post_drafts")
    op.drop_index(op.f("ix_post_drafts_delegate_id"), table_name="post_drafts")
    op.drop_table("post_drafts")
    op.execute("DELETE FROM posts WHERE is_draft")
    op.drop_index(op.f("ix_posts_posted_by_id"), table_name="posts")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_posts_posted_by_id_users"), "posts", type_="foreignkey")
    op.execute("ALTER TABLE posts DROP COLUMN is_draft")
    op.execute("ALTER TABLE posts DROP COLUMN posted_by_id")
    op.drop_table("delegation_settings")
    op.drop_index("ix_delegates_delegate_id", table_name="delegates")
    op.drop_table("delegates")

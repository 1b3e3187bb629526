"""posts.answer_count: the comments that are not replies (a question's answers)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-24 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """A question said "3 answers" for one answer and two replies to it: `comment_count` counts every
    comment shown. The new count keeps the shown comments that are not replies, kept by the writes
    like the others. A plain ADD COLUMN (on SQLite `posts` is never rebuilt by a batch operation,
    which would drop its full-text triggers), then one UPDATE from the comments already written."""
    op.add_column("posts", sa.Column("answer_count", sa.Integer(), server_default="0", nullable=False))
    op.execute(
        "UPDATE posts SET answer_count = ("
        "SELECT count(*) FROM comments WHERE comments.post_id = posts.id "
        "AND comments.parent_id IS NULL AND comments.removed_at IS NULL"
        ") WHERE comment_count > 0"
    )


def downgrade() -> None:
    """Drop the count with a plain DROP COLUMN (SQLite 3.35+ too, which keeps the triggers)."""
    op.execute("ALTER TABLE posts DROP COLUMN answer_count")

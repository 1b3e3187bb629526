"""reaction counts by kind

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 07:25:57

The feed reads every reaction count with the post instead of counting reactions per page.
Plain ALTER TABLE (no batch "move and copy" on SQLite): recreating `posts` would drop the
full-text triggers of revision 0003.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("celebrate", "support", "insightful", "curious")


def upgrade() -> None:
    """Add a count per reaction kind to posts, filled from the reactions already given."""
    for kind in KINDS:
        op.add_column("posts", sa.Column(f"{kind}_count", sa.Integer(), server_default="0", nullable=False))
        op.execute(
            f"UPDATE posts SET {kind}_count = "  # noqa: S608 - fixed names, no input
            f"(SELECT count(*) FROM reactions WHERE reactions.post_id = posts.id AND reactions.kind = '{kind}')"
        )


def downgrade() -> None:
    """Undo: drop the counts per reaction kind."""
    for kind in reversed(KINDS):
        op.execute(f"ALTER TABLE posts DROP COLUMN {kind}_count")

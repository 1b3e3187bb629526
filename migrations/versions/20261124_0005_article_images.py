"""article images

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 07:35:00

Images uploaded into articles are kept like profile photos (re-encoded, in the database);
`kind` tells them apart so that changing one's photo never deletes an article's image.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add photos.kind: `profile` (every existing row) or `image`."""
    op.add_column("photos", sa.Column("kind", sa.String(length=16), server_default="profile", nullable=False))


def downgrade() -> None:
    """Undo: drop article images, then the column."""
    op.execute("DELETE FROM photos WHERE kind <> 'profile'")
    op.execute("ALTER TABLE photos DROP COLUMN kind")

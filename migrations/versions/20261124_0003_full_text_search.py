"""full-text search on posts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 12:00:00

SQLite: an FTS5 index over posts' title and markdown body, external content (the text is not
stored twice), kept in sync by triggers; `unicode61 remove_diacritics 2` makes it accent- and
case-insensitive. Stemming is not done: external content and triggers cannot stem in SQL, so the
search runs prefix queries instead ("equipe" finds "équipes", "covoit" finds "covoiturage").

PostgreSQL: two text search configurations, French and English stemming behind `unaccent`, and a
stored generated `search_vector` column (title weighted A, body B) with a GIN index. `unaccent()`
cannot be called in a generated column (it is not immutable); a configuration that maps words
through the `unaccent` dictionary can.

Note for later migrations: a batch ("move and copy") migration of `posts` on SQLite drops the
triggers with the old table; recreate them (and rebuild the index) in the same revision.

None of these objects is in the models: `app/search_schema.py` hides them from autogenerate.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Any constant works: it only serialises concurrent migrations creating the extension.
_EXTENSION_LOCK = 7_250_003

SQLITE_UP = [
    """
    CREATE VIRTUAL TABLE posts_fts USING fts5(
        title, body,
        content='posts', content_rowid='id',
        tokenize = "unicode61 remove_diacritics 2",
        prefix = '3'
    )
    """,
    """
    CREATE TRIGGER posts_fts_after_insert AFTER INSERT ON posts BEGIN
        INSERT INTO posts_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END
    """,
    """
    CREATE TRIGGER posts_fts_after_delete AFTER DELETE ON posts BEGIN
        INSERT INTO posts_fts(posts_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    END
    """,
    # only when the text changes: counters and moderation fields are updated far more often
    """
    CREATE TRIGGER posts_fts_after_update AFTER UPDATE OF title, body ON posts BEGIN
        INSERT INTO posts_fts(posts_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO posts_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END
    """,
    "INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS posts_fts_after_update",
    "DROP TRIGGER IF EXISTS posts_fts_after_delete",
    "DROP TRIGGER IF EXISTS posts_fts_after_insert",
    "DROP TABLE IF EXISTS posts_fts",
]


def _vector(config: str) -> str:
    return (
        f"setweight(to_tsvector('{config}'::regconfig, coalesce(title, '')), 'A') || "
        f"setweight(to_tsvector('{config}'::regconfig, coalesce(body, '')), 'B')"
    )


def _unaccent_schema() -> str:
    """Install `unaccent` once per database (in `public`, where dropping a test schema cannot take it
    away from the others) and say where it lives."""
    bind = op.get_bind()
    op.execute(f"SELECT pg_advisory_xact_lock({_EXTENSION_LOCK})")
    schema = bind.exec_driver_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'"
    ).scalar()
    if schema is None:
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
        schema = "public"
    return str(schema)


def _upgrade_postgresql() -> None:
    unaccent = f"{_unaccent_schema()}.unaccent"
    for name, source, stemmer in (
        ("proxima_fr", "french", "french_stem"),
        ("proxima_en", "english", "english_stem"),
    ):
        op.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{source})")
        op.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {name} "
            f"ALTER MAPPING FOR hword, hword_part, word WITH {unaccent}, {stemmer}"
        )
    op.execute(
        "ALTER TABLE posts ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
        f"({_vector('proxima_fr')} || {_vector('proxima_en')}) STORED"
    )
    op.execute("CREATE INDEX ix_posts_search_vector ON posts USING gin (search_vector)")


def _downgrade_postgresql() -> None:
    # The unaccent extension stays: it belongs to the whole database, other schemas may use it.
    op.execute("DROP INDEX IF EXISTS ix_posts_search_vector")
    op.execute("ALTER TABLE posts DROP COLUMN IF EXISTS search_vector")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS proxima_en")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS proxima_fr")


def upgrade() -> None:
    """Full-text search on posts."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
    elif dialect == "postgresql":
        _upgrade_postgresql()


def downgrade() -> None:
    """Drop the search index, its triggers and configurations."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    elif dialect == "postgresql":
        _downgrade_postgresql()

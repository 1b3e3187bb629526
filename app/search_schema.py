"""The full-text search objects that live in the database but not in the models.

Migration 0003 creates them by hand (an FTS5 table and its triggers on SQLite, a generated
`tsvector` column and its GIN index on PostgreSQL); alembic's autogenerate and `alembic check`,
and the test comparing the models with the schema, must not propose to drop them.
"""

from __future__ import annotations

from typing import Any

FTS_TABLE = "posts_fts"
# FTS5 keeps an index in shadow tables named after the virtual table.
FTS_TABLES = frozenset(
    {FTS_TABLE, *(f"{FTS_TABLE}_{suffix}" for suffix in ("data", "idx", "docsize", "config", "content"))}
)
SEARCH_COLUMN = "search_vector"
SEARCH_INDEX = "ix_posts_search_vector"


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Leave the FTS5 tables out of reflection (alembic's `include_name` hook)."""
    return not (type_ == "table" and name in FTS_TABLES)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Leave the search objects out of the comparison (alembic's `include_object` hook)."""
    if type_ == "table":
        return name not in FTS_TABLES
    if type_ == "column":
        return not (name == SEARCH_COLUMN and obj.table.name == "posts")
    if type_ == "index":
        return name != SEARCH_INDEX
    return True

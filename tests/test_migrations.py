"""Migrations: every revision upgrades, downgrades and upgrades again, and the models match the schema."""

from __future__ import annotations

import os
import re
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from app.cli import alembic_config
from app.db import Database
from app.models import Base
from app.search_schema import include_name, include_object
from app.settings import Settings


def _url(tmp_path: Path) -> str:
    base = os.environ.get("PROXIMA_TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path / 'migrations.db'}"
    schema = "m_" + re.sub(r"\W", "_", os.environ.get("PYTEST_XDIST_WORKER", "main"))
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"


def test_each_revision_round_trips_and_head_matches_the_models(tmp_path: Path) -> None:
    settings = Settings(env="test", database_url=_url(tmp_path))
    database = Database(settings)
    config = alembic_config(settings)
    revisions = [r.revision for r in ScriptDirectory.from_config(config).walk_revisions()][::-1]
    try:
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            for revision in revisions:
                command.upgrade(config, revision)
                command.downgrade(config, "-1")
                command.upgrade(config, revision)
            command.downgrade(config, "base")
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
            command.upgrade(config, "head")
            context = MigrationContext.configure(
                connection, opts={"include_name": include_name, "include_object": include_object}
            )
            diff = compare_metadata(context, Base.metadata)
            assert diff == []
    finally:
        database.dispose()

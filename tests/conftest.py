"""The application under test: one migrated database per worker, emptied before every test.

Set PROXIMA_TEST_DATABASE_URL (e.g. postgresql+psycopg://127.0.0.1/test) to run the suite against
PostgreSQL; each xdist worker then gets its own schema in that database.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app.cli import upgrade_database
from app.db import Database
from app.i18n import use_locale
from app.main import create_app
from app.models import Base
from app.settings import Settings
from tests.factories import Factory


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _database_url(tmp_root: Path) -> str:
    url = os.environ.get("PROXIMA_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_root / f'proxima-{_worker()}.db'}"
    schema = "t_" + re.sub(r"\W", "_", _worker())
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of the application under test (cheap argon2, a test secret)."""
    root = tmp_path_factory.mktemp("db")
    return Settings(
        env="test",
        database_url=_database_url(root),
        secret_key="test-secret-that-is-long-enough-for-hmac",
        argon2_time_cost=1,
        argon2_memory_cost=1024,
        db_pool_size=12,
    )


@pytest.fixture(scope="session")
def database(settings: Settings) -> Iterator[Database]:
    """The worker's database, migrated once by alembic."""
    upgrade_database(settings)
    db = Database(settings)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def app(settings: Settings, database: Database) -> FastAPI:
    """The application, built by the same factory as the server."""
    return create_app(settings, database)


def _empty(database: Database) -> None:
    """Delete every row, children first (faster than rebuilding the schema)."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with database.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(
                text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
            )
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture(autouse=True)
def _fresh_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts from an empty (migrated) database."""
    use_locale("en")
    if "database" not in request.fixturenames and "app" not in request.fixturenames:
        yield
        return
    _empty(request.getfixturevalue("database"))
    yield


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A browser or API client with its own cookies."""
    with TestClient(app) as c:
        yield c


@pytest.fixture
def factory(database: Database, settings: Settings, app: FastAPI) -> Factory:
    """Creates people and signs them in."""
    return Factory(database, settings, app)

"""What does not go through HTTP: the demo loader against a raw load of the same rows, and the sweep."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_HOST = "127.0.0.1"
PG_USER = "postgres"
PG_ADMIN_URL = f"postgresql+psycopg://{PG_USER}@{PG_HOST}:5432/postgres"
SWEEP_LINE = re.compile(r"swept (\d+) people in ([\d.]+) s: (\d+) changed stage")


@dataclass(frozen=True)
class RawLoad:
    """A raw load of the rows the demo loader wrote: dumped, then loaded into a fresh database."""

    method: str  # how, in words, for the report
    dump_s: float
    load_s: float  # the figure the loader is compared with
    rows: int  # posts found in the copy (it must hold as many as the original)


@dataclass(frozen=True)
class SweepTiming:
    """One `proxima engagement sweep` run."""

    label: str
    as_of: str | None  # the --as-of argument, None for "now"
    people: int
    own_s: float  # the command's own timing of the sweep (what it prints)
    wall_s: float  # the whole command, interpreter start-up included
    changed: int

    @property
    def people_per_s(self) -> float:
        """People swept per second, by the sweep's own timing."""
        return self.people / self.own_s if self.own_s else 0.0


def run_command(args: list[str], env: dict[str, str] | None = None, *, stdin: Path | None = None) -> float:
    """Run a command to the end (output to a pipe, shown when it fails); return its wall-clock seconds."""
    started = time.perf_counter()
    with open(stdin, "rb") if stdin else open(os.devnull, "rb") as source:
        done = subprocess.run(  # noqa: S603
            args, cwd=ROOT, env=env, stdin=source, capture_output=True, text=True, check=False
        )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])} … failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return elapsed


def _count_posts(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(text("SELECT count(*) FROM posts")) or 0)
    finally:
        engine.dispose()


def raw_load_sqlite(database: Path, workdir: Path) -> RawLoad:
    """`sqlite3 demo.db .dump`, then `.read` of that dump into a new file, timed (the second is compared).

    The dump is every table's rows as INSERT statements in one transaction, the indexes and triggers
    created after the rows, the full-text index copied as its shadow tables: the cheapest way to write
    the same rows with the sqlite3 shell."""
    sqlite3 = shutil.which("sqlite3")
    if sqlite3 is None:
        raise RuntimeError("the sqlite3 shell is missing (apt-get install sqlite3)")
    dump, copy = workdir / "raw.sql", workdir / "raw.db"
    copy.unlink(missing_ok=True)
    try:
        started = time.perf_counter()
        with open(dump, "wb") as out:
            subprocess.run([sqlite3, str(database), ".dump"], stdout=out, check=True)  # noqa: S603
        dump_s = time.perf_counter() - started
        load_s = run_command([sqlite3, str(copy)], stdin=dump)
        rows = _count_posts(f"sqlite:///{copy}")
    finally:
        dump.unlink(missing_ok=True)
        copy.unlink(missing_ok=True)
    return RawLoad(
        method="`sqlite3 bench.db .dump`, then `sqlite3 copy.db < dump.sql` into a new file",
        dump_s=dump_s,
        load_s=load_s,
        rows=rows,
    )


@contextmanager
def postgres_database(name: str) -> Iterator[str]:
    """Create the empty database `name` (dropping a leftover one); drop it at the end; yield its URL."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield f"postgresql+psycopg://{PG_USER}@{PG_HOST}:5432/{name}"
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _empty_seeded_tables(url: str) -> None:
    """Empty every table but alembic's of a freshly migrated database (not timed)."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            names = connection.exec_driver_sql(
                "SELECT tablename FROM pg_tables "
                "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            ).scalars()
            connection.exec_driver_sql(f"TRUNCATE {', '.join(names)} CASCADE")
    finally:
        engine.dispose()


def raw_load_postgres(source: str, workdir: Path, env: dict[str, str]) -> RawLoad:
    """`pg_dump --data-only` of the loaded database (COPY statements), then `psql -f` of that dump into
    a fresh database migrated by `proxima db upgrade`: the same schema, indexes, triggers and foreign
    keys as the loader wrote into, the same rows, each table in one COPY. The second step is compared."""
    pg_dump, psql = shutil.which("pg_dump"), shutil.which("psql")
    if pg_dump is None or psql is None:
        raise RuntimeError("pg_dump or psql is missing (apt-get install postgresql-client)")
    dump = workdir / "raw-pg.sql"
    target = f"{source}_raw"
    common = ["-h", PG_HOST, "-U", PG_USER]
    try:
        dump_s = run_command(
            [pg_dump, *common, "--data-only", "--exclude-table-data=alembic_version", "-f", str(dump), source]
        )
        with postgres_database(target) as url:
            run_command([str(BIN / "proxima"), "db", "upgrade"], {**env, "PROXIMA_DATABASE_URL": url})
            _empty_seeded_tables(url)  # the dump carries the rows migrations seed (feedback categories)
            load_s = run_command(
                [psql, *common, "-q", "-X", "-v", "ON_ERROR_STOP=1", "-f", str(dump), target]
            )
            rows = _count_posts(url)
    finally:
        dump.unlink(missing_ok=True)
    return RawLoad(
        method="`pg_dump --data-only` (COPY), then `psql -f dump.sql` into a fresh database migrated "
        "by `proxima db upgrade`",
        dump_s=dump_s,
        load_s=load_s,
        rows=rows,
    )


def sweep(env: dict[str, str], label: str, as_of: datetime | None) -> SweepTiming:
    """Run `proxima engagement sweep [--as-of …]` and read what it says."""
    args = [str(BIN / "proxima"), "engagement", "sweep"]
    stamp = as_of.strftime("%Y-%m-%dT%H:%M:%SZ") if as_of else None
    if stamp:
        args += ["--as-of", stamp]
    started = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    wall_s = time.perf_counter() - started
    match = SWEEP_LINE.search(done.stdout)
    if done.returncode != 0 or match is None:
        raise RuntimeError(
            f"proxima engagement sweep failed ({done.returncode}):\n{done.stderr}{done.stdout}"
        )
    return SweepTiming(
        label=label,
        as_of=stamp,
        people=int(match.group(1)),
        own_s=float(match.group(2)),
        wall_s=wall_s,
        changed=int(match.group(3)),
    )


def sweeps(env: dict[str, str], *, days_later: int = 31) -> list[SweepTiming]:
    """The daily sweep as of now, then as of `days_later` days later (disappointment, decay)."""
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days_later)
    return [sweep(env, "now", None), sweep(env, f"`--as-of` now + {days_later} days", later)]

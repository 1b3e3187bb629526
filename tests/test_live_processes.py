"""Live updates across server processes: what is done on one process reaches streams open on another.

Two real `proxima serve` processes share one database and a bus: Redis pub/sub when Redis answers
on 127.0.0.1:6379 (PROXIMA_REDIS_URL), PostgreSQL LISTEN/NOTIFY when PostgreSQL answers on
127.0.0.1:5432 (a database of its own, dropped at the end). The in-process broker is checked with
one process. A variant whose service does not answer is skipped, and fails instead where the run
requires it (PROXIMA_REQUIRE_REDIS=1, set by .ci/run).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from app.cli import upgrade_database
from app.db import Database
from app.services import users
from app.settings import Settings
from tests.live_helpers import SESSION_COOKIE, EventStream, free_port

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = "redis://127.0.0.1:6379/15"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PASSWORD = "live-password-1"
START_TIMEOUT_S = 30.0


def _redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping())
    except Exception:
        return False


def _pg_answers() -> bool:
    try:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=2):
            return True
    except Exception:
        return False


def _prepare(database_url: str) -> None:
    """Migrate the database and create the two colleagues (in this process: quicker than the CLI)."""
    settings = Settings(
        env="test",
        database_url=database_url,
        secret_key="not-used-by-the-servers-here-only-for-hashing",
        argon2_time_cost=1,
        argon2_memory_cost=1024,
    )
    upgrade_database(settings)
    database = Database(settings)
    try:
        for email, name in (("xavier@example.com", "Xavier Live"), ("yasmine@example.com", "Yasmine Live")):
            with database.session() as db:
                users.create_user(
                    db,
                    settings=settings,
                    actor=None,
                    data=users.AccountData(email=email, display_name=name, password=PASSWORD),
                )
    finally:
        database.dispose()


def _tail(path: Path) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-30:]) if path.exists() else ""


def _wait_ready(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        assert process.poll() is None, f"the server exited:\n{_tail(log)}"
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"the server did not start:\n{_tail(log)}"
        time.sleep(0.1)


@contextmanager
def _servers(env: dict[str, str], logs: list[Path]) -> Iterator[list[tuple[subprocess.Popen[bytes], str]]]:
    """`proxima serve` processes, started together; stopped (SIGTERM, then SIGKILL) at the end."""
    started: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    try:
        for log in logs:
            port = free_port()
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [sys.executable, "-c", "from app.cli import main; main()", "serve", "--port", str(port)],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            started.append((process, f"http://127.0.0.1:{port}", log))
        for process, base, log in started:
            _wait_ready(process, base, log)
        yield [(process, base) for process, base, _log in started]
    finally:
        for process, _base, _log in started:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=wait)


@contextmanager
def _pg_database() -> Iterator[str]:
    import psycopg

    name = f"proxima_live_{uuid.uuid4().hex[:10]}"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sign_in(base: str, email: str) -> str:
    with httpx.Client(base_url=base) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token[1]})
        assert response.status_code == 303, response.text
        return str(client.cookies[SESSION_COOKIE])


def _token(base: str, email: str) -> dict[str, str]:
    response = httpx.post(f"{base}/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.mark.parametrize("bus", ["memory", "redis", "postgres"])
def test_events_reach_a_stream_open_on_another_process(bus: str, tmp_path: Path) -> None:
    if bus == "redis" and not _redis_answers():
        reason = "Redis does not answer on 127.0.0.1:6379"
        if os.environ.get("PROXIMA_REQUIRE_REDIS") == "1":
            pytest.fail(f"{reason} (PROXIMA_REQUIRE_REDIS=1)", pytrace=False)
        pytest.skip(reason)
    if bus == "postgres" and not _pg_answers():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432")

    with ExitStack() as stack:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PROXIMA_")}
        env.update(
            PYTHONPATH=str(ROOT),
            PROXIMA_ENV="development",
            PROXIMA_LOG_LEVEL="WARNING",
            PROXIMA_ARGON2_TIME_COST="1",
            PROXIMA_ARGON2_MEMORY_COST="1024",
            PROXIMA_LIVE_CHANNEL=f"proxima_test_{uuid.uuid4().hex[:12]}",  # pub/sub is shared by all
            PROXIMA_LIVE_HEARTBEAT_SECONDS="1",
            PROXIMA_DATABASE_URL=f"sqlite:///{tmp_path / 'live.db'}",
        )
        if bus == "redis":
            env["PROXIMA_REDIS_URL"] = REDIS_URL
        elif bus == "postgres":
            env["PROXIMA_DATABASE_URL"] = stack.enter_context(_pg_database())
        else:
            env["PROXIMA_LIVE_BROKER"] = "memory"
        _prepare(env["PROXIMA_DATABASE_URL"])
        logs = [tmp_path / "a.log"] if bus == "memory" else [tmp_path / "a.log", tmp_path / "b.log"]
        servers = stack.enter_context(_servers(env, logs))
        (server_a, a), (_server_b, b) = servers[0], servers[-1]
        x_cookie = _sign_in(a, "xavier@example.com")
        y_api = _token(b, "yasmine@example.com")
        posted = httpx.post(f"{b}/api/v1/posts", headers=y_api, json={"kind": "status", "body": "Before"})
        assert posted.status_code == 201, posted.text
        post_id = posted.json()["id"]

        stream = stack.enter_context(
            EventStream(f"{a}/events?post={post_id}", headers={"Cookie": f"{SESSION_COOKIE}={x_cookie}"})
        )
        assert stream.status == 200
        assert stream.next().get("retry")

        shared = httpx.post(f"{b}/api/v1/posts", headers=y_api, json={"kind": "status", "body": "News"})
        assert shared.status_code == 201
        assert stream.next_named("feed", timeout=5)

        said = httpx.post(f"{b}/api/v1/posts/{post_id}/comments", headers=y_api, json={"body": "Indeed"})
        assert said.status_code == 201
        heard = stream.next_named("comment", timeout=5)
        assert json.loads(heard["data"]) == {"comment_id": said.json()["id"]}

        mention = {"kind": "status", "body": "Thanks @xavier for the help"}
        assert httpx.post(f"{b}/api/v1/posts", headers=y_api, json=mention).status_code == 201
        assert stream.next_named("notifications", timeout=5)

        # stopping a server ends its streams at once (browsers reconnect) instead of hanging on them
        stopping = time.monotonic()
        os.killpg(server_a.pid, signal.SIGTERM)
        server_a.wait(timeout=10)
        assert stream.ended.wait(5)
        assert time.monotonic() - stopping < 5

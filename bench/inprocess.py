"""In-process measurements with a TestClient: SQL statements per request, and CPU time per request."""

from __future__ import annotations

import logging
import re
import time
import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import event

from app.services.pagination import MAX_LIMIT
from app.settings import Settings, get_settings
from bench.app import create_bench_app
from bench.machine import TICKS_PER_SECOND, process_ticks

with warnings.catch_warnings():
    # Starlette suggests httpx2; the project's tests use the same TestClient
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
# the SQLite profile opens each transaction with an explicit BEGIN statement: not a query
_TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)


@dataclass
class StatementLog:
    """The statements one request sent to the database."""

    statements: list[str] = field(default_factory=list)
    transaction_control: int = 0

    @property
    def count(self) -> int:
        """Queries sent, not counting BEGIN/COMMIT."""
        return len(self.statements)


@dataclass(frozen=True)
class Target:
    """A URL to measure, and whether it is called with the bearer token instead of the session."""

    path: str
    bearer: bool = False
    optional: bool = False  # skipped when it answers 404 (a URL that later work may move)
    headers: tuple[tuple[str, str], ...] = ()  # sent with every request (e.g. HX-Request: true)


@dataclass(frozen=True)
class InProcess:
    """What one URL costs when nothing else runs: its SQL statements and its CPU time."""

    log: StatementLog
    cpu_ms: float  # the Python process (server and client sides) plus the database's backends
    requests: int = 0  # how many requests the CPU figure is the average of


def form_login(client: httpx.Client, email: str, password: str) -> None:
    """Sign in through the form (GET /login for the CSRF token, then POST /login)."""
    page = client.get("/login")
    match = _CSRF_FIELD.search(page.text)
    if page.status_code != 200 or match is None:
        raise RuntimeError(f"GET /login answered {page.status_code} without a CSRF field")
    answer = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": match.group(1), "next": "/"},
        follow_redirects=False,
    )
    if answer.status_code != 303 or "proxima_session" not in client.cookies:
        raise RuntimeError(f"form sign-in failed: {answer.status_code}")


def bearer_token(client: httpx.Client, email: str, password: str) -> str:
    """A bearer token from POST /api/v1/auth/token."""
    answer = client.post("/api/v1/auth/token", json={"email": email, "password": password, "name": "bench"})
    if answer.status_code != 201:
        raise RuntimeError(f"token request failed: {answer.status_code} {answer.text[:200]}")
    token: str = answer.json()["access_token"]
    return token


@contextmanager
def _recording(engine: Any) -> Iterator[list[StatementLog]]:
    """Record every statement the engine executes into the last log of the yielded list."""
    logs: list[StatementLog] = [StatementLog()]

    def before_cursor_execute(
        _conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        """Note one statement."""
        if _TRANSACTION_CONTROL.match(statement):
            logs[-1].transaction_control += 1
        else:
            logs[-1].statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield logs
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)


def _cpu_ms(
    client: TestClient,
    target: Target,
    requests: int,
    database_marker: str | None,
    budget_s: float,
) -> tuple[float, int]:
    """CPU milliseconds per request over up to `requests` sequential requests (this process + DB
    backends), stopping early once `budget_s` of wall-clock time is spent (slow pages): at least 5."""
    tick_ms = 1000 / TICKS_PER_SECOND
    headers = dict(target.headers)
    backends = process_ticks(None, database_marker) if database_marker else 0
    started = time.process_time()
    deadline = time.perf_counter() + budget_s
    sent = 0
    while sent < requests and (sent < 5 or time.perf_counter() < deadline):
        client.get(target.path, headers=headers)
        sent += 1
    own = (time.process_time() - started) * 1000
    if database_marker:
        own += (process_ticks(None, database_marker) - backends) * tick_ms
    return own / sent, sent


def measure_in_process(
    settings: Settings,
    targets: list[Target],
    *,
    email: str,
    password: str,
    requests: int = 50,
    budget_s: float = 2.0,
    database_marker: str | None = None,
) -> dict[str, InProcess]:
    """For each target: one warm-up request, one whose statements are recorded, then up to
    `requests` timed (fewer when they take more than `budget_s`, at least 5).

    Optional targets that answer 404 are left out of the result.
    """
    get_settings.cache_clear()
    app = create_bench_app(settings)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # create_app's logging set-up is INFO
    results: dict[str, InProcess] = {}
    try:
        with TestClient(app) as browser, TestClient(app) as api:
            form_login(browser, email, password)
            api.headers["Authorization"] = f"Bearer {bearer_token(api, email, password)}"
            for target in targets:
                client = api if target.bearer else browser
                warm = client.get(target.path, headers=dict(target.headers))
                if warm.status_code == 404 and target.optional:
                    continue
                if warm.status_code != 200:
                    raise RuntimeError(f"GET {target.path} answered {warm.status_code} in-process")
                with _recording(app.state.db.engine) as logs:
                    client.get(target.path, headers=dict(target.headers))
                cpu_ms, sent = _cpu_ms(client, target, requests, database_marker, budget_s)
                results[target.path] = InProcess(logs[-1], cpu_ms, sent)
    finally:
        app.state.db.dispose()
    return results


@dataclass(frozen=True)
class FeedDepth:
    """A cursor into the home feed, `posts` posts down, found by following `next_cursor` in the API."""

    cursor: str | None  # None: the feed ended before that depth
    posts: int  # how many posts lie above the cursor
    pages_of_20: int  # the same depth in pages of 20 (the page size of the home page)
    seconds: float  # how long following the cursors took (every page is a real request)


def _walk(api: TestClient, wanted: int) -> tuple[str | None, int]:
    """Follow `next_cursor` until `wanted` posts lie above it; (None, posts seen) if the feed ends first."""
    seen, cursor = 0, None
    while seen < wanted:
        params = {"limit": str(min(MAX_LIMIT, wanted - seen)), **({"cursor": cursor} if cursor else {})}
        answer = api.get("/api/v1/feed", params=params)
        if answer.status_code != 200:
            raise RuntimeError(f"GET /api/v1/feed answered {answer.status_code}: {answer.text[:200]}")
        body = answer.json()
        seen += len(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return None, seen
    return cursor, seen


def follow_feed(
    settings: Settings, *, email: str, password: str, pages: int, page_size: int = 20
) -> FeedDepth:
    """Follow the API's `next_cursor` down the home feed to `pages` pages of `page_size` posts.

    The requests ask for the API's largest page (MAX_LIMIT posts) to get there in fewer round trips: a
    keyset cursor is the (created_at, id) of the last post above it, whatever the page size. When the
    feed is shorter, the deepest cursor that still has a whole page below it is returned instead."""
    get_settings.cache_clear()
    app = create_bench_app(settings)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    started = time.perf_counter()
    try:
        with TestClient(app) as api:
            api.headers["Authorization"] = f"Bearer {bearer_token(api, email, password)}"
            cursor, seen = _walk(api, pages * page_size)
            if cursor is None:  # the feed is shorter: the last whole page of it
                depth = (seen - page_size) // page_size * page_size
                cursor, seen = _walk(api, depth) if depth > 0 else (None, 0)
    finally:
        app.state.db.dispose()
    return FeedDepth(cursor, seen, seen // page_size, time.perf_counter() - started)


def measure_paired(
    sides: list[Settings],
    targets: list[Target],
    *,
    email: str,
    password: str,
    rounds: int,
    requests: int = 50,
    budget_s: float = 2.0,
    database_markers: list[str | None] | None = None,
) -> list[list[dict[str, InProcess]]]:
    """The same targets on several databases, measured in turns: for each round and each target, every
    side one after the other (the order reversed every other round), so that a machine that slows down
    for a while weighs on every side alike. Returns, per round, one result per side (as
    `measure_in_process` would)."""
    markers = database_markers or [None] * len(sides)
    apps = []
    for settings in sides:
        get_settings.cache_clear()
        apps.append(create_bench_app(settings))
    logging.getLogger("httpx").setLevel(logging.WARNING)
    found: list[list[dict[str, InProcess]]] = []
    try:
        with ExitStack() as stack:
            clients = []
            for app in apps:
                browser, api = stack.enter_context(TestClient(app)), stack.enter_context(TestClient(app))
                form_login(browser, email, password)
                api.headers["Authorization"] = f"Bearer {bearer_token(api, email, password)}"
                clients.append((app, browser, api))
            for round_no in range(rounds):
                results: list[dict[str, InProcess]] = [{} for _ in sides]
                order = list(range(len(sides)))
                if round_no % 2:
                    order.reverse()
                for target in targets:
                    for side in order:
                        app, browser, api = clients[side]
                        client = api if target.bearer else browser
                        warm = client.get(target.path, headers=dict(target.headers))
                        if warm.status_code != 200:
                            raise RuntimeError(f"GET {target.path} answered {warm.status_code} in-process")
                        with _recording(app.state.db.engine) as logs:
                            client.get(target.path, headers=dict(target.headers))
                        cpu_ms, sent = _cpu_ms(client, target, requests, markers[side], budget_s)
                        results[side][target.path] = InProcess(logs[-1], cpu_ms, sent)
                found.append(results)
    finally:
        for app in apps:
            app.state.db.dispose()
    return found

"""`python -m bench.run`: load the demo company, serve it, load it with wrk, write docs/benchmarks.md.

Also: the demo loader against a raw load of the same rows, the engagement sweep's people per second,
and with `--size large` the same company with 10,000 posts first, for the scale comparison."""

from __future__ import annotations

import argparse
import math
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Literal
from urllib.parse import quote

import httpx
from sqlalchemy import create_engine, text

from app.settings import Settings
from bench import live
from bench.app import BARE_FEED_ITEMS, BARE_FEED_PATH, BARE_PATH, BARE_PEOPLE
from bench.inprocess import InProcess, Target, follow_feed, form_login, measure_in_process, measure_paired
from bench.load import CONNECTIONS, LoadGenerator
from bench.machine import CpuMeter, describe_machine, load_average
from bench.report import (
    DatabaseRun,
    Depth,
    Measured,
    PageCost,
    RunResult,
    ScalePair,
    ScalePoint,
    carry_over,
    load_saved,
    render,
    save,
    software_versions,
    summary,
)
from bench.scale import PG_ADMIN_URL, postgres_database, raw_load_postgres, raw_load_sqlite, sweeps

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EMAIL = "camille.martin@proxima.example"
PASSWORD = "proxima-demo"  # noqa: S105 - the documented password of the demo accounts
PROFILE_EMAIL = "julien.moreau@proxima.example"  # an engineering manager: reports, follows, tags
PROFILE_NAME = "Julien Moreau"
BARE_LABEL = "bare page (`people/directory.html`, 30 people in memory, no database)"
BARE_FEED_LABEL = "bare feed page (`home/feed.html`, 20 posts in memory, no database)"
PG_BENCH_DB = "proxima_bench"
PG_REFERENCE_DB = "proxima_scale_ref"  # the scale reference, kept beside it for the whole run
SCALE_KEYS = ("bare-feed", "home", "api-feed", "more-top")
SCALE_ROUNDS = 3  # at least this many paired rounds for the scale comparison
SCALE_DURATION_S = 10  # at least this many seconds per endpoint and side in the turns (a p99 needs requests)
HOST = "127.0.0.1"
APP_PATHS = ("app", "migrations", "pyproject.toml")  # what the measured code is (not bench/ nor docs/)
SLOW_PAGE_REQUESTS = 4 * CONNECTIONS  # a slow page is loaded until about this many requests are answered
MAX_DURATION_S = 60
Auth = Literal["cookie", "bearer"]


@dataclass(frozen=True)
class Endpoint:
    """A URL under load, how it is authenticated, and how to tell a right answer from a wrong one."""

    label: str
    path: str
    auth: Auth
    check: Callable[[httpx.Response], str | None]  # a problem, or None when the answer is right
    optional: bool = False  # left out when the application answers 404
    key: str = ""  # its role, for the report (bare, people, home, api-feed, more-deep, …)
    group: str = "directory"  # which bare page is its denominator: directory or feed
    headers: tuple[tuple[str, str], ...] = ()  # sent on top of the session cookie or the token
    load: bool = True  # False: measured in-process only (SQL statements, CPU), not loaded with wrk


def _cards(response: httpx.Response) -> int:
    """How many person cards a page shows."""
    return response.text.count('class="person-card"')


def _posts(response: httpx.Response) -> int:
    """How many post cards a page shows."""
    return response.text.count('<article class="post-card')


def _not_login(response: httpx.Response) -> str | None:
    """A problem when the page is the sign-in form."""
    return "this is the sign-in page" if 'type="password"' in response.text else None


def check_directory(response: httpx.Response) -> str | None:
    """The directory (or the bare page): 30 person cards, not the sign-in page."""
    cards = _cards(response)
    return _not_login(response) or (None if cards == BARE_PEOPLE else f"{cards} person cards, not 30")


def check_api(response: httpx.Response) -> str | None:
    """The directory API: 30 people in `items`."""
    try:
        items = response.json()["items"]
    except (ValueError, KeyError, TypeError):
        return "not a page of people"
    return None if len(items) == 30 else f"{len(items)} people, not 30"


def check_profile(response: httpx.Response) -> str | None:
    """The profile of the person asked for."""
    return _not_login(response) or (None if PROFILE_NAME in response.text else f"no {PROFILE_NAME} in it")


def check_page(response: httpx.Response) -> str | None:
    """A page that is not the sign-in page (the profile's panel, a community, a post)."""
    return _not_login(response)


def check_experts(response: httpx.Response) -> str | None:
    """The expert finder with at least one expert."""
    return _not_login(response) or (None if _cards(response) else "no expert found")


def check_feed(response: httpx.Response) -> str | None:
    """A page of the home feed (or the bare feed page): 20 post cards, not the sign-in page."""
    posts = _posts(response)
    return _not_login(response) or (None if posts == BARE_FEED_ITEMS else f"{posts} posts, not 20")


def check_feed_api(response: httpx.Response) -> str | None:
    """A page of the feed API: 20 posts in `items`."""
    try:
        items = response.json()["items"]
    except (ValueError, KeyError, TypeError):
        return "not a page of posts"
    return None if len(items) == BARE_FEED_ITEMS else f"{len(items)} posts, not 20"


@dataclass(frozen=True)
class Facts:
    """What the benchmark needs to know about the loaded company."""

    people: int
    posts: int
    profile_handle: str
    community_slug: str | None  # the community with the most posts Camille may read
    community_posts: int
    post_id: int | None  # the post with the most comments Camille may read
    post_comments: int


def endpoints(facts: Facts, deep_cursor: str | None, depth_pages: int) -> list[Endpoint]:
    """The URLs measured; each bare page comes first in its group (the denominator of its ratios)."""
    handle = facts.profile_handle
    htmx = (("HX-Request", "true"),)
    feed = [
        Endpoint(BARE_FEED_LABEL, BARE_FEED_PATH, "cookie", check_feed, key="bare-feed", group="feed"),
        Endpoint("`GET /` (home feed page)", "/", "cookie", check_feed, key="home", group="feed"),
        Endpoint(
            "`GET /api/v1/feed?limit=20`",
            "/api/v1/feed?limit=20",
            "bearer",
            check_feed_api,
            key="api-feed",
            group="feed",
        ),
        Endpoint(
            '`GET /feed` (htmx "load more" fragment, top)',
            "/feed",
            "cookie",
            check_feed,
            key="more-top",
            group="feed",
            headers=htmx,
        ),
    ]
    if deep_cursor:
        cursor = quote(deep_cursor, safe="")
        feed += [
            Endpoint(
                f"`GET /feed?cursor=…` (htmx, {depth_pages} pages deep)",
                f"/feed?cursor={cursor}",
                "cookie",
                check_feed,
                key="more-deep",
                group="feed",
                headers=htmx,
            ),
            Endpoint(
                f"`GET /api/v1/feed?limit=20&cursor=…` ({depth_pages} pages deep)",
                f"/api/v1/feed?limit=20&cursor={cursor}",
                "bearer",
                check_feed_api,
                key="api-deep",
                group="feed",
            ),
        ]
    directory = [
        Endpoint(BARE_LABEL, BARE_PATH, "cookie", check_directory, key="bare"),
        Endpoint("`GET /people` (directory page)", "/people", "cookie", check_directory, key="people"),
        Endpoint(
            "`GET /api/v1/users?limit=30`", "/api/v1/users?limit=30", "bearer", check_api, key="users-api"
        ),
        Endpoint(
            f"`GET /people/{handle}` (profile)", f"/people/{handle}", "cookie", check_profile, key="profile"
        ),
        Endpoint(
            f"`GET /people/{handle}/aside` (profile's side panel, loaded by htmx)",
            f"/people/{handle}/aside",
            "cookie",
            check_page,
            optional=True,
            key="aside",
        ),
        Endpoint(
            "`GET /people/experts?q=python`",
            "/people/experts?q=python",
            "cookie",
            check_experts,
            key="experts",
        ),
    ]
    pages = []
    if facts.community_slug:
        pages.append(
            Endpoint(
                f"`GET /communities/{facts.community_slug}` (community, {facts.community_posts:,} posts)",
                f"/communities/{facts.community_slug}",
                "cookie",
                check_page,
                key="community",
                load=False,
            )
        )
    if facts.post_id:
        pages.append(
            Endpoint(
                f"`GET /posts/{facts.post_id}` (post page, {facts.post_comments} comments)",
                f"/posts/{facts.post_id}",
                "cookie",
                check_page,
                key="post",
                load=False,
            )
        )
    return feed + directory + pages


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--size", choices=["small", "medium", "large"], default="medium", help="demo company")
    parser.add_argument("--duration", type=int, default=6, help="seconds of load per endpoint")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up load per endpoint")
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure every endpoint N times, keep each one's best round"
    )
    parser.add_argument("--depth", type=int, default=50, help="pages of 20 above the deep feed page")
    parser.add_argument(
        "--reference-posts",
        type=int,
        default=None,
        help="scale reference: the same company with N posts (default 10000 with --size large, else none)",
    )
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--no-sqlite", action="store_true", help="skip SQLite")
    parser.add_argument("--no-raw-load", action="store_true", help="skip the loader vs raw load comparison")
    parser.add_argument("--no-sweep", action="store_true", help="skip the engagement sweep timings")
    parser.add_argument("--show-sql", action="store_true", help="print the statements counted per request")
    parser.add_argument("--no-live", action="store_true", help="skip the live-updates (SSE) benchmark")
    parser.add_argument(
        "--only-live", action="store_true", help="run only the live-updates (SSE) benchmark, keep the rest"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md", help="report path")
    parser.add_argument(
        "--results-dir", type=Path, default=ROOT / "bench" / "results", help="where runs are saved as JSON"
    )
    args = parser.parse_args(argv)
    if args.reference_posts is None:
        args.reference_posts = 10_000 if args.size == "large" else 0
    return args


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def server_env(database_url: str, secret_key: str) -> dict[str, str]:
    """The environment of the CLI commands and the server: production settings on the bench database."""
    return {
        **os.environ,
        "PROXIMA_DATABASE_URL": database_url,
        "PROXIMA_ENV": "production",
        "PROXIMA_SECRET_KEY": secret_key,
    }


def run_cli(args: list[str], env: dict[str, str], *, module: str | None = None) -> tuple[float, str]:
    """Run `proxima <args>` (or `python -m <module> <args>`); return the wall-clock seconds and what it
    printed. Fails loudly."""
    command = [sys.executable, "-m", module, *args] if module else [str(BIN / "proxima"), *args]
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command[-4:])} failed ({done.returncode}):\n"
            f"{done.stderr[-3000:]}{done.stdout[-2000:]}"
        )
    return elapsed, done.stdout.strip()


@contextmanager
def serve(env: dict[str, str], log: IO[bytes]) -> Iterator[tuple[str, int]]:
    """Run the bench app under uvicorn with 2 workers in its own process group; yield its URL and pgid."""
    port = free_port()
    command = [
        str(BIN / "uvicorn"),
        "bench.app:create_bench_app",
        "--factory",
        "--workers",
        "2",
        "--host",
        HOST,
        "--port",
        str(port),
        "--no-access-log",
    ]
    process = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://{HOST}:{port}"
    try:
        wait_ready(base, process)
        yield base, process.pid
    finally:
        stop(process)


def wait_ready(base: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Wait until /healthz answers 200 (both workers take a moment to import the app)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer on {base} within {timeout:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server's process group: SIGTERM, then SIGKILL after 15 s."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)
    except ProcessLookupError:
        pass


def sign_in(base: str) -> tuple[dict[str, str], dict[str, str]]:
    """Sign in through the form and for a bearer token; return the page and API request headers."""
    with httpx.Client(base_url=base, timeout=30) as client:
        form_login(client, EMAIL, PASSWORD)
        jar = client.cookies
        cookie = f"proxima_session={jar['proxima_session']}; proxima_csrf={jar['proxima_csrf']}"
    with httpx.Client(base_url=base, timeout=30) as client:
        answer = client.post(
            "/api/v1/auth/token", json={"email": EMAIL, "password": PASSWORD, "name": "bench"}
        )
        if answer.status_code != 201:
            raise RuntimeError(f"POST /api/v1/auth/token answered {answer.status_code}: {answer.text[:200]}")
        token = answer.json()["access_token"]
    return {"Cookie": cookie}, {"Authorization": f"Bearer {token}"}


def verify(base: str, endpoint: Endpoint, headers: dict[str, str]) -> float:
    """One request first: a benchmark of a redirect or of the sign-in page is worthless. Returns the
    size of the answer in KiB."""
    answer = httpx.get(base + endpoint.path, headers=headers, timeout=120, follow_redirects=False)
    problem = f"status {answer.status_code}" if answer.status_code != 200 else endpoint.check(answer)
    if problem:
        raise RuntimeError(f"GET {endpoint.path} is not what is to be measured: {problem}")
    return len(answer.content) / 1024


def demo_facts(database_url: str) -> Facts:
    """How many people and posts the demo company loaded, and the pages worth measuring in it."""
    engine = create_engine(database_url)
    readable = (
        "p.removed_at IS NULL AND (p.community_id IS NULL OR c.visibility = 'public' OR p.community_id IN "
        "(SELECT community_id FROM memberships WHERE user_id = :uid AND status = 'member'))"
    )
    try:
        with engine.connect() as connection:
            people = int(connection.scalar(text("SELECT count(*) FROM users")) or 0)
            posts = int(connection.scalar(text("SELECT count(*) FROM posts")) or 0)
            handle = connection.scalar(
                text("SELECT handle FROM users WHERE email = :email"), {"email": PROFILE_EMAIL}
            )
            uid = connection.scalar(text("SELECT id FROM users WHERE email = :email"), {"email": EMAIL})
            community = connection.execute(
                text(
                    "SELECT c.slug, count(*) AS n FROM posts p JOIN communities c "  # noqa: S608 - fixed text
                    f"ON c.id = p.community_id WHERE c.archived_at IS NULL AND {readable} "
                    "GROUP BY c.id, c.slug ORDER BY n DESC, c.slug LIMIT 1"
                ),
                {"uid": uid},
            ).first()
            post = connection.execute(
                text(
                    "SELECT p.id, p.comment_count FROM posts p LEFT JOIN communities c "  # noqa: S608
                    f"ON c.id = p.community_id WHERE {readable} "
                    "ORDER BY p.comment_count DESC, p.id LIMIT 1"
                ),
                {"uid": uid},
            ).first()
    finally:
        engine.dispose()
    if handle is None or uid is None:
        raise RuntimeError(f"the demo company has no {PROFILE_EMAIL} or no {EMAIL}")
    return Facts(
        people=people,
        posts=posts,
        profile_handle=str(handle),
        community_slug=str(community[0]) if community else None,
        community_posts=int(community[1]) if community else 0,
        post_id=int(post[0]) if post else None,
        post_comments=int(post[1] or 0) if post else 0,
    )


def load_endpoints(
    base: str,
    urls: list[Endpoint],
    headers: dict[Auth, dict[str, str]],
    costs: dict[str, InProcess],
    sizes: dict[str, float],
    args: argparse.Namespace,
    loadgen: LoadGenerator,
    meter: CpuMeter,
) -> list[Measured]:
    """Load each endpoint in turn (warm-up first), `--rounds` times; keep each endpoint's best round."""
    best: dict[str, Measured] = {}
    for round_no in range(1, args.rounds + 1):
        for endpoint in urls:
            url, sent = base + endpoint.path, {**headers[endpoint.auth], **dict(endpoint.headers)}
            cost = costs.get(endpoint.path)
            duration = load_duration(args.duration, cost.cpu_ms if cost else None)
            if args.warmup and round_no == 1:
                loadgen.run(url, sent, args.warmup)
            meter.wait_idle()  # what the previous run left in flight must not count against this one
            before = meter.sample()
            result = loadgen.run(url, sent, duration)
            others = meter.others_percent(before, meter.sample())
            measured = Measured(
                endpoint.label,
                endpoint.path,
                result,
                cost.log.count if cost else None,
                others,
                cost.cpu_ms if cost else None,
                key=endpoint.key,
                group=endpoint.group,
                kib=sizes.get(endpoint.path),
                seconds=duration,
            )
            print_measure(measured, round_no if args.rounds > 1 else None)
            kept = best.get(endpoint.path)
            if kept is None or result.requests_per_s > kept.load.requests_per_s:
                best[endpoint.path] = measured
    return [best[e.path] for e in urls]


def load_duration(duration: int, cpu_ms: float | None) -> int:
    """`--duration`, or longer for a slow page: long enough for SLOW_PAGE_REQUESTS requests at its
    in-process CPU time on all cores (at most MAX_DURATION_S). With 16 connections, a page of 300 ms
    answers its first requests only after seconds; a run shorter than that would measure nothing."""
    if not cpu_ms:
        return duration
    needed = math.ceil(SLOW_PAGE_REQUESTS * cpu_ms / 1000 / (os.cpu_count() or 1))
    return max(duration, min(MAX_DURATION_S, needed))


def print_measure(measured: Measured, round_no: int | None) -> None:
    """One line of progress for one measured endpoint."""
    result = measured.load
    prefix = f"  round {round_no}: " if round_no is not None else "  "
    shown = measured.path if len(measured.path) < 60 else measured.path[:57] + "…"
    print(
        f"{prefix}GET {shown} ({measured.seconds} s): {result.requests_per_s:,.0f} req/s, "
        f"p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms, "
        f"{result.requests:,} requests, {result.errors} errors, "
        f"other processes {measured.others_cpu or 0:.0f}% CPU",
        flush=True,
    )


@dataclass
class Backend:
    """One database engine to benchmark, and how to get a fresh empty database on it."""

    name: str
    version: str
    workdir: Path

    @property
    def postgres(self) -> bool:
        """True for PostgreSQL."""
        return self.name == "PostgreSQL"

    @contextmanager
    def fresh(self, name: str = PG_BENCH_DB) -> Iterator[str]:
        """A new empty database `name` (dropped or deleted at the end); yields its URL."""
        if self.postgres:
            with postgres_database(name) as url:
                yield url
            return
        stem = "bench" if name == PG_BENCH_DB else name
        path = self.workdir / f"{stem}.db"
        for leftover in self.workdir.glob(f"{stem}.db*"):
            leftover.unlink()
        try:
            yield f"sqlite:///{path}"
        finally:
            for leftover in self.workdir.glob(f"{stem}.db*"):
                leftover.unlink()

    def marker(self, name: str = PG_BENCH_DB) -> str | None:
        """What the command line of this database's server processes carries (PostgreSQL backends)."""
        return name if self.postgres else None


def measure_costs(
    settings: Settings, urls: list[Endpoint], args: argparse.Namespace, postgres: bool
) -> dict[str, InProcess]:
    """SQL statements and CPU per request of every URL, in-process; prints them."""
    targets = [
        Target(e.path, bearer=e.auth == "bearer", optional=e.optional, headers=e.headers) for e in urls
    ]
    costs = measure_in_process(
        settings, targets, email=EMAIL, password=PASSWORD, database_marker=PG_BENCH_DB if postgres else None
    )
    for endpoint in [e for e in urls if e.path not in costs]:
        print(f"  GET {endpoint.path} answers 404: left out", flush=True)
    for endpoint in [e for e in urls if e.path in costs]:
        cost = costs[endpoint.path]
        shown = endpoint.path if len(endpoint.path) < 60 else endpoint.path[:57] + "…"
        print(
            f"  GET {shown}: {cost.log.count} SQL statements, {cost.cpu_ms:.2f} ms CPU in-process "
            f"({cost.requests} requests)",
            flush=True,
        )
        if args.show_sql:
            for statement in cost.log.statements:
                print(f"      {statement}")
    return costs


def load_over_http(
    backend: Backend,
    env: dict[str, str],
    urls: list[Endpoint],
    costs: dict[str, InProcess],
    args: argparse.Namespace,
    loadgen: LoadGenerator,
    log_name: str,
) -> list[Measured]:
    """Serve the app, sign in, check every URL, then load each one with the load generator."""
    log_path = backend.workdir / f"server-{log_name}.log"
    with open(log_path, "wb") as server_log:
        try:
            with serve(env, server_log) as (base, pgid):
                meter = CpuMeter(pgid, PG_BENCH_DB if backend.postgres else None)
                cookie, bearer = sign_in(base)
                headers: dict[Auth, dict[str, str]] = {"cookie": cookie, "bearer": bearer}
                sizes = {e.path: verify(base, e, {**headers[e.auth], **dict(e.headers)}) for e in urls}
                return load_endpoints(base, urls, headers, costs, sizes, args, loadgen, meter)
        except BaseException:
            server_log.flush()
            tail = log_path.read_text(errors="replace")[-3000:]
            print(f"--- server log (end) ---\n{tail}\n---", file=sys.stderr)
            raise


@dataclass(frozen=True)
class Reference:
    """The scale reference: the same company with `--reference-posts` posts, in its own database."""

    posts: int
    demo_s: float
    env: dict[str, str]
    settings: Settings
    facts: Facts


@contextmanager
def scale_reference(backend: Backend, args: argparse.Namespace) -> Iterator[Reference]:
    """Load the reference company into its own database, kept while the full company is measured."""
    with backend.fresh(PG_REFERENCE_DB) as database_url:
        secret_key = secrets.token_urlsafe(36)
        env = server_env(database_url, secret_key)
        print(
            f"\n== {backend.name} {backend.version}: {args.size} company with {args.reference_posts:,} posts "
            "(the scale reference, measured beside the full company later)",
            flush=True,
        )
        run_cli(["db", "upgrade"], env)
        demo_s, _summary = run_cli(
            ["--size", args.size, "--posts", str(args.reference_posts)], env, module="bench.demo_variant"
        )
        facts = demo_facts(database_url)
        print(f"  loaded {facts.people:,} people, {facts.posts:,} posts in {demo_s:.1f} s", flush=True)
        settings = Settings(database_url=database_url, env="production", secret_key=secret_key)
        yield Reference(facts.posts, demo_s, env, settings, facts)


def compare_scale(
    backend: Backend,
    reference: Reference,
    full: Reference,
    args: argparse.Namespace,
    loadgen: LoadGenerator,
) -> ScalePoint:
    """The feed endpoints of the reference and of the full company, measured in turns (round after
    round, each endpoint on one then the other, the order reversed every other round): a ratio of two
    figures taken minutes apart would measure the machine's drift as much as the code."""
    sides = [reference, full]
    markers = [backend.marker(PG_REFERENCE_DB), backend.marker()]
    urls = [[e for e in endpoints(side.facts, None, 0) if e.key in SCALE_KEYS] for side in sides]
    rounds, duration = max(args.rounds, SCALE_ROUNDS), max(args.duration, SCALE_DURATION_S)
    print(
        f"\n== {backend.name}: {reference.posts:,} against {full.posts:,} posts, in turns ({rounds} rounds)",
        flush=True,
    )
    targets = [
        Target(e.path, bearer=e.auth == "bearer", optional=e.optional, headers=e.headers) for e in urls[0]
    ]
    costs = measure_paired(
        [side.settings for side in sides],
        targets,
        email=EMAIL,
        password=PASSWORD,
        rounds=rounds,
        database_markers=markers,
    )
    for round_no, per_side in enumerate(costs, 1):
        for target in targets:
            ref, big = per_side[0][target.path], per_side[1][target.path]
            print(
                f"  round {round_no}: GET {target.path} in-process: {ref.cpu_ms:.2f} ms CPU "
                f"({ref.log.count} SQL) against {big.cpu_ms:.2f} ms ({big.log.count} SQL)",
                flush=True,
            )
    pairs: list[ScalePair] = []
    best: list[dict[str, Measured]] = [{}, {}]
    with ExitStack() as stack:
        served: list[tuple[str, CpuMeter, dict[Auth, dict[str, str]]]] = []
        for company, name in zip(sides, ("reference", "full"), strict=True):
            log = stack.enter_context(open(backend.workdir / f"server-scale-{name}.log", "wb"))
            base, pgid = stack.enter_context(serve(company.env, log))
            cookie, bearer = sign_in(base)
            served.append((base, CpuMeter(pgid, markers[len(served)]), {"cookie": cookie, "bearer": bearer}))
        sizes = [
            {e.path: verify(base, e, {**headers[e.auth], **dict(e.headers)}) for e in side_urls}
            for (base, _meter, headers), side_urls in zip(served, urls, strict=True)
        ]
        for round_no in range(rounds):
            order = [0, 1] if round_no % 2 == 0 else [1, 0]
            for index, endpoint in enumerate(urls[0]):
                found: dict[int, Measured] = {}
                for side in order:
                    base, meter, headers = served[side]
                    chosen = urls[side][index]
                    url, sent = base + chosen.path, {**headers[chosen.auth], **dict(chosen.headers)}
                    if args.warmup and round_no == 0:
                        loadgen.run(url, sent, args.warmup)
                    for _base, other, _headers in served:
                        other.wait_idle()
                    before = meter.sample()
                    result = loadgen.run(url, sent, duration)
                    cost = costs[round_no][side][chosen.path]
                    found[side] = Measured(
                        chosen.label,
                        chosen.path,
                        result,
                        cost.log.count,
                        meter.others_percent(before, meter.sample()),
                        cost.cpu_ms,
                        key=chosen.key,
                        group=chosen.group,
                        kib=sizes[side].get(chosen.path),
                        seconds=duration,
                    )
                    print(f"  [{sides[side].posts:,} posts] ", end="")
                    print_measure(found[side], round_no + 1)
                    kept = best[side].get(chosen.key)
                    if kept is None or result.requests_per_s > kept.load.requests_per_s:
                        best[side][chosen.key] = found[side]
                at_ref, at_full = found[0], found[1]
                pairs.append(
                    ScalePair(
                        key=endpoint.key,
                        round=round_no + 1,
                        ref_p99_ms=at_ref.load.p99_ms,
                        full_p99_ms=at_full.load.p99_ms,
                        ref_cpu_ms=at_ref.cpu_ms or 0.0,
                        full_cpu_ms=at_full.cpu_ms or 0.0,
                        ref_requests_per_s=at_ref.load.requests_per_s,
                        full_requests_per_s=at_full.load.requests_per_s,
                    )
                )
    return ScalePoint(
        posts=reference.posts,
        demo_s=reference.demo_s,
        rows=[best[0][e.key] for e in urls[0]],
        full_rows=[best[1][e.key] for e in urls[1]],
        pairs=pairs,
    )


def bench_database(backend: Backend, args: argparse.Namespace, loadgen: LoadGenerator) -> DatabaseRun:
    """Migrate, load the demo, compare with a raw load, count SQL, serve, verify and load every
    endpoint, time the sweep: on one database."""
    with ExitStack() as stack:
        reference = stack.enter_context(scale_reference(backend, args)) if args.reference_posts else None
        return _bench_full(backend, args, loadgen, reference)


def _bench_full(
    backend: Backend, args: argparse.Namespace, loadgen: LoadGenerator, reference: Reference | None
) -> DatabaseRun:
    """`bench_database` once the scale reference (if any) is loaded."""
    with backend.fresh() as database_url:
        secret_key = secrets.token_urlsafe(36)  # 48 characters
        env = server_env(database_url, secret_key)
        print(f"\n== {backend.name} {backend.version}: {args.size} company", flush=True)
        upgrade_s, _out = run_cli(["db", "upgrade"], env)
        print(f"  proxima db upgrade: {upgrade_s:.1f} s", flush=True)
        demo_s, summary = run_cli(["demo", "load", "--size", args.size], env)
        loader = re.search(r" in ([\d.]+) s", summary)
        print(
            f"  proxima demo load --size {args.size}: {demo_s:.1f} s ({summary.splitlines()[-1]})", flush=True
        )
        raw = None
        if not args.no_raw_load:
            if backend.postgres:
                raw = raw_load_postgres(PG_BENCH_DB, backend.workdir, env)
            else:
                raw = raw_load_sqlite(backend.workdir / "bench.db", backend.workdir)
            print(
                f"  raw load of the same rows: {raw.load_s:.1f} s (dump {raw.dump_s:.1f} s, "
                f"{raw.rows:,} posts): loader ÷ raw = {demo_s / raw.load_s:.2f}",
                flush=True,
            )
        facts = demo_facts(database_url)
        settings = Settings(database_url=database_url, env="production", secret_key=secret_key)
        depth = follow_feed(settings, email=EMAIL, password=PASSWORD, pages=args.depth)
        print(
            f"  feed depth: {depth.posts:,} posts ({depth.pages_of_20} pages of 20) in {depth.seconds:.1f} s",
            flush=True,
        )
        urls = endpoints(facts, depth.cursor, depth.pages_of_20)
        costs = measure_costs(settings, urls, args, backend.postgres)
        urls = [e for e in urls if e.path in costs]
        loaded = [e for e in urls if e.load]
        rows = load_over_http(backend, env, loaded, costs, args, loadgen, backend.name.lower())
        scale = (
            compare_scale(
                backend, reference, Reference(facts.posts, demo_s, env, settings, facts), args, loadgen
            )
            if reference
            else None
        )
        timings = [] if args.no_sweep else sweeps(env)
        for timing in timings:
            print(
                f"  proxima engagement sweep ({timing.label}): {timing.people:,} people in "
                f"{timing.own_s:.2f} s = {timing.people_per_s:,.0f} people/s, {timing.changed:,} changed "
                f"(whole command {timing.wall_s:.1f} s)",
                flush=True,
            )
    return DatabaseRun(
        name=backend.name,
        version=backend.version,
        size=args.size,
        people=facts.people,
        posts=facts.posts,
        upgrade_s=upgrade_s,
        demo_s=demo_s,
        demo_loader_s=float(loader.group(1)) if loader else None,
        rows=rows,
        costs=[
            PageCost(
                e.key, e.label, e.path, costs[e.path].log.count, costs[e.path].cpu_ms, costs[e.path].requests
            )
            for e in urls
            if not e.key.startswith("bare")
        ],
        depth=Depth(depth.posts, depth.pages_of_20, args.depth, depth.seconds) if depth.cursor else None,
        raw_load=raw,
        sweeps=timings,
        reference=scale,
    )


def postgres_ready() -> bool:
    """True when `pg_isready -h 127.0.0.1` says the local PostgreSQL accepts connections."""
    pg_isready = shutil.which("pg_isready")
    if pg_isready is None:
        return False
    done = subprocess.run(  # noqa: S603
        [pg_isready, "-h", HOST], capture_output=True, timeout=10, check=False
    )
    return done.returncode == 0


def postgres_version() -> str:
    """The PostgreSQL server's version."""
    admin = create_engine(PG_ADMIN_URL)
    try:
        with admin.connect() as connection:
            return str(connection.scalar(text("SHOW server_version")))
    finally:
        admin.dispose()


def code_version() -> str:
    """The last commit that changed the application, and whether its files differ from it now."""
    git = shutil.which("git")
    if git is None:
        return "unknown (no git)"
    head = subprocess.run(  # noqa: S603 - the last commit that changed the application
        [
            git,
            "-C",
            str(ROOT),
            "log",
            "-1",
            "--format=%h %cd",
            "--date=format:%Y-%m-%d %H:%M",
            "--",
            *APP_PATHS,
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(  # noqa: S603
        [git, "-C", str(ROOT), "status", "--porcelain", "--", *APP_PATHS],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return (head or "unknown") + (" with uncommitted changes to the application" if dirty else "")


def command_line(argv: list[str] | None) -> str:
    """The command as typed (make bench runs it without arguments)."""
    args = sys.argv[1:] if argv is None else argv
    python = os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(str(ROOT)) else sys.executable
    shown = shlex.join([python, "-m", "bench.run", *args])
    return "make bench" if not args else shown


def _interrupted(signum: int, _frame: object) -> None:
    """Turn SIGTERM into an exception, so that the server is stopped and the database dropped."""
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    """Run the whole benchmark, print the tables, save the results and write the report."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupted)
    if args.only_live:
        return main_live(args, argv)
    started = time.perf_counter()
    when = datetime.now(UTC)
    machine = describe_machine()
    load_before = load_average()
    code = code_version()
    loadgen = LoadGenerator()
    print(f"Proxima benchmark: {machine.cpu_model}, {machine.cores} cores, {machine.ram_gib:.1f} GiB RAM")
    print(f"load generator: {loadgen.description}; {args.duration} s per endpoint", end="")
    print(f", best of {args.rounds} rounds" if args.rounds > 1 else "", flush=True)
    print(f"demo company: {args.size}; code: {code}; load average now: {load_before}", flush=True)
    runs: list[DatabaseRun] = []
    notes: list[str] = []
    version: str | None = None
    with tempfile.TemporaryDirectory(prefix="proxima-bench-") as tmp:
        workdir = Path(tmp)
        if args.no_sqlite:
            notes.append("SQLite was skipped (`--no-sqlite`).")
        else:
            runs.append(bench_database(Backend("SQLite", machine.sqlite, workdir), args, loadgen))
        if args.no_postgres:
            notes.append("PostgreSQL was skipped (`--no-postgres`).")
        elif not postgres_ready():
            notes.append("PostgreSQL was skipped: `pg_isready -h 127.0.0.1` did not succeed.")
        else:
            version = postgres_version()
            runs.append(bench_database(Backend("PostgreSQL", version, workdir), args, loadgen))
    total_s = time.perf_counter() - started
    if code_version() != code:
        notes.append(
            f"The code changed during the run (from {code} to {code_version()}): the figures mix both; "
            "run again."
        )
    if loadgen.wrk is None:
        notes.append("wrk was not available: the figures come from the slower Python load generator.")
    facts = [
        ("Code (commit)", code),
        *machine.rows(),
        ("Server software", software_versions()),
        ("PostgreSQL server", version or "not used"),
    ]
    result = RunResult(
        size=args.size,
        when=when.isoformat(timespec="minutes"),
        command=command_line(argv),
        machine=facts,
        load=loadgen.description,
        duration=args.duration,
        warmup=args.warmup,
        rounds=args.rounds,
        total_s=total_s,
        load_before=load_before,
        runs=runs,
        notes=notes,
    )
    print()
    print(summary(result))
    for note in notes:
        print(note)
    skipped = [name for name, flag in (("SQLite", args.no_sqlite), ("PostgreSQL", args.no_postgres)) if flag]
    carry_over(result, args.results_dir, skipped)
    saved = save(result, args.results_dir)
    if not args.no_live:
        with tempfile.TemporaryDirectory(prefix="proxima-bench-live-") as tmp:
            result_live = live.run_live(Path(tmp), command_line(argv), postgres=postgres_ready())
        live.save(result_live, args.results_dir)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(load_saved(args.results_dir), live.section(live.load(args.results_dir))))
    print(
        f"whole run: {total_s:.0f} s; saved to {os.path.relpath(saved)}, "
        f"written to {os.path.relpath(args.output)}"
    )
    return 0


def main_live(args: argparse.Namespace, argv: list[str] | None) -> int:
    """Only the live-updates benchmark; the report keeps every other saved figure."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="proxima-bench-live-") as tmp:
        result = live.run_live(Path(tmp), command_line(argv), postgres=postgres_ready())
    print()
    print(live.summary(result))
    saved = live.save(result, args.results_dir)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(load_saved(args.results_dir), live.section(result)))
    print(
        f"live run: {time.perf_counter() - started:.0f} s; saved to {os.path.relpath(saved)}, "
        f"written to {os.path.relpath(args.output)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

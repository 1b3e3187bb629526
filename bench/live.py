"""The live-updates benchmark: how many Server-Sent Events streams one server process holds, with
its memory, and how long one post takes to reach 1,000 listening streams.

- One server process (`uvicorn bench.live:create_live_app --factory`, production settings, a fresh
  SQLite database with two people): the listener signs in once and opens streams with its session
  cookie (`GET /events`, exactly what a page opens); the process's resident memory (RSS) is read from
  /proc before and after, at 1,000 streams and at each step up to the most streams reached.
- Fan-out: the poster shares a post through `POST /_bench/live/post` (a route of this module only,
  which calls `services.posts.create_post` and answers the wall-clock time at which it began to
  commit); every stream records when the `feed` event reaches it; the figure is the time from the
  start of the commit to the last of 1,000 streams receiving the event (and to the median one), the
  best and the median of several posts. The same clock serves both processes.
- With a bus, two server processes on one database: the streams on one, the post on the other, so
  the event goes through Redis pub/sub (127.0.0.1:6379) or PostgreSQL LISTEN/NOTIFY.

The client is asyncio sockets in this process, on the same 2 cores as the server: it reads 1,000
sockets too, so the fan-out figures include some of its own time (they are upper bounds).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from app.main import create_app
from app.models import User
from app.services import posts
from bench.inprocess import form_login
from bench.machine import describe_machine, load_average
from bench.scale import postgres_database

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
LISTENER = "listener@bench.example"
POSTER = "poster@bench.example"
PASSWORD = "bench-live-password-1"  # noqa: S105 - two throwaway accounts of a throwaway database
FANOUT_LISTENERS = 1_000
FANOUT_POSTS = 5
STEPS = (1_000, 2_000, 5_000, 10_000, 15_000)
OPEN_BATCH = 200  # streams opened at once
STEP_BUDGET_S = 120.0  # a step that takes longer ends the climb
RESULTS = "live.json"
POST_PATH = "/_bench/live/post"


# ---- the server side -----------------------------------------------------------------------------


def create_live_app() -> FastAPI:
    """The real application plus POST /_bench/live/post (the poster shares a post; answers when the
    commit began, as a wall-clock time)."""
    app = create_app()

    @app.post(POST_PATH, include_in_schema=False)
    def share() -> dict[str, float]:
        with app.state.db.session() as db:
            actor = db.scalars(select(User).where(User.email == POSTER)).one()
            posts.create_post(db, actor=actor, data=posts.PostData(kind="status", body="Live benchmark"))
            db.flush()
            commit_started = time.time()
        return {"commit_started": commit_started}  # the unit of work committed on leaving the block

    return app


# ---- results -------------------------------------------------------------------------------------


@dataclass
class Fanout:
    """One post reaching every listening stream."""

    listeners: int
    last_ms: float  # from the start of the commit to the last stream
    median_ms: float  # ... to the median stream


@dataclass
class LiveRun:
    """One broker's figures."""

    broker: str
    processes: int
    base_rss_mib: float
    steps: list[tuple[int, float]] = field(default_factory=list)  # (open streams, RSS MiB)
    fanouts: list[Fanout] = field(default_factory=list)
    max_streams: int = 0
    stopped_because: str = ""
    open_s: float = 0.0  # seconds to open the first 1,000 streams


@dataclass
class LiveResult:
    """A whole `--only-live` run (or the live part of `make bench`)."""

    when: str
    command: str
    machine: list[tuple[str, str]]
    runs: list[LiveRun]
    notes: list[str] = field(default_factory=list)


def save(result: LiveResult, directory: Path) -> Path:
    """Write the live figures to `directory/live.json`."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / RESULTS
    path.write_text(json.dumps(asdict(result), indent=1, ensure_ascii=False) + "\n")
    return path


def load(directory: Path) -> LiveResult | None:
    """The last saved live figures, if any."""
    path = directory / RESULTS
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
        return LiveResult(
            when=data["when"],
            command=data["command"],
            machine=[tuple(pair) for pair in data["machine"]],
            runs=[
                LiveRun(
                    **{
                        **run,
                        "steps": [tuple(step) for step in run["steps"]],
                        "fanouts": [Fanout(**f) for f in run["fanouts"]],
                    }
                )
                for run in data["runs"]
            ],
            notes=data.get("notes", []),
        )
    except (ValueError, KeyError, TypeError) as exc:
        print(f"{path}: not readable ({exc}); left out of the report")
        return None


# ---- the client side -----------------------------------------------------------------------------


class Streams:
    """Many `GET /events` streams on raw sockets, each noting when a `feed` event reaches it."""

    def __init__(self, host: str, port: int, cookie: str) -> None:
        self.host, self.port, self.cookie = host, port, cookie
        self.tasks: list[asyncio.Task[None]] = []
        self.writers: list[asyncio.StreamWriter] = []
        self.received: list[float] = []  # wall-clock times of feed events, all streams together
        self.failures = 0

    async def open_one(self) -> None:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        request = (
            f"GET /events HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept: text/event-stream\r\n"
            f"Cookie: {self.cookie}\r\n\r\n"
        )
        writer.write(request.encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        status = int(head.split(b" ", 2)[1])
        if status != 200:
            writer.close()
            raise RuntimeError(f"GET /events answered {status}")
        first = await asyncio.wait_for(reader.readuntil(b"\n\n"), 30)
        if b"retry:" not in first:
            raise RuntimeError("the stream did not start with a retry hint")
        self.writers.append(writer)
        self.tasks.append(asyncio.create_task(self._read(reader)))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        tail = b""
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while chunk := await reader.read(4096):
                seen = tail + chunk
                count = seen.count(b"event: feed")
                if count:
                    now = time.time()
                    self.received.extend([now] * count)
                    seen = seen[seen.rfind(b"event: feed") + len(b"event: feed") :]
                tail = seen[-16:]

    async def open_many(self, count: int, deadline: float) -> None:
        """Open `count` more streams, OPEN_BATCH at a time; raises when refused or out of time."""
        left = count
        while left > 0:
            if time.monotonic() > deadline:
                raise TimeoutError(f"opening streams took longer than {STEP_BUDGET_S:.0f} s")
            batch = min(OPEN_BATCH, left)
            done = await asyncio.gather(*(self.open_one() for _ in range(batch)), return_exceptions=True)
            errors = [d for d in done if isinstance(d, BaseException)]
            if errors:
                self.failures += len(errors)
                raise RuntimeError(f"{len(errors)} of {batch} streams failed: {errors[0]!r}")
            left -= batch

    async def close(self) -> None:
        for writer in self.writers:
            writer.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks.clear()
        self.writers.clear()


def rss_mib(pid: int) -> float:
    """The resident memory of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def fan_out(streams: Streams, poster: str, listeners: int) -> Fanout:
    """Share one post on `poster`; wait until every stream has its feed event."""
    streams.received.clear()
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.post(f"{poster}{POST_PATH}")
    answer.raise_for_status()
    started = float(answer.json()["commit_started"])
    deadline = time.monotonic() + 30
    while len(streams.received) < listeners:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(streams.received)} of {listeners} streams heard the post")
        await asyncio.sleep(0.005)
    times = sorted(streams.received[:listeners])
    return Fanout(
        listeners=listeners,
        last_ms=(times[-1] - started) * 1000,
        median_ms=(statistics.median(times) - started) * 1000,
    )


# ---- one broker ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _raise_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _cli(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(  # noqa: S603
        [str(BIN / "proxima"), *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"proxima {' '.join(args[:2])} failed: {done.stderr[-2000:]}{done.stdout[-1000:]}")


@contextmanager
def _server(env: dict[str, str], log: Path) -> Iterator[tuple[str, int, int]]:
    """One server process; yields its URL, port and pid."""
    port = _free_port()
    command = [str(BIN / "uvicorn"), "bench.live:create_live_app", "--factory", "--host", HOST]
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [*command, "--port", str(port), "--no-access-log", "--backlog", "4096"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited: {log.read_text(errors='replace')[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 60 s")
            time.sleep(0.2)
        yield base, port, process.pid
    finally:
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            if process.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(wait)


async def measure(broker: str, env: dict[str, str], workdir: Path, climb: bool) -> LiveRun:
    """Serve, open the streams, measure memory and fan-out; with `climb`, open more until it fails."""
    with contextlib.ExitStack() as stack:
        slug = broker.split()[0].lower()
        listen_base, listen_port, pid = stack.enter_context(_server(env, workdir / f"{slug}-a.log"))
        post_base = listen_base
        if broker != "in-process":
            post_base = stack.enter_context(_server(env, workdir / f"{slug}-b.log"))[0]
        with httpx.Client(base_url=listen_base, timeout=30) as client:
            form_login(client, LISTENER, PASSWORD)
            cookie = f"proxima_session={client.cookies['proxima_session']}"
            client.get("/")  # warm the page path once
        run = LiveRun(broker=broker, processes=1 if broker == "in-process" else 2, base_rss_mib=rss_mib(pid))
        streams = Streams(HOST, listen_port, cookie)
        try:
            started = time.monotonic()
            await streams.open_many(FANOUT_LISTENERS, started + STEP_BUDGET_S)
            run.open_s = time.monotonic() - started
            await asyncio.sleep(1)
            run.steps.append((FANOUT_LISTENERS, rss_mib(pid)))
            run.max_streams = FANOUT_LISTENERS
            print(
                f"  {broker}: {FANOUT_LISTENERS:,} streams open in {run.open_s:.1f} s, "
                f"RSS {run.steps[-1][1]:.0f} MiB (from {run.base_rss_mib:.0f} MiB)",
                flush=True,
            )
            await fan_out(streams, post_base, FANOUT_LISTENERS)  # warm-up
            for _ in range(FANOUT_POSTS):
                fanout = await fan_out(streams, post_base, FANOUT_LISTENERS)
                run.fanouts.append(fanout)
                await asyncio.sleep(0.3)
            best = min(f.last_ms for f in run.fanouts)
            middle = statistics.median(f.last_ms for f in run.fanouts)
            print(
                f"  {broker}: one post to {FANOUT_LISTENERS:,} streams: last one after {best:.1f} ms "
                f"(median of {FANOUT_POSTS} posts {middle:.1f} ms)",
                flush=True,
            )
            if climb:
                for target in STEPS[1:]:
                    try:
                        await streams.open_many(target - run.max_streams, time.monotonic() + STEP_BUDGET_S)
                    except (RuntimeError, TimeoutError, OSError) as exc:
                        run.stopped_because = str(exc)[:200]
                        print(f"  {broker}: stopped climbing at {len(streams.writers):,} streams: {exc}")
                        break
                    await asyncio.sleep(1)
                    run.max_streams = target
                    run.steps.append((target, rss_mib(pid)))
                    print(f"  {broker}: {target:,} streams open, RSS {run.steps[-1][1]:.0f} MiB", flush=True)
                else:
                    run.stopped_because = f"the benchmark stops at {STEPS[-1]:,}"
                if run.max_streams > FANOUT_LISTENERS:
                    fanout = await fan_out(streams, post_base, run.max_streams)
                    run.fanouts.append(fanout)
                    print(
                        f"  {broker}: one post to {run.max_streams:,} streams: last one after "
                        f"{fanout.last_ms:.1f} ms",
                        flush=True,
                    )
        finally:
            await streams.close()
        return run


def _redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis(host=HOST, port=6379, socket_connect_timeout=1).ping())
    except Exception:
        return False


def _environment(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROXIMA_")}
    env.update(
        PROXIMA_DATABASE_URL=database_url,
        PROXIMA_ENV="production",
        PROXIMA_SECRET_KEY=secrets.token_urlsafe(36),
        PROXIMA_LOG_LEVEL="WARNING",
        PROXIMA_LIVE_MAX_CONNECTIONS=str(STEPS[-1] + 1_000),
        PROXIMA_LIVE_CHANNEL=f"proxima_bench_{secrets.token_hex(4)}",
        PROXIMA_DB_POOL_SIZE="10",
        **extra,
    )
    return env


def _prepare(env: dict[str, str]) -> None:
    _cli(env, "db", "upgrade")
    for email, name in ((LISTENER, "Lena Listener"), (POSTER, "Paul Poster")):
        _cli(env, "users", "create", "--email", email, "--name", name, "--password", PASSWORD)


def run_live(workdir: Path, command: str, *, postgres: bool) -> LiveResult:
    """The whole live benchmark: in-process (climbing to the most streams), then Redis and PostgreSQL."""
    _raise_open_files()
    machine = describe_machine()
    load_before = load_average()
    runs: list[LiveRun] = []
    notes: list[str] = []
    print("\n== live updates (Server-Sent Events)", flush=True)
    sqlite_url = f"sqlite:///{workdir / 'live.db'}"
    env = _environment(sqlite_url, PROXIMA_LIVE_BROKER="memory")
    _prepare(env)
    runs.append(asyncio.run(measure("in-process", env, workdir, climb=True)))
    if _redis_answers():
        env = _environment(sqlite_url, PROXIMA_REDIS_URL=f"redis://{HOST}:6379/0")
        runs.append(asyncio.run(measure("Redis pub/sub", env, workdir, climb=False)))
    else:
        notes.append("Redis was skipped: nothing answered on 127.0.0.1:6379.")
    if postgres:
        with postgres_database("proxima_bench_live") as url:
            env = _environment(url, PROXIMA_LIVE_BROKER="postgres")
            _prepare(env)
            runs.append(asyncio.run(measure("PostgreSQL LISTEN/NOTIFY", env, workdir, climb=False)))
    else:
        notes.append("PostgreSQL LISTEN/NOTIFY was skipped: PostgreSQL did not answer on 127.0.0.1.")
    facts = [
        *machine.rows(),
        ("Open files allowed", f"{resource.getrlimit(resource.RLIMIT_NOFILE)[0]:,} per process"),
        ("Load average at the start", load_before),
    ]
    return LiveResult(
        when=datetime.now(UTC).isoformat(timespec="minutes"),
        command=command,
        machine=facts,
        runs=runs,
        notes=notes,
    )


# ---- the report ----------------------------------------------------------------------------------


def section(result: LiveResult | None) -> str:
    """The "Live updates" section of docs/benchmarks.md."""
    if result is None:
        return ""
    parts = [
        "## Live updates (Server-Sent Events)\n",
        textwrap.fill(
            "How many event streams (`GET /events`, what every signed-in page opens) one server process "
            "holds and with how much memory (RSS of the process holding the streams), and how long one "
            "post takes to reach 1,000 streams (from the start of its commit to the last stream receiving "
            "the `feed` event). One process (`uvicorn bench.live:create_live_app`, a single worker); the "
            "streams are sockets of the benchmark's client on the same machine, which reads them too: the "
            "fan-out times are upper bounds, and they vary with the load of the machine (below). With a "
            "bus, the streams are on one process and the post is made on another. Explanations in "
            "`bench/live.py`.",
            width=100,
        )
        + "\n",
        f"- Date: {result.when[:16].replace('T', ' ')} UTC",
        f"- Command: `{result.command}`",
        "",
        "| machine | |",
        "| --- | --- |",
        *[f"| {k} | {v} |" for k, v in result.machine],
        "",
        "| broker | processes | streams | RSS (idle) | per stream | one post to 1,000: last stream "
        "(best, median of posts) | median stream |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for run in result.runs:
        at_1000 = dict(run.steps).get(FANOUT_LISTENERS, 0.0)
        per = (at_1000 - run.base_rss_mib) * 1024 / FANOUT_LISTENERS if at_1000 else 0.0
        thousand = [f for f in run.fanouts if f.listeners == FANOUT_LISTENERS]
        lasts = [f.last_ms for f in thousand] or [0.0]
        middles = [f.median_ms for f in thousand] or [0.0]
        parts.append(
            f"| {run.broker} | {run.processes} | 1,000 | {at_1000:.0f} MiB ({run.base_rss_mib:.0f}) "
            f"| {per:.1f} KiB | {min(lasts):.1f} ms, {statistics.median(lasts):.1f} ms "
            f"({len(thousand)} posts) "
            f"| {statistics.median(middles):.1f} ms |"
        )
    climbed = [run for run in result.runs if len(run.steps) > 1]
    for run in climbed:
        parts += [
            "",
            f"Streams held by one process ({run.broker} broker), climbing by steps:",
            "",
            "| open streams | RSS | RSS per stream (above idle) |",
            "| --- | --- | --- |",
        ]
        for count, rss in run.steps:
            parts.append(f"| {count:,} | {rss:.0f} MiB | {(rss - run.base_rss_mib) * 1024 / count:.1f} KiB |")
        beyond = [f for f in run.fanouts if f.listeners > FANOUT_LISTENERS]
        parts.append("")
        parts.append(
            f"Most streams reached: **{run.max_streams:,}** ({run.stopped_because or 'no error'})."
            + (
                f" One post to all {beyond[-1].listeners:,}: last stream after {beyond[-1].last_ms:.0f} ms, "
                f"median {beyond[-1].median_ms:.0f} ms."
                if beyond
                else ""
            )
        )
    if result.notes:
        parts += ["", *[f"- {note}" for note in result.notes]]
    return "\n".join(parts) + "\n"


def summary(result: LiveResult) -> str:
    """What the run prints at the end."""
    return section(result)

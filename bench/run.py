"""`python -m bench.run`: load the demo company, serve it, load it with wrk, write docs/benchmarks.md."""

from __future__ import annotations

import argparse
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
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Literal

import httpx
from sqlalchemy import create_engine, text

from app.settings import Settings
from bench.app import BARE_PATH, BARE_PEOPLE
from bench.inprocess import InProcess, Target, form_login, measure_in_process
from bench.load import LoadGenerator
from bench.machine import CpuMeter, describe_machine, load_average
from bench.report import DatabaseRun, Measured, render, table

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EMAIL = "camille.martin@proxima.example"
PASSWORD = "proxima-demo"  # noqa: S105 - the documented password of the demo accounts
PROFILE_EMAIL = "julien.moreau@proxima.example"  # an engineering manager: reports, follows, tags
PROFILE_NAME = "Julien Moreau"
BARE_LABEL = "bare page (template only, no database)"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "proxima_bench"
PG_BENCH_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_BENCH_DB}"
HOST = "127.0.0.1"
Auth = Literal["cookie", "bearer"]


@dataclass(frozen=True)
class Endpoint:
    """A URL under load, how it is authenticated, and how to tell a right answer from a wrong one."""

    label: str
    path: str
    auth: Auth
    check: Callable[[httpx.Response], str | None]  # a problem, or None when the answer is right
    optional: bool = False  # left out when the application answers 404


def _cards(response: httpx.Response) -> int:
    """How many person cards a page shows."""
    return response.text.count('class="person-card"')


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


def check_aside(response: httpx.Response) -> str | None:
    """The panel beside a profile (team, follows): not the sign-in page."""
    return _not_login(response)


def check_experts(response: httpx.Response) -> str | None:
    """The expert finder with at least one expert."""
    return _not_login(response) or (None if _cards(response) else "no expert found")


def endpoints(profile_handle: str) -> list[Endpoint]:
    """The URLs under load; the bare page comes first (it is the denominator of the ratios)."""
    return [
        Endpoint(BARE_LABEL, BARE_PATH, "cookie", check_directory),
        Endpoint("`GET /people` (directory page)", "/people", "cookie", check_directory),
        Endpoint("`GET /api/v1/users?limit=30`", "/api/v1/users?limit=30", "bearer", check_api),
        Endpoint(
            f"`GET /people/{profile_handle}` (profile)", f"/people/{profile_handle}", "cookie", check_profile
        ),
        Endpoint(
            f"`GET /people/{profile_handle}/aside` (profile's side panel, loaded by htmx)",
            f"/people/{profile_handle}/aside",
            "cookie",
            check_aside,
            optional=True,
        ),
        Endpoint("`GET /people/experts?q=python`", "/people/experts?q=python", "cookie", check_experts),
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--size", choices=["small", "medium"], default="medium", help="demo company size")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up load per endpoint")
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure every endpoint N times, keep each one's best round"
    )
    parser.add_argument("--no-postgres", action="store_true", help="benchmark SQLite only")
    parser.add_argument("--show-sql", action="store_true", help="print the statements counted per request")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md", help="report path")
    return parser.parse_args(argv)


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


def run_cli(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Run `proxima <args>`; return the wall-clock seconds and what it printed. Fails loudly."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        [str(BIN / "proxima"), *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(
            f"proxima {' '.join(args)} failed ({done.returncode}):\n{done.stderr}{done.stdout}"
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


def verify(base: str, endpoint: Endpoint, headers: dict[str, str]) -> None:
    """One request first: a benchmark of a redirect or of the sign-in page is worthless."""
    answer = httpx.get(base + endpoint.path, headers=headers, timeout=30, follow_redirects=False)
    problem = f"status {answer.status_code}" if answer.status_code != 200 else endpoint.check(answer)
    if problem:
        raise RuntimeError(f"GET {endpoint.path} is not what is to be measured: {problem}")


def demo_facts(database_url: str) -> tuple[int, str]:
    """How many people the demo company loaded, and the handle of the profile under load."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            people = int(connection.scalar(text("SELECT count(*) FROM users")) or 0)
            handle = connection.scalar(
                text("SELECT handle FROM users WHERE email = :email"), {"email": PROFILE_EMAIL}
            )
    finally:
        engine.dispose()
    if handle is None:
        raise RuntimeError(f"the demo company has no {PROFILE_EMAIL}")
    return people, str(handle)


def load_endpoints(
    base: str,
    urls: list[Endpoint],
    headers: dict[Auth, dict[str, str]],
    measured_in_process: dict[str, InProcess],
    args: argparse.Namespace,
    loadgen: LoadGenerator,
    meter: CpuMeter,
) -> list[Measured]:
    """Load each endpoint in turn (warm-up first), `--rounds` times; keep each endpoint's best round."""
    best: dict[str, Measured] = {}
    for round_no in range(1, args.rounds + 1):
        for endpoint in urls:
            url, sent = base + endpoint.path, headers[endpoint.auth]
            if args.warmup and round_no == 1:
                loadgen.run(url, sent, args.warmup)
            before = meter.sample()
            result = loadgen.run(url, sent, args.duration)
            others = meter.others_percent(before, meter.sample())
            cost = measured_in_process[endpoint.path]
            measured = Measured(endpoint.label, endpoint.path, result, cost.log.count, others, cost.cpu_ms)
            print_measure(measured, round_no if args.rounds > 1 else None)
            kept = best.get(endpoint.path)
            if kept is None or result.requests_per_s > kept.load.requests_per_s:
                best[endpoint.path] = measured
    return [best[e.path] for e in urls]


def print_measure(measured: Measured, round_no: int | None) -> None:
    """One line of progress for one measured endpoint."""
    result = measured.load
    prefix = f"  round {round_no}: " if round_no is not None else "  "
    print(
        f"{prefix}GET {measured.path}: {result.requests_per_s:,.0f} req/s, "
        f"p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms, "
        f"{result.requests:,} requests, {result.errors} errors, "
        f"other processes {measured.others_cpu or 0:.0f}% CPU",
        flush=True,
    )


def analyze(database_url: str) -> None:
    """Refresh PostgreSQL's planner statistics, as autovacuum would soon after a bulk load."""
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()


def bench_database(
    name: str, version: str, database_url: str, args: argparse.Namespace, loadgen: LoadGenerator, logdir: Path
) -> DatabaseRun:
    """Migrate, load the demo, count SQL, serve, verify and load every endpoint on one database."""
    postgres = database_url.startswith("postgresql")
    secret_key = secrets.token_urlsafe(36)  # 48 characters
    env = server_env(database_url, secret_key)
    print(f"\n== {name} {version}", flush=True)
    upgrade_s, _out = run_cli(["db", "upgrade"], env)
    print(f"  proxima db upgrade: {upgrade_s:.1f} s", flush=True)
    demo_s, summary = run_cli(["demo", "load", "--size", args.size], env)
    if postgres:
        analyze(database_url)
    loader = re.search(r" in ([\d.]+) s", summary)
    print(f"  proxima demo load --size {args.size}: {demo_s:.1f} s ({summary.splitlines()[-1]})", flush=True)
    people, profile_handle = demo_facts(database_url)
    urls = endpoints(profile_handle)
    run = DatabaseRun(
        name=name,
        version=version,
        size=args.size,
        people=people,
        upgrade_s=upgrade_s,
        demo_s=demo_s,
        demo_loader_s=float(loader.group(1)) if loader else None,
        bare_label=BARE_LABEL,
    )

    settings = Settings(database_url=database_url, env="production", secret_key=secret_key)
    targets = [Target(e.path, bearer=e.auth == "bearer", optional=e.optional) for e in urls]
    costs = measure_in_process(
        settings,
        targets,
        email=EMAIL,
        password=PASSWORD,
        database_marker=PG_BENCH_DB if postgres else None,
    )
    for endpoint in [e for e in urls if e.path not in costs]:
        print(f"  GET {endpoint.path} answers 404: left out", flush=True)
    urls = [e for e in urls if e.path in costs]
    for path, cost in costs.items():
        print(
            f"  GET {path}: {cost.log.count} SQL statements, {cost.cpu_ms:.2f} ms CPU in-process", flush=True
        )
        if args.show_sql:
            for statement in cost.log.statements:
                print(f"      {statement}")

    with open(logdir / f"server-{name.lower()}.log", "wb") as server_log:
        try:
            with serve(env, server_log) as (base, pgid):
                meter = CpuMeter(pgid, PG_BENCH_DB if postgres else None)
                cookie, bearer = sign_in(base)
                for endpoint in urls:
                    headers = bearer if endpoint.auth == "bearer" else cookie
                    verify(base, endpoint, headers)
                run.rows = load_endpoints(
                    base, urls, {"cookie": cookie, "bearer": bearer}, costs, args, loadgen, meter
                )
        except BaseException:
            server_log.flush()
            tail = (logdir / f"server-{name.lower()}.log").read_text(errors="replace")[-3000:]
            print(f"--- server log (end) ---\n{tail}\n---", file=sys.stderr)
            raise
    return run


def postgres_ready() -> bool:
    """True when `pg_isready -h 127.0.0.1` says the local PostgreSQL accepts connections."""
    pg_isready = shutil.which("pg_isready")
    if pg_isready is None:
        return False
    done = subprocess.run(  # noqa: S603
        [pg_isready, "-h", HOST], capture_output=True, timeout=10, check=False
    )
    return done.returncode == 0


@contextmanager
def fresh_postgres() -> Iterator[str]:
    """Create the empty database proxima_bench (dropping a leftover one); drop it at the end."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS proxima_bench"))
            connection.execute(text("CREATE DATABASE proxima_bench"))
            version = str(connection.scalar(text("SHOW server_version")))
        try:
            yield version
        finally:
            with admin.connect() as connection:
                connection.execute(text("DROP DATABASE IF EXISTS proxima_bench WITH (FORCE)"))
    finally:
        admin.dispose()


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
    """Run the whole benchmark, print the tables and write the report."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupted)
    started = time.perf_counter()
    when = datetime.now(UTC)
    machine = describe_machine()
    load_before = load_average()
    loadgen = LoadGenerator()
    print(f"Proxima benchmark: {machine.cpu_model}, {machine.cores} cores, {machine.ram_gib:.1f} GiB RAM")
    print(f"load generator: {loadgen.description}; {args.duration} s per endpoint", end="")
    print(f", best of {args.rounds} rounds" if args.rounds > 1 else "", flush=True)
    print(f"load average now: {load_before}", flush=True)
    runs: list[DatabaseRun] = []
    notes: list[str] = []
    postgres_version: str | None = None
    with tempfile.TemporaryDirectory(prefix="proxima-bench-") as tmp:
        workdir = Path(tmp)
        runs.append(
            bench_database(
                "SQLite", machine.sqlite, f"sqlite:///{workdir / 'bench.db'}", args, loadgen, workdir
            )
        )
        if args.no_postgres:
            notes.append("PostgreSQL was skipped (`--no-postgres`).")
        elif not postgres_ready():
            notes.append("PostgreSQL was skipped: `pg_isready -h 127.0.0.1` did not succeed.")
        else:
            with fresh_postgres() as postgres_version:
                runs.append(
                    bench_database("PostgreSQL", postgres_version, PG_BENCH_URL, args, loadgen, workdir)
                )
    total_s = time.perf_counter() - started
    if loadgen.wrk is None:
        notes.append("wrk was not available: the figures come from the slower Python load generator.")
    report = render(
        machine=machine,
        postgres_version=postgres_version,
        when=when,
        command=command_line(argv),
        load=loadgen.description,
        duration=args.duration,
        warmup=args.warmup,
        rounds=args.rounds,
        size=args.size,
        runs=runs,
        total_s=total_s,
        load_before=load_before,
        notes=notes,
    )
    print()
    for run in runs:
        print(f"{run.name} {run.version}: demo load ({run.people:,} people) {run.demo_s:.1f} s\n")
        print(table(run) + "\n")
    for note in notes:
        print(note)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    print(f"whole run: {total_s:.0f} s; written to {os.path.relpath(args.output)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Load generators: wrk when available (installed with apt-get when root), else a Python fallback."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

THREADS = 2
CONNECTIONS = 16
TIMEOUT_S = 60  # wrk's default (2 s) would count a slow page's queued requests as errors, not latency
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_LATENCY_LINE = re.compile(r"^\s*(\d+(?:\.\d+)?)%\s+([\d.]+)(us|ms|s|m|h)\s*$")


@dataclass(frozen=True)
class LoadResult:
    """What one load run measured."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx answers plus socket errors and timeouts
    tool: str


def find_wrk(*, install: bool = True) -> str | None:
    """The path of wrk; when missing and running as root, try `apt-get install -y wrk` first."""
    found = shutil.which("wrk")
    if found or not install:
        return found
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        return None
    print("wrk not found: installing it with apt-get (Debian package wrk)…", flush=True)
    if _apt(apt, "install", "-y", "-q", "wrk") != 0:
        _apt(apt, "update", "-q")  # the package lists may be missing on a fresh machine
        _apt(apt, "install", "-y", "-q", "wrk")
    return shutil.which("wrk")


def _apt(apt: str, *args: str) -> int:
    """Run apt-get quietly and non-interactively; return its exit code."""
    done = subprocess.run(  # noqa: S603
        [apt, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        timeout=300,
        check=False,
    )
    return done.returncode


def _to_ms(value: str, unit: str) -> float:
    """A wrk duration (number and unit) in milliseconds."""
    return float(value) * _UNITS_MS[unit]


def parse_wrk(output: str) -> LoadResult:
    """Requests/s, p50, p99, request and error counts from the output of `wrk --latency`."""
    percentiles: dict[str, float] = {}
    for line in output.splitlines():
        match = _LATENCY_LINE.match(line)
        if match:
            percentiles[match.group(1)] = _to_ms(match.group(2), match.group(3))
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    if rate is None or total is None or "50" not in percentiles or "99" not in percentiles:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if sockets:
        errors += sum(int(g) for g in sockets.groups())
    return LoadResult(
        requests_per_s=float(rate.group(1)),
        p50_ms=percentiles["50"],
        p99_ms=percentiles["99"],
        requests=int(total.group(1)),
        errors=errors,
        tool="wrk",
    )


def run_wrk(wrk: str, url: str, headers: dict[str, str], duration: int) -> LoadResult:
    """Run `wrk -t2 -c16 -d<duration>s --timeout 60s --latency` with these headers and read its figures."""
    command = [
        wrk,
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{duration}s",
        f"--timeout={TIMEOUT_S}s",
        "--latency",
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    limit = duration + TIMEOUT_S + 60
    done = subprocess.run(command, capture_output=True, text=True, timeout=limit, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


def _percentile(sorted_values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def run_python(
    url: str, headers: dict[str, str], duration: int, connections: int = CONNECTIONS
) -> LoadResult:
    """The fallback load generator: threads with keep-alive http.client connections, for `duration` s."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    deadline = time.perf_counter() + duration
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]

    def worker() -> None:
        """Send requests on one keep-alive connection until the deadline."""
        mine: list[float] = []
        failed = 0
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=TIMEOUT_S)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", target, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection(
                    parts.hostname or "127.0.0.1", parts.port or 80, timeout=TIMEOUT_S
                )
                continue
            mine.append((time.perf_counter() - started) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + TIMEOUT_S + 30)
    elapsed = time.perf_counter() - began
    latencies.sort()
    return LoadResult(
        requests_per_s=len(latencies) / elapsed if elapsed else 0.0,
        p50_ms=_percentile(latencies, 0.50),
        p99_ms=_percentile(latencies, 0.99),
        requests=len(latencies),
        errors=errors[0],
        tool="python",
    )


class LoadGenerator:
    """wrk when it can be had, else the Python fallback; the same call for both."""

    def __init__(self, *, allow_install: bool = True) -> None:
        self.wrk = find_wrk(install=allow_install)

    @property
    def description(self) -> str:
        """How the load is generated, for the report."""
        if self.wrk:
            return f"wrk -t{THREADS} -c{CONNECTIONS} --timeout {TIMEOUT_S}s --latency (keep-alive)"
        return f"Python fallback: {CONNECTIONS} threads with keep-alive http.client connections (wrk missing)"

    def run(self, url: str, headers: dict[str, str], duration: int) -> LoadResult:
        """Load `url` for `duration` seconds and return the figures."""
        if self.wrk:
            return run_wrk(self.wrk, url, headers, duration)
        return run_python(url, headers, duration)

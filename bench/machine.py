"""What the benchmark ran on: CPU, memory, OS, Python, SQLite and PostgreSQL versions."""

from __future__ import annotations

import os
import platform
import resource
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Machine:
    """The facts about the machine that the figures depend on."""

    cpu_model: str
    cores: int
    ram_gib: float
    os_name: str
    kernel: str
    python: str
    sqlite: str

    def rows(self) -> list[tuple[str, str]]:
        """The facts as (label, value) pairs, in the order the report shows them."""
        return [
            ("CPU", f"{self.cpu_model}, {self.cores} cores"),
            ("RAM", f"{self.ram_gib:.1f} GiB"),
            ("OS", f"{self.os_name} (Linux {self.kernel})"),
            ("Python", self.python),
            ("SQLite", self.sqlite),
        ]


def _cpuinfo() -> tuple[str, int]:
    """The CPU model name and the number of logical processors listed in /proc/cpuinfo."""
    model, count = "unknown", 0
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown", os.cpu_count() or 0
    for line in text.splitlines():
        key, _sep, value = line.partition(":")
        key = key.strip()
        if key == "processor":
            count += 1
        elif key == "model name" and model == "unknown":
            model = value.strip()
    return model, count or (os.cpu_count() or 0)


def _ram_gib() -> float:
    """Total memory from /proc/meminfo, in GiB."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / (1024 * 1024)
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


def _os_name() -> str:
    """The distribution's pretty name from /etc/os-release."""
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.system()


def describe_machine() -> Machine:
    """Read the machine's description from /proc, /etc/os-release and the interpreter."""
    model, cores = _cpuinfo()
    return Machine(
        cpu_model=model,
        cores=cores,
        ram_gib=_ram_gib(),
        os_name=_os_name(),
        kernel=platform.release(),
        python=sys.version.split()[0],
        sqlite=sqlite3.sqlite_version,
    )


def load_average() -> str:
    """The 1, 5 and 15 minute load averages from /proc/loadavg."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class CpuSample:
    """CPU time so far, in clock ticks summed over all cores: the machine's and the measured processes'."""

    busy: int
    total: int
    ours: float


def _machine_ticks() -> tuple[int, int]:
    """Busy and total ticks of all CPUs, from the first line of /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # user nice system idle iowait irq softirq steal (guest is inside user)
    return total - idle, total


def process_ticks(pgid: int | None, marker: str | None) -> int:
    """User + system ticks of the processes in process group `pgid` or whose command line has `marker`."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            mine = pgid is not None and int(fields[2]) == pgid
            if not mine and marker is not None:
                mine = marker in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                    errors="replace"
                )
            if mine:
                ticks += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            continue  # the process ended meanwhile
    return ticks


class CpuMeter:
    """How much CPU other processes took while an endpoint was loaded (the machine may be shared)."""

    def __init__(self, server_pgid: int | None, database_marker: str | None = None) -> None:
        self.server_pgid = server_pgid
        self.database_marker = database_marker

    def sample(self) -> CpuSample:
        """The machine's ticks and those of the server, the database backends, this process and wrk."""
        busy, total = _machine_ticks()
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, once it has been waited for
        seconds = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
        ours = process_ticks(self.server_pgid, self.database_marker) + seconds * TICKS_PER_SECOND
        return CpuSample(busy=busy, total=total, ours=ours)

    def wait_idle(self, *, window: float = 0.5, busy_share: float = 0.1, timeout: float = 300) -> float:
        """Wait until the server (and the database's backends) stop working; return the seconds waited.

        A load generator that stops leaves requests in flight that the server still answers (a sync
        view does not notice that its client went away); with a slow page that backlog is seconds of
        CPU, which would land on the next endpoint's figures. Idle: less than `busy_share` of one core
        used over `window` seconds."""
        started = time.monotonic()
        threshold = busy_share * window * TICKS_PER_SECOND
        before = process_ticks(self.server_pgid, self.database_marker)
        while time.monotonic() - started < timeout:
            time.sleep(window)
            now = process_ticks(self.server_pgid, self.database_marker)
            if now - before <= threshold:
                break
            before = now
        return time.monotonic() - started

    @staticmethod
    def others_percent(before: CpuSample, after: CpuSample) -> float:
        """The share of the machine's CPU (all cores) used by other processes between two samples."""
        total = after.total - before.total
        if total <= 0:
            return 0.0
        others = (after.busy - before.busy) - (after.ours - before.ours)
        return max(0.0, 100.0 * others / total)

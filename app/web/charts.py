"""Geometry for the inline SVG charts the adoption pages draw server-side (no script, no CDN):
stage bars and weekly lines, with hidden counts left out rather than guessed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from app.models import Stage

STAGE_ORDER = [s.value for s in Stage]
WIDTH = 600
HEIGHT = 200
PAD_LEFT = 40
PAD_BOTTOM = 24
PAD_TOP = 10
PAD_RIGHT = 24


@dataclass
class Bar:
    """One stage's bar: its count (None when hidden) and its geometry in a 0-100 wide box."""

    stage: str
    count: int | None
    y: float
    width: float


def bars(cells: Mapping[str, int | None], stages: Sequence[str] = STAGE_ORDER) -> list[Bar]:
    """Horizontal bars, one per stage, scaled to the largest shown count."""
    top = max([*[v for v in cells.values() if v is not None], 1])
    return [
        Bar(stage, cells.get(stage), i * 12.0, round(100.0 * (cells.get(stage) or 0) / top, 2))
        for i, stage in enumerate(stages)
    ]


@dataclass
class Point:
    """A shown count at one week."""

    x: float
    y: float
    count: int
    week: date


@dataclass
class Series:
    """One stage's line: runs of consecutive shown weeks (a hidden week breaks the line)."""

    stage: str
    runs: list[str] = field(default_factory=list)  # each a `points` attribute for <polyline>
    points: list[Point] = field(default_factory=list)


@dataclass
class LineChart:
    """Weekly counts per stage as lines, with the scale's ticks and the weeks' labels."""

    width: int
    height: int
    series: list[Series]
    ticks: list[tuple[float, int]]  # (y, value)
    labels: list[tuple[float, date]]  # (x, week)
    top: int
    left: int = PAD_LEFT
    bottom: float = HEIGHT - PAD_BOTTOM

    @property
    def empty(self) -> bool:
        """True when no week shows a count above zero (a chart of flat zeros tells nothing)."""
        return not any(p.count for s in self.series for p in s.points)


def _nice(top: int) -> int:
    """A round upper bound for the scale: 1, 2 or 5 times a power of ten."""
    for power in range(0, 9):
        for step in (1, 2, 5):
            bound = step * 10**power
            if bound >= top:
                return bound
    return top


def lines(
    weeks: Sequence[tuple[date, Mapping[str, int | None] | None]], stages: Sequence[str] = STAGE_ORDER
) -> LineChart:
    """One line per stage over the weeks, oldest on the left; hidden counts are gaps."""
    shown = [v for _w, cells in weeks if cells for v in cells.values() if v is not None]
    top = _nice(max([*shown, 1]))
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    step = plot_w / max(len(weeks) - 1, 1)

    def x_of(i: int) -> float:
        return round(PAD_LEFT + i * step, 1)

    def y_of(v: int) -> float:
        return round(PAD_TOP + plot_h * (1 - v / top), 1)

    series = []
    for stage in stages:
        s = Series(stage)
        run: list[str] = []
        for i, (week, cells) in enumerate(weeks):
            value = cells.get(stage) if cells else None
            if value is None:
                if len(run) > 1:
                    s.runs.append(" ".join(run))
                run = []
                continue
            run.append(f"{x_of(i)},{y_of(value)}")
            s.points.append(Point(x_of(i), y_of(value), value, week))
        if len(run) > 1:
            s.runs.append(" ".join(run))
        series.append(s)
    ticks = [(y_of(v), v) for v in (0, top // 2, top)]
    every = max(1, len(weeks) // 6)
    labels = [(x_of(i), w) for i, (w, _c) in enumerate(weeks) if i % every == 0 or i == len(weeks) - 1]
    return LineChart(WIDTH, HEIGHT, series, ticks, labels, top)

"""Server-side charts as inline SVG geometry (a step chart, lines per series): no JavaScript."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

LEFT, RIGHT, TOP, BOTTOM = 56, 14, 12, 28


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class StepChart:
    """Coordinates for the template: a step line, the area under it, axes and ticks."""

    width: int
    height: int
    line: str
    area: str
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    last: tuple[float, float]
    left: int = LEFT
    top: int = TOP

    @property
    def bottom(self) -> int:
        return self.height - BOTTOM

    @property
    def right(self) -> int:
        return self.width - RIGHT


def tick_step(value: int) -> int:
    """The smallest round step (1, 2, 2.5 or 5 times a power of ten) >= value, at least 1."""
    if value <= 1:
        return 1
    power: int = 10 ** math.floor(math.log10(value))  # value > 1: a whole power
    for step in (power, 2 * power, 5 * power // 2, 5 * power, 10 * power):
        if step >= value:
            return step
    return 10 * power


def _time_label(moment: datetime, span: timedelta) -> str:
    if span >= timedelta(days=2):
        return moment.strftime("%Y-%m-%d")
    if span >= timedelta(hours=2):
        return moment.strftime("%m-%d %H:%M")
    return moment.strftime("%H:%M:%S")


def step_chart(
    points: Sequence[tuple[datetime, int]], width: int = 520, height: int = 250
) -> StepChart | None:
    """Chart of a growing count over time; requires points sorted by time. None if empty."""
    if not points:
        return None
    start, end = points[0][0], points[-1][0]
    if end - start < timedelta(seconds=60):
        # One instant (or nearly): widen the window so the line is visible.
        start, end = start - timedelta(seconds=30), end + timedelta(seconds=30)
    span = end - start
    step = tick_step(math.ceil(max(size for _, size in points) / 4))
    top_value = 4 * step
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM

    def x(moment: datetime) -> float:
        return round(LEFT + plot_w * ((moment - start) / span), 1)

    def y(size: int) -> float:
        return round(TOP + plot_h * (1 - size / top_value), 1)

    line = [f"M{x(points[0][0])},{y(points[0][1])}"]
    for moment, size in points[1:]:
        line.append(f"H{x(moment)}V{y(size)}")
    line.append(f"H{LEFT + plot_w}")
    path = "".join(line)
    area = f"{path}V{TOP + plot_h}H{x(points[0][0])}Z"
    y_ticks = tuple(Tick(y(step * i), f"{step * i:,}") for i in range(5))
    x_ticks = tuple(
        Tick(round(LEFT + plot_w * i / 3, 1), _time_label(start + span * i / 3, span))
        for i in range(4)
    )
    last = (x(points[-1][0]), y(points[-1][1]))
    return StepChart(width, height, path, area, x_ticks, y_ticks, last)


@dataclass(frozen=True)
class Series:
    """One named line of a `SeriesChart` and its total."""

    name: str
    line: str
    total: int


@dataclass(frozen=True)
class SeriesChart:
    """Coordinates for the template: several lines over shared axes (counts per bucket)."""

    width: int
    height: int
    series: tuple[Series, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    left: int = LEFT
    top: int = TOP

    @property
    def bottom(self) -> int:
        return self.height - BOTTOM

    @property
    def right(self) -> int:
        return self.width - RIGHT


def series_chart(
    buckets: Sequence[datetime],
    counts: Mapping[str, Sequence[int]],
    width: int = 640,
    height: int = 250,
) -> SeriesChart | None:
    """Lines of counts per time bucket, one per name (each as long as `buckets`, which
    are evenly spaced and sorted); None when there are fewer than two buckets or no counts."""
    if len(buckets) < 2 or not any(any(values) for values in counts.values()):
        return None
    step = tick_step(math.ceil(max(max(values) for values in counts.values()) / 4))
    top_value = 4 * step
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    last = len(buckets) - 1

    def point(i: int, value: int) -> str:
        x = round(LEFT + plot_w * i / last, 1)
        return f"{x},{round(TOP + plot_h * (1 - value / top_value), 1)}"

    series = tuple(
        Series(name, "M" + "L".join(point(i, v) for i, v in enumerate(values)), sum(values))
        for name, values in sorted(counts.items())
        if any(values)
    )
    span = buckets[-1] - buckets[0]
    x_ticks = tuple(
        Tick(round(LEFT + plot_w * i / 3, 1), _time_label(buckets[0] + span * i / 3, span))
        for i in range(4)
    )
    y_ticks = tuple(Tick(round(TOP + plot_h * (1 - i / 4), 1), f"{step * i:,}") for i in range(5))
    return SeriesChart(width, height, series, x_ticks, y_ticks)

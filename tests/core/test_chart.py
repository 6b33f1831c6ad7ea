"""The server-side charts' geometry: lines per series over shared axes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crossfin.core.web.chart import series_chart, tick_step

START = datetime(2026, 1, 1, tzinfo=UTC)
HOURS = [START + timedelta(hours=i) for i in range(4)]


def test_nothing_to_draw_is_no_chart() -> None:
    assert series_chart(HOURS, {}) is None
    assert series_chart(HOURS, {"a": [0, 0, 0, 0]}) is None
    assert series_chart(HOURS[:1], {"a": [3]}) is None


def test_one_line_per_series_with_counts_on_a_shared_scale() -> None:
    chart = series_chart(HOURS, {"b": [0, 8, 0, 0], "a": [1, 0, 0, 2], "quiet": [0, 0, 0, 0]})
    assert chart is not None
    assert [(s.name, s.total) for s in chart.series] == [("a", 3), ("b", 8)]
    # 8 at most: ticks of 2 (0..8); the top of the plot is 8, the bottom 0.
    assert [t.label for t in chart.y_ticks] == ["0", "2", "4", "6", "8"]
    # b: from the bottom left, up to the top at the second hour, down to the bottom right.
    left, right, top, bottom = chart.left, chart.right, chart.top, chart.bottom
    middle = left + (right - left) / 3
    assert chart.series[1].line == (
        f"M{left:.1f},{bottom:.1f}L{middle:.1f},{top:.1f}"
        f"L{left + 2 * (right - left) / 3:.1f},{bottom:.1f}L{right:.1f},{bottom:.1f}"
    )
    assert tick_step(2) == 2

"""The rollups filled from the cells in SQL: what migration 0023 runs over existing cells
and the statistics benchmark over the cells it loads.

`INSERT .. SELECT .. GROUP BY` per depth, the area being the cell's path cut to the depth's
length, exactly as `Tally.rolled_up` derives the upkeep's deltas
(tests/parties/test_stats_rollups.py proves the two equal on random cells).
"""

from __future__ import annotations

from sqlalchemy import Connection, Insert, func, insert, literal, select

from crossfin.parties.stats.upkeep import CELLS, DEPTHS, ROLLUPS, SERVED, SERVED_ROLLUPS


def fill_rollups(conn: Connection) -> None:
    """Replace both rollup tables' rows with the sums of the cells and served rows."""
    conn.execute(ROLLUPS.delete())
    conn.execute(SERVED_ROLLUPS.delete())
    for depth, length in enumerate(DEPTHS):
        conn.execute(_cells_at(depth, length))
        conn.execute(_served_at(depth, length))


def _cells_at(depth: int, length: int) -> Insert:
    c = CELLS.c
    area = func.substr(c.county_path, 1, length)
    dims = (area, c.month, c.scenario, c.trade_class, c.measure)
    query = (
        select(literal(depth), *dims, func.sum(c.count), func.sum(c.usd_minor))
        .group_by(*dims)
        # A row whose sums are all zero is one the tables do not keep.
        .having((func.sum(c.count) != 0) | (func.sum(c.usd_minor) != 0))
    )
    names = ("depth", "area_path", "month", "scenario", "trade_class", "measure")
    return insert(ROLLUPS).from_select([*names, "count", "usd_minor"], query)


def _served_at(depth: int, length: int) -> Insert:
    s = SERVED.c
    area = func.substr(s.county_path, 1, length)
    dims = (area, s.month, s.trade_class, s.org_id)
    query = (
        select(literal(depth), *dims, func.sum(s.count), func.sum(s.usd_minor))
        .group_by(*dims)
        .having((func.sum(s.count) != 0) | (func.sum(s.usd_minor) != 0))
    )
    names = ("depth", "area_path", "month", "trade_class", "org_id")
    return insert(SERVED_ROLLUPS).from_select([*names, "count", "usd_minor"], query)

"""The derived statistics filled from the fine tables in SQL: what migrations 0023 (the
rollups) and 0032 (the reach and enterprise totals) run over existing rows, and what the
statistics benchmark runs over the cells it loads.

`INSERT .. SELECT .. GROUP BY` per depth, the area being the path cut to the depth's
length, exactly as `Tally.rolled_up` and `reach.contribution` derive the upkeep's deltas
(tests/supervision/test_stats_rollups.py proves them equal on random cells).
"""

from __future__ import annotations

from sqlalchemy import Connection, Insert, func, insert, literal, select, text

from crossfin.parties.stats.models import DEPTHS
from crossfin.parties.stats.upkeep import CELLS, ROLLUPS, SERVED, TOTALS

# Each enterprise's active months per area and class (its own, then '*' for any), each
# paired with the one before it: reach.py's `contribution`, for every enterprise at once.
_REACH = """
INSERT INTO stats_reach (depth, area_path, trade_class, size, month, previous, count)
SELECT p.depth, p.area, p.klass, coalesce(o.size, ''), p.month, p.previous, count(*)
FROM (
    SELECT a.depth, a.area, a.klass, a.org, a.month,
           coalesce(lag(a.month) OVER (
               PARTITION BY a.org, a.area, a.klass ORDER BY a.month
           ), '') AS previous
    FROM (
        SELECT {depth} AS depth, substr(county_path, 1, {length}) AS area,
               trade_class AS klass, org_id AS org, month
        FROM stats_served
        GROUP BY substr(county_path, 1, {length}), trade_class, org_id, month
        HAVING sum(count) > 0
        UNION ALL
        SELECT {depth}, substr(county_path, 1, {length}), '*', org_id, month
        FROM stats_served
        GROUP BY substr(county_path, 1, {length}), org_id, month
        HAVING sum(count) > 0
    ) AS a
) AS p
LEFT JOIN organizations o ON o.id = p.org
GROUP BY p.depth, p.area, p.klass, coalesce(o.size, ''), p.month, p.previous
"""


def fill_rollups(conn: Connection) -> None:
    """Replace the rollups' rows with the sums of the cells."""
    conn.execute(ROLLUPS.delete())
    for depth, length in enumerate(DEPTHS):
        conn.execute(_cells_at(depth, length))


def fill_reach(conn: Connection) -> None:
    """Replace the reach's and the enterprise totals' rows with what the served rows give."""
    conn.execute(text("DELETE FROM stats_reach"))
    conn.execute(TOTALS.delete())
    for depth, length in enumerate(DEPTHS):
        # The depth and length are this module's integers, written into the SQL: a bound
        # parameter in both SELECT and GROUP BY would be two parameters to PostgreSQL.
        conn.execute(text(_REACH.format(depth=int(depth), length=int(length))))
    conn.execute(_totals())


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


def _totals() -> Insert:
    s = SERVED.c
    query = (
        select(s.county_path, s.org_id, func.sum(s.count), func.sum(s.usd_minor))
        .group_by(s.county_path, s.org_id)
        .having((func.sum(s.count) != 0) | (func.sum(s.usd_minor) != 0))
    )
    return insert(TOTALS).from_select(["county_path", "org_id", "count", "usd_minor"], query)

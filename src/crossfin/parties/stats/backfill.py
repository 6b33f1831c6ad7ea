"""The derived statistics filled from the fine tables in SQL: what migrations 0023 (the
rollups) and 0032 (the reach, enterprise totals and cell rollups) run over existing rows,
and what the statistics benchmark runs over the cells it loads.

`INSERT .. SELECT .. GROUP BY` per depth, the area being the path cut to the depth's
length, exactly as `Tally.rolled_up` and `reach.contribution` derive the upkeep's deltas
(tests/supervision/test_stats_rollups.py proves them equal on random cells).
"""

from __future__ import annotations

from sqlalchemy import Connection, Insert, func, insert, literal, select, text

from crossfin.parties.stats.models import ANY_BANK, BANK_DEPTHS, DEPTHS, ROLLUP_DEPTHS
from crossfin.parties.stats.upkeep import CELL_ROLLUPS, CELLS, ROLLUPS, SERVED, TOTALS

# Each enterprise's active months per area, scenario and class (its own or '*' for any)
# and bank (its own, at `BANK_DEPTHS`, or any), each paired with the one before it: reach.py's
# `contribution`, for every enterprise at once. One SELECT per (class, bank) variant.
_REACH = """
INSERT INTO stats_reach
    (depth, area_path, scenario, trade_class, bank_org_id, size, month, previous, count)
SELECT p.depth, p.area, p.scenario, p.klass, p.bank, coalesce(o.size, ''), p.month,
       p.previous, count(*)
FROM (
    SELECT a.depth, a.area, a.scenario, a.klass, a.bank, a.org, a.month,
           coalesce(lag(a.month) OVER (
               PARTITION BY a.org, a.area, a.scenario, a.klass, a.bank ORDER BY a.month
           ), '') AS previous
    FROM ({variants}) AS a
) AS p
LEFT JOIN organizations o ON o.id = p.org
GROUP BY p.depth, p.area, p.scenario, p.klass, p.bank, coalesce(o.size, ''), p.month,
         p.previous
"""
_VARIANT = """
SELECT {depth} AS depth, substr(county_path, 1, {length}) AS area, {scenario} AS scenario,
       {klass} AS klass, {bank} AS bank, org_id AS org, month
FROM stats_served
GROUP BY substr(county_path, 1, {length}), {grouped}org_id, month
HAVING sum(count) > 0
"""


def fill_rollups(conn: Connection) -> None:
    """Replace the rollups' rows with the sums of the cells."""
    conn.execute(ROLLUPS.delete())
    for depth in ROLLUP_DEPTHS:
        conn.execute(_cells_at(depth, DEPTHS[depth]))


def fill_reach(conn: Connection) -> None:
    """Replace the reach's and the enterprise totals' rows with what the served rows give."""
    conn.execute(text("DELETE FROM stats_reach"))
    conn.execute(TOTALS.delete())
    for depth, length in enumerate(DEPTHS):
        conn.execute(text(_reach_at(depth, length)))
    conn.execute(_totals())


def fill_cell_rollups(conn: Connection) -> None:
    """Replace the cell rollups' rows with the cells summed at each of `BANK_DEPTHS`."""
    conn.execute(CELL_ROLLUPS.delete())
    for depth in BANK_DEPTHS:
        conn.execute(_wide_at(depth, DEPTHS[depth]))


def _reach_at(depth: int, length: int) -> str:
    # The depth and length are this module's integers, written into the SQL: a bound
    # parameter in both SELECT and GROUP BY would be two parameters to PostgreSQL.
    scenarios = (("scenario", "scenario, "), ("'*'", ""))
    classes = (("trade_class", "trade_class, "), ("'*'", ""))
    banks = [(str(ANY_BANK), "")]
    if depth in BANK_DEPTHS:
        banks.append(("bank_org_id", "bank_org_id, "))
    variants = [
        _VARIANT.format(
            depth=int(depth),
            length=int(length),
            scenario=scenario,
            klass=klass,
            bank=bank,
            grouped=by_scenario + by_class + by_bank,
        )
        for scenario, by_scenario in scenarios
        for klass, by_class in classes
        for bank, by_bank in banks
    ]
    return _REACH.format(variants=" UNION ALL ".join(variants))


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


def _wide_at(depth: int, length: int) -> Insert:
    c = CELLS.c
    area = func.substr(c.county_path, 1, length)
    dims = (area, c.month, c.scenario, c.currency, c.trade_class, c.bank_org_id, c.measure)
    sums = (func.sum(c.count), func.sum(c.amount_minor), func.sum(c.usd_minor))
    query = (
        select(literal(depth), *dims, *sums)
        .group_by(*dims)
        .having((sums[0] != 0) | (sums[1] != 0) | (sums[2] != 0))
    )
    names = (
        "depth",
        "area_path",
        "month",
        "scenario",
        "currency",
        "trade_class",
        "bank_org_id",
        "measure",
    )
    columns = [*names, "count", "amount_minor", "usd_minor"]
    return insert(CELL_ROLLUPS).from_select(columns, query)


def _totals() -> Insert:
    s = SERVED.c
    query = (
        select(s.county_path, s.org_id, func.sum(s.count), func.sum(s.usd_minor))
        .group_by(s.county_path, s.org_id)
        .having((func.sum(s.count) != 0) | (func.sum(s.usd_minor) != 0))
    )
    return insert(TOTALS).from_select(["county_path", "org_id", "count", "usd_minor"], query)

"""The figures of a regulator's subtree: the one query every entry point calls.

`figures` sums the cells (`stats_cells`) of the query's jurisdiction and months by the
dimensions asked, per measure: a count, the USD equivalent and, when each row holds one
currency, the amount in it (never a sum across currencies). Where the grouping allows it
(not per currency: `stats_served` keeps no currency), each row also counts the distinct
enterprises served (a financing registered or a payment facilitated) and the SME share:
enterprises sized micro, small or medium over those of a known size.

A query reads the rollups instead where it can (`stats_rollups`, or `stats_cell_rollups`
by currency or bank at the root and the provinces; for the enterprises, `stats_reach`;
a county's figures are its cells): the rows of
one depth, the deepest of the viewed node's and of the divisions grouped by, whose area
lies in the subtree. Their areas are the cells' paths cut to that depth, so the same
prefix and `substr` select and group them, and the answers are the same (the test of the
rollups compares both paths). `Plan` says which table a query reads. The reach counts the
enterprises of a range of months as a sum (parties/stats/reach.py): rows of the range
whose previous month lies before it, or every row of a month when grouped by month.

OUTSTANDING and OVERDUE are stocks as of now, dated by the month each financing was
registered: "outstanding, March" is what is still owed today on March's financings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Label, Row, Select, case, func, literal, select
from sqlalchemy.orm import Session

from crossfin.core.errors import invalid
from crossfin.core.money import format_amount
from crossfin.parties.access import Caller, supervised
from crossfin.parties.jurisdictions import ROOT_PATH
from crossfin.parties.models import Jurisdiction, Organization
from crossfin.parties.stats.models import (
    ANY_BANK,
    BANK_DEPTHS,
    DEPTHS,
    ROLLUP_DEPTHS,
    StatCell,
    StatCellRollup,
    StatReach,
    StatRollup,
    StatServed,
)
from crossfin.parties.stats.reach import ANY_CLASS, ANY_SCENARIO
from crossfin.supervision.stats.dimensions import (
    DIVISIONS,
    Labels,
    Table,
    column,
    expression,
    path_of,
)
from crossfin.supervision.stats.query import StatsQuery, scope_of

# A query grouped finely over a large subtree could list millions of rows: past this many
# groups it is refused (422 on group_by) rather than answered slowly.
MAX_GROUPS = 50_000
SME_SIZES = ("micro", "small", "medium")
Key = tuple[Any, ...]


def figures(session: Session, caller: Caller, query: StatsQuery) -> list[dict[str, Any]]:
    """One row per group of `query.group_by` within the caller's subtree, in key order."""
    node = scope_of(session, caller, query)
    plan = Plan.of(node, query)
    cells = _cells(session, caller, node, query, plan)
    served: dict[Key, tuple[int, int, int]] = {}
    if query.counts_enterprises:
        count = _served if plan.served_depth is None else _reach
        served = count(session, caller, node, query, plan)
    keys = sorted(set(cells) | set(served))
    labels = Labels(session, query.group_by, keys)
    return [_row(query, labels, key, cells.get(key, {}), served.get(key)) for key in keys]


class Plan:
    """Which tables a query reads: the rollups (at `depth`; the cell rollups, `wide`, for
    a query by bank or currency) and the reach (at `served_depth`) where it allows, else
    the cells and served rows (None)."""

    def __init__(self, depth: int | None, served_depth: int | None, wide: bool = False) -> None:
        self.depth, self.served_depth = depth, served_depth
        self.cells: type[StatCell] | type[StatRollup] | type[StatCellRollup] = (
            StatCell if depth is None else StatCellRollup if wide else StatRollup
        )

    @staticmethod
    def of(node: Jurisdiction, query: StatsQuery) -> Plan:
        # The deepest level the rows must tell apart: the node's (its prefix must be cut
        # from the area) and each division grouped by.
        length = max([len(node.path), *(DIVISIONS[g] for g in query.group_by if g in DIVISIONS)])
        depth = next((d for d, cut in enumerate(DEPTHS) if cut >= length), None)
        fine = {"currency", "bank"} & set(query.group_by)
        if fine or query.currency or query.bank_org_id is not None:
            # Banks and currencies are kept at the root's and the provinces' depths only.
            return Plan(depth, depth, wide=True) if depth in BANK_DEPTHS else Plan(None, None)
        # A county's figures are its cells (no rollup there); its enterprises the reach's.
        return Plan(depth if depth in ROLLUP_DEPTHS else None, depth)


def conditions(
    table: Table,
    caller: Caller,
    node: Jurisdiction,
    query: StatsQuery,
    depth: int | None = None,
) -> list[ColumnElement[bool]]:
    """The subtree (the caller's, then the query's node within it), months and filters;
    on a rollup (`depth` given), its rows of that depth."""
    path = path_of(table)
    where = [supervised(caller, path)]
    if depth is not None:
        where.append(cast(type[StatRollup], table).depth == depth)
    if node.path != ROOT_PATH:
        where.append(path.startswith(node.path))
    if query.month_from:
        where.append(table.month >= query.month_from)
    if query.month_to:
        where.append(table.month <= query.month_to)
    if query.scenario:
        where.append(column(table, "scenario") == query.scenario)
    if query.trade_class:
        where.append(table.trade_class == query.trade_class)
    if query.bank_org_id is not None:
        where.append(column(table, "bank") == query.bank_org_id)
    return where


def _cells(
    session: Session, caller: Caller, node: Jurisdiction, query: StatsQuery, plan: Plan
) -> dict[Key, dict[str, tuple[int, int, int]]]:
    table = plan.cells
    dims = [expression(table, name) for name in query.group_by]
    where = conditions(table, caller, node, query, plan.depth)
    where.append(table.measure.in_([m.value for m in query.measures]))
    if query.currency:
        where.append(column(table, "currency") == query.currency)
    # The rollups keep no currency (a query by currency reads the cells or cell rollups).
    amount = literal(0) if table is StatRollup else func.sum(column(table, "amount_minor"))
    sums = (func.sum(table.count), func.sum(table.usd_minor), amount)
    found = _capped(
        session,
        select(*dims, table.measure, *sums).where(*where).group_by(*dims, table.measure),
        len(query.measures),  # a row per group and measure
    )
    cells: dict[Key, dict[str, tuple[int, int, int]]] = {}
    width = len(dims)
    for row in found:
        key, (measure, count, usd, amount) = tuple(row[:width]), row[width:]
        cells.setdefault(key, {})[measure] = (int(count), int(usd), int(amount))
    return cells


def _served(
    session: Session, caller: Caller, node: Jurisdiction, query: StatsQuery, plan: Plan
) -> dict[Key, tuple[int, int, int]]:
    table = StatServed
    dims: list[Label[Any]] = [
        expression(table, name).label(f"d{i}") for i, name in enumerate(query.group_by)
    ]
    # Each group's enterprises first (a hash aggregate), then their sizes: the join reads
    # one row per enterprise and group, not one per served row, and no count is DISTINCT.
    served = (
        select(*dims, table.org_id)
        .where(*conditions(table, caller, node, query), table.count > 0)
        .group_by(*dims, table.org_id)
        .subquery()
    )
    keys = [served.c[f"d{i}"] for i in range(len(dims))]
    sme = func.count(case((Organization.size.in_(SME_SIZES), 1)))
    found = _capped(
        session,
        select(*keys, func.count(), sme, func.count(Organization.size))
        .select_from(served)
        .join(Organization, Organization.id == served.c.org_id)
        .group_by(*keys),
    )
    width = len(dims)
    return {tuple(r[:width]): (int(r[width]), int(r[width + 1]), int(r[width + 2])) for r in found}


def _reach(
    session: Session, caller: Caller, node: Jurisdiction, query: StatsQuery, plan: Plan
) -> dict[Key, tuple[int, int, int]]:
    r = StatReach
    dims = [expression(r, name) for name in query.group_by]
    where = conditions(r, caller, node, query, plan.served_depth)
    # The reach keeps each enterprise per class, scenario and bank and once for any of
    # each: a dimension grouped by reads its own rows, one filtered (`conditions`) the
    # value's, any other the "any" rows, so that an enterprise counts once.
    for name, kept, filtered, any_value in (
        ("class", r.trade_class, bool(query.trade_class), ANY_CLASS),
        ("scenario", r.scenario, bool(query.scenario), ANY_SCENARIO),
        ("bank", r.bank_org_id, query.bank_org_id is not None, ANY_BANK),
    ):
        if name in query.group_by:
            where.append(kept != any_value)
        elif not filtered:
            where.append(kept == any_value)
    if "month" not in query.group_by:
        # Each enterprise once: in its first month of the range (or its first ever).
        where.append(r.previous < query.month_from if query.month_from else r.previous == "")
    sme = func.sum(case((r.size.in_(SME_SIZES), r.count), else_=0))
    sized = func.sum(case((r.size != "", r.count), else_=0))
    found = _capped(
        session, select(*dims, func.sum(r.count), sme, sized).where(*where).group_by(*dims)
    )
    width = len(dims)
    # Ungrouped, the one row of sums is the answer even when empty (NULL sums: no rows);
    # grouped, a group whose rows all went back to zero is none.
    return {
        tuple(row[:width]): (
            int(row[width] or 0),
            int(row[width + 1] or 0),
            int(row[width + 2] or 0),
        )
        for row in found
        if row[width] or not width
    }


def _capped(session: Session, query: Select[Any], rows_per_group: int = 1) -> Sequence[Row[Any]]:
    """The rows of a grouped query, refused (422 on group_by) past `MAX_GROUPS` groups:
    one row more than allowed tells that there are too many."""
    cap = MAX_GROUPS * rows_per_group
    found = session.execute(query.limit(cap + 1)).all()
    if len(found) > cap:
        raise invalid("query.group_by", f"more than {MAX_GROUPS:,} groups: filter or group less")
    return found


def _row(
    query: StatsQuery,
    labels: Labels,
    key: Key,
    cells: dict[str, tuple[int, int, int]],
    served: tuple[int, int, int] | None,
) -> dict[str, Any]:
    row = {name: labels.value(name, key[i]) for i, name in enumerate(query.group_by)}
    currency = row.get("currency") or query.currency
    row["measures"] = {
        m.value: _figure(cells.get(m.value, (0, 0, 0)), currency) for m in query.measures
    }
    if query.counts_enterprises:
        enterprises, sme, sized = served or (0, 0, 0)
        row["enterprises"] = enterprises
        row["sme_share"] = round(sme / sized, 4) if sized else None
    return row


def _figure(sums: tuple[int, int, int], currency: str | None) -> dict[str, Any]:
    count, usd, amount = sums
    return {
        "count": count,
        "usd": format_amount(usd, "USD"),
        # One currency per row (grouped or filtered): its amount; else none is summed.
        "amount": format_amount(amount, currency) if currency else None,
    }

"""The figures of a regulator's subtree: the one query every entry point calls.

`figures` sums the cells (`stats_cells`) of the query's jurisdiction and months by the
dimensions asked, per measure: a count, the USD equivalent and, when each row holds one
currency, the amount in it (never a sum across currencies). Where the grouping allows it
(not per currency: `stats_served` keeps no currency), each row also counts the distinct
enterprises served (a financing registered or a payment facilitated) and the SME share:
enterprises sized micro, small or medium over those of a known size.

OUTSTANDING and OVERDUE are stocks as of now, dated by the month each financing was
registered: "outstanding, March" is what is still owed today on March's financings.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, distinct, func, select
from sqlalchemy.orm import Session

from crossfin.core.errors import invalid
from crossfin.core.money import format_amount
from crossfin.parties.access import Caller, supervised
from crossfin.parties.jurisdictions import ROOT_PATH
from crossfin.parties.models import Jurisdiction, Organization
from crossfin.parties.stats.models import StatCell, StatServed
from crossfin.supervision.stats.dimensions import Labels, Table, expression
from crossfin.supervision.stats.query import StatsQuery, scope_of

# A query grouped finely over a large subtree could list millions of rows: past this many
# groups it is refused (422 on group_by) rather than answered slowly.
MAX_GROUPS = 50_000
SME_SIZES = ("micro", "small", "medium")
Key = tuple[Any, ...]


def figures(session: Session, caller: Caller, query: StatsQuery) -> list[dict[str, Any]]:
    """One row per group of `query.group_by` within the caller's subtree, in key order."""
    node = scope_of(session, caller, query)
    cells = _cells(session, caller, node, query)
    served = _served(session, caller, node, query) if query.counts_enterprises else {}
    keys = sorted(set(cells) | set(served))
    labels = Labels(session, query.group_by, keys)
    return [_row(query, labels, key, cells.get(key, {}), served.get(key)) for key in keys]


def top_enterprises(
    session: Session, caller: Caller, query: StatsQuery, limit: int = 10
) -> list[dict[str, Any]]:
    """The enterprises served most in USD (financed plus paid) under the query's filters."""
    node = scope_of(session, caller, query)
    if query.currency:
        raise invalid("query.currency", "enterprises are ranked in USD across currencies")
    usd = func.sum(StatServed.usd_minor)
    ranked = session.execute(
        select(StatServed.org_id, func.sum(StatServed.count), usd)
        .where(*conditions(StatServed, caller, node, query), StatServed.count > 0)
        .group_by(StatServed.org_id)
        .order_by(usd.desc(), StatServed.org_id)
        .limit(limit)
    ).all()
    ids = [org_id for org_id, _, _ in ranked]
    orgs = {o.id: o for o in session.scalars(select(Organization).where(Organization.id.in_(ids)))}
    return [
        {
            "org_id": org_id,
            "name": orgs[org_id].name if org_id in orgs else "",
            "name_zh": orgs[org_id].name_zh if org_id in orgs else None,
            "uscc": orgs[org_id].uscc if org_id in orgs else None,
            "records": int(records),
            "usd": format_amount(int(total), "USD"),
        }
        for org_id, records, total in ranked
    ]


def conditions(
    table: Table, caller: Caller, node: Jurisdiction, query: StatsQuery
) -> list[ColumnElement[bool]]:
    """The subtree (the caller's, then the query's node within it), months and filters."""
    where = [supervised(caller, table.county_path)]
    if node.path != ROOT_PATH:
        where.append(table.county_path.startswith(node.path))
    if query.month_from:
        where.append(table.month >= query.month_from)
    if query.month_to:
        where.append(table.month <= query.month_to)
    if query.scenario:
        where.append(table.scenario == query.scenario)
    if query.trade_class:
        where.append(table.trade_class == query.trade_class)
    if query.bank_org_id is not None:
        where.append(table.bank_org_id == query.bank_org_id)
    return where


def _cells(
    session: Session, caller: Caller, node: Jurisdiction, query: StatsQuery
) -> dict[Key, dict[str, tuple[int, int, int]]]:
    dims = [expression(StatCell, name) for name in query.group_by]
    where = conditions(StatCell, caller, node, query)
    where.append(StatCell.measure.in_([m.value for m in query.measures]))
    if query.currency:
        where.append(StatCell.currency == query.currency)
    sums = (func.sum(StatCell.count), func.sum(StatCell.usd_minor), func.sum(StatCell.amount_minor))
    cap = MAX_GROUPS * len(query.measures)
    found = session.execute(
        select(*dims, StatCell.measure, *sums)
        .where(*where)
        .group_by(*dims, StatCell.measure)
        # One row more than allowed tells that there are too many.
        .limit(cap + 1)
    ).all()
    if len(found) > cap:
        raise invalid("query.group_by", f"more than {MAX_GROUPS:,} groups: filter or group less")
    cells: dict[Key, dict[str, tuple[int, int, int]]] = {}
    width = len(dims)
    for row in found:
        key, (measure, count, usd, amount) = tuple(row[:width]), row[width:]
        cells.setdefault(key, {})[measure] = (int(count), int(usd), int(amount))
    return cells


def _served(
    session: Session, caller: Caller, node: Jurisdiction, query: StatsQuery
) -> dict[Key, tuple[int, int, int]]:
    dims = [expression(StatServed, name) for name in query.group_by]
    org = StatServed.org_id
    sme = func.count(distinct(case((Organization.size.in_(SME_SIZES), org))))
    sized = func.count(distinct(case((Organization.size.is_not(None), org))))
    found = session.execute(
        select(*dims, func.count(distinct(org)), sme, sized)
        .join(Organization, Organization.id == org)
        .where(*conditions(StatServed, caller, node, query), StatServed.count > 0)
        .group_by(*dims)
        .limit(MAX_GROUPS + 1)
    ).all()
    if len(found) > MAX_GROUPS:
        raise invalid("query.group_by", f"more than {MAX_GROUPS:,} groups: filter or group less")
    width = len(dims)
    return {tuple(r[:width]): (int(r[width]), int(r[width + 1]), int(r[width + 2])) for r in found}


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

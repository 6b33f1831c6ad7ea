"""The enterprises served most in USD (financed plus paid) under a query's filters.

Summing every enterprise of a head office's subtree over twelve months reads most of the
served rows. Instead the subtree's enterprise totals (`stats_enterprise_totals`: all
months, scenarios, classes and banks) are read from the largest down, a batch at a time,
and each batch's enterprises are summed over the query's months and filters from their
served rows. No served row's sums are negative, so an enterprise's sum under any filter is
at most its total: once the limit-th best sum found is above the last total read, no
enterprise not yet read can enter the list, and the answer is exact (Fagin's threshold
algorithm, with one list). A range holding little of the enterprises' totals (one quiet
month) could read many; past `MAX_READ` enterprises the subtree's served rows are summed
at once instead, as before.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from crossfin.core.errors import invalid
from crossfin.core.money import format_amount
from crossfin.parties.access import Caller, supervised
from crossfin.parties.jurisdictions import ROOT_PATH
from crossfin.parties.models import Jurisdiction, Organization
from crossfin.parties.stats.models import StatEnterpriseTotal, StatServed
from crossfin.supervision.stats.figures import conditions
from crossfin.supervision.stats.query import StatsQuery, scope_of

MAX_READ = 5000
Ranked = tuple[int, int, int]  # org id, records, USD minor units


def top_enterprises(
    session: Session, caller: Caller, query: StatsQuery, limit: int = 10
) -> list[dict[str, Any]]:
    """The `limit` enterprises served most in USD under `query`, largest first (ties by id)."""
    node = scope_of(session, caller, query)
    if query.currency:
        raise invalid("query.currency", "enterprises are ranked in USD across currencies")
    ranked = _bounded(session, caller, node, query, limit)
    if ranked is None:
        ranked = _summed(session, caller, node, query, limit, None)
    ids = [org_id for org_id, _, _ in ranked]
    orgs = {o.id: o for o in session.scalars(select(Organization).where(Organization.id.in_(ids)))}
    return [
        {
            "org_id": org_id,
            "name": orgs[org_id].name if org_id in orgs else "",
            "name_zh": orgs[org_id].name_zh if org_id in orgs else None,
            "uscc": orgs[org_id].uscc if org_id in orgs else None,
            "records": records,
            "usd": format_amount(usd, "USD"),
        }
        for org_id, records, usd in ranked
    ]


def _bounded(
    session: Session, caller: Caller, node: Jurisdiction, query: StatsQuery, limit: int
) -> list[Ranked] | None:
    """The answer from the totals down, or None past `MAX_READ` enterprises read."""
    t = StatEnterpriseTotal
    where: list[ColumnElement[bool]] = [supervised(caller, t.county_path), t.count > 0]
    if node.path != ROOT_PATH:
        where.append(t.county_path.startswith(node.path))
    found: dict[int, Ranked] = {}
    last: tuple[int, int] | None = None  # (usd, org id) of the last total read
    batch, read = 4 * limit, 0
    while read < MAX_READ:
        page = select(t.usd_minor, t.org_id).where(*where)
        if last is not None:
            usd, org = last
            page = page.where((t.usd_minor < usd) | ((t.usd_minor == usd) & (t.org_id < org)))
        rows = session.execute(
            page.order_by(t.usd_minor.desc(), t.org_id.desc()).limit(batch)
        ).all()
        read += len(rows)
        if rows:
            last = (int(rows[-1][0]), int(rows[-1][1]))
            fresh = {int(org) for _, org in rows} - found.keys()
            for ranked in _summed(session, caller, node, query, None, fresh):
                found[ranked[0]] = ranked
        best = sorted(found.values(), key=lambda r: (-r[2], r[0]))[:limit]
        exhausted = len(rows) < batch
        if exhausted or (len(best) == limit and last is not None and best[-1][2] > last[0]):
            return best
        batch *= 2
    return None


def _summed(
    session: Session,
    caller: Caller,
    node: Jurisdiction,
    query: StatsQuery,
    limit: int | None,
    org_ids: set[int] | None,
) -> list[Ranked]:
    """The enterprises' sums over the query's served rows: the best `limit` of the whole
    subtree, or (`org_ids`) those enterprises' sums."""
    s = StatServed
    usd = func.sum(s.usd_minor)
    where = [*conditions(s, caller, node, query), s.count > 0]
    if org_ids is not None:
        if not org_ids:
            return []
        where.append(s.org_id.in_(sorted(org_ids)))
    ranked = select(s.org_id, func.sum(s.count), usd).where(*where).group_by(s.org_id)
    if limit is not None:
        ranked = ranked.order_by(usd.desc(), s.org_id).limit(limit)
    return [(int(o), int(c), int(u)) for o, c, u in session.execute(ranked)]

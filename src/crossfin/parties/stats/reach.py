"""The reach: distinct enterprises served, kept so that a count over any months is a sum.

`stats_reach` (models.StatReach) counts, per area of every level, scenario, class, bank
and size, the pairs (month, previous): an enterprise served in an area in months
m1 < m2 < ... < mk contributes (m1, ''), (m2, m1), ..., (mk, mk-1). A month is *active*
for the enterprise when its served rows that fall there (the path cut to the depth's
length; the scenario or any, the class or any, the bank or any: a bank only at
`BANK_DEPTHS`) sum a count above zero, as a served row counts while its count is above
zero.

A change adds `contribution(after) - contribution(before)` of each enterprise whose
activity moved: one of its (path, month, scenario, class, bank) groups (a served row but
for the enterprise) went from zero to above or back. Most changes move none (a second
financing in a month), and then nothing is written. The recount sums `contribution` over
every enterprise from the recounted served rows.

Two implementations apply a transaction's deltas, both held equal to the recount by the
tests (tests/supervision/test_stats_rollups.py and every `recount --check` after a storm):
`apply` in Python (SQLite, where the read is in process), and on PostgreSQL the function
`stats_reach_apply` of migration 0032, sent in the ledger's pipeline after the upserts
like the rest of the statistics, so that the head lock costs no round trip for it.
Both run under the head lock, after the served rows were written: the table then holds
`after`, and `before` is `after` less the deltas.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from crossfin.core.db import insert_for
from crossfin.parties.models import Organization
from crossfin.parties.stats.models import ANY_BANK, BANK_DEPTHS, DEPTHS, StatReach, StatServed
from crossfin.parties.stats.pg_upsert import rows_json

REACH = cast(Table, StatReach.__table__)
REACH_KEY = (
    "depth",
    "area_path",
    "scenario",
    "trade_class",
    "bank_org_id",
    "size",
    "month",
    "previous",
)
ANY_CLASS = ANY_SCENARIO = "*"
# The PostgreSQL call (driver parameter style): the deltas as one JSON text.
PG_CALL = "SELECT stats_reach_apply(%(deltas)s::json)"


class ReachKey(NamedTuple):
    depth: int
    area_path: str
    scenario: str
    trade_class: str
    bank_org_id: int
    size: str
    month: str
    previous: str


# One enterprise's served counts per (county path, month, scenario, class, bank).
GroupKey = tuple[str, str, str, str, int]
Groups = Mapping[GroupKey, int]


def contribution(groups: Groups, size: str) -> Counter[ReachKey]:
    """The pairs an enterprise adds, given its served counts per (path, month, scenario,
    class, bank)."""
    sums: dict[tuple[int, str, str, str, int], dict[str, int]] = defaultdict(
        lambda: defaultdict(int)
    )
    for (path, month, scenario, klass, bank), count in groups.items():
        for depth, length in enumerate(DEPTHS):
            area = path[:length]
            for b in (ANY_BANK, bank) if depth in BANK_DEPTHS else (ANY_BANK,):
                for sc in (scenario, ANY_SCENARIO):
                    sums[(depth, area, sc, klass, b)][month] += count
                    sums[(depth, area, sc, ANY_CLASS, b)][month] += count
    found: Counter[ReachKey] = Counter()
    for (depth, area, scenario, klass, bank), months in sums.items():
        previous = ""
        for month in sorted(m for m, count in months.items() if count > 0):
            found[ReachKey(depth, area, scenario, klass, bank, size, month, previous)] += 1
            previous = month
    return found


def reach_of(served: Iterable[tuple[Any, int]], sizes: Mapping[int, str]) -> Counter[ReachKey]:
    """The whole table from served rows `(ServedKey, count)`: the recount's."""
    by_org: dict[int, dict[GroupKey, int]] = defaultdict(lambda: defaultdict(int))
    for key, count in served:
        by_org[key.org_id][_group(key)] += count
    total: Counter[ReachKey] = Counter()
    for org_id, groups in by_org.items():
        total.update(contribution(groups, sizes.get(org_id, "")))
    return total


def sizes_of(session: Session, org_ids: Iterable[int]) -> dict[int, str]:
    """Each enterprise's size ('' when unknown): the reach is kept per size."""
    wanted = sorted(set(org_ids))
    found: dict[int, str] = {}
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start : start + 5000]
        query = select(Organization.id, Organization.size).where(Organization.id.in_(chunk))
        found.update({org_id: size or "" for org_id, size in session.execute(query)})
    return found


def count_deltas(served: Mapping[Any, tuple[int, int]]) -> dict[int, dict[GroupKey, int]]:
    """A tally's served deltas summed per enterprise and group (`_group`); zero counts
    left out (a USD-only change moves no month)."""
    deltas: dict[int, dict[GroupKey, int]] = defaultdict(lambda: defaultdict(int))
    for key, (count, _) in served.items():
        if count:
            deltas[key.org_id][_group(key)] += count
    return {org: {k: v for k, v in groups.items() if v} for org, groups in deltas.items()}


def apply(session: Session, served: Mapping[Any, tuple[int, int]]) -> None:
    """Add the reach's change for served deltas already written (the Python twin of
    `stats_reach_apply`)."""
    deltas = count_deltas(served)
    if not deltas:
        return
    s = StatServed
    after: dict[int, dict[GroupKey, int]] = defaultdict(dict)
    query = select(
        s.org_id, s.county_path, s.month, s.scenario, s.trade_class, s.bank_org_id, s.count
    ).where(s.org_id.in_(sorted(deltas)))
    for org_id, path, month, scenario, klass, bank, count in session.execute(query):
        groups, group = after[org_id], (path, month, scenario, klass, bank)
        groups[group] = groups.get(group, 0) + count
    change: Counter[ReachKey] = Counter()
    moved = [org for org, groups in deltas.items() if _moves(after[org], groups)]
    sizes = sizes_of(session, moved)
    for org in moved:
        now = after[org]
        before = {k: now.get(k, 0) - deltas[org].get(k, 0) for k in now.keys() | deltas[org]}
        size = sizes.get(org, "")
        change.update(contribution(now, size))
        change.subtract(contribution(before, size))
    rows = [
        dict(zip(REACH_KEY, key, strict=True), count=n) for key, n in sorted(change.items()) if n
    ]
    if rows:
        session.execute(_upsert(session), rows)


def _moves(now: Groups, deltas: Groups) -> bool:
    """Whether a group went from no count to some, or back."""
    return any((now.get(k, 0) > 0) != (now.get(k, 0) - d > 0) for k, d in deltas.items())


def pg_parameters(served: Mapping[Any, tuple[int, int]]) -> dict[str, str] | None:
    """`PG_CALL`'s parameter for a tally's served deltas (pg_upsert.py says why JSON);
    None when no count moved."""
    deltas = count_deltas(served)
    if not deltas:
        return None
    rows = [
        (org, *group, delta)
        for org, groups in sorted(deltas.items())
        for group, delta in sorted(groups.items())
    ]
    names = ("org", "path", "month", "scenario", "klass", "bank", "delta")
    return {"deltas": rows_json(names, rows)}


def _group(key: Any) -> GroupKey:
    """The group of a served key: all of it but the enterprise."""
    return (key.county_path, key.month, key.scenario, key.trade_class, key.bank_org_id)


_STATEMENTS: dict[str, Any] = {}


def _upsert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    found = _STATEMENTS.get(dialect)
    if found is None:
        insert = insert_for(dialect)(REACH)
        found = _STATEMENTS[dialect] = insert.on_conflict_do_update(
            index_elements=list(REACH_KEY), set_={"count": REACH.c.count + insert.excluded.count}
        )
    return found

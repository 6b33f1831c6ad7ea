"""The dimensions a figure is grouped by: their SQL expressions over the statistics tables,
and the values shown for them (divisions with their names, banks with theirs).

A cell's `county_path` is `/000000/` (8 characters) and then 7 per level, so a province is
its first 15 characters, a prefecture 22 and a county 29 (parties/stats/models.py). A firm
seated in a prefecture-level city without counties (东莞) has a 22-character path: grouped by
county, it shows under that city. A cell with no county ('' sentinel: a verification of a
document whose owner is not onboarded) groups under no division (None).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import SQLColumnExpression, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from crossfin.parties.models import Jurisdiction, Organization
from crossfin.parties.stats.models import (
    StatCell,
    StatCellRollup,
    StatReach,
    StatRollup,
    StatServed,
)

DIVISIONS = {"province": 15, "prefecture": 22, "county": 29}
GROUPS = ("province", "prefecture", "county", "month", "scenario", "currency", "class", "bank")
# The level below each: what a jurisdiction's comparison of its children groups by.
CHILD_LEVEL = {"root": "province", "province": "prefecture", "prefecture": "county"}

Table = (
    type[StatCell] | type[StatServed] | type[StatRollup] | type[StatCellRollup] | type[StatReach]
)
# The column of each other dimension or sum (not every table has each: the rollups have
# no bank nor currency, the reach no scenario nor currency).
COLUMNS = {
    "month": "month",
    "scenario": "scenario",
    "currency": "currency",
    "class": "trade_class",
    "bank": "bank_org_id",
    "amount_minor": "amount_minor",
}


def path_of(table: Table) -> InstrumentedAttribute[str]:
    """The path a table's rows are placed by: a rollup's area is its cells' path cut to its
    depth's length, so the same prefixes and `substr`s apply to both."""
    if issubclass(table, (StatRollup, StatCellRollup, StatReach)):
        return table.area_path
    return table.county_path


def column(table: Table, name: str) -> Any:
    """The column of a non-division dimension or filter `name` in `table`."""
    return getattr(table, COLUMNS[name])


def expression(table: Table, name: str) -> SQLColumnExpression[Any]:
    """The SQL expression of dimension `name` over `table` (stats_served has no currency)."""
    if name in DIVISIONS:
        return func.substr(path_of(table), 1, DIVISIONS[name])
    return cast(SQLColumnExpression[Any], column(table, name))


def code_of(path: str) -> str | None:
    """The division code a (possibly cut) path ends with; None for the '' sentinel."""
    parts = [p for p in path.split("/") if p]
    return parts[-1] if parts else None


class Labels:
    """Names for the divisions and banks that appear in a result, each looked up once."""

    def __init__(self, session: Session, group_by: Iterable[str], keys: Iterable[tuple[Any, ...]]):
        group_by = tuple(group_by)
        keys = list(keys)
        codes = {
            code_of(key[i]) for i, name in enumerate(group_by) if name in DIVISIONS for key in keys
        }
        banks = {key[i] for i, name in enumerate(group_by) if name == "bank" for key in keys}
        self.divisions = _divisions(session, {c for c in codes if c})
        self.banks = _banks(session, {b for b in banks if b})

    def value(self, name: str, raw: Any) -> Any:
        """What a row shows for dimension `name` whose stored value is `raw`."""
        if name in DIVISIONS:
            code = code_of(raw)
            return self.divisions.get(code) if code else None
        if name == "bank":
            return {"id": raw, "name": self.banks.get(raw, "")} if raw else None
        return raw or None  # '' sentinels: no scenario, currency or class


def _divisions(session: Session, codes: set[str]) -> dict[str, dict[str, str]]:
    if not codes:
        return {}
    query = select(Jurisdiction.code, Jurisdiction.name_zh, Jurisdiction.name_en).where(
        Jurisdiction.code.in_(codes)
    )
    return {c: {"code": c, "name_zh": zh, "name_en": en} for c, zh, en in session.execute(query)}


def _banks(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    query = select(Organization.id, Organization.name).where(Organization.id.in_(ids))
    return {i: name for i, name in session.execute(query)}

"""What a statistics query asks, checked: the one input of `figures` and `top_enterprises`.

Every entry point (the API, its CSV and XLSX exports, the dashboard, the benchmark) builds
a `StatsQuery` with `parse_query`, which names each bad input as the API's query parameter
(`query.group_by`, `query.from`, ...), and the regulator's subtree with `scope_of`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crossfin.core.errors import FieldError, Forbidden, ValidationFailed, invalid
from crossfin.core.money import currency_exponent
from crossfin.parties.access import Caller, require_kind, supervises
from crossfin.parties.models import Jurisdiction, OrgKind, TradeClass
from crossfin.parties.stats.models import Measure
from crossfin.supervision.stats.dimensions import GROUPS

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
SCENARIO = re.compile(r"^[A-Z][0-9]{1,2}$")  # F1..F8, P1..P4
CODE = re.compile(r"^\d{6}$")
# The measures of the dashboard's pictures: what was financed and what was paid.
FLOWS = (Measure.REGISTERED, Measure.FACILITATED)


class OutsideSubtree(Forbidden):
    """A regulator asked for figures of a jurisdiction outside the subtree it supervises."""

    slug = "outside-subtree"
    title = "The jurisdiction is outside the subtree you supervise"

    def __init__(self, field_name: str, code: str) -> None:
        reason = f"jurisdiction {code} is outside the subtree you supervise"
        super().__init__(reason, errors=[{"field": field_name, "reason": reason}])


@dataclass(frozen=True)
class StatsQuery:
    """Grouping, filters and the month range of a statistics query (already checked)."""

    group_by: tuple[str, ...] = ()
    measures: tuple[Measure, ...] = tuple(Measure)
    scenario: str | None = None
    currency: str | None = None
    trade_class: str | None = None
    bank_org_id: int | None = None
    month_from: str | None = None  # "YYYY-MM", inclusive
    month_to: str | None = None
    jurisdiction: str | None = None  # a division code; None: the caller's own subtree
    # Whether to count the enterprises served (the dashboard's trends need not: a distinct
    # count per group is the dearest part of a query).
    with_enterprises: bool = True

    @property
    def per_currency(self) -> bool:
        """Whether amounts in the currency may be summed: one currency per row."""
        return "currency" in self.group_by or self.currency is not None

    @property
    def counts_enterprises(self) -> bool:
        """Enterprises served are kept without the currency: not countable per currency."""
        return self.with_enterprises and not self.per_currency


def _names(values: Iterable[str]) -> list[str]:
    """`a,b` and repeated parameters alike, blanks dropped."""
    return [p.strip() for v in values for p in v.split(",") if p.strip()]


def parse_query(
    *,
    group_by: Sequence[str] = (),
    measure: Sequence[str] = (),
    scenario: str | None = None,
    currency: str | None = None,
    trade_class: str | None = None,
    bank: int | None = None,
    month_from: str | None = None,
    month_to: str | None = None,
    jurisdiction: str | None = None,
) -> StatsQuery:
    """A checked `StatsQuery`, or 422 naming every bad parameter at once."""
    errors: list[FieldError] = []
    groups = _names(group_by)
    for name in groups:
        if name not in GROUPS:
            errors.append(FieldError("query.group_by", f"{name!r} is not one of {GROUPS}"))
    if len(set(groups)) != len(groups):
        errors.append(FieldError("query.group_by", "a dimension is named twice"))
    measures = _names(measure)
    known = {m.value for m in Measure}
    for name in measures:
        if name not in known:
            errors.append(FieldError("query.measure", f"{name!r} is not a measure"))
    for name, value in (("from", month_from), ("to", month_to)):
        if value and not MONTH.match(value):
            errors.append(FieldError(f"query.{name}", "a month, YYYY-MM"))
    if month_from and month_to and MONTH.match(month_from) and month_from > month_to:
        errors.append(FieldError("query.to", "must not be before from"))
    errors += _filter_errors(scenario, currency, trade_class, jurisdiction)
    if errors:
        raise ValidationFailed(errors)
    return StatsQuery(
        group_by=tuple(groups),
        measures=tuple(Measure(m) for m in dict.fromkeys(measures)) or tuple(Measure),
        scenario=scenario or None,
        currency=currency or None,
        trade_class=trade_class or None,
        bank_org_id=bank,
        month_from=month_from or None,
        month_to=month_to or None,
        jurisdiction=jurisdiction or None,
    )


def _filter_errors(
    scenario: str | None, currency: str | None, trade_class: str | None, code: str | None
) -> list[FieldError]:
    errors = []
    if scenario and not SCENARIO.match(scenario):
        errors.append(FieldError("query.scenario", "a scenario code such as F1 or P3"))
    if currency:
        try:
            currency_exponent(currency)
        except ValueError as exc:
            errors.append(FieldError("query.currency", str(exc)))
    if trade_class and trade_class not in {c.value for c in TradeClass}:
        errors.append(FieldError("query.class", "A, B or C"))
    if code and not CODE.match(code):
        errors.append(FieldError("query.jurisdiction", "a 6-digit division code"))
    return errors


def scope_of(session: Session, caller: Caller, query: StatsQuery) -> Jurisdiction:
    """The division whose figures are asked: the query's, within the caller's subtree.

    Regulators only (403 to every other kind); an unknown code is 422 and one outside the
    subtree 403, both naming `query.jurisdiction`.
    """
    require_kind(caller, OrgKind.REGULATOR)
    if caller.jurisdiction_path is None:
        raise Forbidden("this regulator supervises no jurisdiction")
    code = query.jurisdiction or caller.jurisdiction_path.strip("/").rsplit("/", 1)[-1]
    node = session.get(Jurisdiction, code)
    if node is None:
        raise invalid("query.jurisdiction", f"unknown jurisdiction code {code!r}")
    if not supervises(caller, node.path):
        raise OutsideSubtree("query.jurisdiction", code)
    return node

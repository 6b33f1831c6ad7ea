"""Aggregates of accepted statistics filings: the amounts of their detail table summed by
child jurisdiction or by counterparty country, per currency (docs/filings.md,
"Regulator views").

Amounts are kept in minor units in the content; sums across currencies would mean
nothing, so every sum is of one currency, given in major units as decimal text.
The detail table is the form's table keyed by a country (`iso3166-1`): EFAL-M's `A1`,
EFAL-Q's `D1`; its amount columns are summed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.errors import invalid
from crossfin.core.money import currency_exponent
from crossfin.filings.forms.codes import country_name
from crossfin.filings.forms.definition import FormDefinition, Table
from crossfin.filings.models import Filing, FilingForm, FilingVersion
from crossfin.filings.oversight.completeness import ACCEPTED
from crossfin.filings.oversight.scope import Scope, form_of, period_end, scope_of
from crossfin.filings.visibility import readable
from crossfin.parties.access import Caller

COUNTRY_LIST = "iso3166-1"


class By(StrEnum):
    JURISDICTION = "jurisdiction"
    COUNTRY = "country"


class GroupOut(BaseModel):
    key: str  # a division code or an ISO 3166 code
    name_en: str
    name_zh: str
    currency: str
    filers: int
    sums: dict[str, str]  # column code -> major units, decimal text


class AggregatesOut(BaseModel):
    form: str
    period: str
    by: By
    jurisdiction: str
    name_en: str
    name_zh: str
    table: str
    columns: list[str]
    currencies: list[str]
    filings: int
    groups: list[GroupOut]


def detail_table(definition: FormDefinition) -> tuple[Table, str]:
    """The table keyed by a counterparty country and that key's code (422 on `form` when
    the form has none: it is no statistics template with countries)."""
    for table in definition.tables:
        for key in table.keys:
            if key.code_list == COUNTRY_LIST and table.currency_key:
                return table, key.code
    raise invalid("query.form", "the form has no table by counterparty country")


def _accepted(
    session: Session, caller: Caller, scope: Scope, form: str, period: str
) -> list[Filing]:
    """Each filer's newest acknowledged filing of the period still in force."""
    rows = session.scalars(
        select(Filing)
        .where(
            readable(caller),
            Filing.form_code == form,
            Filing.period == period,
            Filing.state.in_([s.value for s in ACCEPTED]),
            Filing.jurisdiction_path.startswith(scope.node.path),
        )
        .order_by(Filing.id)
    )
    return list({f.filer_org_id: f for f in rows}.values())


def _content(session: Session, filing: Filing) -> dict[str, Any]:
    version = session.scalars(
        select(FilingVersion).where(
            FilingVersion.filing_id == filing.id, FilingVersion.number == filing.current_version
        )
    ).one()
    found: dict[str, Any] = json.loads(version.content)
    return found


def aggregates(
    session: Session,
    caller: Caller,
    form: str,
    period: str,
    by: By,
    jurisdiction: str | None = None,
) -> AggregatesOut:
    """Sums of the accepted filings of `period` in the subtree asked, by `by` and currency."""
    scope = scope_of(session, caller, jurisdiction)
    stored = form_of(session, form)
    period_end(period)
    table, country_key = detail_table(_definition(stored))
    amounts = [c.code for c in table.columns if c.type == "amount"]
    sums: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(amounts, 0))
    filers: dict[tuple[str, str], set[int]] = defaultdict(set)
    filings = _accepted(session, caller, scope, form, period)
    for filing in filings:
        child = scope.child_of(filing.jurisdiction_path).code
        for row in _content(session, filing).get("tables", {}).get(table.code, []):
            currency = row.get(table.currency_key)
            group = child if by is By.JURISDICTION else row.get(country_key)
            if not isinstance(currency, str) or not isinstance(group, str):
                continue  # an accepted filing has neither; skip rather than guess
            key = (group, currency)
            filers[key].add(filing.filer_org_id)
            for column in amounts:
                value = row.get(column)
                if isinstance(value, int):
                    sums[key][column] += value
    return AggregatesOut(
        form=form,
        period=period,
        by=by,
        jurisdiction=scope.node.code,
        name_en=scope.node.name_en,
        name_zh=scope.node.name_zh,
        table=table.code,
        columns=amounts,
        currencies=sorted({c for _, c in sums}),
        filings=len(filings),
        groups=[_group(scope, by, key, sums[key], len(filers[key])) for key in sorted(sums)],
    )


def _definition(form: FilingForm) -> FormDefinition:
    if form.system != "statistics":
        raise invalid("query.form", "not a statistics form")
    return FormDefinition.model_validate(json.loads(form.definition))


def _group(
    scope: Scope, by: By, key: tuple[str, str], sums: dict[str, int], filers: int
) -> GroupOut:
    group, currency = key
    if by is By.JURISDICTION:
        nodes = {n.code: n for n in [scope.node, *scope.children.values()]}
        name_en, name_zh = nodes[group].name_en, nodes[group].name_zh
    else:
        name_en, name_zh = _country(group, "en"), _country(group, "zh")
    exponent = currency_exponent(currency)
    return GroupOut(
        key=group,
        name_en=name_en,
        name_zh=name_zh,
        currency=currency,
        filers=filers,
        sums={c: str(Decimal(v).scaleb(-exponent)) for c, v in sums.items()},
    )


def _country(code: str, lang: str) -> str:
    try:
        return country_name(code, lang)
    except KeyError:
        return code

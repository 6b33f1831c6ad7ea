"""The regulator views as CSV: UTF-8 with a BOM (spreadsheets then read Chinese names),
one row per institution or per group and currency."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from crossfin.filings.oversight.aggregates import AggregatesOut
from crossfin.filings.oversight.completeness import CompletenessOut

COMPLETENESS_COLUMNS = (
    "jurisdiction",
    "org_id",
    "name",
    "name_zh",
    "status",
    "state",
    "reference",
    "submitted_on",
    "due",
)


def _safe(value: object) -> str:
    """Text as a cell; an institution's name is never read as a formula (a leading `'`
    before = + - @ unless it is a number)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@"):
        try:
            Decimal(text)
        except InvalidOperation:
            return "'" + text
    return text


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_safe(v) for v in row] for row in rows)
    return "\ufeff" + out.getvalue()


def completeness_csv(view: CompletenessOut) -> str:
    return _csv(
        COMPLETENESS_COLUMNS,
        (
            (
                r.child,
                r.org_id,
                r.name,
                r.name_zh,
                r.status.value,
                r.state,
                r.reference,
                r.submitted_on,
                view.due,
            )
            for r in view.institutions
        ),
    )


def aggregates_csv(view: AggregatesOut) -> str:
    header = (view.by.value, "name_en", "name_zh", "currency", "filers", *view.columns)
    return _csv(
        header,
        (
            (g.key, g.name_en, g.name_zh, g.currency, g.filers, *(g.sums[c] for c in view.columns))
            for g in view.groups
        ),
    )

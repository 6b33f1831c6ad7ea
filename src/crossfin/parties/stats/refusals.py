"""Refused attempts in the statistics: counted from the alerts that record them.

A refusal writes nothing of the refused record, but its alert is kept (in the request's
transaction, or in one of its own after the business rollback). These kinds record an
attempt a rule refused:

- `duplicate-financing`, `over-financing`: a financing the one balance refused;
- `class-not-eligible`: a financing, payment or check the class gate refused (403);
- `invoice-already-used`: a payment refused on an invoice another bank's payment holds;
- `payment-without-documents`, `filing-overpayment`: a P2 payment refused for its filing;
- `document-already-endorsed`: a P4 check refused on a document already used.

Alerts about recorded records are not refusals (`overdue`, `offshore-check-failed`,
`financing-above-exports`, `monthly-volume-spike`, `value-below-uses`), nor alerts that
sum other alerts (`document-tried-at-many-banks`, `verification-mismatches`). An attempt
refused on several documents raises one alert per document, and counts once per document;
a disabled rule raises no alert, and its refusals are not counted (docs/supervision.md).

The cell: REFUSED, the month (China's calendar) of the alert, the subject's county, the
bank that tried (`actor_org_id`), and the scenario and class when the details name them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.parties.alerts import Alert, AlertKind
from crossfin.parties.stats.models import Measure
from crossfin.parties.stats.upkeep import Entry, cell, month_of

REFUSALS = frozenset(
    {
        AlertKind.DUPLICATE_FINANCING.value,
        AlertKind.OVER_FINANCING.value,
        AlertKind.CLASS_NOT_ELIGIBLE.value,
        AlertKind.INVOICE_ALREADY_USED.value,
        AlertKind.PAYMENT_WITHOUT_DOCUMENTS.value,
        AlertKind.FILING_OVERPAYMENT.value,
        AlertKind.DOCUMENT_ALREADY_ENDORSED.value,
    }
)
_COLUMNS = (
    Alert.id,
    Alert.kind,
    Alert.created_at,
    Alert.jurisdiction_path,
    Alert.actor_org_id,
    Alert.details,
)
_CHUNK = 5000


def contribution(alert: Any) -> list[Entry]:
    """One REFUSED entry for an alert recording a refused attempt; none for the others."""
    if alert.kind not in REFUSALS:
        return []
    details = json.loads(alert.details)
    scenario, klass = details.get("scenario"), details.get("trade_class")
    return [
        cell(
            Measure.REFUSED,
            alert.jurisdiction_path,
            month_of(alert.created_at),
            scenario=scenario if isinstance(scenario, str) else "",
            trade_class=klass if isinstance(klass, str) else "",
            bank_org_id=alert.actor_org_id,
        )
    ]


def all_contributions(session: Session) -> Iterator[Entry]:
    """Every refusal alert's entry: the recount's source (registered at assembly)."""
    rows = session.execute(
        select(*_COLUMNS)
        .where(Alert.kind.in_(sorted(REFUSALS)))
        .order_by(Alert.id)
        .execution_options(yield_per=_CHUNK)
    )
    for row in rows:
        yield from contribution(row)

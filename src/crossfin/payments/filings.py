"""P2's rules beyond the class gate and the balance: the threshold, sizing, the alerts.

- A single payment whose USD equivalent (the recorded rate, as P3 converts) is above the
  scenario's threshold (`thresholds.py`, held as data) needs a tax filing: without one it
  is refused (422 `/filing-required`) and the regulators over the payer get a
  `payment-without-documents` alert. At or below it the filing is optional; given, it is
  checked and used all the same.
- The filing must name the payment's payee (name and country).
- The payment uses what it pays of the filing's contract amount, converted into the
  filing's currency and rounded up (`documents/fx.py`), on the filing's one balance:
  several payments on one filing, never beyond it. A payment the balance cannot carry is
  refused (409 `/filing-exhausted` with what is left) with a `filing-overpayment` alert.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from crossfin.core.errors import FieldError, ValidationFailed
from crossfin.core.money import format_amount
from crossfin.documents import fx
from crossfin.documents.balance import Claim
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alerts import AlertKind, evidence, raise_alert
from crossfin.payments.errors import FilingExhausted, FilingRequired, UsedAttempt
from crossfin.payments.schemas import PayeeIn
from crossfin.payments.thresholds import Threshold


def size_claims(
    session: Session,
    claims: Sequence[Claim],
    contents: Mapping[int, str],
    payee: PayeeIn,
    amount: int,
    currency: str,
    given: Mapping[tuple[str, str], Decimal],
    today: date,
) -> list[Claim]:
    """Each filing's claim sized to the payment in its currency (rounded up); 422 when the
    filing names another payee. `contents`: the filings' stored JSON by document id."""
    errors: list[FieldError] = []
    sized = []
    for claim in claims:
        doc = claim.document
        stored: dict[str, Any] = json.loads(contents[doc.id])
        if _norm(stored.get("payee_name")) != _norm(payee.name):
            errors.append(FieldError("payee.name", f"is not the payee of tax filing {doc.key}"))
        if str(stored.get("payee_country", "")).upper() != payee.country.strip().upper():
            errors.append(
                FieldError("payee.country", f"is not the payee's on tax filing {doc.key}")
            )
        conversion = fx.conversion(session, currency, doc.currency, given, today)
        used = conversion.apply(amount, currency, doc.currency)
        sized.append(Claim(doc, "filing", amount, used, conversion.rate_text, conversion.source))
    if errors:
        raise ValidationFailed(errors)
    return sized


def _norm(name: Any) -> str:
    return " ".join(str(name or "").split()).casefold()


def require_filing(
    threshold: Threshold | None, claims: Sequence[Claim], usd_minor: int, attempt: UsedAttempt
) -> None:
    """FilingRequired when the payment is above the threshold and names no filing."""
    if threshold is None or claims or usd_minor <= threshold.usd_minor:
        return
    raise FilingRequired(
        attempt, format_amount(usd_minor, "USD"), threshold.text, threshold.version
    )


def record_refusal(uow: UnitOfWork, refusal: FilingRequired | FilingExhausted) -> None:
    """The regulators' alert for a refused P2 payment, in the submission's transaction."""
    attempt = refusal.attempt
    details: dict[str, Any] = {
        "scenario": attempt.scenario,
        "external_ref": attempt.external_ref,
        "bank": attempt.bank_org_id,
    }
    records = [
        evidence("attempt", attempt.external_ref, f"{attempt.scenario} {attempt.external_ref}")
    ]
    if isinstance(refusal, FilingRequired):
        kind, document_id = AlertKind.PAYMENT_WITHOUT_DOCUMENTS, None
        details |= {
            "usd_equivalent": refusal.extra["usd_equivalent"],
            "threshold": refusal.extra["threshold"],
            "threshold_version": refusal.extra["threshold_version"],
        }
    else:
        short = refusal.short
        kind, document_id = AlertKind.FILING_OVERPAYMENT, short.document_id
        records.append(evidence("document", short.document_id, f"{short.kind} {short.key}"))
        details |= {
            "document": {"kind": short.kind, "key": short.key},
            "remaining": format_amount(short.remaining_minor, short.currency),
            "requested": format_amount(short.requested_minor, short.currency),
            "currency": short.currency,
        }
    raise_alert(
        uow,
        kind,
        subject_org_id=attempt.payer_org_id,
        jurisdiction_path=attempt.jurisdiction_path,
        details=details,
        actor_org_id=attempt.bank_org_id,
        document_id=document_id,
        records=records,
    )

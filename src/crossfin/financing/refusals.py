"""Recording refused financing attempts for the regulator, after the business rollback.

A refusal must not leave the financing half-written, yet the regulator must see it. So the
request's transaction rolls back, and `record_refusal` then writes, in a transaction of its
own (`record_refusals`), the attempt's ledger event (FINANCING_REFUSED, readable by the
refused bank) and an alert (duplicate or over-financing; ALERT_RAISED) for the regulators
over the enterprise. When one document is refused to several banks within a month, a
second alert says so. A title refusal (a negotiable bill's chain, ebl_title.py) records
the attempt's ledger event only: no alert kind covers it yet.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import select

from crossfin.core.clock import utcnow
from crossfin.core.db import Actor, Database
from crossfin.documents.errors import Shortfall
from crossfin.financing.errors import DuplicateFinancing, FinancingRefused, Refusal, TitleRefused
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.alert_rules import rule_for
from crossfin.parties.alerts import Alert, AlertKind, evidence, raise_alert
from crossfin.parties.gates import ClassNotEligible, record_class_refusals

log = logging.getLogger("crossfin.financing")


def record_refusal(uow: UnitOfWork, refusal: Refusal) -> Receipt:
    """The attempt's own ledger event and, for a balance refusal, the regulator's alert,
    in `uow`."""
    attempt = refusal.attempt
    content = {
        "refusal": refusal.slug,
        "scenario": attempt.scenario,
        "external_ref": attempt.external_ref,
        "amount": attempt.amount,
        "currency": attempt.currency,
        "bank": attempt.bank_org_id,
        "enterprise": attempt.enterprise_org_id,
        "documents": _documents(refusal),
    }
    receipt = uow.record(
        EventType.FINANCING_REFUSED,
        subjects={"bank": attempt.bank_org_id, "enterprise": attempt.enterprise_org_id},
        content=content,
        parties={attempt.bank_org_id},
    )
    if isinstance(refusal, FinancingRefused):
        _alert(uow, refusal, content)
    return receipt


def _documents(refusal: Refusal) -> list[dict[str, object]]:
    if isinstance(refusal, TitleRefused):
        return [{"kind": refusal.kind, "key": refusal.key, "reason": refusal.reason}]
    return [s.public() for s in refusal.attempt.shortfalls]


def _alert(uow: UnitOfWork, refusal: FinancingRefused, content: dict[str, object]) -> None:
    """An alert per short document, and the many-banks rule's."""
    attempt = refusal.attempt
    kind = (
        AlertKind.DUPLICATE_FINANCING
        if isinstance(refusal, DuplicateFinancing)
        else AlertKind.OVER_FINANCING
    )
    tried = evidence("attempt", attempt.external_ref, f"{attempt.scenario} {attempt.external_ref}")
    for shortfall in attempt.shortfalls:
        raise_alert(
            uow,
            kind,
            subject_org_id=attempt.enterprise_org_id,
            jurisdiction_path=attempt.jurisdiction_path,
            details=content,
            actor_org_id=attempt.bank_org_id,
            document_id=shortfall.document_id,
            records=[tried, evidence("document", shortfall.document_id, _label(shortfall))],
        )
        _many_banks(
            uow, attempt.enterprise_org_id, attempt.jurisdiction_path, shortfall.document_id
        )


def _label(shortfall: Shortfall) -> str:
    return f"{shortfall.kind} {shortfall.key}"


def _many_banks(uow: UnitOfWork, enterprise_id: int, path: str | None, document_id: int) -> None:
    """One alert when a document has been refused to N banks within T days (the rule's
    `banks` and `window_days`, alert_rules.py)."""
    rule = rule_for(uow.session, AlertKind.MANY_BANKS, path)
    if not rule.enabled:
        return
    since = utcnow() - timedelta(days=rule.integer("window_days"))
    refused = {AlertKind.DUPLICATE_FINANCING.value, AlertKind.OVER_FINANCING.value}
    tries = uow.session.execute(
        select(Alert.id, Alert.actor_org_id).where(
            Alert.document_id == document_id, Alert.kind.in_(refused), Alert.created_at >= since
        )
    ).all()
    banks = len({bank for _, bank in tries})
    if banks < rule.integer("banks"):
        return
    already = uow.session.scalar(
        select(Alert.id)
        .where(
            Alert.document_id == document_id,
            Alert.kind == AlertKind.MANY_BANKS.value,
            Alert.created_at >= since,
        )
        .limit(1)
    )
    if already is None:
        raise_alert(
            uow,
            AlertKind.MANY_BANKS,
            subject_org_id=enterprise_id,
            jurisdiction_path=path,
            details={"banks": banks},
            document_id=document_id,
            # The refusals that count, each its own alert (which names attempt and bank).
            records=[evidence("document", document_id, f"document {document_id}")]
            + [evidence("alert", alert_id, f"refusal {alert_id}") for alert_id, _ in tries],
            rule=rule,
        )


def record_refusals(
    tx: Transactions,
    refusals: Sequence[tuple[Actor, Refusal]],
    also: Callable[[UnitOfWork], None] | None = None,
) -> None:
    """Record refused attempts, each as its own bank's, in one transaction of `tx`, and
    run `also` in it (what the entry point keeps of the refusals).

    Call it once the business transaction has ended. A failure is logged, never raised:
    the refusal answers matter more than their record.
    """
    if not refusals:
        return

    def step(uow: UnitOfWork) -> None:
        for actor, refusal in refusals:
            with uow.acting_as(actor):
                record_refusal(uow, refusal)
        if also is not None:
            also(uow)

    try:
        tx.write(step)
    except Exception:
        log.exception("could not record %d refused financing attempt(s)", len(refusals))


@contextmanager
def recording_refusals(db: Database, actor: Actor) -> Iterator[None]:
    """Let a FinancingRefused, a TitleRefused or a ClassNotEligible through unchanged,
    after recording it in a new transaction.

    Wrap the whole business transaction (it must have rolled back when this runs). For
    writes that reserve or pass a class gate besides registration (F7's publication and
    acceptance); registration itself records its refusals (registration.py).
    """
    try:
        yield
    except (FinancingRefused, TitleRefused) as refusal:
        record_refusals(Transactions.own(db, actor), [(actor, refusal)])
        raise
    except ClassNotEligible as refusal:
        try:
            record_class_refusals(Transactions.own(db, actor), [(actor, refusal)])
        except Exception:
            log.exception("could not record a class-gate refusal")
        raise

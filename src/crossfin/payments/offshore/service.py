"""P4's use case: `check_offshore`, the one function every entry point calls (API, portal,
demo, benchmark).

In ONE transaction of `tx`: the caller must be a bank maker; the enterprise's class gate
(P4: A facilitated, B checked, C refused 403 with its alert); the B/L and the overseas
declaration must be on the platform and the enterprise's (else 422, the same words whether
the number is unknown or another's); their balances are locked first, so a document already
used (by a financing, a payment, another check: at any bank) is refused 409 `/already-used`
naming it, never its holder, with a `document-already-endorsed` alert when another bank
holds it; then the comparisons (`compare.py`) against the carrier's events. A check whose
comparisons pass endorses (签注) both documents, using them whole on the one balance; a
failed one endorses nothing and raises an `offshore-check-failed` alert. Either way the
check is stored with one ledger event committing to it (201: the answer is the report).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date, utcnow
from crossfin.core.errors import AlreadyExists, CrossfinError, invalid
from crossfin.documents.balance import Claim, apply_claims, lock_balances, shortfalls
from crossfin.documents.models import Document, DocumentBalance, DocumentVersion
from crossfin.documents.refs import naming
from crossfin.documents.state import balance_commitment
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.alerts import AlertKind, evidence, raise_alert
from crossfin.parties.classes.history import class_on
from crossfin.parties.gates import (
    ClassNotEligible,
    Gate,
    Treatment,
    current_table,
    enforce,
    record_class_refusal,
)
from crossfin.parties.models import Organization, OrgKind
from crossfin.parties.stats import upkeep as stats
from crossfin.payments.errors import AlreadyUsed, UsedAttempt
from crossfin.payments.models import Payment, PaymentUse
from crossfin.payments.offshore import report
from crossfin.payments.offshore.compare import Facts, compare_all, linked_events, outcome_of
from crossfin.payments.offshore.inputs import Checked, normalise
from crossfin.payments.offshore.models import OffshoreCheck, OffshoreCheckUse
from crossfin.payments.offshore.schemas import CheckIn
from crossfin.payments.offshore.state import check_commitment
from crossfin.payments.offshore.stats import contribution
from crossfin.payments.offshore.tolerances import current_tolerances
from crossfin.payments.service import check_maker

SCENARIO = "P4"
T = TypeVar("T")


@dataclass
class Done:
    """A recorded check: its row, its report (receipt included once sequenced)."""

    check: OffshoreCheck
    report: dict[str, Any]
    receipt: Receipt


Outcome = Done | CrossfinError


def check_offshore(
    tx: Transactions,
    caller: Caller,
    data: CheckIn,
    *,
    keep: Callable[[UnitOfWork, Outcome], T] | None = None,
) -> tuple[Outcome, T | None]:
    """Run one check for `caller`'s bank; a refusal comes back (not raised) with its alert
    recorded; `keep(uow, outcome)` stores an entry point's answer in the same transaction."""
    check_maker(caller)
    checked = normalise(data)

    def step(uow: UnitOfWork) -> tuple[Outcome, T | None]:
        try:
            outcome: Outcome = _run(uow, caller, checked)
        except (ClassNotEligible, AlreadyUsed) as refusal:
            _record_refusal(uow, caller, refusal)
            outcome = refusal
        if tx.owned:
            uow.sequence()  # the receipt carries its leaf index in the answer
        if isinstance(outcome, Done):
            outcome.report["receipt"] = outcome.receipt.as_dict()
        return outcome, (keep(uow, outcome) if keep is not None else None)

    try:
        return tx.write(step)
    except IntegrityError:  # a concurrent check took the external_ref: run again, it says so
        return tx.write(step)


def _run(uow: UnitOfWork, caller: Caller, c: Checked) -> Done:
    """The check in the caller's transaction: refusals raise, a failed check returns."""
    session = uow.session
    enterprise, gate = _enterprise(session, caller, c)
    bl = _document(session, "bill_of_lading", c.bl_key, enterprise, "bill_of_lading")
    decl = _document(
        session, "overseas_customs_declaration", c.declaration_key, enterprise, "declaration"
    )
    claims, balances = _locked(session, caller, enterprise, c, [bl[0], decl[0]])
    tolerances = current_tolerances(session)
    events = linked_events(c.bl_key, c.containers, _events_of(session, enterprise, c))
    facts = Facts(
        c.contract_no, c.buyer, c.seller, c.containers, c.goods,
        c.bl_key, bl[1], c.declaration_key, decl[1], events,
    )  # fmt: skip
    comparisons = compare_all(facts, tolerances)
    missing_allowed = gate.treatment is Treatment.FACILITATED
    passed = outcome_of(comparisons, missing_allowed=missing_allowed) == "passed"
    row = _row(caller, enterprise, gate, c, comparisons, [k for k, _ in events], passed)
    row.tolerance_version = tolerances.version
    session.add(row)
    session.flush()
    stats.add(session, contribution(row))
    uses = _endorse(session, row, claims, balances) if passed else []
    bank = session.get(Organization, caller.org_id)
    assert bank is not None
    body = report.build(row, bank, enterprise)
    row.report_digest = report.digest(body)
    state = check_commitment(row, uses)
    if passed:
        state |= balance_commitment(balances[claim.document.id] for claim in claims)
    receipt = _record(uow, caller, enterprise, gate, row, claims if passed else [], state)
    row.event_id = receipt.event_id
    if not passed:
        _failed_alert(uow, caller, row, comparisons)
    return Done(row, body, receipt)


def _enterprise(session: Session, caller: Caller, c: Checked) -> tuple[Organization, Gate]:
    """The enterprise, its class gate in P4 (403 for class C), and a free external_ref."""
    enterprise = session.scalar(select(Organization).where(Organization.uscc == c.enterprise_uscc))
    if enterprise is None or enterprise.kind != OrgKind.ENTERPRISE.value:
        raise invalid("enterprise_uscc", "no enterprise with this USCC is on the platform")
    # The class in force on the check's business date (its history), as for payments.
    klass = class_on(session, enterprise.id, business_date())
    gate = enforce(
        current_table(session), enterprise, SCENARIO, bank_org_id=caller.org_id, trade_class=klass
    )
    if _ref_taken(session, caller.org_id, c.external_ref):
        raise AlreadyExists(
            "this bank already has a check with this external_ref", field="external_ref"
        )
    return enterprise, gate


def _locked(
    session: Session,
    caller: Caller,
    enterprise: Organization,
    c: Checked,
    documents: list[Document],
) -> tuple[list[Claim], dict[int, DocumentBalance]]:
    """Each document's whole use, on its balance locked now; 409 when one is already used
    (by a check, a payment or a financing, at any bank), before anything is compared."""
    claims = [Claim(d, report.ROLES[d.kind], d.value_minor, d.value_minor) for d in documents]
    balances = lock_balances(session, [d.id for d in documents])
    short = shortfalls(balances, claims)
    if short:
        path = enterprise.jurisdiction_path
        attempt = UsedAttempt(
            caller.org_id, enterprise.id, path, SCENARIO, c.external_ref, tuple(short)
        )
        raise AlreadyUsed(attempt)
    return claims, balances


def _endorse(
    session: Session,
    row: OffshoreCheck,
    claims: list[Claim],
    balances: dict[int, DocumentBalance],
) -> list[OffshoreCheckUse]:
    """Endorsement (签注): both documents used whole on their one balance."""
    apply_claims(balances, claims)
    uses = [
        OffshoreCheckUse(
            check_id=row.id,
            document_id=claim.document.id,
            used_minor=claim.reserved_minor,
            currency=claim.document.currency,
        )
        for claim in claims
    ]
    session.add_all(uses)
    return uses


def _record(
    uow: UnitOfWork,
    caller: Caller,
    enterprise: Organization,
    gate: Gate,
    row: OffshoreCheck,
    endorsed: list[Claim],
    state: dict[str, str],
) -> Receipt:
    """The check's one ledger event: its outcome, the report's digest, what it endorsed."""
    with uow.acting_as(caller.actor):
        return uow.record(
            EventType.OFFSHORE_CHECKED,
            subjects={"offshore_check": row.id},
            content={
                "external_ref": row.external_ref,
                "bank": caller.org_id,
                "enterprise": enterprise.uscc,
                "class": gate.trade_class,
                "gate": gate.rule,
                "outcome": row.outcome,
                "report_digest": row.report_digest,
                "endorsed": [{"kind": e.document.kind, "key": e.document.key} for e in endorsed],
                "tolerance_version": row.tolerance_version,
            },
            parties={caller.org_id, enterprise.id},
            state=state,
        )


def _row(
    caller: Caller,
    enterprise: Organization,
    gate: Gate,
    c: Checked,
    comparisons: list[dict[str, Any]],
    event_keys: list[str],
    passed: bool,
) -> OffshoreCheck:
    goods = None if c.goods is None else {k: v for k, v in vars(c.goods).items() if v is not None}
    return OffshoreCheck(
        bank_org_id=caller.org_id,
        enterprise_org_id=enterprise.id,
        jurisdiction_path=enterprise.jurisdiction_path,
        external_ref=c.external_ref,
        trade_class=gate.trade_class,
        treatment=gate.treatment.value,
        contract_no=c.contract_no,
        amount_minor=c.amount_minor,
        currency=c.currency,
        buyer_name=c.buyer.name,
        buyer_country=c.buyer.country,
        seller_name=c.seller.name,
        seller_country=c.seller.country,
        bl_key=c.bl_key,
        declaration_key=c.declaration_key,
        containers=json.dumps(list(c.containers)),
        goods=json.dumps(goods, sort_keys=True),
        event_keys=json.dumps(event_keys),
        outcome="passed" if passed else "failed",
        comparisons=json.dumps(comparisons, ensure_ascii=False),
        event_id="",  # the event's id, once it is queued (left out of the state projection)
        report_digest="",
        maker_principal_id=caller.principal_id,
        created_at=utcnow().replace(microsecond=0),
    )


def _ref_taken(session: Session, bank_org_id: int, external_ref: str) -> bool:
    query = select(OffshoreCheck.id).where(
        OffshoreCheck.bank_org_id == bank_org_id, OffshoreCheck.external_ref == external_ref
    )
    return session.scalar(query) is not None


def _document(
    session: Session, kind: str, key: str, enterprise: Organization, field: str
) -> tuple[Document, dict[str, Any]]:
    """The enterprise's document of `kind` and `key` with its current content. An unknown
    number and another enterprise's get the same answer: it never says which."""
    found = session.execute(
        select(Document, DocumentVersion.content)
        .join(
            DocumentVersion,
            (DocumentVersion.document_id == Document.id)
            & (DocumentVersion.version == Document.version),
        )
        .where(Document.kind == kind, Document.key == key)
    ).first()
    if found is None or found[0].owner_uscc != enterprise.uscc:
        what = kind.replace("_", " ")
        raise invalid(field, f"no {what} with this number for this enterprise is on the platform")
    return found[0], json.loads(found[1])


def _events_of(
    session: Session, enterprise: Organization, c: Checked
) -> list[tuple[str, dict[str, Any]]]:
    """The enterprise's transport events naming the B/L or one of its containers (through
    the documents' reference index), oldest first."""
    rows = session.execute(
        select(Document.key, DocumentVersion.content)
        .join(
            DocumentVersion,
            (DocumentVersion.document_id == Document.id)
            & (DocumentVersion.version == Document.version),
        )
        .where(
            Document.id.in_(naming((c.bl_key, *c.containers))),
            Document.kind == "transport_event",
            Document.owner_uscc == enterprise.uscc,
        )
        .order_by(Document.id)
    )
    return [(key, json.loads(content)) for key, content in rows]


def _failed_alert(
    uow: UnitOfWork, caller: Caller, row: OffshoreCheck, comparisons: Sequence[dict[str, Any]]
) -> None:
    raise_alert(
        uow,
        AlertKind.OFFSHORE_CHECK_FAILED,
        subject_org_id=row.enterprise_org_id,
        jurisdiction_path=row.jurisdiction_path,
        details={
            "check": row.id,
            "external_ref": row.external_ref,
            "bank": caller.org_id,
            "bill_of_lading": row.bl_key,
            "failed": [
                {"subject": c["subject"], "outcome": c["outcome"]}
                for c in comparisons
                if c["outcome"] != "match"
            ],
        },
        actor_org_id=caller.org_id,
        records=[
            evidence("offshore_check", row.id, f"P4 {row.external_ref}"),
            evidence("document", row.bl_key, f"bill_of_lading {row.bl_key}"),
        ],
    )


def _record_refusal(uow: UnitOfWork, caller: Caller, refusal: CrossfinError) -> None:
    """The regulator's alert for a refused check, in the check's transaction (the refused
    check itself writes nothing)."""
    if isinstance(refusal, ClassNotEligible):
        record_class_refusal(uow, refusal)
        return
    assert isinstance(refusal, AlreadyUsed)
    attempt = refusal.attempt
    for short in attempt.shortfalls:
        if _holders(uow.session, short.document_id) == {caller.org_id}:
            continue  # its own bank's second try: a mistake, not a second bank
        raise_alert(
            uow,
            AlertKind.DOCUMENT_ALREADY_ENDORSED,
            subject_org_id=attempt.payer_org_id,
            jurisdiction_path=attempt.jurisdiction_path,
            details={
                "scenario": SCENARIO,
                "external_ref": attempt.external_ref,
                "bank": attempt.bank_org_id,
                "document": {"kind": short.kind, "key": short.key},
            },
            actor_org_id=attempt.bank_org_id,
            document_id=short.document_id,
            records=[
                evidence("attempt", attempt.external_ref, f"P4 {attempt.external_ref}"),
                evidence("document", short.document_id, f"{short.kind} {short.key}"),
            ],
        )


def _holders(session: Session, document_id: int) -> set[int]:
    """The banks holding the document through a check or a payment (a financing's bank is
    not read here: payments does not import financing, and it counts as another bank)."""
    checks = (
        select(OffshoreCheck.bank_org_id)
        .join(OffshoreCheckUse, OffshoreCheckUse.check_id == OffshoreCheck.id)
        .where(OffshoreCheckUse.document_id == document_id)
    )
    payments = (
        select(Payment.bank_org_id)
        .join(PaymentUse, PaymentUse.payment_id == Payment.id)
        .where(PaymentUse.document_id == document_id, PaymentUse.active.is_(True))
    )
    return set(session.scalars(checks)) | set(session.scalars(payments))

"""Submitting payments: checks, the class gate, the scope, and the one balance.

The business rules of submission inside a transaction the caller owns
(`submission.submit` owns it for every entry point). One code path serves one payment and
a bulk upload: `Lookups` reads what the payments need in a few set queries, `prepare`
checks each (422, 403), `reserve` locks the union of their documents' balances in
document id order (`documents/balance.lock_balance_rows`: the locks `lock_balances` takes
for financing, read as plain rows) and accepts or refuses each in turn, the changed
balances written back in one statement; `persist` writes the accepted ones with one
ledger event each, committing to the payment's full state and to the balances it raised.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date, utcnow
from crossfin.core.db import Actor
from crossfin.core.errors import AlreadyExists, CrossfinError, FieldError, ValidationFailed, invalid
from crossfin.core.money import currency_exponent, format_amount, parse_amount
from crossfin.documents import fx
from crossfin.documents.balance import (
    Balance,
    Claim,
    apply_claims,
    decide_in_order_rows,
    shortfalls,
)
from crossfin.documents.docref import DocRef, with_content
from crossfin.documents.ingest.bulk import insert_rows, key_in, table_of
from crossfin.documents.kinds.registry import get_kind
from crossfin.documents.state import balance_commitment
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_kind, require_role
from crossfin.parties.classes.history import ClassBook
from crossfin.parties.gates import Gate, GateTable, Treatment, current_table, enforce
from crossfin.parties.models import Organization, OrgKind, Role
from crossfin.parties.stats import upkeep as stats
from crossfin.payments import filings
from crossfin.payments.errors import OutOfScope, UsedAttempt
from crossfin.payments.lifecycle import State
from crossfin.payments.models import Payment, PaymentUse
from crossfin.payments.p1_models import P1Funding
from crossfin.payments.payees import Payee, check_payee
from crossfin.payments.scenarios import PaymentScenario, get_scenario
from crossfin.payments.schemas import PaymentIn
from crossfin.payments.scope import current_scopes, in_scope
from crossfin.payments.state import funding_commitment, payment_commitment
from crossfin.payments.stats import Fields, contribution
from crossfin.payments.thresholds import current_thresholds

VALUE_DATE_WINDOW = timedelta(days=366)


def check_maker(caller: Caller) -> None:
    """Only a bank's operators and admins submit payments (approvers check, never make)."""
    require_kind(caller, OrgKind.BANK)
    require_role(caller, Role.OPERATOR, Role.ADMIN)


@dataclass(frozen=True)
class Entry:
    """One payment and who submits it; `bulk` when it came in a template upload."""

    data: PaymentIn
    bank_org_id: int
    maker_principal_id: int | None
    bulk: bool = False
    actor: Actor | None = None


@dataclass
class Prepared:
    """A payment that passed every check but the balance."""

    entry: Entry
    scenario: PaymentScenario
    payer: Organization
    gate: Gate
    payee: Payee
    amount: int
    currency: str
    usd: int
    usd_rate: str | None
    usd_source: str | None
    value_date: date
    claims: list[Claim]
    balance_states: dict[str, str] = field(default_factory=dict)
    needed: int = 0  # the payment in the documents' currency (rounded up)


@dataclass
class Submitted:
    """A written payment: its row and its uses as inserted, and its receipt."""

    row: dict[str, Any]
    uses: list[dict[str, Any]]
    receipt: Receipt

    @property
    def payment_id(self) -> int:
        return int(self.row["id"])

    @property
    def payment(self) -> Payment:
        """The payment as a (detached) mapped object, built when asked for."""
        return Payment(**self.row)


class Lookups:
    """What a set of payments reads before any lock, in a few queries."""

    def __init__(self, session: Session, entries: Sequence[Entry]) -> None:
        self.session = session
        usccs = {e.data.payer_uscc for e in entries}
        self.payers = {
            o.uscc: o
            for o in session.scalars(select(Organization).where(Organization.uscc.in_(usccs)))
        }
        dialect = session.get_bind().dialect.name
        # One array parameter per chunk on PostgreSQL (`key_in`), not thousands of markers.
        refs: dict[int, set[str]] = {}
        for e in entries:
            refs.setdefault(e.bank_org_id, set()).add(e.data.external_ref)
        self.taken: set[tuple[int, str]] = set()
        for bank, mine in refs.items():
            for chunk in _chunks(sorted(mine), _CHUNK):
                taken = select(Payment.external_ref).where(
                    Payment.bank_org_id == bank, key_in(Payment.external_ref, chunk, dialect)
                )
                self.taken |= {(bank, r) for r in session.scalars(taken)}
        wanted: dict[str, set[str]] = {}
        for e in entries:
            for d in e.data.documents:
                wanted.setdefault(d.kind, set()).add(d.key.strip())
        self.documents: dict[tuple[str, str], tuple[DocRef, str]] = {}
        for kind, keys in wanted.items():
            for chunk in _chunks(sorted(keys), _CHUNK):
                for doc, content in with_content(session, kind, chunk):
                    self.documents[(doc.kind, doc.key)] = (doc, content)
        self.gates: GateTable = current_table(session)
        self.classes = ClassBook.load(session, [p.id for p in self.payers.values()])
        self.scopes = current_scopes(session)
        self.thresholds = current_thresholds(session)


def _chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def submit_many(uow: UnitOfWork, entries: Sequence[Entry]) -> list[Submitted | CrossfinError]:
    """Submit each entry or say why not (a CrossfinError), in order.

    Entries are decided one after another against the same locked balances, as if they
    had come one by one; nothing is written for a refused or invalid entry.
    """
    session, today = uow.session, business_date()
    lookups = Lookups(session, entries)
    decided = decide_in_order_rows(
        session,
        entries,
        lambda entry: prepare(lookups, entry, today),
        lambda prepared, balances: reserve(prepared, balances, lookups.taken),
    )
    accepted = [p for p in decided if isinstance(p, Prepared)]
    written = iter(persist(uow, accepted))
    return [next(written) if isinstance(p, Prepared) else p for p in decided]


def prepare(lookups: Lookups, entry: Entry, today: date) -> Prepared:
    """Every check but the balance: scenario, payer, gate, scope, payee, documents, FX."""
    data = entry.data
    scenario = get_scenario(data.scenario)
    currency = _currency(data.currency)
    amount = _money(data.amount, currency, "amount")
    payer = lookups.payers.get(data.payer_uscc)
    if payer is None or payer.kind != OrgKind.ENTERPRISE.value:
        raise invalid("payer_uscc", "no enterprise with this USCC is on the platform")
    value_date = data.value_date or today
    # The class gate reads the payer's class as of the payment's value date.
    klass = lookups.classes.on(payer.id, value_date)
    gate = enforce(
        lookups.gates, payer, scenario.name, bank_org_id=entry.bank_org_id, trade_class=klass
    )
    if entry.bulk and gate.treatment is not Treatment.FACILITATED:
        raise _bulk_refused(gate)
    version, paths = lookups.scopes.get(scenario.name, (0, []))
    if not in_scope(paths, payer.jurisdiction_path):
        raise OutOfScope(
            f"{scenario.name} is limited to payers in named jurisdictions (scope v{version})",
            scenario=scenario.name,
            scope_version=version,
        )
    if (entry.bank_org_id, data.external_ref) in lookups.taken:
        raise ref_taken()
    payee, errors = check_payee(data.payee)
    if not scenario.min_documents <= len(data.documents) <= scenario.max_documents:
        errors.append(_count_error(scenario))
    if abs(value_date - today) > VALUE_DATE_WINDOW:
        errors.append(FieldError("value_date", "must be within a year of today"))
    claims = _claims(lookups, scenario, data, payer, gate.treatment, errors)
    if scenario.funded and data.source_of_funds is None:
        errors.append(
            FieldError(
                "source_of_funds",
                f"{scenario.name} names capital, foreign_debt or listing_proceeds",
            )
        )
    elif not scenario.funded and data.source_of_funds is not None:
        errors.append(FieldError("source_of_funds", f"{scenario.name} takes no source of funds"))
    if errors or payee is None:
        raise ValidationFailed(errors)
    given = fx.parse_given(data.fx_rates)
    needed = 0  # P1 takes this much of its documents, in order (`reserve`)
    usd = fx.conversion(lookups.session, currency, "USD", given, today)
    usd_minor = usd.apply(amount, currency, "USD")
    if scenario.uses_amount_paid:
        contents = {d.id: c for d, c in lookups.documents.values()}
        claims = filings.size_claims(
            lookups.session, claims, contents, data.payee, amount, currency, given, today
        )
        attempt = UsedAttempt(
            entry.bank_org_id,
            payer.id,
            payer.jurisdiction_path,
            scenario.name,
            data.external_ref,
            (),
        )
        filings.require_filing(lookups.thresholds.get(scenario.name), claims, usd_minor, attempt)
    else:
        needed = _within_documents(lookups.session, claims, amount, currency, given, today)
    return Prepared(
        entry,
        scenario,
        payer,
        gate,
        payee,
        amount,
        currency,
        usd_minor,
        usd.rate_text,
        usd.source,
        value_date,
        claims,
        needed=needed,
    )


def _count_error(scenario: PaymentScenario) -> FieldError:
    kinds = ", ".join(sorted(scenario.kinds))
    low, high = scenario.min_documents, scenario.max_documents
    return FieldError("documents", f"{scenario.name} takes {low} to {high} documents ({kinds})")


def _bulk_refused(gate: Gate) -> CrossfinError:
    from crossfin.core.errors import Forbidden

    return Forbidden(
        f"class {gate.trade_class} payers get per-transaction checks in {gate.scenario}: "
        f"submit their payments one by one, with full documents ({gate.rule})",
        trade_class=gate.trade_class,
        scenario=gate.scenario,
        rule=gate.rule,
    )


def _claims(
    lookups: Lookups,
    scenario: PaymentScenario,
    data: PaymentIn,
    payer: Organization,
    treatment: Treatment,
    errors: list[FieldError],
) -> list[Claim]:
    """The documents' claims, each checked by the scenario; errors name each bad one."""
    claims: list[Claim] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(data.documents):
        name = f"documents[{i}]"
        ref = (item.kind, item.key.strip())
        if ref in seen:
            errors.append(FieldError(name, "named twice"))
            continue
        seen.add(ref)
        if item.kind not in scenario.kinds:
            errors.append(
                FieldError(
                    f"{name}.kind", f"{scenario.name} takes {', '.join(sorted(scenario.kinds))}"
                )
            )
            continue
        hit = lookups.documents.get(ref)
        if hit is None:
            errors.append(scenario.missing(name, item))
            continue
        doc, content = hit
        spec = get_kind(doc.kind)
        problems = scenario.check(
            name, spec, doc, json.loads(content), dict(item.fields), payer, treatment
        )
        if problems:
            errors.extend(problems)
            continue
        used = scenario.used_minor(doc)
        claims.append(Claim(doc, "invoice", used, used))
    return claims


def _within_documents(
    session: Session,
    claims: Sequence[Claim],
    amount: int,
    currency: str,
    given: dict[tuple[str, str], Any],
    today: date,
) -> int:
    """The payment, in the documents' currency (rounded up), is at most what they carry;
    returns it."""
    by_currency: dict[str, int] = {}
    for claim in claims:
        by_currency[claim.document.currency] = (
            by_currency.get(claim.document.currency, 0) + claim.reserved_minor
        )
    if len(by_currency) != 1:
        raise invalid("documents", "the documents of one payment share one currency")
    [(doc_ccy, total)] = by_currency.items()
    conversion = fx.conversion(session, currency, doc_ccy, given, today)
    needed = conversion.apply(amount, currency, doc_ccy)
    if needed > total:
        raise invalid(
            "amount",
            f"{format_amount(needed, doc_ccy)} {doc_ccy} at {conversion.rate_text or '1'} is more "
            f"than the documents carry ({format_amount(total, doc_ccy)} {doc_ccy})",
        )
    return needed


def ref_taken() -> AlreadyExists:
    return AlreadyExists(
        "this bank already has a payment with this external_ref", field="external_ref"
    )


def has_ref(session: Session, bank_org_id: int, external_ref: str) -> bool:
    query = select(Payment.id).where(
        Payment.bank_org_id == bank_org_id, Payment.external_ref == external_ref
    )
    return session.scalar(query) is not None


def reserve(
    prepared: Prepared, balances: Mapping[int, Balance], taken: set[tuple[int, str]]
) -> Prepared | CrossfinError:
    """Accept `prepared` against the locked balances (raising them), or say why not."""
    entry = prepared.entry
    ref = (entry.bank_org_id, entry.data.external_ref)
    if ref in taken:
        return ref_taken()
    if prepared.scenario.cumulative:
        prepared.claims = _take_in_order(balances, prepared.claims, prepared.needed)
    short = shortfalls(balances, prepared.claims)
    if short:
        return prepared.scenario.short(
            UsedAttempt(
                entry.bank_org_id,
                prepared.payer.id,
                prepared.payer.jurisdiction_path,
                prepared.scenario.name,
                entry.data.external_ref,
                tuple(short),
            )
        )
    apply_claims(balances, prepared.claims)
    prepared.balance_states = balance_commitment(balances[c.document.id] for c in prepared.claims)
    taken.add(ref)
    return prepared


def _take_in_order(
    balances: Mapping[int, Balance], claims: list[Claim], needed: int
) -> list[Claim]:
    """Cumulative use: what the payment needs, taken from each document in the order named,
    up to what is left of it; documents it does not reach are not used. When they do not
    carry enough, the last one asks for the rest (so `shortfalls` names it)."""
    taken: list[Claim] = []
    for claim in claims:
        if needed <= 0:
            break
        left = max(claim.document.value_minor - balances[claim.document.id].used_minor, 0)
        part = min(left, needed)
        if part > 0:
            claim.reserved_minor = claim.allocated_minor = part
            taken.append(claim)
            needed -= part
    if needed > 0:
        last = claims[-1]
        if taken and taken[-1] is last:
            last.reserved_minor += needed
        else:
            last.reserved_minor = last.allocated_minor = needed
            taken.append(last)
    return taken


_PAYMENTS = table_of(Payment)
_USES = table_of(PaymentUse)
_FUNDINGS = table_of(P1Funding)
_CHUNK = 5000


def persist(uow: UnitOfWork, accepted: Sequence[Prepared]) -> list[Submitted]:
    """Write accepted payments, their uses and one ledger event each.

    Rows go in through the documents' bulk insert (COPY on PostgreSQL) with ids drawn
    beforehand, not through an ORM flush: a template of 10,000 payments is one upload.
    """
    if not accepted:
        return []
    session, now = uow.session, utcnow()
    ids = _new_ids(session, len(accepted))
    rows = [_payment_row(p, pid, now) for p, pid in zip(accepted, ids, strict=True)]
    out, use_rows = [], []
    for prepared, row in zip(accepted, rows, strict=True):
        uses = [
            {
                "payment_id": row["id"],
                "document_id": c.document.id,
                "used_minor": c.reserved_minor,
                "currency": c.document.currency,
                "active": True,
            }
            for c in prepared.claims
        ]
        use_rows += uses
        with uow.acting_as(prepared.entry.actor):
            receipt = uow.record(
                EventType.PAYMENT_SUBMITTED,
                subjects={"payment": row["id"]},
                content=_submitted_content(row, prepared),
                parties={row["bank_org_id"], row["payer_org_id"]},
                state=payment_commitment(row, uses)
                | prepared.balance_states
                | _funding_commitment(row["id"], prepared),
            )
        out.append(Submitted(row, uses, receipt))
    connection = session.connection()
    # The rows keep their times for the state projection; insert_rows fills them itself.
    inserted = [k for k in rows[0] if k not in _STAMPS]
    insert_rows(connection, _PAYMENTS, rows, now, columns=inserted)
    insert_rows(connection, _USES, use_rows)
    funded = [
        {
            "payment_id": s.payment_id,
            "source_of_funds": str(p.entry.data.source_of_funds),
            "event_id": s.receipt.event_id,
        }
        for p, s in zip(accepted, out, strict=True)
        if p.scenario.funded
    ]
    if funded:
        insert_rows(connection, _FUNDINGS, funded)
    # Submitted: nothing to count yet, but every new payment reports what it adds.
    stats.add(session, (e for row in rows for e in contribution(Fields(row))))
    return out


_STAMPS = ("created_at", "updated_at")


def _funding_commitment(payment_id: int, p: Prepared) -> dict[str, str]:
    if not p.scenario.funded:
        return {}
    return funding_commitment(payment_id, str(p.entry.data.source_of_funds))


def _new_ids(session: Session, n: int) -> list[int]:
    """`n` fresh payment ids: the id sequence's on PostgreSQL; on SQLite, past the largest
    (the transaction holds the database's write lock, BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        query = text(
            "SELECT nextval(pg_get_serial_sequence('payments', 'id')) FROM generate_series(1, :n)"
        )
        return [int(i) for (i,) in session.execute(query, {"n": n})]
    top = session.scalar(select(func.coalesce(func.max(Payment.id), 0))) or 0
    return list(range(top + 1, top + n + 1))


def _payment_row(p: Prepared, payment_id: int, now: datetime) -> dict[str, Any]:
    data = p.entry.data
    return {
        "id": payment_id,
        "bank_org_id": p.entry.bank_org_id,
        "payer_org_id": p.payer.id,
        "jurisdiction_path": p.payer.jurisdiction_path,
        "scenario": p.scenario.name,
        "external_ref": data.external_ref,
        "state": State.SUBMITTED.value,
        "trade_class": p.gate.trade_class,
        "treatment": p.gate.treatment.value,
        "payee_name": p.payee.name,
        "payee_country": p.payee.country,
        "payee_account": p.payee.account,
        "payee_bic": p.payee.bic,
        "amount_minor": p.amount,
        "currency": p.currency,
        "usd_minor": p.usd,
        "usd_rate": p.usd_rate,
        "usd_rate_source": p.usd_source,
        "value_date": p.value_date,
        "purpose_code": data.purpose_code,
        "maker_principal_id": p.entry.maker_principal_id,
        "approver_principal_id": None,
        "reason": None,
        "created_at": now,
        "updated_at": now,
    }


def _submitted_content(row: dict[str, Any], p: Prepared) -> dict[str, Any]:
    return {
        "scenario": row["scenario"],
        "external_ref": row["external_ref"],
        "bank": row["bank_org_id"],
        "payer": p.payer.uscc,
        "class": row["trade_class"],
        "gate": p.gate.rule,
        "amount": format_amount(p.amount, p.currency),
        "currency": p.currency,
        "usd_equivalent": format_amount(p.usd, "USD"),
        "usd_rate": p.usd_rate,
        "usd_rate_source": p.usd_source,
        # As text, which is what the digest's canonical form makes of a date anyway: the
        # content is then plain JSON and the encoder takes it as it is, without a copy.
        "value_date": p.value_date.isoformat(),
        "payee": {
            "name": p.payee.name,
            "country": p.payee.country,
            "account": p.payee.account,
            "bic": p.payee.bic,
        },
        "documents": [
            {
                "kind": c.document.kind,
                "key": c.document.key,
                "used": format_amount(c.reserved_minor, c.document.currency),
                "currency": c.document.currency,
            }
            for c in p.claims
        ],
    } | ({"source_of_funds": str(p.entry.data.source_of_funds)} if p.scenario.funded else {})


def _money(text: str, currency: str, name: str) -> int:
    try:
        minor = parse_amount(text, currency)
    except ValueError as exc:
        raise invalid(name, str(exc)) from None
    if minor <= 0:
        raise invalid(name, "must be greater than zero")
    return minor


def _currency(code: str) -> str:
    try:
        currency_exponent(code)
    except ValueError as exc:
        raise invalid("currency", str(exc)) from None
    return code

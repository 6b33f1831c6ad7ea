"""Registering financings: the scenario's plan, conversion, caps, and the one balance.

The business rules of registration, inside a transaction the caller owns. Entry points do
not call them: they call `registration.register_applications`, which owns the transaction,
conflict mapping and refusal recording around `register_many` (F7's acceptance, part of a
larger change, calls `open_financing`).

One code path serves a single application and a batch of them (the group commit in
`combiner.py`): `Lookups` reads everything the applications need in a few set queries,
`prepare` checks each one (422s), `reserve` locks the union of their documents' balances in
document id order and accepts or refuses each in turn against the locked rows (and the
chains of negotiable bills, read under those locks: ebl_title.py), `persist` writes the
accepted ones with their ledger events. The caller commits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import cast

from sqlalchemy import Table, insert, select, tuple_
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date, utcnow
from crossfin.core.db import Actor
from crossfin.core.errors import (
    AlreadyExists,
    CrossfinError,
    FieldError,
    ValidationFailed,
    invalid,
)
from crossfin.core.money import currency_exponent, format_amount, parse_amount
from crossfin.documents import fx
from crossfin.documents.balance import (
    Claim,
    apply_claims,
    decide_in_order,
    shortfalls,
)
from crossfin.documents.docref import DocRef
from crossfin.documents.errors import Shortfall
from crossfin.documents.models import Document, DocumentBalance, DocumentVersion
from crossfin.documents.state import balance_commitment
from crossfin.financing.caps.store import InForce, caps_in_force
from crossfin.financing.changes import stamp
from crossfin.financing.ebl_title import Titles
from crossfin.financing.errors import Attempt, FinancingRefused, ScenarioLimitExceeded
from crossfin.financing.exports_alert import check_above_exports
from crossfin.financing.lifecycle import State
from crossfin.financing.models import Financing, FinancingUse
from crossfin.financing.scenarios.base import Loaded, Request, Scenario
from crossfin.financing.scenarios.registry import get_scenario
from crossfin.financing.schemas import FinancingIn
from crossfin.financing.state import financing_commitment
from crossfin.financing.stats import contribution
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_kind, require_role
from crossfin.parties.classes.history import ClassBook
from crossfin.parties.gates import GateTable, current_table, enforce
from crossfin.parties.models import Organization, OrgKind, Role
from crossfin.parties.stats import upkeep as stats

DEFAULT_RESERVATION_HOURS = 72


def money_in(text: str, currency: str, field: str, *, positive: bool = True) -> int:
    """Parse a decimal amount string in `currency`; ValidationFailed naming `field`."""
    try:
        minor = parse_amount(text, currency)
    except ValueError as exc:
        raise invalid(field, str(exc)) from None
    if positive and minor <= 0:
        raise invalid(field, "must be greater than zero")
    return minor


def currency_in(code: str) -> str:
    try:
        currency_exponent(code)
    except ValueError as exc:
        raise invalid("currency", str(exc)) from None
    return code


@dataclass(frozen=True)
class Entry:
    """One application and who makes it."""

    data: FinancingIn
    bank_org_id: int
    maker_principal_id: int | None
    offer_id: int | None = None
    # Whose ledger events these are when several makers share one transaction (batches).
    actor: Actor | None = None


@dataclass
class Prepared:
    """An application that passed every check but the balance."""

    entry: Entry
    scenario: Scenario
    applicant: Organization
    amount: int
    currency: str
    loaded: list[Loaded]
    claims: list[Claim]
    caps: InForce
    # The digests of the balances it touched, as accepting it left them (ledger/state.py).
    balance_states: dict[str, str] = field(default_factory=dict)
    # For the statistics: the class the gate used, the USD rate (None: none known).
    trade_class: str = "A"
    usd: fx.Conversion | None = None


@dataclass
class Registered:
    financing: Financing
    uses: list[FinancingUse]
    receipt: Receipt
    documents: dict[int, Document | DocRef] = field(default_factory=dict)
    enterprise_uscc: str | None = None


class Lookups:
    """What a set of applications reads before any lock, in three queries."""

    def __init__(self, session: Session, entries: Sequence[Entry]) -> None:
        self.session = session
        usccs = {e.data.enterprise_uscc for e in entries}
        self.applicants = {
            o.uscc: o
            for o in session.scalars(select(Organization).where(Organization.uscc.in_(usccs)))
        }
        refs = {(e.bank_org_id, e.data.external_ref) for e in entries}
        self.taken = {
            (b, r)
            for b, r in session.execute(
                select(Financing.bank_org_id, Financing.external_ref).where(
                    tuple_(Financing.bank_org_id, Financing.external_ref).in_(refs)
                )
            )
        }
        wanted = {(s.kind, s.key) for e in entries for s in e.data.documents}
        query = (
            select(Document, DocumentVersion.content)
            .join(
                DocumentVersion,
                (DocumentVersion.document_id == Document.id)
                & (DocumentVersion.version == Document.version),
            )
            .where(tuple_(Document.kind, Document.key).in_(wanted))
        )
        self.documents = {(d.kind, d.key): (d, c) for d, c in session.execute(query)}
        self.gates: GateTable = current_table(session)
        self.classes = ClassBook.load(session, [a.id for a in self.applicants.values()])
        self._usd: dict[str, fx.Conversion | None] = {}
        self._caps: dict[str, InForce] = {}

    def caps(self, scenario: str, today: date) -> InForce:
        """The scenario's caps in force today, read once per scenario and batch."""
        if scenario not in self._caps:
            self._caps[scenario] = caps_in_force(self.session, scenario, today)
        return self._caps[scenario]

    def usd(
        self, currency: str, given: Mapping[tuple[str, str], Decimal], today: date
    ) -> fx.Conversion | None:
        """The USD rate recorded for the statistics: the request's, else the daily
        table's (read once per currency and batch); None without one, never a refusal."""
        if currency == "USD" or (currency, "USD") in given or ("USD", currency) in given:
            return fx.conversion(self.session, currency, "USD", given, today)
        if currency not in self._usd:
            try:
                self._usd[currency] = fx.conversion(self.session, currency, "USD", {}, today)
            except ValidationFailed:
                self._usd[currency] = None
        return self._usd[currency]


def check_maker(caller: Caller) -> None:
    """Only a bank's operators and admins register (approvers check, never make)."""
    require_kind(caller, OrgKind.BANK)
    require_role(caller, Role.OPERATOR, Role.ADMIN)


def open_financing(
    uow: UnitOfWork,
    data: FinancingIn,
    *,
    bank_org_id: int,
    maker_principal_id: int | None,
    reservation_hours: int,
    offer_id: int | None = None,
) -> tuple[Financing, Receipt]:
    """Check, reserve and record one financing inside a larger change (F7's acceptance;
    callers check permissions).

    Raises FinancingRefused (409) when a document's balance cannot carry it; the caller's
    transaction must then roll back and the attempt be recorded (refusals.py).
    """
    entry = Entry(data, bank_org_id, maker_principal_id, offer_id)
    [outcome] = register_many(uow, [entry], reservation_hours)
    if isinstance(outcome, CrossfinError):
        raise outcome
    return outcome.financing, outcome.receipt


def register_many(
    uow: UnitOfWork, entries: Sequence[Entry], reservation_hours: int
) -> list[Registered | CrossfinError]:
    """Register each entry or say why not (a CrossfinError, refusals included), in order.

    Entries are decided one after another against the same locked balances, exactly as
    if they had come one by one; nothing is written for a refused or invalid entry.
    """
    session, today = uow.session, business_date()
    lookups, titles = Lookups(session, entries), Titles(session)
    decided = decide_in_order(
        session,
        entries,
        lambda entry: prepare(lookups, entry, today),
        lambda prepared, balances: reserve(prepared, balances, lookups.taken, titles),
    )
    accepted = [p for p in decided if isinstance(p, Prepared)]
    registered = persist(uow, accepted, reservation_hours)
    check_above_exports(uow, [r.financing for r in registered])  # the rule's own alert
    written = iter(registered)
    return [next(written) if isinstance(p, Prepared) else p for p in decided]


def prepare(lookups: Lookups, entry: Entry, today: date) -> Prepared:
    """Every check but the balance: scenario, applicant, class gate, documents, conversion,
    caps."""
    data = entry.data
    scenario = get_scenario(data.scenario)
    currency = currency_in(data.currency)
    amount = money_in(data.amount, currency, "amount")
    applicant = lookups.applicants.get(data.enterprise_uscc)
    if applicant is None or applicant.kind != OrgKind.ENTERPRISE.value:
        raise invalid("enterprise_uscc", "no enterprise with this USCC is on the platform")
    # The class gate (parties/gates.py), with the class as of the business date: class C
    # gets no financing facilitation (403).
    klass = lookups.classes.on(applicant.id, today)
    enforce(
        lookups.gates, applicant, scenario.name, bank_org_id=entry.bank_org_id, trade_class=klass
    )
    if entry.offer_id is not None:
        enforce(lookups.gates, applicant, "F7", bank_org_id=entry.bank_org_id, trade_class=klass)
    if (entry.bank_org_id, data.external_ref) in lookups.taken:
        raise ref_taken()
    loaded = _loaded(lookups, data, currency)
    caps = lookups.caps(scenario.name, today)
    request = Request(applicant, amount, currency, today, caps.params, data.due_date)
    claims = scenario.plan(request, loaded)
    given = fx.parse_given(data.fx_rates)
    convert_claims(lookups.session, scenario, claims, given, request, loaded)
    prepared = Prepared(entry, scenario, applicant, amount, currency, loaded, claims, caps)
    prepared.trade_class, prepared.usd = klass, lookups.usd(currency, given, today)
    return prepared


def ref_taken() -> AlreadyExists:
    """The answer when a bank reuses one of its external_refs."""
    return AlreadyExists(
        "this bank already has a financing with this external_ref", field="external_ref"
    )


def has_ref(session: Session, bank_org_id: int, external_ref: str) -> bool:
    """Whether the bank already has a financing with this external_ref (after a unique
    violation: was it this, or something else?)."""
    return (
        session.scalar(
            select(Financing.id).where(
                Financing.bank_org_id == bank_org_id, Financing.external_ref == external_ref
            )
        )
        is not None
    )


def _loaded(lookups: Lookups, data: FinancingIn, currency: str) -> list[Loaded]:
    """The named documents with their current content; every unknown one is named."""
    wanted = [(s.kind, s.key) for s in data.documents]
    errors = [
        FieldError(f"documents[{i}]", "named twice")
        for i, ref in enumerate(wanted)
        if ref in wanted[:i]
    ]
    loaded: list[Loaded] = []
    for i, share in enumerate(data.documents):
        hit = lookups.documents.get((share.kind, share.key))
        if hit is None:
            errors.append(
                FieldError(f"documents[{i}]", f"no {share.kind} {share.key} on the platform")
            )
            continue
        amount = (
            money_in(share.amount, currency, f"documents[{i}].amount")
            if share.amount is not None
            else None
        )
        loaded.append(Loaded(hit[0], json.loads(hit[1]), i, amount))
    if errors:
        raise ValidationFailed(errors)
    return loaded


def convert_claims(
    session: Session,
    scenario: Scenario,
    claims: Sequence[Claim],
    given: Mapping[tuple[str, str], Decimal],
    request: Request,
    loaded: Sequence[Loaded],
) -> None:
    """Put each claim in its document's currency (rounded up) and apply the scenario's cap."""
    currency, today = request.currency, request.today
    for claim in claims:
        doc = claim.document
        conversion = fx.conversion(session, currency, doc.currency, given, today)
        converted = conversion.apply(claim.allocated_minor, currency, doc.currency)
        cap = scenario.usable_minor(claim, request, loaded)
        if cap is not None and converted > cap:
            raise ScenarioLimitExceeded(
                f"{scenario.name} may use at most {format_amount(cap, doc.currency)} "
                f"{doc.currency} of {doc.kind} {doc.key}; this asks "
                f"{format_amount(converted, doc.currency)}",
                document={
                    "kind": doc.kind,
                    "key": doc.key,
                    "currency": doc.currency,
                    "cap": format_amount(cap, doc.currency),
                    "requested": format_amount(converted, doc.currency),
                },
            )
        claim.reserved_minor = doc.value_minor if doc.single_use else converted
        claim.fx_rate, claim.fx_source = conversion.rate_text, conversion.source


def reserve(
    prepared: Prepared,
    balances: dict[int, DocumentBalance],
    taken: set[tuple[int, str]],
    titles: Titles,
) -> Prepared | CrossfinError:
    """Accept `prepared` against the locked balances (raising them), or say why not.

    A negotiable bill's chain is read here, under its balance lock (the lock every chain
    step takes first), so no step committed before this point goes unseen."""
    entry = prepared.entry
    ref = (entry.bank_org_id, entry.data.external_ref)
    if ref in taken:  # an earlier application of the same batch took it
        return ref_taken()
    # The title first: a bill the applicant may not pledge says nothing of its balance.
    refused = titles.refusal(_attempt(prepared), prepared.applicant.uscc, prepared.loaded)
    if refused is not None:
        return refused
    short = shortfalls(balances, prepared.claims)
    if short:
        return FinancingRefused.of(_attempt(prepared, tuple(short)))
    apply_claims(balances, prepared.claims)
    # Taken now, not at persist: a later application of the batch may raise them again.
    prepared.balance_states = balance_commitment(balances[c.document.id] for c in prepared.claims)
    taken.add(ref)
    return prepared


def _attempt(prepared: Prepared, short: tuple[Shortfall, ...] = ()) -> Attempt:
    """What a refusal records of the attempt (refusals.py)."""
    entry = prepared.entry
    return Attempt(
        entry.bank_org_id,
        prepared.applicant.id,
        prepared.applicant.jurisdiction_path,
        prepared.scenario.name,
        entry.data.external_ref,
        format_amount(prepared.amount, prepared.currency),
        prepared.currency,
        short,
    )


def persist(
    uow: UnitOfWork, accepted: Sequence[Prepared], reservation_hours: int
) -> list[Registered]:
    """Write accepted financings, their uses and ledger events; stamp them last.

    The balances were raised in memory by `reserve`; they flush with everything else.
    """
    if not accepted:
        return []
    session, now = uow.session, utcnow()
    financings = [_financing(p, now, reservation_hours) for p in accepted]
    session.add_all(financings)
    session.flush()
    out, rows = [], []
    for prepared, financing in zip(accepted, financings, strict=True):
        uses = [_use(financing.id, claim) for claim in prepared.claims]
        rows += [_use_row(use) for use in uses]
        with uow.acting_as(prepared.entry.actor):
            receipt = uow.record(
                EventType.FINANCING_REGISTERED,
                subjects={"financing": financing.id},
                content=_registered_content(financing, prepared),
                parties=parties_of(financing) | prepared.scenario.watchers(prepared.loaded),
                state=financing_commitment(financing, uses) | prepared.balance_states,
            )
        docs = {c.document.id: c.document for c in prepared.claims}
        out.append(Registered(financing, uses, receipt, docs, prepared.applicant.uscc))
    # The uses go in as one plain executemany: nothing reads their ids here, and an ORM
    # flush would ask for them back (RETURNING), building one large statement per batch.
    if rows:
        session.execute(insert(_USES), rows)
    stamp(session, *financings)
    stats.add(session, (entry for f in financings for entry in contribution(f)))
    return out


def _financing(p: Prepared, now: datetime, reservation_hours: int) -> Financing:
    data = p.entry.data
    return Financing(
        bank_org_id=p.entry.bank_org_id,
        enterprise_org_id=p.applicant.id,
        insurer_org_id=next(iter(sorted(p.scenario.watchers(p.loaded))), None),
        jurisdiction_path=p.applicant.jurisdiction_path,
        scenario=p.scenario.name,
        external_ref=data.external_ref,
        state=State.REGISTERED.value,
        overdue=False,
        amount_minor=p.amount,
        currency=p.currency,
        disbursed_minor=0,
        repaid_minor=0,
        rate=data.rate,
        trade_class=p.trade_class,
        usd_minor=None if p.usd is None else p.usd.apply(p.amount, p.currency, "USD"),
        usd_rate=None if p.usd is None else p.usd.rate_text,
        usd_rate_source=None if p.usd is None else p.usd.source,
        due_date=data.due_date,
        maker_principal_id=p.entry.maker_principal_id,
        approver_principal_id=None,
        overdue_since=None,
        reserved_until=now + timedelta(hours=reservation_hours),
        offer_id=p.entry.offer_id,
        change_seq=0,
        created_at=now,
        updated_at=now,
    )


def _use(financing_id: int, claim: Claim) -> FinancingUse:
    doc = claim.document
    return FinancingUse(
        financing_id=financing_id,
        document_id=doc.id,
        role=claim.role,
        allocated_minor=claim.allocated_minor,
        reserved_minor=claim.reserved_minor,
        released_minor=0,
        released_alloc_minor=0,
        currency=doc.currency,
        counts_use=doc.single_use,
        active=True,
        fx_rate=claim.fx_rate,
        fx_source=claim.fx_source,
        note=claim.note,
    )


_USES = cast(Table, FinancingUse.__table__)
_USE_COLUMNS = [c.key for c in _USES.columns if c.key != "id"]


def _use_row(use: FinancingUse) -> dict[str, object]:
    return {name: getattr(use, name) for name in _USE_COLUMNS}


def parties_of(financing: Financing) -> set[int]:
    """Organizations entitled to read a financing's ledger records."""
    found = {financing.bank_org_id, financing.enterprise_org_id}
    if financing.insurer_org_id is not None:
        found.add(financing.insurer_org_id)
    return found


def _doc_amount(minor: int, currency: str) -> str:
    return format_amount(minor, currency) if currency else str(minor)


def _registered_content(financing: Financing, prepared: Prepared) -> dict[str, object]:
    applicant, claims = prepared.applicant, prepared.claims
    return {
        "scenario": financing.scenario,
        # The caps version decided under (financing/caps): its number and digest.
        "caps": prepared.caps.named(),
        "external_ref": financing.external_ref,
        "bank": financing.bank_org_id,
        "enterprise": applicant.uscc,
        "amount": format_amount(financing.amount_minor, financing.currency),
        "currency": financing.currency,
        "reserved_until": financing.reserved_until,
        "offer": financing.offer_id,
        "documents": [
            {
                "kind": c.document.kind,
                "key": c.document.key,
                "role": c.role,
                "allocated": format_amount(c.allocated_minor, financing.currency),
                "reserved": _doc_amount(c.reserved_minor, c.document.currency),
                "currency": c.document.currency,
                "fx_rate": c.fx_rate,
                "fx_source": c.fx_source,
                "note": c.note,
            }
            for c in claims
        ],
    }

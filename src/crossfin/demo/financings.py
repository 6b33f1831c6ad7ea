"""Demo financings: F1, F4 and F5 loans in every state, an open F7 need, an F2 query.

Everything goes through the financing services, acting as the people who would do it: a
bank's `<bank>.operator` registers (`registration.register_applications`, as every entry
point does, here inside the load's transaction), disburses, takes repayments and closes
(the maker), its `<bank>.approver` approves or rejects (the checker), a firm's clerk
publishes its need. The
plan (`demo_plan`) is plain data drawn from the demo documents only, so every load plans
the same loans; `load_financings` then adds whatever is missing. A financing is
known by its bank and `external_ref` (`demo-F1-001`...), the need by its firm and purpose,
the credit query by its bank, firm and purpose: a second load adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import select

from crossfin.core.clock import business_date
from crossfin.core.errors import NotFound
from crossfin.core.money import format_amount, parse_amount
from crossfin.demo.dataset import demo_orgs
from crossfin.demo.trade import demo_batches
from crossfin.documents.kinds.registry import get_kind
from crossfin.financing import registration, transitions
from crossfin.financing.errors import FinancingRefused, TitleRefused
from crossfin.financing.market import credit, matchmaking
from crossfin.financing.market.models import CreditQuery, FinancingNeed
from crossfin.financing.market.schemas import DocumentRefIn, NeedIn, OfferIn
from crossfin.financing.models import Financing
from crossfin.financing.schemas import DocumentShareIn, FinancingIn
from crossfin.financing.service import DEFAULT_RESERVATION_HOURS
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.credentials import caller_for
from crossfin.parties.models import Principal, PrincipalKind

Record = dict[str, Any]
DECLARATION, POLICY = "customs_declaration", "insurance_policy"
# The README tour finances this declaration itself (and step 4 verifies it), so the demo
# leaves its whole value free.
TOUR_DECLARATION = "530020260000181241"
# Lifecycle actions that leave a registered financing in each state; "repay-part" repays
# 40 % of the loan, "repay-rest" the remainder.
PATHS: dict[str, tuple[str, ...]] = {
    "registered": (),
    "approved": ("approve",),
    "disbursed": ("approve", "disburse"),
    "partly_repaid": ("approve", "disburse", "repay-part"),
    "repaid": ("approve", "disburse", "repay-part", "repay-rest"),
    "closed": ("approve", "disburse", "repay-part", "repay-rest", "close"),
    "rejected": ("reject",),
    "cancelled": ("approve", "cancel"),
}
NEED_FIRM = "lotus"  # the firm whose admin the tour logs in as
NEED_PURPOSE = "Working capital for the winter shipments to our US buyers"
CREDIT_BANK, CREDIT_FIRM = "bank1", "lotus"
CREDIT_PURPOSE = "Annual review of the export credit line"


class _F1(NamedTuple):
    """An F1 loan on a firm's newest free export declarations (`percent` of their value).

    `currency`: the declarations' currency (default: the newest free one's); `loan_fx`: lend
    in another currency at (currency, rate per declaration unit); `same_as`: rest on the
    declarations of an earlier loan (another bank's share of one balance)."""

    ref: str
    bank: str
    firm: str
    state: str
    percent: int
    declarations: int = 1
    currency: str | None = None
    loan_fx: tuple[str, str] | None = None
    same_as: str | None = None


# Each bank lends to firms in the jurisdictions it serves (bank1 Shenzhen, bank2 Guangdong,
# bank3 Zhejiang, bank4 Ningbo, bank5 Shenzhen, Guangzhou and Ningbo).
_F1_LOANS = (
    _F1("demo-F1-001", "bank1", "lotus", "registered", 80, currency="EUR"),
    _F1("demo-F1-002", "bank1", "kapok", "approved", 70),
    _F1("demo-F1-003", "bank1", "seabreeze", "disbursed", 75, declarations=2),
    _F1("demo-F1-004", "bank1", "kapok", "partly_repaid", 60),
    _F1("demo-F1-005", "bank2", "pearltower", "repaid", 80),
    _F1("demo-F1-006", "bank2", "starharbour", "closed", 70),
    _F1("demo-F1-007", "bank2", "goldenbay", "rejected", 90),
    _F1(
        "demo-F1-008",
        "bank3",
        "willowbank",
        "disbursed",
        60,
        currency="EUR",
        loan_fx=("CNY", "7.6410"),
    ),
    _F1("demo-F1-009", "bank3", "moonlake", "cancelled", 80),
    _F1("demo-F1-010", "bank4", "clearlens", "partly_repaid", 70, declarations=2),
    _F1("demo-F1-011", "bank5", "kapok", "disbursed", 30, same_as="demo-F1-004"),
    _F1("demo-F1-012", "bank5", "jadehill", "registered", 75),
)
# (ref, bank, kind, key, percent of the value, state): F4 on a policy and every declaration
# it lists, F5 on one bill of lading (negotiable: endorsed) and one warehouse receipt.
_PLEDGES = (
    ("demo-F4-001", "bank5", POLICY, "SREC-2026-4403-20756", 50, "disbursed"),
    ("demo-F4-002", "bank4", POLICY, "SREC-2026-3302-21208", 60, "approved"),
    ("demo-F5-001", "bank2", "bill_of_lading", "BDCLYTN2601222", 60, "disbursed"),
    ("demo-F5-002", "bank4", "warehouse_receipt", "BLBW-WR-2026-00543", 60, "partly_repaid"),
)
_REASONS = {
    "reject": "buyer concentration above the branch's limit",
    "cancel": "the buyer paid early; the exporter no longer needs the loan",
}


@dataclass(frozen=True)
class DemoLoan:
    """One planned financing: the application, the state to leave it in, its tenor."""

    bank: str
    firm: str
    state: str
    application: FinancingIn
    tenor_days: int = 120
    valid: tuple[date, date] | None = None  # F4: the policy's validity


@dataclass(frozen=True)
class DemoNeed:
    """The open F7 need and the banks' offers on it."""

    firm: str
    need: NeedIn
    offers: tuple[tuple[str, OfferIn], ...]


@dataclass
class FinancingsResult:
    """What loading the demo financings did; `skipped` names loans the data refused."""

    financings_added: int = 0
    needs_added: int = 0
    offers_added: int = 0
    credit_queries_added: int = 0
    skipped: list[str] = field(default_factory=list)


def _usccs() -> dict[str, str]:
    return {o.key: o.uscc for o in demo_orgs() if o.uscc}


@lru_cache(maxsize=1)
def _by_kind() -> dict[str, tuple[Record, ...]]:
    found: dict[str, tuple[Record, ...]] = {}
    for batch in demo_batches():
        found[batch.kind] = found.get(batch.kind, ()) + batch.records
    return found


def _records(kind: str) -> tuple[Record, ...]:
    """The demo records of `kind` (shared: never modify them)."""
    return _by_kind()[kind]


def _value(records: Sequence[Record], field_name: str) -> int:
    return sum(parse_amount(r[field_name], r["currency"]) for r in records)


def _amount(value_minor: int, percent: int, fx_rate: str | None = None) -> int:
    """`percent` of a value, converted at `fx_rate`, rounded down to whole units (to whole
    hundreds from 10,000 up) so the demo reads like real loans. Demo currencies have 2
    decimals."""
    minor = Decimal(value_minor * percent) / 100 * Decimal(fx_rate or 1)
    whole = int(minor.to_integral_value(ROUND_FLOOR))
    step = 10_000 if whole >= 1_000_000 else 100
    return whole // step * step


class _Picker:
    """Hands out each firm's export declarations, newest first, never one twice."""

    def __init__(self, taken: set[str]) -> None:
        self.exports: dict[str, list[Record]] = {}
        for record in _records(DECLARATION):
            if record["declaration_no"][8] == "0":
                self.exports.setdefault(record["enterprise_uscc"], []).append(record)
        for found in self.exports.values():
            found.sort(key=lambda r: (r["export_date"], r["declaration_no"]), reverse=True)
        self.taken = taken

    def take(self, uscc: str, count: int, currency: str | None) -> list[Record]:
        free = [r for r in self.exports.get(uscc, []) if r["declaration_no"] not in self.taken]
        currency = currency or (free[0]["currency"] if free else None)
        chosen = [r for r in free if r["currency"] == currency][:count]
        if len(chosen) < count:
            raise RuntimeError(
                f"the demo data has fewer than {count} free {currency} declarations of {uscc}"
            )
        self.taken.update(r["declaration_no"] for r in chosen)
        return chosen


def _application(
    ref: str,
    scenario: str,
    uscc: str,
    amount: int,
    currency: str,
    documents: Sequence[tuple[str, str]],
    **extra: Any,
) -> FinancingIn:
    return FinancingIn(
        scenario=scenario,
        external_ref=ref,
        enterprise_uscc=uscc,
        amount=format_amount(amount, currency),
        currency=currency,
        documents=[DocumentShareIn(kind=k, key=key) for k, key in documents],
        **extra,
    )


def _f1_loans(picker: _Picker, usccs: dict[str, str]) -> list[DemoLoan]:
    loans: list[DemoLoan] = []
    chosen: dict[str, list[Record]] = {}
    for n, spec in enumerate(_F1_LOANS):
        uscc = usccs[spec.firm]
        records = (
            chosen[spec.same_as]
            if spec.same_as
            else picker.take(uscc, spec.declarations, spec.currency)
        )
        chosen[spec.ref] = records
        currency = records[0]["currency"]
        loan_ccy, rate = spec.loan_fx or (currency, None)
        extra: dict[str, Any] = {"rate": str(Decimal("3.45") + Decimal("0.10") * (n % 6))}
        if rate is not None:
            extra["fx_rates"] = {f"{currency}/{loan_ccy}": rate}
        app = _application(
            spec.ref,
            "F1",
            uscc,
            _amount(_value(records, "total_value"), spec.percent, rate),
            loan_ccy,
            [(DECLARATION, r["declaration_no"]) for r in records],
            **extra,
        )
        loans.append(DemoLoan(spec.bank, spec.firm, spec.state, app, 90 + 30 * (n % 4)))
    return loans


def _pledge_loans(usccs: dict[str, str]) -> list[DemoLoan]:
    owners = {u: k for k, u in usccs.items()}
    loans = []
    for ref, bank, kind, key, percent, state in _PLEDGES:
        spec = get_kind(kind)
        record = next(r for r in _records(kind) if r[spec.key_field] == key)
        owner, valid = spec.owner_uscc_of(record), None
        documents = [(kind, key)]
        if kind == POLICY:  # F4 rests on the policy and every declaration shipped under it
            listed = [
                r for r in _records(DECLARATION) if r["declaration_no"] in record["declarations"]
            ]
            documents += [(DECLARATION, r["declaration_no"]) for r in listed]
            value, currency = _value(listed, "total_value"), record["currency"]
            valid = (
                date.fromisoformat(record["valid_from"]),
                date.fromisoformat(record["valid_to"]),
            )
        else:
            value, currency = spec.value_of(record)
        app = _application(
            ref,
            "F4" if kind == POLICY else "F5",
            owner,
            _amount(value, percent),
            currency,
            documents,
            rate="4.10",
        )
        loans.append(DemoLoan(bank, owners[owner], state, app, 180, valid))
    return loans


def demo_plan() -> tuple[list[DemoLoan], DemoNeed]:
    """Every planned demo financing in loading order, and the F7 need (the same each call).

    The policies' declarations and the tour's are kept from F1; F1 loans then take their
    firms' newest free declarations, and the need the newest free ones left to its firm.
    """
    usccs = _usccs()
    policies = {key for _, _, kind, key, _, _ in _PLEDGES if kind == POLICY}
    picker = _Picker(
        {TOUR_DECLARATION}
        | {d for r in _records(POLICY) if r["policy_no"] in policies for d in r["declarations"]}
    )
    loans = _pledge_loans(usccs) + _f1_loans(picker, usccs)
    records = picker.take(usccs[NEED_FIRM], 2, "USD")
    amount = _amount(_value(records, "total_value"), 80)
    need = NeedIn(
        amount=format_amount(amount, "USD"),
        currency="USD",
        tenor_days=120,
        purpose=NEED_PURPOSE,
        documents=[DocumentRefIn(kind=DECLARATION, key=r["declaration_no"]) for r in records],
    )
    offers = (
        (
            "bank1",
            OfferIn(
                amount=need.amount,
                currency="USD",
                rate="3.85",
                tenor_days=120,
                note="no arrangement fee",
            ),
        ),
        (
            "bank5",
            OfferIn(
                amount=format_amount(_amount(amount, 90), "USD"),
                currency="USD",
                rate="3.60",
                tenor_days=90,
                note="90 % of the need at a lower rate",
            ),
        ),
    )
    return loans, DemoNeed(NEED_FIRM, need, offers)


# --- loading ----------------------------------------------------------------------------


class _People:
    """The demo users as callers, each looked up once."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.found: dict[str, Caller] = {}

    def __call__(self, username: str) -> Caller:
        if username not in self.found:
            session = self.uow.session
            principal = session.scalars(
                select(Principal).where(
                    Principal.username == username, Principal.kind == PrincipalKind.USER.value
                )
            ).one()
            self.found[username] = caller_for(session, principal)
        return self.found[username]


def load_financings(uow: UnitOfWork, org_ids: dict[str, int]) -> FinancingsResult:
    """Add whatever demo financing, need, offer or credit query is missing.

    Preconditions: the demo organizations, users, documents and consents are loaded
    (`org_ids` maps the organizations' keys to ids). The caller commits.
    """
    result, people = FinancingsResult(), _People(uow)
    loans, need = demo_plan()
    _load_loans(uow, people, org_ids, loans, result)
    _load_need(uow, people, org_ids, need, result)
    _load_credit_query(uow, people, org_ids, result)
    return result


def _load_loans(
    uow: UnitOfWork,
    people: _People,
    org_ids: dict[str, int],
    loans: Sequence[DemoLoan],
    result: FinancingsResult,
) -> None:
    existing = set(
        uow.session.execute(
            select(Financing.bank_org_id, Financing.external_ref).where(
                Financing.external_ref.startswith("demo-")
            )
        )
    )
    today = business_date()
    for loan in loans:
        ref = loan.application.external_ref
        if (org_ids[loan.bank], ref) in existing:
            continue
        if loan.valid is not None and not loan.valid[0] <= today <= loan.valid[1]:
            result.skipped.append(ref)  # the demo policies are 2026's; they run out
            continue
        maker = people(f"{loan.bank}.operator")
        with uow.acting_as(maker.actor):
            [outcome] = registration.register_applications(
                Transactions.within(uow),
                [registration.Application(maker, loan.application)],
                DEFAULT_RESERVATION_HOURS,
            )
        if isinstance(outcome, (FinancingRefused, TitleRefused)):
            # Someone financed these documents first, or the bill's chain moved on (e.g. in
            # an older demo database); the refused attempt is recorded, as for any bank.
            result.skipped.append(ref)
            continue
        _advance(uow, people, loan, registration.registered(outcome).financing.id, today)
        result.financings_added += 1


def _advance(
    uow: UnitOfWork, people: _People, loan: DemoLoan, financing_id: int, today: date
) -> None:
    """Take a registered financing along `PATHS[loan.state]`, maker and checker in turn."""
    maker, checker = people(f"{loan.bank}.operator"), people(f"{loan.bank}.approver")
    ccy, fid = loan.application.currency, financing_id
    amount = parse_amount(loan.application.amount, ccy)
    part = _amount(amount, 40)
    steps: dict[str, tuple[Caller, Callable[[Caller], object]]] = {
        "approve": (checker, lambda c: transitions.approve(uow, c, fid, "documents verified")),
        "reject": (checker, lambda c: transitions.reject(uow, c, fid, _REASONS["reject"])),
        "cancel": (maker, lambda c: transitions.cancel(uow, c, fid, _REASONS["cancel"])),
        "disburse": (
            maker,
            lambda c: transitions.disburse(uow, c, fid, today + timedelta(days=loan.tenor_days)),
        ),
        "repay-part": (maker, lambda c: transitions.repay(uow, c, fid, format_amount(part, ccy))),
        "repay-rest": (
            maker,
            lambda c: transitions.repay(uow, c, fid, format_amount(amount - part, ccy)),
        ),
        "close": (maker, lambda c: transitions.close(uow, c, fid)),
    }
    for step in PATHS[loan.state]:
        who, act = steps[step]
        with uow.acting_as(who.actor):
            act(who)


def _load_need(
    uow: UnitOfWork,
    people: _People,
    org_ids: dict[str, int],
    need: DemoNeed,
    result: FinancingsResult,
) -> None:
    """Publish the need and both offers, unless the firm already has it (in any status)."""
    found = uow.session.scalar(
        select(FinancingNeed.id).where(
            FinancingNeed.enterprise_org_id == org_ids[need.firm],
            FinancingNeed.purpose == need.need.purpose,
        )
    )
    if found is not None:
        return
    clerk = people(f"{need.firm}.clerk")
    with uow.acting_as(clerk.actor):
        row, _ = matchmaking.publish_need(uow, clerk, need.need)
    result.needs_added += 1
    for bank, offer in need.offers:
        operator = people(f"{bank}.operator")
        with uow.acting_as(operator.actor):
            matchmaking.make_offer(uow, operator, row.id, offer)
        result.offers_added += 1


def _load_credit_query(
    uow: UnitOfWork, people: _People, org_ids: dict[str, int], result: FinancingsResult
) -> None:
    """bank1 reads the profile its consenting client shows now that it has financings."""
    found = uow.session.scalar(
        select(CreditQuery.id).where(
            CreditQuery.bank_org_id == org_ids[CREDIT_BANK],
            CreditQuery.enterprise_org_id == org_ids[CREDIT_FIRM],
            CreditQuery.purpose == CREDIT_PURPOSE,
        )
    )
    if found is not None:
        return
    operator = people(f"{CREDIT_BANK}.operator")
    with uow.acting_as(operator.actor):
        try:
            credit.query_profile(uow, operator, _usccs()[CREDIT_FIRM], CREDIT_PURPOSE)
        except NotFound:  # the firm has revoked its consent meanwhile
            result.skipped.append("credit query")
            return
    result.credit_queries_added += 1

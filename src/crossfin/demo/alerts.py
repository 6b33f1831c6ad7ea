"""Demo alerts raised by real attempts, and one case in progress, so the regulators' pages
are not empty: what the services do for any bank, nothing written around them.

- one Shenzhen export declaration already financed by bank 1 is tried again, for its whole
  value, by banks 1, 2 and 5 (`demo-alert-F1-bank1`...): three `over-financing` (or
  `duplicate-financing`) alerts, and the third bank raises `document-tried-at-many-banks`;
  the first refusal's alert opens a case as it is raised, the others join it;
- bank 1 submits a P2 payment of USD 60,000 for the class-A service importer with no tax
  filing (`demo-alert-P2-001`): refused, a `payment-without-documents` alert (its own case);
- the Guangdong branch (`safe-gd.admin`) assigns the firm's case to the admin of the office
  handling the firm's county (`safe-nanshan.admin`, Shenzhen's dispatched office at Nanshan),
  who starts investigating and notes what was asked;
- bank 2 lends to Pearl Tower (Guangzhou) on a free declaration (`demo-alert-F1-overdue`),
  disbursed with a value date 120 days back and due 30 days ago (a loan taken before the
  demo's "today"), and the real overdue sweep flags it: an `overdue` alert.

The class-C attempt and the filing overpayment come with the payments demo. Idempotent:
nothing is tried again once the many-banks alert exists, nor lent once the overdue loan does.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import exists, func, select

from crossfin.core.clock import business_date
from crossfin.core.money import format_amount
from crossfin.demo.dataset import demo_orgs
from crossfin.demo.financings import TOUR_DECLARATION, _People
from crossfin.demo.service_payments import _filing
from crossfin.documents.models import Document
from crossfin.financing import registration, sweeps, transitions
from crossfin.financing.models import Financing, FinancingUse
from crossfin.financing.schemas import DocumentShareIn, FinancingIn
from crossfin.financing.service import Registered
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.alerts import Alert, AlertKind
from crossfin.parties.models import Organization, Principal, PrincipalKind, Role
from crossfin.payments import submission
from crossfin.payments.schemas import PaymentIn
from crossfin.supervision.casework import service as cases
from crossfin.supervision.models import AlertCase

BANKS = ("bank1", "bank2", "bank5")
HOURS = 72
OVERDUE_REF, OVERDUE_BANK, OVERDUE_FIRM = "demo-alert-F1-overdue", "bank2", "pearltower"
LENT_DAYS_AGO, DUE_DAYS_AGO = 120, 30


def load_alerts(uow: UnitOfWork) -> int:
    """Run the demo's refused attempts, its case and its overdue loan, once; how many
    alerts were raised."""
    session = uow.session
    before = session.scalar(select(Alert.id).order_by(Alert.id.desc()).limit(1)) or 0
    people = _People(uow)
    if not session.scalar(
        select(Alert.id).where(Alert.kind == AlertKind.MANY_BANKS.value).limit(1)
    ):
        _refused_attempts(uow, people)
        _payment_without_filing(uow, people)
        _case_in_progress(uow, people)
    _overdue_loan(uow, people)
    return len(list(session.scalars(select(Alert.id).where(Alert.id > before))))


def _refused_attempts(uow: UnitOfWork, people: _People) -> None:
    picked = _financed_declaration(uow)
    if picked is None:
        return
    doc, uscc = picked
    for bank in BANKS:
        maker = people(f"{bank}.operator")
        data = FinancingIn(
            scenario="F1",
            external_ref=f"demo-alert-F1-{bank}",
            enterprise_uscc=uscc,
            amount=format_amount(doc.value_minor or 0, doc.currency or "USD"),
            currency=doc.currency or "USD",
            documents=[DocumentShareIn(kind=doc.kind, key=doc.key)],
        )
        with uow.acting_as(maker.actor):
            registration.register_applications(
                Transactions.within(uow), [registration.Application(maker, data)], HOURS
            )


def _financed_declaration(uow: UnitOfWork) -> tuple[Document, str] | None:
    """A customs declaration of a Shenzhen firm that a live demo loan of bank 1 uses."""
    query = (
        select(Document, Organization.uscc)
        .join(FinancingUse, FinancingUse.document_id == Document.id)
        .join(Financing, Financing.id == FinancingUse.financing_id)
        .join(Organization, Organization.id == Financing.enterprise_org_id)
        .where(
            Document.kind == "customs_declaration",
            Financing.external_ref.startswith("demo-F1-"),
            Financing.state.in_(("approved", "disbursed", "partly_repaid")),
            Financing.jurisdiction_path.startswith("/000000/440000/440300/"),
        )
        .order_by(Financing.id)
        .limit(1)
    )
    row = uow.session.execute(query).first()
    return (row[0], row[1]) if row is not None and row[1] else None


def _payment_without_filing(uow: UnitOfWork, people: _People) -> None:
    filing = _filing()
    if filing is None:
        return
    maker = people("bank1.operator")
    body = PaymentIn.model_validate(
        {
            "scenario": "P2",
            "external_ref": "demo-alert-P2-001",
            "payer_uscc": filing["payer_uscc"],
            "payee": {
                "name": filing["payee_name"],
                "country": filing["payee_country"],
                "bic": "DEUTDEFF",
            },
            "amount": "60000.00",
            "currency": "USD",
            "purpose_code": "228010",
            "documents": [],
        }
    )
    with uow.acting_as(maker.actor):
        submission.submit(Transactions.within(uow), maker, [body])


def _case_in_progress(uow: UnitOfWork, people: _People) -> None:
    """The firm's case, opened as the first refusal was raised (or by hand, if a regulator
    turned `opens_case` off), assigned and being investigated."""
    alert = uow.session.scalars(
        select(Alert).where(Alert.kind == AlertKind.MANY_BANKS.value).limit(1)
    ).first()
    if alert is None:
        return
    province = people("safe-gd.admin")
    with uow.acting_as(province.actor):
        case_id = alert.case_id
        if case_id is None:
            case_id = cases.open_case(uow, province, alert.id)[0].id
        case = uow.session.get(AlertCase, case_id)
        assert case is not None
        # To the office that handles the firm's county (a Nanshan firm: Shenzhen's
        # dispatched office there), as a branch routes a case.
        username = uow.session.scalars(
            select(Principal.username)
            .where(
                Principal.org_id == case.handling_org_id,
                Principal.kind == PrincipalKind.USER.value,
                Principal.role == Role.ADMIN.value,
            )
            .order_by(Principal.id)
            .limit(1)
        ).one()
        city = people(username or "")
        cases.assign(uow, province, case_id, city.principal_id)
    with uow.acting_as(city.actor):
        cases.move(uow, city, case_id, cases.CaseState.INVESTIGATING)
        cases.add_note(
            uow,
            city,
            case_id,
            "Three banks tried one declaration within a day: asked bank 1 for its loan file "
            "and the firm for its sales contracts.",
        )


def _overdue_loan(uow: UnitOfWork, people: _People) -> None:
    """A loan lent before the demo's today and due 30 days ago, then the overdue sweep."""
    session = uow.session
    if session.scalar(select(Financing.id).where(Financing.external_ref == OVERDUE_REF)):
        return
    uscc = next(o.uscc or "-" for o in demo_orgs() if o.key == OVERDUE_FIRM)
    doc = _free_declaration(uow, uscc)
    if doc is None:
        return
    maker, checker = people(f"{OVERDUE_BANK}.operator"), people(f"{OVERDUE_BANK}.approver")
    data = FinancingIn(
        scenario="F1",
        external_ref=OVERDUE_REF,
        enterprise_uscc=uscc,
        amount=format_amount(doc.value_minor * 60 // 100 // 100 * 100, doc.currency),
        currency=doc.currency,
        documents=[DocumentShareIn(kind=doc.kind, key=doc.key)],
        rate="3.95",
    )
    today = business_date()
    with uow.acting_as(maker.actor):
        [outcome] = registration.register_applications(
            Transactions.within(uow), [registration.Application(maker, data)], HOURS
        )
    if not isinstance(outcome, Registered):
        return
    fid = outcome.financing.id
    with uow.acting_as(checker.actor):
        transitions.approve(uow, checker, fid, "documents verified")
    with uow.acting_as(maker.actor):
        lent = today - timedelta(days=LENT_DAYS_AGO)
        transitions.disburse(uow, maker, fid, today - timedelta(days=DUE_DAYS_AGO), lent)
    with uow.acting_as(sweeps.SWEEPER):
        sweeps.flag_overdue(Transactions.within(uow), today)


def _free_declaration(uow: UnitOfWork, uscc: str) -> Document | None:
    """The firm's newest export declaration that no financing uses (nor the README tour)."""
    used = exists().where(FinancingUse.document_id == Document.id)
    return uow.session.scalars(
        select(Document)
        .where(
            Document.kind == "customs_declaration",
            Document.owner_uscc == uscc,
            func.substr(Document.key, 9, 1) == "0",
            Document.key != TOUR_DECLARATION,
            ~used,
        )
        .order_by(Document.id.desc())
        .limit(1)
    ).first()

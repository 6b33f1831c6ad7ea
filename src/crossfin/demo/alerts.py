"""Demo alerts raised by real attempts, and one case in progress, so the regulators' pages
are not empty: what the services do for any bank, nothing written around them.

- one Shenzhen export declaration already financed by bank 1 is tried again, for its whole
  value, by banks 1, 2 and 5 (`demo-alert-F1-bank1`...): three `over-financing` (or
  `duplicate-financing`) alerts, and the third bank raises `document-tried-at-many-banks`;
- bank 1 submits a P2 payment of USD 60,000 for the class-A service importer with no tax
  filing (`demo-alert-P2-001`): refused, a `payment-without-documents` alert;
- the Guangdong branch (`safe-gd.admin`) opens a case from the many-banks alert, assigns
  it to the admin of the office handling the firm's county (`safe-nanshan.admin`, Shenzhen's
  dispatched office at Nanshan), who starts investigating and notes what was asked.

The class-C attempt and the filing overpayment come with the payments demo. Idempotent:
nothing is tried again once the many-banks alert exists.
"""

from __future__ import annotations

from sqlalchemy import select

from crossfin.core.money import format_amount
from crossfin.demo.financings import _People
from crossfin.demo.service_payments import _filing
from crossfin.documents.models import Document
from crossfin.financing import registration
from crossfin.financing.models import Financing, FinancingUse
from crossfin.financing.schemas import DocumentShareIn, FinancingIn
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.alerts import Alert, AlertKind
from crossfin.parties.models import Organization, Principal, PrincipalKind, Role
from crossfin.payments import submission
from crossfin.payments.schemas import PaymentIn
from crossfin.supervision.casework import service as cases

BANKS = ("bank1", "bank2", "bank5")
HOURS = 72


def load_alerts(uow: UnitOfWork) -> int:
    """Run the demo's refused attempts and open its case, once; how many alerts were raised."""
    session = uow.session
    if session.scalar(select(Alert.id).where(Alert.kind == AlertKind.MANY_BANKS.value).limit(1)):
        return 0
    before = session.scalar(select(Alert.id).order_by(Alert.id.desc()).limit(1)) or 0
    people = _People(uow)
    picked = _financed_declaration(uow)
    if picked is not None:
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
    _payment_without_filing(uow, people)
    _case_in_progress(uow, people)
    return len(list(session.scalars(select(Alert.id).where(Alert.id > before))))


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
    alert_id = uow.session.scalar(
        select(Alert.id).where(Alert.kind == AlertKind.MANY_BANKS.value).limit(1)
    )
    if alert_id is None:
        return
    province = people("safe-gd.admin")
    with uow.acting_as(province.actor):
        case, _, _ = cases.open_case(uow, province, alert_id)
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
        cases.assign(uow, province, case.id, city.principal_id)
    with uow.acting_as(city.actor):
        cases.move(uow, city, case.id, cases.CaseState.INVESTIGATING)
        cases.add_note(
            uow,
            city,
            case.id,
            "Three banks tried one declaration within a day: asked bank 1 for its loan file "
            "and the firm for its sales contracts.",
        )

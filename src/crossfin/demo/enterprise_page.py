"""The demo's enterprise page: the firm of the demo case (docs/supervision.md, "The demo")
already has documents, financings at several banks, alerts and the case; here it also
pays a freight invoice through P3 at bank 1 (`demo-P3-case-firm`: approved and paid) and
gets last year's annual evaluation, class A, imported by the Guangdong branch, so that
`/enterprises/{id}` shows every part to `safe-gd.admin`.

Through the same use cases as everything else (`payments.submission.submit`, the
transitions, `parties.classes.imports.import_classes`). Idempotent: the payment is made
once, and the same annual file imported again answers its first report.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from crossfin.core.clock import business_date
from crossfin.demo.financings import _People, _records
from crossfin.demo.payments import BANK, _body
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.alerts import Alert, AlertKind
from crossfin.parties.classes.imports import import_classes
from crossfin.parties.models import Organization
from crossfin.payments import submission, transitions
from crossfin.payments.models import Payment
from crossfin.payments.service import Submitted

REF = "demo-P3-case-firm"
REGULATOR_USER = "safe-gd.admin"


def case_firm(uow: UnitOfWork) -> Organization | None:
    """The enterprise of the demo's case in progress: the firm whose declaration was tried
    at many banks (None before the alerts are loaded). Not merely the first case: cases
    open as alerts are raised, and the payments demo's refusals come first."""
    query = (
        select(Organization)
        .join(Alert, Alert.subject_org_id == Organization.id)
        .where(Alert.kind == AlertKind.MANY_BANKS.value)
        .order_by(Alert.id)
        .limit(1)
    )
    return uow.session.scalars(query).first()


def load_enterprise_page(uow: UnitOfWork) -> tuple[int, int]:
    """Add the case firm's payment and annual class if missing: (payments, class rows)
    added."""
    firm = case_firm(uow)
    if firm is None or not firm.uscc:
        return 0, 0
    people = _People(uow)
    paid = _pay_freight(uow, people, firm.uscc)
    regulator = people(REGULATOR_USER)
    with uow.acting_as(regulator.actor):
        report = import_classes(uow, regulator, annual_result(firm.uscc, business_date().year))
    return paid, 0 if report.replayed else report.applied


def annual_result(uscc: str, year: int) -> bytes:
    """Last year's evaluation: class A from 1 January of this year."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("uscc", "class", "effective_from", "period", "reason"))
    period = str(year - 1)
    reason = f"annual evaluation {period}: receipts on time, one case under review"
    writer.writerow((uscc, "A", f"{year}-01-01", period, reason))
    return out.getvalue().encode()


def _pay_freight(uow: UnitOfWork, people: _People, uscc: str) -> int:
    if uow.session.scalar(select(Payment.id).where(Payment.external_ref == REF)) is not None:
        return 0
    invoices = [
        r for r in _records("vat_invoice") if r["category"] == "freight" and r["buyer_uscc"] == uscc
    ]
    if not invoices:
        return 0
    maker, checker = people(f"{BANK}.operator"), people(f"{BANK}.approver")
    body = _body(0, invoices[0], uscc).model_copy(update={"external_ref": REF})
    with uow.acting_as(maker.actor):
        [outcome], _ = submission.submit(Transactions.within(uow), maker, [body])
    if not isinstance(outcome, Submitted):
        return 0  # e.g. an older demo database paid the invoice already
    with uow.acting_as(checker.actor):
        transitions.approve(uow, checker, outcome.payment_id, "demo: freight invoice checked")
    with uow.acting_as(maker.actor):
        transitions.pay(uow, maker, outcome.payment_id)
    return 1

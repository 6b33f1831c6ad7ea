"""Demo licence applications at every stage, through the same use cases as the API.

The working-day calendar installed covers 2026 only, so a clock counted from a date late
in the year would reach 2027 and show no deadline. The applications are therefore acted
on as of business days in October and November 2026 (`as_of_business_day`: clock
starts, pauses, acceptance and decision days take those dates; timestamps and the
ledger's times stay real), so both clocks of each fall inside 2026.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from crossfin.core.clock import as_of_business_day
from crossfin.filings import attachments, drafting, workflow
from crossfin.filings.builtin import load_builtin
from crossfin.filings.catalogue import form_in_force
from crossfin.filings.licences import service
from crossfin.filings.licences.rules import licence_definition
from crossfin.filings.licences.schemas import ExtendIn
from crossfin.filings.models import Filing
from crossfin.filings.schemas import FilingIn, OutcomeIn, SubmitIn
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.models import Organization

REGULATOR = "safe-sz.admin"
FX, ACCOUNT, EXCHANGE = "LIC-FX-SETTLEMENT", "LIC-SPECIAL-ACCOUNT", "LIC-MONEY-EXCHANGE"
# A one-page PDF stands in for each material.
MATERIAL = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass(frozen=True)
class Demo:
    """One application: who applies for what, and its steps (business day, action)."""

    applicant: str  # the demo org key; its admin acts
    form: str
    steps: tuple[tuple[date, str], ...]


D = date
APPLICATIONS = (
    Demo("lotus", EXCHANGE, ((D(2026, 11, 20), "draft"),)),
    Demo("kapok", ACCOUNT, ((D(2026, 11, 26), "draft"), (D(2026, 11, 26), "submit"))),
    Demo("seabreeze", EXCHANGE, ((D(2026, 11, 2), "submit"), (D(2026, 11, 4), "return"))),
    Demo("goldenbay", ACCOUNT, ((D(2026, 11, 9), "submit"), (D(2026, 11, 11), "accept"))),
    Demo(
        "bank1",
        FX,
        ((D(2026, 10, 30), "submit"), (D(2026, 11, 2), "accept"), (D(2026, 11, 16), "extend")),
    ),
    Demo(
        "jadehill",
        EXCHANGE,
        (
            (D(2026, 10, 12), "submit"),
            (D(2026, 10, 13), "return"),
            (D(2026, 10, 16), "resubmit"),
            (D(2026, 10, 19), "accept"),
            (D(2026, 11, 10), "approve"),
        ),
    ),
    Demo(
        "pinecrest",
        ACCOUNT,
        ((D(2026, 10, 26), "submit"), (D(2026, 10, 28), "accept"), (D(2026, 11, 20), "refuse")),
    ),
    Demo("swiftsail", ACCOUNT, ((D(2026, 11, 3), "submit"), (D(2026, 11, 5), "reject"))),
    Demo("dawnpeak", EXCHANGE, ((D(2026, 10, 26), "submit"), (D(2026, 10, 30), "withdraw"))),
)
BASICS = {"contact": "demo contact +86 755 0000 0000", "summary": "Demo application"}
REASONS = {
    "return": "请补充经营场所租赁合同 / Please add the premises lease",
    "extend": "需现场核查 / An on-site inspection is needed",
    "approve": "材料齐全，符合法定条件 / Complete and meets the legal conditions",  # noqa: RUF001
    "refuse": "账户用途与贸易背景不符 / The purpose does not match the trade",
    "reject": "不属于本机关职权范围 / Not within this office's remit",
}


def load_licences(uow: UnitOfWork) -> int:
    """Add the demo applications not yet there (one per applicant and licence type);
    the caller commits. Returns how many were added. Needs the demo users."""
    from crossfin.demo.financings import _People

    people = _People(uow)
    load_builtin(uow)
    added = 0
    for demo in APPLICATIONS:
        applicant = people(f"{demo.applicant}.admin")
        if _exists(uow, applicant, demo.form):
            continue
        filing_id = 0
        for day, action in demo.steps:
            with as_of_business_day(day):
                filing_id = _act(uow, people, applicant, demo, filing_id, action)
        added += 1
    return added


def _exists(uow: UnitOfWork, applicant: Caller, form: str) -> bool:
    query = select(Filing.id).where(
        Filing.filer_org_id == applicant.org_id, Filing.form_code == form
    )
    return uow.session.scalar(query.limit(1)) is not None


def _act(
    uow: UnitOfWork,
    people: Callable[[str], Caller],
    applicant: Caller,
    demo: Demo,
    filing_id: int,
    action: str,
) -> int:
    """One step as of the current business day; the application's id."""
    if not filing_id:
        filing_id = _draft(uow, applicant, demo.form)
        if action == "draft":
            return filing_id
    regulator = people(REGULATOR)
    moves: dict[str, Callable[[], Any]] = {
        "submit": lambda: workflow.submit(uow, applicant, filing_id, SubmitIn()),
        "resubmit": lambda: workflow.resubmit(uow, applicant, filing_id, SubmitIn()),
        "withdraw": lambda: workflow.withdraw(uow, applicant, filing_id, None),
        "accept": lambda: workflow.accept(uow, regulator, filing_id),
        "return": lambda: workflow.return_for_supplement(
            uow, regulator, filing_id, REASONS["return"]
        ),
        "extend": lambda: service.extend(
            uow, regulator, filing_id, ExtendIn(reason=REASONS["extend"], approver="王强 副局长")
        ),
        "reject": lambda: workflow.close(
            uow, regulator, filing_id, OutcomeIn(outcome="rejected", reasons=REASONS["reject"])
        ),
        "approve": lambda: _decide(uow, regulator, filing_id, "approved", REASONS["approve"]),
        "refuse": lambda: _decide(uow, regulator, filing_id, "refused", REASONS["refuse"]),
    }
    actor = applicant if action in ("submit", "resubmit", "withdraw") else regulator
    with uow.acting_as(actor.actor):
        moves[action]()
    return filing_id


def _draft(uow: UnitOfWork, applicant: Caller, form_code: str) -> int:
    """A draft with every material attached."""
    org = uow.session.get_one(Organization, applicant.org_id)
    content = {"applicant_name": org.name_zh or org.name, **BASICS}
    form = form_in_force(uow.session, form_code)
    with uow.acting_as(applicant.actor):
        data = FilingIn(form=form_code, content=content)
        filing, _ = drafting.create_filing(uow, applicant, data)
        for m in licence_definition(form).materials:
            name = f"{m.code}.pdf"
            attachments.attach(uow, applicant, filing.id, name, "application/pdf", MATERIAL, m.code)
    return filing.id


def _decide(uow: UnitOfWork, regulator: Caller, filing_id: int, outcome: str, reasons: str) -> Any:
    workflow.review(uow, regulator, filing_id, None)
    return workflow.decide(uow, regulator, filing_id, OutcomeIn(outcome=outcome, reasons=reasons))

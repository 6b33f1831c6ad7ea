"""The demo's class history: a Guangdong firm's two annual results, imported by the
Guangdong branch through the import use case (parties/classes/imports.py).

The firm was classed B, then A again: B from 1 January of last
year (the evaluation of the year before), A from 1 January of this year (last year's
evaluation). Dates follow the calendar so that a demo loaded any year shows the same
story; a second load imports the same files, which the import answers with its first
report and records nothing.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from crossfin.core.clock import business_date
from crossfin.demo.dataset import demo_orgs
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.classes.imports import import_classes
from crossfin.parties.credentials import caller_for
from crossfin.parties.models import Principal

REGULATOR = "safe-gd"
REGULATOR_USER = "safe-gd.admin"


def history_firm_uscc() -> str:
    """The first Guangdong firm onboarded as class A: the one with a history."""
    for org in demo_orgs():
        guangdong = org.kind == "enterprise" and org.jurisdictions[0].startswith("44")
        if guangdong and (org.trade_class or "A") == "A" and org.uscc:
            return org.uscc
    raise LookupError("the demo has no class A firm in Guangdong")


def annual_results(uscc: str, year: int) -> list[bytes]:
    """The two result files, oldest first."""
    rows = [
        ("B", f"{year - 1}-01-01", str(year - 2), "export receipts late beyond 90 days"),
        ("A", f"{year}-01-01", str(year - 1), "receipts on time, records complete"),
    ]
    files = []
    for klass, effective, period, reason in rows:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("uscc", "class", "effective_from", "period", "reason"))
        writer.writerow((uscc, klass, effective, period, f"annual evaluation {period}: {reason}"))
        files.append(out.getvalue().encode())
    return files


def load_classes(uow: UnitOfWork) -> int:
    """Import the demo's class results; how many history rows were added."""
    principal = uow.session.scalars(
        select(Principal).where(Principal.username == REGULATOR_USER)
    ).one()
    regulator = caller_for(uow.session, principal)
    added = 0
    with uow.acting_as(regulator.actor):
        for content in annual_results(history_firm_uscc(), business_date().year):
            report = import_classes(uow, regulator, content)
            added += 0 if report.replayed else report.applied
    return added

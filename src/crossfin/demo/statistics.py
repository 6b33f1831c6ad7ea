"""The demo's statistics filings (docs/filings.md, "Statistics filing"): the forms crossfin
ships, and EFAL-M monthly reports from three banks, through the API's use cases
(`drafting.create_filing`, `workflow.submit`, `workflow.accept`):

- bank 1 (Shenzhen) files last month's report, clean, accepted by SAFE Shenzhen;
- bank 3 (Zhejiang) has drafted last month's report with errors (a closing position off
  by 500.00 against the stock-flow identity, and the summary not adding up), visible on
  its draft and in the per-cell report;
- bank 4 (Ningbo) submits the report of the month before last, after its deadline
  (10 working days from the month's end), so it is flagged late.

"Last month" is the month before the day the demo loads: loaded within ten working days
of a month's end, the clean report is in time; loaded later, it is late too (the demo
cannot backdate a submission). Idempotent: a bank's report of a period is filed once.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from crossfin.core.clock import business_date
from crossfin.demo.financings import _People
from crossfin.filings import drafting, workflow
from crossfin.filings.builtin import load_builtin
from crossfin.filings.forms.content import previous_period
from crossfin.filings.models import Filing
from crossfin.filings.schemas import FilingIn, SubmitIn
from crossfin.ledger.uow import UnitOfWork

FORM = "EFAL-M"
FLOWS = ("TRN", "PRC", "EXR", "OTH")
# instrument, country, currency, opening, transactions, price, exchange-rate changes (minor units)
ROWS = (
    ("A01", "US", "USD", 1_250_000_00, 35_000_00, 0, 0),
    ("A01", "HK", "HKD", 3_100_000_00, 150_000_00, 0, -12_500_00),
    ("A02", "SG", "USD", 900_000_00, 50_000_00, 0, 0),
    ("A03", "DE", "EUR", 220_000_00, 0, -3_250_00, 1_100_00),
    ("L01", "HK", "USD", 1_700_000_00, -60_000_00, 0, 0),
    ("L02", "JP", "JPY", 150_000_000, 10_000_000, 0, -2_500_000),
)


def monthly_content(period: str, scale: int = 1) -> dict[str, Any]:
    """A consistent EFAL-M report: each closing = opening + flows; S1 sums A1."""
    detail: list[dict[str, Any]] = []
    for instr, ctry, ccy, opn, trn, prc, exr in ROWS:
        values = {"OPN": opn * scale, "TRN": trn * scale, "PRC": prc * scale,
                  "EXR": exr * scale, "OTH": 0}  # fmt: skip
        values["CLS"] = values["OPN"] + sum(values[f] for f in FLOWS)
        detail.append({"INSTR": instr, "CTRY": ctry, "CCY": ccy, **values})
    sums: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in detail:
        for col in ("OPN", *FLOWS, "CLS"):
            sums[(row["INSTR"], row["CCY"])][col] += row[col]
    summary = [{"INSTR": i, "CCY": c, **cols} for (i, c), cols in sums.items()]
    return {"form": FORM, "version": 1, "period": period, "tables": {"A1": detail, "S1": summary}}


def load_statistics(uow: UnitOfWork) -> int:
    """Load the shipped forms and the three banks' reports if missing; filings added."""
    load_builtin(uow)
    people = _People(uow)
    last = previous_period(f"{business_date():%Y-%m}")
    before = previous_period(last)
    added = 0
    broken = monthly_content(last, 3)
    broken["tables"]["A1"][1]["CLS"] += 500_00
    plans = (
        ("bank1.operator", last, monthly_content(last, 2), "safe-sz.admin"),
        ("bank3.operator", last, broken, None),
        ("bank4.operator", before, monthly_content(before), None),
    )
    for username, period, content, acceptor in plans:
        filer = people(username)
        if _filed(uow, filer.org_id, period):
            continue
        with uow.acting_as(filer.actor):
            filing, _ = drafting.create_filing(
                uow, filer, FilingIn(form=FORM, period=period, content=content)
            )
            if username != "bank3.operator":  # bank 3's draft keeps its errors
                workflow.submit(uow, filer, filing.id, SubmitIn())
        if acceptor is not None:
            regulator = people(acceptor)
            with uow.acting_as(regulator.actor):
                workflow.accept(uow, regulator, filing.id)
        added += 1
    return added


def _filed(uow: UnitOfWork, org_id: int, period: str) -> bool:
    query = select(Filing.id).where(
        Filing.filer_org_id == org_id, Filing.form_code == FORM, Filing.period == period
    )
    return uow.session.scalars(query.limit(1)).first() is not None

"""Demo FX risk reports in several states, through the same use cases as the API:

- a draft at bank 5's Qianhai branch (`bank5-qh.operator`), waiting for its head office;
- one drafted by bank 5 itself (a bank without parent files its own), linking an alert its
  own refused financing raised and one of its financings where it has any: filed and
  acknowledged by SAFE Shenzhen (`safe-sz.admin`);
- one by bank 1 linking one of its payments: filed, acknowledged, returned for more;
- one by the Qianhai branch, filed by bank 5, reviewed and closed (`monitoring`).

Each is about Lotus (a Nanshan firm): without a named jurisdiction it goes to its
county's regulators. Discovered a few days before the demo's "today", so deadlines fall
inside the installed calendar unless the demo loads in late December; one is discovered
20 days back, so it shows overdue. Idempotent: nothing is added once a demo bank has one.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from crossfin.core.clock import business_date
from crossfin.core.settings import Settings
from crossfin.demo.financings import _People
from crossfin.filings import drafting, workflow
from crossfin.filings.builtin import load_builtin
from crossfin.filings.models import Filing
from crossfin.filings.schemas import FilingIn, OutcomeIn, SubmitIn
from crossfin.financing.models import Financing
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alerts import Alert
from crossfin.parties.models import Organization
from crossfin.payments.models import Payment

FORM = "RISK-REPORT"
BANKS = ("bank5-qh", "bank5", "bank1")
SUBJECT = "lotus"
REGULATOR = "safe-sz.admin"
# What each bank saw (Chinese punctuation on purpose), and what every report then says.
CHECKED = "经核查客户交易背景、资金流向及相关单证，上述情形与其经营规模和历史交易明显不符。"  # noqa: RUF001
NARRATIVES = {
    "DRAFT": "疑似虚假贸易：报关货值与同类商品市价严重偏离，货款次日即转付无关第三方。",  # noqa: RUF001
    "FILED": "同一批报关单在多家银行重复申请融资，金额超过货值。",  # noqa: RUF001
    "ASKED": "服务贸易付汇频繁拆分，收款方与合同主体不一致，疑似虚构交易背景。",  # noqa: RUF001
    "CLOSED": "个人账户集中收取多笔小额汇款后当日汇往境外，疑似地下钱庄。",  # noqa: RUF001
}


def _report(
    firm: Organization, discovered: date, links: list[dict[str, Any]], narrative: str
) -> dict[str, Any]:
    return {
        "category": "false_trade",
        "discovered_on": discovered.isoformat(),
        "subjects": [
            {"kind": "enterprise", "name": firm.name_zh or firm.name, "uscc": firm.uscc},
            {
                "kind": "individual",
                "name": "张伟",
                "nationality": "CN",
                "id_type": "resident_id",
                "id_number": "11010519491231002X",  # GB 11643's own example number
            },
        ],
        "transactions": [
            {
                "date": (discovered - timedelta(days=6)).isoformat(),
                "amount": "386000.00",
                "currency": "USD",
                "counterparty": {"name": "Harbour Star Trading Ltd", "country": "HK"},
                "channel": "trade_settlement",
            }
        ],
        "narrative": narrative + CHECKED,
        "links": links,
        "branch": {"name": "南海贸易金融银行深圳前海分行"},
        "contact": {"name": "李娜", "phone": "+86 755 8888 0000"},
    }


def _first(uow: UnitOfWork, query: Any) -> int | None:
    found: int | None = uow.session.scalar(query.limit(1))
    return found


def load_risk_reports(uow: UnitOfWork, org_ids: dict[str, int], data_dir: Path) -> int:
    """Add the demo risk reports once; how many were drafted."""
    load_builtin(uow)
    banks = [org_ids[k] for k in BANKS]
    if _first(
        uow, select(Filing.id).where(Filing.form_code == FORM, Filing.filer_org_id.in_(banks))
    ):
        return 0
    settings = Settings(data_dir=data_dir, _env_file=None)
    people, today = _People(uow), business_date()
    firm = uow.session.get_one(Organization, org_ids[SUBJECT])
    regulator = people(REGULATOR)

    def draft(user: str, days: int, links: list[dict[str, Any]], text: str) -> int:
        content = _report(firm, today - timedelta(days=days), links, text)
        filing, _ = drafting.create_filing(
            uow, people(user), FilingIn(form=FORM, content=content), settings
        )
        return filing.id

    draft(
        "bank5-qh.operator",
        2,
        [],
        NARRATIVES["DRAFT"],
    )
    own_alert = _first(uow, select(Alert.id).where(Alert.actor_org_id == org_ids["bank5"]))
    own_loan = _first(uow, select(Financing.id).where(Financing.bank_org_id == org_ids["bank5"]))
    links = [{"kind": "alert", "id": own_alert}] if own_alert else []
    links += [{"kind": "financing", "id": own_loan}] if own_loan else []
    filed = draft("bank5.operator", 3, links, NARRATIVES["FILED"])
    workflow.submit(uow, people("bank5.operator"), filed, SubmitIn(), settings)
    workflow.accept(uow, regulator, filed)
    paid = _first(uow, select(Payment.id).where(Payment.bank_org_id == org_ids["bank1"]))
    asked = draft(
        "bank1.operator",
        20,
        [{"kind": "payment", "id": paid}] if paid else [],
        NARRATIVES["ASKED"],
    )
    workflow.submit(uow, people("bank1.operator"), asked, SubmitIn(), settings)
    workflow.accept(uow, regulator, asked)
    workflow.return_for_supplement(uow, regulator, asked, "请补充合同及发票复印件。")
    closed = draft("bank5-qh.operator", 4, [], NARRATIVES["CLOSED"])
    workflow.submit(uow, people("bank5.operator"), closed, SubmitIn(), settings)
    workflow.accept(uow, regulator, closed)
    workflow.review(uow, regulator, closed, None)
    workflow.close(
        uow, regulator, closed, OutcomeIn(outcome="monitoring", reasons="列入持续监测。")
    )
    return 4

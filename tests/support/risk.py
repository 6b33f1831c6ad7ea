"""A realistic FX risk transaction report (input form), and the meta of its filing.

The USCCs are made with their check characters (crossfin.parties.identifiers); the
resident ID numbers carry valid GB 11643 check characters: 11010519491231002X is the
standard's own example, the other was completed with stdnum.cn.ric.calc_check_digit.
Names and numbers are invented.
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

from crossfin.filings.risk.export import ReportMeta
from crossfin.ledger.journal import Receipt

SHENZHEN_TRADER = "91440300MA5FUTXB7R"
SHANGHAI_TRADER = "91310115MA1H7XY417"
RESIDENT_ID = "11010519491231002X"
RESIDENT_ID_2 = "440305198803150018"
PASSPORT = "E12345678"

_REPORT: dict[str, Any] = {
    "category": "false_trade",
    "discovered_on": "2026-11-02",
    "subjects": [
        {"kind": "enterprise", "name": "深圳市鹏程进出口贸易有限公司", "uscc": SHENZHEN_TRADER},
        {
            "kind": "individual",
            "name": "张伟",
            "nationality": "CN",
            "id_type": "resident_id",
            "id_number": RESIDENT_ID,
        },
        {
            "kind": "individual",
            "name": "John Smith",
            "nationality": "GB",
            "id_type": "passport",
            "id_number": PASSPORT,
        },
    ],
    "transactions": [
        {
            "date": "2026-10-12",
            "amount": "1250000.00",
            "currency": "USD",
            "counterparty": {"name": "Harbour Star Trading Ltd", "country": "HK"},
            "channel": "trade_settlement",
        },
        {
            "date": "2026-10-20",
            "amount": "98000000",
            "currency": "JPY",
            "counterparty": {"name": "大和商事株式会社", "country": "JP"},
            "channel": "cross_border_remittance",
        },
    ],
    "narrative": (
        "该企业报关出口电子元器件，申报货值与同期同类商品价格严重偏离；\n"
        "The declared export value is six times the market price of comparable goods, and "
        "the proceeds were paid on within a day to an unrelated party."
    ),
    "links": [{"kind": "payment", "id": 41}, {"kind": "alert", "id": 7}],
    "branch": {"name": "中国银行深圳分行", "bic": "BKCHCNBJ45A"},
    "contact": {"name": "李娜", "phone": "+86 755 8888 0000", "email": "aml@sz.example.cn"},
}


def report_input(**changes: Any) -> dict[str, Any]:
    """A fresh deep copy of the realistic report, with top-level fields replaced."""
    data = copy.deepcopy(_REPORT)
    data.update(changes)
    return data


def report_meta(**changes: Any) -> ReportMeta:
    values: dict[str, Any] = {
        "reference": "RR-2026-000123",
        "filer_org_id": 12,
        "filer_name": "中国银行深圳分行",
        "state": "acknowledged",
        "created_at": datetime(2026, 11, 3, 2, 0, tzinfo=UTC),
        "submitted_at": datetime(2026, 11, 4, 6, 30, tzinfo=UTC),
        "acknowledged_at": datetime(2026, 11, 5, 1, 15, tzinfo=UTC),
        "regulator_receipt_number": "SAFE-SZ-2026-0456",
        "deadline_on": date(2026, 11, 16),
        "receipt": Receipt("0f8e2c4a-1b2d-4e5f-8a9b-0c1d2e3f4a5b", "ab" * 32, 88),
    }
    values.update(changes)
    return ReportMeta(**values)


RISK_FORM = "RISK-REPORT"
# China noon of a Monday in 2026, so deadlines counted from it stay inside the installed
# working-day calendar.
TODAY = datetime(2026, 11, 16, 4, 0, tzinfo=UTC)


def risk_body(**changes: Any) -> dict[str, Any]:
    """A POST /v1/filings body drafting the realistic report (no links unless given)."""
    content = report_input(links=[], discovered_on="2026-11-10") | changes
    return {"form": RISK_FORM, "content": content}

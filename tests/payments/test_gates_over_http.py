"""Class gates end to end: every scenario x class through the real API, one table.

`test_gates.py` checks the table itself and the P3/F1 service paths; here each cell is a
real request by the party that makes it (a bank's maker, or the enterprise for F7's need),
answered as the table says: facilitated and checked are accepted (201; a payment records
its treatment), refused is 403 `/class-not-eligible` naming class, scenario and rule, with
the regulator's `class-not-eligible` alert and nothing else written. P4's check answers
201 with its report, passed or failed, and its treatment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from crossfin.core.db import Database
from crossfin.documents.models import DocumentBalance
from crossfin.financing.market.models import FinancingNeed
from crossfin.financing.models import Financing
from crossfin.parties.alerts import Alert
from crossfin.parties.gates import CLASSES, Treatment
from crossfin.payments.models import Payment
from crossfin.payments.offshore.models import OffshoreCheck
from support.financing import (
    Firms,
    application,
    bill_of_lading,
    declaration,
    make_firms,
    policy,
    rail_note,
    warehouse_receipt,
)
from support.gates import EXPECTED
from support.offshore import check_body, make_shipment, make_trader
from support.parties import Party
from support.payments import (
    SELLER,
    claim,
    freight_invoice,
    make_forwarders,
    p2_body,
    payment_body,
    set_class,
    tax_filing,
)


@dataclass(frozen=True)
class Attempt:
    path: str
    body: dict[str, Any]
    by: Party


def _payment(db: Database, scenario: str, klass: str) -> Attempt:
    fw = make_forwarders(db, banks=1, trade_class=klass)
    if scenario == "P2":
        # Above the USD 50,000 threshold: the filing is needed and used.
        return Attempt("/v1/payments", p2_body(fw, tax_filing(db, fw), "60000.00"), fw.banks[0])
    category = "freight" if scenario == "P3" else "goods"
    doc = freight_invoice(db, fw, category=category)
    # Full documents: every required field claimed, as a class-B payer's bank must.
    full = claim(
        doc,
        seller_uscc=SELLER,
        buyer_uscc=fw.uscc,
        currency="CNY",
        issue_date="2026-11-20",
        category=category,
    )
    body = payment_body(fw, [doc], claims=[full], scenario=scenario)
    if scenario == "P1":
        body["source_of_funds"] = "capital"
    return Attempt("/v1/payments", body, fw.banks[0])


def _offshore(db: Database, scenario: str, klass: str) -> Attempt:
    t = make_trader(db, banks=1, trade_class=klass)
    body = check_body(t, make_shipment(db, t))
    return Attempt("/v1/payments/offshore-checks", body, t.banks[0])


def _firms(db: Database, klass: str) -> Firms:
    firms = make_firms(db, banks=1)
    if klass != "A":
        fw = make_forwarders(db, banks=0)
        fw.payer.org_id, fw.uscc = firms.enterprise.org_id, firms.uscc
        set_class(db, fw, klass)
    return firms


def _financing(db: Database, scenario: str, klass: str) -> Attempt:
    firms = _firms(db, klass)
    if scenario == "F1":
        docs = [declaration(db, firms, "100000.00")]
    elif scenario == "F3":
        docs = [declaration(db, firms, "100000.00", export=False)]
    elif scenario == "F6":
        docs = [rail_note(db, firms, "100000.00")]
    elif scenario == "F8":
        docs = [warehouse_receipt(db, firms, "100000.00", currency="USD")]
    elif scenario == "F4":
        decl = declaration(db, firms, "100000.00")
        docs = [policy(db, firms, [decl]), decl]
    else:
        docs = [bill_of_lading(db, firms, cargo_value="100000.00")]
    body = application(firms, docs, "50000.00", scenario=scenario)
    return Attempt("/v1/financings", body, firms.banks[0])


def _need(db: Database, scenario: str, klass: str) -> Attempt:
    firms = _firms(db, klass)
    doc = declaration(db, firms, "100000.00")
    body = {
        "amount": "50000.00",
        "currency": "USD",
        "tenor_days": 90,
        "purpose": "Q1 shipments",
        "documents": [{"kind": doc.kind, "key": doc.key}],
    }
    return Attempt("/v1/needs", body, firms.enterprise)


BUILDERS: dict[str, Callable[[Database, str, str], Attempt]] = {
    "P1": _payment,
    "P2": _payment,
    "P3": _payment,
    "P4": _offshore,
    "F1": _financing,
    "F3": _financing,
    "F6": _financing,
    "F8": _financing,
    "F4": _financing,
    "F5": _financing,
    "F7": _need,
}
CELLS = sorted(EXPECTED)


def test_the_table_covers_every_scenario() -> None:
    assert {s for s, _ in EXPECTED} == set(BUILDERS)
    assert len(CELLS) == len(BUILDERS) * len(CLASSES)


def _written(db: Database) -> tuple[int, int, int, int, int]:
    with db.session(readonly=True) as session:
        return (
            session.scalar(select(func.count()).select_from(Payment)) or 0,
            session.scalar(select(func.count()).select_from(OffshoreCheck)) or 0,
            session.scalar(select(func.count()).select_from(Financing)) or 0,
            session.scalar(select(func.count()).select_from(FinancingNeed)) or 0,
            session.scalar(select(func.coalesce(func.sum(DocumentBalance.used_minor), 0))) or 0,
        )


@pytest.mark.parametrize(("scenario", "klass"), CELLS)
def test_every_scenario_and_class_over_http(client, db, scenario: str, klass: str) -> None:  # type: ignore[no-untyped-def]
    attempt = BUILDERS[scenario](db, scenario, klass)
    before = _written(db)
    res = client.post(attempt.path, json=attempt.body, headers=attempt.by.headers)
    with db.session(readonly=True) as session:
        alerts = [(a.kind, a.details) for a in session.scalars(select(Alert))]
    expected = EXPECTED[(scenario, klass)]
    if expected is Treatment.REFUSED:
        assert res.status_code == 403, res.text
        problem = res.json()
        assert res.headers["content-type"].startswith("application/problem+json")
        assert problem["type"].endswith("/class-not-eligible")
        assert (problem["trade_class"], problem["scenario"]) == (klass, scenario)
        assert f"{scenario} x {klass} = refused" in problem["rule"]
        assert _written(db) == before  # nothing but the alert
        assert [kind for kind, _ in alerts] == ["class-not-eligible"]
        assert f'"scenario": "{scenario}"' in alerts[0][1]
        return
    assert res.status_code == 201, res.text
    assert not [kind for kind, _ in alerts if kind == "class-not-eligible"]
    if attempt.path.startswith("/v1/payments"):
        assert res.json()["treatment"] == expected.value

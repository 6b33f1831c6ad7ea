"""F8 port cloud warehouse: the receipt's one balance shared with F5, the advance cap,
partial release of pledged goods against repayment, revaluation and the LTV alert."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from crossfin.assembly import state_views
from crossfin.financing.warehouse.models import GoodsRelease
from crossfin.ledger.state import StateViews
from crossfin.ledger.state_audit import audit_state_database
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alert_rules import set_rule
from crossfin.parties.alerts import Alert, AlertKind
from crossfin.parties.models import Role
from crossfin.parties.notifications.models import Notification
from support.caps import load_caps
from support.financing import (
    application,
    balance_row,
    declaration,
    insert_document,
    make_firms,
    today,
    warehouse_receipt,
)
from support.parties import TEST_ACTOR, another_principal

LTV_KIND = "loan-to-value-above-threshold"


def post(client, party, path, body):
    return client.post(path, json=body, headers=party.headers)


def financed(client, db, firms, valuation="2000.00", amount="1000.00"):
    """An F8 loan of `amount` CNY on a fresh receipt (120.5 t), disbursed."""
    load_caps(db, "F8", 1, today(), advance_ratio="0.60", max_ltv="0.75")
    receipt = warehouse_receipt(db, firms, valuation)
    body = application(firms, [receipt], amount, scenario="F8", currency="CNY")
    res = post(client, firms.banks[0], "/v1/financings", body)
    assert res.status_code == 201, res.text
    fid = res.json()["id"]
    ok = post(client, firms.checkers[0], f"/v1/financings/{fid}/approve", {})
    assert ok.status_code == 200, ok.text
    due = {"due_date": str(today() + timedelta(days=20))}
    ok = post(client, firms.banks[0], f"/v1/financings/{fid}/disburse", due)
    assert ok.status_code == 200, ok.text
    return receipt, fid


def repay(client, firms, fid, amount):
    res = post(client, firms.banks[0], f"/v1/financings/{fid}/repay", {"amount": amount})
    assert res.status_code == 200, res.text


def release(client, party, fid, quantity, ref):
    body = {"reference": ref, "quantity": quantity}
    return post(client, party, f"/v1/financings/{fid}/goods-releases", body)


def test_f8_advance_cap_and_the_one_balance_shared_with_f5(client, db):
    firms = make_firms(db)
    load_caps(db, "F8", 1, today(), advance_ratio="0.60", max_ltv="0.75")
    receipt = warehouse_receipt(db, firms, "2000.00")
    over = application(firms, [receipt], "1200.01", scenario="F8", currency="CNY")
    res = post(client, firms.banks[0], "/v1/financings", over)
    assert res.status_code == 422 and res.json()["document"]["cap"] == "1200.00"
    edge = application(firms, [receipt], "1200.00", scenario="F8", currency="CNY")
    assert post(client, firms.banks[0], "/v1/financings", edge).status_code == 201
    assert balance_row(db, receipt) == (200000, 1)
    for scenario in ("F8", "F5"):  # the same receipt, another bank, any scenario
        body = application(firms, [receipt], "1.00", scenario=scenario, currency="CNY")
        res = post(client, firms.banks[1], "/v1/financings", body)
        assert res.status_code == 409 and res.json()["type"].endswith("/duplicate-financing")
    assert balance_row(db, receipt) == (200000, 1)


def test_partial_release_follows_repayment(client, db):
    firms = make_firms(db)
    receipt, fid = financed(client, db, firms)
    res = release(client, firms.banks[0], fid, "0.001", "R0")
    assert res.status_code == 409 and res.json()["type"].endswith("/release-beyond-repayment")
    repay(client, firms, fid, "250.00")  # a quarter: 120.5 t x 0.25 = 30.125 t
    res = release(client, firms.banks[0], fid, "30.126", "R1")
    assert res.status_code == 409, res.text
    problem = res.json()
    assert problem["field"] == "quantity" and problem["quantity"] == "30.126"
    assert problem["releasable"] == "30.125" and problem["unit"] == "t"
    res = release(client, firms.banks[0], fid, "30", "R1")
    assert res.status_code == 201, res.text
    assert res.json()["quantity"] == "30" and res.json()["repaid"] == "250.00"
    assert release(client, firms.banks[0], fid, "0.126", "R2").status_code == 409
    again = release(client, firms.banks[0], fid, "0.1", "R1")
    assert again.status_code == 409 and again.json()["type"].endswith("/already-exists")
    assert release(client, firms.banks[0], fid, "0.125", "R2").status_code == 201
    pledge = client.get(f"/v1/financings/{fid}/pledge", headers=firms.enterprise.headers).json()
    assert pledge["pledged"] == "120.5" and pledge["released"] == "30.125"
    assert pledge["still_pledged"] == "90.375" and len(pledge["releases"]) == 2
    # The receipt stays pledged whole until the loan ends: the one balance is unchanged.
    assert balance_row(db, receipt) == (200000, 1)
    repay(client, firms, fid, "750.00")
    assert release(client, firms.banks[0], fid, "90.375", "R3").status_code == 201
    assert balance_row(db, receipt) == (0, 0)
    # Each release is a ledger event committing to its row (`crossfin log audit --state`;
    # the test's documents were inserted without events, so only the releases are judged).
    report = audit_state_database(db, StateViews(state_views()))
    assert report.tables["goods_releases"] == 3, report
    assert [d for d in report.divergent if d.table == "goods_releases"] == [], report


def test_stock_on_hand_counts_the_warehouse_movements(client, db):
    firms = make_firms(db)
    receipt, fid = financed(client, db, firms)
    for n, (direction, qty) in enumerate((("out", "10"), ("in", "2.5"))):
        record = {
            "movement_no": f"MV-{fid}-{n}",
            "receipt_no": receipt.key,
            "owner_uscc": firms.uscc,
            "direction": direction,
            "quantity": qty,
            "unit": "t",
            "movement_date": today().isoformat(),
        }
        insert_document(
            db, "warehouse_movement", record, firms.logistics.org_id, firms.enterprise.org_id
        )
    pledge = client.get(f"/v1/financings/{fid}/pledge", headers=firms.banks[0].headers).json()
    assert pledge["stock_on_hand"] == "113"


def test_release_denials_change_nothing(client, db):
    firms = make_firms(db)
    _, fid = financed(client, db, firms)
    repay(client, firms, fid, "500.00")
    assert release(client, firms.banks[1], fid, "1", "X").status_code == 404
    assert release(client, firms.enterprise, fid, "1", "X").status_code == 403
    assert release(client, firms.checkers[0], fid, "1", "X").status_code == 403
    assert release(client, firms.banks[0], fid, "-1", "X").status_code == 422
    assert (
        client.get(f"/v1/financings/{fid}/pledge", headers=firms.banks[1].headers).status_code
        == 404
    )
    other = declaration(db, firms, "100.00")
    res = post(client, firms.banks[0], "/v1/financings", application(firms, [other], "10.00"))
    f1 = res.json()["id"]
    res = release(client, firms.banks[0], f1, "1", "X")
    assert res.status_code == 422 and res.json()["errors"][0]["field"] == "scenario"
    with db.session(readonly=True) as session:
        assert session.scalars(select(GoodsRelease)).all() == []


def test_release_before_disbursement_is_illegal(client, db):
    firms = make_firms(db)
    load_caps(db, "F8", 1, today(), advance_ratio="0.60", max_ltv="0.75")
    receipt = warehouse_receipt(db, firms, "2000.00")
    body = application(firms, [receipt], "100.00", scenario="F8", currency="CNY")
    fid = post(client, firms.banks[0], "/v1/financings", body).json()["id"]
    res = release(client, firms.banks[0], fid, "1", "X")
    assert res.status_code == 409 and res.json()["type"].endswith("/illegal-transition")


def _revalue(client, firms, receipt, valuation):
    record = {
        "receipt_no": receipt.key,
        "owner_uscc": firms.uscc,
        "warehouse": "Qinzhou Port Cloud Warehouse",
        "location": "Zone B, bay 12",
        "goods": "aluminium ingots",
        "quantity": "120.5",
        "unit": "t",
        "valuation": valuation,
        "currency": "CNY",
        "issue_date": today().isoformat(),
    }
    url = f"/v1/documents/warehouse_receipt/{receipt.key}/amendments"
    body = {"record": record, "reason": "monthly revaluation at LME price"}
    res = client.post(url, json=body, headers=firms.logistics.headers)
    assert res.status_code == 201, res.text


def _ltv_alerts(db, firms):
    with db.session(readonly=True) as session:
        alerts = session.scalars(select(Alert).where(Alert.kind == LTV_KIND)).all()
        notes = session.scalars(
            select(Notification).where(
                Notification.org_id == firms.banks[0].org_id,
                Notification.kind == "financing.ltv-above-threshold",
            )
        ).all()
        return [a.subject_org_id for a in alerts], len(notes)


def test_revaluation_above_the_ltv_cap_alerts_and_tells_the_bank(client, db):
    firms = make_firms(db)
    receipt, fid = financed(client, db, firms)
    repay(client, firms, fid, "250.00")  # outstanding 750.00
    _revalue(client, firms, receipt, "1000.00")  # LTV 0.75: at the cap, no alert
    assert _ltv_alerts(db, firms) == ([], 0)
    _revalue(client, firms, receipt, "999.99")  # just above 0.75
    assert _ltv_alerts(db, firms) == ([firms.enterprise.org_id], 1)
    res = client.get(f"/v1/financings/{fid}", headers=firms.banks[0].headers)
    assert res.status_code == 200


def test_revaluation_of_an_unfinanced_or_f5_receipt_raises_nothing(client, db):
    firms = make_firms(db)
    load_caps(db, "F8", 1, today(), advance_ratio="0.60", max_ltv="0.10")
    receipt = warehouse_receipt(db, firms, "2000.00")
    body = application(firms, [receipt], "1000.00", scenario="F5", currency="CNY")
    assert post(client, firms.banks[0], "/v1/financings", body).status_code == 201
    _revalue(client, firms, receipt, "1500.00")
    assert _ltv_alerts(db, firms) == ([], 0)


def test_an_approver_cannot_release(client, db):
    firms = make_firms(db)
    _, fid = financed(client, db, firms)
    admin = another_principal(db, firms.banks[0].org_id, Role.ADMIN)
    repay(client, firms, fid, "1000.00")
    assert release(client, admin, fid, "120.5", "ALL").status_code == 201


def test_a_disabled_ltv_rule_raises_no_alert_but_the_bank_is_still_told(client, db):
    """The alert is the regulator's, by its rules; the notice is the lending bank's own
    loan crossing its own cap, so it does not depend on the regulator's rule."""
    firms = make_firms(db)
    with UnitOfWork(db, TEST_ACTOR) as uow:
        set_rule(
            uow,
            None,
            AlertKind.LTV_ABOVE_THRESHOLD,
            "440300",
            enabled=False,
            params={},
            reason="test",
        )
        uow.commit()
    receipt, _ = financed(client, db, firms)
    _revalue(client, firms, receipt, "1000.00")  # LTV 1.00 > 0.75
    assert _ltv_alerts(db, firms) == ([], 1)


def test_concurrent_releases_never_exceed_what_repayment_frees(client, db, app):
    """Eight releases of 10 t at once against 30.125 t releasable: three pass (the
    financing row is locked for each), the others get 409, and the pledge adds up."""
    firms = make_firms(db)
    _, fid = financed(client, db, firms)
    repay(client, firms, fid, "250.00")
    start = threading.Barrier(8)

    def one(i: int) -> int:
        with TestClient(app) as own:
            start.wait()
            return release(own, firms.banks[0], fid, "10", f"C{i}").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = sorted(pool.map(one, range(8)))
    assert codes == [201, 201, 201] + [409] * 5, codes
    pledge = client.get(f"/v1/financings/{fid}/pledge", headers=firms.enterprise.headers).json()
    assert pledge["released"] == "30" and len(pledge["releases"]) == 3
    with db.session(readonly=True) as session:
        assert len(session.scalars(select(GoodsRelease)).all()) == 3

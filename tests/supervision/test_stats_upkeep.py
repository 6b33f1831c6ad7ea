"""The statistics kept with each change: every measure through each lifecycle, and the recount."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from crossfin.cli.main import app as cli
from crossfin.core.clock import business_date, utcnow
from crossfin.financing.models import Financing
from crossfin.financing.sweeps import sweep
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties import service
from crossfin.parties.models import OrgKind
from crossfin.parties.stats.models import StatCell, StatServed
from crossfin.parties.stats.upkeep import month_of
from crossfin.payments import transitions as payment_transitions
from crossfin.supervision.stats.recount import check, replace
from support.documents import make_document
from support.financing import declaration, make_firms, today
from support.offshore import check_body, make_shipment, make_trader, run_check
from support.parties import TEST_ACTOR, make_party, org_in, uscc_for
from support.payments import (
    caller_of,
    freight_invoice,
    make_forwarders,
    payment_body,
    submit,
)
from support.stats import assert_stats_match_recount, measures, rates, register, served

runner = CliRunner()
SHENZHEN_NANSHAN = "/000000/440000/440300/440305/"


def act(client, party, fid, action, body=None):  # type: ignore[no-untyped-def]
    res = client.post(f"/v1/financings/{fid}/{action}", json=body or {}, headers=party.headers)
    assert res.status_code == 200, res.text
    return res.json()


def test_a_financing_moves_its_cells_through_its_lifecycle(client, db) -> None:
    firms = make_firms(db)
    fin = register(client, firms, [declaration(db, firms, "300.00")], "200.00")
    bank = firms.banks[0].org_id
    month = month_of(business_date())
    where = {"county_path": SHENZHEN_NANSHAN, "month": month, "bank_org_id": bank}
    assert measures(db, **where, scenario="F1", currency="USD", trade_class="A") == {
        "registered": (1, 20000, 20000)
    }
    assert served(db, county_path=SHENZHEN_NANSHAN) == {firms.enterprise.org_id: (1, 20000)}
    act(client, firms.checkers[0], fin["id"], "approve")
    due = (today() + timedelta(days=30)).isoformat()
    act(client, firms.banks[0], fin["id"], "disburse", {"due_date": due})
    assert measures(db, **where) == {
        "registered": (1, 20000, 20000),
        "disbursed": (1, 20000, 20000),
        "outstanding": (1, 20000, 20000),
    }
    act(client, firms.banks[0], fin["id"], "repay", {"amount": "50.00"})
    assert measures(db, **where)["outstanding"] == (1, 15000, 15000)
    # Past the due date the sweeper flags it: overdue, for what is still owed.
    sweep(db, now=utcnow() + timedelta(days=31))
    assert measures(db, **where)["overdue"] == (1, 15000, 15000)
    assert_stats_match_recount(db)
    act(client, firms.banks[0], fin["id"], "repay", {"amount": "150.00"})
    act(client, firms.banks[0], fin["id"], "close")
    assert measures(db, **where) == {
        "registered": (1, 20000, 20000),
        "disbursed": (1, 20000, 20000),
    }
    assert_stats_match_recount(db)


def test_a_cancelled_or_expired_financing_stays_registered_and_adds_nothing_else(
    client, db
) -> None:
    firms = make_firms(db)
    doc = declaration(db, firms, "300.00")
    first = register(client, firms, [doc], "100.00")
    register(client, firms, [doc], "100.00")
    act(client, firms.banks[0], first["id"], "cancel", {"reason": "withdrawn"})
    sweep(db, now=utcnow() + timedelta(days=30))  # the second one's reservation lapses
    assert measures(db) == {"registered": (2, 20000, 20000)}
    assert served(db) == {firms.enterprise.org_id: (2, 20000)}
    assert_stats_match_recount(db)


def test_usd_comes_from_the_rate_recorded_at_registration(client, db) -> None:
    firms = make_firms(db)
    rates(db, ("EUR/USD", "1.10"))
    register(client, firms, [declaration(db, firms, "300.00", "EUR")], "100.00", currency="EUR")
    with db.session(readonly=True) as session:
        row = session.scalars(select(Financing)).one()
        assert (row.trade_class, row.usd_minor, row.usd_rate) == ("A", 11000, "1.10")
    assert measures(db, currency="EUR") == {"registered": (1, 10000, 11000)}
    # No rate for CNY: registered all the same, with no USD (0 in the cells).
    register(client, firms, [declaration(db, firms, "900.00", "CNY")], "700.00", currency="CNY")
    assert measures(db, currency="CNY") == {"registered": (1, 70000, 0)}
    assert_stats_match_recount(db)


def test_a_refused_attempt_counts_as_refused(client, db) -> None:
    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")
    register(client, firms, [doc], "80.00")
    res = register(client, firms, [doc], "50.00", bank=1, expect=409)
    assert res["type"].endswith("/over-financing")
    assert measures(db, bank_org_id=firms.banks[1].org_id) == {"refused": (1, 0, 0)}
    assert_stats_match_recount(db)


def test_a_class_c_refusal_counts_with_its_class(db) -> None:
    fw = make_forwarders(db, trade_class="C")
    submit(db, fw.banks[0], payment_body(fw, [freight_invoice(db, fw)]))
    assert measures(db, trade_class="C", scenario="P3") == {"refused": (1, 0, 0)}
    assert_stats_match_recount(db)


def test_a_payment_is_facilitated_while_paid(db) -> None:
    fw = make_forwarders(db)
    [done] = submit(db, fw.banks[0], payment_body(fw, [freight_invoice(db, fw)]))
    assert measures(db) == {}
    maker, checker = caller_of(db, fw.banks[0]), caller_of(db, fw.checkers[0])
    pid = done.payment_id
    for caller, step in (
        (checker, lambda uow, c: payment_transitions.approve(uow, c, pid)),
        (maker, lambda uow, c: payment_transitions.pay(uow, c, pid)),
    ):
        with UnitOfWork(db, caller.actor) as uow:
            step(uow, caller)
            uow.commit()
    month = month_of(date.fromisoformat(done.row["value_date"].isoformat()))
    assert measures(db, month=month, scenario="P3", currency="USD") == {
        "facilitated": (1, 100000, 100000)
    }
    assert served(db, scenario="P3") == {fw.payer.org_id: (1, 100000)}
    assert_stats_match_recount(db)
    with UnitOfWork(db, maker.actor) as uow:
        payment_transitions.return_payment(uow, maker, pid, "funds came back")
        uow.commit()
    assert measures(db) == {} and served(db) == {}
    assert_stats_match_recount(db)


def test_offshore_checks_count_passed_and_failed(db) -> None:
    t = make_trader(db)
    run_check(db, t.banks[0], check_body(t, make_shipment(db, t)))
    bad = make_shipment(db, t, declaration={"vessel": "Queen of the Seas", "vessel_imo": None})
    run_check(db, t.banks[0], check_body(t, bad))
    found = measures(db, scenario="P4", currency="EUR", county_path=SHENZHEN_NANSHAN)
    assert found == {"check_passed": (1, 102000000, 0), "check_failed": (1, 102000000, 0)}
    assert_stats_match_recount(db)


def _verify(client, bank, items):  # type: ignore[no-untyped-def]
    res = client.post("/v1/documents/verify", json={"items": items}, headers=bank.headers)
    assert res.status_code == 200, res.text
    return res.json()


def test_verifications_count_per_item_and_mismatch_in_the_owners_county(client, db) -> None:
    firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    bank = make_party(db, OrgKind.BANK)
    customs = make_party(db, OrgKind.CUSTOMS)
    doc = make_document(
        db, "customs_declaration", source_org_id=customs.org_id, owner_org_id=firm.org_id
    )

    def claim(total: str) -> dict:
        fields = {"total_value": total, "currency": doc.content["currency"]}
        return {"kind": doc.kind, "key": doc.key, "fields": fields}

    right, wrong = claim(doc.content["total_value"]), claim("1.00")
    unknown = {"kind": doc.kind, "key": "530020269999999999"}
    _verify(client, bank, [right, wrong, wrong, unknown])
    assert measures(db, county_path=SHENZHEN_NANSHAN, bank_org_id=bank.org_id) == {
        "verified": (3, 0, 0),
        "mismatched": (2, 0, 0),
    }
    assert measures(db, county_path="") == {"verified": (1, 0, 0)}
    assert_stats_match_recount(db)


def test_verifications_stay_in_the_county_they_were_counted_in(client, db) -> None:
    """A document whose owner onboards after it was verified: its earlier verification
    stays where it counted (''), and the recount agrees."""
    bank = make_party(db, OrgKind.BANK)
    customs = make_party(db, OrgKind.CUSTOMS)
    uscc = uscc_for("440305", 987)
    doc = make_document(
        db, "customs_declaration", source_org_id=customs.org_id, owner_org_id=None, owner_uscc=uscc
    )
    claim = {"kind": doc.kind, "key": doc.key, "fields": {"total_value": "1.00"}}
    _verify(client, bank, [claim])
    assert measures(db, county_path="") == {"verified": (1, 0, 0), "mismatched": (1, 0, 0)}
    with UnitOfWork(db, TEST_ACTOR) as uow:
        service.add_org(uow, org_in(OrgKind.ENTERPRISE, jurisdiction="440305", uscc=uscc))
        uow.commit()
    _verify(client, bank, [claim])  # now linked: this one counts in the owner's county
    assert measures(db, county_path="") == {"verified": (1, 0, 0), "mismatched": (1, 0, 0)}
    assert measures(db, county_path=SHENZHEN_NANSHAN) == {
        "verified": (1, 0, 0),
        "mismatched": (1, 0, 0),
    }
    assert_stats_match_recount(db)


def test_a_step_undone_in_a_shared_transaction_leaves_no_delta(db) -> None:
    """Transactions.within (the demo's loader): a savepoint's rollback takes its deltas too."""
    fw = make_forwarders(db)
    invoice = freight_invoice(db, fw)
    caller = caller_of(db, fw.banks[0])
    from crossfin.payments import submission
    from crossfin.payments.schemas import PaymentIn

    with UnitOfWork(db, caller.actor) as uow:
        tx = Transactions.within(uow)
        body = PaymentIn.model_validate(payment_body(make_forwarders(db, trade_class="C"), []))

        def refused_then_fails(inner: UnitOfWork) -> None:
            submission.submit(Transactions.within(inner), caller, [body])  # raises its alert
            raise RuntimeError("undo this step")

        with pytest.raises(RuntimeError):
            tx.write(refused_then_fails)
        submission.submit(tx, caller, [PaymentIn.model_validate(payment_body(fw, [invoice]))])
        uow.commit()
    assert measures(db) == {}
    assert_stats_match_recount(db)


def test_recount_check_names_a_tampered_cell_and_recount_repairs_it(client, db, db_url) -> None:
    firms = make_firms(db)
    register(client, firms, [declaration(db, firms, "300.00")], "200.00")
    env = {"CROSSFIN_DATABASE_URL": db_url}
    ok = runner.invoke(cli, ["stats", "recount", "--check"], env=env)
    assert ok.exit_code == 0, ok.output
    with db.engine.begin() as conn:
        conn.execute(update(StatCell).values(count=StatCell.count + 1))
        conn.execute(update(StatServed).values(usd_minor=7))
    bad = runner.invoke(cli, ["stats", "recount", "--check", "--json"], env=env)
    assert bad.exit_code == 1, bad.output
    found = json.loads(bad.stdout)["differences"]
    cell = next(d for d in found if d["table"] == "stats_cells")
    assert cell["key"]["measure"] == "registered"
    assert cell["key"]["county_path"] == SHENZHEN_NANSHAN
    assert cell["stored"]["count"] == 2 and cell["recounted"]["count"] == 1
    assert {d["table"] for d in found} == {"stats_cells", "stats_served"}
    human = runner.invoke(cli, ["stats", "recount", "--check"], env=env)
    assert human.exit_code == 1 and "measure='registered'" in human.stdout
    fixed = runner.invoke(cli, ["stats", "recount"], env=env)
    assert fixed.exit_code == 0, fixed.output
    assert "2 difference(s)" in fixed.stdout
    assert check(db).differences == []
    assert replace(db).differences == []  # a second recount finds nothing to change

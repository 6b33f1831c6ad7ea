"""P2 over HTTP: the filing lookup's answers, exhaustion, the threshold's routes and command."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from crossfin.cli.main import app as cli
from crossfin.parties.models import OrgKind, Role
from support.parties import make_party
from support.payments import make_forwarders, p2_body, tax_filing


def _without_request_id(res):  # type: ignore[no-untyped-def]
    rid = res.json()["request_id"]
    assert rid and res.content.count(rid.encode()) == 1
    return res.content.replace(rid.encode(), b"")


def test_a_wrong_code_and_a_missing_serial_answer_byte_for_byte_alike(client, db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1)
    filing = tax_filing(db, fw)
    theirs = tax_filing(db, make_forwarders(db, banks=0))
    headers = fw.banks[0].headers
    wrong = client.post(
        "/v1/payments", json=p2_body(fw, filing, code="WRONG1", ref="X"), headers=headers
    )
    missing_body = p2_body(fw, filing, ref="X")
    missing_body["documents"][0]["key"] = "4403009999999999"
    missing = client.post("/v1/payments", json=missing_body, headers=headers)
    other_body = p2_body(fw, theirs, ref="X")
    other_body["documents"][0]["key"] = theirs.key
    not_payer = client.post("/v1/payments", json=other_body, headers=headers)
    # The bodies differ in the serial only where the request named it: none of them echoes it.
    assert wrong.status_code == missing.status_code == not_payer.status_code == 422
    assert wrong.headers["content-type"] == missing.headers["content-type"]
    assert (
        _without_request_id(wrong) == _without_request_id(missing) == _without_request_id(not_payer)
    )
    assert wrong.json()["errors"] == [
        {
            "field": "documents[0]",
            "reason": "no tax filing with this serial number and verification code for this payer",
        }
    ]


def test_both_fields_are_required(client, db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1)
    filing = tax_filing(db, fw)
    no_code = client.post(
        "/v1/payments", json=p2_body(fw, filing, code=None), headers=fw.banks[0].headers
    )
    assert no_code.status_code == 422
    assert no_code.json()["errors"][0]["field"] == "documents[0].fields.verification_code"
    body = p2_body(fw, filing)
    del body["documents"][0]["key"]
    no_key = client.post("/v1/payments", json=body, headers=fw.banks[0].headers)
    assert no_key.status_code == 422
    assert "documents[0].key" in {e["field"] for e in no_key.json()["errors"]}


def test_partial_payments_then_409_with_what_is_left(client, db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=2)
    filing = tax_filing(db, fw, "100000.00")
    for bank, amount in ((0, "45000.00"), (1, "45000.00")):
        res = client.post(
            "/v1/payments", json=p2_body(fw, filing, amount), headers=fw.banks[bank].headers
        )
        assert res.status_code == 201, res.text
        assert res.json()["documents"][0]["used"] == amount
    over = client.post(
        "/v1/payments", json=p2_body(fw, filing, "10000.01"), headers=fw.banks[0].headers
    )
    assert over.status_code == 409, over.text
    problem = over.json()
    assert problem["type"] == "https://crossfin.dev/problems/filing-exhausted"
    assert (problem["remaining"], problem["currency"]) == ("10000.00", "USD")
    regulator = client.get("/v1/alerts", headers=fw.regulator.headers)
    assert regulator.status_code == 200, regulator.text
    assert "filing-overpayment" in regulator.text


def test_above_the_threshold_without_a_filing(client, db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1)
    res = client.post(
        "/v1/payments", json=p2_body(fw, None, "50000.01"), headers=fw.banks[0].headers
    )
    assert res.status_code == 422
    assert res.json()["type"] == "https://crossfin.dev/problems/filing-required"
    assert res.json()["threshold"] == "50000.00"
    ok = client.post(
        "/v1/payments", json=p2_body(fw, None, "49999.99"), headers=fw.banks[0].headers
    )
    assert ok.status_code == 201 and ok.json()["documents"] == []


def test_the_threshold_routes(client, db):  # type: ignore[no-untyped-def]
    head = make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="000000")
    fw = make_forwarders(db, banks=1)
    shown = client.get("/v1/payment-thresholds", headers=fw.banks[0].headers)
    assert shown.json() == [{"scenario": "P2", "version": 0, "usd": "50000.00"}]
    body = {"amount": "20000.00", "reason": "tighter"}
    refused = client.post("/v1/payment-thresholds/P2", json=body, headers=fw.regulator.headers)
    assert refused.status_code == 403
    changed = client.post("/v1/payment-thresholds/P2", json=body, headers=head.headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 1 and changed.json()["receipt"]
    res = client.post(
        "/v1/payments", json=p2_body(fw, None, "20000.01"), headers=fw.banks[0].headers
    )
    assert res.json()["type"].endswith("/filing-required")


def test_threshold_command(db, db_url):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    env = {"CROSSFIN_DATABASE_URL": db_url}
    shown = runner.invoke(cli, ["payments", "threshold", "P2", "--json"], env=env)
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["usd"] == "50000.00"
    changed = runner.invoke(
        cli, ["payments", "threshold", "P2", "60000.00", "--reason", "review"], env=env
    )
    assert changed.exit_code == 0, changed.output
    assert "v1: USD 60000.00" in changed.stdout
    bad = runner.invoke(cli, ["payments", "threshold", "P3", "1.00", "--reason", "x"], env=env)
    assert bad.exit_code != 0

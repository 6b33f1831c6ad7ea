"""P4 over HTTP: the check and its report, replay, refusals as problems, who sees which
check, the PDF, the tolerances."""

from __future__ import annotations

from crossfin.parties.models import OrgKind, Role
from support.offshore import check_body, make_shipment, make_trader
from support.parties import make_party

URL = "/v1/payments/offshore-checks"


def test_a_check_answers_its_report_and_replays_under_its_key(client, db):  # type: ignore[no-untyped-def]
    t = make_trader(db)
    s = make_shipment(db, t)
    headers = t.banks[0].headers | {"Idempotency-Key": "p4-check-1"}
    body = check_body(t, s)
    first = client.post(URL, json=body, headers=headers)
    assert first.status_code == 201, first.text
    report = first.json()
    assert report["outcome"] == "passed"
    assert set(report) >= {
        "check_id", "outcome", "created_at", "bank", "enterprise", "contract", "documents",
        "containers", "comparisons", "receipt",
    }  # fmt: skip
    assert report["created_at"].endswith("Z") and len(report["created_at"]) == 20
    assert report["contract"]["buyer"] == {"name": "Lion City Trading Pte. Ltd.", "country": "SG"}
    assert set(report["receipt"]) == {"event_id", "leaf_hash", "leaf_index"}
    again = client.post(URL, json=body, headers=headers)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == report
    stored = client.get(f"{URL}/{report['check_id']}", headers=t.banks[0].headers)
    assert stored.status_code == 200 and stored.json() == report


def test_refusals_are_problems_naming_the_document_never_the_holder(client, db):  # type: ignore[no-untyped-def]
    t = make_trader(db)
    s = make_shipment(db, t)
    assert client.post(URL, json=check_body(t, s), headers=t.banks[0].headers).status_code == 201
    used = client.post(URL, json=check_body(t, s), headers=t.banks[1].headers)
    assert used.status_code == 409
    problem = used.json()
    assert problem["type"].endswith("/problems/already-used")
    assert problem["document"] == {"kind": "bill_of_lading", "key": s.bl.key}
    bad = client.post(
        URL, json=check_body(t, s, containers=["MSKU1234566"]), headers=t.banks[1].headers
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "containers[0]"
    enterprise = client.post(URL, json=check_body(t, s), headers=t.enterprise.headers)
    assert enterprise.status_code == 403


def test_who_sees_which_check(client, db):  # type: ignore[no-untyped-def]
    t = make_trader(db)
    s = make_shipment(db, t, declaration={"voyage": "9999N"})
    answer = client.post(URL, json=check_body(t, s), headers=t.banks[0].headers)
    assert answer.status_code == 201 and answer.json()["outcome"] == "failed"
    check_id = answer.json()["check_id"]
    far = make_party(db, OrgKind.REGULATOR, Role.OPERATOR, jurisdiction="330000")
    operator = make_party(db, OrgKind.OPERATOR)
    for party, sees in [
        (t.banks[0], True),
        (t.auditor, True),
        (t.enterprise, True),
        (t.regulator, True),
        (t.banks[1], False),
        (far, False),
        (operator, False),
    ]:
        listed = client.get(URL, headers=party.headers).json()["items"]
        assert [i["check_id"] for i in listed] == ([check_id] if sees else [])
        one = client.get(f"{URL}/{check_id}", headers=party.headers)
        assert one.status_code == (200 if sees else 404)
    failed = client.get(URL, params={"outcome": "failed"}, headers=t.regulator.headers)
    assert [i["outcome"] for i in failed.json()["items"]] == ["failed"]
    assert client.get(f"{URL}/99999", headers=t.banks[0].headers).status_code == 404


def test_the_report_as_pdf(client, db):  # type: ignore[no-untyped-def]
    t = make_trader(db)
    s = make_shipment(db, t)
    check_id = client.post(URL, json=check_body(t, s), headers=t.banks[0].headers).json()[
        "check_id"
    ]
    pdf = client.get(f"{URL}/{check_id}/report.pdf", headers=t.enterprise.headers)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    hidden = client.get(f"{URL}/{check_id}/report.pdf", headers=t.banks[1].headers)
    assert hidden.status_code == 404


def test_the_tolerances_are_data_changed_by_the_head_office(client, db):  # type: ignore[no-untyped-def]
    t = make_trader(db)
    head = make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="000000")
    assert client.get("/v1/offshore-tolerances", headers=t.banks[0].headers).json() == {
        "version": 0, "bl_departure_days": 3, "declaration_days": 30, "quantity_pct": 5,
        "weight_pct": 5,
    }  # fmt: skip
    change = {"changes": {"bl_departure_days": 0}, "reason": "same-day B/Ls only"}
    refused = client.post("/v1/offshore-tolerances", json=change, headers=t.regulator.headers)
    assert refused.status_code == 403
    done = client.post("/v1/offshore-tolerances", json=change, headers=head.headers)
    assert done.status_code == 200, done.text
    assert done.json()["version"] == 1 and done.json()["bl_departure_days"] == 0
    assert done.json()["receipt"]["event_id"]
    bad = client.post(
        "/v1/offshore-tolerances",
        json={"changes": {"weight_pct": 99}, "reason": "x"},
        headers=head.headers,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "weight_pct"
    s = make_shipment(db, t)  # DEPA a day after the B/L's date: no longer within 0 days
    report = client.post(URL, json=check_body(t, s), headers=t.banks[0].headers).json()
    loading = next(c for c in report["comparisons"] if c["subject"] == "loading_date")
    assert (loading["outcome"], loading["tolerance"]) == ("mismatch", "±0 days")


def test_a_real_checks_pdf_shows_chinese_and_its_receipt_verifies(  # type: ignore[no-untyped-def]
    client, db, settings, tmp_path
):
    """Judged by (issue 11): the PDF opens, shows Chinese text, and carries the receipt that
    verifies with `crossfin verify receipt`, for a check made through the API."""
    import json

    from typer.testing import CliRunner

    from crossfin.cli.main import app as cli
    from crossfin.payments.offshore.report_pdf import TITLE_ZH
    from support.ledger import log_vkey, quiet_settings, sign
    from support.pdf import attachments, fonts, page_texts

    t = make_trader(db)
    made = client.post(URL, json=check_body(t, make_shipment(db, t)), headers=t.banks[0].headers)
    assert made.status_code == 201, made.text
    conf = quiet_settings(settings)
    sign(db, conf)
    url = f"{URL}/{made.json()['check_id']}/report.pdf"
    pdf = client.get(url, headers=t.enterprise.headers).content
    text = "\n".join(page_texts(pdf))
    assert TITLE_ZH in text and "一致 / match" in text and "船名" in text
    assert all("/FontFile2" in f["/FontDescriptor"].get_object() for f in fonts(pdf))
    receipt = json.loads(attachments(pdf)["receipt.json"])
    assert receipt["event_id"] == made.json()["receipt"]["event_id"] and "bundle" in receipt
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt))
    ok = CliRunner().invoke(cli, ["verify", "receipt", str(path), "--key", log_vkey(conf)])
    assert ok.exit_code == 0, ok.output

"""Portal pages of P4: the bank's form runs a check and shows its report; the enterprise
and the regulator see theirs; others get nothing."""

from __future__ import annotations

from crossfin.parties.models import OrgKind, Role
from support.offshore import check_body, make_shipment, make_trader, run_check
from support.parties import make_party
from support.web import add_user, csrf_from, login


def as_user(client, db, org_id, role):  # type: ignore[no-untyped-def]
    name = add_user(db, org_id, role)
    assert login(client, name).status_code == 303
    return csrf_from(client.get("/").text)


def _form(body: dict) -> dict[str, str]:
    c, g = body["contract"], body["goods"]
    return {
        "external_ref": body["external_ref"],
        "enterprise_uscc": body["enterprise_uscc"],
        "contract_no": c["number"],
        "amount": c["amount"],
        "currency": c["currency"],
        "buyer_name": c["buyer"]["name"],
        "buyer_country": c["buyer"]["country"],
        "seller_name": c["seller"]["name"],
        "seller_country": c["seller"]["country"],
        "bill_of_lading": body["bill_of_lading"],
        "declaration": body["declaration"],
        "containers": "\n".join(body["containers"]),
        "hs_code": g["hs_code"],
        "quantity": g["quantity"],
        "unit": g["unit"].lower(),
        "gross_weight_kg": g["gross_weight_kg"],
    }


def test_the_bank_runs_a_check_from_the_form_and_reads_its_report(client, db):  # type: ignore[no-untyped-def]
    t = make_trader(db)
    s = make_shipment(db, t)
    token = as_user(client, db, t.banks[0].org_id, Role.OPERATOR)
    assert 'data-test="offshore-form"' in client.get("/offshore-checks").text
    form = _form(check_body(t, s)) | {"csrf_token": token}
    res = client.post("/offshore-checks", data=form, follow_redirects=False)
    assert res.status_code == 303, res.text
    report = client.get(res.headers["location"])
    assert report.status_code == 200
    text = report.text
    assert 'data-test="report-outcome">Passed' in text
    assert text.count('data-test="comparison-outcome">Match') == 13
    assert 'href="/ledger?index=' in text and "/report.pdf" in text
    again = client.post("/offshore-checks", data=form | {"external_ref": "OTHER-1"})
    assert again.status_code == 409 and "already used" in again.text
    bad = client.post("/offshore-checks", data=form | {"containers": "MSKU1234566"})
    assert bad.status_code == 422 and "containers[0]" in bad.text
    check_url = res.headers["location"]
    client.post("/logout", data={"csrf_token": token})

    token = as_user(client, db, t.enterprise.org_id, Role.OPERATOR)
    page = client.get("/offshore-checks").text
    assert form["external_ref"] in page and 'data-test="offshore-form"' not in page
    assert client.get(check_url).status_code == 200
    refused = client.post("/offshore-checks", data=form | {"csrf_token": token})
    assert refused.status_code == 403
    client.post("/logout", data={"csrf_token": token})

    far = make_party(db, OrgKind.REGULATOR, Role.OPERATOR, jurisdiction="330000")
    as_user(client, db, far.org_id, Role.OPERATOR)
    assert form["external_ref"] not in client.get("/offshore-checks").text
    assert client.get(check_url).status_code == 404


def test_the_regulator_sees_failed_checks_in_its_subtree(client, db):  # type: ignore[no-untyped-def]
    t = make_trader(db)
    s = make_shipment(db, t, declaration={"hs_code": "847130"})
    body = check_body(t, s)
    run_check(db, t.banks[0], body)
    as_user(client, db, t.regulator.org_id, Role.OPERATOR)
    page = client.get("/offshore-checks?outcome=failed").text
    assert f'data-test="check-{body["external_ref"]}"' in page
    assert client.get("/offshore-checks?outcome=passed").text.count('data-test="check-') == 0


def test_the_portal_serves_the_report_pdf_to_a_logged_in_person(client, db):  # type: ignore[no-untyped-def]
    t = make_trader(db)
    s = make_shipment(db, t)
    done = run_check(db, t.banks[0], check_body(t, s))
    as_user(client, db, t.enterprise.org_id, Role.OPERATOR)  # the session, not an API key
    pdf = client.get(f"/offshore-checks/{done.check.id}/report.pdf")  # type: ignore[union-attr]
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

"""Portal pages of payments: the bank uploads a template and approves; the enterprise sees."""

from __future__ import annotations

from crossfin.parties.models import Role
from support.payments import as_csv, freight_invoice, make_forwarders, row
from support.web import add_user, csrf_from, login


def as_user(client, db, org_id, role):  # type: ignore[no-untyped-def]
    name = add_user(db, org_id, role)
    assert login(client, name).status_code == 303
    return csrf_from(client.get("/").text)


def test_bank_uploads_then_checker_approves_and_enterprise_sees(client, db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1)
    docs = [freight_invoice(db, fw) for _ in range(2)]
    token = as_user(client, db, fw.banks[0].org_id, Role.OPERATOR)
    assert 'action="/payments/upload"' in client.get("/payments").text
    body = as_csv([row(fw, docs[0], "PG-1"), row(fw, docs[0], "PG-2"), row(fw, docs[1], "PG-3")])
    res = client.post(
        "/payments/upload",
        data={"csrf_token": token},
        files={"file": ("freight.csv", body, "text/csv")},
    )
    assert res.status_code == 200, res.text
    assert 'data-test="upload-summary"' in res.text and "data:text/csv;base64," in res.text
    assert res.text.count('data-test="outcome">submitted') == 2
    assert "already-used" in res.text
    no_csrf = client.post("/payments/upload", files={"file": ("f.csv", body, "text/csv")})
    assert no_csrf.status_code == 403
    client.post("/logout", data={"csrf_token": token})

    token = as_user(client, db, fw.banks[0].org_id, Role.APPROVER)
    page = client.get("/payments?state=submitted").text
    assert 'data-test="approve"' in page
    pid = page.split('data-test="payment-PG-1"', 1)[1].split("<td>", 1)[1].split("</td>", 1)[0]
    res = client.post(
        f"/payments/{pid}/approve", data={"csrf_token": token}, follow_redirects=False
    )
    assert res.status_code == 303
    client.post("/logout", data={"csrf_token": token})

    token = as_user(client, db, fw.payer.org_id, Role.OPERATOR)
    page = client.get(f"/payments?invoice={docs[0].key}").text
    assert "PG-1" in page and "PG-3" not in page and 'action="/payments/upload"' not in page
    res = client.post(f"/payments/{pid}/cancel", data={"csrf_token": token})
    assert res.status_code == 403


def test_pages_in_chinese(client, db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1)
    as_user(client, db, fw.banks[0].org_id, Role.OPERATOR)
    client.cookies.set("lang", "zh")
    page = client.get("/payments", headers={"Accept-Language": "zh-CN"}).text
    assert "上传" in page


def test_bank_submits_p2_payments_from_the_form(client, db):  # type: ignore[no-untyped-def]
    from support.payments import tax_filing

    fw = make_forwarders(db, banks=1)
    filing = tax_filing(db, fw, "100000.00")
    token = as_user(client, db, fw.banks[0].org_id, Role.OPERATOR)
    page = client.get("/payments").text
    assert 'action="/payments/p2"' in page and "50000.00" in page
    form = {
        "csrf_token": token,
        "external_ref": "SVC-P-1",
        "payer_uscc": fw.uscc,
        "payee_name": "Acme Consulting GmbH",
        "payee_country": "DE",
        "payee_bic": "DEUTDEFF",
        "amount": "60000.00",
        "currency": "USD",
        "filing_no": filing.key,
        "verification_code": "A1B2C3D4",
    }
    res = client.post("/payments/p2", data=form, follow_redirects=False)
    assert res.status_code == 303, res.text
    page = client.get("/payments").text
    assert "SVC-P-1" in page and f"{filing.key} · 60000.00 USD" in page
    over = client.post("/payments/p2", data=form | {"external_ref": "SVC-P-2"})
    assert over.status_code == 409 and "40000.00 USD left" in over.text
    no_code = client.post(
        "/payments/p2", data=form | {"external_ref": "SVC-P-3", "verification_code": ""}
    )
    assert no_code.status_code == 422 and "verification_code" in no_code.text
    client.cookies.set("lang", "zh")
    zh = client.get("/payments", headers={"Accept-Language": "zh-CN"}).text
    assert "服务贸易对外支付" in zh and "验证码" in zh

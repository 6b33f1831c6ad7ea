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

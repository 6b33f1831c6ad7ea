"""Portal pages of financing over HTTP: the work queue, registration, actions, matchmaking."""

from __future__ import annotations

from crossfin.parties.models import Role
from support.financing import application, declaration, make_firms
from support.web import add_user, csrf_from, login


def as_user(client, db, org_id, role):
    name = add_user(db, org_id, role)
    assert login(client, name).status_code == 303
    return csrf_from(client.get("/").text)


def test_bank_registers_and_checker_approves_in_the_portal(client, db):
    firms = make_firms(db)
    doc = declaration(db, firms, "1000.00")
    token = as_user(client, db, firms.banks[0].org_id, Role.OPERATOR)
    page = client.get("/financing")
    assert page.status_code == 200 and 'data-test="new-financing"' in page.text
    form = {
        "csrf_token": token,
        "scenario": "F1",
        "external_ref": "WEB-1",
        "enterprise_uscc": firms.uscc,
        "amount": "600.00",
        "currency": "USD",
        "documents": f"customs_declaration {doc.key}\n",
    }
    res = client.post("/financing/new", data=form, follow_redirects=False)
    assert res.status_code == 303, res.text
    detail = client.get(res.headers["location"])
    assert "WEB-1" in detail.text and "400.00 USD" in detail.text  # what is left
    over = client.post("/financing/new", data=form | {"external_ref": "WEB-2"})
    assert over.status_code == 409 and 'data-test="problem"' in over.text
    assert "400.00" in over.text
    lookup = client.get(f"/financing?kind=customs_declaration&key={doc.key}&value=1000.00")
    assert 'data-test="lookup-remaining">400.00 USD' in lookup.text
    unclaimed = client.get(f"/financing?kind=customs_declaration&key={doc.key}")
    assert 'data-test="lookup-remaining"' not in unclaimed.text
    fid = int(res.headers["location"].rsplit("/", 1)[1])
    # The maker cannot approve; the approver (another person) can.
    res = client.post(f"/financing/{fid}/approve", data={"csrf_token": token})
    assert res.status_code == 403
    client.post("/logout", data={"csrf_token": token})
    token = as_user(client, db, firms.banks[0].org_id, Role.APPROVER)
    res = client.post(
        f"/financing/{fid}/approve", data={"csrf_token": token}, follow_redirects=False
    )
    assert res.status_code == 303
    assert "Approved" in client.get(f"/financing/{fid}").text
    no_csrf = client.post(f"/financing/{fid}/cancel", data={"reason": "x"})
    assert no_csrf.status_code == 403


def test_enterprise_sees_loans_market_and_credit_log(client, db):
    firms = make_firms(db)
    doc = declaration(db, firms, "1000.00")
    client.post(
        "/v1/financings",
        json=application(firms, [doc], "100.00", ref="E-1"),
        headers=firms.banks[0].headers,
    )
    token = as_user(client, db, firms.enterprise.org_id, Role.ADMIN)
    assert "E-1" in client.get("/financing").text
    res = client.post(
        "/market/needs",
        data={
            "csrf_token": token,
            "amount": "500.00",
            "currency": "USD",
            "tenor_days": "60",
            "purpose": "working capital",
            "documents": f"customs_declaration {doc.key}",
        },
        follow_redirects=False,
    )
    assert res.status_code == 303, res.text
    assert "working capital" in client.get("/market").text
    assert client.get("/credit-queries").status_code == 200


def test_pages_need_login(client, db):
    res = client.get("/financing", follow_redirects=False, headers={"accept": "text/html"})
    assert res.status_code in (302, 303) and "/login" in res.headers["location"]

"""Portal pages of P1 reviews: the head office draws, the bank uploads, the regulator reviews."""

from __future__ import annotations

import pytest

from crossfin.core.settings import Settings
from crossfin.parties.models import OrgKind, Role
from support.ledger import quiet_settings, sign
from support.parties import make_party
from support.payments import freight_invoice, make_forwarders, payment_body, submit
from support.web import add_user, csrf_from, login

PDF = b"%PDF-1.4\n% papers\n%%EOF\n"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return quiet_settings(settings)


def as_user(client, db, org_id, role):  # type: ignore[no-untyped-def]
    name = add_user(db, org_id, role)
    assert login(client, name).status_code == 303
    return csrf_from(client.get("/").text)


def test_draw_upload_review_in_the_portal(client, db, settings):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1)
    head = make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="000000")
    res = client.post(
        "/v1/p1-sample-rate", json={"rate_bp": 10000, "reason": "all"}, headers=head.headers
    )
    assert res.status_code == 200
    doc = freight_invoice(db, fw, category="goods")
    body = payment_body(fw, [doc], "10.00") | {"scenario": "P1", "source_of_funds": "capital"}
    [done] = submit(db, fw.banks[0], body)
    sign(db, settings)

    token = as_user(client, db, head.org_id, Role.ADMIN)
    assert 'data-test="draw"' in client.get("/p1-reviews").text
    res = client.post("/p1-reviews/draw", data={"csrf_token": token}, follow_redirects=False)
    assert res.status_code == 303
    page = client.get("/p1-reviews").text
    assert f">{done.payment_id}<" in page and 'data-test="tasks"' in page
    again = client.post("/p1-reviews/draw", data={"csrf_token": token})
    assert again.status_code == 409 and 'data-test="problem"' in again.text
    client.post("/logout", data={"csrf_token": token})

    token = as_user(client, db, fw.banks[0].org_id, Role.OPERATOR)
    page = client.get("/p1-reviews").text
    assert 'data-test="draw"' not in page
    task = page.split('data-test="task-', 1)[1].split('"', 1)[0]
    bad = client.post(
        f"/p1-reviews/{task}/papers",
        data={"csrf_token": token},
        files={"files": ("x.html", b"<html>", "text/html")},
    )
    assert bad.status_code == 422
    res = client.post(
        f"/p1-reviews/{task}/papers",
        data={"csrf_token": token},
        files={"files": ("contract.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert res.status_code == 303
    assert "contract.pdf" in client.get("/p1-reviews").text
    client.post("/logout", data={"csrf_token": token})

    token = as_user(client, db, fw.regulator.org_id, Role.OPERATOR)
    res = client.post(
        f"/p1-reviews/{task}/review",
        data={"csrf_token": token, "outcome": "non_compliant", "note": "no contract signed"},
        follow_redirects=False,
    )
    assert res.status_code == 303
    page = client.get("/p1-reviews", headers={"Accept-Language": "zh"}).text
    assert "不合规" in page and "no contract signed" in page

"""Auditors read only, in the API and the portal alike (issue 10, item 4.1).

Each write below was open to a bank's auditor before the rule moved into authentication
(`parties.http.get_caller`, `parties.portal.get_portal_caller`, core/http/writes.py).
"""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from crossfin.core.clock import utcnow
from crossfin.core.db import Database
from crossfin.documents.access.models import Fingerprint, VerificationRequest
from crossfin.financing.market.models import CreditQuery, FinancingOffer
from crossfin.parties.models import ApiKey, OrgKind, Role
from support.financing import declaration, make_firms
from support.parties import another_principal, make_party
from support.web import add_user, csrf_from, login

PAPER = {
    "document_type": "commercial_invoice",
    "number": "INV-2026/000417",
    "seller": "Shenzhen Lotus Electronics Co., Ltd.",
    "buyer": "Hanseatic Import GmbH",
    "amount": "48257.35",
    "currency": "USD",
    "issue_date": "2026-03-02",
}


def count(db: Database, model: type) -> int:
    with db.session(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def refused(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 403, response.text
    assert response.json()["type"].endswith("/forbidden")
    assert "reads only" in response.json()["detail"]


def test_a_banks_auditor_can_change_nothing_through_the_api(
    client: TestClient, db: Database
) -> None:
    firms = make_firms(db, banks=1)
    auditor = another_principal(db, firms.banks[0].org_id, Role.AUDITOR)
    doc = declaration(db, firms, "1000.00")
    granter = another_principal(db, firms.enterprise.org_id, Role.ADMIN)
    consent = client.post(
        "/v1/consents",
        headers=granter.headers,
        json={
            "bank_org_id": firms.banks[0].org_id,
            "scopes": ["credit_profile"],
            "expires_at": (utcnow() + timedelta(days=30)).isoformat(),
        },
    )
    assert consent.status_code == 201, consent.text

    refused(
        client.post(
            "/v1/documents/verify",
            headers=auditor.headers,
            json={
                "items": [{"kind": doc.kind, "key": doc.key, "fields": {"total_value": "1000.00"}}]
            },
        )
    )
    assert count(db, VerificationRequest) == 0
    refused(
        client.post(
            "/v1/credit-queries", headers=auditor.headers, json={"enterprise_uscc": firms.uscc}
        )
    )
    assert count(db, CreditQuery) == 0
    refused(
        client.post(
            "/v1/fingerprints/check",
            headers=auditor.headers,
            json={"fields": PAPER, "register": True},
        )
    )
    assert count(db, Fingerprint) == 0

    need = client.post(
        "/v1/needs",
        headers=firms.enterprise.headers,
        json={
            "amount": "500.00",
            "currency": "USD",
            "tenor_days": 90,
            "purpose": "Q1",
            "documents": [{"kind": doc.kind, "key": doc.key}],
        },
    ).json()
    offer = client.post(
        f"/v1/needs/{need['id']}/offers",
        headers=firms.banks[0].headers,
        json={"amount": "500.00", "currency": "USD", "rate": "4.00", "tenor_days": 90},
    ).json()
    refused(client.post(f"/v1/offers/{offer['id']}/withdraw", headers=auditor.headers, json={}))
    with db.session(readonly=True) as session:
        assert session.get_one(FinancingOffer, offer["id"]).status == "open"

    # What an auditor is for still works: reading.
    assert client.get("/v1/credit-queries", headers=auditor.headers).status_code == 200
    assert client.get("/v1/documents/verifications", headers=auditor.headers).status_code == 200
    assert client.get(f"/v1/needs/{need['id']}/offers", headers=auditor.headers).status_code == 200


def test_an_auditor_manages_only_its_own_keys(client: TestClient, db: Database) -> None:
    bank = make_party(db, OrgKind.BANK)
    auditor = another_principal(db, bank.org_id, Role.AUDITOR)
    issued = client.post(
        "/v1/keys", headers=auditor.headers, json={"principal_id": auditor.principal_id}
    )
    assert issued.status_code == 201, issued.text
    fresh = issued.json()["id"]
    assert client.post(f"/v1/keys/{fresh}/revoke", headers=auditor.headers).status_code == 200
    # Not its admin's keys, though.
    other = client.post(
        "/v1/keys", headers=auditor.headers, json={"principal_id": bank.principal_id}
    )
    assert other.status_code == 403
    admin_key = bank.key.split("_")[1]
    assert client.post(f"/v1/keys/{admin_key}/revoke", headers=auditor.headers).status_code == 403
    with db.session(readonly=True) as session:
        assert session.get_one(ApiKey, admin_key).revoked_at is None


def test_the_portal_refuses_an_auditors_writes_but_checks_its_receipts(
    client: TestClient, db: Database
) -> None:
    firms = make_firms(db, banks=1)
    declaration(db, firms, "1000.00")
    username = add_user(db, firms.banks[0].org_id, Role.AUDITOR)
    assert login(client, username).status_code == 303
    token = csrf_from(client.get("/ledger").text)
    upload = client.post(
        "/verify",
        data={"csrf_token": token, "fmt": "jsonl"},
        files={
            "file": (
                "claims.jsonl",
                b'{"kind": "customs_declaration", "key": "x", "fields": {}}\n',
                "application/x-ndjson",
            )
        },
    )
    assert upload.status_code == 403
    assert count(db, VerificationRequest) == 0
    query = client.post(
        "/credit-queries", data={"csrf_token": token, "enterprise_uscc": firms.uscc}
    )
    assert query.status_code == 403
    # The receipt checker reads only: an auditor may use it.
    checked = client.post("/ledger/verify", data={"csrf_token": token, "bundle": ""})
    assert checked.status_code == 200
    assert 'data-test="verify-bad"' in checked.text
    # And log out, like anyone.
    assert client.post("/logout", data={"csrf_token": token}).status_code in (200, 303)


# Forms an auditor may still submit: leave, pick a language, check a receipt, filter lists.
READING_FORMS = {"/logout", "/language", "/ledger/verify"}


def post_forms(html: str) -> set[str]:
    """The actions of the page's POST forms."""
    import re

    forms = re.findall(r"<form\b[^>]*>", html)
    posting = [f for f in forms if re.search(r'method="post"', f, re.I)]
    return {re.search(r'action="([^"]*)"', f).group(1) for f in posting}  # type: ignore[union-attr]


def test_the_portal_shows_an_auditor_no_form_that_writes(client: TestClient, db: Database) -> None:
    firms = make_firms(db, banks=1)
    doc = declaration(db, firms, "1000.00")
    made = client.post(
        "/v1/financings",
        headers=firms.banks[0].headers,
        json={
            "scenario": "F1",
            "external_ref": "AUD-1",
            "enterprise_uscc": firms.uscc,
            "amount": "100.00",
            "currency": "USD",
            "documents": [{"kind": doc.kind, "key": doc.key}],
        },
    )
    assert made.status_code == 201, made.text
    pages = [
        "/verify",
        "/credit-queries",
        "/market",
        f"/financing/{made.json()['id']}",
        "/financing",
    ]
    operator = add_user(db, firms.banks[0].org_id, Role.OPERATOR)
    assert login(client, operator).status_code == 303
    # The same pages show an operator the forms that write: the check below can fail.
    shown = set().union(*(post_forms(client.get(p).text) for p in pages))
    assert shown - READING_FORMS, shown
    auditor = add_user(db, firms.banks[0].org_id, Role.AUDITOR)
    assert login(client, auditor).status_code == 303
    for page in pages:
        answer = client.get(page)
        assert answer.status_code == 200, (page, answer.status_code)
        assert post_forms(answer.text) <= READING_FORMS, (page, post_forms(answer.text))
    assert 'data-test="read-only"' in client.get("/verify").text

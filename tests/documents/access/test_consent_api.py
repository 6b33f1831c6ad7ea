"""Consent through HTTP: grant, list, read content with it, lose it on revocation or expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from crossfin.core.db import Database
from crossfin.documents.access.consent import CREDIT_PROFILE, active_consent
from crossfin.documents.access.models import Consent
from crossfin.ledger.models import LedgerEvent, LedgerEventParty
from crossfin.parties.models import OrgKind, Role
from support.documents import make_document
from support.parties import Party, another_principal, make_party


def soon(days: float = 30) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def grant(
    client: TestClient, firm: Party, bank: Party, scopes: list[str], days: float = 30
) -> dict:
    body = {"bank_org_id": bank.org_id, "scopes": scopes, "expires_at": soon(days)}
    response = client.post("/v1/consents", json=body, headers=firm.headers)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def world(db: Database) -> dict[str, Party]:
    return {
        "firm": make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305"),
        "bank": make_party(db, OrgKind.BANK),
        "other_bank": make_party(db, OrgKind.BANK),
        "customs": make_party(db, OrgKind.CUSTOMS),
        "tax": make_party(db, OrgKind.TAX),
    }


def test_grant_names_both_parties_in_the_ledger(
    client: TestClient, db: Database, world: dict[str, Party]
) -> None:
    firm, bank = world["firm"], world["bank"]
    consent = grant(client, firm, bank, ["customs_declaration", CREDIT_PROFILE])
    assert consent["status"] == "active"
    assert consent["scopes"] == ["credit_profile", "customs_declaration"]
    leaf = consent["receipt"]["leaf_index"]
    with db.session(readonly=True) as session:
        event = session.get(LedgerEvent, leaf)
        assert event is not None and event.type == "documents:consent:grant"
        parties = set(
            session.scalars(
                select(LedgerEventParty.org_id).where(LedgerEventParty.leaf_index == leaf)
            )
        )
    assert parties == {firm.org_id, bank.org_id}


def test_lists_are_granted_for_firms_and_received_for_banks(
    client: TestClient, world: dict[str, Party]
) -> None:
    firm, bank, other = world["firm"], world["bank"], world["other_bank"]
    made = grant(client, firm, bank, ["vat_invoice"])
    assert [c["id"] for c in client.get("/v1/consents", headers=firm.headers).json()] == [
        made["id"]
    ]
    assert [c["id"] for c in client.get("/v1/consents", headers=bank.headers).json()] == [
        made["id"]
    ]
    assert client.get("/v1/consents", headers=other.headers).json() == []
    assert client.get(f"/v1/consents/{made['id']}", headers=other.headers).status_code == 404


def test_bank_by_bic_and_bad_inputs(
    client: TestClient, db: Database, world: dict[str, Party]
) -> None:
    firm, bank = world["firm"], world["bank"]
    me = client.get("/v1/me", headers=bank.headers).json()["organization"]
    body = {"bank_bic": me["bic"], "scopes": ["credit_profile"], "expires_at": soon()}
    assert client.post("/v1/consents", json=body, headers=firm.headers).status_code == 201
    cases = [
        ({"bank_org_id": firm.org_id}, "bank_org_id"),  # not a bank
        ({"scopes": ["everything"]}, "scopes[0]"),
        ({"expires_at": soon(-1)}, "expires_at"),
        ({"expires_at": soon(400)}, "expires_at"),
    ]
    for change, field in cases:
        body = {"bank_org_id": bank.org_id, "scopes": ["vat_invoice"], "expires_at": soon()}
        response = client.post("/v1/consents", json=body | change, headers=firm.headers)
        assert response.status_code == 422, change
        assert field in [e["field"] for e in response.json()["errors"]], response.json()


def test_only_enterprises_with_the_right_role_grant(
    client: TestClient, db: Database, world: dict[str, Party]
) -> None:
    body = {"bank_org_id": world["bank"].org_id, "scopes": ["vat_invoice"], "expires_at": soon()}
    assert client.post("/v1/consents", json=body, headers=world["bank"].headers).status_code == 403
    clerk = another_principal(db, world["firm"].org_id, Role.AUDITOR)
    assert client.post("/v1/consents", json=body, headers=clerk.headers).status_code == 403


def test_content_with_consent_and_none_after_revocation(
    client: TestClient, db: Database, world: dict[str, Party]
) -> None:
    firm, bank, customs = world["firm"], world["bank"], world["customs"]
    doc = make_document(
        db, "customs_declaration", source_org_id=customs.org_id, owner_org_id=firm.org_id
    )
    invoice = make_document(
        db, "vat_invoice", source_org_id=world["tax"].org_id, owner_org_id=firm.org_id
    )
    url = f"/v1/documents/customs_declaration/{doc.key}"
    assert client.get(url, headers=bank.headers).status_code == 404
    consent = grant(client, firm, bank, ["customs_declaration"])
    seen = client.get(url, headers=bank.headers)
    assert seen.status_code == 200
    assert seen.json()["content"] == doc.content
    listed = client.get("/v1/documents", headers=bank.headers).json()["items"]
    assert [d["key"] for d in listed] == [doc.key]  # not the invoice: no consent for it
    invoice_url = f"/v1/documents/vat_invoice/{invoice.key}"
    assert client.get(invoice_url, headers=bank.headers).status_code == 404
    assert client.get(url, headers=world["other_bank"].headers).status_code == 404

    revoked = client.post(f"/v1/consents/{consent['id']}/revoke", headers=firm.headers)
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert client.get(url, headers=bank.headers).status_code == 404
    assert client.get("/v1/documents", headers=bank.headers).json()["items"] == []
    again = client.post(f"/v1/consents/{consent['id']}/revoke", headers=firm.headers)
    assert again.status_code == 409 and again.json()["type"].endswith("/illegal-transition")


def test_a_bank_cannot_revoke_and_others_get_404(
    client: TestClient, world: dict[str, Party]
) -> None:
    consent = grant(client, world["firm"], world["bank"], ["vat_invoice"])
    for party in (world["bank"], world["other_bank"]):
        response = client.post(f"/v1/consents/{consent['id']}/revoke", headers=party.headers)
        assert response.status_code == 404


def test_expired_consent_gives_no_access(
    client: TestClient, db: Database, world: dict[str, Party]
) -> None:
    firm, bank = world["firm"], world["bank"]
    doc = make_document(
        db, "customs_declaration", source_org_id=world["customs"].org_id, owner_org_id=firm.org_id
    )
    consent = grant(client, firm, bank, ["customs_declaration", CREDIT_PROFILE])
    url = f"/v1/documents/customs_declaration/{doc.key}"
    assert client.get(url, headers=bank.headers).status_code == 200
    with db.session() as session, session.begin():
        row = session.get(Consent, consent["id"])
        assert row is not None
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert client.get(url, headers=bank.headers).status_code == 404
    listed = client.get("/v1/consents", headers=firm.headers).json()
    assert listed[0]["status"] == "expired"
    assert client.get("/v1/consents?active=true", headers=firm.headers).json() == []


def test_active_consent_for_the_credit_query(
    client: TestClient, db: Database, world: dict[str, Party]
) -> None:
    firm, bank = world["firm"], world["bank"]
    with db.session(readonly=True) as session:
        assert active_consent(session, firm.org_id, bank.org_id, CREDIT_PROFILE) is None
    made = grant(client, firm, bank, [CREDIT_PROFILE], days=10)
    grant(client, firm, bank, ["vat_invoice"])
    with db.session(readonly=True) as session:
        found = active_consent(session, firm.org_id, bank.org_id, CREDIT_PROFILE)
        assert found is not None and found.id == made["id"]
        later = datetime.now(UTC) + timedelta(days=11)
        assert active_consent(session, firm.org_id, bank.org_id, CREDIT_PROFILE, at=later) is None
        assert (
            active_consent(session, firm.org_id, world["other_bank"].org_id, CREDIT_PROFILE) is None
        )


def test_regulator_sees_consents_in_its_subtree(
    client: TestClient, db: Database, world: dict[str, Party]
) -> None:
    made = grant(client, world["firm"], world["bank"], ["vat_invoice"])
    shenzhen = make_party(db, OrgKind.REGULATOR, jurisdiction="440300")
    ningbo = make_party(db, OrgKind.REGULATOR, jurisdiction="330200")
    assert [c["id"] for c in client.get("/v1/consents", headers=shenzhen.headers).json()] == [
        made["id"]
    ]
    assert client.get("/v1/consents", headers=ningbo.headers).json() == []

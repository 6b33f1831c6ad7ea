"""`GET /v1/balances/{kind}/{key}` tells only what verification would (issue 10, item 4.4).

Any bank used to read a document's exact value without consent. Now: those entitled to the
document read its value and what is left; a bank proving it holds the document by a
matching claim of its value learns what is left and whether it is in use; everyone else
gets the 404 of a document that does not exist.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from crossfin.core.clock import utcnow
from crossfin.core.db import Database
from crossfin.parties.models import OrgKind, Role
from support.financing import application, bill_of_lading, declaration, make_firms
from support.parties import another_principal, make_party


def test_a_bank_without_consent_learns_no_value(client: TestClient, db: Database) -> None:
    firms = make_firms(db, banks=3)
    doc = declaration(db, firms, "123456.78")
    made = client.post(
        "/v1/financings",
        headers=firms.banks[0].headers,
        json=application(firms, [doc], "100000.00"),
    )
    assert made.status_code == 201, made.text
    url = f"/v1/balances/{doc.kind}/{doc.key}"
    stranger = firms.banks[1]
    missing = client.get(f"/v1/balances/{doc.kind}/530120260999999999", headers=stranger.headers)
    assert missing.status_code == 404

    def same_as_missing(response) -> None:  # type: ignore[no-untyped-def]
        assert response.status_code == 404
        body, other = response.json(), missing.json()
        assert (body["type"], body["title"]) == (other["type"], other["title"])
        assert body["detail"] == other["detail"].replace("530120260999999999", doc.key)
        assert "123456" not in response.text

    same_as_missing(client.get(url, headers=stranger.headers))
    same_as_missing(client.get(url, params={"total_value": "123456.77"}, headers=stranger.headers))
    # A claim must name the value: the buyer's country alone proves nothing.
    same_as_missing(client.get(url, params={"buyer_country": "NL"}, headers=stranger.headers))
    # Every field named must match, the value included.
    same_as_missing(
        client.get(
            url,
            params={"total_value": "123456.78", "buyer_country": "DE"},
            headers=stranger.headers,
        )
    )

    proved = client.get(
        url, params={"total_value": "123456.78", "buyer_country": "NL"}, headers=stranger.headers
    )
    assert proved.status_code == 200, proved.text
    assert proved.json() == {
        "kind": doc.kind,
        "key": doc.key,
        "currency": "USD",
        "value": None,
        "remaining": "23456.78",
        "single_use": False,
        "in_use": True,
    }
    # Written as the registry normalises it (no cents), the claim is the same claim.
    assert (
        client.get(url, params={"total_value": "123456.780"}, headers=stranger.headers).status_code
        == 200
    )


def test_entitled_readers_see_the_value(client: TestClient, db: Database) -> None:
    firms = make_firms(db, banks=2)
    doc = declaration(db, firms, "500.00")
    url = f"/v1/balances/{doc.kind}/{doc.key}"
    granter = another_principal(db, firms.enterprise.org_id, Role.ADMIN)
    consent = client.post(
        "/v1/consents",
        headers=granter.headers,
        json={
            "bank_org_id": firms.banks[0].org_id,
            "scopes": ["customs_declaration"],
            "expires_at": (utcnow() + timedelta(days=30)).isoformat(),
        },
    )
    assert consent.status_code == 201, consent.text
    near = make_party(db, OrgKind.REGULATOR, jurisdiction="440000")
    far = make_party(db, OrgKind.REGULATOR, jurisdiction="330000")
    other_firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    operator = make_party(db, OrgKind.OPERATOR)
    for reader in (firms.enterprise, firms.customs, firms.banks[0], near):
        got = client.get(url, headers=reader.headers)
        assert got.status_code == 200, got.text
        assert got.json()["value"] == "500.00" and got.json()["remaining"] == "500.00"
    for outsider in (firms.banks[1], far, other_firm, operator, firms.insurer):
        assert client.get(url, headers=outsider.headers).status_code == 404
    # A claim is a bank's proof; it opens nothing to anyone else.
    for outsider in (far, other_firm, operator):
        assert (
            client.get(url, params={"total_value": "500.00"}, headers=outsider.headers).status_code
            == 404
        )


def test_a_document_without_a_value_is_proved_by_another_field(
    client: TestClient, db: Database
) -> None:
    firms = make_firms(db, banks=1)
    bl = bill_of_lading(db, firms)
    url = f"/v1/balances/{bl.kind}/{bl.key}"
    bank = firms.banks[0]
    assert client.get(url, headers=bank.headers).status_code == 404
    assert (
        client.get(url, params={"vessel": "SOMETHING ELSE"}, headers=bank.headers).status_code
        == 404
    )
    got = client.get(url, params={"vessel": "COSCO SHIPPING ARIES"}, headers=bank.headers)
    assert got.status_code == 200, got.text
    assert got.json()["value"] is None and got.json()["in_use"] is False

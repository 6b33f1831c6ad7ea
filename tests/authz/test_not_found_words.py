"""A 404 for a record the caller may not see says word for word what a 404 for a record
that does not exist says (issue 10, item 4.5); the authorization matrix checks every
route's 404s the same way."""

from __future__ import annotations

from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.parties.models import OrgKind, Role
from support.financing import declaration, make_firms
from support.parties import make_party


def test_accepting_someone_elses_offer_reads_like_a_missing_offer(
    client: TestClient, db: Database
) -> None:
    firms = make_firms(db, banks=1)
    doc = declaration(db, firms, "1000.00")
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
    )
    assert need.status_code == 201, need.text
    offer = client.post(
        f"/v1/needs/{need.json()['id']}/offers",
        headers=firms.banks[0].headers,
        json={"amount": "500.00", "currency": "USD", "rate": "4.00", "tenor_days": 90},
    )
    assert offer.status_code == 201, offer.text
    offer_id = offer.json()["id"]
    nosy = make_party(db, OrgKind.ENTERPRISE, Role.ADMIN, jurisdiction="310115")
    hidden = client.post(f"/v1/offers/{offer_id}/accept", json={}, headers=nosy.headers)
    absent = client.post(f"/v1/offers/{offer_id + 1000}/accept", json={}, headers=nosy.headers)
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["detail"] == f"no offer {offer_id}"
    assert absent.json()["detail"] == f"no offer {offer_id + 1000}"

"""Owner views, the regulator's subtree, and the listing filter agreeing with can_read_document."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from crossfin.core.db import Database
from crossfin.documents.access.reading import readable_documents
from crossfin.documents.access.rules import can_read_document
from crossfin.documents.models import Document
from crossfin.parties.credentials import authenticate
from crossfin.parties.models import OrgKind
from support.documents import make_document
from support.parties import Party, make_party


@pytest.fixture
def world(db: Database) -> dict[str, Party]:
    return {
        "nanshan": make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305"),
        "ningbo": make_party(db, OrgKind.ENTERPRISE, jurisdiction="330203"),
        "bank": make_party(db, OrgKind.BANK),
        "other_bank": make_party(db, OrgKind.BANK),
        "customs": make_party(db, OrgKind.CUSTOMS),
        "tax": make_party(db, OrgKind.TAX),
        "shenzhen": make_party(db, OrgKind.REGULATOR, jurisdiction="440300"),
        "head": make_party(db, OrgKind.REGULATOR, jurisdiction="000000"),
        "operator": make_party(db, OrgKind.OPERATOR),
    }


def docs_for(db: Database, world: dict[str, Party]) -> dict[str, list]:
    made: dict[str, list] = {"nanshan": [], "ningbo": []}
    for firm in made:
        for _ in range(3):
            made[firm].append(
                make_document(
                    db,
                    "customs_declaration",
                    source_org_id=world["customs"].org_id,
                    owner_org_id=world[firm].org_id,
                )
            )
        made[firm].append(
            make_document(
                db,
                "vat_invoice",
                source_org_id=world["tax"].org_id,
                owner_org_id=world[firm].org_id,
            )
        )
    return made


def test_owner_lists_its_documents_by_kind_and_page(
    client: TestClient, db: Database, world: dict[str, Party]
) -> None:
    made = docs_for(db, world)
    firm = world["nanshan"]
    everything = client.get("/v1/documents", headers=firm.headers).json()
    assert [d["key"] for d in everything["items"]] == [d.key for d in made["nanshan"]]
    assert everything["next_cursor"] is None
    first = client.get(
        "/v1/documents?kind=customs_declaration&limit=2", headers=firm.headers
    ).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = client.get(
        f"/v1/documents?kind=customs_declaration&limit=2&cursor={first['next_cursor']}",
        headers=firm.headers,
    ).json()
    assert [d["key"] for d in first["items"] + rest["items"]] == [
        d.key for d in made["nanshan"][:3]
    ]
    assert rest["next_cursor"] is None
    one = made["nanshan"][0]
    read = client.get(f"/v1/documents/{one.kind}/{one.key}", headers=firm.headers).json()
    assert read["content"] == one.content
    assert (read["value"], read["currency"], read["remaining"]) == ("125000.00", "USD", "125000.00")
    theirs = made["ningbo"][0]
    hidden = client.get(f"/v1/documents/{theirs.kind}/{theirs.key}", headers=firm.headers)
    missing = client.get(
        "/v1/documents/customs_declaration/531620260009999999", headers=firm.headers
    )
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["type"] == missing.json()["type"]
    assert client.get("/v1/documents?cursor=abc", headers=firm.headers).status_code == 422


def test_regulator_reads_its_subtree_only(
    client: TestClient, db: Database, world: dict[str, Party]
) -> None:
    made = docs_for(db, world)
    listed = client.get("/v1/documents", headers=world["shenzhen"].headers).json()["items"]
    assert {d["key"] for d in listed} == {d.key for d in made["nanshan"]}
    everything = client.get("/v1/documents", headers=world["head"].headers).json()["items"]
    assert len(everything) == 8
    theirs = made["ningbo"][0]
    assert (
        client.get(
            f"/v1/documents/{theirs.kind}/{theirs.key}", headers=world["shenzhen"].headers
        ).status_code
        == 404
    )


def test_owner_and_regulator_see_every_verification(
    client: TestClient, db: Database, world: dict[str, Party]
) -> None:
    made = docs_for(db, world)
    mine, theirs = made["nanshan"][0], made["ningbo"][0]
    for bank in ("bank", "other_bank"):
        items = [
            {"kind": mine.kind, "key": mine.key, "fields": {"total_value": "1.00"}},
            {"kind": theirs.kind, "key": theirs.key},
            {"kind": "vat_invoice", "key": "26442000009999999999"},
        ]
        response = client.post(
            "/v1/documents/verify", json={"items": items}, headers=world[bank].headers
        )
        assert response.status_code == 200
    owner_view = client.get("/v1/documents/verifications", headers=world["nanshan"].headers).json()[
        "items"
    ]
    assert [(v["bank"]["id"], v["key"], v["outcome"], v["fields"]) for v in owner_view] == [
        (world["bank"].org_id, mine.key, "mismatch", ["total_value"]),
        (world["other_bank"].org_id, mine.key, "mismatch", ["total_value"]),
    ]
    assert all(v["at"] for v in owner_view)
    regulator = client.get("/v1/documents/verifications", headers=world["shenzhen"].headers).json()[
        "items"
    ]
    assert {v["key"] for v in regulator} == {mine.key}
    head = client.get("/v1/documents/verifications", headers=world["head"].headers).json()["items"]
    assert len(head) == 6  # the unknown ones included
    bank_view = client.get("/v1/documents/verifications", headers=world["bank"].headers).json()[
        "items"
    ]
    assert len(bank_view) == 3 and "bank" not in bank_view[0]
    assert all("owner_org_id" not in v for v in bank_view)
    by_key = client.get(
        f"/v1/documents/verifications?kind={mine.kind}&key={mine.key}",
        headers=world["nanshan"].headers,
    ).json()["items"]
    assert len(by_key) == 2


def test_listing_filter_agrees_with_can_read_document(
    client: TestClient, db: Database, world: dict[str, Party]
) -> None:
    docs_for(db, world)
    expires = (datetime.now(UTC) + timedelta(days=5)).isoformat()
    body = {"bank_org_id": world["bank"].org_id, "scopes": ["vat_invoice"], "expires_at": expires}
    assert (
        client.post("/v1/consents", json=body, headers=world["nanshan"].headers).status_code == 201
    )
    with db.session(readonly=True) as session:
        documents = list(session.scalars(select(Document)))
        for name, party in world.items():
            caller, _ = authenticate(session, party.key)
            listed = set(
                session.scalars(select(Document.id).where(readable_documents(session, caller)))
            )
            allowed = {d.id for d in documents if can_read_document(session, caller, d)}
            assert listed == allowed, name
            if name == "bank":
                assert len(allowed) == 1

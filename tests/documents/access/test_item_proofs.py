"""One verified item's proof: recomputed here from the documented formulas, not the server's."""

from __future__ import annotations

import hashlib
import json

import pytest
import rfc8785
from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.ledger.rfc6962 import leaf_hash
from crossfin.ledger.verify import verify_inclusion
from crossfin.parties.models import OrgKind
from support.documents import Doc, make_document
from support.parties import Party, make_party


@pytest.fixture
def parties(db: Database) -> dict[str, Party]:
    return {
        "firm": make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305"),
        "other_firm": make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305"),
        "bank": make_party(db, OrgKind.BANK),
        "other_bank": make_party(db, OrgKind.BANK),
        "customs": make_party(db, OrgKind.CUSTOMS),
    }


@pytest.fixture
def declaration(db: Database, parties: dict[str, Party]) -> Doc:
    return make_document(
        db,
        "customs_declaration",
        source_org_id=parties["customs"].org_id,
        owner_org_id=parties["firm"].org_id,
    )


CLAIMS = [
    {"total_value": "125000", "currency": "usd"},
    {"total_value": "99.00"},
    {},
]


def items_of(declaration: Doc) -> list[dict]:
    items = [{"kind": declaration.kind, "key": declaration.key, "fields": f} for f in CLAIMS]
    items += [{"kind": "customs_declaration", "key": "531620260009999999", "fields": {}}]
    return items


def expected_leaf(index: int, item: dict, answer: dict) -> bytes:
    """docs/documents-access.md: SHA-256(0x00 || JCS({i, kind, key, claimed, outcome,
    fields, withheld})), claimed being the hex SHA-256 of JCS(claimed fields)."""
    claimed = hashlib.sha256(rfc8785.dumps(item["fields"])).hexdigest()
    withheld = answer.get("withheld", False)
    record = {
        "i": index,
        "kind": answer["kind"],
        "key": answer["key"],
        "claimed": claimed,
        "outcome": answer["outcome"],
        "fields": [] if withheld else answer.get("fields", []),
        "withheld": withheld,
    }
    return leaf_hash(rfc8785.dumps(record))


def test_each_item_proves_into_the_event_the_ledger_holds(
    client: TestClient, parties, declaration
) -> None:
    bank = parties["bank"]
    items = items_of(declaration)
    answer = client.post("/v1/documents/verify", json={"items": items}, headers=bank.headers).json()
    for index, item in enumerate(items):
        response = client.get(
            f"/v1/verification-requests/{answer['request_id']}/items/{index}/proof",
            headers=bank.headers,
        )
        assert response.status_code == 200, response.text
        proof = response.json()
        assert proof["item"] == answer["items"][index]
        leaf = expected_leaf(index, item, answer["items"][index])
        assert proof["leaf_hash"] == leaf.hex()
        verify_inclusion(
            leaf,
            index,
            proof["items"],
            [bytes.fromhex(h) for h in proof["inclusion"]],
            bytes.fromhex(proof["items_root"]),
        )
        event = proof["event"]
        assert event["content"]["items_root"] == proof["items_root"]
        assert (
            event["content_digest"]
            == "sha256:" + hashlib.sha256(rfc8785.dumps(event["content"])).hexdigest()
        )
        assert event["leaf_index"] == answer["receipt"]["leaf_index"]
        record = client.get(f"/v1/log/entries/{event['leaf_index']}", headers=bank.headers)
        assert json.loads(record.content)["digest"] == event["content_digest"]


def test_the_owner_reads_proofs_of_its_documents_only(
    client: TestClient, parties, declaration
) -> None:
    answer = client.post(
        "/v1/documents/verify",
        json={"items": items_of(declaration)},
        headers=parties["bank"].headers,
    ).json()
    base = f"/v1/verification-requests/{answer['request_id']}/items"
    owner = parties["firm"].headers
    assert client.get(f"{base}/0/proof", headers=owner).status_code == 200
    assert client.get(f"{base}/3/proof", headers=owner).status_code == 404  # unknown key
    for outsider in (parties["other_bank"], parties["other_firm"]):
        response = client.get(f"{base}/0/proof", headers=outsider.headers)
        assert response.status_code == 404
        assert response.json()["type"].endswith("/not-found")
    assert client.get(f"{base}/4/proof", headers=parties["bank"].headers).status_code == 404
    negative = client.get(f"{base}/-1/proof", headers=parties["bank"].headers)
    assert negative.status_code == 422  # out of any request's range: a bad parameter
    assert negative.json()["errors"][0]["field"].endswith("index")
    assert client.get(f"{base}/0/proof").status_code == 401

"""Bulk verification: what a bank learns, what is recorded, and the mismatch alert."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from crossfin.core.db import Database
from crossfin.documents.access.models import Verification, VerificationRequest
from crossfin.documents.kinds.registry import get_kind
from crossfin.ledger.models import LedgerEvent, LedgerEventParty
from crossfin.ledger.rfc6962 import root_hash
from crossfin.parties.alerts import Alert
from crossfin.parties.models import OrgKind
from support.documents import Doc, make_document, use_balance
from support.parties import Party, make_party


@pytest.fixture
def world(db: Database) -> dict[str, Party]:
    return {
        "firm": make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305"),
        "bank": make_party(db, OrgKind.BANK),
        "other_bank": make_party(db, OrgKind.BANK),
        "customs": make_party(db, OrgKind.CUSTOMS),
        "logistics": make_party(db, OrgKind.LOGISTICS),
    }


@pytest.fixture
def declaration(db: Database, world: dict[str, Party]) -> Doc:
    return make_document(
        db,
        "customs_declaration",
        source_org_id=world["customs"].org_id,
        owner_org_id=world["firm"].org_id,
    )


def verify(client: TestClient, bank: Party, items: list[dict]) -> dict:
    response = client.post("/v1/documents/verify", json={"items": items}, headers=bank.headers)
    assert response.status_code == 200, response.text
    return response.json()


def claim(doc: Doc, **fields: object) -> dict:
    """A claim of `fields`; without any, of the document's value, as a bank is shown it."""
    value = get_kind(doc.kind).value_fields
    shown = fields or {name: doc.content[name] for name in value if name in doc.content}
    return {"kind": doc.kind, "key": doc.key, "fields": shown}


def test_a_claim_must_name_the_value_to_learn_the_balance(
    client: TestClient, db: Database, world: dict[str, Party], declaration: Doc
) -> None:
    use_balance(db, declaration.id, 25_000_00)
    bare = {"kind": declaration.kind, "key": declaration.key, "fields": {}}
    buyer = claim(declaration, buyer_name=declaration.content["buyer_name"])
    answer = verify(client, world["bank"], [bare, buyer])
    for item in answer["items"]:
        # Knowing a key (or some true field) is not knowing the document: no balance.
        assert item["outcome"] == "mismatch" and item["fields"] == ["total_value"]
        assert "remaining" not in item and "available" not in item


def test_three_outcomes_and_nothing_more(
    client: TestClient, db: Database, world: dict[str, Party], declaration: Doc
) -> None:
    use_balance(db, declaration.id, 25_000_00)
    answer = verify(
        client,
        world["bank"],
        [
            claim(declaration, total_value="125000", currency="usd", buyer_country="de"),
            claim(declaration, total_value="125000.01", buyer_name="Hanseatic Import GmbH"),
            {"kind": "customs_declaration", "key": "531620260009999999", "fields": {}},
        ],
    )
    first, second, third = answer["items"]
    assert first == {
        "index": 0,
        "kind": "customs_declaration",
        "key": declaration.key,
        "outcome": "authentic",
        "remaining": "100000.00",
        "currency": "USD",
        "available": True,
    }
    assert second == {
        "index": 1,
        "kind": "customs_declaration",
        "key": declaration.key,
        "outcome": "mismatch",
        "fields": ["total_value"],
    }
    assert third["outcome"] == "unknown" and set(third) == {"index", "kind", "key", "outcome"}
    assert answer["counts"] == {"authentic": 1, "mismatch": 1, "unknown": 1}
    # Nothing in the answer names the owner, another bank, or the content.
    text = json.dumps(answer)
    firm_uscc = declaration.content["enterprise_uscc"]
    for secret in (firm_uscc, "Hanseatic", "export_date", "MSKU1234567", "owner", "bank"):
        assert secret not in text, secret


def test_invalid_claimed_field_is_a_mismatch_of_that_field(
    client: TestClient, world: dict[str, Party], declaration: Doc
) -> None:
    answer = verify(
        client,
        world["bank"],
        [
            claim(declaration, export_date="02/03/2026", total_value="125000.00"),
            claim(declaration, no_such_field="x"),
            claim(declaration, currency="XXQ", total_value="125000.00"),
        ],
    )
    assert [it["fields"] for it in answer["items"]] == [
        ["export_date"],
        ["no_such_field", "total_value"],  # naming no value is not knowing the document
        ["currency"],
    ]


def test_single_use_document_reports_availability(
    client: TestClient, db: Database, world: dict[str, Party]
) -> None:
    lading = make_document(
        db,
        "bill_of_lading",
        source_org_id=world["logistics"].org_id,
        owner_org_id=world["firm"].org_id,
    )
    first = verify(client, world["bank"], [claim(lading, negotiable=True)])["items"][0]
    assert first["outcome"] == "authentic" and first["available"] is True
    assert first["remaining"] is None and first["currency"] is None
    use_balance(db, lading.id, 0, uses=1)
    again = verify(client, world["bank"], [claim(lading, negotiable=True)])["items"][0]
    assert again["available"] is False


def test_fully_used_declaration_is_authentic_but_unavailable(
    client: TestClient, db: Database, world: dict[str, Party], declaration: Doc
) -> None:
    use_balance(db, declaration.id, 125_000_00)
    item = verify(client, world["bank"], [claim(declaration)])["items"][0]
    assert (item["outcome"], item["remaining"], item["available"]) == ("authentic", "0.00", False)


def test_every_item_is_recorded_with_one_ledger_event(
    client: TestClient, db: Database, world: dict[str, Party], declaration: Doc
) -> None:
    answer = verify(
        client,
        world["bank"],
        [
            claim(declaration),
            claim(declaration, total_value="1.00"),
            {"kind": "vat_invoice", "key": "26442000000000000001", "fields": {}},
        ],
    )
    with db.session(readonly=True) as session:
        rows = list(session.scalars(select(Verification).order_by(Verification.position)))
        request = session.get(VerificationRequest, answer["request_id"])
        assert request is not None
        event = session.scalars(
            select(LedgerEvent).where(LedgerEvent.event_id == request.event_id)
        ).one()
        parties = set(
            session.scalars(
                select(LedgerEventParty.org_id).where(
                    LedgerEventParty.leaf_index == event.leaf_index
                )
            )
        )
    assert [(r.outcome, r.document_id) for r in rows] == [
        ("authentic", declaration.id),
        ("mismatch", declaration.id),
        ("unknown", None),
    ]
    assert all(r.bank_org_id == world["bank"].org_id for r in rows)
    assert event.type == "documents:verification:run"
    assert event.leaf_index == answer["receipt"]["leaf_index"]
    assert parties == {world["bank"].org_id, world["firm"].org_id}
    assert root_hash([r.leaf_hash for r in rows]) == request.items_root
    assert (request.items, request.authentic, request.mismatch, request.unknown) == (3, 1, 1, 1)


def test_only_banks_verify(client: TestClient, world: dict[str, Party], declaration: Doc) -> None:
    for who in ("firm", "customs"):
        response = client.post(
            "/v1/documents/verify", json={"items": [claim(declaration)]}, headers=world[who].headers
        )
        assert response.status_code == 403


def test_unknown_kind_and_oversized_requests_are_refused(
    client: TestClient, world: dict[str, Party]
) -> None:
    bad = {
        "items": [
            {"kind": "customs_declaration", "key": "1"},
            {"kind": "packing_list", "key": "PL-1"},
        ]
    }
    response = client.post("/v1/documents/verify", json=bad, headers=world["bank"].headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "items[1].kind"
    # Request validation names fields in the same style as the services.
    shapeless = {"items": [{"kind": "customs_declaration", "key": "1"}, {"kind": 5}]}
    response = client.post("/v1/documents/verify", json=shapeless, headers=world["bank"].headers)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"items[1].kind", "items[1].key"}
    many = {"items": [{"kind": "vat_invoice", "key": "1"}] * 10_001}
    response = client.post("/v1/documents/verify", json=many, headers=world["bank"].headers)
    assert response.status_code == 422


def test_mismatch_alert_after_the_limit_and_fields_withheld(
    client: TestClient, db: Database, world: dict[str, Party], declaration: Doc
) -> None:
    bank, limit = world["bank"], 3  # the default verify_mismatch_limit
    wrong = claim(declaration, total_value="99.00")
    for _ in range(limit):
        item = verify(client, bank, [wrong])["items"][0]
        assert item["fields"] == ["total_value"]
    # Within one request too: the 4th and 5th mismatches of the day are past the limit.
    items = verify(client, bank, [wrong, wrong, claim(declaration)])["items"]
    assert items[0] == {
        "index": 0,
        "kind": declaration.kind,
        "key": declaration.key,
        "outcome": "mismatch",
        "fields": None,
        "fields_withheld": True,
    }
    assert items[1]["fields"] is None
    assert items[2]["outcome"] == "authentic"  # a right claim is still answered
    with db.session(readonly=True) as session:
        alerts = list(session.scalars(select(Alert)))
    assert len(alerts) == 1
    alert = alerts[0]
    assert (alert.kind, alert.document_id, alert.actor_org_id, alert.subject_org_id) == (
        "verification-mismatches",
        declaration.id,
        bank.org_id,
        world["firm"].org_id,
    )
    assert alert.jurisdiction_path is not None and alert.jurisdiction_path.endswith("/440305/")
    # Another bank still gets field names: the count is per bank.
    other = verify(client, world["other_bank"], [wrong])["items"][0]
    assert other["fields"] == ["total_value"]
    # The owner still sees which fields differed.
    seen = client.get("/v1/documents/verifications", headers=world["firm"].headers).json()
    withheld = [v for v in seen["items"] if v["fields_withheld"]]
    assert len(withheld) == 2 and withheld[0]["fields"] == ["total_value"]
    with db.session(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 1


def test_mismatch_limit_is_a_setting(
    client: TestClient,
    db: Database,
    app,  # type: ignore[no-untyped-def]
    world: dict[str, Party],
    declaration: Doc,
) -> None:
    app.state.settings.verify_mismatch_limit = 1
    wrong = claim(declaration, total_value="99.00")
    items = verify(client, world["bank"], [wrong, wrong])["items"]
    assert items[0]["fields"] == ["total_value"] and items[1]["fields"] is None


def test_an_earlier_request_reads_back_exactly_as_answered(
    client: TestClient, db: Database, world: dict[str, Party], declaration: Doc
) -> None:
    use_balance(db, declaration.id, 5_000_00)
    answer = verify(
        client,
        world["bank"],
        [
            claim(declaration),
            claim(declaration, total_value="1.00"),
            {"kind": "vat_invoice", "key": "26442000000000000001"},
        ],
    )
    url = f"/v1/verification-requests/{answer['request_id']}"
    again = client.get(url, headers=world["bank"].headers).json()
    assert again["items"] == answer["items"] and again["counts"] == answer["counts"]
    text = client.get(url + "/results.csv", headers=world["bank"].headers).text
    assert text.splitlines() == [
        "line,kind,key,outcome,fields,remaining,currency,available",
        f"1,customs_declaration,{declaration.key},authentic,,120000.00,USD,True",
        f"2,customs_declaration,{declaration.key},mismatch,total_value,,,",
        "3,vat_invoice,26442000000000000001,unknown,,,,",
    ]
    for other in ("other_bank", "firm"):
        assert client.get(url, headers=world[other].headers).status_code == 404
    mine = client.get(
        f"/v1/documents/verifications?request_id={answer['request_id']}",
        headers=world["bank"].headers,
    ).json()["items"]
    assert len(mine) == 3


def test_concurrent_mismatches_raise_one_alert(
    db: Database, world: dict[str, Party], declaration: Doc
) -> None:
    import threading

    from crossfin.documents.access.verification import Claim
    from crossfin.documents.access.verification import verify as run_verify
    from crossfin.ledger.uow import UnitOfWork
    from crossfin.parties.credentials import authenticate

    with db.session(readonly=True) as session:
        caller, _ = authenticate(session, world["bank"].key)
    wrong = Claim(declaration.kind, declaration.key, {"total_value": "2.00"})
    withheld: list[int] = []

    def worker() -> None:
        with UnitOfWork(db, caller.actor) as uow:
            result, _ = run_verify(uow, caller, [wrong] * 3, mismatch_limit=3)
            uow.commit()
        withheld.append(sum(it.withheld for it in result.items))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(withheld) == [0, 3, 3, 3]
    with db.session(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 1
        assert session.scalar(select(func.count()).select_from(Verification)) == 12


def test_consented_bank_reads_versions_too(
    client: TestClient, world: dict[str, Party], declaration: Doc
) -> None:
    url = f"/v1/documents/{declaration.kind}/{declaration.key}/versions"
    assert client.get(url, headers=world["firm"].headers).status_code == 200
    assert client.get(url, headers=world["bank"].headers).status_code == 404
    expires = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    body = {
        "bank_org_id": world["bank"].org_id,
        "scopes": [declaration.kind],
        "expires_at": expires,
    }
    assert client.post("/v1/consents", json=body, headers=world["firm"].headers).status_code == 201
    assert client.get(url, headers=world["bank"].headers).status_code == 200


@pytest.mark.parametrize("number", [2**53, -(2**53), 2**63, 2**64 + 1, 10**400])
def test_a_claimed_number_canonical_json_cannot_carry_is_a_422(
    client: TestClient, db: Database, world: dict[str, Party], declaration: Doc, number: int
) -> None:
    # The claim's digest goes into the item's leaf in RFC 8785 form, which carries
    # integers only up to 2**53: beyond, the answer was a 500.
    body = {"items": [claim(declaration), claim(declaration, total_value=number)]}
    answer = client.post(
        "/v1/documents/verify",
        content=json.dumps(body),
        headers={**world["bank"].headers, "Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in answer.json()["errors"]] == ["items[1].fields"]
    with db.session(readonly=True) as session:  # refused whole: nothing recorded
        assert session.scalar(select(func.count()).select_from(VerificationRequest)) == 0

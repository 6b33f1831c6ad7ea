"""Signed batches over HTTP: refusals whole, mixed outcomes, duplicates, atomic mode, CSV."""

from __future__ import annotations

import base64
import csv
import io
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from crossfin.core.clock import utcnow
from crossfin.documents.models import Document, DocumentVersion
from crossfin.documents.records import Manifest
from crossfin.ledger.note import sign_note
from crossfin.parties.models import OrgKind
from support.ingest import (
    csv_records,
    csv_text,
    jsonl,
    manifest_for,
    new_signer,
    record,
    register_source_key,
    submit,
)
from support.parties import make_party

JSONL = {"Content-Type": "application/x-ndjson"}


@pytest.fixture
def customs(db):  # type: ignore[no-untyped-def]
    return make_party(db, OrgKind.CUSTOMS)


def test_clean_batch_is_published_with_one_event(client, customs) -> None:  # type: ignore[no-untyped-def]
    signer = register_source_key(client, customs.headers)
    rows = [record("customs_declaration") for _ in range(5)]
    result = submit(client, customs.headers, "customs_declaration", "b-1", rows, signer, chunk=2)
    assert result["status"] == "published", result
    assert (result["accepted"], result["duplicates"], result["rejected"]) == (5, 0, 0)
    assert result["receipt"]["leaf_index"] is not None
    status = client.get("/v1/batches/b-1", headers=customs.headers).json()
    assert status["next_line"] == 5 and status["event"]["leaf_index"] is not None
    versions = client.get(
        f"/v1/documents/customs_declaration/{rows[0]['declaration_no']}/versions",
        headers=customs.headers,
    ).json()
    assert versions["current"] == 1 and versions["versions"][0]["batch"] == "b-1"


def test_forged_manifest_is_refused(client, customs) -> None:  # type: ignore[no-untyped-def]
    signer = register_source_key(client, customs.headers)
    rows = [record("customs_declaration")]
    manifest = manifest_for("customs_declaration", "b-2", rows, signer)
    text, _, sig = manifest.partition("\n\n")
    forged = text.replace("\n1\n", "\n2\n") + "\n\n" + sig
    answer = client.post("/v1/batches", content=forged, headers=customs.headers)
    assert answer.status_code == 422
    assert answer.json()["type"].endswith("/bad-signature")


def test_unregistered_key_is_refused(client, customs) -> None:  # type: ignore[no-untyped-def]
    register_source_key(client, customs.headers)
    stranger, _ = new_signer("stranger")
    manifest = manifest_for("customs_declaration", "b-3", [record("customs_declaration")], stranger)
    answer = client.post("/v1/batches", content=manifest, headers=customs.headers)
    assert answer.status_code == 422
    assert answer.json()["type"].endswith("/unknown-source-key")


def test_key_of_another_source_is_not_accepted(client, db, customs) -> None:  # type: ignore[no-untyped-def]
    other = make_party(db, OrgKind.CUSTOMS)
    signer = register_source_key(client, other.headers)
    manifest = manifest_for("customs_declaration", "b-4", [record("customs_declaration")], signer)
    answer = client.post("/v1/batches", content=manifest, headers=customs.headers)
    assert answer.json()["type"].endswith("/unknown-source-key")


def test_wrong_source_kind_and_non_sources_get_403(client, db) -> None:  # type: ignore[no-untyped-def]
    tax = make_party(db, OrgKind.TAX)
    signer = register_source_key(client, tax.headers)
    manifest = manifest_for("customs_declaration", "b-5", [record("customs_declaration")], signer)
    answer = client.post("/v1/batches", content=manifest, headers=tax.headers)
    assert answer.status_code == 403
    bank = make_party(db, OrgKind.BANK)
    _, vkey = new_signer("bank")
    assert (
        client.post("/v1/sources/keys", json={"vkey": vkey}, headers=bank.headers).status_code
        == 403
    )
    assert client.post("/v1/batches", content=manifest, headers=bank.headers).status_code == 403


def test_retired_key_is_refused(client, customs) -> None:  # type: ignore[no-untyped-def]
    signer = register_source_key(client, customs.headers)
    key_id = client.get("/v1/sources/keys", headers=customs.headers).json()[0]["id"]
    retired = client.post(f"/v1/sources/keys/{key_id}/retire", headers=customs.headers)
    assert retired.status_code == 200 and retired.json()["retired_at"]
    manifest = manifest_for("customs_declaration", "b-6", [record("customs_declaration")], signer)
    answer = client.post("/v1/batches", content=manifest, headers=customs.headers)
    assert answer.json()["type"].endswith("/unknown-source-key")


def test_altered_line_refuses_the_whole_batch(client, customs) -> None:  # type: ignore[no-untyped-def]
    signer = register_source_key(client, customs.headers)
    rows = [record("customs_declaration") for _ in range(4)]
    manifest = manifest_for("customs_declaration", "b-7", rows, signer)
    client.post("/v1/batches", content=manifest, headers=customs.headers)
    rows[2] = dict(rows[2], total_value="99999.00")
    answer = client.post(
        "/v1/batches/b-7/lines?from=0", content=jsonl(rows), headers=customs.headers | JSONL
    )
    assert answer.status_code == 422
    assert answer.json()["type"].endswith("/batch-root-mismatch")
    status = client.get("/v1/batches/b-7", headers=customs.headers).json()
    assert status["status"] == "refused" and status["accepted"] == 0
    key = rows[0]["declaration_no"]
    assert (
        client.get(
            f"/v1/documents/customs_declaration/{key}/versions", headers=customs.headers
        ).status_code
        == 404
    )
    report = client.get("/v1/batches/b-7/report.json", headers=customs.headers).json()
    assert report["status"] == "refused" and report["lines"] == []


def test_mixed_batch_reports_every_bad_line_and_keeps_good_ones(client, customs) -> None:  # type: ignore[no-untyped-def]
    signer = register_source_key(client, customs.headers)
    rows = [record("customs_declaration") for _ in range(8)]
    rows[1]["currency"] = "XYZ"
    rows[4]["enterprise_uscc"] = "91440300MA5FXXXX0X"
    rows[4]["export_date"] = "2024-13-01"
    rows[6] = dict(rows[3])  # same key, same content: a duplicate of line 3
    rows[7] = dict(rows[0], total_value="1.00")  # same key, other content: rejected
    result = submit(client, customs.headers, "customs_declaration", "b-8", rows, signer, chunk=3)
    assert result["status"] == "published"
    assert (result["accepted"], result["duplicates"], result["rejected"]) == (4, 1, 3)
    report = client.get("/v1/batches/b-8/report.json", headers=customs.headers).json()
    by_line = {item["line"]: item for item in report["lines"]}
    assert sorted(by_line) == [1, 4, 6, 7]
    assert by_line[1]["errors"][0]["field"] == "currency"
    assert {e["field"] for e in by_line[4]["errors"]} == {"enterprise_uscc", "export_date"}
    assert by_line[6]["outcome"] == "duplicate" and "line 3" in by_line[6]["errors"][0]["reason"]
    assert by_line[7]["outcome"] == "rejected"
    for good in (0, 2, 3, 5):
        key = rows[good]["declaration_no"]
        assert (
            client.get(
                f"/v1/documents/customs_declaration/{key}/versions", headers=customs.headers
            ).status_code
            == 200
        )
    text = client.get("/v1/batches/b-8/report.csv", headers=customs.headers).text
    table = list(csv.DictReader(io.StringIO(text)))
    assert {(r["line"], r["field"]) for r in table} >= {
        ("1", "currency"),
        ("4", "enterprise_uscc"),
        ("4", "export_date"),
    }


def test_resubmitted_records_are_duplicates(client, customs) -> None:  # type: ignore[no-untyped-def]
    signer = register_source_key(client, customs.headers)
    rows = [record("customs_declaration") for _ in range(3)]
    submit(client, customs.headers, "customs_declaration", "b-9", rows, signer)
    again = submit(
        client,
        customs.headers,
        "customs_declaration",
        "b-10",
        [*rows, record("customs_declaration")],
        signer,
    )
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (1, 3, 0)
    changed = [dict(rows[0], buyer_name="Someone Else")]
    third = submit(client, customs.headers, "customs_declaration", "b-11", changed, signer)
    assert third["rejected"] == 1
    report = client.get("/v1/batches/b-11/report.json", headers=customs.headers).json()
    assert "amendment" in report["lines"][0]["errors"][0]["reason"]


def test_atomic_batch_publishes_nothing_when_a_line_is_bad(client, customs) -> None:  # type: ignore[no-untyped-def]
    signer = register_source_key(client, customs.headers)
    rows = [record("customs_declaration") for _ in range(3)]
    rows[2]["trade_mode"] = "x"
    result = submit(
        client, customs.headers, "customs_declaration", "b-12", rows, signer, mode="atomic"
    )
    assert result["status"] == "rejected" and result["accepted"] == 0
    key = rows[0]["declaration_no"]
    assert (
        client.get(
            f"/v1/documents/customs_declaration/{key}/versions", headers=customs.headers
        ).status_code
        == 404
    )
    rows[2]["trade_mode"] = "0110"
    good = submit(
        client, customs.headers, "customs_declaration", "b-13", rows, signer, mode="atomic"
    )
    assert good["status"] == "published" and good["accepted"] == 3


def test_resent_lines_are_idempotent_and_gaps_refused(client, customs) -> None:  # type: ignore[no-untyped-def]
    signer = register_source_key(client, customs.headers)
    rows = [record("customs_declaration") for _ in range(6)]
    manifest = manifest_for("customs_declaration", "b-14", rows, signer)
    client.post("/v1/batches", content=manifest, headers=customs.headers)

    def post(start: int, part: list[dict[str, Any]]) -> httpx.Response:
        return client.post(
            f"/v1/batches/b-14/lines?from={start}",
            content=jsonl(part),
            headers=customs.headers | JSONL,
        )

    assert post(0, rows[:3]).json()["next_line"] == 3
    assert post(0, rows[:3]).json()["next_line"] == 3  # resent: a no-op
    gap = post(4, rows[4:])
    assert gap.status_code == 409 and gap.json()["type"].endswith("/batch-line-gap")
    altered = post(2, [dict(rows[2], buyer_name="X"), rows[3]])
    assert altered.status_code == 409
    assert altered.json()["type"].endswith("/batch-line-conflict")
    assert post(2, rows[2:]).json()["status"] == "published"  # overlap then new lines


def test_unreadable_line_refuses_the_chunk(client, customs) -> None:  # type: ignore[no-untyped-def]
    signer = register_source_key(client, customs.headers)
    rows = [record("customs_declaration") for _ in range(2)]
    client.post(
        "/v1/batches",
        content=manifest_for("customs_declaration", "b-15", rows, signer),
        headers=customs.headers,
    )
    body = jsonl(rows[:1]) + '{"a": 1, "a": 2}\n'
    answer = client.post(
        "/v1/batches/b-15/lines?from=0", content=body, headers=customs.headers | JSONL
    )
    assert answer.status_code == 422 and answer.json()["line"] == 1
    assert client.get("/v1/batches/b-15", headers=customs.headers).json()["next_line"] == 0


def test_csv_batch(client, db) -> None:  # type: ignore[no-untyped-def]
    logistics = make_party(db, OrgKind.LOGISTICS)
    signer = register_source_key(client, logistics.headers)
    header = [
        "bl_no",
        "shipper_uscc",
        "consignee",
        "notify_party",
        "port_of_loading",
        "port_of_discharge",
        "vessel",
        "voyage",
        "containers",
        "issue_date",
        "negotiable",
        "cargo_value",
        "currency",
    ]
    rows = [record("bill_of_lading") for _ in range(3)]
    rows[1]["containers"] = ["CSQU3054383", "MSKU1234566"]
    rows[2]["containers"] = ["CSQU3054383", "MSKU1234565"]
    text = csv_text(rows, header)
    sent = csv_records(text)
    manifest = sign_note(Manifest("bill_of_lading", "c-1", 3, _root(sent)).text(), [signer])
    assert (
        client.post("/v1/batches", content=manifest, headers=logistics.headers).status_code == 201
    )
    answer = client.post(
        "/v1/batches/c-1/lines?from=0",
        content=text,
        headers=logistics.headers | {"Content-Type": "text/csv"},
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert (result["accepted"], result["rejected"]) == (2, 1), result
    report = client.get("/v1/batches/c-1/report.json", headers=logistics.headers).json()
    assert report["lines"][0]["line"] == 1
    assert report["lines"][0]["errors"][0]["field"] == "containers[1]"


def _root(sent: list[dict[str, str]]) -> bytes:
    from crossfin.documents.records import record_digest
    from crossfin.ledger.rfc6962 import leaf_hash, root_hash

    return root_hash([leaf_hash(record_digest(r)) for r in sent])


def test_manifest_is_checked(client, customs) -> None:  # type: ignore[no-untyped-def]
    signer = register_source_key(client, customs.headers)
    bad = sign_note(
        "crossfin.batch/v1\ncustoms_declaration\nx\n0\n"
        + base64.b64encode(b"\0" * 32).decode()
        + "\n",
        [signer],
    )
    answer = client.post("/v1/batches", content=bad, headers=customs.headers)
    assert answer.status_code == 422 and "count" in answer.json()["detail"]


def test_published_documents_get_the_ids_the_database_gives_in_line_order(
    client, db, customs
) -> None:  # type: ignore[no-untyped-def]
    """Publication reserves the documents' ids before inserting them (`bulk.next_ids`): in
    line order, the ones the database would have given, and an ordinary insert afterwards
    gets the next one (on PostgreSQL the sequence was advanced, by COPY's side too)."""
    signer = register_source_key(client, customs.headers)

    def publish(ref: str, rows: list[dict[str, Any]]) -> list[tuple[int, str, str | None]]:
        result = submit(client, customs.headers, "customs_declaration", ref, rows, signer)
        assert result["status"] == "published", result
        keys = [r["declaration_no"] for r in rows]
        with db.session(readonly=True) as session:
            stored = session.execute(
                select(Document.id, Document.key, DocumentVersion.batch_id)
                .join(DocumentVersion, DocumentVersion.document_id == Document.id)
                .where(Document.key.in_(keys))
            ).all()
        by_key = {key: (doc_id, key, batch) for doc_id, key, batch in stored}
        return [by_key[k] for k in keys]

    first = publish("ids-1", [record("customs_declaration") for _ in range(4)])
    ids = [doc_id for doc_id, _, _ in first]
    assert ids == list(range(ids[0], ids[0] + 4)) and {b for _, _, b in first} == {"ids-1"}
    with db.session() as session:
        now = utcnow()
        other = Document(
            kind="customs_declaration",
            key="ids-by-default",
            source_org_id=customs.org_id,
            owner_uscc="91440300MA5EXAMPLE",
            version=1,
            value_minor=1,
            currency="CNY",
            single_use=False,
            digest=bytes(32),
            created_at=now,
            updated_at=now,
        )
        session.add(other)
        session.commit()
        assert other.id == ids[-1] + 1
    second = publish("ids-2", [record("customs_declaration") for _ in range(3)])
    assert [doc_id for doc_id, _, _ in second] == [other.id + 1, other.id + 2, other.id + 3]

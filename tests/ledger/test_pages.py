"""The ledger page: checkpoint, size chart, and the receipt checker."""

from __future__ import annotations

import base64
import html
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from crossfin.core.clock import utcnow
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.ledger import checkpointer, keys
from crossfin.ledger.cosignature import CosignatureSigner, cosign, generate_cosigner
from crossfin.ledger.models import (
    Checkpoint,
    Cosignature,
    LedgerEvent,
    LedgerEventParty,
)
from crossfin.ledger.note import parse_note
from crossfin.parties.models import OrgKind
from support.parties import make_party
from support.web import csrf_from, login, party_user


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.checkpoint_interval = 0  # checkpoints are signed by the tests, when they say
    return settings


def sign(db: Database, settings: Settings) -> int:
    """Sign a checkpoint of the current head; returns its size."""
    stored = checkpointer.sign_if_grown(db, keys.log_signer(settings))
    assert stored is not None
    return stored.size


@pytest.fixture
def user(client: TestClient, db: Database) -> str:
    _, name = party_user(db, OrgKind.BANK)
    login(client, name)
    return name


def leaf(db: Database, index: int) -> LedgerEvent:
    with db.session(readonly=True) as session:
        return session.scalars(select(LedgerEvent).where(LedgerEvent.leaf_index == index)).one()


def prefilled_bundle(page: str) -> str:
    return html.unescape(page.split('data-test="bundle">')[1].split("</textarea>")[0])


def post_verify(client: TestClient, **fields: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/ledger").text)
    return client.post("/ledger/verify", data=fields | {"csrf_token": token})


def test_before_any_checkpoint(client: TestClient, user: str) -> None:
    page = client.get("/ledger")
    assert page.status_code == 200
    assert "No checkpoint has been signed yet." in page.text
    assert "The chart appears once checkpoints are signed." in page.text
    # Org added, service account added, its key issued, the portal user added.
    assert 'data-test="head-size">4<' in page.text


def test_latest_checkpoint_and_chart(
    client: TestClient, db: Database, settings: Settings, user: str
) -> None:
    sign(db, settings)
    make_party(db, OrgKind.ENTERPRISE)
    size = sign(db, settings)
    page = client.get("/ledger").text
    assert f'data-test="checkpoint-size">{size}<' in page
    assert "Log signature valid" in page
    assert keys.log_signer(settings).verifier().vkey in page
    with db.session(readonly=True) as session:
        root = session.get_one(Checkpoint, size).root
    assert base64.b64encode(root).decode() in page
    assert 'data-test="size-chart"' in page and 'class="chart-line" d="M' in page


def test_prefilled_receipt_verifies(
    client: TestClient, db: Database, settings: Settings, user: str
) -> None:
    sign(db, settings)
    page = client.get("/ledger?index=1").text
    bundle = prefilled_bundle(page)
    assert bundle.startswith("c2sp.org/tlog-proof@v1")
    leaf_hash = leaf(db, 1).leaf_hash.hex()
    assert f'value="{leaf_hash}"' in page
    ok = post_verify(client, bundle=bundle, leaf_hash=leaf_hash)
    assert ok.status_code == 200
    assert 'data-test="verify-ok"' in ok.text
    assert "Receipt verified" in ok.text and leaf_hash in ok.text
    # The record itself instead of its hash; the browser's CRLF line endings are fine.
    record = leaf(db, 1).record.decode()
    crlf = post_verify(client, bundle=bundle.replace("\n", "\r\n"), record=record)
    assert 'data-test="verify-ok"' in crlf.text


def test_wrong_leaf_and_tampered_bundle_fail_with_the_reason(
    client: TestClient, db: Database, settings: Settings, user: str
) -> None:
    sign(db, settings)
    bundle = prefilled_bundle(client.get("/ledger?index=0").text)
    other = leaf(db, 2).leaf_hash.hex()
    wrong = post_verify(client, bundle=bundle, leaf_hash=other)
    assert 'data-test="verify-bad"' in wrong.text
    assert "inclusion proof for index 0 fails" in wrong.text
    lines = bundle.split("\n")
    lines[2] = "A" * 43 + "="  # a different proof hash
    tampered = post_verify(client, bundle="\n".join(lines), leaf_hash=leaf(db, 0).leaf_hash.hex())
    assert 'data-test="verify-bad"' in tampered.text
    for fields, reason in [
        ({"bundle": ""}, "paste a receipt bundle"),
        ({"bundle": bundle, "leaf_hash": "zz"}, "must be hexadecimal"),
        ({"bundle": bundle}, "give the record or its leaf hash"),
        ({"bundle": "garbage\n\nmore", "leaf_hash": other}, "first line"),
    ]:
        answer = post_verify(client, **fields)
        assert answer.status_code == 200
        assert 'data-test="verify-bad"' in answer.text and reason in answer.text


def test_an_older_receipt_is_checked_for_consistency_with_the_latest(
    client: TestClient, db: Database, settings: Settings, user: str
) -> None:
    first = sign(db, settings)
    bundle = prefilled_bundle(client.get("/ledger?index=0").text)
    make_party(db, OrgKind.CUSTOMS)
    latest = sign(db, settings)
    ok = post_verify(client, bundle=bundle, leaf_hash=leaf(db, 0).leaf_hash.hex())
    assert 'data-test="verify-ok"' in ok.text
    assert f"{first} → {latest}" in ok.text


def test_witness_quorum_is_shown_and_enforced(
    client: TestClient, db: Database, settings: Settings, user: str
) -> None:
    size = sign(db, settings)
    skey, vkey = generate_cosigner("witness.example/w1")
    with db.session(readonly=True) as session:
        note = session.get_one(Checkpoint, size).note
    line = cosign(parse_note(note).text, CosignatureSigner.from_skey(skey), int(time.time()))
    with db.engine.begin() as conn:
        conn.execute(
            Cosignature.__table__.insert().values(
                size=size, witness="witness.example/w1", line=line, created_at=utcnow()
            )
        )
        conn.execute(update(Checkpoint).where(Checkpoint.size == size).values(cosigners=1))
    settings.witness_keys = [vkey]
    settings.witness_quorum = 1
    page = client.get("/ledger?index=0").text
    assert "witness.example/w1" in page and "quorum of 1 met" in page
    bundle = prefilled_bundle(page)
    ok = post_verify(client, bundle=bundle, leaf_hash=leaf(db, 0).leaf_hash.hex())
    assert 'data-test="verify-ok"' in ok.text and "witness.example/w1" in ok.text
    _, other_vkey = generate_cosigner("witness.example/w2")
    settings.witness_keys = [other_vkey]
    refused = post_verify(client, bundle=bundle, leaf_hash=leaf(db, 0).leaf_hash.hex())
    assert "witness quorum not met" in refused.text


def test_htmx_gets_only_the_result_fragment(client: TestClient, user: str) -> None:
    token = csrf_from(client.get("/ledger").text)
    fragment = client.post(
        "/ledger/verify", data={"bundle": ""}, headers={"HX-Request": "true", "X-CSRF-Token": token}
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'data-test="verify-bad"' in fragment.text


def test_not_yet_checkpointed_entry(client: TestClient, db: Database, user: str) -> None:
    page = client.get("/ledger?index=0").text
    assert "is not in a signed checkpoint yet" in page
    assert leaf(db, 0).leaf_hash.hex() in page
    receipt = client.get("/ledger/receipts/0")
    assert receipt.status_code == 404
    assert receipt.headers["content-type"].startswith("text/html")
    assert "Retry-After" in receipt.headers
    assert "The log has no entry 99." in client.get("/ledger?index=99").text


def test_receipt_and_own_record_downloads(
    client: TestClient, db: Database, settings: Settings
) -> None:
    org_id, name = party_user(db, OrgKind.ENTERPRISE)
    stranger = make_party(db, OrgKind.BANK)
    sign(db, settings)
    login(client, name)
    receipt = client.get("/ledger/receipts/0")
    assert receipt.status_code == 200
    assert receipt.headers["content-type"] == "text/plain; charset=utf-8"
    assert receipt.text.startswith("c2sp.org/tlog-proof@v1\n")
    own = client.get("/ledger/entries/0")
    assert own.status_code == 200 and own.content == leaf(db, 0).record
    with db.session(readonly=True) as session:
        foreign = session.scalars(
            select(LedgerEventParty.leaf_index).where(LedgerEventParty.org_id == stranger.org_id)
        ).first()
    assert client.get(f"/ledger/entries/{foreign}").status_code == 404
    assert org_id != stranger.org_id


def test_out_of_range_indexes_are_refused_as_pages(client: TestClient, user: str) -> None:
    for path in (
        "/ledger?index=-1",
        f"/ledger?index={2**64}",
        f"/ledger/entries/{2**64}",
        f"/ledger/receipts/{2**64}",
    ):
        answer = client.get(path)
        assert answer.status_code == 422, path
        assert answer.headers["content-type"].startswith("text/html")

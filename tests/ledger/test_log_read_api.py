"""The /v1/log read API: checkpoint, tiles, proofs, entries (entitlement), receipts."""

from __future__ import annotations

import base64
import hashlib
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from crossfin.api.app import create_app
from crossfin.cli.main import app as cli
from crossfin.core.db import Actor, Database
from crossfin.core.settings import Settings
from crossfin.ledger import keys, leaf_hash, verify_consistency, verify_inclusion
from crossfin.ledger.checkpoint import parse_checkpoint
from crossfin.ledger.events import EventType
from crossfin.ledger.note import open_note
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.models import OrgKind
from support.ledger import (
    assert_tree_intact,
    fast_append,
    log_vkey,
    quiet_settings,
    record_events,
    sign,
)
from support.parties import Party, make_party

PROBLEMS = "https://crossfin.dev/problems/"


@pytest.fixture
def log_settings(settings: Settings) -> Settings:
    return quiet_settings(settings)


def _client(conf: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(conf, db), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def api(log_settings: Settings, db: Database) -> Iterator[TestClient]:
    yield from _client(log_settings, db)


@pytest.fixture
def bank(db: Database) -> Party:
    return make_party(db, OrgKind.BANK)


def test_checkpoint_is_not_yet_there_before_the_first_signature(
    api: TestClient, bank: Party
) -> None:
    answer = api.get("/v1/log/checkpoint", headers=bank.headers)
    assert answer.status_code == 404
    assert answer.json()["type"] == PROBLEMS + "not-yet-checkpointed"
    assert answer.headers["retry-after"] == "1"


def test_checkpoint_is_a_signed_note_of_the_head(
    api: TestClient, db: Database, log_settings: Settings, bank: Party
) -> None:
    record_events(db, 5)
    size, root = sign(db, log_settings)
    answer = api.get("/v1/log/checkpoint", headers=bank.headers)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert "max-age=1" in answer.headers["cache-control"]
    verifier = keys.log_signer(log_settings).verifier()
    text, names = open_note(answer.text, [verifier])
    assert names == [log_settings.log_origin]
    body = parse_checkpoint(text)
    tree = assert_tree_intact(db)
    assert (body.origin, body.size, body.root) == (log_settings.log_origin, tree.size, tree.root())
    assert (size, root) == (tree.size, tree.root())


def test_tiles_hold_the_stored_hashes(api: TestClient, db: Database, bank: Party) -> None:
    fast_append(db, 700)
    tree = assert_tree_intact(db)
    size = tree.size
    full = api.get("/v1/log/tile/0/000", headers=bank.headers)
    assert full.status_code == 200
    assert full.headers["content-type"] == "application/octet-stream"
    assert full.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert full.content == b"".join(tree.read_hashes([(0, i) for i in range(256)]))
    # Revalidation: the tile's digest as its ETag, a 304 without a body when it matches.
    etag = full.headers["etag"]
    assert etag == f'"{hashlib.sha256(full.content).hexdigest()}"'
    for header in (etag, f'W/{etag}, "other"', "*"):
        again = api.get("/v1/log/tile/0/000", headers=bank.headers | {"If-None-Match": header})
        assert (again.status_code, again.content) == (304, b""), header
        assert again.headers["etag"] == etag and "immutable" in again.headers["cache-control"]
    stale = api.get("/v1/log/tile/0/000", headers=bank.headers | {"If-None-Match": '"x"'})
    assert stale.status_code == 200 and stale.content == full.content
    width = size - 512
    partial = api.get(f"/v1/log/tile/0/002.p/{width}", headers=bank.headers)
    assert partial.status_code == 200
    assert "immutable" not in partial.headers["cache-control"]
    assert partial.content == b"".join(tree.read_hashes([(0, 512 + i) for i in range(width)]))
    upper = api.get("/v1/log/tile/1/000.p/2", headers=bank.headers)
    assert upper.content == b"".join(tree.read_hashes([(8, 0), (8, 1)]))
    # A narrower partial tile than the current one is still served (older checkpoints).
    assert api.get("/v1/log/tile/0/002.p/3", headers=bank.headers).content == partial.content[:96]


@pytest.mark.parametrize(
    ("path", "status", "slug"),
    [
        ("tile/0/003", 404, "not-found"),  # not complete yet
        ("tile/0/002.p/255", 404, "not-found"),  # wider than the tree
        ("tile/entries/000", 404, "not-found"),  # records are private
        ("tile/0/0001", 400, "bad-tile-path"),
        ("tile/0/x000/001", 400, "bad-tile-path"),
        ("tile/0/001.p/256", 400, "bad-tile-path"),
        ("tile/64/000", 400, "bad-tile-path"),
        ("tile/0/abc", 400, "bad-tile-path"),
    ],
)
def test_tile_errors_are_problems(
    api: TestClient, db: Database, bank: Party, path: str, status: int, slug: str
) -> None:
    fast_append(db, 700)
    answer = api.get(f"/v1/log/{path}", headers=bank.headers)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == PROBLEMS + slug


def _hashes(answer: dict[str, object]) -> list[bytes]:
    return [base64.b64decode(h) for h in answer["proof"]]  # type: ignore[union-attr]


def test_proofs_verify_against_checkpoints(
    api: TestClient, db: Database, log_settings: Settings, bank: Party
) -> None:
    fast_append(db, 37)
    size1, root1 = sign(db, log_settings)
    fast_append(db, 300)
    size2, root2 = sign(db, log_settings)
    tree = assert_tree_intact(db)
    for index in (0, 1, size1 - 1, size1, size2 - 1, 255, 256):
        answer = api.get(
            "/v1/log/proof/inclusion", params={"index": index, "size": size2}, headers=bank.headers
        )
        assert answer.status_code == 200
        body = answer.json()
        assert (body["index"], body["size"]) == (index, size2)
        leaf = tree.read_hashes([(0, index)])[0]
        verify_inclusion(leaf, index, size2, _hashes(body), root2)
    answer = api.get(
        "/v1/log/proof/consistency", params={"first": size1, "second": size2}, headers=bank.headers
    ).json()
    assert (answer["first"], answer["second"]) == (size1, size2)
    verify_consistency(size1, size2, _hashes(answer), root1, root2)
    same = api.get(
        "/v1/log/proof/consistency", params={"first": size2, "second": size2}, headers=bank.headers
    ).json()
    assert same["proof"] == []


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("inclusion", {"index": 5, "size": 5}, 422),
        ("inclusion", {"index": 0, "size": 10_000}, 404),
        ("inclusion", {"index": -1, "size": 5}, 422),
        ("inclusion", {"size": 5}, 422),
        ("consistency", {"first": 0, "second": 5}, 422),
        ("consistency", {"first": 6, "second": 5}, 422),
        ("consistency", {"first": 1, "second": 10_000}, 404),
    ],
)
def test_bad_proof_requests_are_problems(
    api: TestClient, db: Database, bank: Party, path: str, params: dict[str, int], status: int
) -> None:
    fast_append(db, 20)
    answer = api.get(f"/v1/log/proof/{path}", params=params, headers=bank.headers)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"


def test_entries_are_for_entitled_parties_only(api: TestClient, db: Database) -> None:
    firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    bank = make_party(db, OrgKind.BANK, jurisdiction="440000")
    guangdong = make_party(db, OrgKind.REGULATOR, jurisdiction="440000")
    head_office = make_party(db, OrgKind.REGULATOR, jurisdiction="000000")
    beijing = make_party(db, OrgKind.REGULATOR, jurisdiction="110000")
    other_bank = make_party(db, OrgKind.BANK, jurisdiction="440000")
    operator = make_party(db, OrgKind.OPERATOR)
    with UnitOfWork(db, Actor(bank.org_id, bank.principal_id, "bank")) as uow:
        receipt = uow.record(
            EventType.CONSENT_GRANTED,
            subjects={"firm": firm.org_id},
            content={"scope": "credit"},
            parties={firm.org_id},
        )
        uow.commit()
    path = f"/v1/log/entries/{receipt.leaf_index}"
    for reader in (bank, firm, guangdong, head_office):
        answer = api.get(path, headers=reader.headers)
        assert answer.status_code == 200, reader
        assert answer.headers["content-type"] == "application/json"
        assert leaf_hash(answer.content).hex() == receipt.leaf_hash
    for outsider in (beijing, other_bank, operator):
        answer = api.get(path, headers=outsider.headers)
        assert answer.status_code == 404
        assert answer.json()["type"] == PROBLEMS + "not-found"
    assert api.get("/v1/log/entries/999999", headers=bank.headers).status_code == 404
    assert api.get(path).status_code == 401


def test_receipt_waits_for_a_checkpoint_then_verifies_offline(
    api: TestClient, db: Database, log_settings: Settings, bank: Party, tmp_path: Path
) -> None:
    with UnitOfWork(db, Actor(bank.org_id, bank.principal_id, "bank")) as uow:
        receipt = uow.record(EventType.CONSENT_GRANTED, subjects={}, content={"n": 1})
        uow.commit()
    index = receipt.leaf_index
    early = api.get(f"/v1/log/receipts/{index}", headers=bank.headers)
    assert early.status_code == 404
    assert early.json()["type"] == PROBLEMS + "not-yet-checkpointed"
    assert int(early.headers["retry-after"]) >= 1
    assert (
        api.get("/v1/log/receipts/999999", headers=bank.headers).json()["type"]
        == PROBLEMS + "not-found"
    )
    sign(db, log_settings)
    answer = api.get(f"/v1/log/receipts/{index}", headers=bank.headers)
    assert answer.status_code == 200
    assert answer.text.startswith("c2sp.org/tlog-proof@v1\nindex ")
    bundle, record = tmp_path / "receipt.txt", tmp_path / "record.json"
    bundle.write_text(answer.text)
    record.write_bytes(api.get(f"/v1/log/entries/{index}", headers=bank.headers).content)
    runner = CliRunner()
    base = ["verify", "receipt", str(bundle), "--key", log_vkey(log_settings)]
    ok = runner.invoke(cli, [*base, "--record", str(record)])
    assert ok.exit_code == 0, ok.output
    assert f"is entry {index} of" in ok.output
    by_hash = runner.invoke(cli, [*base, "--leaf-hash", receipt.leaf_hash])
    assert by_hash.exit_code == 0, by_hash.output
    record.write_bytes(record.read_bytes().replace(b'"v":1', b'"v":2'))
    bad = runner.invoke(cli, [*base, "--record", str(record)])
    assert bad.exit_code == 1
    assert "does not verify" in bad.output


@pytest.mark.parametrize(
    "path",
    [
        "checkpoint",
        "tile/0/000.p/1",
        "receipts/0",
        "proof/inclusion?index=0&size=1",
        "proof/consistency?first=1&second=1",
        "entries/0",
    ],
)
def test_reads_need_a_key_unless_public(
    api: TestClient, db: Database, log_settings: Settings, path: str
) -> None:
    record_events(db, 1)
    sign(db, log_settings)
    answer = api.get(f"/v1/log/{path}")
    assert answer.status_code == 401
    assert api.get(f"/v1/log/{path}", headers={"Authorization": "Bearer cf_x_y"}).status_code == 401


def test_public_log_serves_reads_without_a_key(db: Database, log_settings: Settings) -> None:
    conf = log_settings.model_copy(update={"log_public": True})
    record_events(db, 3)
    sign(db, conf)
    for client in _client(conf, db):
        checkpoint = client.get("/v1/log/checkpoint")
        assert checkpoint.status_code == 200
        assert checkpoint.headers["cache-control"] == "public, max-age=1"
        assert client.get("/v1/log/tile/0/000.p/3").status_code == 200
        assert client.get("/v1/log/receipts/2").status_code == 200
        assert client.get("/v1/log/proof/inclusion?index=0&size=3").status_code == 200
        assert client.get("/v1/log/entries/0").status_code == 401  # records stay private
        bogus = client.get("/v1/log/checkpoint", headers={"Authorization": "Bearer cf_x_y"})
        assert bogus.status_code == 401


def test_size_history_spreads_points_over_the_checkpoints(
    db: Database, log_settings: Settings
) -> None:
    from crossfin.ledger.service import size_history

    sizes = []
    for _ in range(7):
        fast_append(db, 3)
        sizes.append(sign(db, log_settings)[0])
    with db.session(readonly=True) as session:
        everything = size_history(session)
        some = size_history(session, points=3)
    assert [p.size for p in everything] == sizes
    assert [p.size for p in some] == [sizes[0], sizes[3], sizes[6]]
    assert all(a.time <= b.time for a, b in itertools.pairwise(everything))

"""The tlog-witness add-checkpoint endpoint: every status, persistence, evidence, races, client."""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crossfin.ledger.checkpoint import Checkpoint
from crossfin.ledger.cosignature import CosignatureVerifier, generate_cosigner, verify_cosignature
from crossfin.ledger.note import Signer, generate_signer, sign_note
from crossfin.ledger.proofs import MemoryTree, consistency_proof, tree_root
from crossfin.ledger.witness_app import create_witness_app
from crossfin.ledger.witness_client import (
    WitnessClientError,
    WitnessConflictError,
    format_request,
    submit_checkpoint,
)
from crossfin.ledger.witness_state import WitnessStore

ORIGIN = "crossfin.example/log"


class Log:
    """A toy log: leaves in memory, checkpoints signed by its own key."""

    def __init__(self, origin: str = ORIGIN, seed: str = "entry", skey: str | None = None) -> None:
        self.origin = origin
        self.skey, self.vkey = (skey, "") if skey else generate_signer(origin)
        self.tree = MemoryTree(hashlib.sha256(f"{seed}{i}".encode()).digest() for i in range(40))

    def body(self, size: int) -> str:
        return Checkpoint(self.origin, size, tree_root(self.tree, size)).format()

    def note(self, size: int) -> str:
        return sign_note(self.body(size), [Signer.from_skey(self.skey)])

    def proof(self, old: int, new: int) -> list[bytes]:
        return consistency_proof(self.tree, old, new) if old else []

    def request(self, old: int, new: int, proof: list[bytes] | None = None) -> bytes:
        return format_request(old, self.proof(old, new) if proof is None else proof, self.note(new))


@pytest.fixture
def log() -> Log:
    return Log()


@pytest.fixture
def witness_keys() -> tuple[str, str]:
    return generate_cosigner("witness.crossfin.example")


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "witness-state"


@pytest.fixture
def client(log: Log, witness_keys: tuple[str, str], state_dir: Path) -> TestClient:
    return TestClient(create_witness_app(witness_keys[0], [log.vkey], state_dir))


def post(client: TestClient, body: bytes):  # type: ignore[no-untyped-def]
    return client.post("/add-checkpoint", content=body)


def evidence(state_dir: Path, status: int) -> list[Path]:
    return sorted((state_dir / "evidence").glob(f"*-{status}*.txt"))


def test_first_checkpoint_is_cosigned(
    client: TestClient, log: Log, witness_keys: tuple[str, str]
) -> None:
    response = post(client, log.request(0, 5))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines(keepends=True)
    assert len(lines) == 1 and lines[0].startswith("— witness.crossfin.example ")
    verifier = CosignatureVerifier.from_vkey(witness_keys[1])
    assert verify_cosignature(log.body(5), lines[0], verifier) > 1_600_000_000


def test_growth_with_a_consistency_proof(client: TestClient, log: Log) -> None:
    assert post(client, log.request(0, 5)).status_code == 200
    assert post(client, log.request(5, 8)).status_code == 200
    assert post(client, log.request(8, 8)).status_code == 200  # same head again: fine
    assert post(client, log.request(8, 33)).status_code == 200


def test_state_is_persisted_before_answering(client: TestClient, log: Log, state_dir: Path) -> None:
    line = post(client, log.request(0, 7)).text
    store = WitnessStore(state_dir)
    record = store.load(ORIGIN)
    assert record is not None
    assert (record.size, record.root) == (7, tree_root(log.tree, 7))
    assert record.checkpoint == log.note(7) + line


def test_state_survives_app_recreation(
    log: Log, witness_keys: tuple[str, str], state_dir: Path
) -> None:
    first = TestClient(create_witness_app(witness_keys[0], [log.vkey], state_dir))
    assert post(first, log.request(0, 6)).status_code == 200
    second = TestClient(create_witness_app(witness_keys[0], [log.vkey], state_dir))
    response = post(second, log.request(0, 9))
    assert response.status_code == 409
    assert response.text == "6\n"
    assert post(second, log.request(6, 9)).status_code == 200


def test_409_carries_the_latest_size(client: TestClient, log: Log, state_dir: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    assert post(client, log.request(0, 5)).status_code == 200
    body = log.request(3, 8)
    with caplog.at_level(logging.ERROR, logger="crossfin.ledger.witness"):
        response = post(client, body)
    assert response.status_code == 409
    assert response.headers["content-type"] == "text/x.tlog.size"
    assert response.text == "5\n"
    assert any(r.levelno == logging.ERROR and "409" in r.getMessage() for r in caplog.records)
    [kept] = evidence(state_dir, 409)
    assert kept.read_bytes().endswith(body)


def test_409_when_the_witness_never_saw_the_log(client: TestClient, log: Log) -> None:
    response = post(client, log.request(4, 8))
    assert response.status_code == 409
    assert response.headers["content-type"] == "text/x.tlog.size"
    assert response.text == "0\n"


def test_400_when_old_size_is_above_the_checkpoint(client: TestClient, log: Log) -> None:
    assert post(client, log.request(0, 5)).status_code == 200
    assert post(client, format_request(9, [], log.note(5))).status_code == 400


@pytest.mark.parametrize(
    "mangle",
    [
        lambda b: b.replace(b"old ", b"old  ", 1),
        lambda b: b.replace(b"old 0", b"old 00", 1),
        lambda b: b.replace(b"old 0", b"new 0", 1),
        lambda b: b.replace(b"old 0\n\n", b"old 0\n", 1),  # no blank line
        lambda b: b.replace(b"old 0\n", b"old 0\nnot-base64!\n", 1),
        lambda b: b.replace(b"old 0\n", b"old 0\nAAAA\n", 1),  # 3-byte hash
        lambda b: b.replace(b"old 0\n", b"old 0\r\n", 1),
        lambda b: b.replace(b"\n\n\xe2\x80\x94", b"\n\xe2\x80\x94", 1),  # note without blank line
        lambda b: b + b"\xff",
        lambda b: b.replace(
            b"old 0\n", b"old 0\n" + b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n" * 64, 1
        ),
        lambda b: b"",
    ],
)
def test_400_for_malformed_requests(client: TestClient, log: Log, mangle) -> None:  # type: ignore[no-untyped-def]
    assert post(client, mangle(log.request(0, 5))).status_code == 400


def test_400_for_an_oversized_body(client: TestClient, log: Log) -> None:
    assert post(client, log.request(0, 5) + b"x" * 300_000).status_code == 400


def test_404_for_an_unknown_origin(client: TestClient) -> None:
    stranger = Log("other.example/log")
    assert post(client, stranger.request(0, 5)).status_code == 404


def test_403_without_a_trusted_signature(client: TestClient, log: Log) -> None:
    impostor_skey, _ = generate_signer(ORIGIN)  # right name, wrong key
    impostor = Log(ORIGIN, skey=impostor_skey)
    assert post(client, impostor.request(0, 5)).status_code == 403


def test_403_for_a_broken_trusted_signature(client: TestClient, log: Log) -> None:
    other_body = log.body(6)
    note = log.note(5)
    sig = sign_note(other_body, [Signer.from_skey(log.skey)]).split("\n\n")[1]
    forged = note.split("\n\n")[0] + "\n\n" + sig  # the log's signature over another head
    assert post(client, format_request(0, [], forged)).status_code == 403


def test_422_for_a_bad_consistency_proof(client: TestClient, log: Log, state_dir: Path) -> None:
    assert post(client, log.request(0, 5)).status_code == 200
    proof = log.proof(5, 8)
    proof[0] = bytes(32)
    assert post(client, log.request(5, 8, proof)).status_code == 422
    assert post(client, log.request(5, 8, proof[:-1])).status_code == 422
    assert len(evidence(state_dir, 422)) == 2
    assert post(client, log.request(5, 8)).status_code == 200  # nothing was stored


def test_422_for_a_proof_from_size_zero(client: TestClient, log: Log, state_dir: Path) -> None:
    response = post(client, log.request(0, 5, [bytes(32)]))
    assert response.status_code == 422
    assert evidence(state_dir, 422)


def test_422_for_a_forked_log(client: TestClient, log: Log, state_dir: Path) -> None:
    assert post(client, log.request(0, 5)).status_code == 200
    fork = Log(ORIGIN, seed="forked", skey=log.skey)  # same key, different entries
    assert post(client, fork.request(5, 9)).status_code == 422


def test_fork_at_equal_size_is_a_422(client: TestClient, log: Log, state_dir: Path) -> None:
    # Issue 3 asks for 422 for a different root at an equal size (never the retryable
    # text/x.tlog.size 409): the fork is refused, logged and kept as evidence.
    assert post(client, log.request(0, 5)).status_code == 200
    fork = Log(ORIGIN, seed="forked", skey=log.skey)
    response = post(client, format_request(5, [], fork.note(5)))
    assert response.status_code == 422
    assert not response.headers["content-type"].startswith("text/x.tlog.size")
    assert "root" in response.text
    [kept] = evidence(state_dir, 422)
    assert fork.body(5).encode() in kept.read_bytes()


def test_empty_tree_must_have_the_empty_root(client: TestClient, log: Log) -> None:
    good = Checkpoint(ORIGIN, 0, hashlib.sha256(b"").digest()).format()
    bad = Checkpoint(ORIGIN, 0, bytes(32)).format()
    signer = Signer.from_skey(log.skey)
    assert post(client, format_request(0, [], sign_note(bad, [signer]))).status_code == 422
    assert post(client, format_request(0, [], sign_note(good, [signer]))).status_code == 200
    assert post(client, log.request(0, 4)).status_code == 200  # anything extends the empty tree


def test_rollback_is_refused(client: TestClient, log: Log) -> None:
    assert post(client, log.request(0, 8)).status_code == 200
    assert post(client, format_request(8, [], log.note(5))).status_code == 400
    response = post(client, format_request(5, [], log.note(5)))
    assert (response.status_code, response.text) == (409, "8\n")


def test_concurrent_requests_from_two_processes_never_roll_back(
    log: Log, witness_keys: tuple[str, str], state_dir: Path
) -> None:
    # Two app instances on one directory stand for two witness processes.
    apps = [
        TestClient(create_witness_app(witness_keys[0], [log.vkey], state_dir)) for _ in range(2)
    ]
    assert post(apps[0], log.request(0, 4)).status_code == 200
    targets = list(range(5, 25))
    results: dict[int, int] = {}

    def submit(size: int) -> None:
        results[size] = post(apps[size % 2], log.request(4, size)).status_code

    threads = [threading.Thread(target=submit, args=(size,)) for size in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [size for size, status in results.items() if status == 200]
    assert len(winners) == 1 and all(results[s] == 409 for s in targets if s not in winners)
    record = WitnessStore(state_dir).load(ORIGIN)
    assert record is not None and record.size == winners[0]


def test_client_gathers_a_verified_cosignature(
    client: TestClient, log: Log, witness_keys: tuple[str, str]
) -> None:
    url = "http://testserver"
    lines = submit_checkpoint(url, 0, [], log.note(5), witness_vkey=witness_keys[1], client=client)
    assert len(lines) == 1 and lines[0].endswith("\n")
    lines = submit_checkpoint(
        url + "/add-checkpoint", 5, log.proof(5, 9), log.note(9), client=client
    )
    assert verify_cosignature(log.body(9), lines[0], CosignatureVerifier.from_vkey(witness_keys[1]))


def test_client_rejects_a_cosignature_by_another_witness(client: TestClient, log: Log) -> None:
    _, other = generate_cosigner("witness.crossfin.example")
    with pytest.raises(WitnessClientError, match="no cosignature"):
        submit_checkpoint(
            "http://testserver", 0, [], log.note(5), witness_vkey=other, client=client
        )


def test_client_errors_carry_status_and_size(client: TestClient, log: Log) -> None:
    submit_checkpoint("http://testserver", 0, [], log.note(5), client=client)
    with pytest.raises(WitnessConflictError) as conflict:
        submit_checkpoint("http://testserver", 0, [], log.note(9), client=client)
    assert (conflict.value.status, conflict.value.size) == (409, 5)
    fork = Log(ORIGIN, seed="forked", skey=log.skey)
    with pytest.raises(WitnessClientError) as forked:
        submit_checkpoint("http://testserver", 5, [], fork.note(5), client=client)
    assert forked.value.status == 422
    with pytest.raises(WitnessClientError) as unknown:
        submit_checkpoint(
            "http://testserver", 0, [], Log("other.example/log").note(5), client=client
        )
    assert unknown.value.status == 404
    with pytest.raises(WitnessClientError) as bad_proof:
        submit_checkpoint("http://testserver", 5, [bytes(32)] * 3, log.note(9), client=client)
    assert bad_proof.value.status == 422


def test_client_reports_unreachable_witnesses() -> None:
    with pytest.raises(WitnessClientError) as failure:
        submit_checkpoint("http://127.0.0.1:9", 0, [], "x\n\n— a AAAAAAAA\n", timeout=2)
    assert failure.value.status is None


def test_request_format_matches_the_spec_example() -> None:
    proof = [base64.b64decode("PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=")]
    body = format_request(20852014, proof, "NOTE")
    assert body == b"old 20852014\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n\nNOTE"

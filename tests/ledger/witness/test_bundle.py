"""tlog-proof@v1 bundles: exact format, strict parsing and receipt verification."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossfin.ledger.bundle import (
    ProofBundle,
    ReceiptError,
    format_proof_bundle,
    parse_proof_bundle,
    verify_receipt,
)
from crossfin.ledger.checkpoint import Checkpoint
from crossfin.ledger.cosignature import (
    CosignatureSigner,
    add_cosignatures,
    cosign,
    generate_cosigner,
)
from crossfin.ledger.note import Signer, generate_signer, sign_note
from crossfin.ledger.proofs import MemoryTree, inclusion_proof, tree_root
from crossfin.ledger.rfc6962 import leaf_hash

ORIGIN = "crossfin.example/log"
RECORDS = [f"record {i}".encode() for i in range(21)]
LOG_SKEY, LOG_VKEY = generate_signer(ORIGIN)
WITNESSES = [generate_cosigner(f"w{i}.example") for i in range(3)]
TREE = MemoryTree(leaf_hash(r) for r in RECORDS)


def signed_checkpoint(
    size: int, cosigners: int = 0, skey: str = LOG_SKEY, origin: str = ORIGIN
) -> str:
    body = Checkpoint(origin, size, tree_root(TREE, size)).format()
    note = sign_note(body, [Signer.from_skey(skey)])
    lines = [
        cosign(body, CosignatureSigner.from_skey(s), 1_700_000_000)
        for s, _ in WITNESSES[:cosigners]
    ]
    return add_cosignatures(note, lines) if lines else note


def bundle(index: int = 6, size: int = 21, cosigners: int = 2, extra: bytes | None = None) -> str:
    return format_proof_bundle(
        index, inclusion_proof(TREE, index, size), signed_checkpoint(size, cosigners), extra
    )


def vkeys() -> list[str]:
    return [v for _, v in WITNESSES]


def test_exact_layout() -> None:
    note = signed_checkpoint(21)
    proof = inclusion_proof(TREE, 6, 21)
    text = format_proof_bundle(6, proof, note, extra=b"context")
    expected = (
        "c2sp.org/tlog-proof@v1\n"
        f"extra {base64.b64encode(b'context').decode()}\n"
        "index 6\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof) + "\n" + note
    )
    assert text == expected
    assert parse_proof_bundle(text) == ProofBundle(6, tuple(proof), note, b"context")


def test_extra_line_is_omitted_when_absent() -> None:
    text = bundle()
    assert text.split("\n")[1] == "index 6"
    assert parse_proof_bundle(text).extra is None
    assert "extra" not in format_proof_bundle(
        0, inclusion_proof(TREE, 0, 21), signed_checkpoint(21), b""
    )


def test_single_leaf_tree_has_no_proof_lines() -> None:
    text = format_proof_bundle(0, [], signed_checkpoint(1))
    assert text.startswith("c2sp.org/tlog-proof@v1\nindex 0\n\n")
    receipt = verify_receipt(text, LOG_VKEY, record=RECORDS[0])
    assert (receipt.index, receipt.checkpoint.size) == (0, 1)


def test_receipt_verifies_with_record_and_quorum() -> None:
    receipt = verify_receipt(
        bundle(extra=b"x"), LOG_VKEY, record=RECORDS[6], witness_vkeys=vkeys(), quorum=2
    )
    assert receipt.index == 6 and receipt.leaf_hash == leaf_hash(RECORDS[6])
    assert receipt.checkpoint.size == 21 and receipt.checkpoint.root == tree_root(TREE, 21)
    assert receipt.log_name == ORIGIN
    assert receipt.witnesses == ("w0.example", "w1.example")
    assert receipt.extra == b"x"


def test_receipt_verifies_with_leaf_hash_only() -> None:
    receipt = verify_receipt(bundle(), LOG_VKEY, leaf_hash=leaf_hash(RECORDS[6]))
    assert receipt.witnesses == ()


def test_wrong_record_fails_the_inclusion_check() -> None:
    with pytest.raises(ReceiptError, match="inclusion proof for index 6"):
        verify_receipt(bundle(), LOG_VKEY, record=RECORDS[7])


def test_wrong_index_fails() -> None:
    text = bundle().replace("index 6\n", "index 7\n")
    with pytest.raises(ReceiptError, match="inclusion"):
        verify_receipt(text, LOG_VKEY, record=RECORDS[6])


def test_tampered_proof_fails() -> None:
    proof = inclusion_proof(TREE, 6, 21)
    proof[1] = bytes(32)
    text = format_proof_bundle(6, proof, signed_checkpoint(21))
    with pytest.raises(ReceiptError, match="inclusion"):
        verify_receipt(text, LOG_VKEY, record=RECORDS[6])


def test_index_outside_the_tree_fails() -> None:
    text = format_proof_bundle(25, inclusion_proof(TREE, 6, 21), signed_checkpoint(21))
    with pytest.raises(ReceiptError, match="inclusion"):
        verify_receipt(text, LOG_VKEY, record=RECORDS[6])


def test_another_log_key_fails_the_log_signature_check() -> None:
    _, other = generate_signer(ORIGIN)
    with pytest.raises(ReceiptError, match="log signature"):
        verify_receipt(bundle(), other, record=RECORDS[6])


def test_forged_checkpoint_fails_the_log_signature_check() -> None:
    text = bundle()
    root = base64.b64encode(tree_root(TREE, 21)).decode()
    forged = text.replace(root, base64.b64encode(bytes(32)).decode())
    with pytest.raises(ReceiptError, match="log signature"):
        verify_receipt(forged, LOG_VKEY, record=RECORDS[6])


def test_origin_must_be_the_log_key_name() -> None:
    skey, vkey = generate_signer("someone.else/log")
    note = signed_checkpoint(21, 0, skey=skey)  # origin ORIGIN, signed by someone.else/log
    text = format_proof_bundle(6, inclusion_proof(TREE, 6, 21), note)
    with pytest.raises(ReceiptError, match="origin"):
        verify_receipt(text, vkey, record=RECORDS[6])


def test_quorum_not_met_names_the_counts() -> None:
    with pytest.raises(ReceiptError, match="quorum not met: 2 of 3 required"):
        verify_receipt(
            bundle(cosigners=2), LOG_VKEY, record=RECORDS[6], witness_vkeys=vkeys(), quorum=3
        )
    with pytest.raises(ReceiptError, match="0 of 1 required"):
        verify_receipt(
            bundle(cosigners=0), LOG_VKEY, record=RECORDS[6], witness_vkeys=vkeys(), quorum=1
        )


def test_quorum_counts_distinct_trusted_witnesses_only() -> None:
    _, stranger = generate_cosigner("w0.example")  # same name as w0, another key
    text = bundle(cosigners=3)
    with pytest.raises(ReceiptError, match="quorum not met: 0 of 1"):
        verify_receipt(text, LOG_VKEY, record=RECORDS[6], witness_vkeys=[stranger], quorum=1)
    twice = [WITNESSES[0][1], WITNESSES[0][1]]
    with pytest.raises(ReceiptError, match="cannot be met"):
        verify_receipt(text, LOG_VKEY, record=RECORDS[6], witness_vkeys=twice, quorum=2)


def test_impossible_quorum_is_refused() -> None:
    with pytest.raises(ReceiptError, match="cannot be met"):
        verify_receipt(bundle(), LOG_VKEY, record=RECORDS[6], witness_vkeys=vkeys(), quorum=4)
    with pytest.raises(ReceiptError, match="cannot be met"):
        verify_receipt(bundle(), LOG_VKEY, record=RECORDS[6], quorum=-1)


def test_record_or_leaf_hash_is_required_and_must_agree() -> None:
    with pytest.raises(ReceiptError, match="record or its leaf hash"):
        verify_receipt(bundle(), LOG_VKEY)
    with pytest.raises(ReceiptError, match="not the hash"):
        verify_receipt(bundle(), LOG_VKEY, record=RECORDS[6], leaf_hash=leaf_hash(RECORDS[5]))


def test_invalid_log_key_is_reported() -> None:
    with pytest.raises(ReceiptError, match="invalid log key"):
        verify_receipt(bundle(), "not a key", record=RECORDS[6])


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t.replace("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v2"),
        lambda t: t.replace("index 6", "index 06"),
        lambda t: t.replace("index 6", "index -6"),
        lambda t: t.replace("index 6", "index  6"),
        lambda t: t.replace("index 6\n", ""),
        lambda t: t.replace("index 6\n", "index 6\nAAAA\n"),  # 3-byte hash
        lambda t: t.replace("index 6\n", "index 6\n!!!!\n"),
        lambda t: t.replace("index 6\n", "extra \nindex 6\n"),
        lambda t: t.replace("index 6\n", "index 6\nextra eA==\n"),  # extra after index
        lambda t: t.replace("\n\n", "\n", 1),
        lambda t: t.split("\n\n", 1)[0] + "\n\nnot a checkpoint\n\n— x AAAAAAAA\n",
        lambda t: t.replace("\n", "\r\n"),
        lambda t: "",
    ],
)
def test_malformed_bundles_are_refused(mangle) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ReceiptError):
        parse_proof_bundle(mangle(bundle()))


def test_format_refuses_bad_inputs() -> None:
    note = signed_checkpoint(21)
    with pytest.raises(ReceiptError):
        format_proof_bundle(-1, [], note)
    with pytest.raises(ReceiptError):
        format_proof_bundle(0, [bytes(31)], note)
    with pytest.raises(ReceiptError):
        format_proof_bundle(0, [], "not a note\n")


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_leaf_of_every_size_round_trips(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, len(RECORDS)))
    index = data.draw(st.integers(0, size - 1))
    extra = data.draw(st.none() | st.binary(min_size=1, max_size=20))
    text = format_proof_bundle(
        index, inclusion_proof(TREE, index, size), signed_checkpoint(size, 1), extra
    )
    receipt = verify_receipt(text, LOG_VKEY, record=RECORDS[index], witness_vkeys=vkeys(), quorum=1)
    assert (receipt.index, receipt.checkpoint.size, receipt.extra) == (index, size, extra)


def test_spec_example_header_parses() -> None:
    # The head of the tlog-proof spec example; its signatures are elided there, so the
    # checkpoint (same origin, size and root) is signed here by a key of our own.
    head = (
        "c2sp.org/tlog-proof@v1\n"
        "extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ\n"
        "index 73894\n"
        "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n"
        "B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n"
        "EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=\n"
        "RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=\n"
        "AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=\n"
    )
    body = "example.com/fancylog\n109482\nsFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n"
    skey, _ = generate_signer("example.com/fancylog")
    note = sign_note(body, [Signer.from_skey(skey)])
    parsed = parse_proof_bundle(head + "\n" + note)
    assert parsed.index == 73894 and len(parsed.proof) == 5
    assert parsed.extra is not None and parsed.extra.startswith(b"age-v1.2.1-darwin-arm64.tar.gz")
    assert parsed.signed_note == note
    assert format_proof_bundle(parsed.index, parsed.proof, note, parsed.extra) == head + "\n" + note

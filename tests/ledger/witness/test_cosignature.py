"""Checkpoints and cosignature/v1: formats, signed message, verification and quorum counting."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given
from hypothesis import strategies as st

from crossfin.ledger.checkpoint import Checkpoint, CheckpointError, parse_checkpoint
from crossfin.ledger.cosignature import (
    CosignatureError,
    CosignatureSigner,
    CosignatureVerifier,
    add_cosignatures,
    cosign,
    cosigned_message,
    count_cosignatures,
    generate_cosigner,
    verified_cosigners,
    verify_cosignature,
)
from crossfin.ledger.note import (
    InvalidSignatureError,
    KeyFormatError,
    MalformedNoteError,
    Signer,
    Verifier,
    generate_signer,
    open_note,
    parse_note,
    sign_note,
)

# The checkpoint body used as the example throughout the C2SP tlog specifications.
SPEC_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
T = 1679315147


def log_note(body: str = SPEC_BODY) -> tuple[str, str]:
    """A checkpoint signed by a fresh log key named after the origin: (note, vkey)."""
    skey, vkey = generate_signer(body.split("\n", 1)[0])
    return sign_note(body, [Signer.from_skey(skey)]), vkey


# --- checkpoints -------------------------------------------------------------------


def test_spec_checkpoint_parses_and_formats_back() -> None:
    checkpoint = parse_checkpoint(SPEC_BODY)
    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert checkpoint.root == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert checkpoint.extensions == ()
    assert checkpoint.format() == SPEC_BODY


def test_extension_lines_are_kept() -> None:
    body = SPEC_BODY + "ext one\nanother\n"
    assert parse_checkpoint(body).extensions == ("ext one", "another")
    assert parse_checkpoint(body).format() == body


def test_empty_tree_checkpoint() -> None:
    body = Checkpoint("o", 0, hashlib.sha256(b"").digest()).format()
    assert body.split("\n")[1] == "0"
    assert parse_checkpoint(body).size == 0


@pytest.mark.parametrize(
    "body",
    [
        SPEC_BODY[:-1],  # no final newline
        "\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  # empty origin
        "o\n020852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  # leading zero
        "o\n00\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n+1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n 1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n\u0661\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  # Arabic-Indic digit
        "o\n18446744073709551616\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  # 2^64
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",  # unpadded
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",  # non-canonical
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx\n",  # 30 bytes
        "o\n1\n",  # two lines
        SPEC_BODY + "\n",  # empty extension line
    ],
)
def test_malformed_checkpoints_are_refused(body: str) -> None:
    with pytest.raises(CheckpointError):
        parse_checkpoint(body)


def test_checkpoint_fields_are_validated() -> None:
    with pytest.raises(CheckpointError):
        Checkpoint("", 1, bytes(32))
    with pytest.raises(CheckpointError):
        Checkpoint("o", -1, bytes(32))
    with pytest.raises(CheckpointError):
        Checkpoint("o", 1, bytes(31))
    with pytest.raises(CheckpointError):
        Checkpoint("o\nx", 1, bytes(32))
    with pytest.raises(CheckpointError):
        Checkpoint("o", 1, bytes(32), ("",))


@given(
    origin=st.text(
        st.characters(min_codepoint=0x20, exclude_categories=["Cs"]), min_size=1, max_size=40
    ),
    size=st.integers(0, 2**64 - 1),
    root=st.binary(min_size=32, max_size=32),
    extensions=st.lists(
        st.text(st.characters(min_codepoint=0x20, exclude_categories=["Cs"]), min_size=1),
        max_size=3,
    ),
)
def test_checkpoint_round_trip(origin: str, size: int, root: bytes, extensions: list[str]) -> None:
    checkpoint = Checkpoint(origin, size, root, tuple(extensions))
    assert parse_checkpoint(checkpoint.format()) == checkpoint


# --- cosignatures ------------------------------------------------------------------


def test_cosigner_keys_use_type_0x04() -> None:
    skey, vkey = generate_cosigner("witness.example/w1")
    name, hex_id, b64 = vkey.split("+", 2)
    raw = base64.b64decode(b64)
    assert raw[0] == 0x04 and len(raw) == 33
    assert hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex() == hex_id
    assert skey.startswith(f"PRIVATE+KEY+{name}+{hex_id}+")
    assert base64.b64decode(skey.split("+", 4)[4])[0] == 0x04
    assert CosignatureSigner.from_skey(skey).verifier() == CosignatureVerifier.from_vkey(vkey)


def test_signed_message_layout() -> None:
    assert cosigned_message(SPEC_BODY, T) == (
        b"cosignature/v1\ntime 1679315147\n"
        b"example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    )
    with pytest.raises(CosignatureError):
        cosigned_message(SPEC_BODY, 2**63)


def test_cosignature_line_layout_checked_independently() -> None:
    skey, vkey = generate_cosigner("witness.example/w1")
    line = cosign(SPEC_BODY, CosignatureSigner.from_skey(skey), T)
    assert line.startswith("— witness.example/w1 ") and line.endswith("\n")
    blob = base64.b64decode(line.split(" ")[2])
    assert len(blob) == 4 + 8 + 64
    assert blob[:4].hex() == vkey.split("+")[1]
    assert int.from_bytes(blob[4:12], "big") == T
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(vkey.split("+", 2)[2])[1:])
    message = f"cosignature/v1\ntime {T}\n".encode() + SPEC_BODY.encode()
    public.verify(blob[12:], message)  # raises if our layout were wrong


def test_verify_cosignature_returns_the_timestamp() -> None:
    skey, vkey = generate_cosigner("w")
    verifier = CosignatureVerifier.from_vkey(vkey)
    line = cosign(SPEC_BODY, CosignatureSigner.from_skey(skey), T)
    assert verify_cosignature(SPEC_BODY, line, verifier) == T
    assert verify_cosignature(SPEC_BODY, line, verifier, not_after=T) == T
    with pytest.raises(CosignatureError, match="after"):
        verify_cosignature(SPEC_BODY, line, verifier, not_after=T - 1)


def test_cosignature_over_another_checkpoint_fails() -> None:
    skey, vkey = generate_cosigner("w")
    line = cosign(SPEC_BODY, CosignatureSigner.from_skey(skey), T)
    other = SPEC_BODY.replace("20852163", "20852164")
    with pytest.raises(InvalidSignatureError):
        verify_cosignature(other, line, CosignatureVerifier.from_vkey(vkey))


def test_cosignature_with_edited_timestamp_fails() -> None:
    skey, vkey = generate_cosigner("w")
    line = cosign(SPEC_BODY, CosignatureSigner.from_skey(skey), T)
    blob = bytearray(base64.b64decode(line.split(" ")[2]))
    blob[11] ^= 1
    edited = f"— w {base64.b64encode(bytes(blob)).decode()}\n"
    with pytest.raises(InvalidSignatureError):
        verify_cosignature(SPEC_BODY, edited, CosignatureVerifier.from_vkey(vkey))


def test_cosignature_by_another_key_is_reported() -> None:
    skey, _ = generate_cosigner("w1")
    _, other_vkey = generate_cosigner("w2")
    line = cosign(SPEC_BODY, CosignatureSigner.from_skey(skey), T)
    with pytest.raises(CosignatureError, match="expected w2"):
        verify_cosignature(SPEC_BODY, line, CosignatureVerifier.from_vkey(other_vkey))


def test_cosign_refuses_malformed_checkpoints() -> None:
    skey, _ = generate_cosigner("w")
    with pytest.raises(CheckpointError):
        cosign("just one line\n", CosignatureSigner.from_skey(skey), T)


def test_key_types_do_not_mix() -> None:
    skey, vkey = generate_signer("log")
    with pytest.raises(KeyFormatError, match="0x04"):
        CosignatureVerifier.from_vkey(vkey)
    with pytest.raises(KeyFormatError, match="0x04"):
        CosignatureSigner.from_skey(skey)


def test_cosigned_note_opens_with_log_and_witness_keys() -> None:
    note, log_vkey = log_note()
    skey, vkey = generate_cosigner("witness.example/w1")
    cosigned = add_cosignatures(note, [cosign(SPEC_BODY, CosignatureSigner.from_skey(skey), T)])
    verifiers = [Verifier.from_vkey(log_vkey), CosignatureVerifier.from_vkey(vkey)]
    assert open_note(cosigned, verifiers) == (
        SPEC_BODY,
        ["example.com/behind-the-sofa", "witness.example/w1"],
    )


def test_signer_clock_is_used_by_plain_note_signing() -> None:
    skey, vkey = generate_cosigner("w")
    signer = CosignatureSigner.from_skey(skey)
    signer = CosignatureSigner(signer.name, signer.key_id, signer.private_key, clock=lambda: 42)
    line = sign_note(SPEC_BODY, [signer]).split("\n\n")[1]
    assert verify_cosignature(SPEC_BODY, line, CosignatureVerifier.from_vkey(vkey)) == 42


def _witnesses(count: int) -> list[tuple[str, str]]:
    return [generate_cosigner(f"witness{i}.example") for i in range(count)]


def test_count_distinct_valid_cosigners() -> None:
    note, _ = log_note()
    keys = _witnesses(4)
    lines = [
        cosign(SPEC_BODY, CosignatureSigner.from_skey(s), T + i)
        for i, (s, _) in enumerate(keys[:3])
    ]
    again = cosign(SPEC_BODY, CosignatureSigner.from_skey(keys[0][0]), T + 9)  # same witness twice
    cosigned = add_cosignatures(note, [*lines, again])
    trusted = [v for _, v in keys[1:]]  # witness0 is not trusted, witness3 did not sign
    assert verified_cosigners(cosigned, trusted) == ["witness1.example", "witness2.example"]
    assert count_cosignatures(cosigned, trusted) == 2
    assert count_cosignatures(cosigned, [v for _, v in keys]) == 3
    assert count_cosignatures(cosigned, [keys[0][1], keys[0][1]]) == 1
    assert count_cosignatures(note, [v for _, v in keys]) == 0


def test_tampered_cosignature_from_a_trusted_witness_raises() -> None:
    note, _ = log_note()
    (_, vkey), (other_skey, _) = _witnesses(2)
    # A genuine signature of witness1 relabelled as witness0: name and ID match, signature not.
    good = cosign(SPEC_BODY, CosignatureSigner.from_skey(other_skey), T)
    w0 = CosignatureVerifier.from_vkey(vkey)
    blob = base64.b64decode(good.split(" ")[2])
    forged = f"— {w0.name} {base64.b64encode(w0.key_id.to_bytes(4, 'big') + blob[4:]).decode()}\n"
    with pytest.raises(InvalidSignatureError):
        count_cosignatures(add_cosignatures(note, [forged]), [vkey])


def test_add_cosignatures_skips_duplicates_and_checks_lines() -> None:
    note, _ = log_note()
    ((skey, _),) = _witnesses(1)
    line = cosign(SPEC_BODY, CosignatureSigner.from_skey(skey), T)
    once = add_cosignatures(note, [line])
    assert add_cosignatures(once, [line, line]) == once
    assert len(parse_note(once).signatures) == 2
    with pytest.raises(MalformedNoteError):
        add_cosignatures(note, [line.rstrip("\n")])
    with pytest.raises(MalformedNoteError):
        add_cosignatures(note, ["- w AAAA\n"])

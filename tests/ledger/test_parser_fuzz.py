"""Fuzzing the parsers that read what others send: each returns a value or raises its own
documented error, whatever the text or bytes, and reads back what its formatter writes.

Inputs are arbitrary text (lone surrogates and controls included), arbitrary bytes, and valid
samples with random edits (which reach the checks behind the first line). Each test is
bounded (examples and deadline) so the module runs in a few seconds.
"""

from __future__ import annotations

import base64
import contextlib

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crossfin.documents.records import MANIFEST_HEADER, Manifest, parse_manifest_text
from crossfin.ledger.bundle import ReceiptError, format_proof_bundle, parse_proof_bundle
from crossfin.ledger.checkpoint import Checkpoint, CheckpointError, parse_checkpoint
from crossfin.ledger.cosignature import (
    CosignatureSigner,
    CosignatureVerifier,
    add_cosignatures,
    cosign,
    generate_cosigner,
    verified_cosigners,
    verify_cosignature,
)
from crossfin.ledger.errors import EntryBundleNotServed
from crossfin.ledger.note import (
    ED25519_TYPE,
    KeyFormatError,
    NoteError,
    ParsedNote,
    Signer,
    format_vkey,
    generate_signer,
    open_note,
    parse_note,
    parse_signature_line,
    parse_skey,
    parse_vkey,
    sign_note,
)
from crossfin.ledger.tiles import FULL_WIDTH, MAX_LEVEL, parse_tile_path, tile_path
from crossfin.ledger.witness_app import AddCheckpoint, Refusal, parse_request

FUZZ = settings(
    max_examples=150, deadline=1000, database=None, suppress_health_check=[HealthCheck.too_slow]
)
ROUND_TRIP = settings(max_examples=100, deadline=1000, database=None)

# Every code point, lone surrogates included (text read as bytes with errors ignored, or
# JSON "\ud800", gives those).
ANY_CHAR = st.characters(exclude_categories=())
ANY_TEXT = st.text(ANY_CHAR, max_size=200)

LOG_SKEY, LOG_VKEY = generate_signer("log.example/fuzz")
LOG_SIGNER = Signer.from_skey(LOG_SKEY)
W_SKEY, W_VKEY = generate_cosigner("witness.example/fuzz")
W_SIGNER = CosignatureSigner.from_skey(W_SKEY)
W_VERIFIER = CosignatureVerifier.from_vkey(W_VKEY)
ROOT = bytes(range(32))
ROOT64 = base64.b64encode(ROOT).decode()
BODY = Checkpoint("log.example/fuzz", 12345, ROOT, ("ext one",)).format()
SIGNED = sign_note(BODY, [LOG_SIGNER])
LINE = cosign(BODY, W_SIGNER, 1_700_000_000)
COSIGNED = add_cosignatures(SIGNED, [LINE])
MANIFEST = Manifest("vat_invoice", "b.1:x", 12, ROOT).text()


def _edit(text: str, edits: list[tuple[int, int, str]]) -> str:
    for position, cut, insert in edits:
        at = position % (len(text) + 1)
        text = text[:at] + insert + text[at + cut :]
    return text


def near(*samples: str) -> st.SearchStrategy[str]:
    """Valid samples with up to four random edits (cut some characters, insert any)."""
    edit = st.tuples(st.integers(0, 1000), st.integers(0, 4), st.text(ANY_CHAR, max_size=4))
    return st.builds(_edit, st.sampled_from(samples), st.lists(edit, max_size=4))


def fuzz_text(*samples: str) -> st.SearchStrategy[str]:
    return st.one_of(ANY_TEXT, near(*samples))


# Text a note, checkpoint or key name may hold: no controls, no lone surrogates.
LINE_CHAR = st.characters(exclude_categories=("Cc", "Cs"))
KEY_NAME = st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Z"), exclude_characters="+\x85\x1c\x1d\x1e\x1f"),
    min_size=1,
    max_size=20,
).filter(lambda n: not any(c.isspace() for c in n))
CHECKPOINTS = st.builds(
    Checkpoint,
    origin=st.text(LINE_CHAR, min_size=1, max_size=30),
    size=st.integers(0, 2**64 - 1),
    root=st.binary(min_size=32, max_size=32),
    extensions=st.lists(st.text(LINE_CHAR, min_size=1, max_size=20), max_size=3).map(tuple),
)


# -- signed notes (ledger/note.py) ------------------------------------------------------------


@FUZZ
@given(
    st.one_of(
        fuzz_text(SIGNED, COSIGNED),
        st.binary(max_size=200),
        near(COSIGNED).map(lambda t: t.encode("utf-8", "surrogatepass")),
    )
)
@example(b"x\n\n\xe2\x80\x94 a\xff AAAAAAA=\n")  # not UTF-8: refused, not decoded
def test_note_parser_refuses_with_its_own_error(note: str | bytes) -> None:
    try:
        parsed = parse_note(note)
    except NoteError:
        return
    text = note if isinstance(note, str) else note.decode("utf-8")
    # One note has one spelling: its parts give back exactly the input.
    assert parsed.text + "\n" + "".join(s.line for s in parsed.signatures) == text
    with contextlib.suppress(NoteError):
        open_note(note, [LOG_SIGNER.verifier()])


@ROUND_TRIP
@given(st.text(LINE_CHAR | st.just("\n"), max_size=60), st.lists(KEY_NAME, min_size=1, max_size=3))
def test_signed_notes_read_back(text: str, names: list[str]) -> None:
    text += "\n"
    signers = [Signer.from_skey(generate_signer(name)[0]) for name in names]
    note = sign_note(text, signers)
    parsed = parse_note(note)
    assert parsed == ParsedNote(text, parsed.signatures)
    assert [(s.name, s.key_id) for s in parsed.signatures] == [(s.name, s.key_id) for s in signers]
    assert open_note(note, [signers[-1].verifier()])[0] == text


@FUZZ
@given(fuzz_text(LOG_VKEY, W_VKEY, LOG_SKEY, W_SKEY))
@example(
    "exak\udd7e+05e0461e+BB1qQyocvQI3ExS/JMlKZm05zfG4wDcWldAF1TSAmP/z"
)  # was UnicodeEncodeError
def test_key_parsers_refuse_with_their_own_error(key: str) -> None:
    for parse in (parse_vkey, parse_skey):
        with contextlib.suppress(KeyFormatError):
            parse(key)


@ROUND_TRIP
@given(KEY_NAME, st.binary(min_size=32, max_size=32), st.sampled_from([ED25519_TYPE, 0x04]))
def test_verifier_keys_read_back(name: str, public: bytes, sig_type: int) -> None:
    material = parse_vkey(format_vkey(name, sig_type, public))
    assert (material.name, material.sig_type, material.key) == (name, sig_type, public)


def test_key_name_with_a_lone_surrogate_is_refused() -> None:
    """Found by fuzzing: the key ID hashes the UTF-8 name, which a surrogate cannot be."""
    with pytest.raises(KeyFormatError, match="invalid key name"):
        parse_vkey("a\udc80+00000000+AQ==")
    with pytest.raises(NoteError, match="bad key name"):
        parse_signature_line("\u2014 a\udc80 AAAAAAA=")


# -- checkpoints (ledger/checkpoint.py) -------------------------------------------------------

HUGE_SIZE = f"o\n{'9' * 5000}\n{ROOT64}\n"
SURROGATE_ORIGIN = f"o\ud800\n5\n{ROOT64}\n"


@FUZZ
@given(fuzz_text(BODY, f"o\n0\n{ROOT64}\n"))
@example(HUGE_SIZE)  # was ValueError from int(): over 4,300 digits
@example(SURROGATE_ORIGIN)  # was accepted, then UnicodeEncodeError when (co)signed
def test_checkpoint_parser_refuses_with_its_own_error(text: str) -> None:
    try:
        checkpoint = parse_checkpoint(text)
    except CheckpointError:
        return
    assert checkpoint.format() == text  # one checkpoint has one spelling
    text.encode("utf-8")  # and it can be signed


@ROUND_TRIP
@given(CHECKPOINTS)
def test_checkpoints_read_back(checkpoint: Checkpoint) -> None:
    assert parse_checkpoint(checkpoint.format()) == checkpoint


def test_checkpoint_regressions() -> None:
    """Found by fuzzing: a size of 5,000 digits and a lone surrogate in the origin."""
    with pytest.raises(CheckpointError, match="tree size of 5000 digits exceeds"):
        parse_checkpoint(HUGE_SIZE)
    with pytest.raises(CheckpointError, match="lone surrogate"):
        parse_checkpoint(SURROGATE_ORIGIN)
    with pytest.raises(CheckpointError, match="lone surrogate"):
        Checkpoint("o\ud800", 5, ROOT)


# -- tile paths (ledger/tiles.py) --------------------------------------------------------------


@FUZZ
@given(
    fuzz_text(
        "tile/0/x001/x234/067",
        "tile/0/x001/x234/067.p/8",
        "tile/entries/000",
        "tile/63/000",
        "tile/2/x001/000.p/255",
        "tile/1/x999/999.p/1",
    )
)
@example("tile/0/\u0661\u0662\u0663")  # Arabic-Indic digits are not digits here
@example("tile/entries/x000/001.p/1")
def test_tile_path_parser_refuses_with_its_own_error(path: str) -> None:
    try:
        level, index, width = parse_tile_path(path)
    except (ValueError, EntryBundleNotServed):
        return
    assert tile_path(level, index, width) == path  # one tile has one spelling


@st.composite
def tiles(draw: st.DrawFn) -> tuple[int, int, int]:
    level = draw(st.integers(0, MAX_LEVEL))
    # Tile N of level L starts at leaf N * 256**(L+1), which must stay below 2**64.
    limit = max(0, (2**64 - 1) >> (8 * (level + 1)))
    return level, draw(st.integers(0, limit)), draw(st.integers(1, FULL_WIDTH))


@ROUND_TRIP
@given(tiles())
@example((0, 2**56 - 1, 256))
@example((7, 0, 1))
def test_tile_paths_read_back(tile: tuple[int, int, int]) -> None:
    assert parse_tile_path(tile_path(*tile)) == tile


# -- cosignatures (ledger/cosignature.py) -------------------------------------------------------


@FUZZ
@given(fuzz_text(LINE.removesuffix("\n"), "\u2014 a AAAAAAA="))
def test_signature_line_parser_refuses_with_its_own_error(line: str) -> None:
    try:
        signature = parse_signature_line(line)
    except NoteError:
        return
    assert signature.line == line + "\n"


@FUZZ
@given(fuzz_text(BODY, f"o\n0\n{ROOT64}\n"), fuzz_text(LINE))
@example(HUGE_SIZE, LINE)
@example(SURROGATE_ORIGIN, LINE)  # was UnicodeEncodeError
@example(BODY.replace("ext one", "ext\ud800"), LINE)
def test_cosignature_checks_refuse_with_their_own_error(body: str, line: str) -> None:
    with contextlib.suppress(NoteError):
        verify_cosignature(body, line, W_VERIFIER)
    with contextlib.suppress(NoteError):
        cosign(body, W_SIGNER, 1)


@FUZZ
@given(fuzz_text(COSIGNED), fuzz_text(LINE))
def test_cosigned_notes_refuse_with_their_own_error(note: str, line: str) -> None:
    with contextlib.suppress(NoteError):
        verified_cosigners(note, [W_VERIFIER])
    with contextlib.suppress(NoteError):
        add_cosignatures(SIGNED, [line])


@ROUND_TRIP
@given(CHECKPOINTS, st.integers(0, 2**63 - 1))
def test_cosignatures_read_back(checkpoint: Checkpoint, timestamp: int) -> None:
    body = checkpoint.format()
    line = cosign(body, W_SIGNER, timestamp)
    assert verify_cosignature(body, line, W_VERIFIER) == timestamp
    note = add_cosignatures(sign_note(body, [LOG_SIGNER]), [line])
    assert verified_cosigners(note, [W_VERIFIER]) == [W_VERIFIER.name]


def test_cosignature_regressions() -> None:
    """Found by fuzzing: a body that could not be encoded crashed both directions."""
    with pytest.raises(CheckpointError, match="lone surrogate"):
        cosign(SURROGATE_ORIGIN, W_SIGNER, 1)
    with pytest.raises(CheckpointError, match="lone surrogate"):
        verify_cosignature(SURROGATE_ORIGIN, LINE, W_VERIFIER)


# -- what witnesses and receipts read -----------------------------------------------------------


REQUEST = f"old 12\n{ROOT64}\n{ROOT64}\n\n{SIGNED}"


@FUZZ
@given(
    st.one_of(
        fuzz_text(REQUEST).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.binary(max_size=200),
    )
)
@example(f"old {'9' * 5000}\n\n{SIGNED}".encode())  # was ValueError: a 500, not a 400
def test_witness_request_parser_refuses_with_400(body: bytes) -> None:
    try:
        request = parse_request(body)
    except Refusal as refusal:
        assert refusal.status == 400
        return
    assert isinstance(request, AddCheckpoint)


@FUZZ
@given(fuzz_text(format_proof_bundle(6, [ROOT, ROOT], COSIGNED, b"extra")))
@example(f"c2sp.org/tlog-proof@v1\nindex {'1' * 5000}\n\n{SIGNED}")
def test_proof_bundle_parser_refuses_with_its_own_error(text: str) -> None:
    try:
        bundle = parse_proof_bundle(text)
    except ReceiptError:
        return
    assert (
        format_proof_bundle(bundle.index, list(bundle.proof), bundle.signed_note, bundle.extra)
        == text
    )


# -- batch manifests (documents/records.py) -----------------------------------------------------


@FUZZ
@given(fuzz_text(MANIFEST, f"{MANIFEST_HEADER}\nk\nb\n1000000\n{ROOT64}\n"))
def test_manifest_parser_refuses_with_its_own_error(text: str) -> None:
    try:
        manifest = parse_manifest_text(text)
    except ValueError as exc:
        assert type(exc) is ValueError, exc  # its own messages, never a subclass leaking
        return
    assert manifest.text() == text  # one manifest has one spelling


ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@ROUND_TRIP
@given(
    st.builds(
        Manifest,
        kind=st.text(st.characters(exclude_characters="\n"), max_size=20),
        ref=st.builds(str.__add__, st.sampled_from(ALNUM), st.text(ALNUM + "._:-", max_size=63)),
        count=st.integers(1, 1_000_000),
        root=st.binary(min_size=32, max_size=32),
    )
)
def test_manifests_read_back(manifest: Manifest) -> None:
    assert parse_manifest_text(manifest.text()) == manifest

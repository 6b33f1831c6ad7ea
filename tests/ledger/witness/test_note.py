"""Signed notes: Go interop vectors, strict parsing, verification rules and key files."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from pathlib import Path

import pytest

from crossfin.ledger.cosignature import generate_cosigner
from crossfin.ledger.note import (
    InvalidSignatureError,
    KeyFileError,
    KeyFormatError,
    MalformedNoteError,
    NoteError,
    Signer,
    UnverifiedNoteError,
    Verifier,
    compute_key_id,
    generate_signer,
    is_valid_key_name,
    open_note,
    parse_note,
    read_key_file,
    sign_note,
    write_key_file,
)

# The example key pair and notes of golang.org/x/mod/sumdb/note's package documentation.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_SIG = (
    "— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
GO_NOTE = GO_TEXT + "\n" + GO_SIG
ENOCH_SIG = (
    "— EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)


def go_verifier() -> Verifier:
    return Verifier.from_vkey(GO_VKEY)


def test_go_key_id_is_reproduced_from_the_public_key() -> None:
    raw = base64.b64decode(GO_VKEY.split("+", 2)[2])
    assert raw[0] == 0x01 and len(raw) == 33
    assert compute_key_id("PeterNeumann", 0x01, raw[1:]) == 0xC74F20A3
    digest = hashlib.sha256(b"PeterNeumann\n" + raw).digest()
    assert digest[:4].hex() == "c74f20a3"
    assert go_verifier().key_id == 0xC74F20A3


def test_go_signer_key_matches_the_verifier_key() -> None:
    signer = Signer.from_skey(GO_SKEY)
    assert signer.name == "PeterNeumann" and signer.key_id == 0xC74F20A3
    assert signer.verifier() == go_verifier()
    assert signer.verifier().vkey == GO_VKEY


def test_signing_reproduces_the_go_note_byte_for_byte() -> None:
    # Ed25519 is deterministic, so the same key and text give Go's exact signature.
    assert sign_note(GO_TEXT, [Signer.from_skey(GO_SKEY)]) == GO_NOTE


def test_open_accepts_the_go_note() -> None:
    assert open_note(GO_NOTE, [go_verifier()]) == (GO_TEXT, ["PeterNeumann"])
    assert open_note(GO_NOTE.encode(), [go_verifier()]) == (GO_TEXT, ["PeterNeumann"])


def test_unknown_signatures_are_preserved_and_ignored() -> None:
    doubly_signed = GO_NOTE + ENOCH_SIG  # the Go docs' EnochRoot co-signature
    text, names = open_note(doubly_signed, [go_verifier()])
    assert (text, names) == (GO_TEXT, ["PeterNeumann"])
    assert [s.name for s in parse_note(doubly_signed).signatures] == ["PeterNeumann", "EnochRoot"]
    assert "".join(s.line for s in parse_note(doubly_signed).signatures) == GO_SIG + ENOCH_SIG


def test_same_name_other_key_is_unknown_not_invalid() -> None:
    _, other_vkey = generate_signer("PeterNeumann")
    with pytest.raises(UnverifiedNoteError, match="no signature from a known key"):
        open_note(GO_NOTE, [Verifier.from_vkey(other_vkey)])


def test_tampered_text_is_an_invalid_signature() -> None:
    with pytest.raises(InvalidSignatureError, match="PeterNeumann\\+c74f20a3"):
        open_note(GO_NOTE.replace("cryptography", "cryptographY"), [go_verifier()])


def test_bad_known_signature_rejects_even_with_a_good_one() -> None:
    skey, vkey = generate_signer("second")
    other = sign_note("another text\n", [Signer.from_skey(skey)])
    # A well-formed line by a known key, but made over another text.
    forged = GO_NOTE + other.splitlines(keepends=True)[-1]
    with pytest.raises(InvalidSignatureError, match="second"):
        open_note(forged, [go_verifier(), Verifier.from_vkey(vkey)])
    assert open_note(forged, [go_verifier()])[1] == ["PeterNeumann"]  # unknown there: ignored


def test_no_verifiers_means_unverified() -> None:
    with pytest.raises(UnverifiedNoteError):
        open_note(GO_NOTE, [])


@pytest.mark.parametrize(
    "note",
    [
        GO_TEXT + GO_SIG,  # no blank line
        GO_TEXT + "\n",  # no signature
        GO_NOTE[:-1],  # no final newline
        GO_NOTE + "\n",  # trailing blank line
        GO_TEXT.replace("\n", "\r\n", 1) + "\n" + GO_SIG,  # carriage return
        GO_TEXT.replace(" ", "\t", 1) + "\n" + GO_SIG,  # tab
        GO_TEXT + "\n" + GO_SIG.replace("—", "-"),  # ASCII hyphen
        GO_TEXT + "\n" + GO_SIG.replace("— ", "—"),  # no space after the dash
        GO_TEXT + "\n" + GO_SIG.replace("PeterNeumann ", "Peter+Neumann "),
        GO_TEXT + "\n" + GO_SIG.replace("PeterNeumann ", " "),  # empty name
        GO_TEXT + "\n" + GO_SIG.replace(" x08", "  x08"),  # two spaces
        GO_TEXT + "\n" + GO_SIG.replace("AM=", "AM"),  # missing padding
        GO_TEXT + "\n" + GO_SIG.replace("AM=", "AN="),  # non-canonical padding bits
        GO_TEXT + "\n" + GO_SIG.replace("x08", "x!8"),  # not base64
        GO_TEXT + "\n— PeterNeumann AAAAAA==\n",  # shorter than key ID + 1 byte
        GO_TEXT + "\ud800\n\n" + GO_SIG,  # lone surrogate: not UTF-8
    ],
)
def test_malformed_notes_are_refused(note: str) -> None:
    with pytest.raises(MalformedNoteError):
        open_note(note, [go_verifier()])


def test_invalid_utf8_bytes_are_refused() -> None:
    with pytest.raises(MalformedNoteError, match="UTF-8"):
        open_note(GO_NOTE.encode().replace(b"cryptography", b"crypt\xffgraphy"), [go_verifier()])


def test_at_most_100_signatures() -> None:
    unknown = "— someone.example AAAAAAAAAAAAAAAA\n"
    assert open_note(GO_NOTE + unknown * 99, [go_verifier()])[1] == ["PeterNeumann"]
    with pytest.raises(MalformedNoteError, match="more than 100"):
        open_note(GO_NOTE + unknown * 100, [go_verifier()])


def test_text_may_contain_blank_lines() -> None:
    skey, vkey = generate_signer("poet.example/a")
    text = "Ognuno sta solo sul cuor della terra\n\ned è subito sera.\n"
    note = sign_note(text, [Signer.from_skey(skey)])
    assert open_note(note, [Verifier.from_vkey(vkey)]) == (text, ["poet.example/a"])


def test_sign_requires_final_newline_and_a_signer() -> None:
    signer = Signer.from_skey(GO_SKEY)
    with pytest.raises(MalformedNoteError):
        sign_note("no newline", [signer])
    with pytest.raises(MalformedNoteError):
        sign_note("", [signer])
    with pytest.raises(MalformedNoteError):
        sign_note("bell\a\n", [signer])
    with pytest.raises(NoteError):
        sign_note("text\n", [])


def test_generated_keys_round_trip_with_several_signers() -> None:
    keys = [generate_signer(f"example.com/k{i}") for i in range(3)]
    note = sign_note("hello\n", [Signer.from_skey(s) for s, _ in keys])
    text, names = open_note(note, [Verifier.from_vkey(v) for _, v in keys])
    assert text == "hello\n" and names == ["example.com/k0", "example.com/k1", "example.com/k2"]


@pytest.mark.parametrize("name", ["a", "example.com/log", "ünïcode", "x—y"])
def test_valid_key_names(name: str) -> None:
    assert is_valid_key_name(name)


@pytest.mark.parametrize("name", ["", "a+b", "a b", "a\tb", "a\u00a0b", "a\u3000b", "a\nb"])
def test_invalid_key_names(name: str) -> None:
    assert not is_valid_key_name(name)
    with pytest.raises(KeyFormatError):
        generate_signer(name)


def test_every_mangling_of_the_go_vkey_is_refused() -> None:
    raw = GO_VKEY.encode()
    for i in range(len(raw) + 1):
        for j in range(i + 1, len(raw) + 1):
            if (i, j) != (0, len(raw)):
                with pytest.raises(KeyFormatError):
                    Verifier.from_vkey(raw[i:j].decode())
    for i in range(len(raw)):
        mangled = bytearray(raw)
        mangled[i] += 1
        with pytest.raises(KeyFormatError):
            Verifier.from_vkey(mangled.decode())


@pytest.mark.parametrize(
    "skey",
    [
        GO_SKEY.replace("PRIVATE+KEY", "PRIVATE+KEX"),
        GO_SKEY.replace("c74f20a3", "c74f20a4"),  # ID of another key
        GO_SKEY.replace("c74f20a3", "c74f20a"),
        GO_SKEY[:-4],
        GO_SKEY.replace("PeterNeumann", "PeterNeumann2"),  # ID no longer matches
    ],
)
def test_bad_signer_keys_are_refused(skey: str) -> None:
    with pytest.raises(KeyFormatError):
        Signer.from_skey(skey)


def test_key_type_is_checked() -> None:
    skey, vkey = generate_cosigner("witness.example")
    with pytest.raises(KeyFormatError, match="0x01"):
        Verifier.from_vkey(vkey)
    with pytest.raises(KeyFormatError, match="0x01"):
        Signer.from_skey(skey)


def test_ambiguous_verifiers_are_refused() -> None:
    clash = Verifier("PeterNeumann", 0xC74F20A3, bytes(32))
    with pytest.raises(NoteError, match="ambiguous"):
        open_note(GO_NOTE, [go_verifier(), clash])
    assert open_note(GO_NOTE, [go_verifier(), go_verifier()])[1] == ["PeterNeumann"]


def test_key_file_is_created_owner_only_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "log.key"
    skey, _ = generate_signer("example.com/log")
    write_key_file(path, skey)
    assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0
    assert read_key_file(path) == skey
    with pytest.raises(FileExistsError):
        write_key_file(path, skey)


def test_key_file_refuses_garbage_before_writing(tmp_path: Path) -> None:
    with pytest.raises(KeyFormatError):
        write_key_file(tmp_path / "bad.key", "PRIVATE+KEY+nope")
    assert not (tmp_path / "bad.key").exists()


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660])
def test_key_file_readable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "log.key"
    write_key_file(path, GO_SKEY)
    os.chmod(path, mode)
    with pytest.raises(KeyFileError, match="chmod 600"):
        read_key_file(path)


def test_key_file_symlink_and_directory_are_refused(tmp_path: Path) -> None:
    target = tmp_path / "real.key"
    write_key_file(target, GO_SKEY)
    link = tmp_path / "link.key"
    link.symlink_to(target)
    with pytest.raises(KeyFileError):
        read_key_file(link)
    directory = tmp_path / "dir"
    directory.mkdir(mode=0o700)
    with pytest.raises(KeyFileError):
        read_key_file(directory)
    with pytest.raises(KeyFileError):
        read_key_file(tmp_path / "missing.key")

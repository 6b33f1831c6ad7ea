"""C2SP signed-note v1.0.0: note keys, signing, strict parsing and verification."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

ED25519_TYPE = 0x01
# Both types below carry a raw 32-byte Ed25519 seed in a signer key.
_ED25519_FAMILY = frozenset({0x01, 0x04})
MAX_SIGNATURES = 100
SIGNATURE_PREFIX = "\u2014 "
PRIVATE_KEY_PREFIX = "PRIVATE+KEY+"
_HEX_ID = re.compile(r"[0-9a-fA-F]{8}")


class NoteError(ValueError):
    """Base of every signed-note failure."""


class MalformedNoteError(NoteError):
    """The note (or a signature line) does not follow the signed-note grammar."""


class KeyFormatError(NoteError):
    """A signer or verifier key string is malformed or inconsistent."""


class UnverifiedNoteError(NoteError):
    """No signature from a known key is present in the note."""


class InvalidSignatureError(NoteError):
    """A signature made under a known key (name and ID) does not verify."""


class KeyFileError(NoteError):
    """A key file is unsafe (permissions, type) or unreadable."""


def is_valid_key_name(name: str) -> bool:
    """True when name is non-empty UTF-8 text with no Unicode space and no '+'."""
    # A lone surrogate (from text that was not UTF-8) cannot be hashed into a key ID.
    return (
        bool(name)
        and "+" not in name
        and not any(c.isspace() or "\ud800" <= c <= "\udfff" for c in name)
    )


def compute_key_id(name: str, sig_type: int, public_key: bytes) -> int:
    """Key ID = SHA-256(name || 0x0A || type || public key)[:4] as uint32; type is 0..255."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + public_key)
    return int.from_bytes(digest.digest()[:4], "big")


def decode_base64(text: str, what: str, error: type[NoteError] = MalformedNoteError) -> bytes:
    """Decode standard padded base64, refusing anything non-canonical (raises `error`)."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise error(f"{what}: not valid base64") from None
    # Re-encoding rejects malleable forms (non-zero padding bits), so one value has one text.
    if base64.b64encode(raw).decode() != text:
        raise error(f"{what}: base64 is not canonical")
    return raw


@dataclass(frozen=True)
class KeyMaterial:
    """A decoded key string: name, key ID, signature type and key bytes (public key or seed)."""

    name: str
    key_id: int
    sig_type: int
    key: bytes


def _parse_id_and_key(name: str, hex_id: str, b64: str) -> tuple[int, int, bytes]:
    """Check name, 8-hex-digit ID and base64(type || key); return (id, type, key)."""
    if not is_valid_key_name(name):
        raise KeyFormatError(f"invalid key name {name!r}")
    if not _HEX_ID.fullmatch(hex_id):
        raise KeyFormatError(f"key ID {hex_id!r} is not 8 hex digits")
    raw = decode_base64(b64, "key material", KeyFormatError)
    if len(raw) < 2:
        raise KeyFormatError("key material is empty")
    return int(hex_id, 16), raw[0], raw[1:]


def _check_type(name: str, sig_type: int, key: bytes, expected: int | None) -> None:
    """Refuse a type other than expected (if given), and Ed25519 keys not of 32 bytes."""
    if expected is not None and sig_type != expected:
        raise KeyFormatError(f"{name}: expected key type 0x{expected:02x}, got 0x{sig_type:02x}")
    if sig_type in _ED25519_FAMILY and len(key) != 32:
        raise KeyFormatError(f"{name}: Ed25519 key material must be 32 bytes, got {len(key)}")


def parse_vkey(vkey: str, expected_type: int | None = None) -> KeyMaterial:
    """Parse `<name>+<hex id>+<base64(type || public key)>` and check the key ID."""
    parts = vkey.split("+", 2)  # base64 may itself contain '+', names may not
    if len(parts) != 3:
        raise KeyFormatError("verifier key must look like <name>+<hex id>+<base64 key>")
    key_id, sig_type, public = _parse_id_and_key(*parts)
    _check_type(parts[0], sig_type, public, expected_type)
    if compute_key_id(parts[0], sig_type, public) != key_id:
        raise KeyFormatError(f"key ID {parts[1]} does not match the key for {parts[0]!r}")
    return KeyMaterial(parts[0], key_id, sig_type, public)


def parse_skey(skey: str, expected_type: int | None = None) -> KeyMaterial:
    """Parse `PRIVATE+KEY+<name>+<hex id>+<base64(type || seed)>` for an Ed25519-family type."""
    if not skey.startswith(PRIVATE_KEY_PREFIX):
        raise KeyFormatError("signer key must start with PRIVATE+KEY+")
    parts = skey[len(PRIVATE_KEY_PREFIX) :].split("+", 2)
    if len(parts) != 3:
        raise KeyFormatError("signer key must look like PRIVATE+KEY+<name>+<hex id>+<base64>")
    key_id, sig_type, seed = _parse_id_and_key(*parts)
    if sig_type not in _ED25519_FAMILY:
        raise KeyFormatError(f"unsupported signer key type 0x{sig_type:02x}")
    _check_type(parts[0], sig_type, seed, expected_type)
    # The ID hashes the public key, so it can only be checked after deriving it.
    public = ed25519_public_bytes(Ed25519PrivateKey.from_private_bytes(seed))
    if compute_key_id(parts[0], sig_type, public) != key_id:
        raise KeyFormatError(f"key ID {parts[1]} does not match the key for {parts[0]!r}")
    return KeyMaterial(parts[0], key_id, sig_type, seed)


def ed25519_public_bytes(private: Ed25519PrivateKey) -> bytes:
    """The raw 32-byte public key of private."""
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def format_vkey(name: str, sig_type: int, public_key: bytes) -> str:
    """Encode a verifier key string; name must be a valid key name."""
    if not is_valid_key_name(name):
        raise KeyFormatError(f"invalid key name {name!r}")
    key_id = compute_key_id(name, sig_type, public_key)
    return f"{name}+{key_id:08x}+{base64.b64encode(bytes([sig_type]) + public_key).decode()}"


def format_skey(name: str, sig_type: int, private: Ed25519PrivateKey) -> str:
    """Encode a signer key string (seed form); name must be a valid key name."""
    if not is_valid_key_name(name):
        raise KeyFormatError(f"invalid key name {name!r}")
    seed = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    key_id = compute_key_id(name, sig_type, ed25519_public_bytes(private))
    material = base64.b64encode(bytes([sig_type]) + seed).decode()
    return f"{PRIVATE_KEY_PREFIX}{name}+{key_id:08x}+{material}"


class KeyIdentity(Protocol):
    """A note key as signature lines name it: key name and uint32 key ID."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...


class NoteVerifier(KeyIdentity, Protocol):
    """Anything that can check one signature made by one (name, key ID)."""

    def verify(self, text: bytes, signature: bytes) -> None: ...  # raises InvalidSignatureError


class NoteSigner(KeyIdentity, Protocol):
    """Anything that can sign a note text under one (name, key ID)."""

    def sign(self, text: bytes) -> bytes: ...  # signature bytes, key ID not included


@dataclass(frozen=True)
class Verifier:
    """A plain Ed25519 (type 0x01) note verifier."""

    name: str
    key_id: int
    public_key: bytes

    @classmethod
    def from_vkey(cls, vkey: str) -> Verifier:
        """Build from `<name>+<hex id>+<base64(0x01 || 32-byte key)>`."""
        material = parse_vkey(vkey, ED25519_TYPE)
        return cls(material.name, material.key_id, material.key)

    @property
    def vkey(self) -> str:
        """This verifier as a vkey string."""
        return format_vkey(self.name, ED25519_TYPE, self.public_key)

    def verify(self, text: bytes, signature: bytes) -> None:
        """Raise InvalidSignatureError unless signature is a valid Ed25519 signature of text."""
        check_ed25519(self.public_key, text, signature, f"{self.name}+{self.key_id:08x}")


def check_ed25519(public_key: bytes, message: bytes, signature: bytes, who: str) -> None:
    """Raise InvalidSignatureError unless signature (64 bytes) verifies message under public_key."""
    if len(signature) != 64:
        raise InvalidSignatureError(f"signature by {who} has {len(signature)} bytes, expected 64")
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except InvalidSignature:
        raise InvalidSignatureError(f"invalid signature by key {who}") from None


@dataclass(frozen=True)
class Signer:
    """A plain Ed25519 (type 0x01) note signer."""

    name: str
    key_id: int
    private_key: Ed25519PrivateKey = field(repr=False, compare=False)

    @classmethod
    def from_skey(cls, skey: str) -> Signer:
        """Build from `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>`."""
        material = parse_skey(skey, ED25519_TYPE)
        private = Ed25519PrivateKey.from_private_bytes(material.key)
        return cls(material.name, material.key_id, private)

    def sign(self, text: bytes) -> bytes:
        """Ed25519 signature over text."""
        return self.private_key.sign(text)

    def verifier(self) -> Verifier:
        """The matching verifier."""
        return Verifier(self.name, self.key_id, ed25519_public_bytes(self.private_key))


def generate_signer(name: str) -> tuple[str, str]:
    """New Ed25519 key pair for a valid key name, as (skey, vkey) strings."""
    private = Ed25519PrivateKey.generate()
    public = ed25519_public_bytes(private)
    return format_skey(name, ED25519_TYPE, private), format_vkey(name, ED25519_TYPE, public)


@dataclass(frozen=True)
class NoteSignature:
    """One parsed signature line: key name, key ID and signature bytes (ID stripped)."""

    name: str
    key_id: int
    signature: bytes

    @property
    def line(self) -> str:
        """The signature line, newline included."""
        return format_signature_line(self.name, self.key_id, self.signature)


@dataclass(frozen=True)
class ParsedNote:
    """A note split into its text (final newline included) and its signatures."""

    text: str
    signatures: tuple[NoteSignature, ...]


def format_signature_line(name: str, key_id: int, signature: bytes) -> str:
    """`— <name> <base64(key ID || signature)>\\n`; name must be a valid key name."""
    if not is_valid_key_name(name):
        raise MalformedNoteError(f"invalid key name {name!r}")
    blob = base64.b64encode(key_id.to_bytes(4, "big") + signature).decode()
    return f"{SIGNATURE_PREFIX}{name} {blob}\n"


def _check_characters(note: str) -> None:
    """Refuse ASCII controls other than newline, and lone surrogates (text that was not UTF-8)."""
    for c in note:
        if (c < " " and c != "\n") or "\ud800" <= c <= "\udfff":
            raise MalformedNoteError(f"note is not UTF-8 without controls: has U+{ord(c):04X}")


def parse_signature_line(line: str) -> NoteSignature:
    """Parse one signature line given without its trailing newline."""
    if not line.startswith(SIGNATURE_PREFIX):
        raise MalformedNoteError(f"signature line must start with em dash, space: {line[:40]!r}")
    name, sep, b64 = line[len(SIGNATURE_PREFIX) :].partition(" ")
    if not sep or not is_valid_key_name(name):
        raise MalformedNoteError(f"bad key name in signature line: {line[:40]!r}")
    raw = decode_base64(b64, f"signature by {name}")
    if len(raw) < 5:
        raise MalformedNoteError(f"signature by {name} is too short")
    return NoteSignature(name, int.from_bytes(raw[:4], "big"), raw[4:])


def parse_note(note: str | bytes) -> ParsedNote:
    """Split and syntax-check a signed note without verifying anything."""
    if isinstance(note, bytes):
        # Invalid bytes become lone surrogates, which _check_characters refuses.
        note = note.decode("utf-8", errors="surrogateescape")
    _check_characters(note)
    split = note.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("note has no blank line before its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block or not block.endswith("\n"):
        raise MalformedNoteError("note has no signatures, or does not end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"note has {len(lines)} signatures, more than {MAX_SIGNATURES}")
    return ParsedNote(text, tuple(parse_signature_line(line) for line in lines))


def _index_verifiers(verifiers: Iterable[NoteVerifier]) -> dict[tuple[str, int], NoteVerifier]:
    """Map (name, key ID) to verifier, refusing two different keys with the same pair."""
    index: dict[tuple[str, int], NoteVerifier] = {}
    for verifier in verifiers:
        slot = (verifier.name, verifier.key_id)
        if slot in index and index[slot] != verifier:
            raise NoteError(f"ambiguous verifiers for key {slot[0]}+{slot[1]:08x}")
        index[slot] = verifier
    return index


def verify_known_signatures(parsed: ParsedNote, verifiers: Iterable[NoteVerifier]) -> list[str]:
    """Verify every signature from a known key; return their names in order, deduplicated."""
    index, names = _index_verifiers(verifiers), list[str]()
    for sig in parsed.signatures:
        verifier = index.get((sig.name, sig.key_id))
        if verifier is not None:  # signatures by unknown keys are ignored, as the spec requires
            verifier.verify(parsed.text.encode("utf-8"), sig.signature)
            if sig.name not in names:
                names.append(sig.name)
    return names


def open_note(note: str | bytes, verifiers: Iterable[NoteVerifier]) -> tuple[str, list[str]]:
    """Parse and verify note; return (text, names of known keys that signed it)."""
    parsed = parse_note(note)
    names = verify_known_signatures(parsed, verifiers)
    if not names:
        seen = ", ".join(f"{s.name}+{s.key_id:08x}" for s in parsed.signatures)
        raise UnverifiedNoteError(f"no signature from a known key (note is signed by: {seen})")
    return parsed.text, names


def sign_note(text: str, signers: Sequence[NoteSigner]) -> str:
    """Sign text (non-empty, ending in a newline) with every signer; return the signed note."""
    if not text.endswith("\n"):
        raise MalformedNoteError("note text must end with a newline")
    if not signers:
        raise NoteError("at least one signer is required")
    _check_characters(text)
    raw = text.encode("utf-8")
    lines = [format_signature_line(s.name, s.key_id, s.sign(raw)) for s in signers]
    return text + "\n" + "".join(lines)


def write_key_file(path: str | Path, skey: str) -> None:
    """Create path (which must not exist) holding skey, readable by the owner only."""
    parse_skey(skey)  # never persist something we could not load back
    # O_EXCL: never clobber an existing key, and never follow a planted symlink.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write((skey + "\n").encode("ascii"))
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        os.unlink(path)  # leave no truncated key behind
        raise


def read_key_file(path: str | Path) -> str:
    """Read a signer key from a regular file that only its owner may access."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        raise KeyFileError(f"cannot open key file {path}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)  # of the opened file, so a swap after the check cannot fool us
        if not stat.S_ISREG(info.st_mode):
            raise KeyFileError(f"key file {path} is not a regular file")
        if info.st_mode & 0o077:
            mode = f"{stat.S_IMODE(info.st_mode):04o}"
            raise KeyFileError(f"key file {path} has mode {mode}, open to group/others; chmod 600")
        data = os.read(fd, 4096)
    finally:
        os.close(fd)
    skey = data.decode("ascii", errors="replace").strip()
    parse_skey(skey)  # non-ASCII bytes became U+FFFD, which no valid key contains
    return skey

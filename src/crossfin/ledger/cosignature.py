"""C2SP tlog-cosignature v1.0.1: timestamped Ed25519 cosignatures (note signature type 0x04).

Key strings follow the Go note formats with type byte 0x04:
vkey `<name>+<hex id>+<base64(0x04 || 32-byte public key)>` (as the spec allows), and, by
our own analogous choice since no spec defines it, skey
`PRIVATE+KEY+<name>+<hex id>+<base64(0x04 || 32-byte seed)>`; the hex ID is the key ID
SHA-256(name || 0x0A || 0x04 || public key)[:4] in both.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from crossfin.ledger.checkpoint import parse_checkpoint
from crossfin.ledger.note import (
    InvalidSignatureError,
    MalformedNoteError,
    NoteError,
    check_ed25519,
    ed25519_public_bytes,
    format_signature_line,
    format_skey,
    format_vkey,
    parse_note,
    parse_signature_line,
    parse_skey,
    parse_vkey,
    verify_known_signatures,
)

COSIGNATURE_TYPE = 0x04
COSIGNATURE_HEADER = "cosignature/v1\n"
MAX_TIMESTAMP = 2**63 - 1
_SIGNATURE_SIZE = 8 + 64  # u64 timestamp || Ed25519 signature


class CosignatureError(NoteError):
    """A cosignature is malformed, made by another key, or fails a policy check."""


def cosigned_message(checkpoint_body: str | bytes, timestamp: int) -> bytes:
    """The bytes a cosigner signs: header line, time line, then the checkpoint body."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise CosignatureError(f"timestamp {timestamp} is outside 0..2^63-1")
    body = checkpoint_body.encode("utf-8") if isinstance(checkpoint_body, str) else checkpoint_body
    return f"{COSIGNATURE_HEADER}time {timestamp}\n".encode() + body


def cosignature_timestamp(signature: bytes) -> int:
    """The timestamp of a timestamped_signature (key ID already stripped)."""
    if len(signature) != _SIGNATURE_SIZE:
        raise InvalidSignatureError(
            f"cosignature has {len(signature)} bytes, expected {_SIGNATURE_SIZE}"
        )
    return int.from_bytes(signature[:8], "big")


@dataclass(frozen=True)
class CosignatureVerifier:
    """Verifies cosignature/v1 signatures of one cosigner key."""

    name: str
    key_id: int
    public_key: bytes

    @classmethod
    def from_vkey(cls, vkey: str) -> CosignatureVerifier:
        """Build from `<name>+<hex id>+<base64(0x04 || 32-byte key)>`."""
        material = parse_vkey(vkey, COSIGNATURE_TYPE)
        return cls(material.name, material.key_id, material.key)

    @property
    def vkey(self) -> str:
        """This verifier as a vkey string."""
        return format_vkey(self.name, COSIGNATURE_TYPE, self.public_key)

    def verify(self, text: bytes, signature: bytes) -> None:
        """Raise InvalidSignatureError unless signature is a valid cosignature of text."""
        timestamp = cosignature_timestamp(signature)
        if timestamp > MAX_TIMESTAMP:
            raise InvalidSignatureError(f"cosignature by {self.name} has timestamp above 2^63-1")
        message = cosigned_message(text, timestamp)
        check_ed25519(self.public_key, message, signature[8:], f"{self.name}+{self.key_id:08x}")


def _now() -> int:
    """Current POSIX time in whole seconds."""
    return int(time.time())


@dataclass(frozen=True)
class CosignatureSigner:
    """Produces cosignature/v1 signatures; `clock` supplies the timestamp for `sign`."""

    name: str
    key_id: int
    private_key: Ed25519PrivateKey = field(repr=False, compare=False)
    clock: Callable[[], int] = field(default=_now, repr=False, compare=False)

    @classmethod
    def from_skey(cls, skey: str) -> CosignatureSigner:
        """Build from `PRIVATE+KEY+<name>+<hex id>+<base64(0x04 || seed)>`."""
        material = parse_skey(skey, COSIGNATURE_TYPE)
        return cls(
            material.name, material.key_id, Ed25519PrivateKey.from_private_bytes(material.key)
        )

    def sign(self, text: bytes) -> bytes:
        """Timestamped signature of text at the clock's current time."""
        return self.sign_at(text, self.clock())

    def sign_at(self, text: bytes, timestamp: int) -> bytes:
        """u64 big-endian timestamp || Ed25519 signature of the cosigned message."""
        message = cosigned_message(text, timestamp)
        return timestamp.to_bytes(8, "big") + self.private_key.sign(message)

    def verifier(self) -> CosignatureVerifier:
        """The matching verifier."""
        return CosignatureVerifier(self.name, self.key_id, ed25519_public_bytes(self.private_key))


def generate_cosigner(name: str) -> tuple[str, str]:
    """New cosigner key pair for a valid key name, as (skey, vkey) strings."""
    private = Ed25519PrivateKey.generate()
    public = ed25519_public_bytes(private)
    return format_skey(name, COSIGNATURE_TYPE, private), format_vkey(name, COSIGNATURE_TYPE, public)


def cosign(checkpoint_body: str, signer: CosignatureSigner, timestamp: int) -> str:
    """Cosign a well-formed checkpoint body; return the signature line (newline included)."""
    parse_checkpoint(checkpoint_body)  # a witness never vouches for a malformed tree head
    signature = signer.sign_at(checkpoint_body.encode("utf-8"), timestamp)
    return format_signature_line(signer.name, signer.key_id, signature)


def verify_cosignature(
    checkpoint_body: str,
    signature_line: str,
    verifier: CosignatureVerifier,
    *,
    not_after: int | None = None,
) -> int:
    """Return the timestamp of a valid cosignature line by verifier over a checkpoint body."""
    # CosignatureError: another key, or dated after not_after; InvalidSignatureError: bad signature.
    parse_checkpoint(checkpoint_body)
    sig = parse_signature_line(signature_line.removesuffix("\n"))
    if (sig.name, sig.key_id) != (verifier.name, verifier.key_id):
        want = f"{verifier.name}+{verifier.key_id:08x}"
        raise CosignatureError(f"cosignature is by {sig.name}+{sig.key_id:08x}, expected {want}")
    verifier.verify(checkpoint_body.encode("utf-8"), sig.signature)
    timestamp = cosignature_timestamp(sig.signature)
    if not_after is not None and timestamp > not_after:
        raise CosignatureError(f"cosignature by {sig.name} is dated {timestamp}, after {not_after}")
    return timestamp


def load_cosigners(witness_vkeys: Iterable[str | CosignatureVerifier]) -> list[CosignatureVerifier]:
    """Turn vkey strings (type 0x04) into verifiers; verifiers pass through."""
    return [
        v if isinstance(v, CosignatureVerifier) else CosignatureVerifier.from_vkey(v)
        for v in witness_vkeys
    ]


def verified_cosigners(
    signed_note: str, witness_vkeys: Iterable[str | CosignatureVerifier]
) -> list[str]:
    """Names of distinct given witnesses with a valid cosignature on a signed checkpoint."""
    # Other keys are ignored; a bad signature by a given witness key raises
    # InvalidSignatureError, since it means the note was tampered with.
    parsed = parse_note(signed_note)
    parse_checkpoint(parsed.text)
    return verify_known_signatures(parsed, load_cosigners(witness_vkeys))


def count_cosignatures(signed_note: str, witness_vkeys: Iterable[str | CosignatureVerifier]) -> int:
    """How many distinct given witnesses validly cosign the checkpoint (for quorum checks)."""
    return len(verified_cosigners(signed_note, witness_vkeys))


def add_cosignatures(signed_note: str, lines: Iterable[str]) -> str:
    """Append signature lines (each ending in a newline) to a signed note, skipping duplicates."""
    present = {sig.line for sig in parse_note(signed_note).signatures}
    extra = []
    for line in lines:
        if not line.endswith("\n"):
            raise MalformedNoteError("signature line must end with a newline")
        sig = parse_signature_line(line[:-1])
        if sig.line not in present:
            present.add(sig.line)
            extra.append(sig.line)
    result = signed_note + "".join(extra)
    parse_note(result)  # re-check limits such as the signature count
    return result

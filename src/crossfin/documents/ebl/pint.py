"""DCSA PINT 3.0 envelopes, checked offline: the transfer chain's SHA-256 linkage only.

Checked: each `envelopeTransferChain[i]` (a compact JWS) names the SHA-256 of entry i-1
in `previousEnvelopeTransferChainEntrySignedContentChecksum` (absent on entry 0); the
manifest names the last entry's checksum and the transport document's (SHA-256 of its
canonical JSON), as does the last entry. NOT checked: the JWS signatures, made with the
keys of foreign platforms that crossfin does not hold (`not_checked_offline`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from crossfin.core.canonical import jcs
from crossfin.core.errors import FieldError, invalid
from crossfin.documents.ebl.errors import EnvelopeChecksum
from crossfin.documents.records import parse_json_record

CHAIN = "envelopeTransferChain"
MANIFEST = "envelopeManifestSignedContent"
PREVIOUS = "previousEnvelopeTransferChainEntrySignedContentChecksum"
MAX_ENTRIES = 1000


@dataclass(frozen=True)
class Entry:
    """One transfer-chain entry: the JWS as sent, its payload, the SHA-256 of the JWS."""

    index: int
    token: str
    payload: dict[str, Any]
    checksum: str


@dataclass(frozen=True)
class Envelope:
    document: dict[str, Any]
    entries: list[Entry]

    @property
    def reference(self) -> str:
        return str(self.document.get("transportDocumentReference", ""))


CHECKS = [
    {"name": "transfer_chain_linkage", "status": "valid", "detail": f"each {PREVIOUS} matches"},
    {"name": "transport_document_checksum", "status": "valid", "detail": "manifest and entry"},
    {
        "name": "jws_signatures",
        "status": "not_checked_offline",
        "detail": "the entries and manifest are JWS signed with the sending platforms' keys, "
        "which crossfin does not hold: the relaying source vouches for them",
    },
]


def checksum(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def jws_payload(token: Any, field: str) -> dict[str, Any]:
    """The JSON object a compact JWS carries (its signature unchecked)."""
    parts = token.split(".") if isinstance(token, str) and token.isascii() else []
    if len(parts) != 3:
        raise invalid(field, "not a compact JWS (three base64url parts)")
    try:
        raw = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        return parse_json_record(raw.decode("utf-8"))
    except (ValueError, binascii.Error, RecursionError) as exc:
        raise invalid(field, f"the JWS payload is not a JSON object: {exc}") from None


def _refuse(field: str, reason: str) -> EnvelopeChecksum:
    return EnvelopeChecksum([FieldError(field, reason)])


def _entries(chain: Any) -> list[Entry]:
    if not isinstance(chain, list) or not 1 <= len(chain) <= MAX_ENTRIES:
        raise invalid(CHAIN, f"a list of 1 to {MAX_ENTRIES} signed entries")
    entries: list[Entry] = []
    for i, token in enumerate(chain):
        field = f"{CHAIN}[{i}]"
        payload = jws_payload(token, field)
        given = payload.get(PREVIOUS)
        if i == 0 and given is not None:
            raise _refuse(field, f"the first entry has no {PREVIOUS}")
        if i > 0 and given != entries[-1].checksum:
            raise _refuse(
                field,
                f"{PREVIOUS} is {given}, the SHA-256 of entry {i - 1} is {entries[-1].checksum}",
            )
        entries.append(Entry(i, token, payload, checksum(token)))
    return entries


def read_envelope(raw: bytes | str) -> Envelope:
    """Parse an EblEnvelope and verify its checksums; 422 naming the entry that breaks."""
    try:
        message = parse_json_record(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        raise invalid("/", f"not a JSON object: {exc}") from None
    document = message.get("transportDocument")
    if not isinstance(document, dict):
        raise invalid("transportDocument", "required: the transport document (an object)")
    entries = _entries(message.get(CHAIN))
    manifest = jws_payload(message.get(MANIFEST), MANIFEST)
    last = entries[-1]
    if manifest.get("lastEnvelopeTransferChainEntrySignedContentChecksum") != last.checksum:
        raise _refuse(MANIFEST, f"does not name the last entry's checksum {last.checksum}")
    digest = hashlib.sha256(jcs(document)).hexdigest()
    for field, named in (
        (MANIFEST, manifest.get("transportDocumentChecksum")),
        (f"{CHAIN}[{last.index}]", last.payload.get("transportDocumentChecksum")),
    ):
        if named != digest:
            raise _refuse(field, f"transportDocumentChecksum is {named}, computed {digest}")
    return Envelope(document, entries)


def transactions(entry: Entry) -> list[dict[str, Any]]:
    found = entry.payload.get("transactions")
    if not isinstance(found, list) or not found or not all(isinstance(t, dict) for t in found):
        raise invalid(f"{CHAIN}[{entry.index}].transactions", "a list of transaction objects")
    return found


def encode_jws(payload: dict[str, Any]) -> str:
    """An unsigned-looking compact JWS of `payload` (tests and the demo build envelopes)."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    header = part(json.dumps({"alg": "ES256", "kid": "foreign"}).encode())
    return f"{header}.{part(jcs(payload))}.{part(b'not-verifiable-offline')}"

"""C2SP tlog-proof@v1: an offline-verifiable receipt that a record is in the log.

c2sp.org/tlog-proof@v1
extra <base64 opaque data>        (optional line)
index <decimal leaf index>
<base64 inclusion proof hash>     (zero or more, leaf sibling first)

<signed checkpoint note, verbatim, with any witness cosignatures>
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from crossfin.ledger.checkpoint import Checkpoint, parse_checkpoint, parse_decimal
from crossfin.ledger.cosignature import (
    CosignatureVerifier,
    load_cosigners,
    verified_cosigners,
)
from crossfin.ledger.errors import VerificationError
from crossfin.ledger.note import (
    NoteError,
    Verifier,
    decode_base64,
    open_note,
    parse_note,
)
from crossfin.ledger.rfc6962 import leaf_hash as rfc6962_leaf_hash
from crossfin.ledger.verify import verify_inclusion

PROOF_HEADER = "c2sp.org/tlog-proof@v1"
# An inclusion proof in a tree of fewer than 2^64 leaves has at most 64 hashes.
MAX_PROOF_HASHES = 64


class ReceiptError(ValueError):
    """A bundle is malformed or proves nothing; the message names the failed check."""


@dataclass(frozen=True)
class ProofBundle:
    """The parts of a tlog-proof: leaf index, inclusion proof, signed checkpoint, extra data."""

    index: int
    proof: tuple[bytes, ...]
    signed_note: str
    extra: bytes | None = None


def format_proof_bundle(
    index: int,
    proof_hashes: Sequence[bytes],
    signed_checkpoint_note: str,
    extra: bytes | None = None,
) -> str:
    """Encode a tlog-proof; requires index >= 0, 32-byte hashes and a signed checkpoint note."""
    # An empty `extra` is written as absent: the format cannot tell the two apart.
    if index < 0:
        raise ReceiptError(f"index {index} is negative")
    if len(proof_hashes) > MAX_PROOF_HASHES or any(len(h) != 32 for h in proof_hashes):
        raise ReceiptError("inclusion proof must be at most 64 hashes of 32 bytes")
    try:
        parse_checkpoint(parse_note(signed_checkpoint_note).text)
    except NoteError as exc:
        raise ReceiptError(f"not a signed checkpoint: {exc}") from None
    lines = [PROOF_HEADER]
    if extra:
        lines.append("extra " + base64.b64encode(extra).decode())
    lines.append(f"index {index}")
    lines += [base64.b64encode(h).decode() for h in proof_hashes]
    return "".join(line + "\n" for line in lines) + "\n" + signed_checkpoint_note


def _parse_head(lines: list[str]) -> tuple[int, tuple[bytes, ...], bytes | None]:
    """Parse header, optional extra, index and proof lines; raise ReceiptError or NoteError."""
    if lines[0] != PROOF_HEADER:
        raise ReceiptError(f"first line must be {PROOF_HEADER!r}")
    rest = lines[1:]
    extra = None
    if rest and rest[0].startswith("extra "):
        extra = decode_base64(rest.pop(0)[len("extra ") :], "extra data")
        if not extra:
            raise ReceiptError("extra line is present but empty")
    if not rest or not rest[0].startswith("index "):
        raise ReceiptError("missing `index <n>` line")
    index = parse_decimal(rest[0][len("index ") :], "index")
    proof = tuple(decode_base64(line, "inclusion proof line") for line in rest[1:])
    if len(proof) > MAX_PROOF_HASHES or any(len(h) != 32 for h in proof):
        raise ReceiptError("inclusion proof must be at most 64 hashes of 32 bytes")
    return index, proof, extra


def parse_proof_bundle(text: str) -> ProofBundle:
    """Strictly parse a tlog-proof; the checkpoint note is syntax-checked, not verified."""
    # Proof lines are never empty, so the first blank line ends the header part.
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise ReceiptError("proof bundle has no blank line before the checkpoint")
    try:
        index, proof, extra = _parse_head(head.split("\n"))
        parse_checkpoint(parse_note(note).text)
    except ReceiptError:
        raise
    except NoteError as exc:
        raise ReceiptError(f"malformed proof bundle: {exc}") from None
    return ProofBundle(index, proof, note, extra)


@dataclass(frozen=True)
class VerifiedReceipt:
    """What a verified bundle establishes: this leaf is at `index` under `checkpoint`."""

    checkpoint: Checkpoint
    index: int
    leaf_hash: bytes
    log_name: str
    witnesses: tuple[str, ...]
    extra: bytes | None


def _resolve_leaf(record: bytes | None, leaf_hash: bytes | None) -> bytes:
    """The RFC 6962 leaf hash to prove, from the record and/or the given hash."""
    if record is not None:
        computed = rfc6962_leaf_hash(record)
        if leaf_hash is not None and leaf_hash != computed:
            raise ReceiptError("the given leaf hash is not the hash of the given record")
        return computed
    if leaf_hash is None:
        raise ReceiptError("give the record or its leaf hash to check the receipt against")
    return leaf_hash


def _check_quorum(
    note: str, witness_vkeys: Iterable[str | CosignatureVerifier], quorum: int
) -> tuple[str, ...]:
    """Names of valid cosigners; raise ReceiptError when fewer than quorum distinct ones."""
    try:
        witnesses = load_cosigners(witness_vkeys)
        names = verified_cosigners(note, witnesses)
    except NoteError as exc:
        raise ReceiptError(f"witness cosignature check failed: {exc}") from None
    known = len({w.name for w in witnesses})
    if quorum < 0 or quorum > known:
        raise ReceiptError(f"quorum {quorum} cannot be met by {known} configured witnesses")
    if len(names) < quorum:
        got = ", ".join(names) or "none"
        raise ReceiptError(
            f"witness quorum not met: {len(names)} of {quorum} required (valid: {got})"
        )
    return tuple(names)


def verify_receipt(
    bundle_text: str,
    log_vkey: str,
    *,
    record: bytes | None = None,
    leaf_hash: bytes | None = None,
    witness_vkeys: Iterable[str | CosignatureVerifier] = (),
    quorum: int = 0,
) -> VerifiedReceipt:
    """Check log signature, origin (= log key name), witness quorum and the leaf's inclusion."""
    # Requires record or leaf_hash; every failure is a ReceiptError naming the failed check.
    leaf = _resolve_leaf(record, leaf_hash)
    bundle = parse_proof_bundle(bundle_text)
    try:
        log = Verifier.from_vkey(log_vkey)
    except NoteError as exc:
        raise ReceiptError(f"invalid log key: {exc}") from None
    try:
        text, _ = open_note(bundle.signed_note, [log])
    except NoteError as exc:
        raise ReceiptError(f"log signature by {log.name} does not verify: {exc}") from None
    checkpoint = parse_checkpoint(text)
    if checkpoint.origin != log.name:
        raise ReceiptError(f"checkpoint origin {checkpoint.origin!r} is not the log {log.name!r}")
    witnesses = _check_quorum(bundle.signed_note, witness_vkeys, quorum)
    try:
        verify_inclusion(leaf, bundle.index, checkpoint.size, bundle.proof, checkpoint.root)
    except VerificationError as exc:
        raise ReceiptError(f"inclusion proof for index {bundle.index} fails: {exc}") from None
    return VerifiedReceipt(checkpoint, bundle.index, leaf, log.name, witnesses, bundle.extra)


def unwrap_receipt(text: str) -> tuple[str, bytes | None]:
    """The tlog-proof inside `text` and the leaf hash it claims (None for a bare bundle).

    A receipt may come as the JSON object responses and report PDFs carry (`event_id`,
    `leaf_hash`, `leaf_index`, and `bundle` once a checkpoint covers the leaf); its
    bundle is what gets verified, against its own leaf hash unless another is given.
    """
    if not text.lstrip().startswith("{"):
        return text, None
    try:
        receipt = json.loads(text)
        bundle, claimed, index = receipt["bundle"], receipt["leaf_hash"], receipt["leaf_index"]
        leaf = bytes.fromhex(claimed)
    except (ValueError, KeyError, TypeError) as exc:
        raise ReceiptError(
            f"a JSON receipt needs bundle, leaf_hash and leaf_index ({exc!s})"
        ) from None
    if not isinstance(bundle, str) or len(leaf) != 32:
        raise ReceiptError("a JSON receipt's bundle is text and its leaf_hash 64 hex digits")
    if parse_proof_bundle(bundle).index != index:
        raise ReceiptError(f"the receipt says leaf {index} but its bundle proves another")
    return bundle, leaf

"""Offline verification of a wrapped v2 document: what integrity proves, and what it cannot.

Offline, the document proves its own integrity: the visible fields and the hashes of the
hidden ones rebuild `targetHash`, and the proof folds it to `merkleRoot`. Who issued it
(DNS-TXT / DNS-DID / DID), whether that root is issued and not revoked in a document store,
and who holds a transferable record in a token registry are on DNS or a chain: those
checks are listed as `not_checked_offline`, never as passed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from crossfin.documents.openattestation import hashing
from crossfin.documents.openattestation.document import WrappedDocument
from crossfin.documents.openattestation.salt import NotSalted, text_of, unsalt

PASSED, FAILED = "passed", "failed"
NOT_OFFLINE, NOT_APPLICABLE = "not_checked_offline", "not_applicable"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str


@dataclass(frozen=True)
class Suspect:
    """A field the document itself shows to be malformed: a likely edit, named."""

    field: str
    reason: str


@dataclass(frozen=True)
class Verification:
    intact: bool
    target_hash: str
    computed_target_hash: str
    merkle_root: str
    computed_merkle_root: str
    fields: int
    obfuscated: int
    checks: list[Check]
    suspects: list[Suspect] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def suspects_of(doc: WrappedDocument) -> list[Suspect]:
    """Every visible leaf that is not a well-formed salted value, by JSON Pointer."""
    found = []
    for leaf in doc.fields:
        try:
            unsalt(leaf.value)
        except NotSalted as exc:
            found.append(Suspect(leaf.pointer, str(exc)))
    return found


def _issuer_values(doc: WrappedDocument, key: str) -> list[str]:
    issuers = doc.data.get("issuers")
    found: list[str] = []
    for issuer in issuers if isinstance(issuers, list) else []:
        node: Any = issuer
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if (text := text_of(node)) is not None:
            found.append(text)
    return found


def _online_checks(doc: WrappedDocument) -> list[Check]:
    proofs = _issuer_values(doc, "identityProof.type")
    stores = _issuer_values(doc, "documentStore")
    registries = _issuer_values(doc, "tokenRegistry")
    identity = (
        f"identity proof {', '.join(proofs)} needs DNS (TXT or DNS-DID) or a DID resolver"
        if proofs
        else "the document names no identity proof"
    )
    issuance = (
        f"document store {', '.join(stores)}: issued/revoked is read on its chain"
        if stores
        else "a DID-signed document: its signature needs the issuer's DID document"
        if doc.signed_by_did
        else "the document names no document store"
    )
    return [
        Check("issuer_identity", NOT_OFFLINE if proofs else NOT_APPLICABLE, identity),
        Check(
            "issuance_status",
            NOT_OFFLINE if stores or doc.signed_by_did else NOT_APPLICABLE,
            issuance,
        ),
        Check(
            "token_registry",
            NOT_OFFLINE if registries else NOT_APPLICABLE,
            f"token registry {', '.join(registries)}: the current holder is on its chain"
            if registries
            else "not a transferable record (no token registry)",
        ),
    ]


def verify(doc: WrappedDocument) -> Verification:
    """Recompute the target hash and the Merkle root; list what could not be checked."""
    leaves = [hashing.field_hash(f.path, f.value) for f in doc.fields]
    computed = hashing.digest(leaves + doc.obfuscated)
    root = hashing.fold_proof(
        bytes.fromhex(doc.target_hash), [bytes.fromhex(p) for p in doc.proof]
    ).hex()
    target_ok, root_ok = computed == doc.target_hash, root == doc.merkle_root
    checks = [
        Check(
            "target_hash",
            PASSED if target_ok else FAILED,
            f"{len(leaves)} visible fields and {len(doc.obfuscated)} hidden ones hash to "
            f"{computed}; the document says {doc.target_hash}",
        ),
        Check(
            "merkle_proof",
            PASSED if root_ok else FAILED,
            f"{len(doc.proof)} proof steps fold the target hash to {root}; "
            f"the document says {doc.merkle_root}",
        ),
        Check(
            "obfuscated_fields",
            PASSED if target_ok else FAILED,
            f"{len(doc.obfuscated)} hidden field hashes are accounted for by the target hash"
            if target_ok
            else "cannot be confirmed: the target hash does not match",
        ),
        *_online_checks(doc),
    ]
    return Verification(
        intact=target_ok and root_ok,
        target_hash=doc.target_hash,
        computed_target_hash=computed,
        merkle_root=doc.merkle_root,
        computed_merkle_root=root,
        fields=len(leaves),
        obfuscated=len(doc.obfuscated),
        checks=checks,
        suspects=suspects_of(doc),
    )

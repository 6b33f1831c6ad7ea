"""The use cases every entry point calls: verify a wrapped document, import an invoice."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from crossfin.core.errors import FieldError
from crossfin.documents.access import fingerprints
from crossfin.documents.access.fingerprints import FingerprintKeys
from crossfin.documents.openattestation import document, invoice
from crossfin.documents.openattestation.document import WrappedDocument
from crossfin.documents.openattestation.errors import IntegrityFailed
from crossfin.documents.openattestation.verify import Verification, verify
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_kind
from crossfin.parties.models import OrgKind

UNNAMED = (
    "a field was changed, added or removed, but v2 signs only the sorted set of field "
    "hashes: the document alone cannot say which field (every visible value is well formed)"
)


def _errors(result: Verification) -> list[FieldError]:
    errors: list[FieldError] = []
    if result.computed_target_hash != result.target_hash:
        reason = f"expected {result.target_hash}, computed {result.computed_target_hash}: " + (
            "see the fields named" if result.suspects else UNNAMED
        )
        errors.append(FieldError("/signature/targetHash", reason))
        errors += [FieldError(s.field, s.reason) for s in result.suspects]
    if result.computed_merkle_root != result.merkle_root:
        errors.append(
            FieldError(
                "/signature/merkleRoot",
                f"expected {result.merkle_root}, the proof folds to "
                f"{result.computed_merkle_root}: /signature/proof or the root was changed",
            )
        )
    return errors


def verify_document(raw: bytes | str) -> Verification:
    """Parse and verify offline; a document whose integrity fails is refused, naming why."""
    return _verified(raw)[1]


def _verified(raw: bytes | str) -> tuple[WrappedDocument, Verification]:
    doc = document.parse(raw)
    result = verify(doc)
    if not result.intact:
        failed = [c.name for c in result.checks if c.status == "failed"]
        raise IntegrityFailed(
            _errors(result),
            detail=f"integrity checks failed: {', '.join(failed)}",
            checks=[asdict(c) for c in result.checks],
        )
    return doc, result


def import_invoice(
    uow: UnitOfWork, keys: FingerprintKeys, caller: Caller, raw: bytes | str, currency: str | None
) -> tuple[dict[str, Any], Receipt | None]:
    """Verify, map the TradeTrust invoice and register its private fingerprint (banks)."""
    require_kind(caller, OrgKind.BANK)  # before parsing: an outsider learns nothing
    doc, result = _verified(raw)
    paper = invoice.paper_fields(doc.data, currency)
    anchor = {"merkle_root": result.merkle_root, "target_hash": result.target_hash}
    registered, receipt = fingerprints.register(
        uow, keys, caller, paper, extra={"openattestation": anchor}
    )
    answer = {
        "verification": result.as_dict(),
        "paper": {**asdict(paper), "issue_date": paper.issue_date.isoformat()},
        "fingerprint": registered.__dict__,
        "openattestation": anchor,
    }
    return answer, receipt

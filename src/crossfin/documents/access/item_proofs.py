"""Proof that one item of a bulk verification was answered as recorded.

A request's ledger event commits to all its items through `items_root` (one event per
request, not per item: docs/documents-access.md). To show a third party what the platform
answered about one item, its bank (or the document's owner) needs three links: the item's
leaf, the leaf's RFC 6962 path to `items_root`, and the event whose content holds that root
(and whose own inclusion in the log the receipt endpoint proves). The other items of the
request appear only as hashes on the path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.canonical import content_digest
from crossfin.core.errors import NotFound
from crossfin.documents.access.models import Verification, VerificationRequest
from crossfin.documents.access.verification import request_event_content, stored_answer
from crossfin.documents.models import Document
from crossfin.ledger.models import LedgerEvent
from crossfin.ledger.proofs import inclusion_path
from crossfin.ledger.rfc6962 import root_hash
from crossfin.parties.access import Caller


@dataclass(frozen=True)
class ItemProof:
    request: VerificationRequest
    row: Verification
    path: list[bytes]
    leaf_index: int

    def as_dict(self) -> dict[str, Any]:
        content = request_event_content(self.request)
        return {
            "request_id": self.request.id,
            "index": self.row.position,
            "items": self.request.items,
            "item": stored_answer(self.row),
            "leaf_hash": self.row.leaf_hash.hex(),
            "inclusion": [h.hex() for h in self.path],
            "items_root": self.request.items_root.hex(),
            "event": {
                "event_id": self.request.event_id,
                "leaf_index": self.leaf_index,
                "content": content,
                "content_digest": content_digest(content),
            },
            "receipt": f"/v1/log/receipts/{self.leaf_index}",
        }


def item_proof(session: Session, caller: Caller, request_id: int, index: int) -> ItemProof:
    """The proof for item `index` (from 0) of a request; 404 unless the caller is the bank
    that asked or the owner of the document the item named."""
    missing = NotFound(f"no item {index} in a verification request {request_id} you can read")
    request = session.get(VerificationRequest, request_id)
    row = session.scalar(
        select(Verification).where(
            Verification.request_id == request_id, Verification.position == index
        )
    )
    if request is None or row is None or not _may_read(session, caller, request, row):
        raise missing
    leaves = list(
        session.scalars(
            select(Verification.leaf_hash)
            .where(Verification.request_id == request_id)
            .order_by(Verification.position)
        )
    )
    if len(leaves) != request.items or root_hash(leaves) != request.items_root:
        # The rows no longer add up to what the ledger committed to: never paper over it.
        raise RuntimeError(f"verification request {request_id}: items differ from items_root")
    leaf_index = session.scalar(
        select(LedgerEvent.leaf_index).where(LedgerEvent.event_id == request.event_id)
    )
    if leaf_index is None:
        raise RuntimeError(f"verification request {request_id}: its ledger event is missing")
    return ItemProof(request, row, inclusion_path(leaves, index), leaf_index)


def _may_read(
    session: Session, caller: Caller, request: VerificationRequest, row: Verification
) -> bool:
    if caller.org_id == request.bank_org_id:
        return True
    if row.document_id is None:
        return False
    owner = session.scalar(select(Document.owner_org_id).where(Document.id == row.document_id))
    return owner is not None and owner == caller.org_id

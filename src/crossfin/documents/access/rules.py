"""Who may read a document: one function, extended by consent (the access side)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crossfin.documents.access.consent import active_consent
from crossfin.documents.models import Document
from crossfin.parties.access import Caller, supervises
from crossfin.parties.models import OrgKind


def can_read_document(session: Session, caller: Caller, doc: Document) -> bool:
    """The source that submitted it, its owner enterprise, a regulator over the owner,
    and a bank holding the owner's active consent for the document's kind.

    `crossfin.documents.reading.readable_documents` is the same rule as a SQL filter.
    """
    if caller.org_id == doc.source_org_id:
        return True
    if doc.owner_org_id is not None and caller.org_id == doc.owner_org_id:
        return True
    if caller.org_kind is OrgKind.BANK and doc.owner_org_id is not None:
        return active_consent(session, doc.owner_org_id, caller.org_id, doc.kind) is not None
    return supervises(caller, doc.jurisdiction_path)

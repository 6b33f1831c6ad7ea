"""Reading the cross-bank balance; reservations live in the financing service."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.documents.models import Document
from crossfin.financing.models import DocumentBalance


def remaining_minor(session: Session, documents: Iterable[Document]) -> dict[int, int]:
    """Value minus active uses per document id (never below zero), in minor units."""
    docs = list(documents)
    if not docs:
        return {}
    ids = [d.id for d in docs]
    query = select(DocumentBalance.document_id, DocumentBalance.used_minor).where(
        DocumentBalance.document_id.in_(ids))
    used = dict(session.execute(query).tuples().all())
    return {d.id: max(d.value_minor - used.get(d.id, 0), 0) for d in docs}

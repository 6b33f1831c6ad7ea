"""The reference index of documents (`document_refs`): what each document's current version
names in its kind's `ref_fields`. Publication and amendment keep it; domains look it up."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Select, delete, insert, select
from sqlalchemy.orm import Session

from crossfin.documents.kinds.base import KindSpec
from crossfin.documents.models import DocumentRef


def ref_rows(spec: KindSpec, document_id: int, content: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The index rows of one document's content (none for kinds without `ref_fields`)."""
    found: set[str] = set()
    for name in spec.ref_fields:
        value = content.get(name)
        found.update(value if isinstance(value, list) else [value] if value else [])
    return [{"document_id": document_id, "ref": ref} for ref in sorted(found)]


def replace_refs(
    session: Session, spec: KindSpec, document_id: int, content: Mapping[str, Any]
) -> None:
    """Rewrite one document's index rows for its new current content."""
    if not spec.ref_fields:
        return
    session.execute(delete(DocumentRef).where(DocumentRef.document_id == document_id))
    rows = ref_rows(spec, document_id, content)
    if rows:
        session.execute(insert(DocumentRef), rows)


def naming(refs: Iterable[str]) -> Select[Any]:
    """The ids of documents whose current version names any of `refs`."""
    return select(DocumentRef.document_id).where(DocumentRef.ref.in_(sorted(set(refs))))

"""Bulk verification: a bank checks (kind, key, claimed fields) against the registry.

Each item is `authentic` (with the remaining balance), `mismatch` (naming the fields that
differ) or `unknown`; nothing else about the document, its owner or other banks leaks.
The work is batched: one SELECT per kind and 1,000 keys, one for balances, one bulk
INSERT of the verification rows, one ledger event per request (docs/documents-access.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.canonical import jcs
from crossfin.core.clock import utcnow
from crossfin.core.errors import FieldError, ValidationFailed
from crossfin.core.money import format_amount
from crossfin.documents.access.models import Verification, VerificationRequest
from crossfin.documents.access.stats import add_items
from crossfin.documents.access.tallies import count_mismatches
from crossfin.documents.balance import remaining_minor
from crossfin.documents.docref import DocRef, with_content
from crossfin.documents.ingest.bulk import insert_rows, table_of
from crossfin.documents.kinds.base import KindSpec
from crossfin.documents.kinds.registry import all_kinds
from crossfin.documents.models import Document, DocumentBalance
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.rfc6962 import leaf_hash, root_hash
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_kind
from crossfin.parties.models import OrgKind

MAX_ITEMS = 10_000
# Stays well under SQLite's and psycopg's bound-parameter limits.
CHUNK = 1_000


@dataclass(frozen=True)
class Claim:
    """What a bank was shown: a document's kind, key and some of its fields."""

    kind: str
    key: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class ItemResult:
    """The answer for one claim; `fields` is empty when withheld or not a mismatch."""

    index: int
    kind: str
    key: str
    outcome: str
    fields: list[str] = field(default_factory=list)
    withheld: bool = False
    remaining: str | None = None
    remaining_minor: int | None = None
    currency: str | None = None
    available: bool | None = None
    document: DocRef | None = None
    leaf: bytes = b""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "index": self.index,
            "kind": self.kind,
            "key": self.key,
            "outcome": self.outcome,
        }
        if self.outcome == "authentic":
            out |= {
                "remaining": self.remaining,
                "currency": self.currency,
                "available": self.available,
            }
        elif self.outcome == "mismatch":
            out["fields"] = None if self.withheld else self.fields
            if self.withheld:
                out["fields_withheld"] = True
        return out


@dataclass
class VerifyResult:
    request_id: int
    items: list[ItemResult]

    def counts(self) -> dict[str, int]:
        found = {"authentic": 0, "mismatch": 0, "unknown": 0}
        for item in self.items:
            found[item.outcome] += 1
        return found


def _specs(claims: Sequence[Claim]) -> dict[str, KindSpec]:
    """The spec of every claimed kind; one 422 naming each item with an unknown kind."""
    known = {spec.name: spec for spec in all_kinds()}
    errors = [
        FieldError(f"items[{i}].kind", f"unknown document kind {c.kind!r}")
        for i, c in enumerate(claims)
        if c.kind not in known
    ]
    if errors:
        raise ValidationFailed(errors[:20])
    return known


def _normal_key(spec: KindSpec, key: str) -> str | None:
    """The key as stored, or None when it cannot be a key of this kind."""
    try:
        return str(spec.normalise_fields({spec.key_field: key})[spec.key_field])
    except ValidationFailed:
        return None


def _load(
    session: Session, wanted: dict[str, set[str]]
) -> dict[tuple[str, str], tuple[DocRef, str]]:
    """Documents and their current content for every wanted (kind, key), in chunks."""
    found: dict[tuple[str, str], tuple[DocRef, str]] = {}
    for kind, keys in wanted.items():
        ordered = sorted(keys)
        for start in range(0, len(ordered), CHUNK):
            for doc, content in with_content(session, kind, ordered[start : start + CHUNK]):
                found[(doc.kind, doc.key)] = (doc, content)
    return found


def mismatched_fields(spec: KindSpec, claimed: dict[str, Any], stored: dict[str, Any]) -> list[str]:
    """Claimed fields that differ from the stored ones once normalised; invalid ones too."""
    # A value already equal to the stored normal form needs no normalising (the common
    # case, and most of the cost of a large request).
    claimed = {k: v for k, v in claimed.items() if k not in stored or stored[k] != v}
    if not claimed:
        return []
    bad: set[str] = set()
    try:
        normal = spec.normalise_fields(claimed, context=stored)
    except ValidationFailed as exc:
        bad = {_top(e.field) for e in exc.errors}
        rest = {k: v for k, v in claimed.items() if k not in bad}
        try:
            normal = spec.normalise_fields(rest, context=stored)
        except ValidationFailed as again:  # e.g. an amount read with a bad claimed currency
            bad |= {_top(e.field) for e in again.errors}
            normal = {}
    bad |= {name for name, value in normal.items() if stored.get(name) != value}
    return sorted(bad)


def unclaimed(spec: KindSpec, claimed: dict[str, Any], stored: dict[str, Any]) -> set[str]:
    """Fields a claim must name to be judged authentic, but does not: the document's
    value fields (or, for a document without a value, its required fields when the claim
    names none). Otherwise a claim naming only a key would be answered `authentic` with
    the remaining balance: anyone knowing a key would learn what is left of its value."""
    value = {name for name in spec.value_fields if name in stored}
    if value:
        return value - claimed.keys()
    if claimed.keys() - {spec.key_field}:
        return set()
    return (set(spec.required_fields) & stored.keys()) - {spec.key_field}


def proves(spec: KindSpec, claimed: dict[str, Any], stored: dict[str, Any]) -> bool:
    """Whether a claim shows knowledge of a document: it names what `unclaimed` asks
    for, and every field it names matches the stored one."""
    return not unclaimed(spec, claimed, stored) and not mismatched_fields(spec, claimed, stored)


def _top(path: str) -> str:
    return path.split(".", 1)[0].split("[", 1)[0]


def _judge(
    claims: Sequence[Claim],
    specs: dict[str, KindSpec],
    found: dict[tuple[str, str], tuple[DocRef, str]],
    keys: list[str | None],
) -> list[ItemResult]:
    results: list[ItemResult] = []
    parsed: dict[int, dict[str, Any]] = {}
    for i, claim in enumerate(claims):
        key = keys[i]
        hit = found.get((claim.kind, key)) if key is not None else None
        if hit is None:
            results.append(ItemResult(i, claim.kind, claim.key, "unknown"))
            continue
        doc, content = hit
        stored = parsed.get(doc.id)
        if stored is None:
            stored = parsed[doc.id] = json.loads(content)
        spec = specs[claim.kind]
        diff = sorted(
            set(mismatched_fields(spec, claim.fields, stored))
            | unclaimed(spec, claim.fields, stored)
        )
        outcome = "mismatch" if diff else "authentic"
        results.append(ItemResult(i, claim.kind, doc.key, outcome, diff, document=doc))
    return results


def _balances(session: Session, items: list[ItemResult]) -> None:
    """Fill remaining balance and availability of authentic items (batched reads)."""
    docs = {
        it.document.id: it.document
        for it in items
        if it.outcome == "authentic" and it.document is not None
    }
    ordered = list(docs.values())
    remaining: dict[int, int] = {}
    for start in range(0, len(ordered), CHUNK):
        # remaining_minor reads only .id and .value_minor, which a DocRef carries.
        chunk = cast(list[Document], ordered[start : start + CHUNK])
        remaining |= remaining_minor(session, chunk)
    single = [d.id for d in ordered if d.single_use]
    uses: dict[int, int] = {}
    for start in range(0, len(single), CHUNK):
        query = select(DocumentBalance.document_id, DocumentBalance.active_uses).where(
            DocumentBalance.document_id.in_(single[start : start + CHUNK])
        )
        uses |= {row[0]: row[1] for row in session.execute(query)}
    for item in items:
        doc = item.document
        if item.outcome != "authentic" or doc is None:
            continue
        left = remaining.get(doc.id, 0)
        taken = doc.single_use and uses.get(doc.id, 0) > 0
        if doc.currency:
            item.remaining_minor = 0 if taken else left
            item.remaining = format_amount(item.remaining_minor, doc.currency)
            item.currency = doc.currency
        item.available = not taken and (left > 0 or (doc.single_use and not doc.currency))


def claim_digests(claims: Sequence[Claim]) -> list[str]:
    """SHA-256 (hex) of each claim's fields in RFC 8785 form; a 422 naming every claim
    whose fields JCS cannot carry (an integer beyond 2**53, say), before anything is judged."""
    digests: list[str] = []
    bad: list[FieldError] = []
    for i, claim in enumerate(claims):
        try:
            digests.append(hashlib.sha256(jcs(claim.fields)).hexdigest())
        except ValueError as exc:
            bad.append(FieldError(f"items[{i}].fields", str(exc)))
    if bad:
        raise ValidationFailed(bad)
    return digests


def item_leaf(item: ItemResult, claimed: str) -> bytes:
    """RFC 6962 leaf of one item: its index, claim digest, outcome and answered fields."""
    answered = [] if item.withheld else item.fields
    record = {
        "i": item.index,
        "kind": item.kind,
        "key": item.key,
        "claimed": claimed,
        "outcome": item.outcome,
        "fields": answered,
        "withheld": item.withheld,
    }
    return leaf_hash(jcs(record))


def verify(
    uow: UnitOfWork, caller: Caller, claims: Sequence[Claim], mismatch_limit: int
) -> tuple[VerifyResult, Receipt]:
    """Verify up to 10,000 claims for a bank; records every item and one ledger event."""
    require_kind(caller, OrgKind.BANK)
    if len(claims) > MAX_ITEMS:
        raise ValidationFailed([FieldError("items", f"at most {MAX_ITEMS} per request")])
    specs = _specs(claims)
    digests = claim_digests(claims)
    keys = [_normal_key(specs[c.kind], c.key) for c in claims]
    wanted: dict[str, set[str]] = {}
    for claim, key in zip(claims, keys, strict=True):
        if key is not None:
            wanted.setdefault(claim.kind, set()).add(key)
    items = _judge(claims, specs, _load(uow.session, wanted), keys)
    count_mismatches(uow, caller.org_id, items, mismatch_limit)
    _balances(uow.session, items)
    for item, digest in zip(items, digests, strict=True):
        item.leaf = item_leaf(item, digest)
    return _record(uow, caller, items)


def _record(
    uow: UnitOfWork, caller: Caller, items: list[ItemResult]
) -> tuple[VerifyResult, Receipt]:
    now = utcnow()
    root = root_hash([it.leaf for it in items])
    result = VerifyResult(0, items)
    counts = result.counts()
    request = VerificationRequest(
        bank_org_id=caller.org_id,
        principal_id=caller.principal_id,
        items=len(items),
        items_root=root,
        event_id="",
        created_at=now,
        **counts,
    )
    uow.session.add(request)
    uow.session.flush()
    result.request_id = request.id
    owners = {
        it.document.owner_org_id
        for it in items
        if it.document is not None and it.document.owner_org_id is not None
    }
    receipt = uow.record(
        EventType.VERIFICATION_RUN,
        subjects={"verification_request": request.id},
        content=request_event_content(request),
        parties=owners,
    )
    request.event_id = receipt.event_id
    add_items(uow.session, now, caller.org_id, ((it.outcome, county_of(it)) for it in items))
    if items:
        # COPY on PostgreSQL (several times faster than executemany for 10,000 rows),
        # on the unit of work's own connection, so inside its transaction.
        insert_rows(
            uow.session.connection(),
            table_of(Verification),
            list(_rows(request, caller, items)),
            now,
        )
    return result, receipt


def request_event_content(request: VerificationRequest) -> dict[str, Any]:
    """The content of a request's ledger event; item proofs show it again, so one place."""
    return {
        "request": request.id,
        "bank": request.bank_org_id,
        "items": request.items,
        "items_root": request.items_root.hex(),
    }


def county_of(item: ItemResult) -> str:
    """The county an item counts in: its document's enterprise's, as it stands now."""
    return (item.document.jurisdiction_path if item.document is not None else None) or ""


def _rows(
    request: VerificationRequest, caller: Caller, items: Iterable[ItemResult]
) -> Iterable[dict[str, Any]]:
    for it in items:
        yield {
            "request_id": request.id,
            "position": it.index,
            "bank_org_id": caller.org_id,
            "document_id": it.document.id if it.document is not None else None,
            "kind": it.kind,
            "key": it.key[:64],
            "outcome": it.outcome,
            "fields": " ".join(it.fields) or None,
            "withheld": it.withheld,
            "remaining_minor": it.remaining_minor,
            "currency": it.currency,
            "available": it.available,
            "leaf_hash": it.leaf,
            "county_path": county_of(it),
        }


def stored_answer(row: Verification) -> dict[str, Any]:
    """A recorded item as it was answered to the bank (same shape as ItemResult.as_dict)."""
    item = ItemResult(
        row.position,
        row.kind,
        row.key,
        row.outcome,
        (row.fields or "").split(),
        row.withheld,
        currency=row.currency,
        available=row.available,
    )
    if row.currency and row.remaining_minor is not None:
        item.remaining = format_amount(row.remaining_minor, row.currency)
    return item.as_dict()

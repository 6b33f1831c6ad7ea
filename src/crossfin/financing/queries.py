"""Reading financings and balances within entitlement; the reconciliation cursor."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from crossfin.core.errors import NotFound, ValidationFailed, invalid
from crossfin.core.money import format_amount
from crossfin.documents.access.rules import can_read_document
from crossfin.documents.access.tallies import count_mismatches
from crossfin.documents.access.verification import ItemResult, proves
from crossfin.documents.balance import remaining_minor
from crossfin.documents.docref import DocRef
from crossfin.documents.kinds.base import KindSpec
from crossfin.documents.kinds.registry import get_kind
from crossfin.documents.models import Document, DocumentBalance, DocumentVersion
from crossfin.financing.lifecycle import allowed_actions
from crossfin.financing.models import Financing, FinancingUse
from crossfin.financing.schemas import BalanceOut, FinancingOut, UseOut
from crossfin.ledger.uow import Transactions
from crossfin.parties.access import Caller, supervised, supervises
from crossfin.parties.models import Organization, OrgKind


def can_see(caller: Caller, financing: Financing) -> bool:
    """Its bank, its enterprise, the insurer of its policy, a regulator over the enterprise."""
    if caller.org_id in (financing.bank_org_id, financing.enterprise_org_id):
        return True
    if financing.insurer_org_id is not None and caller.org_id == financing.insurer_org_id:
        return True
    return supervises(caller, financing.jurisdiction_path)


def visible(caller: Caller) -> Any:
    """The SQL condition matching `can_see` for lists."""
    kind = caller.org_kind
    if kind is OrgKind.BANK:
        return Financing.bank_org_id == caller.org_id
    if kind is OrgKind.ENTERPRISE:
        return Financing.enterprise_org_id == caller.org_id
    if kind is OrgKind.INSURER:
        return Financing.insurer_org_id == caller.org_id
    return supervised(caller, Financing.jurisdiction_path)


def get_financing(session: Session, caller: Caller, financing_id: int) -> Financing:
    """One financing the caller may see; 404 otherwise (existence never leaks)."""
    financing = session.get(Financing, financing_id)
    if financing is None or not can_see(caller, financing):
        raise NotFound(f"no financing {financing_id}")
    return financing


@dataclass(frozen=True)
class Cursor:
    """Position in the change order: (change_seq, id) of the last item seen."""

    seq: int
    id: int

    def encode(self) -> str:
        return base64.urlsafe_b64encode(f"{self.seq}.{self.id}".encode()).decode().rstrip("=")

    @staticmethod
    def decode(text: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            seq, _, ident = raw.partition(".")
            return Cursor(int(seq), int(ident))
        except (ValueError, UnicodeDecodeError):
            raise invalid("cursor", "not a cursor this API returned") from None


@dataclass(frozen=True)
class ListFilter:
    updated_since: datetime | None = None
    cursor: str | None = None
    state: str | None = None
    scenario: str | None = None
    external_ref: str | None = None
    limit: int = 100


def list_financings(
    session: Session, caller: Caller, flt: ListFilter
) -> tuple[list[Financing], str | None]:
    """Financings the caller sees, in commit order of their last change, after the cursor.

    Returns the page and the cursor to continue from (the last item's, or the one given
    when nothing new has changed), so a loan system can poll with it indefinitely.
    """
    query = select(Financing).where(visible(caller))
    if flt.updated_since is not None:
        query = query.where(Financing.updated_at >= flt.updated_since)
    for column, value in (
        (Financing.state, flt.state),
        (Financing.scenario, flt.scenario),
        (Financing.external_ref, flt.external_ref),
    ):
        if value is not None:
            query = query.where(column == value)
    if flt.cursor:
        after = Cursor.decode(flt.cursor)
        query = query.where(
            or_(
                Financing.change_seq > after.seq,
                and_(Financing.change_seq == after.seq, Financing.id > after.id),
            )
        )
    query = query.order_by(Financing.change_seq, Financing.id).limit(flt.limit)
    items = list(session.scalars(query))
    if not items:
        return items, flt.cursor
    last = items[-1]
    return items, Cursor(last.change_seq, last.id).encode()


def _amount(minor: int, currency: str) -> str:
    return format_amount(minor, currency) if currency else str(minor)


def to_out(session: Session, financings: Sequence[Financing]) -> list[FinancingOut]:
    """Output models with each financing's documents, in three queries for any page."""
    if not financings:
        return []
    ids = [f.id for f in financings]
    uses = list(
        session.scalars(
            select(FinancingUse).where(FinancingUse.financing_id.in_(ids)).order_by(FinancingUse.id)
        )
    )
    doc_query = select(Document.id, Document.kind, Document.key).where(
        Document.id.in_({u.document_id for u in uses})
    )
    docs = {r.id: (r.kind, r.key) for r in session.execute(doc_query)}
    usccs = {
        r.id: r.uscc
        for r in session.execute(
            select(Organization.id, Organization.uscc).where(
                Organization.id.in_({f.enterprise_org_id for f in financings})
            )
        )
    }
    by_financing: dict[int, list[FinancingUse]] = {}
    for use in uses:
        by_financing.setdefault(use.financing_id, []).append(use)
    return [
        build_out(f, by_financing.get(f.id, []), docs, usccs.get(f.enterprise_org_id))
        for f in financings
    ]


def build_out(
    f: Financing, uses: Sequence[FinancingUse], docs: dict[int, tuple[str, str]], uscc: str | None
) -> FinancingOut:
    """One output model from rows already in hand (`docs`: id -> (kind, key))."""
    ccy = f.currency
    shares = [
        UseOut(
            kind=docs[u.document_id][0],
            key=docs[u.document_id][1],
            role=u.role,
            currency=u.currency,
            active=u.active,
            allocated=_amount(u.allocated_minor, ccy),
            reserved=_amount(u.reserved_minor, u.currency),
            released=_amount(u.released_minor, u.currency),
            fx_rate=u.fx_rate,
            fx_source=u.fx_source,
            note=u.note,
        )
        for u in uses
    ]
    return FinancingOut(
        id=f.id,
        external_ref=f.external_ref,
        scenario=f.scenario,
        state=f.state,
        overdue=f.overdue,
        overdue_since=f.overdue_since,
        bank_org_id=f.bank_org_id,
        enterprise_org_id=f.enterprise_org_id,
        enterprise_uscc=uscc,
        insurer_org_id=f.insurer_org_id,
        amount=format_amount(f.amount_minor, ccy),
        currency=ccy,
        disbursed=format_amount(f.disbursed_minor, ccy),
        repaid=format_amount(f.repaid_minor, ccy),
        outstanding=format_amount(f.disbursed_minor - f.repaid_minor, ccy),
        rate=f.rate,
        due_date=f.due_date,
        reserved_until=f.reserved_until,
        maker_principal_id=f.maker_principal_id,
        approver_principal_id=f.approver_principal_id,
        offer_id=f.offer_id,
        documents=shares,
        actions=allowed_actions(f.state),
        change_seq=f.change_seq,
        created_at=f.created_at,
        updated_at=f.updated_at,
    )


def balance_of(
    tx: Transactions,
    caller: Caller,
    kind: str,
    key: str,
    claim: Mapping[str, Any] | None,
    mismatch_limit: int,
) -> BalanceOut:
    """A document's balance as `document_balance` tells it: the one function behind the
    balance endpoint and the portal's lookup.

    A bank's claim that does not prove the document counts as a verification mismatch, in
    the same daily tally and with the same alert as `POST /v1/documents/verify` (in a
    transaction of its own), then answers 404: otherwise the lookup would be a way to guess
    a document's value without the regulator ever seeing it.
    """
    try:
        return tx.read(lambda uow: document_balance(uow.session, caller, kind, key, claim))
    except WrongClaim as wrong:
        doc = wrong.document
        item = ItemResult(0, doc.kind, doc.key, "mismatch", document=doc)
        tx.write(lambda uow: count_mismatches(uow, caller.org_id, [item], mismatch_limit))
        raise NotFound(wrong.detail) from None


def _ref(doc: Document) -> DocRef:
    return DocRef(
        doc.id,
        doc.kind,
        doc.key,
        doc.owner_org_id,
        doc.jurisdiction_path,
        doc.value_minor,
        doc.currency,
        doc.single_use,
    )


class WrongClaim(NotFound):
    """A bank's claim that does not prove the document: answered as a document that does
    not exist, and counted as a verification mismatch (`document` names it)."""

    def __init__(self, detail: str, document: DocRef) -> None:
        super().__init__(detail)
        self.document = document


def document_balance(
    session: Session, caller: Caller, kind: str, key: str, claim: Mapping[str, Any] | None = None
) -> BalanceOut:
    """A document's remaining balance, told only as verification would tell it.

    A caller entitled to the document (its owner, its source, a bank with the owner's
    consent for its kind, a regulator over it: `can_read_document`) learns its value and
    what is left. A bank that proves it holds the document by a `claim` of its fields that
    names its value fields and matches them (as `POST /v1/documents/verify` compares
    them) learns what is left and whether it is in use, never the value. Everyone else,
    a bank with no claim or a wrong one included, gets the 404 of a document that does
    not exist; nobody learns who holds the rest.
    """
    missing = NotFound(f"no {kind} {key}")
    try:
        spec = get_kind(kind)
        normal = str(spec.normalise_fields({spec.key_field: key})[spec.key_field])
    except (NotFound, ValidationFailed):
        raise missing from None
    doc = session.scalar(select(Document).where(Document.kind == spec.name, Document.key == normal))
    if doc is None:
        raise missing
    entitled = can_read_document(session, caller, doc)
    if not entitled:
        if caller.org_kind is not OrgKind.BANK or not claim:
            raise missing
        if not _proves(session, spec, doc, claim):
            raise WrongClaim(missing.detail, _ref(doc))  # read while the session is open
    left = remaining_minor(session, [doc])[doc.id]
    uses = (
        session.scalar(
            select(DocumentBalance.active_uses).where(DocumentBalance.document_id == doc.id)
        )
        or 0
    )
    return BalanceOut(
        kind=doc.kind,
        key=doc.key,
        currency=doc.currency,
        value=_amount(doc.value_minor, doc.currency) if entitled else None,
        remaining=_amount(left, doc.currency),
        single_use=doc.single_use,
        in_use=uses > 0 if doc.single_use else left < doc.value_minor,
    )


def _proves(session: Session, spec: KindSpec, doc: Document, claim: Mapping[str, Any]) -> bool:
    """Whether `claim` shows knowledge of the document's current version, as verification
    judges it (`verification.proves`)."""
    content = session.scalar(
        select(DocumentVersion.content).where(
            DocumentVersion.document_id == doc.id, DocumentVersion.version == doc.version
        )
    )
    if content is None:
        return False
    return proves(spec, dict(claim), json.loads(content))

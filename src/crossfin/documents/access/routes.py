"""HTTP routes of the registry's access side: consent, reading, verification, fingerprints."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from crossfin.core.errors import invalid
from crossfin.core.http.deps import SettingsDep
from crossfin.core.http.params import After, PathId, QueryId
from crossfin.core.money import format_amount
from crossfin.core.secrets import platform_secret
from crossfin.documents.access import consent as consents
from crossfin.documents.access import fingerprints, item_proofs, reading, verification
from crossfin.documents.access.downloads import results_download
from crossfin.documents.access.models import Consent, Verification
from crossfin.documents.access.schemas import (
    ConsentIn,
    ConsentOut,
    DocumentOut,
    FingerprintIn,
    VerifyIn,
)
from crossfin.documents.balance import remaining_minor
from crossfin.documents.models import Document
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_kind
from crossfin.parties.http import (
    CallerDep,
    ReadUow,
    ReplicaCallerDep,
    ReplicaUow,
    WriterDep,
    WriteResult,
)
from crossfin.parties.models import OrgKind

router = APIRouter(prefix="/v1", tags=["documents: access"])
Limit = Annotated[int, Query(ge=1, le=reading.MAX_PAGE)]
# An item of a bulk verification: 0 to 9,999.
ItemIndex = Annotated[int, Path(ge=0, lt=verification.MAX_ITEMS)]


def consent_out(consent: Consent) -> ConsentOut:
    return ConsentOut(
        id=consent.id,
        enterprise_org_id=consent.enterprise_org_id,
        bank_org_id=consent.bank_org_id,
        scopes=consent.scope_list,
        purpose=consent.purpose,
        granted_at=consent.granted_at,
        expires_at=consent.expires_at,
        revoked_at=consent.revoked_at,
        status=consents.status_of(consent),
    )


@router.post("/consents", status_code=201, summary="Grant a bank consent (enterprises)")
def grant_consent(data: ConsentIn, caller: CallerDep, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        bank = consents.find_bank(uow.session, org_id=data.bank_org_id, bic=data.bank_bic)
        row, receipt = consents.grant(
            uow,
            caller,
            bank=bank,
            scopes=data.scopes,
            expires_at=data.expires_at,
            purpose=data.purpose,
        )
        return consent_out(row), receipt

    return write(run)


@router.get(
    "/consents",
    response_model=list[ConsentOut],
    summary="Consents granted (enterprise), received (bank) or in a subtree",
)
def list_consents(
    caller: ReplicaCallerDep,
    uow: ReplicaUow,
    active: bool = False,
    after: After = 0,
    limit: Limit = 100,
) -> list[ConsentOut]:
    rows = consents.list_consents(uow.session, caller, active_only=active, after=after, limit=limit)
    return [consent_out(c) for c in rows]


@router.get("/consents/{consent_id}", response_model=ConsentOut, summary="One consent")
def get_consent(consent_id: PathId, caller: CallerDep, uow: ReadUow) -> ConsentOut:
    return consent_out(consents.get_consent(uow.session, caller, consent_id))


@router.post("/consents/{consent_id}/revoke", summary="Revoke a consent at once")
def revoke_consent(consent_id: PathId, caller: CallerDep, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        row, receipt = consents.revoke(uow, caller, consent_id)
        return consent_out(row), receipt

    return write(run, status=200)


def document_out(
    doc: Document, remaining: dict[int, int], content: dict[str, Any] | None = None
) -> DocumentOut:
    value = format_amount(doc.value_minor, doc.currency) if doc.currency else None
    left = remaining.get(doc.id)
    return DocumentOut(
        kind=doc.kind,
        key=doc.key,
        version=doc.version,
        owner_uscc=doc.owner_uscc,
        source_org_id=doc.source_org_id,
        value=value,
        currency=doc.currency or None,
        single_use=doc.single_use,
        created_at=doc.created_at,
        updated_at=doc.updated_at,
        content=content,
        remaining=format_amount(left, doc.currency) if doc.currency and left is not None else None,
    )


@router.get("/documents", summary="Documents the caller may read, by kind, page by page")
def list_documents(
    caller: ReplicaCallerDep,
    uow: ReplicaUow,
    kind: str | None = None,
    owner: QueryId | None = None,
    cursor: str | None = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    page = reading.list_documents(
        uow.session, caller, kind=kind, owner_org_id=owner, cursor=cursor, limit=limit
    )
    remaining = remaining_minor(uow.session, page.items)
    return {
        "items": [document_out(d, remaining).model_dump(mode="json") for d in page.items],
        "next_cursor": page.next_cursor,
    }


def verification_out(
    caller: Caller, row: Verification, doc: Document | None, bank_name: str
) -> dict[str, Any]:
    """A verification as its reader sees it: a bank sees what it was answered."""
    fields = (row.fields or "").split()
    out: dict[str, Any] = {
        "id": row.id,
        "kind": row.kind,
        "key": row.key,
        "outcome": row.outcome,
        "at": row.created_at.isoformat(),
    }
    if caller.org_kind is OrgKind.BANK:
        out["request_id"] = row.request_id
        out["fields"] = None if row.withheld else fields
        return out
    out |= {
        "bank": {"id": row.bank_org_id, "name": bank_name},
        "fields": fields,
        "fields_withheld": row.withheld,
    }
    if caller.org_kind is OrgKind.REGULATOR:
        out["owner_org_id"] = doc.owner_org_id if doc is not None else None
    return out


@router.get(
    "/documents/verifications",
    summary="Verifications: of the owner's documents, the bank's own, or a subtree's",
)
def list_verifications(
    caller: ReplicaCallerDep,
    uow: ReplicaUow,
    kind: str | None = None,
    key: str | None = None,
    request_id: QueryId | None = None,
    cursor: str | None = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    page = reading.list_verifications(
        uow.session, caller, kind=kind, key=key, request_id=request_id, cursor=cursor, limit=limit
    )
    return {
        "items": [verification_out(caller, *row) for row in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/documents/{kind}/{key}",
    response_model=DocumentOut,
    summary="A document and its current content (owner, source, consented bank, regulator)",
)
def get_document(kind: str, key: str, caller: CallerDep, uow: ReadUow) -> DocumentOut:
    doc, content = reading.get_document(uow.session, caller, kind, key)
    return document_out(doc, remaining_minor(uow.session, [doc]), content)


@router.post(
    "/documents/verify", summary="Verify up to 10,000 documents against claimed fields (banks)"
)
def verify(data: VerifyIn, caller: CallerDep, write: WriterDep, settings: SettingsDep) -> Response:
    claims = [verification.Claim(i.kind, i.key, i.fields) for i in data.items]

    def run(uow: UnitOfWork) -> WriteResult:
        result, receipt = verification.verify(uow, caller, claims, settings.verify_mismatch_limit)
        return {
            "request_id": result.request_id,
            "counts": result.counts(),
            "items": [it.as_dict() for it in result.items],
        }, receipt

    return write(run, status=200)


@router.get(
    "/verification-requests/{request_id}",
    summary="A bank's earlier verification request, every item as answered",
)
def verification_request(request_id: PathId, caller: CallerDep, uow: ReadUow) -> dict[str, Any]:
    request, rows = reading.request_results(uow.session, caller, request_id)
    return {
        "request_id": request.id,
        "at": request.created_at.isoformat(),
        "counts": {
            "authentic": request.authentic,
            "mismatch": request.mismatch,
            "unknown": request.unknown,
        },
        "items": [verification.stored_answer(r) for r in rows],
    }


@router.get(
    "/verification-requests/{request_id}/results.csv",
    summary="A bank's earlier verification request as a CSV file",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def verification_request_csv(request_id: PathId, caller: CallerDep, uow: ReadUow) -> Response:
    return results_download(uow.session, caller, request_id)


@router.get(
    "/verification-requests/{request_id}/items/{index}/proof",
    summary="Proof of one verified item: its leaf, its path to the request's "
    "items_root, and the ledger event committing to that root",
)
def verification_item_proof(
    request_id: PathId, index: ItemIndex, caller: CallerDep, uow: ReadUow
) -> dict[str, Any]:
    return item_proofs.item_proof(uow.session, caller, request_id, index).as_dict()


@router.post(
    "/fingerprints/check",
    summary="Was this self-supplied paper (or an altered copy) presented before? (banks)",
)
def check_fingerprint(
    data: FingerprintIn, caller: CallerDep, write: WriterDep, settings: SettingsDep
) -> Response:
    require_kind(caller, OrgKind.BANK)
    if (data.fields is None) == (data.ubl is None):
        raise invalid("fields", "give either fields or ubl")
    paper = (
        data.fields.paper()
        if data.fields is not None
        else fingerprints.fingerprint_fields_from_ubl(data.ubl or "")
    )
    keys = fingerprints.FingerprintKeys.derive(platform_secret(settings))

    def run(uow: UnitOfWork) -> WriteResult:
        if data.store:
            result, receipt = fingerprints.register(uow, keys, caller, paper)
        else:
            result, receipt = fingerprints.check(uow.session, keys, caller, paper), None
        return result.__dict__, receipt

    return write(run, status=200)

"""Publish the demo's trade documents the way real sources do, then grant demo consents.

Each demo source signs with its own Ed25519 key, kept in `<data dir>/demo-sources/<org>.key`
(0600) and registered through the sources service. Each (source, kind) becomes one signed
batch, submitted through the same function as the portal's upload and the steps of the
HTTP batch API (`documents.ingest.service.submit_batch`), inside the load's transaction,
acting as the source's feed account, so the ledger shows the source doing it.
Batches already published are skipped: a second load adds nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from crossfin.core.clock import utcnow
from crossfin.demo.dataset import demo_orgs
from crossfin.demo.trade import DemoBatch, demo_batches
from crossfin.documents import records
from crossfin.documents.access import consent
from crossfin.documents.ingest import batches, service, sources
from crossfin.documents.ingest.models import Batch, SourceKey
from crossfin.ledger.note import (
    Signer,
    generate_signer,
    read_key_file,
    sign_note,
    write_key_file,
)
from crossfin.ledger.rfc6962 import leaf_hash, root_hash
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.credentials import caller_for, find_principal
from crossfin.parties.models import Organization, PrincipalKind

KEY_DIR = "demo-sources"
# (enterprise, bank): Shenzhen firms letting their Shenzhen bank read their declarations
# and credit profile, as F1 and F2 need.
CONSENTS = (("lotus", "bank1"), ("kapok", "bank1"))
CONSENT_SCOPES = ("customs_declaration", "credit_profile")
CONSENT_DAYS = 180


@dataclass
class DocumentsResult:
    """What loading the documents did."""

    documents_added: int = 0
    batches_published: int = 0
    keys_registered: int = 0
    consents_added: int = 0


def _caller(uow: UnitOfWork, org_id: int, name: str, kind: PrincipalKind) -> Caller:
    return caller_for(uow.session, find_principal(uow.session, org_id, kind, name))


def source_signer(data_dir: Path, org_key: str) -> Signer:
    """The demo source's signing key, created (0600) on first use."""
    folder = data_dir / KEY_DIR
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"{org_key}.key"
    if not path.exists():
        skey, _ = generate_signer(f"crossfin-demo/{org_key}")
        write_key_file(path, skey)
    return Signer.from_skey(read_key_file(path))


def _ensure_key(uow: UnitOfWork, caller: Caller, signer: Signer) -> bool:
    """Register the signer's verifier key for the caller's source if missing; True if so."""
    vkey = signer.verifier().vkey
    found = uow.session.scalar(
        select(SourceKey.id).where(
            SourceKey.org_id == caller.org_id,
            SourceKey.vkey == vkey,
            SourceKey.retired_at.is_(None),
        )
    )
    if found is not None:
        return False
    sources.register_key(uow, caller, vkey)
    return True


def manifest_of(batch: DemoBatch, signer: Signer) -> str:
    """The signed manifest over the digests of the batch's records, in order."""
    root = root_hash([leaf_hash(records.record_digest(r)) for r in batch.records])
    text = records.Manifest(batch.kind, batch.ref, len(batch.records), root).text()
    return sign_note(text, [signer])


def _publish(uow: UnitOfWork, caller: Caller, signer: Signer, batch: DemoBatch) -> Batch | None:
    """Register, stage and publish one batch (all or nothing); None if already done."""
    existing = batches.find_batch(uow.session, caller.org_id, batch.ref)
    if existing is not None and existing.status in batches.TERMINAL:
        return None
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in batch.records)
    done = service.submit_batch(
        Transactions.within(uow),
        caller,
        manifest_of(batch, signer),
        body,
        csv_format=False,
        mode="atomic",
    )
    if done.receipt is None:
        raise RuntimeError(
            f"demo batch {batch.ref} was not published ({done.batch.status}): {done.batch.reason}"
        )
    return done.batch


def _load_sources(
    uow: UnitOfWork, org_ids: dict[str, int], data_dir: Path, result: DocumentsResult
) -> None:
    wanted = demo_batches()
    callers, signers = {}, {}
    for org in demo_orgs():
        if org.key not in {b.source for b in wanted}:
            continue
        caller = _caller(uow, org_ids[org.key], f"{org.kind}-feed", PrincipalKind.SERVICE)
        callers[org.key], signers[org.key] = caller, source_signer(data_dir, org.key)
        with uow.acting_as(caller.actor):
            result.keys_registered += _ensure_key(uow, caller, signers[org.key])
    for batch in wanted:
        caller = callers[batch.source]
        with uow.acting_as(caller.actor):
            published = _publish(uow, caller, signers[batch.source], batch)
        if published is not None:
            result.batches_published += 1
            result.documents_added += published.accepted


def _load_consents(uow: UnitOfWork, org_ids: dict[str, int], result: DocumentsResult) -> None:
    for firm, bank_key in CONSENTS:
        firm_id, bank_id = org_ids[firm], org_ids[bank_key]
        if consent.active_consent(uow.session, firm_id, bank_id, CONSENT_SCOPES[0]):
            continue
        caller = _caller(uow, firm_id, f"{firm}.admin", PrincipalKind.USER)
        bank = uow.session.get_one(Organization, bank_id)
        with uow.acting_as(caller.actor):
            consent.grant(
                uow,
                caller,
                bank=bank,
                scopes=list(CONSENT_SCOPES),
                expires_at=utcnow() + timedelta(days=CONSENT_DAYS),
                purpose="export receivables financing (demo)",
            )
        result.consents_added += 1


def load_documents(uow: UnitOfWork, org_ids: dict[str, int], data_dir: Path) -> DocumentsResult:
    """Publish whatever demo batch is missing and grant missing demo consents.

    Preconditions: the demo organizations and principals exist (`org_ids` maps their keys
    to ids); `data_dir` is private to its owner. The caller commits.
    """
    result = DocumentsResult()
    _load_consents(uow, org_ids, result)
    _load_sources(uow, org_ids, data_dir, result)
    return result

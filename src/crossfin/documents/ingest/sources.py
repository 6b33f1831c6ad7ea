"""Sources' verifier keys: registered before a source signs batch manifests with them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.errors import AlreadyExists, IllegalTransition, NotFound, invalid
from crossfin.documents.ingest.models import SourceKey
from crossfin.documents.kinds.registry import SOURCE_KINDS
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.note import NoteError, Verifier
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_kind, require_role
from crossfin.parties.models import OrgKind, Role

MANAGING_ROLES = (Role.ADMIN, Role.OPERATOR)


def require_source(caller: Caller) -> None:
    """403 unless the caller acts for a source organization (customs, tax, insurer, logistics)."""
    require_kind(caller, *sorted(SOURCE_KINDS))


def register_key(uow: UnitOfWork, caller: Caller, vkey: str) -> tuple[SourceKey, Receipt]:
    """Register an Ed25519 verifier key (C2SP vkey) for the caller's source organization."""
    require_source(caller)
    require_role(caller, *MANAGING_ROLES)
    try:
        verifier = Verifier.from_vkey(vkey.strip())
    except NoteError as exc:
        raise invalid("vkey", str(exc)) from None
    text = verifier.vkey
    if uow.session.scalar(select(SourceKey.id).where(SourceKey.vkey == text)) is not None:
        raise AlreadyExists("this key is already registered", field="vkey")
    row = SourceKey(
        org_id=caller.org_id,
        name=verifier.name,
        key_id=verifier.key_id,
        vkey=text,
        public_key=verifier.public_key,
        created_at=utcnow(),
    )
    uow.session.add(row)
    uow.session.flush()
    receipt = uow.record(
        EventType.SOURCE_KEY_REGISTERED,
        subjects={"source_key": row.id},
        content={"org": caller.org_id, "vkey": text},
        parties={caller.org_id},
    )
    return row, receipt


def list_keys(session: Session, caller: Caller) -> list[SourceKey]:
    """The caller's organization's keys, retired ones included, oldest first."""
    require_source(caller)
    query = select(SourceKey).where(SourceKey.org_id == caller.org_id)
    return list(session.scalars(query.order_by(SourceKey.id)))


def retire_key(uow: UnitOfWork, caller: Caller, key_id: int) -> tuple[SourceKey, Receipt]:
    """Retire one of the caller's keys: manifests signed by it are refused from now on."""
    require_source(caller)
    row = uow.session.get(SourceKey, key_id)
    if row is None or row.org_id != caller.org_id:
        raise NotFound(f"no source key {key_id}")
    require_role(caller, *MANAGING_ROLES)
    if row.retired_at is not None:
        raise IllegalTransition("this key is already retired")
    row.retired_at = utcnow()
    receipt = uow.record(
        EventType.SOURCE_KEY_RETIRED,
        subjects={"source_key": row.id},
        content={"org": caller.org_id, "vkey": row.vkey},
        parties={caller.org_id},
    )
    return row, receipt


def active_verifiers(session: Session, org_id: int) -> dict[tuple[str, int], SourceKey]:
    """The organization's active keys by (name, key ID), as signature lines name them."""
    query = select(SourceKey).where(SourceKey.org_id == org_id, SourceKey.retired_at.is_(None))
    return {(k.name, k.key_id): k for k in session.scalars(query)}


def is_source(kind: OrgKind) -> bool:
    return kind in SOURCE_KINDS

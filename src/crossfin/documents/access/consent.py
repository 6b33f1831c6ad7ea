"""Consent: an enterprise lets a named bank read some of its records, for a limited time.

Scopes are document kind names (the bank may read those documents' content) and
`credit_profile` (the financing domain's F2 credit query). A consent is never edited:
revoking it stamps `revoked_at`, and a new grant is a new row.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.errors import (
    FieldError,
    IllegalTransition,
    NotFound,
    ValidationFailed,
)
from crossfin.documents.access.models import Consent
from crossfin.documents.state import consent_commitment
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_kind, require_role
from crossfin.parties.models import Organization, OrgKind, Role

CREDIT_PROFILE = "credit_profile"
# A consent outliving a year is rarely what a firm means; it can always grant again.
MAX_DAYS = 366
GRANTING_ROLES = (Role.ADMIN, Role.APPROVER)


def scope_names() -> set[str]:
    """Every valid scope: the registered document kinds and `credit_profile`."""
    from crossfin.documents.kinds.registry import all_kinds

    return {spec.name for spec in all_kinds()} | {CREDIT_PROFILE}


def status_of(consent: Consent, at: datetime | None = None) -> str:
    """`active`, `revoked` or `expired` at `at` (default now)."""
    moment = at or utcnow()
    if consent.revoked_at is not None and consent.revoked_at <= moment:
        return "revoked"
    if consent.expires_at <= moment:
        return "expired"
    return "active"


def _check_scopes(scopes: list[str]) -> list[str]:
    valid = scope_names()
    errors = [
        FieldError(f"scopes[{i}]", f"unknown scope {s!r}; one of {sorted(valid)}")
        for i, s in enumerate(scopes)
        if s not in valid
    ]
    if not scopes:
        errors.append(FieldError("scopes", "name at least one scope"))
    if errors:
        raise ValidationFailed(errors)
    return sorted(set(scopes))


def _check_expiry(expires_at: datetime, now: datetime) -> None:
    if expires_at.tzinfo is None:
        raise ValidationFailed([FieldError("expires_at", "give a UTC offset (e.g. Z)")])
    if expires_at <= now:
        raise ValidationFailed([FieldError("expires_at", "must be in the future")])
    if expires_at > now + timedelta(days=MAX_DAYS):
        raise ValidationFailed([FieldError("expires_at", f"at most {MAX_DAYS} days ahead")])


def find_bank(session: Session, *, org_id: int | None, bic: str | None) -> Organization:
    """The bank named by id or BIC; a validation error (never 404) when there is none."""
    if (org_id is None) == (bic is None):
        raise ValidationFailed([FieldError("bank_org_id", "give bank_org_id or bank_bic")])
    if org_id is not None:
        bank, field = session.get(Organization, org_id), "bank_org_id"
    else:
        query = select(Organization).where(Organization.bic == (bic or "").upper())
        bank, field = session.scalars(query).first(), "bank_bic"
    if bank is None or bank.kind != OrgKind.BANK.value:
        raise ValidationFailed([FieldError(field, "names no bank on the platform")])
    return bank


def grant(
    uow: UnitOfWork,
    caller: Caller,
    *,
    bank: Organization,
    scopes: list[str],
    expires_at: datetime,
    purpose: str | None = None,
) -> tuple[Consent, Receipt]:
    """Record the caller enterprise's consent to `bank`; one CONSENT_GRANTED event."""
    require_kind(caller, OrgKind.ENTERPRISE)
    require_role(caller, *GRANTING_ROLES)
    now = utcnow()
    clean = _check_scopes(scopes)
    _check_expiry(expires_at, now)
    consent = Consent(
        enterprise_org_id=caller.org_id,
        bank_org_id=bank.id,
        scopes=" ".join(clean),
        purpose=purpose,
        granted_by=caller.principal_id,
        granted_at=now,
        expires_at=expires_at,
    )
    uow.session.add(consent)
    uow.session.flush()
    receipt = uow.record(
        EventType.CONSENT_GRANTED,
        subjects={"consent": consent.id, "enterprise": caller.org_id, "bank": bank.id},
        content={
            "consent": consent.id,
            "enterprise": caller.org_id,
            "bank": bank.id,
            "scopes": clean,
            "expires_at": expires_at,
            "purpose": purpose,
        },
        parties={caller.org_id, bank.id},
        state=consent_commitment(consent),
    )
    return consent, receipt


def revoke(uow: UnitOfWork, caller: Caller, consent_id: int) -> tuple[Consent, Receipt]:
    """Revoke one of the caller enterprise's consents at once; one CONSENT_REVOKED event."""
    consent = uow.session.get(Consent, consent_id, with_for_update=True)
    if consent is None or consent.enterprise_org_id != caller.org_id:
        raise NotFound(f"no consent {consent_id}")
    require_role(caller, *GRANTING_ROLES)
    now = utcnow()
    state = status_of(consent, now)
    if state != "active":
        raise IllegalTransition(f"the consent is already {state}", state=state)
    consent.revoked_at, consent.revoked_by = now, caller.principal_id
    uow.session.flush()
    receipt = uow.record(
        EventType.CONSENT_REVOKED,
        subjects={
            "consent": consent.id,
            "enterprise": consent.enterprise_org_id,
            "bank": consent.bank_org_id,
        },
        content={"consent": consent.id, "revoked_at": now},
        parties={consent.enterprise_org_id, consent.bank_org_id},
        state=consent_commitment(consent),
    )
    return consent, receipt


def _visible(caller: Caller) -> Select[Consent]:
    """The consents `caller` may read: granted, received, or in a regulator's subtree."""
    query = select(Consent)
    if caller.org_kind is OrgKind.ENTERPRISE:
        return query.where(Consent.enterprise_org_id == caller.org_id)
    if caller.org_kind is OrgKind.BANK:
        return query.where(Consent.bank_org_id == caller.org_id)
    if caller.org_kind is OrgKind.REGULATOR and caller.jurisdiction_path:
        firms = select(Organization.id).where(
            Organization.jurisdiction_path.startswith(caller.jurisdiction_path)
        )
        return query.where(Consent.enterprise_org_id.in_(firms))
    return query.where(Consent.id.is_(None))


def list_consents(
    session: Session, caller: Caller, *, active_only: bool = False, after: int = 0, limit: int = 100
) -> list[Consent]:
    """The caller's consents (granted or received; a regulator's subtree), oldest first."""
    query = _visible(caller).where(Consent.id > after)
    if active_only:
        now = utcnow()
        query = query.where(Consent.revoked_at.is_(None), Consent.expires_at > now)
    return list(session.scalars(query.order_by(Consent.id).limit(limit)))


def get_consent(session: Session, caller: Caller, consent_id: int) -> Consent:
    """One consent the caller may read; 404 otherwise."""
    found = session.scalars(_visible(caller).where(Consent.id == consent_id)).first()
    if found is None:
        raise NotFound(f"no consent {consent_id}")
    return found


def active_consent(
    session: Session,
    enterprise_org_id: int,
    bank_org_id: int,
    scope: str,
    at: datetime | None = None,
) -> Consent | None:
    """The newest consent by the enterprise to the bank covering `scope` at `at`, if any."""
    moment = at or utcnow()
    query = (
        select(Consent)
        .where(
            Consent.enterprise_org_id == enterprise_org_id,
            Consent.bank_org_id == bank_org_id,
            Consent.granted_at <= moment,
            Consent.expires_at > moment,
            (Consent.revoked_at.is_(None)) | (Consent.revoked_at > moment),
        )
        .order_by(Consent.id.desc())
    )
    for consent in session.scalars(query):
        if scope in consent.scope_list:
            return consent
    return None


def consented_kinds(
    session: Session, bank_org_id: int, at: datetime | None = None
) -> dict[int, set[str]]:
    """For a bank: each consenting enterprise and the document kinds it may read now."""
    moment = at or utcnow()
    query = select(Consent.enterprise_org_id, Consent.scopes).where(
        Consent.bank_org_id == bank_org_id,
        Consent.granted_at <= moment,
        Consent.expires_at > moment,
        (Consent.revoked_at.is_(None)) | (Consent.revoked_at > moment),
    )
    found: dict[int, set[str]] = {}
    for enterprise, scopes in session.execute(query):
        kinds = set(scopes.split()) - {CREDIT_PROFILE}
        if kinds:
            found.setdefault(enterprise, set()).update(kinds)
    return found

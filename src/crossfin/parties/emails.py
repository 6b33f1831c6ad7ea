"""Principals' e-mail addresses: checked by `email-validator`, set by the principal or an admin."""

from __future__ import annotations

import hashlib

from email_validator import EmailNotValidError, validate_email

from crossfin.core.errors import Forbidden, invalid
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, can_administer
from crossfin.parties.credentials import visible_principal
from crossfin.parties.models import Principal


def normalize_email(value: str, field: str = "email") -> str:
    """The address in normal form (IDNA domain, Unicode local part kept), or 422 naming why.

    Syntax only: a DNS look-up at every request would make saving depend on the network.
    """
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise invalid(field, str(exc)) from None


def set_email(
    uow: UnitOfWork, caller: Caller, principal_id: int, email: str | None
) -> tuple[Principal, Receipt]:
    """Set or clear where `principal_id`'s notifications are mailed: itself, or an admin of
    its organization (the operator's admins for any party). 404 for a principal the caller
    may not see, as for one that does not exist."""
    principal = visible_principal(uow.session, caller, principal_id)
    if principal.id != caller.principal_id and not can_administer(caller, principal.org_id):
        raise Forbidden("only the principal itself or an admin of its organization sets this")
    principal.email = normalize_email(email) if email else None
    uow.session.flush()
    # The log is append-only and never forgets: it keeps a digest, not the address itself.
    digest = hashlib.sha256(principal.email.encode()).hexdigest() if principal.email else None
    receipt = uow.record(
        EventType.PRINCIPAL_EMAIL_SET,
        subjects={"org": principal.org_id, "principal": principal.id},
        content={"org": principal.org_id, "principal": principal.id, "email_sha256": digest},
        parties={principal.org_id},
    )
    return principal, receipt

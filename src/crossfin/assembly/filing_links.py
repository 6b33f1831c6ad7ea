"""The resolvers of filings' links to financings, payments and alerts (filings.links):
filings may not import the domains that own those records, so they are handed in here.

Each answers the record only if the caller reads it by its owner's own rule, so a link
to a record out of sight is refused exactly like a link to none.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from crossfin.filings.links import LinkedRecord, register_resolver, url_of
from crossfin.financing.models import Financing
from crossfin.financing.queries import can_see as can_see_financing
from crossfin.parties.access import Caller, supervises
from crossfin.parties.alerts import Alert
from crossfin.payments.models import Payment
from crossfin.payments.queries import can_see as can_see_payment


def financing(session: Session, caller: Caller, record_id: int) -> LinkedRecord | None:
    found = session.get(Financing, record_id)
    if found is None or not can_see_financing(caller, found):
        return None
    label = f"financing {found.id}"
    return LinkedRecord("financing", found.id, label, url_of("financing", found.id))


def payment(session: Session, caller: Caller, record_id: int) -> LinkedRecord | None:
    found = session.get(Payment, record_id)
    if found is None or not can_see_payment(session, caller, found):
        return None
    return LinkedRecord("payment", found.id, f"payment {found.id}", url_of("payment", found.id))


def alert(session: Session, caller: Caller, record_id: int) -> LinkedRecord | None:
    """A regulator over the alert's subject reads it (supervision's rule); a bank reads the
    alerts its own action raised (their `actor_org_id`), as its filing is about them."""
    found = session.get(Alert, record_id)
    if found is None:
        return None
    if not (supervises(caller, found.jurisdiction_path) or found.actor_org_id == caller.org_id):
        return None
    label = f"alert {found.id} ({found.kind})"
    return LinkedRecord("alert", found.id, label, url_of("alert", found.id))


def register() -> None:
    register_resolver("financing", financing)
    register_resolver("payment", payment)
    register_resolver("alert", alert)

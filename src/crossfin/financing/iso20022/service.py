"""The ISO 20022 use cases of financing: apply by tsin.001, cancel by tsin.003.

Each validates the message against its XSD and maps it (a 422 `/iso20022-invalid`
problem naming the XPath and the rule when it cannot), then calls the one use case every
entry point calls: `registration.register_applications` for an application,
`transitions.cancel` for a cancellation. The business answer is a tsin.002, a refusal
included (its HTTP status is the refusal's, its reason our problem); who may call at all
(401, 403 not a bank maker) is answered as a problem, as on the JSON API.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from crossfin.core.clock import utcnow
from crossfin.core.errors import CrossfinError, Forbidden, NotFound, Unauthenticated
from crossfin.core.iso20022 import Message
from crossfin.financing import transitions
from crossfin.financing.iso20022 import status
from crossfin.financing.iso20022.schemas import SCHEMAS, TSIN_001, TSIN_003
from crossfin.financing.iso20022.tsin import read_cancellation, read_request
from crossfin.financing.models import Financing
from crossfin.financing.registration import Application, register_applications
from crossfin.financing.service import Registered, check_maker
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.access import Caller

# Who may call is not a business answer: these stay problems.
_ACCESS = (Forbidden, Unauthenticated)


@dataclass(frozen=True)
class Answer:
    """A tsin.002 to send with its HTTP status; the financing it concerns, if any."""

    status: int
    body: bytes
    financing_id: int | None = None


def receive(tx: Transactions, caller: Caller, data: bytes, reservation_hours: int) -> Answer:
    """A tsin.001 applies, a tsin.003 cancels; either is answered with a tsin.002."""
    msg = SCHEMAS.parse(data, (TSIN_001, TSIN_003))
    if msg.definition == TSIN_001:
        return apply(tx, caller, msg, reservation_hours)
    return cancel(tx, caller, msg)


def apply(tx: Transactions, caller: Caller, msg: Message, reservation_hours: int) -> Answer:
    """Register the application of a valid tsin.001; its tsin.002 answer."""
    request = read_request(msg)
    check_maker(caller)
    [outcome] = register_applications(tx, [Application(caller, request.data)], reservation_hours)
    if isinstance(outcome, Registered):
        body = status.accepted(request, outcome.financing, utcnow())
        return Answer(201, body, outcome.financing.id)
    if isinstance(outcome, CrossfinError) and not isinstance(outcome, _ACCESS):
        return Answer(
            outcome.status, status.refused(request.group_id, request.created, outcome, utcnow())
        )
    raise outcome


def cancel(tx: Transactions, caller: Caller, msg: Message) -> Answer:
    """Cancel the application a valid tsin.003 names by its GrpId; a tsin.002 answer."""
    request = read_cancellation(msg)
    check_maker(caller)

    def step(uow: UnitOfWork) -> int:
        found = uow.session.scalar(
            select(Financing.id).where(
                Financing.bank_org_id == caller.org_id,
                Financing.external_ref == request.group_id,
            )
        )
        if found is None:
            raise NotFound(f"no financing of this bank has external_ref {request.group_id!r}")
        financing, _ = transitions.cancel(uow, caller, found, request.reason)
        return financing.id

    try:
        financing_id = tx.write(step)
    except CrossfinError as exc:
        if isinstance(exc, _ACCESS):
            raise
        body = status.cancellation(request.group_id, request.created, utcnow(), exc, 0)
        return Answer(exc.status, body)
    body = status.cancellation(request.group_id, request.created, utcnow(), None, financing_id)
    return Answer(200, body, financing_id)

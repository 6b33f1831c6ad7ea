"""HTTP route of ISO 20022 payment messages: a thin wrapper over iso20022.service."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response

from crossfin.core.http.answers import answer_body
from crossfin.core.http.xml import DbDep, XmlBody, xml_body
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.http import CallerDep, keyed_response, keyed_write
from crossfin.payments import queries, submission
from crossfin.payments.iso20022 import service
from crossfin.payments.service import Submitted

router = APIRouter(prefix="/v1", tags=["payments"])
_EXAMPLE = '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">…</Document>'


@router.post(
    "/payments/iso20022",
    status_code=201,
    openapi_extra=xml_body(_EXAMPLE),
    responses={
        422: {"description": "`/iso20022-invalid`: XSD or mapping problems, with XPaths"},
        409: {"description": "as POST /v1/payments: `/already-used`, `/filing-exhausted`"},
    },
    summary="Submit a payment as a pacs.008 or pain.001 credit transfer (bank maker)",
)
def submit_transfer(request: Request, body: XmlBody, caller: CallerDep, db: DbDep) -> Response:
    def work(remember: Callable[[UnitOfWork, int, bytes], None]) -> tuple[int, bytes]:
        def keep(uow: UnitOfWork, outcomes: list[submission.Outcome]) -> bytes | None:
            [outcome] = outcomes
            if not isinstance(outcome, Submitted):
                return None
            payment = queries.to_out(uow.session, [outcome.payment])[0]
            answer = answer_body(payment, outcome.receipt)
            remember(uow, 201, answer)
            return answer

        _, answer = service.submit(Transactions.own(db, caller.actor), caller, body, keep)
        assert answer is not None
        return 201, answer

    return keyed_response(*keyed_write(request, db, caller, body, work))

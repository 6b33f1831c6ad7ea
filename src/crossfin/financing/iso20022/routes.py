"""HTTP route of ISO 20022 financing messages: a thin wrapper over iso20022.service."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from crossfin.core.http.deps import SettingsDep
from crossfin.core.http.xml import XML, DbDep, XmlBody, xml_body
from crossfin.financing.iso20022 import service
from crossfin.ledger.uow import Transactions
from crossfin.parties.http import CallerDep

router = APIRouter(prefix="/v1", tags=["financing"])


@router.post(
    "/financings/iso20022",
    status_code=201,
    openapi_extra=xml_body(
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:tsin.001.001.01">…</Document>'
    ),
    responses={
        201: {"description": "tsin.002: registered (RCCF, PDNG, the financing id)"},
        200: {"description": "tsin.002: a tsin.003 cancelled the application (PACK)"},
        409: {"description": "tsin.002: refused (RCER or REJT), StsRsn our problem's slug"},
        422: {"description": "`/iso20022-invalid`: XSD or mapping problems, with XPaths"},
    },
    summary="Apply for a financing with tsin.001, cancel with tsin.003 (bank maker)",
)
def receive(body: XmlBody, caller: CallerDep, db: DbDep, settings: SettingsDep) -> Response:
    tx = Transactions.own(db, caller.actor)
    answer = service.receive(tx, caller, body, settings.reservation_hours)
    return Response(answer.body, status_code=answer.status, media_type=XML)

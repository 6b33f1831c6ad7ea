"""HTTP routes of risk reports and of drafts: the XML and JSON exports, the links, the
head office's send-back and the filer's revision (docs/filings.md, "FX risk transaction
reports: the flow"). Thin: each calls one use case."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from crossfin.core.http.deps import SettingsDep
from crossfin.core.http.params import PathId
from crossfin.filings import drafts, queries
from crossfin.filings.risk import report
from crossfin.filings.schemas import TEXT_MAX, FilingDetailOut
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.http import CallerDep, ReadUow, WriterDep, WriteResult

router = APIRouter(prefix="/v1", tags=["filings"])
_READ: dict[int | str, dict[str, Any]] = {
    404: {"description": "`/not-found`: no filing the caller reads"},
    409: {"description": "`/conflict`: the filing is not a risk report"},
}
_DRAFT: dict[int | str, dict[str, Any]] = {
    403: {"description": "`/forbidden`: not the filer's chain (send-back: not its head office)"},
    404: {"description": "`/not-found`: no filing the caller reads"},
    409: {"description": "`/illegal-transition`: no longer a draft"},
}
_EXAMPLE_REPORT: dict[str, Any] = {
    "category": "false_trade",
    "discovered_on": "2026-11-02",
    "subjects": [
        {"kind": "enterprise", "name": "深圳市鹏程进出口贸易有限公司", "uscc": "91440300MA5FUTXB7R"}
    ],
    "transactions": [
        {
            "date": "2026-10-12",
            "amount": "1250000.00",
            "currency": "USD",
            "counterparty": {"name": "Harbour Star Trading Ltd", "country": "HK"},
            "channel": "trade_settlement",
        }
    ],
    "narrative": "The declared export value is six times the market price of comparable goods.",
    "links": [{"kind": "payment", "id": 41}],
    "branch": {"name": "中国银行深圳分行"},
    "contact": {"name": "李娜", "phone": "+86 755 8888 0000"},
}


class ReviseIn(BaseModel):
    """A draft's new content (a risk report's as the bank sends it: ID numbers in clear)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"content": _EXAMPLE_REPORT}]}
    )

    content: dict[str, Any]


class SendBackIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"note": "Add the second transaction and its contract."}]},
    )

    note: str = Field(min_length=1, max_length=TEXT_MAX)


class LinkOut(BaseModel):
    kind: str = Field(examples=["payment"])
    id: int = Field(examples=[41])
    url: str = Field(examples=["/v1/payments/41"])


@router.get(
    "/filings/{filing_id}/risk-report.xml",
    response_class=Response,
    responses=_READ
    | {
        200: {
            "content": {
                "application/xml": {
                    "example": '<?xml version="1.0" encoding="utf-8"?>\n'
                    '<RiskReport xmlns="urn:crossfin:risk-report:1"><Header>'
                    "<Reference>RISK-REPORT-2026-000001</Reference>…</Header>…</RiskReport>"
                }
            }
        }
    },
    summary="A risk report as XML, valid against the shipped XSD",
)
def risk_report_xml(filing_id: PathId, caller: CallerDep, uow: ReadUow) -> Response:
    data = report.report_xml(uow.session, caller, filing_id)
    return Response(data, media_type="application/xml")


@router.get(
    "/filings/{filing_id}/risk-report.json",
    responses=_READ
    | {
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "schema": "urn:crossfin:risk-report:1",
                        "header": {"reference": "RISK-REPORT-2026-000001", "state": "accepted"},
                        "category": "false_trade",
                        "discovered_on": "2026-11-02",
                    }
                }
            }
        }
    },
    summary="A risk report as JSON (the same values as the XML)",
)
def risk_report_json(filing_id: PathId, caller: CallerDep, uow: ReadUow) -> dict[str, object]:
    return report.report_json(uow.session, caller, filing_id)


@router.get(
    "/filings/{filing_id}/risk-report/links",
    response_model=list[LinkOut],
    responses=_READ,
    summary="The crossfin records a risk report points at, with their addresses",
)
def risk_report_links(filing_id: PathId, caller: CallerDep, uow: ReadUow) -> list[LinkOut]:
    view = report.risk_report(uow.session, caller, filing_id)
    return [LinkOut(kind=str(k.kind), id=k.id, url=k.url) for k in report.links_of(view.stored)]


@router.post(
    "/filings/{filing_id}/revise",
    summary="Store new content for a draft (filer's chain): a new version",
    responses=_DRAFT | {422: {"description": "`/validation` naming each bad field"}},
)
def revise(filing_id: PathId, data: ReviseIn, write: WriterDep, settings: SettingsDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        filing, receipt = drafts.revise(uow, write.caller, filing_id, data.content, settings)
        return _detail(uow, write, filing.id), receipt

    return write(run, status=200)


@router.post(
    "/filings/{filing_id}/send-back",
    summary="Send a branch's draft back to the branch with a note (its head office)",
    responses=_DRAFT,
)
def send_back(filing_id: PathId, data: SendBackIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        filing, receipt = drafts.send_back(uow, write.caller, filing_id, data.note)
        return _detail(uow, write, filing.id), receipt

    return write(run, status=200)


def _detail(uow: UnitOfWork, write: Any, filing_id: int) -> FilingDetailOut:
    return queries.filing_detail(uow.session, write.caller, filing_id)

"""tsin.001 (InvoiceFinancingRequest) and tsin.003 (its cancellation) read into crossfin terms.

Mapping (docs/iso20022.md has the table):
- ReqGrpInf/GrpId is the application's external_ref, ReqGrpInf/Ccy its currency;
- the enterprise is FincgRqstr/PtyId/PrtryId with IdTp `USCC` (else the first supplier's
  OrgId/TaxIdNb): the USCC of the enterprise that asks its bank to finance;
- each InvcReqInf asks ReqdAmt/Amt (or ReqdAmt/Rate percent of TtlInvcAmt, or all of it);
  the application's amount is their sum, its due date the latest PmtDueDt;
- each RfrdDoc names a crossfin document: Tp/Prtry the kind, DocNb the key, DocAmt its
  share (optional); the invoice (InvcGnlInf) itself is the bank's reference, not ours;
- the scenario is AddtlInf `SCENARIO` if given, else the scenario with the fewest kinds
  that takes every kind referenced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.etree.ElementTree import Element

from pydantic import ValidationError

from crossfin.core.errors import ValidationFailed
from crossfin.core.iso20022 import Message, MessageInvalid, amount_text, iso_date, mapping_error
from crossfin.financing.scenarios.registry import scenario_for_kinds
from crossfin.financing.schemas import DocumentShareIn, FinancingIn

ROOT = "/Document/InvcFincgReq"
REQ = "InvcFincgReq/ReqGrpInf"


@dataclass(frozen=True)
class Invoice:
    """What tsin.002 repeats of an invoice (OrgnlInvcInf)."""

    number: str
    total: tuple[Decimal, str]
    issued: str
    due: str
    asked: Decimal
    due_date: date


@dataclass(frozen=True)
class Request:
    """A tsin.001 read: the application and what its answer repeats."""

    group_id: str
    created: str
    data: FinancingIn
    invoices: list[Invoice]


def _fail(path: str, reason: str) -> MessageInvalid:
    return mapping_error("tsin.001.001.01", path, reason)


def read_request(msg: Message) -> Request:
    """The application a valid tsin.001 asks for; MessageInvalid if it cannot be mapped."""
    group_id = msg.text(f"{REQ}/GrpId") or ""
    currency = msg.text(f"{REQ}/Ccy") or ""
    invoices: list[Invoice] = []
    shares: dict[tuple[str, str], Decimal | None] = {}
    for i, info in enumerate(msg.all("InvcFincgReq/InvcReqInf"), start=1):
        invoices.append(_invoice(msg, info, i, currency))
        _documents(msg, info, i, currency, shares)
    amount = sum((invoice.asked for invoice in invoices), Decimal(0))
    docs = [
        DocumentShareIn(kind=k, key=key, amount=amount_text(v) if v is not None else None)
        for (k, key), v in shares.items()
    ]
    try:
        data = FinancingIn(
            scenario=_scenario(msg, {k for k, _ in shares}),
            external_ref=group_id,
            enterprise_uscc=_uscc(msg),
            amount=amount_text(amount),
            currency=currency,
            documents=docs,
            due_date=max(invoice.due_date for invoice in invoices),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        raise _fail(_WHERE.get(field, ROOT), f"{field}: {first['msg']}") from exc
    return Request(group_id, msg.text(f"{REQ}/CreDtTm") or "", data, invoices)


# Where each field of the application comes from, to name it when crossfin refuses it.
_WHERE = {
    "external_ref": f"{ROOT}/ReqGrpInf/GrpId",
    "enterprise_uscc": f"{ROOT}/ReqGrpInf/FincgRqstr/PtyId/PrtryId/Id",
    "amount": f"{ROOT}/InvcReqInf/ReqdAmt",
    "currency": f"{ROOT}/ReqGrpInf/Ccy",
    "documents": f"{ROOT}/InvcReqInf/RfrdDoc",
    "scenario": f"{ROOT}/ReqGrpInf/AddtlInf/InfVal",
}


def _invoice(msg: Message, info: Element, i: int, currency: str) -> Invoice:
    here = f"{ROOT}/InvcReqInf[{i}]"
    total = msg.amount("InvcTtlsInf/TtlInvcAmt", info)
    assert total is not None  # required by the XSD
    asked = msg.amount("ReqdAmt/Amt", info)
    rate = msg.text("ReqdAmt/Rate", info)
    if asked is not None and asked[1] != currency:
        raise _fail(f"{here}/ReqdAmt/Amt", f"currency {asked[1]} is not ReqGrpInf/Ccy {currency}")
    if asked is None and total[1] != currency:
        raise _fail(f"{here}/InvcTtlsInf/TtlInvcAmt", f"currency {total[1]} is not {currency}")
    value = asked[0] if asked else total[0] * Decimal(rate) / 100 if rate else total[0]
    if value <= 0:
        raise _fail(f"{here}/ReqdAmt", "the amount asked must be positive")
    return Invoice(
        msg.text("InvcGnlInf/DocNb", info) or "",
        total,
        msg.text("InvcGnlInf/IsseDt", info) or "",
        msg.text("InvcTtlsInf/PmtDueDt", info) or "",
        value.quantize(Decimal("0.01")),
        _due(msg, info, here),
    )


def _due(msg: Message, info: Element, here: str) -> date:
    path = f"{here}/InvcTtlsInf/PmtDueDt"
    due = iso_date("tsin.001.001.01", msg.text("InvcTtlsInf/PmtDueDt", info), path)
    assert due is not None  # required by the XSD
    return due


def _documents(
    msg: Message,
    info: Element,
    i: int,
    currency: str,
    shares: dict[tuple[str, str], Decimal | None],
) -> None:
    referred = msg.all("RfrdDoc", info)
    if not referred:
        raise _fail(f"{ROOT}/InvcReqInf[{i}]", "names no crossfin document (RfrdDoc)")
    for j, doc in enumerate(referred, start=1):
        here = f"{ROOT}/InvcReqInf[{i}]/RfrdDoc[{j}]"
        kind, key = msg.text("Tp/Prtry", doc), msg.text("DocNb", doc)
        if not kind:
            raise _fail(f"{here}/Tp/Prtry", "must name the document kind (e.g. bill_of_lading)")
        if not key:
            raise _fail(f"{here}/DocNb", "must give the document's key")
        share = msg.amount("DocAmt", doc)
        if share is not None and share[1] != currency:
            raise _fail(f"{here}/DocAmt", f"currency {share[1]} is not {currency}")
        before = shares.get((kind, key))
        if share is None or ((kind, key) in shares and before is None):
            shares[(kind, key)] = None
        else:
            shares[(kind, key)] = (before or Decimal(0)) + share[0]


def _uscc(msg: Message) -> str:
    found = msg.one(f"{REQ}/FincgRqstr/PtyId/PrtryId")
    if found is not None and (msg.text("IdTp", found) or "").upper() == "USCC":
        return msg.text("Id", found) or ""
    tax_id = msg.text("InvcFincgReq/InvcReqInf/Spplr/PtyId/Id/OrgId/TaxIdNb")
    if tax_id:
        return tax_id
    raise _fail(
        f"{ROOT}/ReqGrpInf/FincgRqstr/PtyId/PrtryId",
        "the enterprise's USCC is required (PrtryId with IdTp USCC, or Spplr OrgId/TaxIdNb)",
    )


def _scenario(msg: Message, kinds: set[str]) -> str:
    for info in msg.all(f"{REQ}/AddtlInf"):
        if (msg.text("InfTp/Prtry", info) or "").upper() == "SCENARIO":
            return msg.text("InfVal", info) or ""
    # The same rule as an F7 acceptance: the documents' kinds open one scenario (an import
    # declaration's F3 cannot be told from F1 by kind: name it).
    try:
        return scenario_for_kinds(sorted(kinds)).name
    except ValidationFailed:
        raise _fail(
            f"{ROOT}/ReqGrpInf/AddtlInf",
            f"no scenario takes {', '.join(sorted(kinds)) or 'no documents'}; "
            "name it in AddtlInf with InfTp/Prtry SCENARIO",
        ) from None


@dataclass(frozen=True)
class Cancellation:
    """A tsin.003 read: which application (its GrpId) and why."""

    group_id: str
    created: str
    reason: str


def read_cancellation(msg: Message) -> Cancellation:
    base = "InvcFincgCxlReq/CxlReqInf"
    return Cancellation(
        msg.text(f"{base}/OrgnlGrpId") or "",
        msg.text(f"{base}/OrgnlCreDtTm") or "",
        msg.text(f"{base}/CxlRsn") or "",
    )

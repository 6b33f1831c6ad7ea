"""tsin.002 (InvoiceFinancingRequestStatus): crossfin's answer to a tsin.001 or tsin.003.

- registered: VldtnStsInf/Sts RCCF (accepted), each invoice PDNG (awaiting the bank's
  checker), the financing id in StsId/Id (`CF-FIN-<id>`) and AddtlStsRsnInf;
- refused (over-financing, a document not found, not eligible...): RCER, StsRsn/Prtry our
  problem's slug (`over-financing`), AddtlStsRsnInf its type URI and its detail;
- a cancellation: CxlStsInf/Sts PACK (accepted) or REJT with the same reason fields.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from xml.etree.ElementTree import Element

from crossfin.core.errors import CrossfinError
from crossfin.core.iso20022 import Builder, amount_text
from crossfin.financing.iso20022.schemas import TSIN_002
from crossfin.financing.iso20022.tsin import Request
from crossfin.financing.models import Financing


def _chunks(text: str, size: int = 105, most: int = 4) -> list[str]:
    """Max105Text pieces of `text` (AddtlStsRsnInf repeats)."""
    return [text[i : i + size] for i in range(0, min(len(text), size * most), size)]


def _reasons(b: Builder, parent: Element, error: CrossfinError) -> None:
    b.add(parent, "StsRsn/Prtry", error.slug[:35])
    for piece in [*_chunks(error.type), *_chunks(error.detail)]:
        b.add(parent, "AddtlStsRsnInf", piece)


def _head(
    b: Builder, status_id: str, now: datetime, group_id: str, created: str
) -> tuple[Element, Element]:
    """The message's body and its OrgnlReqInfAndSts, to which the caller adds statuses."""
    body = b.add(b.root, "InvcFincgReqSts")
    status = b.add(body, "StsId")
    b.add(status, "Id", status_id[:35])
    b.add(status, "CreDtTm", _stamp(now))
    original = b.add(body, "OrgnlReqInfAndSts")
    b.add(original, "Id", group_id[:35] or "UNKNOWN")
    b.add(original, "CreDtTm", created or _stamp(now))
    return body, original


def _stamp(now: datetime) -> str:
    return now.replace(microsecond=0).isoformat()


def accepted(request: Request, financing: Financing, now: datetime) -> bytes:
    """The answer to a registered application."""
    b = Builder(TSIN_002)
    body, original = _head(b, f"CF-FIN-{financing.id}", now, request.group_id, request.created)
    validation = b.add(original, "VldtnStsInf")
    b.add(validation, "Sts", "RCCF")
    b.add(validation, "AddtlStsRsnInf", f"financing_id={financing.id}")
    b.add(validation, "AddtlStsRsnInf", f"state={financing.state} scenario={financing.scenario}")
    info = b.add(body, "FincgInfAndSts")
    summary = b.add(info, "FincgAllwdSummry")
    ccy = financing.currency
    total = sum((i.asked for i in request.invoices), Decimal(0))
    b.add(summary, "FincdItmNb", str(len(request.invoices)))
    b.add(summary, "TtlAccptdItmsAmt", amount_text(total), Ccy=ccy)
    b.add(summary, "TtlFincdAmt", amount_text(total), Ccy=ccy)
    for invoice in request.invoices:
        details = b.add(info, "InvcFincgDtls")
        original_invoice = b.add(details, "OrgnlInvcInf")
        b.add(original_invoice, "DocNb", invoice.number)
        b.add(original_invoice, "TtlInvcAmt", amount_text(invoice.total[0]), Ccy=invoice.total[1])
        b.add(original_invoice, "IsseDt", invoice.issued)
        b.add(original_invoice, "PmtDueDt", invoice.due)
        result = b.add(details, "InvcFincgRslt")
        b.add(result, "FincgReqSts", "PDNG")
        b.add(result, "AddtlStsRsnInf", f"financing_id={financing.id}")
        b.add(result, "FincdAmt/Amt", amount_text(invoice.asked), Ccy=ccy)
    return b.bytes()


def refused(group_id: str, created: str, error: CrossfinError, now: datetime) -> bytes:
    """The answer to an application crossfin refused, carrying our problem."""
    b = Builder(TSIN_002)
    _, original = _head(b, f"CF-REJ-{group_id}", now, group_id, created)
    validation = b.add(original, "VldtnStsInf")
    b.add(validation, "Sts", "RCER")
    _reasons(b, validation, error)
    return b.bytes()


def cancellation(
    group_id: str, created: str, now: datetime, error: CrossfinError | None, financing_id: int
) -> bytes:
    """The answer to a tsin.003: PACK when cancelled, REJT with our problem otherwise."""
    b = Builder(TSIN_002)
    _, original = _head(b, f"CF-CXL-{financing_id or group_id}", now, group_id, created)
    validation = b.add(original, "VldtnStsInf")
    b.add(validation, "Sts", "RCCF")
    status = b.add(original, "CxlStsInf")
    b.add(status, "Sts", "REJT" if error else "PACK")
    if error is not None:
        _reasons(b, status, error)
    else:
        b.add(status, "AddtlStsRsnInf", f"financing_id={financing_id} state=cancelled")
    return b.bytes()

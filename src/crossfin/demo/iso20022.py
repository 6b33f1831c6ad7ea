"""The demo's ISO 20022 messages: one financing applied for by tsin.001, one payment by pacs.008.

Both go through the ISO use cases behind `POST /v1/financings/iso20022` and
`POST /v1/payments/iso20022` (inside the load's transaction), as `bank1.operator`:

- a tsin.001 (`demo-ISO-F1-001`) asks 50 % of the oldest export declaration no demo loan,
  policy or the README tour uses; its due date is 60 days from today, capped at
  2026-12-30 so it stays inside the installed working-day calendar where possible;
- a pacs.008 (`demo-ISO-P3-001`) pays USD against a class-A forwarder's freight invoice that
  the demo's P3 payments leave free.

The messages sent and the tsin.002 answer are stored under `<data_dir>/iso20022/` for a
reader to look at (docs/iso20022.md). Idempotent: a second load finds the external_refs.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy import select

from crossfin.core.clock import business_date, utcnow
from crossfin.core.errors import CrossfinError
from crossfin.core.iso20022 import Builder
from crossfin.demo.dataset import demo_orgs
from crossfin.demo.financings import TOUR_DECLARATION, _People, _records
from crossfin.documents.models import Document, DocumentBalance
from crossfin.financing.iso20022 import service as financing_iso
from crossfin.financing.models import Financing
from crossfin.financing.service import DEFAULT_RESERVATION_HOURS
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.payments.iso20022 import service as payments_iso
from crossfin.payments.models import Payment

BANK_USER = "bank1.operator"
FIN_REF, PAY_REF = "demo-ISO-F1-001", "demo-ISO-P3-001"
USD_CNY = "7.10"


class Counts(Protocol):
    financings_added: int
    payments_added: int


def load_iso20022(uow: UnitOfWork, result: Counts, data_dir: Path) -> None:
    """Apply by tsin.001 and pay by pacs.008 unless already done; counts what it added."""
    out = data_dir / "iso20022"
    out.mkdir(parents=True, exist_ok=True)
    bank = _People(uow)(BANK_USER)
    tx = Transactions.within(uow)
    with uow.acting_as(bank.actor):
        if not _has_financing(uow):
            declaration = _free(uow, "customs_declaration", _declarations())
            if declaration is not None:
                message = tsin001(declaration)
                answer = financing_iso.receive(tx, bank, message, DEFAULT_RESERVATION_HOURS)
                (out / "tsin.001-demo.xml").write_bytes(message)
                (out / "tsin.002-demo.xml").write_bytes(answer.body)
                result.financings_added += 1 if answer.financing_id else 0
        if not _has_payment(uow):
            invoice = _free(uow, "vat_invoice", _invoices())
            if invoice is not None:
                message = pacs008(invoice)
                (out / "pacs.008-demo.xml").write_bytes(message)
                try:
                    payments_iso.submit(tx, bank, message)
                except CrossfinError:  # e.g. an older demo database used the invoice
                    return
                result.payments_added += 1


def _has_financing(uow: UnitOfWork) -> bool:
    query = select(Financing.id).where(Financing.external_ref == FIN_REF)
    return uow.session.scalar(query) is not None


def _has_payment(uow: UnitOfWork) -> bool:
    query = select(Payment.id).where(Payment.external_ref == PAY_REF)
    return uow.session.scalar(query) is not None


def _declarations() -> list[dict[str, str]]:
    kept = {TOUR_DECLARATION} | {d for r in _records("insurance_policy") for d in r["declarations"]}
    exports = [r for r in _records("customs_declaration") if r["declaration_no"][8] == "0"]
    return sorted(
        (r for r in exports if r["declaration_no"] not in kept), key=lambda r: r["export_date"]
    )


def _invoices() -> list[dict[str, str]]:
    classes = {o.uscc: o.trade_class or "A" for o in demo_orgs() if o.uscc}
    freight = [r for r in _records("vat_invoice") if r["category"] == "freight"]
    # Each firm's first freight invoice stays free for the case firm's payment, loaded
    # later (demo/enterprise_page.py); the P3 payments' ones are used by then.
    firsts: dict[str, str] = {}
    for record in freight:
        firsts.setdefault(record["buyer_uscc"], record["invoice_no"])
    return [
        r
        for r in freight
        if classes.get(r["buyer_uscc"]) == "A" and r["invoice_no"] not in firsts.values()
    ][::-1]


def _free(uow: UnitOfWork, kind: str, records: list[dict[str, str]]) -> dict[str, str] | None:
    """The first record whose document exists and nothing uses yet."""
    field = "declaration_no" if kind == "customs_declaration" else "invoice_no"
    for record in records:
        found = uow.session.execute(
            select(Document.id, DocumentBalance.active_uses)
            .outerjoin(DocumentBalance, DocumentBalance.document_id == Document.id)
            .where(Document.kind == kind, Document.key == record[field])
        ).first()
        if found is not None and not found[1]:
            return record
    return None


def tsin001(declaration: dict[str, str]) -> bytes:
    """A tsin.001 asking half of `declaration`'s value for its exporter."""
    b = Builder("tsin.001.001.01")
    ccy, total = declaration["currency"], declaration["total_value"]
    asked = f"{int(float(total) * 50) / 100:.2f}"
    due = min(business_date() + timedelta(days=60), date(2026, 12, 30))
    request = b.add(b.root, "InvcFincgReq")
    group = b.add(request, "ReqGrpInf")
    b.add(group, "GrpId", FIN_REF)
    b.add(group, "CreDtTm", utcnow().replace(microsecond=0).isoformat())
    b.add(group, "Ccy", ccy)
    party = b.add(group, "FincgRqstr/PtyId")
    b.add(party, "Nm", "Exporter")
    ident = b.add(party, "PrtryId")
    b.add(ident, "Id", declaration["enterprise_uscc"])
    b.add(ident, "IdTp", "USCC")
    b.add(group, "FrstAgt/BIC", "CMBCCNBS")
    extra = b.add(group, "AddtlInf")
    b.add(extra, "InfTp/Prtry", "SCENARIO")
    b.add(extra, "InfVal", "F1")
    info = b.add(request, "InvcReqInf")
    general = b.add(info, "InvcGnlInf")
    b.add(general, "DocTp", "CINV")
    b.add(general, "DocNb", f"INV-{declaration['declaration_no'][-9:]}")
    b.add(general, "IsseDt", declaration["export_date"])
    totals = b.add(info, "InvcTtlsInf")
    b.add(totals, "TtlTaxblAmt", total, Ccy=ccy)
    b.add(totals, "TtlTaxAmt", "0", Ccy=ccy)
    b.add(totals, "TtlInvcAmt", total, Ccy=ccy)
    b.add(totals, "PmtDueDt", due.isoformat())
    b.add(info, "ReqdAmt/Amt", asked, Ccy=ccy)
    b.add(info, "Spplr/PtyId/Nm", "Exporter")
    b.add(info, "Buyr/PtyId/Nm", declaration["buyer_name"][:70])
    b.add(info, "InvcPmtInf/PmtMtd", "TRF")
    referred = b.add(info, "RfrdDoc")
    b.add(referred, "Tp/Prtry", "customs_declaration")
    b.add(referred, "DocNb", declaration["declaration_no"])
    return b.bytes()


def pacs008(invoice: dict[str, str]) -> bytes:
    """A pacs.008 paying 90 % of `invoice` (CNY, with VAT) in USD to an ocean carrier."""
    b = Builder("pacs.008.001.08")
    value = float(invoice["amount"]) + float(invoice["tax_amount"])
    usd = f"{int(value / float(USD_CNY) * 0.9 * 100) / 100:.2f}"
    body = b.add(b.root, "FIToFICstmrCdtTrf")
    header = b.add(body, "GrpHdr")
    b.add(header, "MsgId", PAY_REF)
    b.add(header, "CreDtTm", utcnow().replace(microsecond=0).isoformat())
    b.add(header, "NbOfTxs", "1")
    b.add(header, "SttlmInf/SttlmMtd", "INDA")
    tx = b.add(body, "CdtTrfTxInf")
    b.add(tx, "PmtId/EndToEndId", PAY_REF)
    b.add(tx, "IntrBkSttlmAmt", usd, Ccy="USD")
    b.add(tx, "IntrBkSttlmDt", business_date().isoformat())
    b.add(tx, "XchgRate", USD_CNY)
    b.add(tx, "ChrgBr", "SHAR")
    debtor = b.add(tx, "Dbtr")
    other = b.add(debtor, "Id/OrgId/Othr")
    b.add(other, "Id", invoice["buyer_uscc"])
    b.add(other, "SchmeNm/Prtry", "USCC")
    b.add(tx, "DbtrAgt/FinInstnId/BICFI", "CMBCCNBS")
    b.add(tx, "CdtrAgt/FinInstnId/BICFI", "DABADKKK")
    creditor = b.add(tx, "Cdtr")
    b.add(creditor, "Nm", "Maersk A/S")
    b.add(creditor, "PstlAdr/Ctry", "DK")
    b.add(tx, "CdtrAcct/Id/IBAN", "DK5000400440116243")
    block = b.add(tx, "RmtInf/Strd")
    referred = b.add(block, "RfrdDocInf")
    b.add(referred, "Tp/CdOrPrtry/Prtry", "vat_invoice")
    b.add(referred, "Nb", invoice["invoice_no"])
    amounts = b.add(block, "RfrdDocAmt")
    b.add(amounts, "DuePyblAmt", f"{value:.2f}", Ccy="CNY")
    b.add(amounts, "TaxAmt/Amt", invoice["tax_amount"], Ccy="CNY")
    return b.bytes()

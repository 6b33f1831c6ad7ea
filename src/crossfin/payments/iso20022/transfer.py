"""A pacs.008 or pain.001 credit transfer read as a payment (PaymentIn).

Mapping (docs/iso20022.md has the table): EndToEndId is the external_ref; the amount is
IntrBkSttlmAmt (pacs.008) or InstdAmt (pain.001), the value date IntrBkSttlmDt or
ReqdExctnDt; the payer is Dbtr/Id/OrgId/Othr with SchmeNm Prtry `USCC` (or Cd `TXID`);
the payee Cdtr/Nm, its country PstlAdr/Ctry (or CtryOfRes), its account CdtrAcct (IBAN or
Othr/Id) and its bank's BIC; the purpose code RgltryRptg/Dtls/Cd. Each RmtInf/Strd/
RfrdDocInf names a document: Tp/CdOrPrtry/Prtry our kind (Cd CINV is a vat_invoice), Nb
its key; a lone document's RfrdDocAmt gives its claimed amounts (DuePyblAmt less TaxAmt is
`amount`, TaxAmt `tax_amount`), AddtlRmtInf `name=value` pairs (`;` between) any other field, and
XchgRate the rate between the payment's and the document's currency. One transfer per
message: crossfin answers each payment with its own receipt.
"""

from __future__ import annotations

from decimal import Decimal
from xml.etree.ElementTree import Element

from pydantic import ValidationError

from crossfin.core.iso20022 import Message, amount_text, iso_date, mapping_error
from crossfin.payments.iso20022.schemas import PACS_008
from crossfin.payments.schemas import InvoiceClaimIn, PayeeIn, PaymentIn

_KIND_CODES = {"CINV": "vat_invoice"}


class _Paths:
    """Where a transfer's parts are in each message definition."""

    def __init__(self, msg: Message) -> None:
        pacs = msg.definition == PACS_008
        self.root = "/Document/" + ("FIToFICstmrCdtTrf" if pacs else "CstmrCdtTrfInitn")
        self.txs = "FIToFICstmrCdtTrf/CdtTrfTxInf" if pacs else "CstmrCdtTrfInitn/PmtInf"
        self.tx = f"{self.root}/CdtTrfTxInf" if pacs else f"{self.root}/PmtInf/CdtTrfTxInf"
        self.amount = "IntrBkSttlmAmt" if pacs else "Amt/InstdAmt"
        self.bic = "CdtrAgt/FinInstnId/" + ("BICFI" if pacs else "BIC")
        self.rate = "XchgRate" if pacs else "XchgRateInf/XchgRate"
        self.pacs = pacs


def read_transfer(msg: Message) -> PaymentIn:
    """The payment a valid pacs.008 or pain.001 asks for; MessageInvalid if unmappable."""
    p = _Paths(msg)
    tx, debtor_at = _the_transfer(msg, p)
    amount = msg.amount(p.amount, tx)
    assert amount is not None  # required by both XSDs
    when = "IntrBkSttlmDt" if p.pacs else "ReqdExctnDt"
    day = msg.text(when, tx if p.pacs else debtor_at)
    value_date = iso_date(msg.definition, day, f"{p.tx if p.pacs else p.root + '/PmtInf'}/{when}")
    documents = _documents(msg, p, tx)
    try:
        return PaymentIn(
            scenario="P2" if any(d.kind == "tax_filing" for d in documents) else "P3",
            external_ref=msg.text("PmtId/EndToEndId", tx) or "",
            payer_uscc=_uscc(msg, p, debtor_at),
            payee=_payee(msg, p, tx),
            amount=amount_text(amount[0]),
            currency=amount[1],
            value_date=value_date,
            purpose_code=msg.text("RgltryRptg/Dtls/Cd", tx) or "121010",
            documents=documents,
            fx_rates=_rates(msg, p, tx, amount[1]),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        path = xpath_of(msg, field)
        raise mapping_error(msg.definition, path, f"{field}: {first['msg']}") from exc


def xpath_of(msg: Message, field: str) -> str:
    """Where the payment's `field` (as crossfin names it: `payee.name`, `documents[0]`)
    comes from in the message, to name it when crossfin's rules refuse it."""
    p = _Paths(msg)
    debtor = p.tx if p.pacs else f"{p.root}/PmtInf"
    head, _, rest = field.partition(".")
    if head.startswith("documents["):
        places = [
            f"{p.tx}/RmtInf/Strd[{i}]/RfrdDocInf[{j}]"
            for i, block in enumerate(msg.all("RmtInf/Strd", _tx(msg, p)), start=1)
            for j, _doc in enumerate(msg.all("RfrdDocInf", block), start=1)
        ]
        index = int(head[len("documents[") :].rstrip("]") or 0)
        return places[index] if index < len(places) else f"{p.tx}/RmtInf"
    where = {
        "external_ref": f"{p.tx}/PmtId/EndToEndId",
        "payer_uscc": f"{debtor}/Dbtr/Id/OrgId/Othr/Id",
        "payee": f"{p.tx}/" + _PAYEE.get(rest, "Cdtr").replace("BIC", p.bic),
        "amount": f"{p.tx}/{p.amount}",
        "currency": f"{p.tx}/{p.amount}/@Ccy",
        "value_date": f"{p.tx}/IntrBkSttlmDt" if p.pacs else f"{debtor}/ReqdExctnDt",
        "purpose_code": f"{p.tx}/RgltryRptg/Dtls/Cd",
        "fx_rates": f"{p.tx}/{p.rate}",
    }
    return where.get(head, p.tx)


_PAYEE = {
    "name": "Cdtr/Nm",
    "country": "Cdtr/PstlAdr/Ctry",
    "account": "CdtrAcct/Id",
    "bic": "BIC",
}


def _tx(msg: Message, p: _Paths) -> Element:
    return _the_transfer(msg, p)[0]


def _the_transfer(msg: Message, p: _Paths) -> tuple[Element, Element]:
    """The one transfer and the element holding its debtor (itself, or pain's PmtInf)."""
    if p.pacs:
        txs = [(tx, tx) for tx in msg.all(p.txs)]
    else:
        txs = [(tx, info) for info in msg.all(p.txs) for tx in msg.all("CdtTrfTxInf", info)]
    if len(txs) != 1:
        raise mapping_error(
            msg.definition, f"{p.tx}[2]", f"one transfer per message, got {len(txs)}"
        )
    return txs[0]


def _uscc(msg: Message, p: _Paths, debtor_at: Element) -> str:
    for other in msg.all("Dbtr/Id/OrgId/Othr", debtor_at):
        scheme = (msg.text("SchmeNm/Prtry", other) or msg.text("SchmeNm/Cd", other) or "").upper()
        if scheme in {"USCC", "TXID"}:
            return msg.text("Id", other) or ""
    where = p.tx if p.pacs else f"{p.root}/PmtInf"
    raise mapping_error(
        msg.definition,
        f"{where}/Dbtr/Id/OrgId/Othr",
        "the payer's USCC is required (Othr/Id with SchmeNm/Prtry USCC or SchmeNm/Cd TXID)",
    )


def _payee(msg: Message, p: _Paths, tx: Element) -> PayeeIn:
    country = msg.text("Cdtr/PstlAdr/Ctry", tx) or msg.text("Cdtr/CtryOfRes", tx)
    if not country:
        raise mapping_error(
            msg.definition, f"{p.tx}/Cdtr/PstlAdr/Ctry", "the payee's country is required"
        )
    account = msg.text("CdtrAcct/Id/IBAN", tx) or msg.text("CdtrAcct/Id/Othr/Id", tx)
    return PayeeIn(
        name=msg.text("Cdtr/Nm", tx) or "",
        country=country,
        account=account,
        bic=msg.text(p.bic, tx),
    )


def _documents(msg: Message, p: _Paths, tx: Element) -> list[InvoiceClaimIn]:
    documents: list[InvoiceClaimIn] = []
    for i, block in enumerate(msg.all("RmtInf/Strd", tx), start=1):
        referred = msg.all("RfrdDocInf", block)
        for j, doc in enumerate(referred, start=1):
            here = f"{p.tx}/RmtInf/Strd[{i}]/RfrdDocInf[{j}]"
            code = msg.text("Tp/CdOrPrtry/Cd", doc)
            kind = msg.text("Tp/CdOrPrtry/Prtry", doc) or _KIND_CODES.get(code or "")
            if not kind:
                reason = f"type {code!r} names no crossfin kind (use Prtry, e.g. vat_invoice)"
                raise mapping_error(msg.definition, f"{here}/Tp/CdOrPrtry", reason)
            key = msg.text("Nb", doc)
            if not key:
                raise mapping_error(msg.definition, f"{here}/Nb", "the document number is required")
            fields = _fields(msg, block) if len(referred) == 1 else {}
            documents.append(InvoiceClaimIn(kind=kind, key=key, fields=fields))
    return documents


def _fields(msg: Message, block: Element) -> dict[str, str]:
    """What the bank claims of a lone document: its amounts and `name=value` lines."""
    fields: dict[str, str] = {}
    due = msg.amount("RfrdDocAmt/DuePyblAmt", block)
    tax = msg.amount("RfrdDocAmt/TaxAmt/Amt", block) or msg.amount("RfrdDocAmt/TaxAmt", block)
    if due is not None:
        fields["amount"] = amount_text(due[0] - (tax[0] if tax else Decimal(0)))
    if tax is not None:
        fields["tax_amount"] = amount_text(tax[0])
    for line in msg.all("AddtlRmtInf", block):
        for pair in (line.text or "").split(";"):  # `a=1;b=2`: 3 lines of 140 are few
            name, sep, value = pair.partition("=")
            if sep and name.strip():
                fields[name.strip()] = value.strip()
    return fields


def _rates(msg: Message, p: _Paths, tx: Element, currency: str) -> dict[str, str]:
    """XchgRate as crossfin's fx_rates: payment currency per document currency."""
    rate = msg.text(p.rate, tx)
    if rate is None:
        return {}
    others = set()
    for block in msg.all("RmtInf/Strd", tx):
        due = msg.amount("RfrdDocAmt/DuePyblAmt", block)
        if due is not None and due[1] != currency:
            others.add(due[1])
    return {f"{currency}/{other}": rate for other in sorted(others)}

"""ISO 20022 test messages: the samples in tests/data/iso20022, adapted to a test's parties.

A sample keeps its structure and everything crossfin does not map; only what names the
test's enterprise, documents, reference and amounts is replaced, in XSD order.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Element, SubElement, fromstring, register_namespace, tostring

from crossfin.core.clock import business_date
from support.data import DATA

ISO = DATA / "iso20022"
TSIN_001 = "tsin.001.001.01_generated-F1.xml"
TSIN_003 = "tsin.003.001.01_generated.xml"
FEDNOW = "pacs.008.001.08_fednow-sample_frb.xml"
FEDWIRE = "pacs.008.001.08_fedwire-scenario1-step1.xml"
PAIN = "pain.001.001.03_international-payment-USD_LT.xml"


def sample(name: str) -> bytes:
    return (ISO / name).read_bytes()


class Doc:
    """An ISO Document (possibly inside an envelope), edited by local-name paths."""

    def __init__(self, data: bytes) -> None:
        self.root = fromstring(data)
        self.doc = next(e for e in self.root.iter() if e.tag.endswith("}Document"))
        self.ns = self.doc.tag[1:].partition("}")[0]
        register_namespace("", self.ns)

    def q(self, path: str) -> str:
        return "/".join(f"{{{self.ns}}}{p}" for p in path.split("/"))

    def one(self, path: str, under: Element | None = None) -> Element:
        found = (under if under is not None else self.doc).find(self.q(path))
        assert found is not None, path
        return found

    def set(self, path: str, text: str, under: Element | None = None) -> None:
        self.one(path, under).text = text

    def new(
        self,
        parent: Element,
        name: str,
        text: str | None = None,
        at: int | None = None,
        **attrs: str,
    ) -> Element:
        element = Element(f"{{{self.ns}}}{name}", attrs)
        element.text = text
        parent.insert(len(parent) if at is None else at, element)
        return element

    def child(self, parent: Element, path: str, text: str | None = None, **attrs: str) -> Element:
        element = parent
        for part in path.split("/"):
            element = SubElement(element, f"{{{self.ns}}}{part}")
        element.text = text
        element.attrib.update(attrs)
        return element

    def index(self, parent: Element, name: str) -> int:
        return [c.tag for c in parent].index(f"{{{self.ns}}}{name}")

    def bytes(self) -> bytes:
        return tostring(self.root, encoding="utf-8", xml_declaration=True)


def tsin001(
    uscc: str,
    docs: Sequence[tuple[str, str, str | None]],
    asked: str,
    ref: str,
    *,
    currency: str = "USD",
    scenario: str | None = "F1",
) -> bytes:
    """The generated tsin.001 sample for `uscc`, asking `asked` against `docs` (kind, key,
    share or None), under GrpId `ref`."""
    d = Doc(sample(TSIN_001))
    d.set("InvcFincgReq/ReqGrpInf/GrpId", ref)
    d.set("InvcFincgReq/ReqGrpInf/FincgRqstr/PtyId/PrtryId/Id", uscc)
    for path in ("InvcFincgReq/ReqGrpInf/Ccy",):
        d.set(path, currency)
    for element in d.doc.iter():
        if element.get("Ccy"):
            element.set("Ccy", currency)
    info = d.one("InvcFincgReq/InvcReqInf")
    d.set("Spplr/PtyId/Id/OrgId/TaxIdNb", uscc, info)
    d.set("ReqdAmt/Amt", asked, info)
    group = d.one("InvcFincgReq/ReqGrpInf")
    if scenario is None:
        group.remove(d.one("AddtlInf", group))
    else:
        d.set("AddtlInf/InfVal", scenario, group)
    info.remove(d.one("RfrdDoc", info))
    for kind, key, share in docs:
        referred = d.child(info, "RfrdDoc")
        d.child(referred, "Tp/Prtry", kind)
        d.child(referred, "DocNb", key)
        if share is not None:
            d.child(referred, "DocAmt", share, Ccy=currency)
    return d.bytes()


def tsin003(ref: str) -> bytes:
    d = Doc(sample(TSIN_003))
    d.set("InvcFincgCxlReq/CxlReqInf/OrgnlGrpId", ref)
    return d.bytes()


def transfer(
    name: str,
    uscc: str,
    ref: str,
    amount: str,
    docs: Sequence[tuple[str, str, str | None, str | None]],
    *,
    rate: str | None = "7.10",
    lines: Sequence[str] = (),
    creditor: tuple[str, str] | None = None,
) -> bytes:
    """A pacs.008 or pain.001 sample paying `amount` USD from `uscc`, naming `docs`
    (kind, key, amount due in CNY, tax in CNY; None: no amounts) in its structured
    remittance information, with `lines` (`name=value`) as each one's AddtlRmtInf;
    `creditor` (name, country) replaces the sample's."""
    d = Doc(sample(name))
    pacs = "pacs.008" in d.ns
    tx = d.one("FIToFICstmrCdtTrf/CdtTrfTxInf" if pacs else "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf")
    debtor_at = tx if pacs else d.one("CstmrCdtTrfInitn/PmtInf")
    d.set("PmtId/EndToEndId", ref, tx)
    d.set("IntrBkSttlmAmt" if pacs else "Amt/InstdAmt", amount, tx)
    if pacs:
        d.set("IntrBkSttlmDt", business_date().isoformat(), tx)
        instructed = tx.find(d.q("InstdAmt"))
        if instructed is not None:  # the Fedwire sample repeats the amount instructed
            instructed.text = amount
    else:
        d.set("ReqdExctnDt", business_date().isoformat(), debtor_at)
        d.one("Cdtr/PstlAdr", tx).insert(0, _ctry(d))
        for sums in ("CstmrCdtTrfInitn/GrpHdr/CtrlSum", "CstmrCdtTrfInitn/PmtInf/CtrlSum"):
            d.set(sums, amount)
    if creditor is not None:
        d.set("Cdtr/Nm", creditor[0], tx)
        d.set("Cdtr/PstlAdr/Ctry", creditor[1], tx)
    debtor = d.one("Dbtr", debtor_at)
    ident = d.new(debtor, "Id", at=d.index(debtor, "PstlAdr") + 1 if pacs else 1)
    other = d.child(ident, "OrgId/Othr")
    d.child(other, "Id", uscc)
    d.child(other, "SchmeNm/Prtry", "USCC")
    if rate is not None:
        if pacs:
            d.new(tx, "XchgRate", rate, at=d.index(tx, "ChrgBr"))
        else:
            info = d.new(tx, "XchgRateInf", at=d.index(tx, "Amt") + 1)
            d.child(info, "XchgRate", rate)
    remittance = d.one("RmtInf", tx)
    for child in list(remittance):
        remittance.remove(child)
    for kind, key, due, tax in docs:
        block = d.child(remittance, "Strd")
        referred = d.child(block, "RfrdDocInf")
        d.child(referred, "Tp/CdOrPrtry/Prtry", kind)
        d.child(referred, "Nb", key)
        if due is not None:
            amounts = d.child(block, "RfrdDocAmt")
            d.child(amounts, "DuePyblAmt", due, Ccy="CNY")
            if pacs:
                d.child(amounts, "TaxAmt/Amt", tax, Ccy="CNY")
            else:
                d.child(amounts, "TaxAmt", tax, Ccy="CNY")
        for line in lines:
            d.child(block, "AddtlRmtInf", line)
    return d.bytes()


def _ctry(d: Doc) -> Element:
    element = Element(f"{{{d.ns}}}Ctry")
    element.text = "US"
    return element


def tsin001_of(body: dict[str, Any]) -> bytes:
    """A FinancingIn body (JSON-able) as the tsin.001 sample asking the same."""
    docs = [(d["kind"], d["key"], d.get("amount")) for d in body["documents"]]
    return tsin001(
        body["enterprise_uscc"],
        docs,
        body["amount"],
        body["external_ref"],
        currency=body["currency"],
        scenario=body["scenario"],
    )


def pacs008_of(body: dict[str, Any]) -> bytes:
    """A P3 PaymentIn body (JSON-able, one VAT invoice) as the FedNow pacs.008 sample."""
    [doc] = body["documents"]
    fields = dict(doc["fields"])
    amount, tax = fields.pop("amount"), fields.pop("tax_amount")
    due = f"{Decimal(amount) + Decimal(tax):.2f}"
    pairs = [f"{name}={value}" for name, value in fields.items()]
    lines = [";".join(pairs[i : i + 3]) for i in range(0, len(pairs), 3)]
    payee = body["payee"]
    return transfer(
        FEDNOW,
        body["payer_uscc"],
        body["external_ref"],
        body["amount"],
        [(doc.get("kind", "vat_invoice"), doc["key"], due, tax)],
        rate=body["fx_rates"]["USD/CNY"],
        lines=lines,
        creditor=(payee["name"], payee["country"]),
    )

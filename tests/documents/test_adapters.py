"""UBL 2.1 invoices and DCSA eBL 3.0 transport documents map into the registry's kinds."""

from __future__ import annotations

import copy
import json

import pytest

from crossfin.core.errors import ValidationFailed
from crossfin.documents.adapters import AdapterError
from crossfin.documents.adapters.dcsa import dcsa_to_bill_of_lading
from crossfin.documents.adapters.ubl import ubl_to_vat_invoice
from crossfin.documents.kinds.registry import get_kind
from support.data import DATA
from support.ingest import SELLER_USCC, owner_uscc

SAMPLES = DATA
UBL = (SAMPLES / "ubl" / "UBL-Invoice-2.1-Example.xml").read_text(encoding="utf-8")
DCSA = json.loads(
    (SAMPLES / "dcsa" / "ebl-3.0.4_transport-document_regularSTD.json").read_text(encoding="utf-8")
)


def test_ubl_sample_maps_and_validation_refuses_what_is_not_a_vat_invoice() -> None:
    record = ubl_to_vat_invoice(UBL)
    assert record == {
        "invoice_no": "TOSL108",
        "currency": "EUR",
        "amount": "1436.5",
        "tax_amount": "292.20",
        "issue_date": "2009-12-15",
        "category": "goods",
        "seller_uscc": "DK12345",
        "buyer_uscc": "BE54321",
    }
    with pytest.raises(ValidationFailed) as caught:
        get_kind("vat_invoice").validate(record)
    assert {e.field for e in caught.value.errors} >= {
        "invoice_no",
        "currency",
        "seller_uscc",
        "buyer_uscc",
    }


def test_chinese_ubl_invoice_validates() -> None:
    xml = (
        UBL.replace("<cbc:ID>TOSL108</cbc:ID>", "<cbc:ID>24440000000000012345</cbc:ID>")
        .replace(">EUR<", ">CNY<")
        .replace('currencyID="EUR"', 'currencyID="CNY"')
        .replace(">DK12345<", f">{SELLER_USCC}<")
        .replace(">BE54321<", f">{owner_uscc()}<")
    )
    content = get_kind("vat_invoice").validate(ubl_to_vat_invoice(xml, category="service"))
    assert content["amount"] == "1436.50" and content["tax_amount"] == "292.20"
    assert content["buyer_uscc"] == owner_uscc() and content["category"] == "service"


def test_ubl_refuses_entities_other_documents_and_mixed_currencies() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&a;'
        "</Invoice>"
    )
    with pytest.raises(AdapterError):
        ubl_to_vat_invoice(bomb)
    with pytest.raises(AdapterError, match="not a UBL Invoice"):
        ubl_to_vat_invoice(
            (SAMPLES / "ubl" / "UBL-Waybill-2.0-Example-International.xml").read_bytes()
        )
    mixed = UBL.replace(
        '<cbc:TaxAmount currencyID="EUR">292.20', '<cbc:TaxAmount currencyID="USD">292.20'
    )
    with pytest.raises(AdapterError, match="in USD"):
        ubl_to_vat_invoice(mixed)
    for unreadable in (
        "<Invoice",
        "<Invoice>\ud800</Invoice>",
        b'<?xml version="1.0" encoding="bogus"?><Invoice/>',
    ):
        with pytest.raises(AdapterError, match="not acceptable XML"):
            ubl_to_vat_invoice(unreadable)


def test_dcsa_sample_maps_to_a_bill_of_lading() -> None:
    with pytest.raises(AdapterError, match="DRAFT"):
        dcsa_to_bill_of_lading(DCSA)
    record = dcsa_to_bill_of_lading(DCSA, allow_draft=True)
    assert record == {
        "bl_no": "62CD536BA8D34C469AFD",
        "consignee": "TO ORDER",
        "port_of_loading": "DKAAR",
        "port_of_discharge": "DEBRV",
        "vessel": "MSC Gülsün",
        "voyage": "402E",
        "containers": ["NARU3472484"],
        "issue_date": "2023-12-20",
        "negotiable": True,
    }
    with pytest.raises(ValidationFailed) as caught:
        get_kind("bill_of_lading").validate(record)
    assert [e.field for e in caught.value.errors] == ["shipper_uscc"]


def test_dcsa_document_with_shipper_uscc_and_value_validates() -> None:
    document = copy.deepcopy(DCSA)
    document["transportDocumentStatus"] = "ISSUED"
    document["issueDate"] = "2023-12-21"
    document["documentParties"]["shipper"]["taxLegalReferences"] = [
        {"type": "USCC", "countryCode": "CN", "value": owner_uscc()}
    ]
    document["documentParties"]["notifyParties"] = [{"partyName": "Notify GmbH"}]
    document["declaredValue"] = 12000.5
    document["declaredValueCurrency"] = "EUR"
    spec = get_kind("bill_of_lading")
    content = spec.validate(dcsa_to_bill_of_lading(document))
    assert content["issue_date"] == "2023-12-21" and content["notify_party"] == "Notify GmbH"
    assert spec.value_of(content) == (1200050, "EUR")
    wrapped = json.loads(
        (SAMPLES / "dcsa" / "ebl-iss-3.0.4_issuance-request.json").read_text(encoding="utf-8")
    )
    assert dcsa_to_bill_of_lading(wrapped, allow_draft=True)["bl_no"]
    waybill = dict(document, transportDocumentTypeCode="SWB")
    with pytest.raises(AdapterError, match="waybills"):
        dcsa_to_bill_of_lading(waybill)

"""pacs.008 and pain.001 submitted as payments: round trips from public samples, refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crossfin.parties.models import OrgKind, Role
from crossfin.payments.models import Payment
from support.iso20022 import FEDNOW, FEDWIRE, PAIN, sample, transfer
from support.parties import make_party
from support.payments import SERVICE_PAYEE, freight_invoice, make_forwarders, tax_filing

URL = "/v1/payments/iso20022"
XML = {"Content-Type": "application/xml"}
DUE = ("8480.00", "480.00")  # 8000.00 + 480.00 VAT, in CNY


@pytest.mark.parametrize(
    ("name", "payee", "account", "bic"),
    [
        (FEDNOW, "Corporation B", "55555555555", None),
        (FEDWIRE, "Corporation B", "567876543", None),
        (PAIN, "COMPANY Z", "1234567890", "BKTRUS33"),
    ],
)
def test_a_sample_transfer_is_submitted_as_a_payment(client, db, name, payee, account, bic):
    fw = make_forwarders(db, banks=1)
    doc = freight_invoice(db, fw)
    msg = transfer(name, fw.uscc, "E2E-ISO-1", "1000.00", [("vat_invoice", doc.key, *DUE)])
    res = client.post(URL, content=msg, headers=fw.banks[0].headers | XML)
    assert res.status_code == 201, res.text
    data = res.json()
    assert (data["scenario"], data["external_ref"], data["state"]) == (
        "P3",
        "E2E-ISO-1",
        "submitted",
    )
    assert (data["amount"], data["currency"]) == ("1000.00", "USD")
    assert data["documents"][0] | {"active": True} == {
        "kind": "vat_invoice",
        "key": doc.key,
        "used": "8480.00",
        "currency": "CNY",
        "active": True,
    }
    assert data["receipt"]["leaf_index"] is not None
    got = client.get(f"/v1/payments/{data['id']}", headers=fw.banks[0].headers).json()
    assert got["payee"]["name"] == payee
    assert got["payee"]["account"] == account and got["payee"].get("bic") == bic
    assert got["payer_uscc"] == fw.uscc


def test_the_same_invoice_twice_is_409_and_nothing_is_written(client, db):
    fw = make_forwarders(db, banks=2)
    doc = freight_invoice(db, fw)
    first = transfer(FEDNOW, fw.uscc, "E2E-A", "1000.00", [("vat_invoice", doc.key, *DUE)])
    assert client.post(URL, content=first, headers=fw.banks[0].headers | XML).status_code == 201
    again = transfer(PAIN, fw.uscc, "E2E-B", "1000.00", [("vat_invoice", doc.key, *DUE)])
    res = client.post(URL, content=again, headers=fw.banks[1].headers | XML)
    assert res.status_code == 409 and res.json()["type"].endswith("/already-used")
    with db.session(readonly=True) as session:
        assert session.scalars(select(Payment.external_ref)).all() == ["E2E-A"]


def test_a_wrong_claimed_amount_is_refused_like_json(client, db):
    fw = make_forwarders(db, banks=1)
    doc = freight_invoice(db, fw)
    msg = transfer(FEDWIRE, fw.uscc, "E2E-W", "1000.00", [("vat_invoice", doc.key, "9000", "480")])
    res = client.post(URL, content=msg, headers=fw.banks[0].headers | XML)
    assert res.status_code == 422, res.text  # DuePyblAmt less TaxAmt is the claimed amount
    assert res.json()["errors"] == [
        {"field": "documents[0]", "reason": "does not match the tax record (amount)"}
    ]
    where = "/Document/FIToFICstmrCdtTrf/CdtTrfTxInf/RmtInf/Strd[1]/RfrdDocInf[1]"
    assert res.json()["xpaths"] == {"documents[0]": where}
    with db.session(readonly=True) as session:
        assert session.scalars(select(Payment)).all() == []


def test_an_unmodified_public_sample_is_422_naming_the_missing_payer_id(client, db):
    fw = make_forwarders(db, banks=1)
    for name, where in (
        (FEDNOW, "/Document/FIToFICstmrCdtTrf/CdtTrfTxInf/Dbtr/Id/OrgId/Othr"),
        (PAIN, "/Document/CstmrCdtTrfInitn/PmtInf/Dbtr/Id/OrgId/Othr"),
    ):
        res = client.post(URL, content=sample(name), headers=fw.banks[0].headers | XML)
        assert res.status_code == 422, res.text
        problem = res.json()
        assert problem["type"].endswith("/iso20022-invalid")
        assert problem["problems"][0]["path"] == where
        assert problem["problems"][0]["rule"] == "mapping"


def test_xsd_failures_name_the_xpath_and_rule(client, db):
    fw = make_forwarders(db, banks=1)
    doc = freight_invoice(db, fw)
    good = transfer(FEDWIRE, fw.uscc, "E2E-X", "1000.00", [("vat_invoice", doc.key, *DUE)])
    cases = [
        (good.replace(b"<ChrgBr>SLEV</ChrgBr>", b"<ChrgBr>HALF</ChrgBr>"), "ChrgBr", "enumeration"),
        (good.replace(b'Ccy="USD">1000.00<', b'Ccy="usd">1000.00<'), "IntrBkSttlmAmt", "pattern"),
        (good.replace(b">1000.00<", b">12.345.6<", 1), "IntrBkSttlmAmt", "type"),
    ]
    for body, last, rule in cases:
        assert body != good
        res = client.post(URL, content=body, headers=fw.banks[0].headers | XML)
        assert res.status_code == 422, res.text
        first = res.json()["problems"][0]
        assert first["path"].startswith("/Document/FIToFICstmrCdtTrf/CdtTrfTxInf/"), first
        assert first["path"].endswith(last) and first["rule"] == rule, first
    with db.session(readonly=True) as session:
        assert session.scalars(select(Payment)).all() == []


def test_only_a_bank_maker_submits(client, db):
    fw = make_forwarders(db, banks=1)
    doc = freight_invoice(db, fw)
    msg = transfer(FEDNOW, fw.uscc, "E2E-P", "1000.00", [("vat_invoice", doc.key, *DUE)])
    assert client.post(URL, content=msg, headers=XML).status_code == 401
    insurer = make_party(db, OrgKind.INSURER, Role.OPERATOR)
    for who in (fw.payer, fw.checkers[0], insurer):
        res = client.post(URL, content=msg, headers=who.headers | XML)
        assert res.status_code == 403, res.text
    with db.session(readonly=True) as session:
        assert session.scalars(select(Payment)).all() == []


def test_a_p2_transfer_names_its_tax_filing_and_verification_code(client, db):
    fw = make_forwarders(db, banks=1)
    filing = tax_filing(db, fw, "100000.00")
    docs = [("tax_filing", filing.key, None, None)]

    def send(ref: str, code: str) -> object:
        lines = [f"verification_code={code}"]
        payee = (SERVICE_PAYEE["name"], SERVICE_PAYEE["country"])
        msg = transfer(PAIN, fw.uscc, ref, "60000.00", docs, lines=lines, creditor=payee)
        return client.post(URL, content=msg, headers=fw.banks[0].headers | XML)

    wrong = send("SVC-ISO-0", "WRONG1")
    assert wrong.status_code == 422, wrong.text  # as for an unknown serial (docs/payments.md)
    assert "no tax filing with this serial number" in wrong.json()["detail"]
    assert wrong.json()["xpaths"] == {
        "documents[0]": "/Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/RmtInf/Strd[1]/RfrdDocInf[1]"
    }
    elsewhere = transfer(
        PAIN, fw.uscc, "SVC-ISO-X", "60000.00", docs, lines=["verification_code=A1B2C3D4"]
    )
    refused = client.post(URL, content=elsewhere, headers=fw.banks[0].headers | XML)
    assert refused.status_code == 422, refused.text  # the filing's payee is not COMPANY Z, US
    tx = "/Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf"
    assert refused.json()["xpaths"] == {
        "payee.name": f"{tx}/Cdtr/Nm",
        "payee.country": f"{tx}/Cdtr/PstlAdr/Ctry",
    }
    res = send("SVC-ISO-1", "A1B2C3D4")
    assert res.status_code == 201, res.text
    data = res.json()
    assert (data["scenario"], data["amount"]) == ("P2", "60000.00")
    assert data["documents"][0]["kind"] == "tax_filing"
    over = send("SVC-ISO-2", "A1B2C3D4")
    assert over.status_code == 409 and over.json()["type"].endswith("/filing-exhausted")

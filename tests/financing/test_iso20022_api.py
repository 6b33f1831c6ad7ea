"""tsin.001 in, tsin.002 out, tsin.003 cancels; the feed as camt.053 (docs/iso20022.md)."""

from __future__ import annotations

from xml.etree.ElementTree import Element, fromstring

from sqlalchemy import select

from crossfin.financing.iso20022.schemas import CAMT_053, SCHEMAS, TSIN_002
from crossfin.financing.models import Financing
from crossfin.parties.models import OrgKind, Role
from support.financing import balance_row, declaration, make_firms
from support.iso20022 import tsin001, tsin003
from support.parties import make_party

URL = "/v1/financings/iso20022"
XML = {"Content-Type": "application/xml"}
T2 = "{urn:iso:std:iso:20022:tech:xsd:tsin.002.001.01}"


def _answer(res) -> Element:  # type: ignore[no-untyped-def]
    """The tsin.002 answer, checked against its XSD first."""
    assert res.headers["content-type"].startswith("application/xml"), res.text
    assert SCHEMAS.problems(res.content, TSIN_002) == []
    return fromstring(res.content)


def _texts(root: Element, name: str) -> list[str]:
    return [e.text or "" for e in root.iter(T2 + name)]


def _post(client, firms, body: bytes, bank: int = 0):  # type: ignore[no-untyped-def]
    return client.post(URL, content=body, headers=firms.banks[bank].headers | XML)


def test_tsin001_registers_f1_and_answers_tsin002(client, db):
    firms = make_firms(db)
    doc = declaration(db, firms, "100000.00")
    msg = tsin001(firms.uscc, [("customs_declaration", doc.key, "60000.00")], "60000.00", "ISO-1")
    res = _post(client, firms, msg)
    assert res.status_code == 201, res.text
    root = _answer(res)
    assert _texts(root, "Sts") == ["RCCF"] and _texts(root, "FincgReqSts") == ["PDNG"]
    with db.session(readonly=True) as session:
        financing = session.scalars(select(Financing)).one()
    assert (financing.scenario, financing.external_ref, financing.state) == (
        "F1",
        "ISO-1",
        "registered",
    )
    assert financing.amount_minor == 6_000_000 and financing.currency == "USD"
    assert str(financing.due_date) == "2026-12-30"
    assert _texts(root, "Id")[0] == f"CF-FIN-{financing.id}"
    assert f"financing_id={financing.id}" in _texts(root, "AddtlStsRsnInf")
    assert _texts(root, "DocNb") == ["SBE-INV-2026-0917"]
    assert balance_row(db, doc) == (6_000_000, 0)
    again = _post(client, firms, msg)  # the same GrpId again: refused, nothing reserved
    assert again.status_code == 409
    assert _texts(_answer(again), "Prtry") == ["already-exists"]
    assert balance_row(db, doc) == (6_000_000, 0)
    # The same application as JSON shows the same financing to the bank.
    seen = client.get(f"/v1/financings/{financing.id}", headers=firms.banks[0].headers).json()
    assert seen["documents"][0]["key"] == doc.key and seen["enterprise_uscc"] == firms.uscc


def test_scenario_is_derived_from_the_documents_when_not_named(client, db):
    firms = make_firms(db)
    doc = declaration(db, firms, "100000.00")
    msg = tsin001(
        firms.uscc, [("customs_declaration", doc.key, None)], "10000.00", "ISO-D", scenario=None
    )
    res = _post(client, firms, msg)
    assert res.status_code == 201, res.text
    with db.session(readonly=True) as session:
        assert session.scalars(select(Financing.scenario)).one() == "F1"


def test_over_financing_is_a_tsin002_rejection_carrying_our_problem(client, db):
    firms = make_firms(db)
    doc = declaration(db, firms, "100000.00")
    first = tsin001(firms.uscc, [("customs_declaration", doc.key, None)], "70000.00", "ISO-2")
    assert _post(client, firms, first).status_code == 201
    over = tsin001(firms.uscc, [("customs_declaration", doc.key, None)], "40000.00", "ISO-3")
    res = _post(client, firms, over, bank=1)
    assert res.status_code == 409
    root = _answer(res)
    assert _texts(root, "Sts") == ["RCER"]
    assert _texts(root, "Prtry") == ["over-financing"]
    info = "".join(_texts(root, "AddtlStsRsnInf"))
    assert "/over-financing" in info and "30000.00" in info
    assert balance_row(db, doc) == (7_000_000, 0)  # the refusal changed nothing
    with db.session(readonly=True) as session:
        assert session.scalars(select(Financing.external_ref)).all() == ["ISO-2"]


def test_tsin003_cancels_and_releases(client, db):
    firms = make_firms(db)
    doc = declaration(db, firms, "100000.00")
    applied = tsin001(firms.uscc, [("customs_declaration", doc.key, None)], "50000.00", "ISO-4")
    assert _post(client, firms, applied).status_code == 201
    res = _post(client, firms, tsin003("ISO-4"))
    assert res.status_code == 200, res.text
    root = _answer(res)
    assert _texts(root, "Sts") == ["RCCF", "PACK"]
    with db.session(readonly=True) as session:
        assert session.scalars(select(Financing.state)).one() == "cancelled"
    assert balance_row(db, doc)[0] == 0
    again = _post(client, firms, tsin003("ISO-4"))
    assert again.status_code == 409
    assert _texts(_answer(again), "Sts") == ["RCCF", "REJT"]


def test_tsin003_of_another_bank_is_not_found(client, db):
    firms = make_firms(db)
    doc = declaration(db, firms, "100000.00")
    applied = tsin001(firms.uscc, [("customs_declaration", doc.key, None)], "50000.00", "ISO-5")
    assert _post(client, firms, applied).status_code == 201
    res = _post(client, firms, tsin003("ISO-5"), bank=1)
    assert res.status_code == 404
    assert _texts(_answer(res), "Prtry") == ["not-found"]
    with db.session(readonly=True) as session:
        assert session.scalars(select(Financing.state)).one() == "registered"


def test_only_a_bank_maker_applies(client, db):
    firms = make_firms(db)
    doc = declaration(db, firms, "100000.00")
    msg = tsin001(firms.uscc, [("customs_declaration", doc.key, None)], "1000.00", "ISO-6")
    assert client.post(URL, content=msg, headers=XML).status_code == 401
    for who in (
        firms.enterprise,
        firms.checkers[0],
        make_party(db, OrgKind.INSURER, Role.OPERATOR),
    ):
        res = client.post(URL, content=msg, headers=who.headers | XML)
        assert res.status_code == 403, res.text
        assert res.headers["content-type"].startswith("application/problem+json")
    with db.session(readonly=True) as session:
        assert session.scalars(select(Financing)).all() == []


def test_invalid_messages_are_422_naming_the_xpath(client, db):
    firms = make_firms(db)
    doc = declaration(db, firms, "100000.00")
    good = tsin001(firms.uscc, [("customs_declaration", doc.key, None)], "1000.00", "ISO-7")
    cases = {
        good.replace(b"<PmtMtd>TRF</PmtMtd>", b"<PmtMtd>WIRE</PmtMtd>"): (
            "/Document/InvcFincgReq/InvcReqInf/InvcPmtInf/PmtMtd",
            "enumeration",
        ),
        good.replace(b"<Ccy>USD</Ccy>", b""): ("/Document/InvcFincgReq/ReqGrpInf", "content"),
        good.replace(b">1000.00</Amt>", b">1,000</Amt>"): (
            "/Document/InvcFincgReq/InvcReqInf/ReqdAmt/Amt",
            "type",
        ),
        good.replace(b"<IdTp>USCC</IdTp>", b"<IdTp>LEI</IdTp>").replace(
            b"<TaxIdNb>" + firms.uscc.encode() + b"</TaxIdNb>", b""
        ): ("/Document/InvcFincgReq/ReqGrpInf/FincgRqstr/PtyId/PrtryId", "mapping"),
        b"not xml at all": ("/", "well-formed"),
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]><d>&e;</d>': ("/", "well-formed"),
    }
    for body, (path, rule) in cases.items():
        res = _post(client, firms, body)
        assert res.status_code == 422, res.text
        problem = res.json()
        assert problem["type"].endswith("/iso20022-invalid")
        first = problem["problems"][0]
        assert (first["path"], first["rule"]) == (path, rule), problem
    with db.session(readonly=True) as session:
        assert session.scalars(select(Financing)).all() == []


def test_feed_as_camt053(client, db):
    firms = make_firms(db)
    doc = declaration(db, firms, "100000.00")
    msg = tsin001(firms.uscc, [("customs_declaration", doc.key, None)], "25000.00", "ISO-8")
    assert _post(client, firms, msg).status_code == 201
    headers = firms.banks[0].headers
    as_json = client.get("/v1/financings", headers=headers).json()
    for res in (
        client.get("/v1/financings", params={"format": "camt.053"}, headers=headers),
        client.get("/v1/financings", headers=headers | {"Accept": "application/xml"}),
    ):
        assert res.status_code == 200 and res.headers["content-type"].startswith("application/xml")
        assert SCHEMAS.problems(res.content, CAMT_053) == []
        root = fromstring(res.content)
        ns = "{urn:iso:std:iso:20022:tech:xsd:camt.053.001.04}"
        [entry] = root.iter(ns + "Ntry")
        assert entry.findtext(ns + "NtryRef") == f"FIN-{as_json['items'][0]['id']}"
        assert entry.findtext(ns + "Amt") == "25000.00" and entry.findtext(ns + "Sts") == "PDNG"
        assert [e.text for e in entry.iter(ns + "EndToEndId")] == ["ISO-8"]
        assert [e.text for e in entry.iter(ns + "Nb")] == [doc.key]
    # Another bank's feed has no entry of it, in either format.
    other = client.get("/v1/financings?format=camt.053", headers=firms.banks[1].headers)
    assert b"Ntry" not in other.content and SCHEMAS.problems(other.content, CAMT_053) == []
    assert client.get("/v1/financings", headers=headers).json() == as_json

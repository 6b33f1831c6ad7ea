"""Private fingerprints through HTTP: seen before, near-duplicates, never who, nothing stored."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text

from crossfin.core.db import Database
from crossfin.documents.access.fingerprints import fingerprint_fields_from_ubl
from crossfin.documents.access.models import Fingerprint, FingerprintVariant
from crossfin.parties.models import OrgKind
from support.data import DATA
from support.parties import Party, make_party

SAMPLES = DATA
PAPER = {
    "document_type": "commercial_invoice",
    "number": "INV-2026/000417",
    "seller": "Shenzhen Lotus Electronics Co., Ltd.",
    "buyer": "Hanseatic Import GmbH",
    "amount": "48257.35",
    "currency": "USD",
    "issue_date": "2026-03-02",
}


@pytest.fixture
def banks(db: Database) -> list[Party]:
    return [make_party(db, OrgKind.BANK) for _ in range(3)]


def check(client: TestClient, bank: Party, fields: dict, register: bool = False) -> dict:
    response = client.post(
        "/v1/fingerprints/check",
        json={"fields": fields, "register": register},
        headers=bank.headers,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_seen_before_counts_other_banks_never_names_them(
    client: TestClient, banks: list[Party]
) -> None:
    first = check(client, banks[0], PAPER, register=True)
    assert (first["seen_before"], first["near_duplicate"], first["presentations"]) == (
        False,
        False,
        0,
    )
    assert first["registered"] is True and first["receipt"]["leaf_index"] is not None
    # The same bank re-checking its own paper is not "seen before".
    again = check(client, banks[0], PAPER, register=True)
    assert again["seen_before"] is False and again["already_registered"] is True
    assert again["registered"] is False and "receipt" not in again
    second = check(client, banks[1], PAPER)
    assert (second["seen_before"], second["presentations"]) == (True, 1)
    check(client, banks[1], PAPER, register=True)
    third = check(client, banks[2], PAPER)
    assert third["presentations"] == 2 and third["near_duplicate"] is False
    assert set(third) == {
        "seen_before",
        "near_duplicate",
        "presentations",
        "near_duplicates",
        "registered",
        "already_registered",
        "fingerprint",
        "nonce",
    }


ALTERED = [
    {"number": "INV2026000417"},
    {"number": "inv-2026-417"},
    {"seller": "SHENZHEN LOTUS ELECTRONICS CO LTD"},
    {"buyer": "hanseatic  import gmbh"},
    {"amount": "48300.00"},
    {"amount": "48000"},
    {"amount": "48,257"},
    {"issue_date": "2026-03-03"},
    {"issue_date": "2026-03-01"},
    {"number": "INV 2026 417", "amount": "48260", "issue_date": "2026-03-03"},
]


@pytest.mark.parametrize(
    "change", ALTERED, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items())
)
def test_altered_copies_are_near_duplicates(
    client: TestClient, banks: list[Party], change: dict
) -> None:
    check(client, banks[0], PAPER, register=True)
    altered = check(client, banks[1], PAPER | change)
    assert altered["seen_before"] is False
    assert altered["near_duplicate"] is True and altered["near_duplicates"] == 1
    # Even at the same bank: an altered copy is another paper, not a self re-check.
    assert check(client, banks[0], PAPER | change)["near_duplicate"] is True


def test_a_different_paper_is_neither(client: TestClient, banks: list[Party]) -> None:
    check(client, banks[0], PAPER, register=True)
    other = check(client, banks[1], PAPER | {"number": "INV-2026/000418", "amount": "9120.00"})
    assert other["seen_before"] is False and other["near_duplicate"] is False


def test_stored_fingerprints_contain_none_of_the_fields(
    client: TestClient, db: Database, banks: list[Party]
) -> None:
    for i, bank in enumerate(banks):
        check(client, bank, PAPER | {"number": f"INV-2026/00041{i}"}, register=True)
    dump = dump_database(db)
    # Digit-only probes are at least 7 digits long: the dump holds hex digests and base64
    # keys, where a 5-digit string turns up by chance (16^-5 per position: it did).
    probes = [
        "INV-2026",
        "2026/0",
        "202600041",  # the numbers' digits, however normalised
        "Lotus",
        "LOTUS",
        "lotus",
        "Hanseatic",
        "hanseatic",
        "48257.35",
        "4825735",
        "2026-03-02",
        "commercial_invoice",
    ]
    for probe in probes:
        assert probe.encode() not in dump, probe
    with db.session(readonly=True) as session:
        rows = list(session.scalars(select(Fingerprint)))
        assert len(rows) == 3
        assert all(len(r.exact) == 32 and len(r.presenter) == 32 for r in rows)
        columns = {c["name"] for c in inspect(session.get_bind()).get_columns("fingerprints")}
        assert columns == {"presenter", "exact", "registered_on"}
        variants = list(session.scalars(select(FingerprintVariant)))
        assert variants and all(len(v.variant) == 32 for v in variants)


def dump_database(db: Database) -> bytes:
    """Every cell of every table, as bytes (text, and both encodings of binary cells)."""
    chunks: list[bytes] = []
    with db.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                for cell in row:
                    if isinstance(cell, (bytes, memoryview)):
                        chunks += [bytes(cell), bytes(cell).hex().encode()]
                    elif cell is not None:
                        chunks.append(str(cell).encode())
    return b"\n".join(chunks)


def test_only_banks_and_bad_inputs(client: TestClient, db: Database) -> None:
    firm = make_party(db, OrgKind.ENTERPRISE)
    bank = make_party(db, OrgKind.BANK)
    assert (
        client.post(
            "/v1/fingerprints/check", json={"fields": PAPER}, headers=firm.headers
        ).status_code
        == 403
    )
    for body in (
        {},
        {"fields": PAPER, "ubl": "<x/>"},
        {"fields": PAPER | {"currency": "ZZZ"}},
        {"fields": PAPER | {"amount": "12.345"}},
        {"ubl": "<Invoice"},
    ):
        response = client.post("/v1/fingerprints/check", json=body, headers=bank.headers)
        assert response.status_code == 422, body


def test_ubl_invoice_fields_and_check(client: TestClient, banks: list[Party]) -> None:
    xml = (SAMPLES / "ubl" / "UBL-Invoice-2.1-Example.xml").read_text()
    paper = fingerprint_fields_from_ubl(xml)
    assert (paper.number, paper.currency, str(paper.issue_date)) == ("TOSL108", "EUR", "2009-12-15")
    assert paper.seller == "The Sellercompany Incorporated"
    assert paper.buyer == "The buyercompany inc."
    response = client.post(
        "/v1/fingerprints/check", json={"ubl": xml, "register": True}, headers=banks[0].headers
    )
    assert response.status_code == 200
    fields = {
        "number": "TOSL-108",
        "seller": paper.seller,
        "buyer": paper.buyer,
        "amount": paper.amount,
        "currency": "EUR",
        "issue_date": "2009-12-16",
    }
    assert check(client, banks[1], fields)["near_duplicate"] is True


def test_ubl_refuses_entities(client: TestClient, banks: list[Party]) -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Invoice>&a;</Invoice>'
    response = client.post("/v1/fingerprints/check", json={"ubl": bomb}, headers=banks[0].headers)
    assert response.status_code == 422
    waybill = (SAMPLES / "ubl" / "UBL-Waybill-2.0-Example-International.xml").read_text()
    response = client.post(
        "/v1/fingerprints/check", json={"ubl": waybill}, headers=banks[0].headers
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["ubl"]
    assert "not a UBL Invoice" in response.json()["errors"][0]["reason"]

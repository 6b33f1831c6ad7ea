"""`GET /v1/stats` and the top enterprises: each regulator reads exactly its subtree.

The cells are written straight into `stats_cells` and `stats_served` (support/stats_cells.py):
they are the query layer's input, whatever keeps them up to date.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.parties.models import OrgKind
from support.parties import Party, make_party
from support.stats_cells import Cell, add_cells, add_served, set_size


@pytest.fixture
def world(db: Database) -> dict[str, Any]:
    """Banks, regulators at every level, and cells in Shenzhen, Guangzhou and Shanghai."""
    bank1 = make_party(db, OrgKind.BANK)
    bank2 = make_party(db, OrgKind.BANK)
    add_cells(
        db,
        Cell("440305", "2026-01", "registered", 2, 100000, bank=bank1.org_id),
        Cell("440305", "2026-02", "registered", 1, 55000, 50000, currency="EUR", bank=bank1.org_id),
        Cell("440305", "2026-02", "outstanding", 1, 55000, 50000, currency="EUR"),
        Cell("440304", "2026-01", "facilitated", 3, 30000, scenario="P3", bank=bank2.org_id),
        Cell("440106", "2026-01", "registered", 1, 200000, scenario="F4", trade_class="B"),
        Cell("310115", "2026-01", "registered", 5, 900000),
        Cell("", "2026-01", "verified", 7, 0, scenario="", currency="", trade_class=""),
    )
    return {
        "bank1": bank1,
        "bank2": bank2,
        "head": make_party(db, OrgKind.REGULATOR, jurisdiction="000000"),
        "gd": make_party(db, OrgKind.REGULATOR, jurisdiction="440000"),
        "sz": make_party(db, OrgKind.REGULATOR, jurisdiction="440300"),
        "sh": make_party(db, OrgKind.REGULATOR, jurisdiction="310000"),
    }


def _get(client: TestClient, who: Party, **params: Any) -> Any:
    answer = client.get("/v1/stats", params=params, headers=who.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _by(rows: list[dict[str, Any]], level: str, measure: str) -> dict[str | None, Any]:
    return {
        (r[level] or {}).get("code"): (
            r["measures"][measure]["count"],
            r["measures"][measure]["usd"],
        )
        for r in rows
    }


def test_each_regulator_sees_exactly_its_subtree(client: TestClient, world: dict[str, Any]) -> None:
    gd = _get(client, world["gd"], group_by="prefecture", measure="registered,facilitated")
    assert gd["jurisdiction"]["code"] == "440000"
    assert _by(gd["rows"], "prefecture", "registered") == {
        "440100": (1, "2000.00"),
        "440300": (3, "1550.00"),
    }
    assert _by(gd["rows"], "prefecture", "facilitated") == {
        "440100": (0, "0.00"),
        "440300": (3, "300.00"),
    }
    shenzhen = next(r for r in gd["rows"] if r["prefecture"]["code"] == "440300")
    assert shenzhen["prefecture"] == {"code": "440300", "name_zh": "深圳市", "name_en": "Shenzhen"}

    sz = _get(client, world["sz"], group_by="county", measure="registered")
    assert _by(sz["rows"], "county", "registered") == {"440305": (3, "1550.00")}

    sh = _get(client, world["sh"], group_by="province")
    assert _by(sh["rows"], "province", "registered") == {"310000": (5, "9000.00")}
    assert _get(client, world["sh"])["rows"][0]["measures"]["facilitated"]["count"] == 0

    head = _get(client, world["head"], group_by="province", measure="registered,verified")
    assert _by(head["rows"], "province", "registered") == {
        None: (0, "0.00"),  # the verification without a county: the head office's only
        "310000": (5, "9000.00"),
        "440000": (4, "3550.00"),
    }
    assert _by(head["rows"], "province", "verified")[None] == (7, "0.00")


def test_a_jurisdiction_within_the_subtree_narrows_it(
    client: TestClient, world: dict[str, Any]
) -> None:
    narrowed = _get(client, world["gd"], jurisdiction="440300", measure="registered")
    assert narrowed["jurisdiction"]["name_en"] == "Shenzhen"
    assert narrowed["rows"][0]["measures"]["registered"] == {
        "count": 3,
        "usd": "1550.00",
        "amount": None,  # two currencies: never summed
    }
    for who, code in (("sz", "440000"), ("sz", "440100"), ("sh", "440300"), ("gd", "000000")):
        refused = client.get(f"/v1/stats?jurisdiction={code}", headers=world[who].headers)
        assert refused.status_code == 403
        body = refused.json()
        assert body["type"].endswith("/outside-subtree")
        assert body["errors"][0]["field"] == "query.jurisdiction"
    unknown = client.get("/v1/stats?jurisdiction=449999", headers=world["gd"].headers)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "query.jurisdiction"


def test_amounts_per_currency_and_months(client: TestClient, world: dict[str, Any]) -> None:
    rows = _get(client, world["sz"], group_by="currency,month", measure="registered")["rows"]
    assert [(r["currency"], r["month"], r["measures"]["registered"]) for r in rows] == [
        ("EUR", "2026-02", {"count": 1, "usd": "550.00", "amount": "500.00"}),
        ("USD", "2026-01", {"count": 2, "usd": "1000.00", "amount": "1000.00"}),
    ]
    assert all("enterprises" not in r for r in rows)  # served rows keep no currency
    only = _get(client, world["sz"], currency="EUR", measure="registered,outstanding")["rows"][0]
    assert only["measures"]["outstanding"] == {"count": 1, "usd": "550.00", "amount": "500.00"}
    january = _get(client, world["gd"], **{"from": "2026-01", "to": "2026-01"})["rows"][0]
    assert january["measures"]["registered"]["count"] == 3


def test_banks_classes_and_scenarios(client: TestClient, world: dict[str, Any]) -> None:
    rows = _get(client, world["gd"], group_by="bank,class", measure="registered")["rows"]
    got = {
        ((r["bank"] or {}).get("id"), r["class"]): r["measures"]["registered"]["count"]
        for r in rows
    }
    assert got == {(world["bank1"].org_id, "A"): 3, (None, "B"): 1}
    assert next(r["bank"]["name"] for r in rows if r["bank"]).startswith("Test bank ")
    by_bank = _get(client, world["gd"], group_by="bank", bank=world["bank1"].org_id)["rows"]
    assert len(by_bank) == 1 and by_bank[0]["bank"]["id"] == world["bank1"].org_id
    assert by_bank[0]["measures"]["registered"]["count"] == 3
    p3 = _get(client, world["gd"], group_by="scenario", scenario="P3")["rows"]
    assert [(r["scenario"], r["measures"]["facilitated"]["count"]) for r in p3] == [("P3", 3)]


def test_enterprises_served_and_the_sme_share(
    client: TestClient, db: Database, world: dict[str, Any]
) -> None:
    firms = {}
    for name, county, size in (
        ("small", "440305", "small"),
        ("large", "440305", "large"),
        ("unknown", "440304", None),
        ("micro", "310115", "micro"),
    ):
        firms[name] = make_party(db, OrgKind.ENTERPRISE, jurisdiction=county).org_id
        set_size(db, firms[name], size)
    add_served(db, firms["small"], "440305", "2026-01", 100000)
    add_served(db, firms["small"], "440305", "2026-02", 55000)
    add_served(db, firms["large"], "440305", "2026-02", 700000)
    add_served(db, firms["unknown"], "440304", "2026-01", 30000, scenario="P3")
    add_served(db, firms["micro"], "310115", "2026-01", 900000)
    add_served(db, firms["large"], "440305", "2026-01", 5, count=0)  # no longer served

    total = _get(client, world["sz"])["rows"][0]
    assert (total["enterprises"], total["sme_share"]) == (3, 0.5)
    months = _get(client, world["sz"], group_by="month", measure="registered")["rows"]
    assert [(r["month"], r["enterprises"]) for r in months] == [("2026-01", 2), ("2026-02", 2)]
    sh = _get(client, world["sh"])["rows"][0]
    assert (sh["enterprises"], sh["sme_share"]) == (1, 1.0)
    unknown = _get(client, world["sz"], jurisdiction="440304")["rows"][0]
    assert (unknown["enterprises"], unknown["sme_share"]) == (1, None)

    top = client.get("/v1/stats/top-enterprises?limit=2", headers=world["gd"].headers).json()
    assert [(i["org_id"], i["usd"], i["records"]) for i in top["items"]] == [
        (firms["large"], "7000.00", 1),
        (firms["small"], "1550.00", 2),
    ]
    head = client.get("/v1/stats/top-enterprises", headers=world["head"].headers).json()
    assert head["items"][0]["org_id"] == firms["micro"]
    sh_top = client.get("/v1/stats/top-enterprises", headers=world["sh"].headers).json()
    assert [i["org_id"] for i in sh_top["items"]] == [firms["micro"]]


def test_csv_and_xlsx_exports(client: TestClient, world: dict[str, Any]) -> None:
    params = {"group_by": "prefecture", "measure": "registered", "format": "csv"}
    answer = client.get("/v1/stats", params=params, headers=world["gd"].headers)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(answer.text)))
    assert lines == [
        [
            "prefecture_code",
            "prefecture_name_zh",
            "prefecture_name_en",
            "registered_count",
            "registered_usd",
            "registered_amount",
            "enterprises",
            "sme_share",
        ],
        ["440100", "广州市", "Guangzhou", "1", "2000.00", "", "0", ""],
        ["440300", "深圳市", "Shenzhen", "3", "1550.00", "", "0", ""],
    ]
    import openpyxl

    params["format"] = "xlsx"
    book = client.get("/v1/stats", params=params, headers=world["gd"].headers)
    assert book.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == lines[0]
    # Counts and amounts are numbers in the workbook.
    assert values[2][:5] == ("440300", "深圳市", "Shenzhen", 3, 1550)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("group_by=province,nonsense", "query.group_by"),
        ("group_by=month,month", "query.group_by"),
        ("measure=profit", "query.measure"),
        ("from=2026-13", "query.from"),
        ("to=26-01", "query.to"),
        ("from=2026-05&to=2026-04", "query.to"),
        ("class=D", "query.class"),
        ("currency=ABC", "query.currency"),
        ("scenario=free", "query.scenario"),
        ("jurisdiction=44", "query.jurisdiction"),
        ("format=pdf", "query.format"),
    ],
)
def test_bad_queries_name_the_field(
    client: TestClient, world: dict[str, Any], query: str, field: str
) -> None:
    answer = client.get(f"/v1/stats?{query}", headers=world["head"].headers)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in answer.json()["errors"]]


def test_only_regulators_read_statistics(
    client: TestClient, db: Database, world: dict[str, Any]
) -> None:
    for kind in (OrgKind.BANK, OrgKind.ENTERPRISE, OrgKind.OPERATOR, OrgKind.CUSTOMS):
        other = make_party(db, kind)
        for path in ("/v1/stats", "/v1/stats/top-enterprises", "/v1/stats?format=csv"):
            answer = client.get(path, headers=other.headers)
            assert answer.status_code == 403, (kind, path)
            assert answer.json()["type"].endswith("/forbidden")
    assert client.get("/v1/stats").status_code == 401

"""The regulator views through the API: completeness by institution (not filed, overdue,
submitted, accepted, late) and aggregates by area and by country, JSON and CSV, on the
regulator's subtree only; banks are refused, a sibling province sees nothing."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from crossfin.core.db import Database
from support.filings import World, make_world
from support.filings_views import file_efal, load_efal, pin

# EFAL-M of 2026-10 is due 15 working days after 31 October 2026: Friday 20 November.
DUE = "2026-11-13"  # EFAL-M: 10 working days after 31 October (its deadline_days)


@pytest.fixture
def world(db: Database, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> World:
    found = make_world(db)
    load_efal(db)
    pin(monkeypatch, "2026-10-12")
    # other_bank filed September (so it is expected in October) and never October.
    file_efal(
        client, found.other_bank, "2026-09", [("US", "USD", 0, 100)], accept_by=found.shenzhen
    )
    pin(monkeypatch, "2026-11-10")
    file_efal(
        client,
        found.branch,
        "2026-10",
        [("US", "USD", 100_00, 50_00), ("HK", "USD", 10_00, 1_00)],
        accept_by=found.shenzhen,
    )
    file_efal(client, found.sibling, "2026-10", [("US", "USD", 7_00, 0), ("JP", "JPY", 500, 5)])
    file_efal(client, found.enterprise, "2026-10", [("US", "USD", 1, 1)], submit=False)
    pin(monkeypatch, "2026-11-25")
    return found


def _get(client: TestClient, who, path: str):  # type: ignore[no-untyped-def]
    return client.get(path, headers=who.headers)


def test_completeness_by_institution(client: TestClient, world: World) -> None:
    answer = _get(client, world.guangdong, "/v1/filings/completeness?form=EFAL-M&period=2026-10")
    assert answer.status_code == 200, answer.text
    view = answer.json()
    assert view["due"] == DUE and view["today"] == "2026-11-25"
    status = {r["org_id"]: r["status"] for r in view["institutions"]}
    assert status == {
        world.branch.org_id: "accepted",
        world.sibling.org_id: "submitted",
        world.other_bank.org_id: "overdue",  # expected from September, nothing for October
    }  # the enterprise's draft is its own: not expected, not shown
    assert view["totals"] == {"accepted": 1, "submitted": 1, "overdue": 1}
    assert [(c["code"], c["counts"]) for c in view["children"]] == [
        ("440300", {"accepted": 1, "submitted": 1, "overdue": 1})
    ]


def test_a_late_filing_is_late(client: TestClient, world: World) -> None:
    late = file_efal(client, world.other_bank, "2026-10", [("US", "USD", 100, 0)])
    view = _get(client, world.shenzhen, "/v1/filings/completeness?form=EFAL-M&period=2026-10")
    row = next(r for r in view.json()["institutions"] if r["org_id"] == world.other_bank.org_id)
    assert (row["status"], row["filing_id"], row["submitted_on"]) == ("late", late, "2026-11-25")


def test_aggregates_by_area_and_country(client: TestClient, world: World) -> None:
    base = "/v1/filings/aggregates?form=EFAL-M&period=2026-10"
    by_area = _get(client, world.guangdong, base).json()
    assert by_area["table"] == "A1" and by_area["filings"] == 1  # only accepted ones
    assert [
        (g["key"], g["currency"], g["sums"]["CLS"], g["filers"]) for g in by_area["groups"]
    ] == [("440300", "USD", "161.00", 1)]
    by_country = _get(client, world.guangdong, base + "&by=country").json()
    sums = {(g["key"], g["currency"]): g["sums"] for g in by_country["groups"]}
    assert sums == {
        ("HK", "USD"): {
            "OPN": "10.00",
            "TRN": "1.00",
            "PRC": "0.00",
            "EXR": "0.00",
            "OTH": "0.00",
            "CLS": "11.00",
        },
        ("US", "USD"): {
            "OPN": "100.00",
            "TRN": "50.00",
            "PRC": "0.00",
            "EXR": "0.00",
            "OTH": "0.00",
            "CLS": "150.00",
        },
    }
    assert {g["key"]: g["name_zh"] for g in by_country["groups"]}["HK"] != "HK"


def test_csv_exports(client: TestClient, world: World) -> None:
    got = _get(
        client, world.guangdong, "/v1/filings/completeness?form=EFAL-M&period=2026-10&format=csv"
    )
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert sorted(r["status"] for r in rows) == ["accepted", "overdue", "submitted"]
    got = _get(
        client,
        world.guangdong,
        "/v1/filings/aggregates?form=EFAL-M&period=2026-10&by=country&format=csv",
    )
    rows = list(csv.DictReader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert [(r["country"], r["CLS"]) for r in rows] == [("HK", "11.00"), ("US", "150.00")]


def test_who_may_ask(client: TestClient, world: World) -> None:
    for path in (
        "/v1/filings/completeness?form=EFAL-M&period=2026-10",
        "/v1/filings/aggregates?form=EFAL-M&period=2026-10",
    ):
        for who in (world.branch, world.head, world.enterprise, world.operator):
            refused = _get(client, who, path)
            assert refused.status_code == 403, (path, refused.text)
            assert refused.json()["type"].endswith("/forbidden")
        hunan = _get(client, world.hunan, path).json()  # a sibling province sees nothing
        assert hunan.get("institutions", hunan.get("groups")) == []
        outside = _get(client, world.shenzhen, path + "&jurisdiction=430000")
        assert outside.status_code == 403
        assert outside.json()["type"].endswith("/outside-subtree")
        assert client.get(path).status_code == 401
    missing = _get(client, world.guangdong, "/v1/filings/completeness?form=NOPE&period=2026-10")
    assert missing.status_code == 404
    bad = _get(client, world.guangdong, "/v1/filings/aggregates?form=TEST-STAT&period=2026-10")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.form"

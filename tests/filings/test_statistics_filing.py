"""Statistics filed by upload over HTTP: per-cell issues, the report, continuity with last
period's accepted filing, the deadline from the period's end, the lock and late
corrections, and who may do what (both databases)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from crossfin.core.db import Database
from support.filings import World, make_world, post
from support.stats_filing import load_shipped, pin_days, upload_new, upload_to
from support.stats_forms import clone, monthly, next_month

PROBLEMS = "https://crossfin.dev/problems/"
HK_HKD = {"INSTR": "A01", "CTRY": "HK", "CCY": "HKD"}


@pytest.fixture
def world(db: Database, monkeypatch: pytest.MonkeyPatch) -> World:
    load_shipped(db)
    return make_world(db)


def _broken() -> tuple[dict[str, Any], dict[str, Any]]:
    good = monthly(period="2026-10")
    bad = clone(good)
    bad["tables"]["A1"][2]["CLS"] += 5_00  # the HK/HKD row's identity is off by 5.00
    bad["tables"]["S1"][1]["CLS"] += 5_00  # its summary follows, so only the identity breaks
    return good, bad


def _accepted(client: TestClient, world: World, content: dict[str, Any]) -> dict[str, Any]:
    created = upload_new(client, world.branch, content)
    assert created.status_code == 201, created.text
    fid = created.json()["filing"]["id"]
    assert post(client, world.branch, fid, "submit").status_code == 200
    accepted = post(client, world.shenzhen, fid, "accept")
    assert accepted.status_code == 200, accepted.text
    return dict(created.json())


def test_an_uploaded_cell_error_is_named_reported_and_its_correction_accepted(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin_days(monkeypatch, date(2026, 11, 5))
    good, bad = _broken()
    created = upload_new(client, world.branch, bad)
    assert created.status_code == 201, created.text
    answer = created.json()
    fid = answer["filing"]["id"]
    assert answer["errors"] == 1 and answer["warnings"] == 0
    (issue,) = answer["issues"]
    assert (issue["table"], issue["row"], issue["column"]) == ("A1", HK_HKD, "CLS")
    assert issue["rule"] == "M-A1-SF" and issue["severity"] == "error"
    assert answer["continuity"]["checked"] is False and answer["continuity"]["note"]
    # 31 October 2026 is a Saturday: 10 working days from it end on Friday 13 November.
    assert answer["standing"]["due"] == "2026-11-13" and not answer["standing"]["locked"]
    assert answer["filing"]["deadline"]["due"] == "2026-11-13"

    report = client.get(f"/v1/filings/{fid}/report.csv", headers=world.branch.headers)
    assert report.status_code == 200
    rows = list(csv.DictReader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert [(r["table"], r["row"], r["column"], r["rule"]) for r in rows] == [
        ("A1", "INSTR=A01;CTRY=HK;CCY=HKD", "CLS", "M-A1-SF")
    ]
    book = client.get(f"/v1/filings/{fid}/report.xlsx", headers=world.branch.headers)
    assert load_workbook(io.BytesIO(book.content)).sheetnames[0] == "ISSUES"

    refused = post(client, world.branch, fid, "submit")
    assert refused.status_code == 422 and refused.json()["type"] == PROBLEMS + "filing-content"
    fixed = upload_to(client, world.branch, fid, good)
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["errors"] == 0 and fixed.json()["filing"]["current_version"] == 2
    assert post(client, world.branch, fid, "submit").status_code == 200
    assert post(client, world.shenzhen, fid, "accept").json()["state"] == "accepted"
    stats = client.get(f"/v1/filings/{fid}/statistics", headers=world.shenzhen.headers).json()
    assert stats["issues"] == [] and stats["standing"]["late"] is False


def test_a_file_that_does_not_parse_is_refused_whole_naming_its_cell(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin_days(monkeypatch, date(2026, 11, 5))
    text = (
        "table,period,INSTR,CTRY,CCY,OPN,TRN,PRC,EXR,OTH,CLS\nA1,2026-10,A01,US,USD,1x,0,0,0,0,0\n"
    )
    answer = client.post(
        "/v1/statistics/uploads?form=EFAL-M&period=2026-10&name=f.csv",
        content=text.encode(),
        headers=world.branch.headers | {"Content-Type": "text/csv"},
    )
    assert answer.status_code == 422, answer.text
    assert any(
        i["rule"] == "SHEET-NUMBER" and ".OPN" in i["location"] for i in answer.json()["issues"]
    )
    listed = client.get("/v1/filings?form=EFAL-M", headers=world.branch.headers).json()
    assert listed["items"] == []
    other = upload_new(client, world.branch, monthly(period="2026-09") | {"period": "2026-09"})
    assert other.status_code == 201  # a file for its own period is fine
    wrong = upload_to(client, world.branch, other.json()["filing"]["id"], monthly(period="2026-10"))
    assert wrong.status_code == 422 and wrong.json()["issues"][0]["rule"] == "SHEET-PERIOD"


def test_the_opening_is_checked_against_last_periods_accepted_closing(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin_days(monkeypatch, date(2026, 11, 5))
    october = monthly(period="2026-10")
    first = _accepted(client, world, october)
    november = next_month(october, "2026-11")
    moved = pin_days(monkeypatch, date(2026, 12, 2))
    moved(date(2026, 12, 2))
    clean = upload_new(client, world.branch, november)
    assert clean.status_code == 201, clean.text
    assert clean.json()["continuity"]["previous_reference"] == first["filing"]["reference"]
    assert clean.json()["issues"] == []
    broken = clone(november)
    broken["tables"]["A1"][0]["OPN"] += 1_00
    broken["tables"]["A1"][0]["CLS"] += 1_00
    broken["tables"]["S1"][0]["OPN"] += 1_00
    broken["tables"]["S1"][0]["CLS"] += 1_00
    fid = clean.json()["filing"]["id"]
    answer = upload_to(client, world.branch, fid, broken).json()
    cells = {(i["table"], i["column"], i["rule"]) for i in answer["issues"]}
    assert cells == {("A1", "OPN", "M-A1-CONT")}
    assert answer["issues"][0]["row"] == {"INSTR": "A01", "CTRY": "US", "CCY": "USD"}
    refused = post(client, world.branch, fid, "submit")
    assert refused.status_code == 422


def test_past_its_deadline_a_filing_is_locked_until_a_late_correction_is_approved(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    move = pin_days(monkeypatch, date(2026, 11, 5))
    good, _ = _broken()
    fid = _accepted(client, world, good)["filing"]["id"]
    move(date(2026, 11, 16))  # Monday after the due Friday
    assert post(client, world.shenzhen, fid, "return", {"reason": "A1 is wrong"}).status_code == 200
    locked = post(client, world.branch, fid, "resubmit")
    assert locked.status_code == 409 and locked.json()["type"] == PROBLEMS + "filing-locked"
    assert locked.json()["due"] == "2026-11-13"
    assert upload_to(client, world.branch, fid, good).status_code == 409
    assert post(client, world.shenzhen, fid, "late-correction/approve").status_code == 409
    reason = {"reason": "A booking error"}
    assert post(client, world.shenzhen, fid, "late-correction", reason).status_code == 403
    assert post(client, world.other_bank, fid, "late-correction", reason).status_code == 404
    asked = post(client, world.branch, fid, "late-correction", reason)
    assert asked.status_code == 200, asked.text
    assert post(client, world.branch, fid, "late-correction", reason).status_code == 409
    assert post(client, world.branch, fid, "late-correction/approve").status_code == 403
    assert post(client, world.hunan, fid, "late-correction/approve").status_code == 404
    approved = post(client, world.guangdong, fid, "late-correction/approve", {"note": "once"})
    assert approved.status_code == 200, approved.text
    stats = client.get(f"/v1/filings/{fid}/statistics", headers=world.branch.headers).json()
    assert stats["standing"]["late_request"] == "approved"
    assert stats["standing"]["window_until"] == "2026-11-23" and not stats["standing"]["locked"]
    assert upload_to(client, world.branch, fid, good).status_code == 200
    assert post(client, world.branch, fid, "resubmit").status_code == 200
    steps = [
        s["action"]
        for s in client.get(f"/v1/filings/{fid}", headers=world.branch.headers).json()["steps"]
    ]
    assert steps[-4:] == ["late-request", "late-approve", "content", "resubmit"]
    again = client.get(f"/v1/filings/{fid}/statistics", headers=world.branch.headers).json()
    assert again["standing"]["locked"] is True  # the window took one correction


def test_a_refused_late_correction_keeps_the_lock(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    move = pin_days(monkeypatch, date(2026, 11, 5))
    fid = _accepted(client, world, monthly(period="2026-10"))["filing"]["id"]
    move(date(2026, 11, 20))
    assert post(client, world.branch, fid, "late-correction", {"reason": "x"}).status_code == 200
    assert post(client, world.shenzhen, fid, "late-correction/refuse").status_code == 422
    refused = post(client, world.shenzhen, fid, "late-correction/refuse", {"note": "too late"})
    assert refused.status_code == 200 and refused.json()["state"] == "accepted"
    stats = client.get(f"/v1/filings/{fid}/statistics", headers=world.branch.headers).json()
    assert stats["standing"]["late_request"] == "refused" and stats["standing"]["locked"]


def test_a_draft_submitted_after_its_deadline_is_flagged_late(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    move = pin_days(monkeypatch, date(2026, 11, 5))
    created = upload_new(client, world.branch, monthly(period="2026-10"))
    fid = created.json()["filing"]["id"]
    move(date(2026, 11, 18))
    assert post(client, world.branch, fid, "submit").status_code == 200
    stats = client.get(f"/v1/filings/{fid}/statistics", headers=world.shenzhen.headers).json()
    assert stats["standing"]["late"] is True and stats["standing"]["due"] == "2026-11-13"


def test_only_the_chain_and_covering_regulators_read_or_upload(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin_days(monkeypatch, date(2026, 11, 5))
    good, bad = _broken()
    fid = upload_new(client, world.branch, bad).json()["filing"]["id"]
    for path in ("report.csv", "report.xlsx", "statistics"):
        url = f"/v1/filings/{fid}/{path}"
        for outsider in (world.shenzhen, world.other_bank, world.sibling, world.operator):
            assert client.get(url, headers=outsider.headers).status_code == 404, path
        assert client.get(url, headers=world.head.headers).status_code == 200
    assert upload_to(client, world.sibling, fid, good).status_code == 404
    assert upload_to(client, world.head, fid, good).status_code == 200
    assert post(client, world.branch, fid, "submit").status_code == 200
    assert (
        client.get(f"/v1/filings/{fid}/report.csv", headers=world.shenzhen.headers).status_code
        == 200
    )
    assert (
        client.get(f"/v1/filings/{fid}/report.csv", headers=world.hunan.headers).status_code == 404
    )
    assert upload_to(client, world.shenzhen, fid, good).status_code == 403
    assert upload_to(client, world.branch, fid, good).status_code == 409  # submitted
    refused = upload_new(client, world.shenzhen, good)
    assert refused.status_code == 403

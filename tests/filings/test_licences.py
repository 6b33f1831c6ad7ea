"""A licence application over HTTP: materials required at submission, supplement asked
for once while the acceptance clock stops, acceptance starting the decision clock, one
recorded extension, the licensing outcomes, and who may do what (both databases)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.parties.models import OrgKind
from support.licences import (
    EXCHANGE_MATERIALS,
    Today,
    apply,
    apply_with_materials,
    attach,
    licence,
    load_licence_types,
    move,
)
from support.parties import Party, make_party

PROBLEMS = "https://crossfin.dev/problems/"


@pytest.fixture
def parties(db: Database) -> dict[str, Party]:
    load_licence_types(db)
    return {
        "firm": make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305", name_zh="鹏程兑换"),
        "other_firm": make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305"),
        "shenzhen": make_party(db, OrgKind.REGULATOR, jurisdiction="440300"),
        "hunan": make_party(db, OrgKind.REGULATOR, jurisdiction="430000"),
    }


def _ok(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_an_application_from_submission_to_decision(
    client: TestClient, parties: dict[str, Party], monkeypatch: pytest.MonkeyPatch
) -> None:
    firm, regulator = parties["firm"], parties["shenzhen"]
    today = Today(monkeypatch, date(2026, 10, 12))  # a Monday
    fid = int(apply(client, firm)["id"])
    for material in EXCHANGE_MATERIALS[:-1]:
        assert attach(client, firm, fid, material).status_code == 201
    refused = move(client, firm, fid, "submit")
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"] == PROBLEMS + "validation"
    assert [e["field"] for e in refused.json()["errors"]] == ["materials.capital_proof"]
    assert _ok(licence(client, firm, fid))["state"] == "drafted"  # nothing changed
    assert attach(client, firm, fid, "capital_proof").status_code == 201
    submitted = _ok(move(client, firm, fid, "submit"))
    assert submitted["state"] == "submitted"
    view = _ok(licence(client, regulator, fid))
    assert view["clocks"]["acceptance"]["due"] == "2026-10-19"  # 13..16, 19
    assert view["clocks"]["decision"] is None
    assert all(m["attachments"] for m in view["materials"] if m["required"])

    today.day = date(2026, 10, 13)  # counted; the clock stops at its end
    body = {"reason": "补充经营场所租赁合同 / Add the premises lease"}
    assert _ok(move(client, regulator, fid, "return", body))["state"] == "returned"
    assert _ok(licence(client, firm, fid))["clocks"]["acceptance"]["paused"] is True
    today.day = date(2026, 10, 20)  # the supplement arrives: 14..20 do not count
    assert attach(client, firm, fid, "premises", "image/png").status_code == 201
    _ok(move(client, firm, fid, "resubmit"))
    again = move(client, regulator, fid, "return", body)  # supplement is asked for once
    assert again.status_code == 409 and again.json()["state"] == "resubmitted"
    clocks = _ok(licence(client, firm, fid))["clocks"]
    assert clocks["acceptance"]["due"] == "2026-10-26"  # 13, then 21, 22, 23, 26

    today.day = date(2026, 10, 21)
    accepted = _ok(move(client, regulator, fid, "accept"))
    assert accepted["acknowledgement"].startswith("ACK-20261021-")
    view = _ok(licence(client, firm, fid))
    assert view["review_started"] == "2026-10-21"
    acceptance, decision = view["clocks"]["acceptance"], view["clocks"]["decision"]
    assert acceptance["overdue"] is False and acceptance["working_days_left"] == 3
    assert decision["due"] == "2026-11-18" and decision["working_days_left"] == 20

    extend = {"reason": "需现场核查 / On-site inspection", "approver": "王强 Deputy Director"}
    assert move(client, firm, fid, "extend", extend).status_code == 403
    assert move(client, parties["hunan"], fid, "extend", extend).status_code == 404
    extended = _ok(move(client, regulator, fid, "extend", extend))
    assert extended["clocks"]["decision"]["due"] == "2026-12-02"  # ten more working days
    assert extended["steps"][-1]["action"] == "extend"
    assert extended["steps"][-1]["note"] == extend["reason"]
    twice = move(client, regulator, fid, "extend", extend)
    assert twice.status_code == 409 and twice.json()["type"] == PROBLEMS + "conflict"

    today.day = date(2026, 11, 20)  # late without the extension, in time with it
    assert _ok(licence(client, firm, fid))["clocks"]["decision"]["overdue"] is False
    _ok(move(client, regulator, fid, "review", {"note": "inspected"}))
    wrong = move(client, regulator, fid, "decide", {"outcome": "granted", "reasons": "ok"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "outcome"
    decided = _ok(
        move(client, regulator, fid, "decide", {"outcome": "approved", "reasons": "材料齐全"})
    )
    assert decided["state"] == "decided" and decided["outcome"] == "approved"
    assert decided["verification_code"].startswith("LV-")


def test_the_acceptance_clock_goes_overdue_and_stops_at_acceptance(
    client: TestClient, parties: dict[str, Party], monkeypatch: pytest.MonkeyPatch
) -> None:
    today = Today(monkeypatch, date(2026, 11, 2))
    fid = apply_with_materials(client, parties["firm"])
    _ok(move(client, parties["firm"], fid, "submit"))
    today.day = date(2026, 11, 10)  # due 11-09
    late = _ok(licence(client, parties["firm"], fid))["clocks"]["acceptance"]
    assert late["due"] == "2026-11-09" and late["overdue"] is True
    assert late["working_days_left"] == -1
    _ok(move(client, parties["shenzhen"], fid, "accept"))
    today.day = date(2026, 11, 30)  # judged on the day of acceptance from now on
    after = _ok(licence(client, parties["firm"], fid))["clocks"]["acceptance"]
    assert after["overdue"] is True and after["working_days_left"] == -1
    # A supplement once accepted is no longer possible: the acceptance stage is over.
    asked = move(client, parties["shenzhen"], fid, "return", {"reason": "more"})
    assert asked.status_code == 409


def test_rejection_at_acceptance_needs_its_reasons(
    client: TestClient, parties: dict[str, Party], monkeypatch: pytest.MonkeyPatch
) -> None:
    Today(monkeypatch, date(2026, 11, 2))
    fid = apply_with_materials(client, parties["firm"])
    _ok(move(client, parties["firm"], fid, "submit"))
    regulator = parties["shenzhen"]
    other = move(client, regulator, fid, "close", {"outcome": "closed", "reasons": "x"})
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "outcome"
    bare = move(client, regulator, fid, "close", {"outcome": "rejected"})
    assert bare.status_code == 422 and bare.json()["errors"][0]["field"] == "reasons"
    assert _ok(licence(client, regulator, fid))["state"] == "submitted"
    body = {"outcome": "rejected", "reasons": "不属于本机关职权范围 / Not within our remit"}
    closed = _ok(move(client, regulator, fid, "close", body))
    assert closed["state"] == "closed" and closed["outcome"] == "rejected"
    assert closed["verification_code"] is None


def test_materials_name_one_of_the_types_materials(
    client: TestClient, parties: dict[str, Party], monkeypatch: pytest.MonkeyPatch
) -> None:
    Today(monkeypatch, date(2026, 11, 2))
    firm = parties["firm"]
    fid = int(apply(client, firm)["id"])
    unnamed = client.post(
        f"/v1/filings/{fid}/attachments?name=a.pdf",
        content=b"%PDF-1.7",
        headers=firm.headers | {"Content-Type": "application/pdf"},
    )
    assert unnamed.status_code == 422 and unnamed.json()["errors"][0]["field"] == "material"
    unknown = attach(client, firm, fid, "passport")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "material"
    # The internal-controls document is a PDF only, though the type takes images too.
    image = attach(client, firm, fid, "internal_controls", "image/png")
    assert image.status_code == 422 and image.json()["errors"][0]["field"] == "media_type"
    assert _ok(licence(client, firm, fid))["attachments"] == []


def test_outsiders_see_nothing_and_the_other_side_is_refused(
    client: TestClient, parties: dict[str, Party], monkeypatch: pytest.MonkeyPatch
) -> None:
    Today(monkeypatch, date(2026, 11, 2))
    fid = apply_with_materials(client, parties["firm"])
    # A draft is the applicant's alone, even to the covering regulator.
    assert licence(client, parties["shenzhen"], fid).status_code == 404
    _ok(move(client, parties["firm"], fid, "submit"))
    for outsider in (parties["other_firm"], parties["hunan"]):
        assert licence(client, outsider, fid).status_code == 404
        pdf = client.get(f"/v1/licences/{fid}/decision.pdf", headers=outsider.headers)
        assert pdf.status_code == 404
    assert move(client, parties["firm"], fid, "accept").status_code == 403
    assert move(client, parties["shenzhen"], fid, "withdraw").status_code == 403
    early = client.get(f"/v1/licences/{fid}/decision.pdf", headers=parties["firm"].headers)
    assert early.status_code == 409
    assert client.get(f"/v1/licences/{fid}").status_code == 401

"""Statistics filings for the regulator views: the shipped EFAL-M form, filed through the
API (drafting.create_filing, workflow.submit/accept behind it), with the clock pinned."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.filings.builtin import load_builtin
from crossfin.ledger.uow import UnitOfWork
from support.parties import TEST_ACTOR, Party


def load_efal(db: Database) -> None:
    with UnitOfWork(db, TEST_ACTOR) as uow:
        load_builtin(uow)
        uow.commit()


def pin(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    """Now is noon (China) of `day`, for business dates and the workflow's timestamps."""
    moment = datetime.fromisoformat(f"{day}T04:00:00").replace(tzinfo=UTC)
    monkeypatch.setattr("crossfin.core.clock.utcnow", lambda: moment)
    monkeypatch.setattr("crossfin.filings.workflow.utcnow", lambda: moment)


def efal(period: str, rows: list[tuple[str, str, int, int]]) -> dict[str, Any]:
    """EFAL-M content: A1 rows (country, currency, opening, transactions) in minor units,
    closing = opening + transactions, and the S1 summary that adds them up."""
    a1 = [
        {
            "INSTR": "A01",
            "CTRY": c,
            "CCY": ccy,
            "OPN": o,
            "TRN": t,
            "PRC": 0,
            "EXR": 0,
            "OTH": 0,
            "CLS": o + t,
        }
        for c, ccy, o, t in rows
    ]
    s1: dict[str, dict[str, Any]] = {}
    for row in a1:
        total = s1.setdefault(
            row["CCY"],
            {"INSTR": "A01", "CCY": row["CCY"]}
            | dict.fromkeys(("OPN", "TRN", "PRC", "EXR", "OTH", "CLS"), 0),
        )
        for col in ("OPN", "TRN", "PRC", "EXR", "OTH", "CLS"):
            total[col] += row[col]
    return {
        "form": "EFAL-M",
        "version": 1,
        "period": period,
        "tables": {"A1": a1, "S1": list(s1.values())},
    }


def file_efal(
    client: TestClient,
    who: Party,
    period: str,
    rows: list[tuple[str, str, int, int]],
    *,
    accept_by: Party | None = None,
    submit: bool = True,
) -> int:
    """Draft (and submit, and accept) an EFAL-M filing; its id."""
    body = {"form": "EFAL-M", "period": period, "content": efal(period, rows)}
    made = client.post("/v1/filings", json=body, headers=who.headers)
    assert made.status_code == 201, made.text
    fid = int(made.json()["id"])
    if submit:
        done = client.post(f"/v1/filings/{fid}/submit", json={}, headers=who.headers)
        assert done.status_code == 200, done.text
    if accept_by is not None:
        done = client.post(f"/v1/filings/{fid}/accept", json={}, headers=accept_by.headers)
        assert done.status_code == 200, done.text
    return fid

"""Licence applications in tests: the shipped licence types, an application with its
materials, and the business date pinned (both clocks must stay inside 2026, the last
year the installed working-day calendar covers)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.filings.builtin import load_builtin
from crossfin.ledger.uow import UnitOfWork
from support.parties import TEST_ACTOR, Party

EXCHANGE = "LIC-MONEY-EXCHANGE"
EXCHANGE_MATERIALS = (
    "application_letter",
    "business_licence",
    "premises",
    "internal_controls",
    "capital_proof",
)
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"
BASICS = {
    "applicant_name": "深圳市鹏程货币兑换有限公司",
    "contact": "李娜 +86 755 8888 0000",
    "summary": "Two exchange counters at Shenzhen Bay port",
}


def load_licence_types(db: Database) -> None:
    with UnitOfWork(db, TEST_ACTOR) as uow:
        load_builtin(uow)
        uow.commit()


class Today:
    """The business date, moved by tests: `crossfin.core.clock.utcnow` at 10:00 CST."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, day: date) -> None:
        self.day = day
        monkeypatch.setattr("crossfin.core.clock.utcnow", self.now)

    def now(self) -> datetime:
        return datetime.combine(self.day, time(2, 0), tzinfo=UTC)


def apply(client: TestClient, who: Party, form: str = EXCHANGE) -> dict[str, Any]:
    body = {"form": form, "content": BASICS}
    answer = client.post("/v1/filings", json=body, headers=who.headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def attach(
    client: TestClient, who: Party, filing_id: int, material: str, media: str = "application/pdf"
) -> Any:
    return client.post(
        f"/v1/filings/{filing_id}/attachments?name={material}.pdf&material={material}",
        content=PDF,
        headers=who.headers | {"Content-Type": media},
    )


def apply_with_materials(client: TestClient, who: Party) -> int:
    filing_id = int(apply(client, who)["id"])
    for material in EXCHANGE_MATERIALS:
        assert attach(client, who, filing_id, material).status_code == 201
    return filing_id


def move(client: TestClient, who: Party, filing_id: int, action: str, body: Any = None) -> Any:
    path = "licences" if action == "extend" else "filings"
    return client.post(f"/v1/{path}/{filing_id}/{action}", json=body or {}, headers=who.headers)


def licence(client: TestClient, who: Party, filing_id: int) -> Any:
    return client.get(f"/v1/licences/{filing_id}", headers=who.headers)

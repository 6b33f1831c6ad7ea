"""Statistics filings over HTTP: the shipped forms loaded, a pinned business date, files
built from consistent content (support.stats_forms) and posted as a bank would."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.filings.builtin import load_builtin
from crossfin.filings.forms import load_form
from crossfin.ledger.uow import UnitOfWork
from support.parties import TEST_ACTOR, Party
from support.stats_sheets import filled_csv, filled_xlsx

# Every module that stamps filings' times with its own `utcnow` import, besides the clock's.
CLOCKED = (
    "crossfin.core.clock",
    "crossfin.filings.steps",
    "crossfin.filings.workflow",
    "crossfin.filings.drafting",
    "crossfin.filings.versions",
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def load_shipped(db: Database) -> None:
    with UnitOfWork(db, TEST_ACTOR) as uow:
        load_builtin(uow)
        uow.commit()


def pin_days(monkeypatch: pytest.MonkeyPatch, first: date) -> Callable[[date], None]:
    """Pin China's business date to `first` (10:00 CST); the returned function moves it."""
    now = {"at": first}

    def utcnow() -> datetime:
        day = now["at"]
        return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)

    for module in CLOCKED:
        monkeypatch.setattr(f"{module}.utcnow", utcnow)

    def move(day: date) -> None:
        now["at"] = day

    return move


def file_of(content: dict[str, Any], fmt: str = "csv") -> bytes:
    form = load_form(content["form"])
    return filled_xlsx(form, content) if fmt == "xlsx" else filled_csv(form, content)


def upload_new(client: TestClient, who: Party, content: dict[str, Any], fmt: str = "csv") -> Any:
    """POST /v1/statistics/uploads with the file as a raw body."""
    media = XLSX if fmt == "xlsx" else "text/csv"
    return client.post(
        f"/v1/statistics/uploads?form={content['form']}&period={content['period']}&name=efal.{fmt}",
        content=file_of(content, fmt),
        headers=who.headers | {"Content-Type": media},
    )


def upload_to(
    client: TestClient, who: Party, filing_id: int, content: dict[str, Any], fmt: str = "xlsx"
) -> Any:
    """POST /v1/filings/{id}/upload as multipart, as the portal and curl send it."""
    media = XLSX if fmt == "xlsx" else "text/csv"
    files = {"file": (f"efal.{fmt}", file_of(content, fmt), media)}
    return client.post(f"/v1/filings/{filing_id}/upload", files=files, headers=who.headers)

"""A small world for filings: a form, a bank with two branches, another bank, an
enterprise, regulators of Guangdong, Shenzhen and Hunan (a sibling province)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.filings.catalogue import set_form
from crossfin.filings.schemas import FormIn
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.models import OrgKind, Role
from support.parties import TEST_ACTOR, Party, another_principal, make_party

FORM = "TEST-STAT"
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"


def form_in(**overrides: Any) -> FormIn:
    fields: dict[str, Any] = {
        "code": FORM,
        "version": 1,
        "system": "licence",
        "name_zh": "测试统计表",
        "name_en": "Test statistics",
        "definition": {"required": ["period", "tables"]},
        "media_types": ["application/pdf", "text/csv"],
        "max_bytes": 100,
        "max_count": 2,
        "deadline_days": 5,
        "clock_starts": "submitted",
        "effective_from": date(2026, 1, 1),
    }
    return FormIn.model_validate(fields | overrides)


def load_form(db: Database, **overrides: Any) -> None:
    with UnitOfWork(db, TEST_ACTOR) as uow:
        set_form(uow, form_in(**overrides))
        uow.commit()


@dataclass
class World:
    head: Party  # the bank's head office
    head_user: Party  # another user of the head office
    branch: Party  # its Shenzhen branch, the filer
    sibling: Party  # another branch of the same head office
    other_bank: Party
    enterprise: Party
    guangdong: Party  # province regulator over Shenzhen
    shenzhen: Party  # prefecture regulator
    hunan: Party  # a sibling province's regulator
    operator: Party


def make_world(db: Database) -> World:
    load_form(db)
    head = make_party(db, OrgKind.BANK, jurisdiction="440000")
    branch = make_party(db, OrgKind.BANK, jurisdiction="440300", parent_org_id=head.org_id)
    sibling = make_party(db, OrgKind.BANK, jurisdiction="440300", parent_org_id=head.org_id)
    return World(
        head=head,
        head_user=another_principal(db, head.org_id, Role.OPERATOR),
        branch=branch,
        sibling=sibling,
        other_bank=make_party(db, OrgKind.BANK, jurisdiction="440300"),
        enterprise=make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305"),
        guangdong=make_party(db, OrgKind.REGULATOR, jurisdiction="440000"),
        shenzhen=make_party(db, OrgKind.REGULATOR, jurisdiction="440300"),
        hunan=make_party(db, OrgKind.REGULATOR, jurisdiction="430000"),
        operator=make_party(db, OrgKind.OPERATOR),
    )


CONTENT = {"period": "2026-11", "tables": {"T1": [1, 2, 3]}}


def draft(client: TestClient, who: Party, **overrides: Any) -> dict[str, Any]:
    body = {"form": FORM, "period": "2026-11", "content": CONTENT} | overrides
    answer = client.post("/v1/filings", json=body, headers=who.headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def post(
    client: TestClient, who: Party, filing_id: int, action: str, body: dict[str, Any] | None = None
) -> Any:
    return client.post(f"/v1/filings/{filing_id}/{action}", json=body or {}, headers=who.headers)

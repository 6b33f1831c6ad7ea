"""The systems behind the generic workflow: a statistics filing is judged cell by cell by
its template at submission, and a risk report's content is prepared (ID numbers hashed)
on the generic entry point before anything is stored."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.core.errors import Conflict, ValidationFailed
from crossfin.filings.drafting import create_filing
from crossfin.filings.forms import load_form as shipped
from crossfin.filings.schemas import FilingIn
from crossfin.ledger.uow import UnitOfWork
from support.filings import load_form, make_world, post
from support.parties import TEST_ACTOR
from support.payments import caller_of
from support.stats_forms import monthly


def _statistics_form(db: Database) -> str:
    template = shipped("EFAL-M")
    load_form(
        db,
        code=template.code,
        version=template.version,
        system="statistics",
        definition=template.model_dump(mode="json"),
        effective_from=date(2026, 1, 1),
    )
    return template.code


def _draft(client: TestClient, who: Any, form: str, content: dict[str, Any]) -> int:
    body = {"form": form, "period": "2026-11", "content": content}
    answer = client.post("/v1/filings", json=body, headers=who.headers)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def test_a_broken_cell_blocks_submission_and_its_correction_passes(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    form = _statistics_form(db)
    content = monthly()
    good_closing = content["tables"]["A1"][2]["CLS"]
    content["tables"]["A1"][2]["CLS"] = good_closing + 5_00  # the identity is off by 5.00
    filing = _draft(client, world.branch, form, content)
    refused = post(client, world.branch, filing, "submit")
    assert refused.status_code == 422, refused.text
    located = {(i["location"], i["rule"]) for i in refused.json()["issues"]}
    assert any(loc.startswith("A1[") and loc.endswith(".CLS") for loc, _ in located), located
    assert post(client, world.branch, filing, "accept").status_code in (403, 409)
    content["tables"]["A1"][2]["CLS"] = good_closing
    fixed = post(client, world.branch, filing, "submit", {"content": content})
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["state"] == "submitted"


def test_a_statistics_form_must_carry_a_template(client: TestClient, db: Database) -> None:
    make_world(db)
    with pytest.raises(ValidationFailed) as refused:
        load_form(db, code="BAD-STAT", system="statistics", definition={"required": ["x"]})
    assert any(e.field.startswith("definition") for e in refused.value.errors)


def test_risk_report_content_is_prepared_on_the_generic_entry_point(
    client: TestClient, db: Database
) -> None:
    """Incomplete content is refused naming its fields, before anything is stored; a
    caller without the settings that locate the ID-hash key cannot store a report."""
    world = make_world(db)
    load_form(db, code="RISK-REPORT", system="risk_report", definition={})
    body = {"form": "RISK-REPORT", "content": {"category": "underground_banking"}}
    answer = client.post("/v1/filings", json=body, headers=world.branch.headers)
    assert answer.status_code == 422, answer.text
    assert {"subjects", "transactions", "narrative"} <= {
        e["field"] for e in answer.json()["errors"]
    }
    with UnitOfWork(db, TEST_ACTOR) as uow, pytest.raises(Conflict):
        caller = caller_of(db, world.branch)
        create_filing(uow, caller, FilingIn.model_validate(body))

"""Dates and moments are ISO text only: numbers (Unix timestamps) are refused everywhere."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from crossfin.core.db import Database
from crossfin.documents.access.schemas import ConsentIn
from crossfin.financing.schemas import DisburseIn, FxRateIn, RepayIn
from crossfin.parties.models import OrgKind
from support.parties import make_party


@pytest.mark.parametrize(
    "value", ["0", '"0"', "1700000000", '"2026-12-01T00:00:00+08:00"', '"20261201"']
)
def test_a_date_is_written_yyyy_mm_dd(value: str) -> None:
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        DisburseIn.model_validate_json(f'{{"value_date": {value}}}')
    with pytest.raises(ValidationError):
        RepayIn.model_validate_json(f'{{"amount": "1.00", "value_date": {value}}}')
    with pytest.raises(ValidationError):
        FxRateIn.model_validate_json(f'{{"date": {value}, "pair": "USD/CNY", "rate": "7.1"}}')


def test_iso_dates_and_moments_still_pass() -> None:
    assert (
        str(DisburseIn.model_validate_json('{"value_date": "2026-12-01"}').value_date)
        == "2026-12-01"
    )
    consent = ConsentIn.model_validate_json(
        '{"bank_org_id": 1, "scopes": ["vat_invoice"], "expires_at": "2026-12-31T23:59:59+08:00"}'
    )
    assert consent.expires_at.utcoffset() is not None


@pytest.mark.parametrize("value", ["0", '"0"', '"2026-12-31"', '"2026-12-31T23:59:59"'])
def test_a_moment_needs_its_date_time_and_offset(value: str) -> None:
    with pytest.raises(ValidationError):
        ConsentIn.model_validate_json(
            f'{{"bank_org_id": 1, "scopes": ["vat_invoice"], "expires_at": {value}}}'
        )


def test_the_api_names_the_field(client: TestClient, db: Database) -> None:
    firm, bank = make_party(db, OrgKind.ENTERPRISE), make_party(db, OrgKind.BANK)
    answer = client.post(
        "/v1/consents",
        headers=firm.headers,
        json={"bank_org_id": bank.org_id, "scopes": ["vat_invoice"], "expires_at": 0},
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "expires_at"

"""A P1 review task shows the office that reviews it: the payer's county's business, routed
by `handling_office` when the task is read (API and portal, bank and regulator)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.parties.models import OrgKind, Role
from support.ledger import quiet_settings, sign
from support.parties import make_party
from support.payments import freight_invoice, make_forwarders, payment_body, submit
from support.web import add_user, login


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return quiet_settings(settings)


def test_the_reviewing_office_follows_the_payers_county(
    client: TestClient, db: Database, settings: Settings
) -> None:
    fw = make_forwarders(db, banks=1, county="440305")  # the regulator sits at 440000
    head = make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="000000")
    rate = {"rate_bp": 10000, "reason": "all"}
    # JSON false is not a rate of 0 (found by the fuzzer): refused naming the field.
    refused = client.post(
        "/v1/p1-sample-rate", json=rate | {"rate_bp": False}, headers=head.headers
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "rate_bp"
    assert client.post("/v1/p1-sample-rate", json=rate, headers=head.headers).status_code == 200
    doc = freight_invoice(db, fw, category="goods")
    body = payment_body(fw, [doc], "10.00") | {"scenario": "P1", "source_of_funds": "capital"}
    submit(db, fw.banks[0], body)
    sign(db, settings)
    assert client.post("/v1/p1-samples", headers=head.headers).status_code == 201

    def task(who: dict[str, str]) -> dict[str, object]:
        [one] = client.get("/v1/p1-review-tasks", headers=who).json()["items"]
        return one  # type: ignore[no-any-return]

    assert task(fw.banks[0].headers)["reviewing_org_id"] == fw.regulator.org_id
    # Guangdong dispatches an office to Nanshan: the open task is now its to review.
    office = make_party(
        db, OrgKind.REGULATOR, jurisdiction="440305", parent_org_id=fw.regulator.org_id
    )
    for who in (fw.banks[0].headers, office.headers, head.headers):
        seen = task(who)
        assert seen["reviewing_org_id"] == office.org_id, who
        assert str(seen["reviewing_office"]).startswith("Test regulator")
    login(client, add_user(db, fw.regulator.org_id))
    page = client.get("/p1-reviews").text
    assert 'data-test="reviewing-office">Test regulator' in page
    assert "审核机构" in client.get("/p1-reviews", headers={"Accept-Language": "zh-CN"}).text

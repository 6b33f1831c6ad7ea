"""One page per enterprise: `GET /v1/enterprises/{id}/overview` and the portal's
`/enterprises/{id}`, one use case (web/enterprise_data.py). Its regulators read all of it,
the enterprise itself all but the regulators' alerts and cases; to a regulator beside it
the firm is missing (404, word for word as for none), to everyone else 403."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from crossfin.core.db import Database
from crossfin.core.web.i18n import LANGUAGE_COOKIE
from crossfin.parties.models import Organization
from support.enterprise import NOTE, EnterpriseWorld, build
from support.parties import Party
from support.web import add_user, login


@pytest.fixture
def world(client: TestClient, db: Database) -> EnterpriseWorld:
    return build(client, db)


def _overview(client: TestClient, who: Party, org_id: int) -> Any:
    return client.get(f"/v1/enterprises/{org_id}/overview", headers=who.headers)


def test_the_regulator_reads_every_part(client: TestClient, world: EnterpriseWorld) -> None:
    answer = _overview(client, world.province, world.firm.org_id)
    assert answer.status_code == 200, answer.text
    e = answer.json()
    who = e["identity"]
    assert (who["id"], who["uscc"], who["size"], who["trade_class"]) == (
        world.firm.org_id,
        world.fw.uscc,
        "unknown",
        "B",
    )
    assert [d["code"] for d in who["path"]] == ["440000", "440300", "440305"]
    assert who["county"]["code"] == "440305" and who["county"]["name_zh"] == "南山区"
    assert [r["trade_class"] for r in e["class_history"]] == ["B", "A"]

    docs = e["documents"]
    assert docs["total"] == 4
    assert {k["kind"]: k["count"] for k in docs["by_kind"]} == {
        "bill_of_lading": 1,
        "customs_declaration": 2,
        "vat_invoice": 1,
    }
    [bill] = [d for d in docs["newest"] if d["kind"] == "bill_of_lading"]
    assert (bill["value"], bill["currency"]) == (None, None)
    assert {d["href"] for d in docs["newest"]} >= {
        f"/v1/documents/customs_declaration/{d.key}" for d in world.docs
    }

    fin = e["financings"]
    assert fin["total"] == 2
    assert [(g["scenario"], g["state"], g["count"], g["amount"]) for g in fin["groups"]] == [
        ("F1", "registered", 2, "80000.00")
    ]
    banks = {f["bank_org_id"] for f in fin["newest"]}
    assert banks == {b.org_id for b in world.fw.banks}  # across every bank
    assert {f["href"] for f in fin["newest"]} == {
        f"/v1/financings/{f['id']}" for f in world.financings
    }

    pay = e["payments"]
    assert pay["total"] == 1 and pay["newest"][0]["href"] == f"/v1/payments/{world.payment_id}"
    [group] = pay["groups"]
    assert (group["scenario"], group["currency"], group["amount"]) == ("P3", "USD", "1000.00")

    sup = e["supervision"]
    assert sup["alerts_total"] == 2
    assert {a["href"] for a in sup["alerts"]} == {f"/v1/alerts/{i}" for i in world.alerts}
    assert [(c["id"], c["state"], c["outcome"]) for c in sup["cases"]] == [
        (world.open_case, "open", None),
        (world.closed_case, "closed", "warning_issued"),
    ]
    [record] = e["regulatory_records"]
    assert (record["outcome"], record["concerning"]) == ("warning_issued", ["over-financing"])
    [consent] = e["consents"]
    assert (consent["bank_org_id"], consent["scopes"], consent["status"]) == (
        world.fw.banks[0].org_id,
        ["credit_profile"],
        "active",
    )
    assert NOTE not in answer.text  # the cases' notes stay on the cases' own pages


def test_every_regulator_above_it_reads_it(client: TestClient, world: EnterpriseWorld) -> None:
    for regulator in (world.head, world.province, world.prefecture):  # prefecture: an auditor
        answer = _overview(client, regulator, world.firm.org_id)
        assert answer.status_code == 200, answer.text
        assert answer.json()["supervision"]["alerts_total"] == 2


def test_alerts_filed_outside_the_subtree_are_not_listed(
    client: TestClient, db: Database, world: EnterpriseWorld
) -> None:
    from crossfin.ledger.uow import UnitOfWork
    from crossfin.parties.alerts import AlertKind, raise_alert
    from support.parties import TEST_ACTOR

    with UnitOfWork(db, TEST_ACTOR) as uow:  # about the firm, filed in Shanghai
        raise_alert(
            uow,
            AlertKind.OVERDUE,
            subject_org_id=world.firm.org_id,
            jurisdiction_path="/000000/310000/310100/310115/",
            details={},
        )
        uow.commit()
    shenzhen = _overview(client, world.prefecture, world.firm.org_id).json()["supervision"]
    head = _overview(client, world.head, world.firm.org_id).json()["supervision"]
    assert (shenzhen["alerts_total"], head["alerts_total"]) == (2, 3)


def test_the_enterprise_reads_its_own_page_without_the_regulators_work(
    client: TestClient, world: EnterpriseWorld
) -> None:
    answer = _overview(client, world.firm, world.firm.org_id)
    assert answer.status_code == 200, answer.text
    e = answer.json()
    assert e["supervision"] is None
    assert e["financings"]["total"] == 2 and len(e["regulatory_records"]) == 1
    assert f"/v1/alerts/{world.alerts[0]}" not in answer.text


def _refusals(world: EnterpriseWorld) -> dict[str, Party]:
    return {
        "a bank with its consent": world.fw.banks[0],
        "a bank without consent": world.fw.banks[1],
        "another enterprise": world.stranger,
        "a source": world.customs,
        "the operator": world.operator,
    }


def test_everyone_else_is_refused_whether_or_not_the_firm_exists(
    client: TestClient, world: EnterpriseWorld
) -> None:
    for name, who in _refusals(world).items():
        for org_id in (world.firm.org_id, 987654):
            answer = _overview(client, who, org_id)
            assert answer.status_code == 403, (name, org_id, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["type"].endswith("/forbidden")


def test_a_regulator_beside_it_finds_no_such_enterprise(
    client: TestClient, world: EnterpriseWorld
) -> None:
    for regulator in (world.sibling, world.other_prefecture):
        hidden = _overview(client, regulator, world.firm.org_id)
        absent = _overview(client, regulator, 987654)
        assert hidden.status_code == absent.status_code == 404
        assert hidden.json()["detail"] == f"no enterprise {world.firm.org_id}"
        assert absent.json()["detail"] == "no enterprise 987654"
        assert hidden.json()["type"] == absent.json()["type"]
    # A bank is an organization the regulator supervises, but it has no enterprise page.
    bank = _overview(client, world.head, world.fw.banks[0].org_id)
    assert bank.status_code == 404


def test_the_size_when_known(client: TestClient, db: Database, world: EnterpriseWorld) -> None:
    with db.session() as session:
        session.execute(
            update(Organization).where(Organization.id == world.firm.org_id).values(size="small")
        )
        session.commit()
    assert _overview(client, world.province, world.firm.org_id).json()["identity"]["size"] == (
        "small"
    )


# -- the portal ----------------------------------------------------------------------------


def _page(app: FastAPI, db: Database, who: Party, org_id: int, lang: str = "en") -> Any:
    with TestClient(app, raise_server_exceptions=False) as browser:
        assert login(browser, add_user(db, who.org_id)).status_code == 303
        browser.cookies.set(LANGUAGE_COOKIE, lang)
        return browser.get(f"/enterprises/{org_id}")


def test_the_page_links_every_record_to_its_own_page(
    app: FastAPI, db: Database, world: EnterpriseWorld
) -> None:
    page = _page(app, db, world.province, world.firm.org_id)
    assert page.status_code == 200, page.text
    html = page.text
    for f in world.financings:
        assert f'href="/financing/{f["id"]}"' in html
    for d in world.docs:
        assert f'href="/documents/customs_declaration/{d.key}"' in html
    for a in world.alerts:
        assert f'href="/alerts/{a}"' in html
    assert f'href="/cases/{world.closed_case}"' in html
    assert 'data-test="breadcrumbs">Guangdong' in html
    assert f'href="/classes/{world.firm.org_id}"' in html
    assert "Warning issued" in html and NOTE not in html


def test_the_page_in_chinese(app: FastAPI, db: Database, world: EnterpriseWorld) -> None:
    page = _page(app, db, world.province, world.firm.org_id, lang="zh")
    assert page.status_code == 200, page.text
    assert "广东省 › 深圳市 › 南山区" in page.text
    assert "已发出警示" in page.text and "未知" in page.text


def test_the_page_refuses_as_the_api_does(
    app: FastAPI, db: Database, world: EnterpriseWorld
) -> None:
    assert _page(app, db, world.fw.banks[1], world.firm.org_id).status_code == 403
    assert _page(app, db, world.stranger, world.firm.org_id).status_code == 403
    assert _page(app, db, world.sibling, world.firm.org_id).status_code == 404
    assert _page(app, db, world.other_prefecture, world.firm.org_id).status_code == 404
    own = _page(app, db, world.firm, world.firm.org_id)
    assert own.status_code == 200 and 'data-test="alerts"' not in own.text


def test_amounts_are_sums_per_currency(client: TestClient, world: EnterpriseWorld) -> None:
    e = _overview(client, world.province, world.firm.org_id).json()
    total = sum(Decimal(f["amount"]) for f in e["financings"]["newest"])
    assert total == Decimal(e["financings"]["groups"][0]["amount"])

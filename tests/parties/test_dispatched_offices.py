"""Where an enterprise and a regulator may sit, and dispatched offices (onboarding, API and
CLI): every refusal names its field and changes nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from crossfin.cli.main import app as cli_app
from crossfin.core.db import Database
from crossfin.parties.models import Organization, OrgKind, Role
from support.parties import Party, make_party, org_in

runner = CliRunner()


@pytest.fixture
def operator(db: Database) -> Party:
    return make_party(db, OrgKind.OPERATOR, Role.ADMIN)


def _orgs(db: Database) -> int:
    with db.session(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(Organization)) or 0


def _add(client: TestClient, operator: Party, body: dict[str, Any]) -> Any:
    return client.post("/v1/orgs", json=body, headers=operator.headers)


def _office(seat: str, parent: int | None, name: str = "Office") -> dict[str, Any]:
    body: dict[str, Any] = {"kind": "regulator", "name": name, "jurisdictions": [seat]}
    return body | ({"parent_org_id": parent} if parent is not None else {})


def _refused(response: Any, field: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    body: dict[str, Any] = response.json()
    assert body["type"].endswith("/validation")
    assert field in {e["field"] for e in body["errors"]}, body
    return body


@pytest.mark.parametrize("seat", ["440300", "440000", "000000", "429000"])
def test_an_enterprise_above_a_county_is_refused(
    client: TestClient, db: Database, operator: Party, seat: str
) -> None:
    # 429000 is Hubei's pseudo-prefecture of province-administered county-level cities.
    before = _orgs(db)
    body = org_in(OrgKind.ENTERPRISE, jurisdiction="440305").model_dump(mode="json")
    body["jurisdictions"] = [seat]
    problem = _refused(_add(client, operator, body), "jurisdictions[0]")
    assert "county" in problem["errors"][0]["reason"] and "successor" not in problem
    assert _orgs(db) == before


def test_a_retired_county_is_refused_with_its_successor_in_the_answer(
    client: TestClient, db: Database, operator: Party
) -> None:
    body = org_in(OrgKind.ENTERPRISE, jurisdiction="330105").model_dump(mode="json")
    body["jurisdictions"] = ["330103"]  # 下城区, merged into 拱墅区 330105 in 2021
    before = _orgs(db)
    problem = _refused(_add(client, operator, body), "jurisdictions[0]")
    assert problem["successor"] == "330105"
    assert _orgs(db) == before


@pytest.mark.parametrize("seat", ["429004", "469001", "659001", "441900", "110101"])
def test_county_level_seats_under_a_province_hold_firms(
    client: TestClient, operator: Party, seat: str
) -> None:
    # Xiantao (Hubei), Wuzhishan (Hainan), Shihezi (the XPCC), Dongguan (no counties),
    # Dongcheng (a Beijing district under the municipality's pseudo-prefecture).
    body = org_in(OrgKind.ENTERPRISE, jurisdiction=seat).model_dump(mode="json")
    added = _add(client, operator, body)
    assert added.status_code == 201, added.text
    assert added.json()["jurisdiction"] == seat


def test_a_regulator_at_a_county_needs_a_parent(
    client: TestClient, db: Database, operator: Party
) -> None:
    before = _orgs(db)
    problem = _refused(_add(client, operator, _office("440305", None)), "parent_org_id")
    assert "dispatched office" in problem["detail"]
    assert _orgs(db) == before


def test_a_dispatched_office_sits_in_its_parents_subtree(
    client: TestClient, db: Database, operator: Party
) -> None:
    canton = make_party(db, OrgKind.REGULATOR, jurisdiction="440100")
    before = _orgs(db)
    problem = _refused(
        _add(client, operator, _office("440305", canton.org_id)), "parent_org_id"
    )  # Nanshan is in Shenzhen, not in Guangzhou
    assert "outside the subtree" in problem["detail"]
    assert _orgs(db) == before


@pytest.mark.parametrize("parent_kind", [OrgKind.BANK, OrgKind.ENTERPRISE, None])
def test_the_parent_is_a_regulator(
    client: TestClient, db: Database, operator: Party, parent_kind: OrgKind | None
) -> None:
    parent = make_party(db, parent_kind).org_id if parent_kind else 999_999
    _refused(_add(client, operator, _office("440305", parent)), "parent_org_id")


def test_no_office_under_a_dispatched_office_and_one_office_per_county(
    client: TestClient, db: Database, operator: Party
) -> None:
    shenzhen = make_party(db, OrgKind.REGULATOR, jurisdiction="440300")
    nanshan = _add(client, operator, _office("440305", shenzhen.org_id, "Nanshan"))
    assert nanshan.status_code == 201, nanshan.text
    assert nanshan.json()["parent_org_id"] == shenzhen.org_id
    before = _orgs(db)
    _refused(_add(client, operator, _office("440305", nanshan.json()["id"])), "parent_org_id")
    twin = _add(client, operator, _office("440305", shenzhen.org_id, "Nanshan again"))
    assert twin.status_code == 409 and twin.json()["type"].endswith("/already-exists")
    assert twin.json()["field"] == "jurisdictions[0]"
    assert _orgs(db) == before


def test_only_a_dispatched_office_names_a_parent(
    client: TestClient, db: Database, operator: Party
) -> None:
    guangdong = make_party(db, OrgKind.REGULATOR, jurisdiction="440000")
    _refused(_add(client, operator, _office("440300", guangdong.org_id)), "parent_org_id")
    firm = org_in(OrgKind.ENTERPRISE).model_dump(mode="json") | {"parent_org_id": guangdong.org_id}
    _refused(_add(client, operator, firm), "parent_org_id")


def test_a_province_administered_county_takes_an_office_of_the_province(
    client: TestClient, db: Database, operator: Party
) -> None:
    hubei = make_party(db, OrgKind.REGULATOR, jurisdiction="420000")
    xiantao = _add(client, operator, _office("429004", hubei.org_id, "Xiantao"))
    assert xiantao.status_code == 201, xiantao.text


def _cli(*args: str) -> Any:
    return runner.invoke(cli_app, list(args))


def test_the_command_line_onboards_a_dispatched_office(
    db: Database, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CROSSFIN_DATABASE_URL", db_url)
    monkeypatch.setenv("CROSSFIN_DATA_DIR", str(tmp_path / "data"))
    shenzhen = make_party(db, OrgKind.REGULATOR, jurisdiction="440300")
    base = ("org", "add", "--kind", "regulator", "--name", "Nanshan", "--jurisdiction", "440305")
    refused = _cli(*base)
    assert refused.exit_code == 1 and "parent_org_id" in refused.output
    added = _cli(*base, "--parent-org", str(shenzhen.org_id), "--json")
    assert added.exit_code == 0, added.output
    with db.session(readonly=True) as session:
        office = session.scalars(select(Organization).where(Organization.name == "Nanshan")).one()
    assert (office.parent_org_id, office.jurisdiction_path) == (
        shenzhen.org_id,
        "/000000/440000/440300/440305/",
    )


def test_offices_onboarded_at_once_at_one_county_make_one(
    client: TestClient, db: Database, operator: Party
) -> None:
    # The check reads before it writes; on PostgreSQL racing twins both pass it, and the
    # one-office-per-county index turns the loser into a 409, never a 500.
    shenzhen = make_party(db, OrgKind.REGULATOR, jurisdiction="440300")

    def post(n: int) -> int:
        body = _office("440306", shenzhen.org_id, f"Bao'an {n}")
        return int(_add(client, operator, body).status_code)

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(post, range(8)))
    assert statuses == [201] + [409] * 7
    with db.session(readonly=True) as session:
        seated = session.scalar(
            select(func.count())
            .select_from(Organization)
            .where(Organization.jurisdiction_code == "440306")
        )
    assert seated == 1

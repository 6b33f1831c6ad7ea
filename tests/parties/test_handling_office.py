"""`handling_office`: a county's business goes to its dispatched office, else to the
regulator of its prefecture, else of its province, else the head office; and the operator's
list of regulators counts what each handles."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from crossfin.core.db import Database
from crossfin.parties.jurisdiction_data import load_divisions
from crossfin.parties.models import Organization, OrgKind, Role
from crossfin.parties.offices import counties_handled, handling_office, handling_offices
from support.parties import make_party
from support.web import add_user, login

NANSHAN = "/000000/440000/440300/440305/"
FUTIAN = "/000000/440000/440300/440304/"
TIANHE = "/000000/440000/440100/440106/"
HAISHU = "/000000/330000/330200/330203/"
DONGGUAN = "/000000/440000/441900/"
XIANTAO = "/000000/420000/429000/429004/"


@pytest.fixture
def offices(db: Database) -> dict[str, int]:
    """The head office, Guangdong, Shenzhen, Dongguan and Shenzhen's office at Nanshan."""
    made = {
        seat: make_party(db, OrgKind.REGULATOR, jurisdiction=seat).org_id
        for seat in ("000000", "440000", "440300", "441900")
    }
    made["440305"] = make_party(
        db, OrgKind.REGULATOR, jurisdiction="440305", parent_org_id=made["440300"]
    ).org_id
    return made


def _handler(db: Database, path: str | None) -> int | None:
    with db.session(readonly=True) as session:
        office = handling_office(session, path)
        return office.id if office else None


@pytest.mark.parametrize(
    ("path", "seat"),
    [
        (NANSHAN, "440305"),  # the county's dispatched office
        (FUTIAN, "440300"),  # no office at Futian: Shenzhen's
        (TIANHE, "440000"),  # no regulator at Guangzhou: the province's
        (HAISHU, "000000"),  # none in Zhejiang: the head office
        (XIANTAO, "000000"),  # a province-administered county, no regulator in Hubei
        (DONGGUAN, "441900"),  # a prefecture-level city without counties
        (None, "000000"),  # a party without a seat
    ],
)
def test_each_level_of_the_rule(
    db: Database, offices: dict[str, int], path: str | None, seat: str
) -> None:
    assert _handler(db, path) == offices[seat]


def test_no_regulator_over_the_path_means_none(db: Database) -> None:
    make_party(db, OrgKind.REGULATOR, jurisdiction="330000")
    assert _handler(db, NANSHAN) is None


def test_a_regulator_left_at_a_county_without_parent_handles_nothing(
    db: Database, offices: dict[str, int]
) -> None:
    # An older database may seat a regulator at a county without a parent office (today
    # refused; `crossfin jurisdictions check` lists it): it is not a dispatched office.
    legacy = make_party(db, OrgKind.REGULATOR, jurisdiction="440300").org_id
    with db.engine.begin() as conn:
        conn.execute(
            update(Organization)
            .where(Organization.id == legacy)
            .values(jurisdiction_code="440304", jurisdiction_path=FUTIAN)
        )
    assert _handler(db, FUTIAN) == offices["440300"]


def test_the_first_onboarded_of_two_at_one_node_handles(
    db: Database, offices: dict[str, int]
) -> None:
    make_party(db, OrgKind.REGULATOR, jurisdiction="440300")
    assert _handler(db, FUTIAN) == offices["440300"]


def test_many_paths_in_one_call(db: Database, offices: dict[str, int]) -> None:
    with db.session(readonly=True) as session:
        found = handling_offices(session, [NANSHAN, FUTIAN, None, NANSHAN])
    assert {p: o.id for p, o in found.items()} == {
        NANSHAN: offices["440305"],
        FUTIAN: offices["440300"],
        None: offices["000000"],
    }


def _seats_under(prefix: str) -> int:
    """Current county-level seats (and cities without counties) whose code starts so."""
    active = [d for d in load_divisions() if d.retired is None]
    with_counties = {d.parent for d in active if d.level == "county"}
    seats = [
        d.code
        for d in active
        if d.level == "county" or (d.level == "prefecture" and d.code not in with_counties)
    ]
    return sum(1 for code in seats if code.startswith(prefix))


def test_every_seat_is_handled_once(db: Database, offices: dict[str, int]) -> None:
    with db.session(readonly=True) as session:
        handled = counties_handled(session)
    shenzhen, guangdong, china = _seats_under("4403"), _seats_under("44"), _seats_under("")
    assert dict(handled) == {
        offices["440305"]: 1,
        offices["440300"]: shenzhen - 1,
        offices["441900"]: 1,
        offices["440000"]: guangdong - shenzhen - 1,
        offices["000000"]: china - guangdong,
    }
    assert china == 2845 + 4


def test_the_operators_home_lists_regulators_and_what_they_handle(
    client: TestClient, db: Database, offices: dict[str, int]
) -> None:
    operator = make_party(db, OrgKind.OPERATOR, Role.ADMIN)
    login(client, add_user(db, operator.org_id))
    page = client.get("/").text
    office_row = page.split(f'data-test="regulator-{offices["440305"]}"')[1].split("</tr>")[0]
    assert 'data-test="handles">1<' in office_row
    assert "Test regulator" in office_row.split('data-test="parent"')[1]  # Shenzhen's name
    zh = client.get("/", headers={"Accept-Language": "zh-CN"}).text
    assert "承办县数" in zh and "南山区" in zh

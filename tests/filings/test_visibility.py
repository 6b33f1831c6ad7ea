"""Nobody outside the filer's chain and the covering regulators reads a filing: another
bank, a sibling branch, a sibling province's regulator, an enterprise, the operator, an
unauthenticated caller. The head office (every user) and the regulators of the province
and the prefecture read it; drafts only the chain."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from crossfin.core.db import Database
from support.filings import PDF, World, draft, make_world, post
from support.parties import Party

OUTSIDERS = ("other_bank", "sibling", "hunan", "enterprise", "operator")
READERS = ("branch", "head", "head_user", "guangdong", "shenzhen")


@pytest.fixture
def world(db: Database) -> World:
    return make_world(db)


def _ids(client: TestClient, who: Party, query: str = "") -> set[int]:
    answer = client.get(f"/v1/filings{query}", headers=who.headers)
    assert answer.status_code == 200, answer.text
    return {f["id"] for f in answer.json()["items"]}


def _submitted(client: TestClient, world: World) -> tuple[int, int]:
    fid = draft(client, world.branch)["id"]
    assert post(client, world.branch, fid, "submit").status_code == 200
    added = client.post(
        f"/v1/filings/{fid}/attachments?name=a.pdf",
        content=PDF[:50],
        headers=world.branch.headers | {"Content-Type": "application/pdf"},
    )
    assert added.status_code == 409  # a submitted filing takes no attachments
    return fid, draft(client, world.branch)["id"]


def test_readers_read_and_outsiders_do_not(client: TestClient, world: World) -> None:
    fid, draft_id = _submitted(client, world)
    for name in READERS:
        who = getattr(world, name)
        assert client.get(f"/v1/filings/{fid}", headers=who.headers).status_code == 200, name
        assert fid in _ids(client, who), name
    for name in OUTSIDERS:
        who = getattr(world, name)
        answer = client.get(f"/v1/filings/{fid}", headers=who.headers)
        assert answer.status_code == 404, name
        # Word for word the answer for a filing that does not exist.
        missing = client.get("/v1/filings/999999", headers=who.headers).json()
        assert answer.json()["detail"] == f"no filing {fid}"
        assert missing["detail"] == "no filing 999999"
        assert _ids(client, who) == set(), name
        for action in ("accept", "withdraw"):
            assert post(client, who, fid, action).status_code == 404, (name, action)
    # A draft is the chain's alone.
    for name in ("branch", "head", "head_user"):
        assert draft_id in _ids(client, getattr(world, name))
    for name in ("guangdong", "shenzhen"):
        who = getattr(world, name)
        assert client.get(f"/v1/filings/{draft_id}", headers=who.headers).status_code == 404
        assert draft_id not in _ids(client, who)


def test_attachments_are_read_by_readers_only(client: TestClient, world: World) -> None:
    fid = draft(client, world.branch)["id"]
    added = client.post(
        f"/v1/filings/{fid}/attachments?name=a.pdf",
        content=PDF,
        headers=world.branch.headers | {"Content-Type": "application/pdf"},
    )
    assert added.status_code == 201, added.text
    aid = added.json()["id"]
    assert post(client, world.branch, fid, "submit").status_code == 200
    url = f"/v1/filings/{fid}/attachments/{aid}"
    for name in READERS:
        got = client.get(url, headers=getattr(world, name).headers)
        assert got.status_code == 200 and got.content == PDF, name
    for name in OUTSIDERS:
        assert client.get(url, headers=getattr(world, name).headers).status_code == 404, name


def test_unauthenticated_calls_are_refused(client: TestClient, world: World) -> None:
    fid = draft(client, world.branch)["id"]
    for method, path in (
        ("GET", "/v1/filings"),
        ("GET", f"/v1/filings/{fid}"),
        ("POST", f"/v1/filings/{fid}/submit"),
        ("POST", "/v1/filings"),
        ("GET", "/v1/filing-forms"),
    ):
        answer = client.request(method, path, json={})
        assert answer.status_code == 401, path
        assert answer.headers["content-type"] == "application/problem+json"


def test_only_banks_and_enterprises_file(client: TestClient, world: World) -> None:
    body = {"form": "TEST-STAT", "content": {"period": "2026-11", "tables": {"a": 1}}}
    for who in (world.shenzhen, world.operator):
        assert client.post("/v1/filings", json=body, headers=who.headers).status_code == 403
    mine = client.post("/v1/filings", json=body, headers=world.enterprise.headers)
    assert mine.status_code == 201
    assert mine.json()["jurisdiction_path"] == "/000000/440000/440300/440305/"
    fid = mine.json()["id"]
    assert client.get(f"/v1/filings/{fid}", headers=world.branch.headers).status_code == 404


def test_a_filing_concerns_only_where_its_filer_is(client: TestClient, world: World) -> None:
    body = {"form": "TEST-STAT", "content": {"x": 1}, "jurisdiction": "430100"}
    refused = client.post("/v1/filings", json=body, headers=world.branch.headers)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "jurisdiction"
    body["jurisdiction"] = "440305"
    nanshan = client.post("/v1/filings", json=body, headers=world.branch.headers)
    assert nanshan.status_code == 201
    fid = nanshan.json()["id"]
    assert post(client, world.branch, fid, "withdraw").status_code == 200


def test_the_ledger_records_follow_the_same_rule(client: TestClient, world: World) -> None:
    """A draft's event names the chain only; once submitted, the office handling the
    jurisdiction is named, so the regulators read the records of the steps."""
    drafted = draft(client, world.branch)
    submitted = post(client, world.branch, drafted["id"], "submit").json()

    def entry(who: Party, answer: dict[str, object]) -> int:
        index = answer["receipt"]["leaf_index"]  # type: ignore[index]
        return client.get(f"/v1/log/entries/{index}", headers=who.headers).status_code

    assert entry(world.head, drafted) == 200
    assert entry(world.shenzhen, drafted) == 404
    assert entry(world.shenzhen, submitted) == 200
    assert entry(world.guangdong, submitted) == 200  # above the office it names
    assert entry(world.hunan, submitted) == 404
    assert entry(world.sibling, submitted) == 404

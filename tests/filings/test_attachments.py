"""Attachments within the form's limits (type, size, count per version), stored with
their SHA-256; a refused upload changes nothing; multipart and raw bodies alike."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient

from crossfin.core.db import Database
from support.filings import PDF, World, draft, make_world, post
from support.parties import Party


@pytest.fixture
def world(db: Database) -> World:
    return make_world(db)


def _raw(client: TestClient, who: Party, fid: int, data: bytes, media: str, name: str = "f"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/v1/filings/{fid}/attachments?name={name}",
        content=data,
        headers=who.headers | {"Content-Type": media},
    )


def test_limits_name_the_field_and_the_limit(client: TestClient, world: World) -> None:
    fid = draft(client, world.branch)["id"]
    before = client.get(f"/v1/filings/{fid}", headers=world.branch.headers).json()
    wrong = _raw(client, world.branch, fid, b"GIF89a", "image/gif")
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "media_type"
    assert wrong.json()["limit"] == ["application/pdf", "text/csv"]
    big = _raw(client, world.branch, fid, b"x" * 101, "text/csv")
    assert big.status_code == 422
    assert (big.json()["errors"][0]["field"], big.json()["limit"]) == ("size", 100)
    assert client.get(f"/v1/filings/{fid}", headers=world.branch.headers).json() == before
    assert _raw(client, world.branch, fid, b"x" * 100, "text/csv").status_code == 201
    second = client.post(
        f"/v1/filings/{fid}/attachments",
        files={"file": ("合同.pdf", PDF, "application/pdf")},
        headers=world.branch.headers,
    )
    assert second.status_code == 201, second.text
    body = second.json()
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert (body["name"], body["size"], body["version"]) == ("合同.pdf", len(PDF), 1)
    assert body["receipt"]["leaf_hash"]
    third = _raw(client, world.branch, fid, b"a,b", "text/csv")
    assert third.status_code == 422
    assert (third.json()["errors"][0]["field"], third.json()["limit"]) == ("attachments", 2)
    got = client.get(f"/v1/filings/{fid}/attachments/{body['id']}", headers=world.head.headers)
    assert got.content == PDF
    assert got.headers["x-content-sha256"] == hashlib.sha256(PDF).hexdigest()
    listed = client.get(f"/v1/filings/{fid}", headers=world.branch.headers).json()
    assert [a["sha256"] for a in listed["attachments"]][1] == body["sha256"]


def test_a_returned_filing_takes_its_supplement(client: TestClient, world: World) -> None:
    fid = draft(client, world.branch)["id"]
    assert _raw(client, world.branch, fid, PDF, "application/pdf").status_code == 201
    assert _raw(client, world.branch, fid, PDF, "application/pdf").status_code == 201
    assert post(client, world.branch, fid, "submit").status_code == 200
    assert post(client, world.shenzhen, fid, "return", {"reason": "the invoice"}).status_code == 200
    # The count is per version: the returned version is full, so the supplement goes on
    # the next one, which resubmission creates.
    assert _raw(client, world.branch, fid, PDF, "application/pdf").status_code == 422
    again = post(client, world.branch, fid, "resubmit")
    assert again.status_code == 200 and again.json()["current_version"] == 2
    assert again.json()["versions"][1]["content"] == again.json()["versions"][0]["content"]


def test_others_may_not_attach(client: TestClient, world: World) -> None:
    fid = draft(client, world.branch)["id"]
    assert _raw(client, world.sibling, fid, PDF, "application/pdf").status_code == 404
    assert _raw(client, world.head, fid, PDF, "application/pdf").status_code == 201
    raw_without_name = client.post(
        f"/v1/filings/{fid}/attachments",
        content=PDF,
        headers=world.branch.headers | {"Content-Type": "application/pdf"},
    )
    assert raw_without_name.status_code == 422
    assert raw_without_name.json()["errors"][0]["field"] == "name"

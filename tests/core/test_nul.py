"""No NUL character in text from a client: PostgreSQL cannot store one (it was a 500)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from crossfin.core import nul
from crossfin.core.db import Database
from crossfin.core.errors import ValidationFailed
from crossfin.documents import records
from crossfin.parties.models import OrgKind
from support.parties import make_party


def test_where_a_nul_is_named() -> None:
    value = {"a": ["x", "y\x00"], "b\x00": 1, "c": {"d": "\x00"}}
    assert nul.nul_paths(value) == [("a", 1), ("b\x00",), ("c", "d")]
    with pytest.raises(ValidationFailed) as refused:
        nul.check_json(b'{"items": [{"key": "a\\u0000b"}], "ok": "\\\\u0000"}')
    assert [e.field for e in refused.value.errors] == ["items[0].key"]
    nul.check_json(b'{"ok": "\\\\u0000"}')  # a backslash, then "u0000": no NUL
    with pytest.raises(ValidationFailed) as in_url:
        nul.check_url("/v1/batches/a\x00", b"kind=x&external_ref=a%00b")
    assert [e.field for e in in_url.value.errors] == ["path", "query.external_ref"]


def test_a_batch_record_holding_nul_is_unreadable() -> None:
    with pytest.raises(records.RecordError) as json_line:
        list(records.iter_jsonl('{"a": "1"}\n{"a": "x\\u0000"}\n'))
    assert json_line.value.line == 1 and "NUL" in json_line.value.reason
    with pytest.raises(records.RecordError) as csv_row:
        list(records.iter_csv("a,b\n1,2\n3,x\x00y\n"))
    assert csv_row.value.line == 1


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("GET", "/v1/batches/a%00b", None, "path"),
        ("GET", "/v1/financings?external_ref=a%00b", None, "query.external_ref"),
        ("GET", "/v1/needs?status=open%00", None, "query.status"),
        (
            "POST",
            "/v1/documents/verify",
            {"items": [{"kind": "customs_declaration", "key": "a\x00b", "fields": {}}]},
            "items[0].key",
        ),
    ],
)
def test_a_request_holding_nul_is_a_422_naming_where(
    client: TestClient, db: Database, method: str, url: str, body: object, field: str
) -> None:
    bank = make_party(db, OrgKind.BANK)
    answer = client.request(method, url, json=body, headers=bank.headers)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_a_portal_form_holding_nul_is_refused_before_the_page(client: TestClient) -> None:
    # The login page would look the username up in the database: a 500 on PostgreSQL.
    answer = client.post(
        "/login",
        content=b"username=a%00b&password=x&csrf_token=t",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["form.username"]
    with pytest.raises(ValidationFailed):
        nul.check_form(b"a=1&b=\x00")
    nul.check_form(b"a=1&b=%2500")  # an escaped percent sign, then "00": no NUL

"""Class management over HTTP: classify, read the history, import a file of results."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from crossfin.core.db import Database
from crossfin.ledger.models import LedgerEvent
from crossfin.parties.classes.models import EnterpriseClass
from crossfin.parties.models import OrgKind, Role
from support.classes import TODAY
from support.parties import make_party, uscc_for
from support.payments import make_forwarders


def test_classify_and_read_the_history(client: TestClient, db: Database) -> None:
    fw = make_forwarders(db, banks=1)
    url = f"/v1/orgs/{fw.payer.org_id}/classes"
    body = {
        "trade_class": "B",
        "reason": "two late receipts",
        "effective_from": str(TODAY - timedelta(days=2)),
        "period": "2025",
    }
    made = client.post(url, json=body, headers=fw.regulator.headers)
    assert made.status_code == 201, made.text
    assert made.json()["trade_class"] == "B" and made.json()["receipt"]["leaf_index"] >= 0
    again = client.post(url, json=body, headers=fw.regulator.headers)
    assert again.status_code == 409, again.text
    bad = client.post(
        url, json=body | {"effective_from": "2020-01-01"}, headers=fw.regulator.headers
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "effective_from"
    for reader in (fw.payer, fw.regulator, make_party(db, OrgKind.OPERATOR, Role.ADMIN)):
        shown = client.get(url, headers=reader.headers)
        assert shown.status_code == 200, shown.text
        assert shown.json()["current"] == "B"
        assert [h["trade_class"] for h in shown.json()["history"]] == ["B", "A"]
        assert shown.json()["history"][0]["period"] == "2025"
    # Banks read the class in a consented credit profile (F2), never the history.
    assert client.get(url, headers=fw.banks[0].headers).status_code == 404
    far = make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="310000")
    assert client.get(url, headers=far.headers).status_code == 404
    # The organization's own record shows the class in force.
    org = client.get(f"/v1/orgs/{fw.payer.org_id}", headers=fw.payer.headers).json()
    assert org["trade_class"] == "B"


def test_classify_denials_change_nothing(client: TestClient, db: Database) -> None:
    fw = make_forwarders(db, banks=1)
    url = f"/v1/orgs/{fw.payer.org_id}/classes"
    body = {"trade_class": "C", "reason": "x"}
    far = make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="310000")
    auditor = make_party(db, OrgKind.REGULATOR, Role.AUDITOR, jurisdiction="440000")
    for who, status in (
        (fw.payer, 403),
        (fw.banks[0], 404),
        (far, 404),
        (auditor, 403),
        (make_party(db, OrgKind.OPERATOR, Role.ADMIN), 403),
    ):
        res = client.post(url, json=body, headers=who.headers)
        assert res.status_code == status, (who, res.text)
        assert res.headers["content-type"].startswith("application/problem+json")
    assert client.post(url, json=body).status_code == 401
    with db.session(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(EnterpriseClass)) == 1
        types = session.scalars(select(LedgerEvent.type)).all()
    assert "parties:org:class-change" not in types


def _csv(*rows: tuple[str, ...]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("uscc", "class", "effective_from", "period", "reason"))
    writer.writerows(rows)
    return out.getvalue().encode()


def test_import_reports_row_by_row(client: TestClient, db: Database) -> None:
    fw = make_forwarders(db, banks=0)
    second = make_forwarders(db, banks=0, county="440106")
    third = make_forwarders(db, banks=0, county="440106")
    fourth = make_forwarders(db, banks=0, county="440305")
    shanghai = make_forwarders(db, banks=0, county="310115")
    year = TODAY.year
    content = _csv(
        (fw.uscc, "B", f"{year}-01-01", str(year - 1), "late receipts"),
        ("91440300MA5DC6QX9X", "B", f"{year}-01-01", "", "bad check digit"),
        (uscc_for("440305", 987_654), "B", f"{year}-01-01", "", "unknown"),
        (second.uscc, "D", f"{year}-01-01", "", "bad class"),
        (third.uscc, "C", "01/02/2026", "", "bad date"),
        (shanghai.uscc, "C", f"{year}-01-01", "", "not ours"),
        (fw.uscc, "C", f"{year}-01-01", "", "twice"),
        (fourth.uscc, "C", "", str(year - 1), ""),
    )
    res = client.post(
        "/v1/classes/import",
        content=content,
        headers=fw.regulator.headers | {"Content-Type": "text/csv"},
    )
    assert res.status_code == 200, res.text
    report = res.json()
    assert (report["rows"], report["applied"], report["rejected"]) == (8, 1, 7)
    results = report["results"]
    assert [r["row"] for r in results] == list(range(2, 10))
    assert results[0]["outcome"] == "applied" and results[0]["event_id"]
    fields = [[e["field"] for e in r["errors"]] for r in results[1:]]
    assert fields == [
        ["uscc"],
        ["uscc"],
        ["class"],
        ["effective_from"],
        ["uscc"],
        ["uscc"],
        ["reason"],
    ]
    # Unknown and outside the jurisdiction: the same words, existence never leaks.
    assert results[2]["errors"] == results[5]["errors"]
    assert "row 2" in results[6]["errors"][0]["reason"]
    # The same file again: its first report, nothing recorded twice.
    again = client.post(
        "/v1/classes/import?results=csv",
        content=content,
        headers=fw.regulator.headers | {"Content-Type": "text/csv"},
    )
    assert again.status_code == 200 and again.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(again.text)))
    assert [r["outcome"] for r in lines] == ["applied"] + ["rejected"] * 7
    assert lines[1]["field"] == "uscc"
    with db.session(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(EnterpriseClass)) == 6
    stored = client.get(f"/v1/classes/imports/{report['import_id']}", headers=fw.regulator.headers)
    assert stored.status_code == 200 and stored.json()["applied"] == 1
    other = make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="440000")
    assert (
        client.get(f"/v1/classes/imports/{report['import_id']}", headers=other.headers).status_code
        == 404
    )


def test_import_refusals(client: TestClient, db: Database) -> None:
    fw = make_forwarders(db, banks=1)
    headers = fw.regulator.headers | {"Content-Type": "text/csv"}
    ok = _csv((fw.uscc, "B", "", "", "x"))
    for who in (fw.payer, fw.banks[0]):
        res = client.post(
            "/v1/classes/import", content=ok, headers=who.headers | {"Content-Type": "text/csv"}
        )
        assert res.status_code == 403, res.text
    for content, words in (
        (b"uscc,class\n", "lacks reason"),
        (b"uscc,class,reason,colour\nx,A,y,red\n", "unknown column"),
        (b"uscc,class,reason\n", "no rows"),
        (b"\xff\xfe", "UTF-8"),
        (_csv(*[(fw.uscc, "B", "", "", "x")] * 10_001), "at most 10000 rows"),
    ):
        res = client.post("/v1/classes/import", content=content, headers=headers)
        assert res.status_code in (413, 422), res.text
        if res.status_code == 422:
            assert words in res.text
    with db.session(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(EnterpriseClass)) == 1

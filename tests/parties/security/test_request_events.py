"""Events at the door and after routing: bodies refused, bursts of 403/404 on others' ids,
all counted in /metrics."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.parties.models import OrgKind
from crossfin.parties.security.bursts import THRESHOLD
from support.parties import make_party
from support.security import events


def test_an_oversized_body_is_recorded(client: TestClient, db: Database) -> None:
    answer = client.post(
        "/v1/orgs",
        content=b"x" * (1024 * 1024 + 1),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    [event] = events(db, "body_too_large")
    assert event.route == "POST /v1/orgs" and '"route_class": "default"' in event.detail


def test_an_over_nested_and_a_malformed_body_are_recorded(client: TestClient, db: Database) -> None:
    bank = make_party(db, OrgKind.BANK)
    deep = client.post(
        "/v1/orgs", content=b"[" * 5000 + b"]" * 5000, headers=bank.headers | _json()
    )
    assert deep.status_code == 400
    broken = client.post("/v1/orgs", content=b'{"kind": ', headers=bank.headers | _json())
    assert broken.status_code == 400
    found = events(db, "body_malformed")
    assert len(found) == 2
    assert found[1].route == "/v1/orgs"


def _json() -> dict[str, str]:
    return {"Content-Type": "application/json"}


def test_a_burst_of_404_on_others_ids_is_one_event(client: TestClient, db: Database) -> None:
    bank, other = make_party(db, OrgKind.BANK), make_party(db, OrgKind.ENTERPRISE)
    for _ in range(THRESHOLD - 1):
        assert client.get(f"/v1/orgs/{other.org_id}", headers=bank.headers).status_code == 404
    assert events(db) == []  # refusals are counted in memory, not written one by one
    assert client.get(f"/v1/orgs/{other.org_id}", headers=bank.headers).status_code == 404
    [event] = events(db, "not_found_burst")
    assert (event.principal_id, event.route) == (bank.principal_id, "/v1/orgs/{org_id}")


def test_a_burst_of_403_is_a_forbidden_burst(client: TestClient, db: Database) -> None:
    bank, other = make_party(db, OrgKind.BANK), make_party(db, OrgKind.BANK)
    for _ in range(THRESHOLD):
        answer = client.get(f"/v1/orgs/{other.org_id}/principals", headers=bank.headers)
        assert answer.status_code in (403, 404)
    kinds = {e.kind for e in events(db)}
    assert kinds <= {"forbidden_burst", "not_found_burst"} and len(kinds) == 1


def test_refusals_on_lists_are_no_burst(client: TestClient, db: Database) -> None:
    enterprise = make_party(db, OrgKind.ENTERPRISE)
    for _ in range(THRESHOLD + 1):
        assert client.get("/v1/alerts", headers=enterprise.headers).status_code == 403
    assert events(db) == []


def test_metrics_count_security_events_by_kind(client: TestClient, db: Database) -> None:
    for n in range(3):
        client.get("/v1/me", headers={"Authorization": f"Bearer cf_nokey{n}_secret"})
    text = client.get("/metrics").text
    assert re.search(r'^crossfin_security_events_total\{kind="key_unknown"\} 3\.0$', text, re.M)
    assert re.search(r'^crossfin_security_events_total\{kind="audit_failed"\} 0\.0$', text, re.M)


def test_every_worker_answers_the_security_count(
    client: TestClient, db: Database, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # Several workers (api/workers.py): /metrics reads the workers' files and the table.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    client.get("/v1/me", headers={"Authorization": "Bearer cf_nokey_secret"})
    text = client.get("/metrics").text
    assert 'crossfin_security_events_total{kind="key_unknown"} 1.0' in text

"""The operator's API: events and alerts for the platform operator, 403/404 for anyone else."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.core.security import SecurityKind
from crossfin.parties.models import OrgKind, Role
from crossfin.parties.security.events import note_security_event
from support.parties import make_party
from support.security import alerts


@pytest.fixture
def raised(db: Database) -> int:
    note_security_event(db, SecurityKind.AUDIT_FAILED, detail={"first_bad_index": 5})
    [alert] = alerts(db)
    return alert.id


def test_the_operator_reads_events_and_alerts(
    client: TestClient, db: Database, raised: int
) -> None:
    auditor = make_party(db, OrgKind.OPERATOR, role=Role.AUDITOR)
    listed = client.get("/v1/security/events", headers=auditor.headers)
    assert listed.status_code == 200
    [event] = listed.json()["items"]
    assert (event["kind"], event["detail"]) == ("audit_failed", {"first_bad_index": 5})
    filtered = client.get("/v1/security/events?kind=key_unknown", headers=auditor.headers)
    assert filtered.json()["items"] == []
    [alert] = client.get("/v1/security/alerts?status=open", headers=auditor.headers).json()["items"]
    assert (alert["id"], alert["kind"], alert["events"]) == (raised, "audit_failed", 1)


@pytest.mark.parametrize("kind", [OrgKind.BANK, OrgKind.REGULATOR, OrgKind.ENTERPRISE])
def test_no_one_else_reads_them(
    client: TestClient, db: Database, raised: int, kind: OrgKind
) -> None:
    other = make_party(db, kind, role=Role.ADMIN)
    for path in ("/v1/security/events", "/v1/security/alerts"):
        answer = client.get(path, headers=other.headers)
        assert answer.status_code == 403 and answer.json()["type"].endswith("/forbidden")
    acknowledging = client.post(f"/v1/security/alerts/{raised}/acknowledge", headers=other.headers)
    assert acknowledging.status_code == 404
    assert alerts(db)[0].status == "open"


def test_the_operator_acknowledges_once_its_auditors_never(
    client: TestClient, db: Database, raised: int
) -> None:
    auditor = make_party(db, OrgKind.OPERATOR, role=Role.AUDITOR)
    url = f"/v1/security/alerts/{raised}/acknowledge"
    assert client.post(url, headers=auditor.headers).status_code == 403
    operator = make_party(db, OrgKind.OPERATOR, role=Role.OPERATOR)
    done = client.post(url, headers=operator.headers)
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["acknowledged_by"]) == (
        "acknowledged",
        operator.principal_id,
    )
    assert client.post(url, headers=operator.headers).status_code == 409
    assert (
        client.post("/v1/security/alerts/999/acknowledge", headers=operator.headers).status_code
        == 404
    )

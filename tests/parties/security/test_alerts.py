"""Operator alerts: a threshold per kind, one open alert per kind however many events."""

from __future__ import annotations

from crossfin.core.db import Database
from crossfin.core.security import SecurityKind, report
from crossfin.parties.security.alerts import THRESHOLDS
from crossfin.parties.security.events import note_security_event
from support.security import alerts, events


def test_events_below_the_threshold_raise_no_alert(db: Database) -> None:
    below = THRESHOLDS[SecurityKind.LOGIN_FAILED] - 1
    for _ in range(below):
        note_security_event(db, SecurityKind.LOGIN_FAILED, address="10.0.0.1")
    assert len(events(db, "login_failed")) == below
    assert alerts(db) == []
    note_security_event(db, SecurityKind.LOGIN_FAILED, address="10.0.0.1")
    [alert] = alerts(db)
    assert (alert.kind, alert.status, alert.events) == ("login_failed", "open", below + 1)


def test_a_flood_makes_one_alert_counting_every_event(db: Database) -> None:
    for n in range(30):
        note_security_event(db, SecurityKind.WITNESS_REFUSED, detail={"n": n})
    [alert] = alerts(db)
    assert alert.events == 30 and '"n": 29' in alert.detail


def test_after_acknowledging_the_next_event_opens_a_new_alert(db: Database) -> None:
    from crossfin.parties.access import Caller
    from crossfin.parties.models import OrgKind, Role
    from crossfin.parties.security.alerts import acknowledge

    operator = Caller(1, "ops", Role.ADMIN, 1, OrgKind.OPERATOR, None)
    note_security_event(db, SecurityKind.AUDIT_FAILED)
    [first] = alerts(db)
    with db.session() as session, session.begin():
        acknowledge(session, operator, first.id)
    note_security_event(db, SecurityKind.AUDIT_FAILED)
    older, newer = alerts(db)
    assert (older.status, older.open_kind, older.acknowledged_by) == ("acknowledged", None, 1)
    assert (newer.status, newer.events) == ("open", 1)


def test_kinds_are_alerted_apart(db: Database) -> None:
    report(db, SecurityKind.AUDIT_FAILED)
    report(db, SecurityKind.CHECKPOINT_SIGN_FAILED)
    assert sorted(a.kind for a in alerts(db)) == ["audit_failed", "checkpoint_sign_failed"]


def test_every_kind_has_a_threshold() -> None:
    assert set(THRESHOLDS) == set(SecurityKind)


def test_a_flood_from_one_address_is_stored_ten_a_second_and_counted() -> None:
    from crossfin.core.security import SecurityEvent
    from crossfin.parties.security.events import PER_SECOND, FloodGate

    now = [100.0]
    gate = FloodGate(clock=lambda: now[0])
    spray = SecurityEvent(SecurityKind.KEY_UNKNOWN, address="198.51.100.9")
    stored = [gate.admit(spray) for _ in range(PER_SECOND + 5)]
    assert sum(e is not None for e in stored) == PER_SECOND
    assert gate.admit(SecurityEvent(SecurityKind.KEY_UNKNOWN, address="198.51.100.10"))
    assert gate.admit(SecurityEvent(SecurityKind.AUDIT_FAILED, address="198.51.100.9"))
    now[0] += 1
    carried = gate.admit(spray)
    assert carried is not None and carried.detail == {"suppressed": 5}
    assert gate.admit(spray) == spray  # counted once, then not again

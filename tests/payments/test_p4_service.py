"""P4 through its one use-case function: comparisons, endorsement on the one balance,
refusals and their alerts, on a real database."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from crossfin.core.db import Database
from crossfin.core.errors import AlreadyExists, Forbidden, ValidationFailed
from crossfin.documents.models import DocumentBalance
from crossfin.parties.alerts import Alert
from crossfin.parties.gates import ClassNotEligible
from crossfin.payments.errors import AlreadyUsed
from crossfin.payments.offshore.models import OffshoreCheck, OffshoreCheckUse
from crossfin.payments.offshore.service import Done
from crossfin.supervision.links import link_of
from support.offshore import check_body, make_shipment, make_trader, run_check
from support.payments import caller_of, set_class


def _balance(db: Database, document_id: int) -> tuple[int, int] | None:
    with db.session(readonly=True) as session:
        row = session.get(DocumentBalance, document_id)
        return None if row is None else (row.used_minor, row.active_uses)


def _alerts(db: Database, kind: str) -> list[dict]:
    with db.session(readonly=True) as session:
        rows = session.scalars(select(Alert).where(Alert.kind == kind)).all()
        return [json.loads(a.details) for a in rows]


def _count(db: Database, model: type) -> int:
    with db.session(readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_matching_check_passes_and_endorses_both_documents(db: Database) -> None:
    t = make_trader(db)
    s = make_shipment(db, t)
    make_shipment(db, t, containers=["APZU4812090"])  # another of its shipments: not linked
    done = run_check(db, t.banks[0], check_body(t, s))
    assert isinstance(done, Done), done
    report = done.report
    assert report["outcome"] == "passed"
    assert {c["subject"]: c["outcome"] for c in report["comparisons"]} == {
        subject: "match"
        for subject in (
            "transport_document", "vessel", "voyage", "containers", "port_of_loading",
            "port_of_discharge", "loading_date", "declaration_date", "seller", "buyer",
            "goods", "quantity", "gross_weight",
        )
    }  # fmt: skip
    assert report["receipt"]["leaf_index"] is not None
    assert report["receipt"]["event_id"] == done.check.event_id
    assert report["containers"] == ["MSKU1234565", "TGHU9876542"]
    kinds = [(d["kind"], d["endorsed"]) for d in report["documents"]]
    assert kinds[:2] == [("bill_of_lading", True), ("overseas_customs_declaration", True)]
    assert {k for k, _ in kinds[2:]} == {"transport_event"} and len(kinds) == 6
    assert _balance(db, s.bl.id) == (0, 1)  # a B/L without a value: one use
    assert _balance(db, s.declaration.id) == (96_000_000, 1)
    assert _count(db, OffshoreCheckUse) == 2
    assert not _alerts(db, "offshore-check-failed")


def test_an_endorsed_bl_is_refused_at_another_bank_with_an_alert(db: Database) -> None:
    t = make_trader(db)
    s = make_shipment(db, t)
    assert isinstance(run_check(db, t.banks[0], check_body(t, s)), Done)
    again = run_check(db, t.banks[1], check_body(t, s))
    assert isinstance(again, AlreadyUsed)
    problem = again.extra
    assert problem["document"] == {"kind": "bill_of_lading", "key": s.bl.key}
    assert set(problem) == {"document", "documents"}  # never who holds it
    alerts = _alerts(db, "document-already-endorsed")  # one per document held elsewhere
    assert {a["bank"] for a in alerts} == {t.banks[1].org_id}
    assert {a["document"]["kind"] for a in alerts} == {
        "bill_of_lading",
        "overseas_customs_declaration",
    }
    assert _count(db, OffshoreCheck) == 1
    # The same bank trying again: the same refusal, no alert (a mistake, not a second bank).
    assert isinstance(run_check(db, t.banks[0], check_body(t, s)), AlreadyUsed)
    assert len(_alerts(db, "document-already-endorsed")) == 2


def test_a_failed_check_is_stored_with_its_alert_and_endorses_nothing(db: Database) -> None:
    t = make_trader(db)
    s = make_shipment(db, t, declaration={"vessel": "Queen of the Seas", "vessel_imo": None})
    done = run_check(db, t.banks[0], check_body(t, s))
    assert isinstance(done, Done)
    assert done.report["outcome"] == "failed"
    vessel = next(c for c in done.report["comparisons"] if c["subject"] == "vessel")
    assert vessel["outcome"] == "mismatch"
    assert {"source": f"overseas_customs_declaration {s.declaration.key}", "field": "vessel",
            "value": "Queen of the Seas"} in vessel["evidence"]  # fmt: skip
    assert not any(d["endorsed"] for d in done.report["documents"])
    assert _balance(db, s.bl.id) == (0, 0)
    [alert] = _alerts(db, "offshore-check-failed")
    assert alert["check"] == done.check.id
    assert alert["failed"] == [{"subject": "vessel", "outcome": "mismatch"}]
    # Explainable: the check and the B/L, each linked to its page.
    with db.session(readonly=True) as session:
        row = session.scalars(select(Alert).where(Alert.kind == "offshore-check-failed")).one()
    records = json.loads(row.records)
    assert [link_of(r, api=False) for r in records] == [
        f"/offshore-checks/{done.check.id}",
        f"/documents/bill_of_lading/{s.bl.key}",
    ]
    # Nothing was endorsed: the B/L can back a check still (which fails again, and says so).
    second = run_check(db, t.banks[1], check_body(t, s))
    assert isinstance(second, Done) and second.report["outcome"] == "failed"


def test_missing_evidence_passes_class_a_but_fails_class_b(db: Database) -> None:
    t = make_trader(db)
    s = make_shipment(db, t, events=False)
    done = run_check(db, t.banks[0], check_body(t, s))
    assert isinstance(done, Done) and done.report["outcome"] == "passed"
    assert done.report["treatment"] == "facilitated"
    assert "missing" in {c["outcome"] for c in done.report["comparisons"]}
    set_class(db, t, "B")  # type: ignore[arg-type]  # duck-typed: it reads .payer
    s2 = make_shipment(db, t, events=False)
    checked = run_check(db, t.banks[0], check_body(t, s2))
    assert isinstance(checked, Done) and checked.report["outcome"] == "failed"
    assert checked.report["treatment"] == "checked"


def test_class_c_is_refused_with_its_alert(db: Database) -> None:
    t = make_trader(db, trade_class="C")
    s = make_shipment(db, t)
    refused = run_check(db, t.banks[0], check_body(t, s))
    assert isinstance(refused, ClassNotEligible)
    assert refused.status == 403
    [alert] = _alerts(db, "class-not-eligible")
    assert alert["scenario"] == "P4"
    assert _count(db, OffshoreCheck) == 0 and _balance(db, s.bl.id) is None


def test_inputs_are_checked_and_documents_must_be_the_enterprises(db: Database) -> None:
    t = make_trader(db)
    other = make_trader(db, banks=1)
    s, theirs = make_shipment(db, t), make_shipment(db, other)
    with pytest.raises(ValidationFailed) as bad:
        run_check(db, t.banks[0], check_body(t, s, containers=["MSKU1234566", "MSKU1234565",
                                                                "MSKU1234565"]))  # fmt: skip
    assert {e.field for e in bad.value.errors} == {"containers[0]", "containers[2]"}
    unknown = run_or_raise(db, t, check_body(t, s, bill_of_lading="NOSUCHBL1"))
    another = run_or_raise(db, t, check_body(t, s, bill_of_lading=theirs.bl.key))
    assert unknown == another == [
        ("bill_of_lading",
         "no bill of lading with this number for this enterprise is on the platform")
    ]  # fmt: skip
    with pytest.raises(Forbidden):
        run_check(db, t.auditor, check_body(t, s))
    with pytest.raises(Forbidden):
        run_check(db, t.enterprise, check_body(t, s))


def run_or_raise(db: Database, t, body: dict) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as caught:
        run_check(db, t.banks[0], body)
    return [(e.field, e.reason) for e in caught.value.errors]


def test_an_external_ref_is_one_check_per_bank(db: Database) -> None:
    t = make_trader(db)
    s, s2 = make_shipment(db, t), make_shipment(db, t)
    body = check_body(t, s)
    assert isinstance(run_check(db, t.banks[0], body), Done)
    with pytest.raises(AlreadyExists):
        run_check(db, t.banks[0], check_body(t, s2, external_ref=body["external_ref"]))
    assert caller_of(db, t.banks[0]).org_id == t.banks[0].org_id


def test_events_are_found_through_the_reference_index_kept_by_amendments(db: Database) -> None:
    from sqlalchemy import select as sel

    from crossfin.documents.models import DocumentVersion
    from crossfin.documents.versions import amend
    from crossfin.ledger.uow import UnitOfWork

    t = make_trader(db)
    s = make_shipment(db, t)
    depa = s.events[0]
    with db.session(readonly=True) as session:
        record = json.loads(
            session.scalars(
                sel(DocumentVersion.content).where(DocumentVersion.document_id == depa.id)
            ).one()
        )
    carrier = caller_of(db, t.carrier)
    with UnitOfWork(db, carrier.actor) as uow:  # the carrier re-files it for another B/L
        changed = record | {"transport_document_refs": ["OTHERBL1"]}
        amend(uow, carrier, "transport_event", depa.key, changed, "wrong B/L")
        uow.commit()
    done = run_check(db, t.banks[0], check_body(t, s))
    assert isinstance(done, Done)
    keys = {d["key"] for d in done.report["documents"] if d["kind"] == "transport_event"}
    assert depa.key not in keys and len(keys) == 3  # the loads and the arrival still name it
    loading = next(c for c in done.report["comparisons"] if c["subject"] == "loading_date")
    assert loading["evidence"][1]["field"] == "event_datetime (LOAD)"  # no DEPA: the loading

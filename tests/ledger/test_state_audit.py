"""Business tables provable from the log: every row against its latest event's commitment.

One demo database per test (the load is the slow part): every state-changing path runs on
it, the audit passes with every row committed, then each table is changed directly with
SQL, one row at a time, and the audit must name exactly that row; the change is undone
before the next. Runs on SQLite and on PostgreSQL (CROSSFIN_TEST_DATABASE_URL).
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from crossfin.assembly import state_views
from crossfin.cli.main import app as cli
from crossfin.core.clock import utcnow
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.demo.loader import load_demo
from crossfin.documents.access import consent
from crossfin.documents.access.models import Consent
from crossfin.documents.ebl.models import EblStep
from crossfin.documents.models import Document, DocumentBalance, DocumentVersion
from crossfin.documents.state import current_versions, document_commitment
from crossfin.documents.versions import amend
from crossfin.filings.models import Filing
from crossfin.financing import sweeps
from crossfin.financing.caps.models import ScenarioCaps
from crossfin.financing.lifecycle import State
from crossfin.financing.models import Financing, FinancingUse
from crossfin.ledger.events import EventType
from crossfin.ledger.models import StateLeaf
from crossfin.ledger.state import StateViews
from crossfin.ledger.state_audit import StateReport, audit_state_database
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.classes.models import EnterpriseClass
from crossfin.parties.credentials import caller_for
from crossfin.parties.models import Principal
from crossfin.payments.models import Payment
from crossfin.payments.offshore.models import OffshoreCheck
from support.financing import declaration, make_firms
from support.ledger import quiet_settings
from support.parties import TEST_ACTOR

runner = CliRunner()


def audit(db: Database) -> StateReport:
    return audit_state_database(db, StateViews(state_views()))


def named(report: StateReport) -> list[tuple[str, int]]:
    return [(d.table, d.row_id) for d in report.divergent]


def caller(session: Session, username: str) -> Any:
    principal = session.scalars(select(Principal).where(Principal.username == username)).one()
    return caller_for(session, principal)


def load(db: Database, settings: Settings) -> None:
    with UnitOfWork(db, TEST_ACTOR) as uow:
        load_demo(uow, settings.data_dir)
        uow.commit()


def run_other_paths(db: Database) -> None:
    """The state changes the demo load does not make: revocation, amendment, sweeps."""
    with UnitOfWork(db, TEST_ACTOR) as uow:
        firm = caller(uow.session, "lotus.admin")
        granted = uow.session.scalars(
            select(Consent.id).where(Consent.enterprise_org_id == firm.org_id)
        ).first()
        assert granted is not None
        with uow.acting_as(firm.actor):
            consent.revoke(uow, firm, granted)
        uow.commit()
    with UnitOfWork(db, TEST_ACTOR) as uow:
        officer = caller(uow.session, "customs-sz.officer")
        doc = uow.session.scalars(
            select(Document)
            .where(Document.source_org_id == officer.org_id, Document.kind == "customs_declaration")
            .order_by(Document.id)
        ).first()
        assert doc is not None
        content = json.loads(
            uow.session.scalars(
                select(DocumentVersion.content).where(DocumentVersion.document_id == doc.id)
            ).one()
        )
        content["total_value"] = str(Decimal(content["total_value"]) + 1)
        with uow.acting_as(officer.actor):
            amend(uow, officer, doc.kind, doc.key, content, "corrected value")
        uow.commit()
    # A year on: reservations lapse and disbursed loans fall overdue.
    swept = sweeps.sweep(db, now=utcnow() + timedelta(days=365))
    assert swept.expired and swept.overdue


def first_id(db: Database, column: Any, *where: Any) -> int:
    with db.session(readonly=True) as session:
        found = session.scalar(select(column).where(*where).order_by(column).limit(1))
    assert found is not None
    return int(found)


def change(db: Database, statement: Any) -> None:
    with db.session() as session:
        session.execute(statement)
        session.commit()


def tampered(db: Database, doing: Any, undoing: Any) -> StateReport:
    """The audit's report with `doing` applied; `undoing` puts the row back."""
    change(db, doing)
    try:
        return audit(db)
    finally:
        change(db, undoing)


def value(db: Database, column: Any, where: Any) -> Any:
    with db.session(readonly=True) as session:
        return session.scalar(select(column).where(where))


def test_every_direct_change_is_named(db: Database, settings: Settings) -> None:
    load(db, settings)
    run_other_paths(db)
    clean = audit(db)
    assert clean.ok, clean.lines() + clean.problems
    assert clean.not_yet_committed == 0
    assert {t for t, n in clean.tables.items() if n} == {
        "financings",
        "payments",
        "p1_fundings",
        "offshore_checks",
        "documents",
        "document_balances",
        "consents",
        "enterprise_classes",
        "scenario_caps",
        "ebl_steps",
        "filing_forms",
        "filings",
        "goods_releases",
    }
    assert clean.committed > 500

    # A filing's state moved behind the log's back (a regulator's queue would read it).
    filing = first_id(db, Filing.id, Filing.state == "drafted")
    report = tampered(
        db,
        update(Filing).where(Filing.id == filing).values(state="withdrawn"),
        update(Filing).where(Filing.id == filing).values(state="drafted"),
    )
    assert named(report) == [("filings", filing)]

    # A B/L's holder rewritten behind the log's back (the chain derives it from the steps).
    step = first_id(db, EblStep.id, EblStep.to_uscc.is_not(None))
    holder = value(db, EblStep.to_uscc, EblStep.id == step)
    report = tampered(
        db,
        update(EblStep).where(EblStep.id == step).values(to_uscc="91440300000000000X"),
        update(EblStep).where(EblStep.id == step).values(to_uscc=holder),
    )
    assert named(report) == [("ebl_steps", step)]

    check = first_id(db, OffshoreCheck.id, OffshoreCheck.outcome == "failed")
    report = tampered(
        db,
        update(OffshoreCheck).where(OffshoreCheck.id == check).values(outcome="passed"),
        update(OffshoreCheck).where(OffshoreCheck.id == check).values(outcome="failed"),
    )
    assert named(report) == [("offshore_checks", check)]

    # A class rewritten behind the log's back (the gates would read it).
    klass = first_id(db, EnterpriseClass.id, EnterpriseClass.source.like("import:%"))
    was = value(db, EnterpriseClass.trade_class, EnterpriseClass.id == klass)
    report = tampered(
        db,
        update(EnterpriseClass)
        .where(EnterpriseClass.id == klass)
        .values(trade_class="C" if was != "C" else "A"),
        update(EnterpriseClass).where(EnterpriseClass.id == klass).values(trade_class=was),
    )
    assert named(report) == [("enterprise_classes", klass)]

    # A cap loosened behind the log's back (registrations would read it).
    caps = first_id(db, ScenarioCaps.id)
    report = tampered(
        db,
        update(ScenarioCaps).where(ScenarioCaps.id == caps).values(effective_from=utcnow().date()),
        update(ScenarioCaps)
        .where(ScenarioCaps.id == caps)
        .values(effective_from=value(db, ScenarioCaps.effective_from, ScenarioCaps.id == caps)),
    )
    assert named(report) == [("scenario_caps", caps)]

    payment = first_id(db, Payment.id)
    report = tampered(
        db,
        update(Payment).where(Payment.id == payment).values(payee_name="Someone Else"),
        update(Payment)
        .where(Payment.id == payment)
        .values(payee_name=value(db, Payment.payee_name, Payment.id == payment)),
    )
    assert named(report) == [("payments", payment)]

    financing = first_id(db, Financing.id)
    amount = value(db, Financing.amount_minor, Financing.id == financing)
    report = tampered(
        db,
        update(Financing).where(Financing.id == financing).values(amount_minor=amount * 10),
        update(Financing).where(Financing.id == financing).values(amount_minor=amount),
    )
    assert named(report) == [("financings", financing)]
    assert report.divergent[0].leaf_index is not None
    assert report.divergent[0].expected != report.divergent[0].computed

    approved = first_id(db, Financing.id, Financing.state == State.APPROVED.value)
    assert value(db, Financing.reserved_until, Financing.id == approved) is None
    report = tampered(
        db,
        update(Financing)
        .where(Financing.id == approved)
        .values(reserved_until=utcnow() + timedelta(days=3)),
        update(Financing).where(Financing.id == approved).values(reserved_until=None),
    )
    assert named(report) == [("financings", approved)]

    use = first_id(db, FinancingUse.id)
    owner = value(db, FinancingUse.financing_id, FinancingUse.id == use)
    note = value(db, FinancingUse.note, FinancingUse.id == use)
    report = tampered(
        db,
        update(FinancingUse).where(FinancingUse.id == use).values(note="rewritten"),
        update(FinancingUse).where(FinancingUse.id == use).values(note=note),
    )
    assert named(report) == [("financings", owner)]

    _balances_documents_consents(db)


def _balances_documents_consents(db: Database) -> None:
    used = first_id(db, DocumentBalance.document_id, DocumentBalance.used_minor > 0)
    minor = value(db, DocumentBalance.used_minor, DocumentBalance.document_id == used)
    where = DocumentBalance.document_id == used
    report = tampered(
        db,
        update(DocumentBalance).where(where).values(used_minor=minor - 1),
        update(DocumentBalance).where(where).values(used_minor=minor),
    )
    assert named(report) == [("document_balances", used)]

    # A document only its batch's state tree commits to, and one an amendment does.
    for doc in (first_id(db, Document.id, Document.version == 1), _amended(db)):
        worth = value(db, Document.value_minor, Document.id == doc)
        report = tampered(
            db,
            update(Document).where(Document.id == doc).values(value_minor=worth * 10),
            update(Document).where(Document.id == doc).values(value_minor=worth),
        )
        assert named(report) == [("documents", doc)]

    version = first_id(db, DocumentVersion.id)
    of = value(db, DocumentVersion.document_id, DocumentVersion.id == version)
    text = value(db, DocumentVersion.content, DocumentVersion.id == version)
    report = tampered(
        db,
        update(DocumentVersion).where(DocumentVersion.id == version).values(content=text + " "),
        update(DocumentVersion).where(DocumentVersion.id == version).values(content=text),
    )
    assert named(report) == [("documents", of)]

    # The owner link is checked against organizations: handing a document to another firm.
    linked = first_id(db, Document.id, Document.owner_org_id.is_not(None))
    owner = value(db, Document.owner_org_id, Document.id == linked)
    other = first_id(db, Document.owner_org_id, Document.owner_org_id != owner)
    report = tampered(
        db,
        update(Document).where(Document.id == linked).values(owner_org_id=other),
        update(Document).where(Document.id == linked).values(owner_org_id=owner),
    )
    assert named(report) == [("documents", linked)]

    _consents(db)


def _amended(db: Database) -> int:
    return first_id(db, Document.id, Document.version == 2)


def _consents(db: Database) -> None:
    active = first_id(db, Consent.id, Consent.revoked_at.is_(None))
    revoked = first_id(db, Consent.id, Consent.revoked_at.is_not(None))
    at = value(db, Consent.revoked_at, Consent.id == revoked)
    report = tampered(
        db,
        update(Consent).where(Consent.id == revoked).values(revoked_at=None, revoked_by=None),
        update(Consent)
        .where(Consent.id == revoked)
        .values(revoked_at=at, revoked_by=value(db, Consent.granted_by, Consent.id == revoked)),
    )
    assert named(report) == [("consents", revoked)]
    expires = value(db, Consent.expires_at, Consent.id == active)
    report = tampered(
        db,
        update(Consent)
        .where(Consent.id == active)
        .values(expires_at=expires + timedelta(days=3650)),
        update(Consent).where(Consent.id == active).values(expires_at=expires),
    )
    assert named(report) == [("consents", active)]

    # Deleted: the latest event says the row exists.
    with db.session(readonly=True) as session:
        query = select(*Consent.__table__.columns).where(Consent.id == active)
        row = dict(session.execute(query).one()._mapping)
    report = tampered(db, delete(Consent).where(Consent.id == active), insert(Consent).values(row))
    assert named(report) == [("consents", active)]
    assert report.divergent[0].computed is None
    assert report.divergent[0].leaf_index is not None

    # Inserted with no event at all.
    fresh = {**row, "id": 10_000, "granted_at": utcnow()}
    report = tampered(
        db, insert(Consent).values(fresh), delete(Consent).where(Consent.id == 10_000)
    )
    assert named(report) == [("consents", 10_000)]
    assert report.divergent[0].leaf_index is None
    assert audit(db).ok


def test_state_tree_leaves_are_proven_by_the_event(db: Database, settings: Settings) -> None:
    """A document's committed digest is believed only when its tree reproduces the root."""
    load(db, settings)
    with db.session(readonly=True) as session:
        leaf = session.execute(select(StateLeaf).limit(1)).scalar_one()
        tree, position, digest = leaf.tree_id, leaf.position, leaf.digest
    where = (StateLeaf.tree_id == tree) & (StateLeaf.position == position)
    report = tampered(
        db,
        update(StateLeaf).where(where).values(digest=bytes(32)),
        update(StateLeaf).where(where).values(digest=digest),
    )
    assert not report.ok
    assert any("ledger_state_leaves was altered" in p for p in report.problems)


def test_log_audit_command_names_the_row(db: Database, settings: Settings) -> None:
    conf = quiet_settings(settings)
    load(db, conf)
    env = {
        "CROSSFIN_DATABASE_URL": db.url,
        "CROSSFIN_DATA_DIR": str(conf.data_dir),
        "CROSSFIN_CHECKPOINT_INTERVAL": "0",
    }
    runner.invoke(cli, ["log", "checkpoint"], env=env)
    result = runner.invoke(cli, ["log", "audit", "--json"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["state"]["ok"] and data["state"]["not_yet_committed"] == 0

    financing = first_id(db, Financing.id)
    amount = value(db, Financing.amount_minor, Financing.id == financing)
    change(db, update(Financing).where(Financing.id == financing).values(amount_minor=amount * 10))
    result = runner.invoke(cli, ["log", "audit", "--json"], env=env)
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert (data["ok"], data["log_ok"]) == (False, True)
    [row] = data["state"]["divergent"]
    assert (row["table"], row["id"]) == ("financings", financing)
    assert isinstance(row["leaf_index"], int)

    text = runner.invoke(cli, ["log", "audit"], env=env)
    assert text.exit_code == 1
    assert f"financings row {financing}: differs" in text.output
    alias = runner.invoke(cli, ["audit", "--json"], env=env)
    assert alias.exit_code == 1
    assert json.loads(alias.output)["state"]["divergent"] == data["state"]["divergent"]
    skipped = runner.invoke(cli, ["log", "audit", "--no-state"], env=env)
    assert skipped.exit_code == 0, skipped.output


def test_rows_older_than_the_first_commitment_are_not_yet_committed(db: Database) -> None:
    """An old log: rows from before commitments existed are counted, not failed; a row
    that appears after the first commitment without an event of its own is named."""
    firms = make_firms(db, banks=1)
    old, kept = declaration(db, firms), declaration(db, firms)
    before = audit(db)
    assert (before.ok, before.not_yet_committed, before.first_commitment) == (True, 2, None)

    with UnitOfWork(db, TEST_ACTOR) as uow:
        uow.record(
            EventType.DOCUMENT_AMENDED,
            subjects={"document": kept.id},
            content={},
            state=document_commitment(kept, current_versions(uow.session, kept.id)),
        )
        uow.commit()
    after = audit(db)
    assert (after.ok, after.not_yet_committed, after.committed) == (True, 1, 1)

    new = declaration(db, firms)
    report = audit(db)
    assert named(report) == [("documents", new.id)]
    assert report.divergent[0].leaf_index is None
    assert report.not_yet_committed == 1
    assert old.id not in {d.row_id for d in report.divergent}

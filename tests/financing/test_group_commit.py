"""Group commit: a batch decides its applications one after another, like single requests."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from crossfin.core.errors import AlreadyExists, IdempotencyConflict, ValidationFailed
from crossfin.financing import registration
from crossfin.financing.combiner import Answer, Combiner, Job
from crossfin.financing.errors import DuplicateFinancing, OverFinancing
from crossfin.financing.models import Financing
from crossfin.financing.schemas import FinancingIn
from crossfin.financing.service import Entry, Registered, register_many
from crossfin.ledger.models import LedgerEvent
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.models import OrgKind, Role
from support.financing import application, balance_row, declaration, make_firms
from support.financing_storm import http_storm, live_server
from support.stats import assert_stats_match_recount


def caller_of(party) -> Caller:
    return Caller(party.principal_id, "svc", Role.OPERATOR, party.org_id, OrgKind.BANK, None)


def count(db, model_or_type):
    with db.session(readonly=True) as session:
        if isinstance(model_or_type, str):
            return session.scalar(select(func.count()).where(LedgerEvent.type == model_or_type))
        return session.scalar(select(func.count()).select_from(model_or_type))


def test_register_many_decides_in_order(db):
    firms = make_firms(db)
    doc, other = declaration(db, firms, "100.00"), declaration(db, firms, "100.00")
    bank = firms.banks[0]
    bodies = [
        application(firms, [doc], "60.00", ref="R1"),
        application(firms, [doc], "50.00", ref="R2"),  # 40 left: over
        application(firms, [doc], "40.00", ref="R3"),  # exactly the rest
        application(firms, [doc], "0.01", ref="R4"),  # nothing left
        application(firms, [other], "10.00", ref="R1"),  # same ref as R1
        application(firms, [other], "10.00", ref="R5", scenario="F9"),
    ]
    entries = [Entry(FinancingIn.model_validate(b), bank.org_id, bank.principal_id) for b in bodies]
    with UnitOfWork(db, caller_of(bank).actor) as uow:
        outcomes = register_many(uow, entries, 72)
        uow.commit()
    kinds = [type(o) for o in outcomes]
    assert kinds == [
        Registered,
        OverFinancing,
        Registered,
        DuplicateFinancing,
        AlreadyExists,
        ValidationFailed,
    ]
    assert balance_row(db, doc) == (10000, 0) and balance_row(db, other) == (0, 0)
    assert count(db, Financing) == 2 and count(db, "financing:financing:register") == 2


def test_combiner_idempotency_within_and_across_batches(db):
    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")
    caller = caller_of(firms.banks[0])
    data = FinancingIn.model_validate(application(firms, [doc], "10.00", ref="K"))
    other = FinancingIn.model_validate(application(firms, [doc], "20.00", ref="K2"))
    combiner = Combiner(db, 72)
    try:
        jobs = [
            Job(caller, data, "key-1", "fp-1"),
            Job(caller, data, "key-1", "fp-1"),
            Job(caller, other, "key-1", "fp-2"),
        ]
        combiner._run(jobs)  # one batch, on this thread
        first, second, third = (j.future.exception() or j.future.result() for j in jobs)
        assert isinstance(first, Answer) and first.status == 201 and not first.replayed
        assert isinstance(second, Answer) and second.replayed and second.body == first.body
        assert isinstance(third, IdempotencyConflict)
        later = combiner.submit(Job(caller, data, "key-1", "fp-1")).result(timeout=10)
        assert later.replayed and later.body == first.body
    finally:
        combiner.stop()
    assert count(db, Financing) == 1 and balance_row(db, doc) == (1000, 0)
    assert json.loads(first.body)["receipt"]["leaf_index"] is not None


def test_concurrent_retries_with_one_key_create_one_financing(app, db):
    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")
    body = application(firms, [doc], "10.00", ref="SAME")
    headers = firms.banks[0].headers | {"Idempotency-Key": "retry-1"}
    with live_server(app) as base:
        outcomes = http_storm(base, [(headers, body)] * 12)
    assert {o.status for o in outcomes} == {201}
    assert len({json.dumps(o.body, sort_keys=True) for o in outcomes}) == 1
    assert count(db, Financing) == 1 and balance_row(db, doc) == (1000, 0)
    assert count(db, "financing:financing:register") == 1
    assert_stats_match_recount(db)  # the cells equal a recount after the storm


def test_a_failing_conflict_check_answers_its_request_and_the_writer_lives_on(db, monkeypatch):
    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")
    caller = caller_of(firms.banks[0])
    combiner = Combiner(db, 72)
    real_together = registration._together

    def conflicting(tx, applications, hours, hooks):
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    def broken_check(session, job):
        raise RuntimeError("database went away while checking the conflict")

    try:
        monkeypatch.setattr(registration, "_together", conflicting)
        monkeypatch.setattr(combiner.answers, "after_conflict", broken_check)
        data = FinancingIn.model_validate(application(firms, [doc], "10.00", ref="X1"))
        failed = combiner.submit(Job(caller, data, None, "fp-x1"))
        assert isinstance(failed.exception(timeout=10), RuntimeError)
        monkeypatch.setattr(registration, "_together", real_together)
        data = FinancingIn.model_validate(application(firms, [doc], "10.00", ref="X2"))
        later = combiner.submit(Job(caller, data, None, "fp-x2")).result(timeout=10)
        assert later.status == 201
    finally:
        combiner.stop()
    assert count(db, Financing) == 1

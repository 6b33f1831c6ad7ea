"""P2 through the one submission function: the filing lookup, the threshold, cumulative use."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from crossfin.core.errors import Forbidden, ValidationFailed
from crossfin.ledger.models import LedgerEvent
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alerts import Alert
from crossfin.parties.gates import ClassNotEligible
from crossfin.parties.models import OrgKind, Role
from crossfin.payments import transitions
from crossfin.payments.errors import FilingExhausted, FilingRequired
from crossfin.payments.scenarios import FILING_NOT_FOUND
from crossfin.payments.service import Submitted
from crossfin.payments.thresholds import current_thresholds, set_threshold
from support.financing import balance_row
from support.parties import make_party
from support.payments import (
    caller_of,
    make_forwarders,
    p2_body,
    submit,
    tax_filing,
)


def alerts(db, kind):  # type: ignore[no-untyped-def]
    with db.session(readonly=True) as session:
        return list(session.scalars(select(Alert).where(Alert.kind == kind)))


def act(db, party, fn, *args):  # type: ignore[no-untyped-def]
    caller = caller_of(db, party)
    with UnitOfWork(db, caller.actor) as uow:
        result = fn(uow, caller, *args)
        uow.commit()
    return result


def test_one_filing_several_payments_never_beyond_it(db):
    fw = make_forwarders(db, banks=2)
    filing = tax_filing(db, fw, "100000.00")
    first, second = submit(db, fw.banks[0], p2_body(fw, filing, "60000.00"), p2_body(fw, filing))
    assert isinstance(first, Submitted) and isinstance(second, Submitted), (first, second)
    assert balance_row(db, filing) == (9_000_000, 0)
    assert [u["used_minor"] for u in first.uses] == [6_000_000]
    [over] = submit(db, fw.banks[1], p2_body(fw, filing, "10000.01"))
    assert isinstance(over, FilingExhausted)
    problem = over.problem()
    assert problem["status"] == 409 and problem["type"].endswith("/filing-exhausted")
    assert problem["remaining"] == "10000.00" and problem["currency"] == "USD"
    assert set(problem) == {
        "type", "title", "status", "detail", "filing", "remaining", "requested", "currency"
    }  # fmt: skip
    assert balance_row(db, filing) == (9_000_000, 0)
    [alert] = alerts(db, "filing-overpayment")
    assert alert.document_id == filing.id and alert.actor_org_id == fw.banks[1].org_id
    assert json.loads(alert.details)["remaining"] == "10000.00"
    [last] = submit(db, fw.banks[1], p2_body(fw, filing, "10000.00"))
    assert isinstance(last, Submitted)
    assert balance_row(db, filing) == (10_000_000, 0)


def test_the_filing_is_used_in_its_own_currency_rounded_up(db):
    fw = make_forwarders(db, banks=1)
    filing = tax_filing(db, fw, "710000.00", "CNY")
    [done] = submit(db, fw.banks[0], p2_body(fw, filing, "60000.01"))
    assert isinstance(done, Submitted), done
    assert done.uses[0]["used_minor"] == 42_600_008 and done.uses[0]["currency"] == "CNY"


def test_a_wrong_code_answers_as_a_missing_serial(db):
    fw = make_forwarders(db, banks=1)
    filing = tax_filing(db, fw)
    other = make_forwarders(db, banks=0)
    theirs = tax_filing(db, other)
    wrong = submit(db, fw.banks[0], p2_body(fw, filing, code="ZZZZ9999", ref="R-1"))[0]
    lower = submit(db, fw.banks[0], p2_body(fw, filing, code="a1b2c3d4", ref="R-2"))[0]
    missing_body = p2_body(fw, filing, ref="R-1")
    missing_body["documents"][0]["key"] = "4403009999999999"
    missing = submit(db, fw.banks[0], missing_body)[0]
    not_payer = submit(db, fw.banks[0], p2_body(fw, theirs, ref="R-1"))[0]
    assert isinstance(lower, Submitted)  # codes are read upper-case, as the kind stores them
    for refused in (wrong, missing, not_payer):
        assert isinstance(refused, ValidationFailed), refused
        assert refused.errors == wrong.errors
        assert refused.errors[0].reason == FILING_NOT_FOUND
    assert wrong.problem() == missing.problem() == not_payer.problem()


@pytest.mark.parametrize("field", ["key", "verification_code"])
def test_both_serial_and_code_are_required(db, field):
    fw = make_forwarders(db, banks=1)
    filing = tax_filing(db, fw)
    body = p2_body(fw, filing, code=None if field == "verification_code" else "A1B2C3D4")
    if field == "key":
        body["documents"][0].pop("key")
        with pytest.raises(Exception, match="key"):
            submit(db, fw.banks[0], body)
        return
    [out] = submit(db, fw.banks[0], body)
    assert isinstance(out, ValidationFailed)
    assert out.errors[0].field == "documents[0].fields.verification_code"


def test_the_threshold_needs_a_filing_above_it(db):
    fw = make_forwarders(db, banks=1)
    at, above = submit(
        db, fw.banks[0], p2_body(fw, None, "50000.00"), p2_body(fw, None, "50000.01")
    )
    assert isinstance(at, Submitted) and at.uses == []
    assert isinstance(above, FilingRequired), above
    problem = above.problem()
    assert problem["status"] == 422 and problem["type"].endswith("/filing-required")
    assert problem["threshold"] == "50000.00" and problem["usd_equivalent"] == "50000.01"
    [alert] = alerts(db, "payment-without-documents")
    assert alert.subject_org_id == fw.payer.org_id and alert.actor_org_id == fw.banks[0].org_id


def test_the_threshold_is_converted_at_the_recorded_rate(db):
    fw = make_forwarders(db, banks=1)
    body = p2_body(fw, None, "355000.00")  # CNY at 7.10 = USD 50,000.00
    body |= {"currency": "CNY"}
    over = p2_body(fw, None, "355000.08") | {"currency": "CNY"}
    fits, refused = submit(db, fw.banks[0], body, over)
    assert isinstance(fits, Submitted) and fits.payment.usd_minor == 5_000_000
    assert isinstance(refused, FilingRequired)


def test_the_threshold_is_data_versioned_with_an_event(db):
    head = make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="000000")
    fw = make_forwarders(db, banks=1)
    with pytest.raises(Forbidden):
        act(db, fw.regulator, set_threshold, "P2", "10000.00", "x")
    with pytest.raises(ValidationFailed):
        act(db, head, set_threshold, "P3", "10000.00", "x")
    threshold, _ = act(db, head, set_threshold, "P2", "10000.00", "tighter checks")
    assert (threshold.version, threshold.text) == (1, "10000.00")
    with db.session(readonly=True) as session:
        assert current_thresholds(session)["P2"].usd_minor == 1_000_000
        types = session.scalars(select(LedgerEvent.type)).all()
    assert "payments:threshold:set" in types
    [out] = submit(db, fw.banks[0], p2_body(fw, None, "10000.01"))
    assert isinstance(out, FilingRequired) and out.extra["threshold_version"] == 1


def test_the_filing_names_the_payee(db):
    fw = make_forwarders(db, banks=1)
    filing = tax_filing(db, fw)
    body = p2_body(fw, filing)
    body["payee"] = body["payee"] | {"name": "Someone Else Ltd", "country": "FR"}
    [out] = submit(db, fw.banks[0], body)
    assert isinstance(out, ValidationFailed)
    assert {e.field for e in out.errors} == {"payee.name", "payee.country"}
    assert balance_row(db, filing) == (0, 0)


def test_one_filing_per_payment_and_only_filings(db):
    fw = make_forwarders(db, banks=1)
    a, b = tax_filing(db, fw), tax_filing(db, fw)
    two = p2_body(fw, a)
    two["documents"] += p2_body(fw, b)["documents"]
    invoice = p2_body(fw, a)
    invoice["documents"][0]["kind"] = "vat_invoice"
    outs = submit(db, fw.banks[0], two, invoice)
    assert all(isinstance(o, ValidationFailed) for o in outs)
    assert outs[0].errors[0].field == "documents"
    assert outs[1].errors[0].field == "documents[0].kind"


def test_cancel_and_return_give_the_amount_back(db):
    fw = make_forwarders(db, banks=1)
    filing = tax_filing(db, fw)
    first, second = submit(
        db, fw.banks[0], p2_body(fw, filing, "70000.00"), p2_body(fw, filing, "20000.00")
    )
    act(db, fw.banks[0], transitions.cancel, first.payment_id, "contract changed")
    assert balance_row(db, filing) == (2_000_000, 0)
    act(db, fw.checkers[0], transitions.approve, second.payment_id)
    act(db, fw.banks[0], transitions.pay, second.payment_id)
    act(db, fw.banks[0], transitions.return_payment, second.payment_id, "returned")
    assert balance_row(db, filing) == (0, 0)
    [again] = submit(db, fw.banks[0], p2_body(fw, filing, "100000.00"))
    assert isinstance(again, Submitted)


def test_class_gates_apply(db):
    fw = make_forwarders(db, banks=1, trade_class="C")
    filing = tax_filing(db, fw)
    [out] = submit(db, fw.banks[0], p2_body(fw, filing))
    assert isinstance(out, ClassNotEligible) and "P2 x C = refused" in out.extra["rule"]
    fw_b = make_forwarders(db, banks=1, trade_class="B")
    [checked] = submit(db, fw_b.banks[0], p2_body(fw_b, tax_filing(db, fw_b)))
    assert isinstance(checked, Submitted) and checked.payment.treatment == "checked"
    [bulk] = submit(db, fw_b.banks[0], p2_body(fw_b, tax_filing(db, fw_b)), bulk=True)
    assert isinstance(bulk, Forbidden)


def test_every_change_commits_the_filing_balance(db):
    fw = make_forwarders(db, banks=1)
    filing = tax_filing(db, fw)
    [done] = submit(db, fw.banks[0], p2_body(fw, filing))
    with db.session(readonly=True) as session:
        [record] = session.scalars(
            select(LedgerEvent.record).where(LedgerEvent.type == "payments:payment:submit")
        ).all()
    assert set(json.loads(record)["state"]) == {
        f"payment:{done.payment_id}",
        f"balance:{filing.id}",
    }

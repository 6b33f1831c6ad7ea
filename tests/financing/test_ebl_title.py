"""F5 reads a negotiable B/L's title from its eBL chain, under the balance lock: refused
(422, a type per reason, recorded as a refused attempt) once surrendered, when the
applicant is not the current holder, or while pledged in the chain to another bank; a bill
without a chain is judged by its shipper, as before."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crossfin.financing import registration
from crossfin.financing.errors import BillSurrendered
from crossfin.financing.models import Financing
from crossfin.financing.schemas import FinancingIn
from crossfin.financing.service import Registered
from crossfin.ledger.models import LedgerEvent
from crossfin.ledger.uow import Transactions
from crossfin.parties.access import Caller
from crossfin.parties.models import OrgKind, Role
from support.ebl import Chain, body, new_chain, post_step
from support.financing import application, balance_row, bill_of_lading, declaration, make_firms
from support.parties import Party, uscc_for

BUYER = uscc_for("440305", 7003)
REFUSED = "financing:attempt:refuse"


def _apply(client, c: Chain, bank: int = 0, **headers: str) -> Any:  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/financings",
        json=application(c.firms, [c.bl], "50000.00", scenario="F5", ref=headers.pop("ref", None)),
        headers=c.firms.banks[bank].headers | headers,
    )


def _step(client, c: Chain, seq: int, action: str, **fields: Any) -> None:  # type: ignore[no-untyped-def]
    done = post_step(client, c.source, c.signer, body(c.bl.key, seq, action, **fields))
    assert done.status_code == 201, done.text


def _bic(client, bank: Party) -> str:  # type: ignore[no-untyped-def]
    return str(client.get(f"/v1/orgs/{bank.org_id}", headers=bank.headers).json()["bic"])


def _count(db, what: Any) -> int:  # type: ignore[no-untyped-def]
    with db.session(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(what)) or 0


def _refusals(db) -> int:  # type: ignore[no-untyped-def]
    with db.session(readonly=True) as session:
        query = select(func.count()).where(LedgerEvent.type == REFUSED)
        return session.scalar(query) or 0


def _assert_refused(db, c: Chain, answer: Any, slug: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["type"] == f"https://crossfin.dev/problems/{slug}"
    assert problem["document"] == {"kind": "bill_of_lading", "key": c.bl.key}
    [error] = problem["errors"]
    assert error["field"] == "documents[0]" and reason in error["reason"]
    # Nothing was reserved or written; the attempt was recorded.
    assert balance_row(db, c.bl) == (0, 0) and _count(db, Financing) == 0


def test_a_surrendered_bill_is_refused(client, db) -> None:  # type: ignore[no-untyped-def]
    c = new_chain(client, db)
    _step(client, c, 1, "issue", to={"uscc": c.firms.uscc})
    _step(client, c, 2, "surrender")
    _assert_refused(db, c, _apply(client, c), "ebl-surrendered", "surrendered to the carrier")
    assert _refusals(db) == 1


def test_the_applicant_must_be_the_current_holder(client, db) -> None:  # type: ignore[no-untyped-def]
    c = new_chain(client, db)
    _step(client, c, 1, "issue", to={"uscc": c.firms.uscc})
    _step(client, c, 2, "endorse", to={"uscc": BUYER})
    answer = _apply(client, c)
    _assert_refused(db, c, answer, "ebl-not-holder", "not its current holder")
    assert _refusals(db) == 1
    c2 = new_chain(client, db)  # a holder named without a USCC is nobody on crossfin
    _step(client, c2, 1, "issue", to={"name": "Holder Ltd"})
    assert _apply(client, c2).json()["type"].endswith("/ebl-not-holder")


def test_a_bill_pledged_in_its_chain_goes_to_that_bank_only(client, db) -> None:  # type: ignore[no-untyped-def]
    c = new_chain(client, db)
    _step(client, c, 1, "issue", to={"uscc": c.firms.uscc})
    _step(client, c, 2, "pledge", bank=_bic(client, c.firms.banks[1]))
    elsewhere = _apply(client, c, bank=0)
    _assert_refused(db, c, elsewhere, "ebl-pledged-to-another-bank", "pledged in its chain")
    assert _refusals(db) == 1
    taken = _apply(client, c, bank=1)  # the chain's pledgee finances it
    assert taken.status_code == 201, taken.text
    _step(client, c, 3, "release")  # the chain's pledge released, the financing's holds
    twice = _apply(client, c, bank=0)
    assert twice.status_code == 409 and twice.json()["type"].endswith("/duplicate-financing")


def test_the_holder_pledges_after_a_release(client, db) -> None:  # type: ignore[no-untyped-def]
    c = new_chain(client, db)
    _step(client, c, 1, "issue", to={"uscc": c.firms.uscc})
    _step(client, c, 2, "pledge", bank=_bic(client, c.firms.banks[1]))
    _step(client, c, 3, "release")
    taken = _apply(client, c, bank=0)
    assert taken.status_code == 201, taken.text
    assert balance_row(db, c.bl)[1] == 1 and _refusals(db) == 0


def test_without_a_chain_the_shipper_decides(client, db) -> None:  # type: ignore[no-untyped-def]
    c = new_chain(client, db)  # no step recorded: the shipper field decides, as before
    taken = _apply(client, c)
    assert taken.status_code == 201, taken.text
    other = make_firms(db)  # another enterprise: not the shipper
    bill = bill_of_lading(db, other)
    wrong = application(other, [bill], "10.00", scenario="F5") | {"enterprise_uscc": c.firms.uscc}
    refused = client.post("/v1/financings", json=wrong, headers=c.firms.banks[0].headers)
    assert refused.status_code == 422
    assert refused.json()["type"].endswith("/validation")
    assert "does not belong to the applicant" in refused.json()["errors"][0]["reason"]
    assert _refusals(db) == 0  # a validation error is not a refused attempt


def test_a_title_refusal_replays_under_its_idempotency_key(client, db) -> None:  # type: ignore[no-untyped-def]
    c = new_chain(client, db)
    _step(client, c, 1, "issue", to={"uscc": c.firms.uscc})
    _step(client, c, 2, "endorse", to={"uscc": BUYER})
    first = _apply(client, c, ref="T-1", **{"Idempotency-Key": "title-1"})
    again = _apply(client, c, ref="T-1", **{"Idempotency-Key": "title-1"})
    assert first.status_code == again.status_code == 422
    assert again.headers["idempotent-replayed"] == "true" and again.content == first.content
    assert _refusals(db) == 1  # a replay is not another attempt


def test_in_a_batch_a_title_refusal_is_its_entrys_answer_only(client, db) -> None:  # type: ignore[no-untyped-def]
    """Decided like a balance refusal: the entry's outcome, the others registered in the
    same transaction, the attempt recorded after it."""
    c = new_chain(client, db)
    _step(client, c, 1, "issue", to={"uscc": c.firms.uscc})
    _step(client, c, 2, "surrender")
    doc = declaration(db, c.firms, "100.00")
    bank = c.firms.banks[0]
    caller = Caller(bank.principal_id, "svc", Role.OPERATOR, bank.org_id, OrgKind.BANK, None)
    bodies = [
        application(c.firms, [c.bl], "10.00", scenario="F5"),
        application(c.firms, [doc], "10.00"),
    ]
    batch = [registration.Application(caller, FinancingIn.model_validate(b)) for b in bodies]
    refused, done = registration.register_applications(
        Transactions.own(db, caller.actor), batch, 72
    )
    assert isinstance(refused, BillSurrendered) and refused.status == 422
    assert isinstance(done, Registered)
    assert _count(db, Financing) == 1 and balance_row(db, c.bl) == (0, 0)
    assert balance_row(db, doc) == (1000, 0)
    assert _refusals(db) == 1

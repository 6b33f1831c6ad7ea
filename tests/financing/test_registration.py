"""Registration has one home: every entry point calls `registration.register_applications`,
and each answers conflicts and refusals the same way."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from crossfin.api.app import create_app
from crossfin.cli.main import app as cli
from crossfin.core import secrets
from crossfin.core.errors import AlreadyExists
from crossfin.demo import financings as demo_financings
from crossfin.financing import registration, service
from crossfin.financing.models import Financing
from crossfin.financing.schemas import FinancingIn
from crossfin.ledger import keys
from crossfin.ledger.models import LedgerEvent
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.models import OrgKind, Principal, Role
from support.financing import application, balance_row, declaration, make_firms
from support.financing_storm import live_server
from support.stats import assert_stats_match_recount
from support.web import add_user, csrf_from, login

REFUSED = "financing:attempt:refuse"


def events(db, kind: str) -> int:  # type: ignore[no-untyped-def]
    with db.session(readonly=True) as session:
        return session.scalar(select(func.count()).where(LedgerEvent.type == kind)) or 0


def financings(db) -> int:  # type: ignore[no-untyped-def]
    with db.session(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(Financing)) or 0


def new_app(settings, db, **changes: Any):  # type: ignore[no-untyped-def]
    """Another app on the test database, its settings changed by `changes`."""
    conf = settings.model_copy(update=changes)
    keys.ensure_log_key(conf)
    secrets.ensure_platform_secret(conf)
    return create_app(conf, db)


@pytest.fixture
def alone_client(settings, db):  # type: ignore[no-untyped-def]
    """A client of an app with group commit off: each registration commits alone."""
    app = new_app(settings, db, financing_group_commit=False)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(params=["grouped", "alone"])
def api(request, client, alone_client):  # type: ignore[no-untyped-def]
    """The API with group commit on (the combiner) and off."""
    return client if request.param == "grouped" else alone_client


@pytest.fixture
def spy(monkeypatch) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """The external_refs of every call of the one registration function."""
    calls: list[list[str]] = []
    real = registration.register_applications

    def spying(tx, applications, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append([a.data.external_ref for a in applications])
        return real(tx, applications, *args, **kwargs)

    monkeypatch.setattr(registration, "register_applications", spying)
    return calls


@pytest.fixture
def concurrent_twin(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Every registration looks its external_refs up before another transaction commits
    the same one: the INSERT then hits the unique (bank_org_id, external_ref)."""
    real = service.Lookups.__init__

    def blind(self, session, entries):  # type: ignore[no-untyped-def]
        real(self, session, entries)
        self.taken = set()

    monkeypatch.setattr(service.Lookups, "__init__", blind)


def portal_form(client, db, firms, body: dict[str, Any]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    name = add_user(db, firms.banks[0].org_id, Role.OPERATOR)
    assert login(client, name).status_code == 303
    token = csrf_from(client.get("/").text)
    return {
        "csrf_token": token,
        "scenario": body["scenario"],
        "external_ref": body["external_ref"],
        "enterprise_uscc": body["enterprise_uscc"],
        "amount": body["amount"],
        "currency": body["currency"],
        "documents": "".join(f"{d['kind']} {d['key']}\n" for d in body["documents"]),
    }


# --- conflicts ----------------------------------------------------------------------------


def test_api_maps_a_concurrent_duplicate_ref_to_409(api, db, concurrent_twin) -> None:  # type: ignore[no-untyped-def]
    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")
    bank = firms.banks[0].headers
    assert (
        api.post(
            "/v1/financings", json=application(firms, [doc], "10.00", ref="DUP"), headers=bank
        ).status_code
        == 201
    )
    again = api.post(
        "/v1/financings", json=application(firms, [doc], "20.00", ref="DUP"), headers=bank
    )
    assert again.status_code == 409, again.text
    problem = again.json()
    assert problem["type"].endswith("/already-exists") and problem["field"] == "external_ref"
    assert financings(db) == 1 and balance_row(db, doc) == (1000, 0)
    assert_stats_match_recount(db)  # the cells equal a recount after the storm


def test_portal_maps_a_concurrent_duplicate_ref_like_the_api(
    client,
    db,  # type: ignore[no-untyped-def]
    concurrent_twin,
) -> None:
    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")
    bank = firms.banks[0].headers
    first = application(firms, [doc], "10.00", ref="DUP")
    assert client.post("/v1/financings", json=first, headers=bank).status_code == 201
    api = client.post("/v1/financings", json=first | {"amount": "20.00"}, headers=bank).json()
    form = portal_form(client, db, firms, first | {"amount": "20.00"})
    page = client.post("/financing/new", data=form)
    assert page.status_code == 409, page.text[:300]  # not a 500
    assert 'data-problem="already-exists"' in page.text
    assert "This already exists" in page.text  # the catalog's title for the slug
    assert html.escape(api["detail"]) in page.text
    zh = client.post("/financing/new", data=form, headers={"Accept-Language": "zh"})
    assert zh.status_code == 409 and "该记录已存在" in zh.text
    assert financings(db) == 1 and balance_row(db, doc) == (1000, 0)
    assert_stats_match_recount(db)  # the cells equal a recount after the storm


def test_an_unexplained_integrity_error_is_not_taken_for_a_duplicate(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")

    def failing(tx, applications, hours, hooks):  # type: ignore[no-untyped-def]
        raise IntegrityError("INSERT", {}, Exception("some other constraint"))

    monkeypatch.setattr(registration, "_together", failing)
    caller = caller_of(firms.banks[0])
    data = FinancingIn.model_validate(application(firms, [doc], "10.00", ref="OTHER"))
    [outcome] = registration.register_applications(
        Transactions.own(db, caller.actor), [registration.Application(caller, data)], 72
    )
    assert isinstance(outcome, IntegrityError)  # the entry point raises it: a 500
    with pytest.raises(IntegrityError):
        registration.registered(outcome)


def caller_of(party) -> Caller:  # type: ignore[no-untyped-def]
    return Caller(party.principal_id, "svc", Role.OPERATOR, party.org_id, OrgKind.BANK, None)


# --- grouped or alone, the same answers ---------------------------------------------------


def test_api_answers_alike_grouped_or_alone(api, db) -> None:  # type: ignore[no-untyped-def]
    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")
    bank = firms.banks[0].headers
    keyed = bank | {"Idempotency-Key": "k-1"}
    body = application(firms, [doc], "60.00", ref="A-1")
    first = api.post("/v1/financings", json=body, headers=keyed)
    assert first.status_code == 201 and first.json()["receipt"]["leaf_index"] is not None
    again = api.post("/v1/financings", json=body, headers=keyed)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    other = api.post("/v1/financings", json=body | {"amount": "1.00"}, headers=keyed)
    assert other.status_code == 409 and other.json()["type"].endswith("/idempotency-conflict")
    over = api.post(
        "/v1/financings", json=application(firms, [doc], "50.00", ref="A-2"), headers=bank
    )
    assert over.status_code == 409 and over.json()["type"].endswith("/over-financing")
    assert events(db, REFUSED) == 1  # recorded after the rollback
    dup = api.post(
        "/v1/financings", json=application(firms, [doc], "1.00", ref="A-1"), headers=bank
    )
    assert dup.status_code == 409 and dup.json()["type"].endswith("/already-exists")
    checker = api.post(
        "/v1/financings",
        json=application(firms, [doc], "1.00", ref="A-3"),
        headers=firms.checkers[0].headers,
    )
    assert checker.status_code == 403
    assert financings(db) == 1 and balance_row(db, doc) == (6000, 0)


def test_a_refusal_replays_under_its_idempotency_key(api, db) -> None:  # type: ignore[no-untyped-def]
    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")
    bank = firms.banks[0].headers
    taken = application(firms, [doc], "60.00", ref="R-1")
    assert api.post("/v1/financings", json=taken, headers=bank).status_code == 201
    keyed = bank | {"Idempotency-Key": "retry-me"}
    body = application(firms, [doc], "50.00", ref="R-2")
    first = api.post("/v1/financings", json=body, headers=keyed)
    assert first.status_code == 409 and first.json()["type"].endswith("/over-financing")
    assert first.headers["content-type"] == "application/problem+json"
    again = api.post("/v1/financings", json=body, headers=keyed)
    assert again.status_code == 409 and again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"] == "application/problem+json"
    assert again.content == first.content  # the very answer, not a new decision
    assert events(db, REFUSED) == 1  # a replay is not another attempt
    other = api.post("/v1/financings", json=body | {"amount": "1.00"}, headers=keyed)
    assert other.status_code == 409 and other.json()["type"].endswith("/idempotency-conflict")
    assert financings(db) == 1 and balance_row(db, doc) == (6000, 0)


def test_a_refusal_replays_even_once_the_balance_is_free(client, db) -> None:  # type: ignore[no-untyped-def]
    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")
    bank = firms.banks[0].headers
    taken = client.post(
        "/v1/financings", json=application(firms, [doc], "60.00", ref="F-1"), headers=bank
    )
    keyed = bank | {"Idempotency-Key": "late-retry"}
    body = application(firms, [doc], "50.00", ref="F-2")
    assert client.post("/v1/financings", json=body, headers=keyed).status_code == 409
    cancel = client.post(
        f"/v1/financings/{taken.json()['id']}/cancel", json={"reason": "withdrawn"}, headers=bank
    )
    assert cancel.status_code == 200, cancel.text
    again = client.post("/v1/financings", json=body, headers=keyed)
    # The key names one request, which was refused: a retry gets that answer; a new
    # attempt takes a new key.
    assert again.status_code == 409 and again.headers["idempotent-replayed"] == "true"
    fresh = client.post("/v1/financings", json=body, headers=bank | {"Idempotency-Key": "new"})
    assert fresh.status_code == 201


def test_portal_records_a_refusal_like_the_api(client, db) -> None:  # type: ignore[no-untyped-def]
    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")
    form = portal_form(client, db, firms, application(firms, [doc], "60.00", ref="P-1"))
    assert client.post("/financing/new", data=form, follow_redirects=False).status_code == 303
    over = client.post("/financing/new", data=form | {"external_ref": "P-2"})
    assert over.status_code == 409 and 'data-problem="over-financing"' in over.text
    assert events(db, REFUSED) == 1


# --- every entry point calls the one function ----------------------------------------------


def test_every_entry_point_calls_the_one_function(
    settings,
    client,
    alone_client,
    db,
    spy,  # type: ignore[no-untyped-def]
    tmp_path,
) -> None:
    firms = make_firms(db)
    doc = declaration(db, firms, "1000.00")
    bank = firms.banks[0].headers
    grouped = client.post(
        "/v1/financings", json=application(firms, [doc], "1.00", ref="E-api"), headers=bank
    )
    alone = alone_client.post(
        "/v1/financings", json=application(firms, [doc], "1.00", ref="E-alone"), headers=bank
    )
    assert (grouped.status_code, alone.status_code) == (201, 201)
    form = portal_form(client, db, firms, application(firms, [doc], "1.00", ref="E-portal"))
    assert client.post("/financing/new", data=form, follow_redirects=False).status_code == 303
    lines = tmp_path / "apps.jsonl"
    lines.write_text(json.dumps(application(firms, [doc], "1.00", ref="E-cli")) + "\n")
    with live_server(new_app(settings, db)) as base:  # the CLI talks to a live server
        env = {"CROSSFIN_SERVER": base, "CROSSFIN_API_KEY": firms.banks[0].key}
        res = CliRunner().invoke(cli, ["financing", "apply", str(lines)], env=env)
    assert res.exit_code == 0, res.output
    loaded = demo_loan(db, firms, doc, "E-demo")
    assert loaded.financings_added == 1
    refs = [ref for call in spy for ref in call]
    assert sorted(refs) == ["E-alone", "E-api", "E-cli", "E-demo", "E-portal"]
    assert financings(db) == 5


def demo_loan(db, firms, doc, ref: str, amount: str = "1.00"):  # type: ignore[no-untyped-def]
    """Load one demo loan on `doc` for firms.banks[0], as the demo loader does."""
    bank_key = f"bank{firms.banks[0].org_id}"
    for role in (Role.OPERATOR, Role.APPROVER):  # the demo's maker and checker
        name = f"{bank_key}.{role.value}"
        with db.session(readonly=True) as session:
            known = session.scalar(select(Principal.id).where(Principal.username == name))
        if known is None:
            add_user(db, firms.banks[0].org_id, role, username=name)
    loan = demo_financings.DemoLoan(
        bank_key,
        "firm",
        "registered",
        FinancingIn.model_validate(application(firms, [doc], amount, ref=ref)),
    )
    result = demo_financings.FinancingsResult()
    with UnitOfWork(db, caller_of(firms.banks[0]).actor) as uow:
        demo_financings._load_loans(
            uow, demo_financings._People(uow), {bank_key: firms.banks[0].org_id}, [loan], result
        )
        uow.commit()
    return result


def test_demo_records_a_refusal_in_its_own_transaction(db) -> None:  # type: ignore[no-untyped-def]
    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")
    assert demo_loan(db, firms, doc, "D-1", "100.00").financings_added == 1
    refused = demo_loan(db, firms, doc, "D-2", "1.00")
    assert (refused.financings_added, refused.skipped) == (0, ["D-2"])
    assert events(db, REFUSED) == 1 and financings(db) == 1


def test_demo_maps_a_concurrent_duplicate_ref_and_goes_on(db, concurrent_twin) -> None:  # type: ignore[no-untyped-def]
    """Inside the loader's one transaction, the conflicting registration is undone by its
    savepoint and answered 409; the loader's other work stays."""
    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")
    assert demo_loan(db, firms, doc, "D-1").financings_added == 1
    caller = caller_of(firms.banks[0])
    data = FinancingIn.model_validate(application(firms, [doc], "2.00", ref="D-1"))
    fresh = FinancingIn.model_validate(application(firms, [doc], "3.00", ref="D-2"))
    with UnitOfWork(db, caller.actor) as uow:
        tx = Transactions.within(uow)
        [clash] = registration.register_applications(
            tx, [registration.Application(caller, data)], 72
        )
        [done] = registration.register_applications(
            tx, [registration.Application(caller, fresh)], 72
        )
        uow.commit()
    assert isinstance(clash, AlreadyExists) and clash.extra["field"] == "external_ref"
    assert registration.registered(done).financing.external_ref == "D-2"
    assert financings(db) == 2 and balance_row(db, doc) == (400, 0)
    assert_stats_match_recount(db)  # the cells equal a recount after the storm

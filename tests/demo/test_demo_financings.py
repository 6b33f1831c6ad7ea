"""The demo's financings: F1/F4/F5 in every state, an open F7 need, an F2 query; the tour."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from crossfin.core.db import Database
from crossfin.core.money import format_amount, parse_amount
from crossfin.core.settings import Settings
from crossfin.demo.dataset import demo_orgs, demo_password
from crossfin.demo.financings import TOUR_DECLARATION, demo_plan
from crossfin.demo.loader import DemoResult, load_demo
from crossfin.demo.trade import demo_batches
from crossfin.documents.models import Document, DocumentBalance
from crossfin.financing.market.matchmaking import served_paths
from crossfin.financing.market.models import CreditQuery, FinancingNeed, FinancingOffer
from crossfin.financing.models import Financing, FinancingUse
from crossfin.ledger.models import LogHead
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.models import Organization, Principal
from crossfin.payments.models import PaymentUse
from crossfin.payments.offshore.models import OffshoreCheckUse
from support.parties import TEST_ACTOR
from support.web import csrf_from, login

README = Path(__file__).resolve().parents[2] / "README.md"
EXPECTED = Counter(
    {
        ("F1", "registered"): 2,
        ("F1", "approved"): 1,
        ("F1", "disbursed"): 3,
        ("F1", "partly_repaid"): 2,
        ("F1", "repaid"): 1,
        ("F1", "closed"): 1,
        ("F1", "rejected"): 1,
        ("F1", "cancelled"): 1,
        ("F4", "disbursed"): 1,
        ("F4", "approved"): 1,
        ("F5", "disbursed"): 1,
        ("F5", "partly_repaid"): 1,
    }
)


SCENARIO_CASES = {
    "demo-F3-1": ("F3", "disbursed"),
    "demo-F6-1": ("F6", "disbursed"),
    "demo-F8-1": ("F8", "partly_repaid"),
}


def load(db: Database, data_dir: Path) -> DemoResult:
    with UnitOfWork(db, TEST_ACTOR) as uow:
        result = load_demo(uow, data_dir)
        uow.commit()
    return result


def declarations() -> dict[str, dict[str, Any]]:
    return {
        r["declaration_no"]: r
        for b in demo_batches()
        if b.kind == "customs_declaration"
        for r in b.records
    }


# --- the plan alone ---------------------------------------------------------------------


def test_plan_is_deterministic_and_rests_on_the_firms_own_documents() -> None:
    loans, need = demo_plan()
    assert (loans, need) == demo_plan()
    assert Counter((x.application.scenario, x.state) for x in loans) == EXPECTED
    refs = [x.application.external_ref for x in loans]
    assert len(set(refs)) == len(refs) and all(re.fullmatch(r"demo-F[145]-\d{3}", r) for r in refs)
    usccs = {o.key: o.uscc for o in demo_orgs()}
    stored = declarations()
    used = set()
    for loan in loans:
        assert loan.application.enterprise_uscc == usccs[loan.firm]
        for doc in loan.application.documents:
            if doc.kind == "customs_declaration":
                assert stored[doc.key]["enterprise_uscc"] == usccs[loan.firm]
                assert doc.key[8] == "0"
            used.add(doc.key)
    offered = {d.key for d in need.need.documents}
    assert TOUR_DECLARATION not in used | offered  # the README tour finances it itself
    assert not offered & used  # so accepting an offer in the portal tour finds them free
    assert {stored[k]["enterprise_uscc"] for k in offered} == {usccs[need.firm]}
    assert len(need.offers) == 2 and len({bank for bank, _ in need.offers}) == 2


# --- loaded -----------------------------------------------------------------------------


def _check_iso_answer(data_dir: Path, financing_id: int) -> None:
    """The demo's tsin.002 answer is stored, valid, and names the financing it registered."""
    from crossfin.financing.iso20022.schemas import SCHEMAS, TSIN_001, TSIN_002

    sent = (data_dir / "iso20022" / "tsin.001-demo.xml").read_bytes()
    answer = (data_dir / "iso20022" / "tsin.002-demo.xml").read_bytes()
    assert SCHEMAS.problems(sent, TSIN_001) == [] and SCHEMAS.problems(answer, TSIN_002) == []
    assert b"<Sts>RCCF</Sts>" in answer and f"CF-FIN-{financing_id}<".encode() in answer
    assert (data_dir / "iso20022" / "pacs.008-demo.xml").exists()


def test_demo_loads_financings_in_every_state_once(db: Database, settings: Settings) -> None:
    first = load(db, settings.data_dir)
    # One more: the financing applied for by tsin.001 (demo/iso20022.py).
    assert (first.financings_added, first.needs_added, first.credit_queries_added) == (
        sum(EXPECTED.values()) + 1 + len(SCENARIO_CASES),
        1,
        1,
    )
    with db.session(readonly=True) as session:
        every = session.scalars(select(Financing)).all()
        # The alerts' demo adds its own attempts and its overdue loan (demo/alerts.py), the
        # F3/F6/F8 demo its three cases (demo/scenarios_f3_f6_f8.py), ISO 20022 its tsin.001.
        cases = {f.external_ref: (f.scenario, f.state) for f in every}
        assert {ref: cases.get(ref) for ref in SCENARIO_CASES} == SCENARIO_CASES
        [iso] = [f for f in every if f.external_ref == "demo-ISO-F1-001"]
        assert (iso.scenario, iso.state) == ("F1", "registered")
        rows = [
            f
            for f in every
            if not f.external_ref.startswith(("demo-alert-", "demo-ISO-"))
            and f.external_ref not in SCENARIO_CASES
        ]
        assert Counter((f.scenario, f.state) for f in rows) == EXPECTED
        _check_banks_and_people(session, rows)
        _check_market(session)
        size = session.scalar(select(LogHead.size))
    _check_iso_answer(settings.data_dir, iso.id)
    again = load(db, settings.data_dir)
    assert (again.financings_added, again.needs_added, again.credit_queries_added) == (0, 0, 0)
    with db.session(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Financing)) == len(every)
        assert session.scalar(select(func.count()).select_from(FinancingOffer)) == 2
        assert session.scalar(select(LogHead.size)) == size  # not even a ledger event


def _check_banks_and_people(session: Any, rows: Any) -> None:
    """Each bank serves its client's county; its operator made it, its approver checked."""
    orgs = {o.id: o for o in session.scalars(select(Organization))}
    users = dict(session.execute(select(Principal.id, Principal.username)).all())
    for financing in rows:
        bank, firm = orgs[financing.bank_org_id], orgs[financing.enterprise_org_id]
        assert any(firm.jurisdiction_path.startswith(p) for p in served_paths(session, bank.id)), (
            financing.external_ref
        )
        key = users[financing.maker_principal_id].split(".")[0]
        assert users[financing.maker_principal_id] == f"{key}.operator"
        if financing.state != "registered":
            assert users[financing.approver_principal_id] == f"{key}.approver"
        if financing.scenario == "F4":
            assert orgs[financing.insurer_org_id].kind == "insurer"


def _check_market(session: Any) -> None:
    [need] = session.scalars(select(FinancingNeed)).all()
    assert need.status == "open"
    offers = session.scalars(select(FinancingOffer)).all()
    assert [o.status for o in offers] == ["open", "open"]
    firm = session.get_one(Organization, need.enterprise_org_id)
    for offer in offers:
        assert any(
            firm.jurisdiction_path.startswith(p) for p in served_paths(session, offer.bank_org_id)
        )
    [query] = session.scalars(select(CreditQuery)).all()
    assert query.enterprise_org_id == firm.id and query.consent_id is not None


def test_every_balance_is_the_sum_of_its_active_uses(db: Database, settings: Settings) -> None:
    load(db, settings.data_dir)
    with db.session(readonly=True) as session:
        docs = {d.id: d for d in session.scalars(select(Document))}
        balances = {b.document_id: b for b in session.scalars(select(DocumentBalance))}
        held: dict[int, list[int]] = {}
        for use in session.scalars(select(FinancingUse).where(FinancingUse.active.is_(True))):
            entry = held.setdefault(use.document_id, [0, 0])
            entry[0] += use.reserved_minor - use.released_minor
            entry[1] += 1 if use.counts_use else 0
        # Payments use the same balance (P3: a freight invoice whole, docs/payments.md).
        for paid in session.scalars(select(PaymentUse).where(PaymentUse.active.is_(True))):
            entry = held.setdefault(paid.document_id, [0, 0])
            entry[0] += paid.used_minor
            entry[1] += 1 if docs[paid.document_id].single_use else 0
        # P4 endorses its B/L and declaration whole (docs/payments.md, "P4").
        for endorsed in session.scalars(select(OffshoreCheckUse)):
            entry = held.setdefault(endorsed.document_id, [0, 0])
            entry[0] += endorsed.used_minor
            entry[1] += 1
        assert any(d.kind == "vat_invoice" for i, d in docs.items() if i in held)
        for doc_id, balance in balances.items():
            used, uses = held.get(doc_id, [0, 0])
            doc = docs[doc_id]
            assert (balance.used_minor, balance.active_uses) == (used, uses), doc.key
            # An amendment may lower a value below its uses (a `value-below-uses` alert,
            # docs/financing.md): the demo's F8 receipt, revalued while pledged whole.
            assert balance.used_minor <= doc.value_minor or doc.version > 1, doc.key
            assert balance.active_uses <= (1 if doc.single_use else 0), doc.key
        assert set(held) <= set(balances)
        # bank1 and bank5 share one declaration of kapok: one balance carries both.
        shared = [
            b
            for b in balances.values()
            if held.get(b.document_id, [0])[0] and _holders(session, b.document_id) == 2
        ]
        assert shared


def _holders(session: Any, document_id: int) -> int:
    return (
        session.scalar(
            select(func.count(func.distinct(Financing.bank_org_id)))
            .join(FinancingUse, FinancingUse.financing_id == Financing.id)
            .where(FinancingUse.document_id == document_id, FinancingUse.active.is_(True))
        )
        or 0
    )


# --- the README tour step ---------------------------------------------------------------


def _tour_requests() -> list[tuple[dict[str, str], dict[str, Any]]]:
    """The README's financing curls: (extra headers, body) each."""
    text = README.read_text()
    found = re.findall(
        r"((?:-H \"[^\"]+\" \\?\s*)*)http://127\.0\.0\.1:8000/v1/financings "
        r"-d '(\{.*?\})'",
        text,
        re.DOTALL,
    )
    assert len(found) == 2, "the README tour registers an F1 financing, then over-finances"
    out = []
    for headers, body in found:
        pairs = dict(h.split(": ", 1) for h in re.findall(r'-H "([^"]+)"', headers))
        pairs.pop("Authorization", None)
        out.append((pairs, json.loads(body)))
    return out


def test_readme_financing_step_runs_against_the_demo_data(
    db: Database, settings: Settings, client: TestClient
) -> None:
    key = load(db, settings.data_dir).keys["bank1/loan-system"]
    (first_headers, first), (second_headers, second) = _tour_requests()
    record = declarations()[first["documents"][0]["key"]]
    assert record["declaration_no"] == TOUR_DECLARATION
    auth = {"Authorization": f"Bearer {key}"}
    ok = client.post("/v1/financings", json=first, headers=auth | first_headers)
    assert ok.status_code == 201, ok.text
    assert ok.json()["state"] == "registered" and ok.json()["receipt"]["leaf_hash"]
    again = client.post("/v1/financings", json=first, headers=auth | first_headers)
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    refused = client.post("/v1/financings", json=second, headers=auth | second_headers)
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["type"].endswith("/over-financing")
    remaining = problem["document"]["remaining"]
    ccy = record["currency"]
    left = parse_amount(record["total_value"], ccy) - parse_amount(first["amount"], ccy)
    assert remaining == format_amount(left, ccy)  # the demo left the declaration whole
    assert f'"remaining": "{remaining}"' in README.read_text()


# --- the portal tour --------------------------------------------------------------------


def test_lotus_accepts_a_demo_offer_in_the_portal(
    db: Database, settings: Settings, client: TestClient
) -> None:
    load(db, settings.data_dir)
    assert login(client, "lotus.admin", demo_password("lotus.admin")).status_code == 303
    page = client.get("/market")
    assert page.status_code == 200
    with db.session(readonly=True) as session:
        offers = session.scalars(select(FinancingOffer).order_by(FinancingOffer.id)).all()
    for offer in offers:
        assert f'data-test="accept-{offer.id}"' in page.text
    accepted = client.post(
        f"/market/offers/{offers[0].id}/accept",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert accepted.status_code == 303, accepted.text
    with db.session(readonly=True) as session:
        [opened] = session.scalars(
            select(Financing).where(Financing.offer_id == offers[0].id)
        ).all()
        assert (opened.scenario, opened.state) == ("F1", "registered")
        assert session.scalars(select(FinancingNeed.status)).one() == "accepted"
    for path in ("/financing", "/credit-queries"):
        assert client.get(path).status_code == 200, path

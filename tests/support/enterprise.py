"""A Shenzhen exporter with something in every part of its enterprise page, made through
the services: documents (one without a value), financings at two banks, a freight
payment, a class change, a consent, two alerts and two cases (one closed with a warning
issued: a regulatory record; one open, with a note), and the regulators and strangers
around it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from crossfin.core.clock import utcnow
from crossfin.core.db import Database
from crossfin.documents.models import Document
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alerts import Alert, AlertKind, raise_alert
from crossfin.parties.models import Organization, OrgKind, Role
from support.financing import Firms, application, bill_of_lading, declaration
from support.parties import TEST_ACTOR, Party, another_principal, make_party
from support.payments import Forwarders, freight_invoice, make_forwarders, payment_body, submit
from support.payments import set_class as reclassify

NOTE = "Asked bank 2 for the loan file; the owner is a cousin of the buyer."


@dataclass
class EnterpriseWorld:
    fw: Forwarders  # payer = the enterprise (Shenzhen Nanshan, 440305), banks, tax source
    firm: Party
    docs: list[Document]
    financings: list[dict[str, Any]]
    payment_id: int
    province: Party  # Guangdong 440000 (the forwarders' regulator)
    prefecture: Party  # Shenzhen 440300
    other_prefecture: Party  # Guangzhou 440100
    sibling: Party  # Shanghai 310000
    head: Party  # 000000
    stranger: Party  # another enterprise, same county
    customs: Party
    operator: Party
    alerts: list[int]
    closed_case: int
    open_case: int


def build(client: TestClient, db: Database) -> EnterpriseWorld:
    fw = make_forwarders(db, banks=2)
    customs = make_party(db, OrgKind.CUSTOMS)
    carrier = make_party(db, OrgKind.LOGISTICS)
    firms = Firms(fw.payer, fw.uscc, customs, customs, carrier, fw.banks, fw.checkers)
    docs = [declaration(db, firms, "100000.00"), declaration(db, firms, "80000.00")]
    bill_of_lading(db, firms)  # a document without a value
    financings = [
        _finance(client, fw.banks[0], application(firms, [docs[0]], "50000.00")),
        _finance(client, fw.banks[1], application(firms, [docs[1]], "30000.00")),
    ]
    invoice = freight_invoice(db, fw)
    [paid] = submit(db, fw.banks[0], payment_body(fw, [invoice], "1000.00"))
    reclassify(db, fw, "B")
    consent = client.post(
        "/v1/consents",
        headers=another_principal(db, fw.payer.org_id, Role.ADMIN).headers,
        json={
            "bank_org_id": fw.banks[0].org_id,
            "scopes": ["credit_profile"],
            "expires_at": (utcnow() + timedelta(days=30)).isoformat(),
        },
    )
    assert consent.status_code == 201, consent.text
    province = fw.regulator
    # An over-financing alert opens its firm's case as it is raised (its rule's
    # `opens_case`); the second, raised once the first case is closed, opens another.
    alerts = [_alert(db, fw.payer.org_id, AlertKind.OVER_FINANCING)]
    closed = _case_of(db, alerts[0])
    _post(client, province, f"/v1/cases/{closed}/notes", {"text": NOTE})
    _post(
        client,
        province,
        f"/v1/cases/{closed}/transition",
        {"to": "closed", "outcome": "warning_issued"},
    )
    alerts.append(_alert(db, fw.payer.org_id, AlertKind.OVER_FINANCING))
    opened = _case_of(db, alerts[1])
    assert opened != closed
    _post(client, province, f"/v1/cases/{opened}/notes", {"text": NOTE})
    return EnterpriseWorld(
        fw=fw,
        firm=fw.payer,
        docs=docs,
        financings=financings,
        payment_id=paid.payment_id,
        province=province,
        prefecture=make_party(db, OrgKind.REGULATOR, Role.AUDITOR, jurisdiction="440300"),
        other_prefecture=make_party(db, OrgKind.REGULATOR, jurisdiction="440100"),
        sibling=make_party(db, OrgKind.REGULATOR, jurisdiction="310000"),
        head=make_party(db, OrgKind.REGULATOR, jurisdiction="000000"),
        stranger=make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305"),
        customs=customs,
        operator=make_party(db, OrgKind.OPERATOR),
        alerts=alerts,
        closed_case=closed,
        open_case=opened,
    )


def _finance(client: TestClient, bank: Party, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/v1/financings", headers=bank.headers, json=body)
    assert answer.status_code == 201, answer.text
    found: dict[str, Any] = answer.json()
    return found


def _alert(db: Database, org_id: int, kind: AlertKind) -> int:
    with UnitOfWork(db, TEST_ACTOR) as uow:
        org = uow.session.get_one(Organization, org_id)
        raised = raise_alert(
            uow, kind, subject_org_id=org.id, jurisdiction_path=org.jurisdiction_path, details={}
        )
        assert raised is not None
        uow.commit()
        return int(raised[0].id)


def _case_of(db: Database, alert_id: int) -> int:
    with db.session(readonly=True) as session:
        case_id = session.get_one(Alert, alert_id).case_id
    assert case_id is not None, "the alert opened no case"
    return case_id


def _post(client: TestClient, party: Party, url: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post(url, headers=party.headers, json=body)
    assert answer.status_code in (200, 201), answer.text
    found: dict[str, Any] = answer.json()
    return found

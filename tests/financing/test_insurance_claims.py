"""F4 insurance claims: the policy's insurer records a claim paid, assigned to the
financing's bank; everyone else is refused, and the parties read it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from crossfin.ledger.models import LedgerEvent, LedgerEventParty
from crossfin.parties.models import OrgKind
from support.caps import recorded
from support.financing import application, declaration, make_firms, policy, today
from support.parties import make_party


def claim(client, party, fid, policy_no, expect, **extra):
    body = {
        "policy_no": policy_no,
        "reference": "CLM-1",
        "amount": "50.00",
        "currency": "USD",
        "paid_on": str(today()),
    } | extra
    res = client.post(f"/v1/financings/{fid}/insurance-claim", json=body, headers=party.headers)
    assert res.status_code == expect, res.text
    return res.json()


def f4_financing(client, db, firms):
    doc = declaration(db, firms, "100.00")
    pol = policy(db, firms, [doc])
    body = application(firms, [pol, doc], "80.00", scenario="F4")
    res = client.post("/v1/financings", json=body, headers=firms.banks[0].headers)
    assert res.status_code == 201, res.text
    return res.json()["id"], pol


def act(client, party, fid, action, body=None):
    res = client.post(f"/v1/financings/{fid}/{action}", json=body or {}, headers=party.headers)
    assert res.status_code == 200, res.text


def test_the_insurer_records_a_claim_assigned_to_the_bank(client, db, monkeypatch):
    firms = make_firms(db)
    fid, pol = f4_financing(client, db, firms)
    # Registered, not paid out: nothing to indemnify yet.
    claim(client, firms.insurer, fid, pol.key, 409)
    act(client, firms.checkers[0], fid, "approve")
    act(client, firms.banks[0], fid, "disburse", {"due_date": str(today() + timedelta(days=60))})
    other_insurer = make_party(db, OrgKind.INSURER)
    claim(client, other_insurer, fid, pol.key, 404)  # cannot see the financing
    claim(client, firms.banks[0], fid, pol.key, 403)
    claim(client, firms.enterprise, fid, pol.key, 403)
    wrong = claim(client, firms.insurer, fid, "SIN-NOT-HERE", 422)
    assert wrong["errors"][0]["field"] == "policy_no"
    other = policy(db, firms, [declaration(db, firms, "10.00")])
    claim(client, firms.insurer, fid, other.key, 422)  # the insurer's, but not under it
    claim(client, firms.insurer, fid, pol.key, 422, currency="EUR")
    seen = recorded(monkeypatch)
    made = claim(client, firms.insurer, fid, pol.key, 201)
    assert made["assignee_bank_org_id"] == firms.banks[0].org_id
    assert made["amount"] == "50.00" and made["policy_no"] == pol.key
    [content] = [c for t, c in seen if t == "financing:insurance-claim:record"]
    assert content["assignee_bank"] == firms.banks[0].org_id and content["policy"] == pol.key
    claim(client, firms.insurer, fid, pol.key, 409)  # the same reference again
    for party in (firms.banks[0], firms.enterprise, firms.insurer):
        listed = client.get(f"/v1/financings/{fid}/insurance-claims", headers=party.headers)
        assert [c["reference"] for c in listed.json()] == ["CLM-1"]
    outsider = client.get(f"/v1/financings/{fid}/insurance-claims", headers=other_insurer.headers)
    assert outsider.status_code == 404
    with db.session(readonly=True) as session:
        parties = set(
            session.scalars(
                select(LedgerEventParty.org_id)
                .join(LedgerEvent, LedgerEvent.leaf_index == LedgerEventParty.leaf_index)
                .where(LedgerEvent.type == "financing:insurance-claim:record")
            )
        )
    assert parties == {firms.banks[0].org_id, firms.enterprise.org_id, firms.insurer.org_id}

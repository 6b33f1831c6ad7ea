"""Recording and reading F4 insurance claims: the one use-case every entry point calls.

Recording is the insurer's alone: the organization that issued a policy backing the
financing (the financing's `insurer_org_id`). The proceeds are assigned to the financing's
bank, and the ledger event names it as the assignee; the bank, the enterprise and the
insurer read the event and the claim. Only a financing paid out (disbursed or partly
repaid) can have a claim paid under it: before that there is nothing to indemnify.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.errors import AlreadyExists, Forbidden, IllegalTransition, invalid
from crossfin.core.money import format_amount
from crossfin.documents.models import Document
from crossfin.financing.insurance.models import InsuranceClaim
from crossfin.financing.insurance.schemas import InsuranceClaimIn, InsuranceClaimOut
from crossfin.financing.insurance.state import claim_commitment
from crossfin.financing.lifecycle import State
from crossfin.financing.models import Financing, FinancingUse
from crossfin.financing.queries import get_financing
from crossfin.financing.service import currency_in, money_in, parties_of
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_role
from crossfin.parties.models import OrgKind, Role

PAID_OUT = {State.DISBURSED.value, State.PARTLY_REPAID.value}


def record_claim(
    uow: UnitOfWork, caller: Caller, financing_id: int, data: InsuranceClaimIn
) -> tuple[InsuranceClaim, Receipt]:
    """The insurer records a claim paid on a policy under the financing (404 to those who
    cannot see it, 403 to any other party, 422 for a policy not under it)."""
    session = uow.session
    financing = get_financing(session, caller, financing_id)
    if caller.org_kind is not OrgKind.INSURER or caller.org_id != financing.insurer_org_id:
        raise Forbidden("only the insurer of the financing's policy records a claim on it")
    require_role(caller, Role.OPERATOR, Role.ADMIN)
    # The financing's row lock orders claims on it: a reference recorded twice at once
    # is a 409 for the second, never a unique violation.
    session.execute(
        select(Financing.id).where(Financing.id == financing.id).with_for_update()
    ).one()
    policy = _policy_under(session, financing, data.policy_no)
    if financing.state not in PAID_OUT:
        raise IllegalTransition(
            f"the financing is {financing.state}: a claim needs a paid-out loan",
            state=financing.state,
        )
    currency = currency_in(data.currency)
    if currency != policy.currency:
        raise invalid("currency", f"the policy is in {policy.currency}")
    amount = money_in(data.amount, currency, "amount")
    if _taken(session, financing.id, data.reference):
        raise AlreadyExists("this claim is already recorded", field="reference")
    claim = InsuranceClaim(
        financing_id=financing.id,
        policy_document_id=policy.id,
        insurer_org_id=caller.org_id,
        assignee_bank_org_id=financing.bank_org_id,
        reference=data.reference,
        amount_minor=amount,
        currency=currency,
        paid_on=data.paid_on,
        created_at=utcnow(),
    )
    session.add(claim)
    session.flush()
    receipt = uow.record(
        EventType.INSURANCE_CLAIM_RECORDED,
        subjects={"financing": financing.id, "insurance_claim": claim.id},
        content={
            "policy": policy.key,
            "reference": claim.reference,
            "amount": format_amount(amount, currency),
            "currency": currency,
            "paid_on": claim.paid_on,
            "insurer": claim.insurer_org_id,
            "assignee_bank": claim.assignee_bank_org_id,
        },
        parties=parties_of(financing),
        state=claim_commitment(claim),
    )
    return claim, receipt


def _policy_under(session: Session, financing: Financing, policy_no: str) -> Document:
    query = (
        select(Document)
        .join(FinancingUse, FinancingUse.document_id == Document.id)
        .where(
            FinancingUse.financing_id == financing.id,
            FinancingUse.role == "policy",
            Document.kind == "insurance_policy",
            Document.key == policy_no,
        )
    )
    policy = session.scalar(query)
    if policy is None:
        raise invalid("policy_no", f"policy {policy_no} does not back financing {financing.id}")
    return policy


def _taken(session: Session, financing_id: int, reference: str) -> bool:
    query = select(InsuranceClaim.id).where(
        InsuranceClaim.financing_id == financing_id, InsuranceClaim.reference == reference
    )
    return session.scalar(query) is not None


def list_claims(session: Session, caller: Caller, financing_id: int) -> list[InsuranceClaimOut]:
    """The claims on a financing, for anyone who may see it (404 otherwise)."""
    financing = get_financing(session, caller, financing_id)
    query = (
        select(InsuranceClaim, Document.key)
        .join(Document, Document.id == InsuranceClaim.policy_document_id)
        .where(InsuranceClaim.financing_id == financing.id)
        .order_by(InsuranceClaim.id)
    )
    return [claim_out(claim, key) for claim, key in session.execute(query)]


def claim_out(claim: InsuranceClaim, policy_no: str) -> InsuranceClaimOut:
    return InsuranceClaimOut(
        id=claim.id,
        financing_id=claim.financing_id,
        policy_no=policy_no,
        insurer_org_id=claim.insurer_org_id,
        assignee_bank_org_id=claim.assignee_bank_org_id,
        reference=claim.reference,
        amount=format_amount(claim.amount_minor, claim.currency),
        currency=claim.currency,
        paid_on=claim.paid_on,
        created_at=claim.created_at,
    )

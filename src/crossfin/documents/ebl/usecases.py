"""The chain's use cases with their ledger events: every entry point calls these."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.errors import IllegalTransition, NotFound
from crossfin.documents.ebl import access, service
from crossfin.documents.ebl.chain import Action, Move, check
from crossfin.documents.ebl.models import EblStep
from crossfin.documents.ebl.pledges import financing_pledges
from crossfin.documents.ebl.store import state_of, step_commitment, steps_of
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_kind
from crossfin.parties.models import Organization, OrgKind


def step_public(step: EblStep) -> dict[str, Any]:
    to = None
    if step.to_uscc or step.to_name:
        to = {
            "uscc": step.to_uscc,
            "name": step.to_name,
            "source_org_id": step.to_source_org_id,
            "platform": step.to_platform,
        }
    return {
        "seq": step.seq,
        "action": step.action,
        "to": to,
        "pledgee_org_id": step.pledgee_org_id,
        "financing_id": step.financing_id,
        "recorded_by_org_id": step.recorded_by_org_id,
        "origin": step.origin,
        "at": step.at.isoformat().replace("+00:00", "Z"),
        "body_sha256": service.body_digest(step),
        "entry_checksum": step.entry_checksum,
    }


def chain_answer(opened: service.Opened, steps: list[EblStep]) -> dict[str, Any]:
    """Steps, and what they add up to: the holder and any pledge (derived, never stored)."""
    state = state_of(steps)
    active = [p for p in opened.pledges if p.financing_id not in state.released_financings]
    return {
        "bl_no": opened.doc.key,
        "status": state.status.value,
        "holder": state.holder.public() if state.holder else None,
        "pledged": state.pledgee_org_id is not None or bool(active),
        "pledgee_org_id": state.pledgee_org_id,
        "financing_pledges": [p.__dict__ for p in active],
        "steps": [step_public(s) for s in steps],
    }


def _parties(session: Session, opened: service.Opened, rows: list[EblStep]) -> set[int]:
    found = access.named_orgs(rows, []) | {opened.doc.source_org_id}
    if opened.doc.owner_org_id is not None:
        found.add(opened.doc.owner_org_id)
    usccs = {s.to_uscc for s in rows if s.to_uscc}
    if usccs:
        query = select(Organization.id).where(Organization.uscc.in_(sorted(usccs)))
        found |= set(session.scalars(query))
    return found


def record_event(
    uow: UnitOfWork, event: EventType, opened: service.Opened, rows: list[EblStep], **extra: Any
) -> Receipt:
    """One event for the rows added, committing to each one's state (audited)."""
    return uow.record(
        event,
        subjects={"document": opened.doc.id, "ebl_steps": [r.id for r in rows]},
        content={
            "kind": access.KIND,
            "key": opened.doc.key,
            "steps": [step_public(r) for r in rows],
            **extra,
        },
        parties=_parties(uow.session, opened, rows),
        state=step_commitment(rows),
    )


def record_step(uow: UnitOfWork, caller: Caller, signed: str) -> tuple[dict[str, Any], Receipt]:
    """A source's signed step, verified and added to its bill's chain."""
    opened, row = service.record_signed_step(uow.session, caller, signed)
    receipt = record_event(uow, EventType.EBL_STEP_RECORDED, opened, [row])
    return chain_answer(opened, [*opened.steps, row]), receipt


def release_by_bank(
    uow: UnitOfWork, caller: Caller, key: str, financing_id: int | None
) -> tuple[dict[str, Any], Receipt]:
    """The pledgee bank releases its pledge: the chain's (no financing named), or the one its
    active financing holds (F5), which the chain then no longer counts."""
    require_kind(caller, OrgKind.BANK)
    opened = service.open_bill(uow.session, caller, key)
    if financing_id is None:
        if opened.state.pledgee_org_id != caller.org_id:
            raise IllegalTransition(
                "the bill is not pledged to this bank in its chain",
                state=opened.state.status.value,
            )
    else:
        mine = [p for p in service.active_pledges(opened) if p.bank_org_id == caller.org_id]
        if financing_id not in {p.financing_id for p in mine}:
            raise NotFound(f"no active pledge of this bank's financing {financing_id}")
    move = Move(Action.RELEASE, financing_id=financing_id)
    check(opened.state, move)
    body = {"action": "release", "bank_org_id": caller.org_id, "financing_id": financing_id}
    row = service.new_step(opened, move, caller.org_id, "bank", body, utcnow())
    if financing_id is None:
        row.pledgee_org_id = caller.org_id
    uow.session.add(row)
    uow.session.flush()
    receipt = record_event(uow, EventType.EBL_STEP_RECORDED, opened, [row])
    return chain_answer(opened, [*opened.steps, row]), receipt


def read_chain(session: Session, caller: Caller, key: str) -> dict[str, Any]:
    """The chain of bill `key` for a reader (404 to everyone else)."""
    doc = access.find_bill(session, key)
    if doc is None:
        raise NotFound(f"no bill of lading {key}")
    steps = steps_of(session, doc.id)
    pledges = financing_pledges(session, doc.id)
    if not access.can_read_chain(session, caller, doc, steps, pledges):
        raise NotFound(f"no bill of lading {key}")
    opened = service.Opened(doc, steps, state_of(steps), pledges)
    return chain_answer(opened, steps)

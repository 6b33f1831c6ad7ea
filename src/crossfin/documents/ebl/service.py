"""The use cases every entry point calls: record a signed step, release a pledge, read a chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.canonical import canonical_json
from crossfin.core.clock import utcnow
from crossfin.core.errors import FieldError, Forbidden, NotFound, invalid
from crossfin.documents.balance import lock_balances
from crossfin.documents.ebl import access
from crossfin.documents.ebl.body import StepIn, parse_step
from crossfin.documents.ebl.chain import Action, ChainState, Holder, Move, check
from crossfin.documents.ebl.errors import PledgedByFinancing, StepOutOfOrder, StepSignatureInvalid
from crossfin.documents.ebl.models import EblStep
from crossfin.documents.ebl.pledges import FinancingPledge, financing_pledges
from crossfin.documents.ebl.store import state_of, steps_of
from crossfin.documents.ingest.sources import active_verifiers
from crossfin.documents.models import Document, DocumentVersion
from crossfin.ledger.note import NoteError, Verifier, open_note, parse_note
from crossfin.parties.access import Caller, require_kind
from crossfin.parties.models import Organization, OrgKind


@dataclass
class Opened:
    """A bill locked for a change, with its chain as it stands."""

    doc: Document
    steps: list[EblStep]
    state: ChainState
    pledges: list[FinancingPledge]


def verify_signed(session: Session, caller: Caller, signed: str) -> tuple[str, int]:
    """The note's text and the id of the caller's active key that signed it; 422 naming
    `signature` otherwise."""
    keys = active_verifiers(session, caller.org_id)
    verifiers = [Verifier(k.name, k.key_id, k.public_key) for k in keys.values()]
    try:
        text, names = open_note(signed, verifiers)
    except NoteError as exc:
        raise StepSignatureInvalid([FieldError("signature", str(exc))]) from None
    signer = next(s for s in parse_note(signed).signatures if s.name == names[0])
    return text, keys[(signer.name, signer.key_id)].id


def open_bill(session: Session, caller: Caller, key: str) -> Opened:
    """Lock the bill for a change (its balance row: F5 registrations take the same lock),
    then read its chain; 404 unless the caller may read it, 422 unless negotiable."""
    doc = access.find_bill(session, key)
    if doc is None:
        raise NotFound(f"no bill of lading {key}")
    lock_balances(session, [doc.id])
    steps = steps_of(session, doc.id)
    pledges = financing_pledges(session, doc.id)
    if not access.can_read_chain(session, caller, doc, steps, pledges):
        raise NotFound(f"no bill of lading {key}")
    access.negotiable(content_of(session, doc), key)
    return Opened(doc, steps, state_of(steps), pledges)


def content_of(session: Session, doc: Document) -> dict[str, Any]:
    query = select(DocumentVersion.content).where(
        DocumentVersion.document_id == doc.id, DocumentVersion.version == doc.version
    )
    found: dict[str, Any] = json.loads(session.scalars(query).one())
    return found


def expect_seq(opened: Opened, seq: int) -> None:
    if seq != opened.state.steps + 1:
        raise StepOutOfOrder(
            f"step {seq} given, the chain's next step is {opened.state.steps + 1}",
            expected=opened.state.steps + 1,
        )


def active_pledges(opened: Opened) -> list[FinancingPledge]:
    released = opened.state.released_financings
    return [p for p in opened.pledges if p.financing_id not in released]


def check_financings(opened: Opened, move: Move) -> None:
    """A bill an active financing pledges is not endorsed, re-pledged or surrendered."""
    if move.action not in (Action.ENDORSE, Action.PLEDGE, Action.SURRENDER):
        return
    for pledge in active_pledges(opened):
        raise PledgedByFinancing(
            f"financing {pledge.financing_id} ({pledge.scenario}, {pledge.state}) holds "
            f"bill of lading {opened.doc.key} as a pledge until it is repaid, closed or "
            "released by its bank",
            financing_id=pledge.financing_id,
        )


def _holder(session: Session, caller: Caller, step: StepIn) -> Holder | None:
    """The step's new holder, its platform resolved to a crossfin source when it names one."""
    if step.to is None:
        return None
    source: int | None = caller.org_id
    foreign = None
    if step.to.platform is not None:
        query = select(Organization.id).where(
            Organization.uscc == step.to.platform, Organization.kind == OrgKind.LOGISTICS.value
        )
        source = session.scalar(query)
        foreign = None if source is not None else step.to.platform
    return Holder(step.to.uscc, step.to.name, source, foreign)


def _bank(session: Session, code: str | None) -> int | None:
    if code is None:
        return None
    query = select(Organization.id).where(
        Organization.kind == OrgKind.BANK.value,
        (Organization.bic == code) | (Organization.uscc == code),
    )
    found = session.scalar(query)
    if found is None:
        raise invalid("bank", f"no registered bank has the BIC or USCC {code}")
    return found


def check_signer(caller: Caller, opened: Opened, move: Move) -> None:
    """The issuing source issues; afterwards only the source keeping the holder's register
    signs (403 for a source that reads the chain but does not keep that register)."""
    holder = opened.state.holder
    if move.action is Action.ISSUE or holder is None:
        keeper: int | None = opened.doc.source_org_id
    else:
        keeper = holder.source_org_id
    if keeper is None and holder is not None:
        raise Forbidden(
            f"the holder is on platform {holder.platform}: its steps arrive in a PINT envelope"
        )
    if keeper != caller.org_id:
        raise Forbidden("only the source keeping the holder's register signs this step")


def record_signed_step(session: Session, caller: Caller, signed: str) -> tuple[Opened, EblStep]:
    """Verify a source's signed step and add it to its bill's chain (rows only; the caller
    records the event)."""
    require_kind(caller, OrgKind.LOGISTICS)
    text, key_id = verify_signed(session, caller, signed)
    step, raw = parse_step(text)
    opened = open_bill(session, caller, step.bl_no)
    move = Move(step.action, _holder(session, caller, step), _bank(session, step.bank))
    check_signer(caller, opened, move)
    check(opened.state, move)
    check_financings(opened, move)
    expect_seq(opened, step.seq)
    row = new_step(opened, move, caller.org_id, "signed", raw, step.at)
    row.proof, row.source_key_id = signed, key_id
    session.add(row)
    session.flush()
    return opened, row


def new_step(
    opened: Opened, move: Move, by: int, origin: str, body: dict[str, Any], at: datetime
) -> EblStep:
    """The row of the chain's next step (not yet added to the session)."""
    to = move.to
    return EblStep(
        document_id=opened.doc.id,
        seq=opened.state.steps + 1,
        action=move.action.value,
        to_uscc=to.uscc if to else None,
        to_name=to.name if to else None,
        to_platform=to.platform if to else None,
        to_source_org_id=to.source_org_id if to else None,
        pledgee_org_id=move.pledgee_org_id,
        financing_id=move.financing_id,
        recorded_by_org_id=by,
        origin=origin,
        body=canonical_json(body).decode("utf-8"),
        at=at,
        created_at=utcnow(),
    )


def body_digest(step: EblStep) -> str:
    return hashlib.sha256(step.body.encode("utf-8")).hexdigest()

"""A PINT envelope relayed by a registered source: its new transactions become steps.

The chain's PINT steps so far must be a prefix of the envelope's entries (by checksum);
each new transaction that changes title is checked by the same rules as a signed step.
ISSUE, ENDORSE, ENDORSE_TO_ORDER, BLANK_ENDORSE and SACC (a surrender accepted) map to
steps; TRANSFER, SIGN, SREJ and surrender requests change no title and are only listed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crossfin.core.errors import IllegalTransition, invalid
from crossfin.documents.ebl import pint, service
from crossfin.documents.ebl.chain import Action, Holder, Move, apply, check
from crossfin.documents.ebl.models import EblStep
from crossfin.documents.ebl.usecases import chain_answer, record_event
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_kind
from crossfin.parties.models import OrgKind

ACTIONS = {
    "ISSUE": Action.ISSUE,
    "ENDORSE": Action.ENDORSE,
    "ENDORSE_TO_ORDER": Action.ENDORSE,
    "BLANK_ENDORSE": Action.ENDORSE,
    "SACC": Action.SURRENDER,
}


def _party(tx: dict[str, Any], role: str) -> dict[str, Any]:
    party = tx.get(role)
    return party if isinstance(party, dict) else {}


def _holder(tx: dict[str, Any]) -> Holder:
    """The recipient: its name, platform code, and USCC if a tax reference gives one."""
    if tx.get("actionCode") == "BLANK_ENDORSE":
        return Holder(
            None, "(endorsed in blank: the bearer)", None, _party(tx, "actor").get("eblPlatform")
        )
    recipient = _party(tx, "recipient")
    uscc = next(
        (
            str(r.get("value"))
            for r in recipient.get("taxLegalReferences") or []
            if isinstance(r, dict) and r.get("type") == "USCC"
        ),
        None,
    )
    return Holder(uscc, recipient.get("partyName"), None, recipient.get("eblPlatform"))


def _actor_holds(opened: service.Opened, tx: dict[str, Any], field: str) -> None:
    """A relayed endorsement is made on the holder's own (foreign) platform."""
    holder = opened.state.holder
    if holder is None:
        return
    if holder.source_org_id is not None:
        raise IllegalTransition(
            f"{field}: the holder's register is kept by crossfin source {holder.source_org_id}, "
            "which signs its steps itself",
            state=opened.state.status.value,
        )
    platform = _party(tx, "actor").get("eblPlatform")
    if platform != holder.platform:
        raise IllegalTransition(
            f"{field}: the actor's platform {platform} is not the holder's ({holder.platform})",
            state=opened.state.status.value,
        )


def _when(tx: dict[str, Any], field: str) -> datetime:
    try:
        at = datetime.fromisoformat(str(tx.get("actionDateTime")).replace("Z", "+00:00"))
    except ValueError:
        raise invalid(f"{field}.actionDateTime", "an RFC 3339 timestamp") from None
    if at.tzinfo is None:
        raise invalid(f"{field}.actionDateTime", "needs its UTC offset")
    return at


def _new_entries(opened: service.Opened, envelope: pint.Envelope) -> list[pint.Entry]:
    known = list(dict.fromkeys(s.entry_checksum for s in opened.steps if s.entry_checksum))
    sent = [e.checksum for e in envelope.entries]
    if sent[: len(known)] != known:
        raise IllegalTransition(
            "the envelope's transfer chain does not extend the entries already recorded",
            state=opened.state.status.value,
        )
    fresh = envelope.entries[len(known) :]
    if not fresh:
        raise IllegalTransition(
            "every entry of the envelope is already recorded", state=opened.state.status.value
        )
    return fresh


def _steps(
    uow: UnitOfWork, caller: Caller, opened: service.Opened, entry: pint.Entry
) -> tuple[list[EblStep], list[str]]:
    rows, unmapped = [], []
    for j, tx in enumerate(pint.transactions(entry)):
        field = f"{pint.CHAIN}[{entry.index}].transactions[{j}]"
        action = ACTIONS.get(str(tx.get("actionCode")))
        if action is None:
            unmapped.append(f"{field}: {tx.get('actionCode')}")
            continue
        move = Move(action, _holder(tx) if action in (Action.ISSUE, Action.ENDORSE) else None)
        if action is Action.ENDORSE:
            _actor_holds(opened, tx, field)
        check(opened.state, move)
        service.check_financings(opened, move)
        row = service.new_step(opened, move, caller.org_id, "pint", tx, _when(tx, field))
        row.proof, row.entry_checksum = entry.token, entry.checksum
        uow.session.add(row)
        uow.session.flush()
        opened.steps.append(row)
        opened.state = apply(opened.state, move)
        rows.append(row)
    return rows, unmapped


def relay_envelope(uow: UnitOfWork, caller: Caller, raw: bytes) -> tuple[dict[str, Any], Receipt]:
    """Verify a PINT envelope's checksums and add its new transactions to the chain."""
    require_kind(caller, OrgKind.LOGISTICS)
    envelope = pint.read_envelope(raw)
    opened = service.open_bill(uow.session, caller, envelope.reference)
    before = len(opened.steps)
    rows: list[EblStep] = []
    unmapped: list[str] = []
    for entry in _new_entries(opened, envelope):
        added, skipped = _steps(uow, caller, opened, entry)
        rows += added
        unmapped += skipped
    if not rows:
        raise IllegalTransition(
            "the envelope's new entries change no title", state=opened.state.status.value
        )
    checks = pint.CHECKS
    receipt = record_event(uow, EventType.EBL_ENVELOPE_RELAYED, opened, rows, checks=checks)
    opened.steps = opened.steps[:before]
    answer = chain_answer(opened, [*opened.steps, *rows])
    return answer | {"checks": checks, "not_mapped": unmapped}, receipt

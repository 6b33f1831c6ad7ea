"""Where a payment scenario applies: an optional rule held as data, versioned.

Pilots are local (one port city, say): a scenario may be limited to payers seated in named
jurisdiction subtrees (GB/T 2260 codes, `parties/jurisdictions.py`). Each change stores a
new version of the scenario's list (`payment_scope_versions`) with one ledger event
(`payments:scope:set`); the newest version applies; an empty list (or none) is everywhere.
The payer is the party with a seat: the payee is abroad, outside the jurisdiction tree.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.db import add_new_version
from crossfin.core.errors import Forbidden, invalid
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.gates import may_set_gates
from crossfin.parties.jurisdictions import get_jurisdiction
from crossfin.payments.models import PaymentScopeVersion
from crossfin.payments.scenarios import get_scenario


def current_scopes(session: Session) -> dict[str, tuple[int, list[str]]]:
    """Per scenario: (version, jurisdiction paths) of its newest scope version."""
    newest = (
        select(PaymentScopeVersion.scenario, func.max(PaymentScopeVersion.version).label("v"))
        .group_by(PaymentScopeVersion.scenario)
        .subquery()
    )
    query = select(PaymentScopeVersion).join(
        newest,
        (PaymentScopeVersion.scenario == newest.c.scenario)
        & (PaymentScopeVersion.version == newest.c.v),
    )
    return {r.scenario: (r.version, json.loads(r.codes)) for r in session.scalars(query)}


def in_scope(paths: Sequence[str], seat: str | None) -> bool:
    """Whether a payer seated at `seat` is inside one of the subtrees (or there are none)."""
    if not paths:
        return True
    return seat is not None and any(seat.startswith(p) for p in paths)


def set_scope(
    uow: UnitOfWork, caller: Caller | None, scenario: str, codes: Sequence[str], reason: str
) -> tuple[int, Receipt]:
    """A new version of `scenario`'s scope (subtree codes; empty: everywhere)."""
    if caller is not None and not may_set_gates(caller):
        raise Forbidden("only the regulator's head office or the operator sets payment scopes")
    get_scenario(scenario)
    paths = [get_jurisdiction(uow.session, c, f"codes[{i}]").path for i, c in enumerate(codes)]
    if not reason.strip():
        raise invalid("reason", "say why the scope changes")
    version = (current_scopes(uow.session).get(scenario, (0, []))[0]) + 1
    row = PaymentScopeVersion(
        scenario=scenario,
        version=version,
        codes=json.dumps(sorted(set(paths))),
        reason=reason.strip()[:500],
        changed_at=utcnow(),
    )
    add_new_version(uow.session, row, "the scope")
    receipt = uow.record(
        EventType.PAYMENT_SCOPE_SET,
        subjects={"scope": f"{scenario}:v{version}"},
        content={
            "scenario": scenario,
            "version": version,
            "codes": sorted(set(codes)),
            "reason": reason.strip()[:500],
        },
    )
    return version, receipt

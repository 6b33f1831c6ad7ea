"""P4's tolerances: how far dates, quantities and weights may differ and still match.

Held as data, versioned like the P2 threshold (`payments/thresholds.py`): each change stores
the whole new set as an `offshore_tolerance_versions` row (version n+1) with one ledger event
(`payments:offshore-tolerances:set`); the newest applies; before any change the defaults
below (version 0). The regulator's head office or the operator's admins change them.

Defaults, and why:
- `bl_departure_days` 3: an on-board B/L is dated the day the goods are loaded; the vessel's
  departure (DCSA DEPA) follows within a day or two, and local dates straddle time zones.
- `declaration_days` 30: an export declaration is accepted before the goods leave (pre-lodged
  declarations are common, e.g. up to 30 days in the EU's customs code); an import one
  shortly after arrival. Compared with the vessel's DEPA at loading (export) or ARRI at
  discharge (import).
- `quantity_pct` 5: UCP 600 article 30(b): a 5 % tolerance on the quantity of goods is
  allowed unless the credit states it in packing units or items.
- `weight_pct` 5: the declared gross mass is weighed again at the port; scales and packing
  differ by a few percent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.db import add_new_version
from crossfin.core.errors import FieldError, Forbidden, ValidationFailed, invalid
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.gates import may_set_gates
from crossfin.payments.offshore.models import OffshoreToleranceVersion

DEFAULTS = {"bl_departure_days": 3, "declaration_days": 30, "quantity_pct": 5, "weight_pct": 5}
LIMITS = {"bl_departure_days": 30, "declaration_days": 180, "quantity_pct": 50, "weight_pct": 50}


@dataclass(frozen=True)
class Tolerances:
    version: int
    bl_departure_days: int
    declaration_days: int
    quantity_pct: int
    weight_pct: int

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in DEFAULTS}


def current_tolerances(session: Session) -> Tolerances:
    """The newest version (the defaults, version 0, before any change)."""
    row = session.scalars(
        select(OffshoreToleranceVersion).order_by(OffshoreToleranceVersion.version.desc()).limit(1)
    ).first()
    if row is None:
        return Tolerances(0, **DEFAULTS)
    return Tolerances(row.version, **(DEFAULTS | json.loads(row.rules)))


def set_tolerances(
    uow: UnitOfWork, caller: Caller | None, changes: dict[str, int], reason: str
) -> tuple[Tolerances, Receipt]:
    """A new version with `changes` applied; `caller` None is the operator's command line."""
    if caller is not None and not may_set_gates(caller):
        raise Forbidden("only the regulator's head office or the operator sets P4's tolerances")
    errors = [
        FieldError(name, f"one of {', '.join(DEFAULTS)}")
        for name in changes
        if name not in DEFAULTS
    ] + [
        FieldError(name, f"an integer from 0 to {LIMITS[name]}")
        for name, value in changes.items()
        if name in LIMITS and (type(value) is not int or not 0 <= value <= LIMITS[name])
    ]
    if errors or not changes:
        raise ValidationFailed(errors or [FieldError("changes", "no change given")])
    if not reason.strip():
        raise invalid("reason", "say why the tolerances change")
    previous = current_tolerances(uow.session)
    rules = previous.as_dict() | changes
    row = OffshoreToleranceVersion(
        version=previous.version + 1,
        rules=json.dumps(rules, sort_keys=True),
        reason=reason.strip()[:500],
        changed_by_org_id=caller.org_id if caller else None,
        changed_at=utcnow(),
    )
    add_new_version(uow.session, row, "the tolerances")
    receipt = uow.record(
        EventType.OFFSHORE_TOLERANCES_SET,
        subjects={"offshore_tolerances": row.version},
        content={
            "version": row.version,
            "previous": previous.as_dict() | {"version": previous.version},
            "tolerances": rules,
            "reason": row.reason,
        },
    )
    return Tolerances(row.version, **rules), receipt

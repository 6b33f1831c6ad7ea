"""Documents thresholds of payment scenarios: a rule held as data, versioned.

P2 (service-trade outward payment): a single payment above USD 50,000 equivalent needs a
tax filing; below it the filing is optional. The amount is data: each change stores a new
version of the scenario's threshold (`payment_threshold_versions`) with one ledger event
(`payments:threshold:set`) in the same transaction; the newest applies; with none yet the
scenario's built-in default (version 0) applies. The head office of the regulator or the
operator's admins change it (the gates' rule, `parties/gates.may_set_gates`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.db import add_new_version
from crossfin.core.errors import Forbidden, invalid
from crossfin.core.money import format_amount, parse_amount
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.gates import may_set_gates
from crossfin.payments.models import PaymentThresholdVersion

# Version 0 of each scenario that has a documents threshold, in USD minor units.
DEFAULTS = {"P2": 5_000_000}


@dataclass(frozen=True)
class Threshold:
    scenario: str
    version: int
    usd_minor: int

    @property
    def text(self) -> str:
        return format_amount(self.usd_minor, "USD")


def current_thresholds(session: Session) -> dict[str, Threshold]:
    """Per scenario with a threshold: the newest version (the default, v0, before a change)."""
    newest = (
        select(
            PaymentThresholdVersion.scenario, func.max(PaymentThresholdVersion.version).label("v")
        )
        .group_by(PaymentThresholdVersion.scenario)
        .subquery()
    )
    query = select(PaymentThresholdVersion).join(
        newest,
        (PaymentThresholdVersion.scenario == newest.c.scenario)
        & (PaymentThresholdVersion.version == newest.c.v),
    )
    found = {s: Threshold(s, 0, usd) for s, usd in DEFAULTS.items()}
    for row in session.scalars(query):
        found[row.scenario] = Threshold(row.scenario, row.version, row.usd_minor)
    return found


def set_threshold(
    uow: UnitOfWork, caller: Caller | None, scenario: str, amount: str, reason: str
) -> tuple[Threshold, Receipt]:
    """A new version of `scenario`'s threshold (USD, a decimal string); `caller` None is the
    command line on the operator's own machine."""
    if caller is not None and not may_set_gates(caller):
        raise Forbidden("only the regulator's head office or the operator sets thresholds")
    if scenario not in DEFAULTS:
        raise invalid("scenario", f"thresholds apply to {', '.join(sorted(DEFAULTS))}")
    try:
        usd_minor = parse_amount(amount, "USD")
    except ValueError as exc:
        raise invalid("amount", str(exc)) from None
    if not 0 <= usd_minor <= 10**17:
        raise invalid("amount", "must be between 0 and 10^15")
    if not reason.strip():
        raise invalid("reason", "say why the threshold changes")
    previous = current_thresholds(uow.session)[scenario]
    row = PaymentThresholdVersion(
        scenario=scenario,
        version=previous.version + 1,
        usd_minor=usd_minor,
        reason=reason.strip()[:500],
        changed_by_org_id=caller.org_id if caller else None,
        changed_at=utcnow(),
    )
    add_new_version(uow.session, row, "the threshold")
    threshold = Threshold(scenario, row.version, usd_minor)
    receipt = uow.record(
        EventType.PAYMENT_THRESHOLD_SET,
        subjects={"threshold": f"{scenario}:v{row.version}"},
        content={
            "scenario": scenario,
            "version": row.version,
            "previous": {"version": previous.version, "usd": previous.text},
            "usd": threshold.text,
            "reason": reason.strip()[:500],
        },
    )
    return threshold, receipt

"""Cases opened and joined as alerts are raised (docs/supervision.md, "Cases").

`raise_alert` (parties) calls `file_alert` through `parties.hooks.on_alert_raised`, which
assembly fills, in the transaction that raises the alert: an alert about an enterprise
with an open case joins it, whatever its kind; otherwise an alert whose rule says
`opens_case` opens one. Each is one case step and one ledger event, taken by no one
(`service.AUTO`) and readable by the regulators over the case.

Concurrency: a firm's open case is first looked for without any lock on the firm, so an
alert that neither joins nor opens (a quiet kind, no case) costs one indexed read. Opening
takes the firm's row lock and looks again, so two alerts of one firm raised at once make
one case: the second waits for the first's commit, then joins what it opened.
"""

from __future__ import annotations

from datetime import timedelta

from crossfin.core.clock import business_date
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alert_rules import Rule
from crossfin.parties.alerts import Alert
from crossfin.supervision.casework.service import DUE_DAYS, file_in, lock_firm, open_case_of


def _any(_case: object) -> bool:
    return True


def file_alert(uow: UnitOfWork, alert: Alert, rule: Rule) -> None:
    """Join the firm's open case, or open one if the rule says so; nothing without a firm."""
    subject = alert.subject_org_id
    if subject is None or alert.case_id is not None:
        return
    case = open_case_of(uow.session, subject, _any)
    if case is None:
        if not rule.opens_case:
            return
        lock_firm(uow.session, subject)
        case = open_case_of(uow.session, subject, _any)  # one opened meanwhile: join it
    file_in(uow, None, alert, case, business_date() + timedelta(days=DUE_DAYS))

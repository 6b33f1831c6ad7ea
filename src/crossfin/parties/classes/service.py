"""Classifying an enterprise: the one use case the API, the portal, the command line, the
bulk import and the demo call (`classify`, or `check_change` and `record` for the import).

The rules (docs/payments.md, "Class gates"):

* who: a regulator over the enterprise's jurisdiction subtree, as admin, approver or
  operator (a branch's desk officer classifies; auditors read only). Anyone else who may
  read the enterprise gets 403; anyone who may not, 404, so existence never leaks.
* what: A, B or C, a reason, an effective date (default: today's business date) and,
  optionally, the evaluation period the class rests on ("2025", or "2025-01-01/2025-12-31").
* when: the history moves forward only: a change takes effect on or after the newest one
  recorded (the same day: a correction, the later row wins). It may be back-dated at most
  two years (a payment's value date reaches one year back; an annual result is published
  months into the next year) and dated at most a year ahead; a future change applies from
  its date and changes nothing before.
* the same class again is a renewal (a new evaluation confirming it), recorded like a
  change; the very same class, date, period and reason as the newest row is a repeated
  request, refused (409).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date, utcnow
from crossfin.core.errors import Conflict, FieldError, Forbidden, ValidationFailed
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, supervises
from crossfin.parties.classes.history import DEFAULT, class_commitment, class_state, newest
from crossfin.parties.classes.models import EnterpriseClass
from crossfin.parties.models import Organization, OrgKind, Role, TradeClass
from crossfin.parties.service import get_org

BACK = timedelta(days=731)
AHEAD = timedelta(days=366)
CLASSIFIERS = (Role.ADMIN, Role.APPROVER, Role.OPERATOR)
REPEATED = "this class, date, period and reason are recorded already"


@dataclass(frozen=True)
class ClassChange:
    """A classification as entered (text for the dates, so each entry point reports
    a bad one the same way)."""

    trade_class: str
    reason: str
    effective_from: date | str | None = None
    period: str | None = None


@dataclass(frozen=True)
class Period:
    label: str
    start: date | None
    end: date | None


@dataclass(frozen=True)
class Checked:
    """A change that passed every check."""

    trade_class: str
    reason: str
    effective_from: date
    period: Period | None


def may_classify(caller: Caller) -> bool:
    return caller.org_kind is OrgKind.REGULATOR and caller.role in CLASSIFIERS


def authorize(caller: Caller, org: Organization) -> None:
    """403 unless `caller` classifies `org` (callers check that they may read it first)."""
    if caller.org_kind is not OrgKind.REGULATOR:
        raise Forbidden("only a regulator classifies enterprises")
    if caller.role not in CLASSIFIERS:
        raise Forbidden("this needs the role admin, approver or operator")
    if org.kind != OrgKind.ENTERPRISE.value:
        raise Forbidden("only enterprises carry a goods-trade class")
    if not supervises(caller, org.jurisdiction_path):
        raise Forbidden("this enterprise is outside your jurisdiction")


def parse_date(value: date | str | None, field: str, errors: list[FieldError]) -> date | None:
    if value is None or isinstance(value, date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(FieldError(field, "a date as YYYY-MM-DD"))
        return None


def parse_period(text: str | None) -> Period | None:
    """`2025` (that calendar year), `2025-01-01/2025-12-31`, or None; ValueError if bad."""
    label = (text or "").strip()
    if not label:
        return None
    if len(label) == 4 and label.isdigit():
        year = int(label)
        if not 2000 <= year <= 2100:
            raise ValueError("a year between 2000 and 2100")
        return Period(label, date(year, 1, 1), date(year, 12, 31))
    start_text, sep, end_text = label.partition("/")
    try:
        start, end = date.fromisoformat(start_text.strip()), date.fromisoformat(end_text.strip())
    except ValueError:
        raise ValueError("a year (2025) or two dates (2025-01-01/2025-12-31)") from None
    if not sep or end < start:
        raise ValueError("the period ends before it starts")
    return Period(f"{start.isoformat()}/{end.isoformat()}", start, end)


def check_change(
    change: ClassChange, today: date, last: EnterpriseClass | None
) -> tuple[Checked | None, list[FieldError]]:
    """Every rule of a change against the newest history row; the errors, all of them."""
    errors: list[FieldError] = []
    klass = change.trade_class.strip().upper()
    if klass not in {c.value for c in TradeClass}:
        errors.append(FieldError("trade_class", "A, B or C"))
    reason = change.reason.strip()
    if not reason:
        errors.append(FieldError("reason", "say why the enterprise gets this class"))
    elif len(reason) > 500:
        errors.append(FieldError("reason", "at most 500 characters"))
    effective = parse_date(change.effective_from, "effective_from", errors)
    period = None
    try:
        period = parse_period(change.period)
    except ValueError as exc:
        errors.append(FieldError("period", str(exc)))
    if effective is None and not any(e.field == "effective_from" for e in errors):
        effective = today
    if effective is not None:
        errors += _date_errors(effective, today, last, period)
    if errors or effective is None:
        return None, errors
    return Checked(klass, reason, effective, period), []


def _date_errors(
    effective: date, today: date, last: EnterpriseClass | None, period: Period | None
) -> list[FieldError]:
    errors = []
    if effective < today - BACK:
        errors.append(FieldError("effective_from", "at most two years in the past"))
    elif effective > today + AHEAD:
        errors.append(FieldError("effective_from", "at most a year ahead"))
    elif last is not None and effective < last.effective_from:
        errors.append(
            FieldError(
                "effective_from",
                f"before the class {last.trade_class} in force from "
                f"{last.effective_from.isoformat()}: the history only moves forward",
            )
        )
    if period is not None and period.start is not None and period.start > effective:
        errors.append(FieldError("period", "starts after the class takes effect"))
    return errors


def same_as(checked: Checked, last: EnterpriseClass | None) -> bool:
    """The newest row says exactly this already, for the same reason (a repeated request,
    not a renewal)."""
    return (
        last is not None
        and last.trade_class == checked.trade_class
        and last.reason == checked.reason
        and last.effective_from == checked.effective_from
        and last.period == (checked.period.label if checked.period else None)
    )


def lock(session: Session, org_id: int) -> None:
    """Serialise changes of one enterprise's class (two regulators at once): each reads the
    newest row only after the other committed, so neither check is made on a stale line."""
    query = select(Organization.id).where(Organization.id == org_id).with_for_update()
    session.execute(query)


def classify(
    uow: UnitOfWork, caller: Caller, org_id: int, change: ClassChange
) -> tuple[EnterpriseClass, Receipt]:
    """Record one classification of an enterprise, with its ledger event."""
    session = uow.session
    org = get_org(session, caller, org_id)  # 404 before 403: existence never leaks
    authorize(caller, org)
    lock(session, org.id)
    last = newest(session, org.id)
    checked, errors = check_change(change, business_date(), last)
    if errors or checked is None:
        raise ValidationFailed(errors)
    if same_as(checked, last):
        raise Conflict(REPEATED, field="trade_class")
    return record(uow, caller, org, checked, last, "manual")


def record(
    uow: UnitOfWork,
    caller: Caller | None,
    org: Organization,
    checked: Checked,
    last: EnterpriseClass | None,
    source: str,
) -> tuple[EnterpriseClass, Receipt]:
    """Store a checked change: the history row, the cache, the event committing the row."""
    session = uow.session
    period = checked.period
    row = EnterpriseClass(
        org_id=org.id,
        trade_class=checked.trade_class,
        effective_from=checked.effective_from,
        period=period.label if period else None,
        period_start=period.start if period else None,
        period_end=period.end if period else None,
        reason=checked.reason,
        source=source,
        decided_by_org_id=caller.org_id if caller else None,
        decided_by_principal_id=caller.principal_id if caller else None,
        recorded_at=utcnow(),
    )
    session.add(row)
    session.flush()
    previous = last.trade_class if last else DEFAULT
    # The newest row is in force today once its date has come (the history moves forward).
    if checked.effective_from <= business_date():
        org.trade_class = checked.trade_class
    content = class_state(row) | {
        "id": row.id,
        "previous": previous,
        "change": "renewal" if previous == checked.trade_class else "change",
        "uscc": org.uscc,
    }
    receipt = uow.record(
        EventType.ORG_CLASS_CHANGED,
        subjects={"org": org.id, "enterprise_class": row.id},
        content=content,
        parties={org.id},
        state=class_commitment(row),
    )
    row.event_id = receipt.event_id
    return row, receipt

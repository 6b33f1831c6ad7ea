"""Reminders before a statistics deadline (`crossfin filings remind`, run daily by cron).

Who must file: every organization that has submitted a filing of the form (any period)
before; a first filer is not chased, since nothing says it is obliged yet. For each
statistics form whose clock starts at the period's end, the two latest periods that have
ended are looked at; when a filer has not submitted for one of them and the due date is
3 working days away or nearer (but not past), it is notified (portal and e-mail, through
`notify`) once for the threshold reached: 3, then 1. A notice already sent for the same
organization, form, period and threshold is never sent again, so the command may run
any number of times a day (the notice itself is the record: its kind names the
threshold, its link the form and period).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.workdays import CalendarOutOfRange
from crossfin.filings.calendar.cache import official_calendar
from crossfin.filings.forms.content import previous_period
from crossfin.filings.models import Filing, FilingForm
from crossfin.filings.schemas import ClockStart, System
from crossfin.filings.statistics.periods import period_end
from crossfin.parties.notifications.models import Notification
from crossfin.parties.notifications.service import Bilingual, notify

THRESHOLDS = (1, 3)  # working days before the due date, nearest first
KIND = "filings:statistics:due-{days}"


@dataclass(frozen=True)
class Reminder:
    org_id: int
    form: str
    period: str
    due: date
    days: int  # the threshold reached
    left: int  # working days left today


def _forms(session: Session) -> dict[str, FilingForm]:
    """The newest version of each statistics form counted from the period's end."""
    query = select(FilingForm).where(
        FilingForm.system == System.STATISTICS.value,
        FilingForm.clock_starts == ClockStart.PERIOD_END.value,
        FilingForm.deadline_days.is_not(None),
    )
    return {f.code: f for f in sorted(session.scalars(query), key=lambda f: f.version)}


def _ended_periods(form: FilingForm, today: date) -> list[str]:
    """The two latest periods of the form's kind that ended before today."""
    quarterly = json.loads(form.definition).get("period_kind") == "quarterly"
    period = f"{today.year}-Q{(today.month - 1) // 3 + 1}" if quarterly else f"{today:%Y-%m}"
    found: list[str] = []
    while len(found) < 2:
        period = previous_period(period)
        if period_end(period) < today:
            found.append(period)
    return found


def _obliged(session: Session, code: str) -> set[int]:
    query = select(Filing.filer_org_id).where(
        Filing.form_code == code, Filing.submitted_at.is_not(None)
    )
    return set(session.scalars(query))


def _filed(session: Session, code: str, period: str) -> set[int]:
    query = select(Filing.filer_org_id).where(
        Filing.form_code == code,
        Filing.period.in_({period, period.replace("-Q", "Q")}),
        Filing.submitted_at.is_not(None),
    )
    return set(session.scalars(query))


def due_reminders(session: Session, today: date) -> list[Reminder]:
    """The reminders due today, not yet sent."""
    calendar = official_calendar(session)
    found: list[Reminder] = []
    for code, form in _forms(session).items():
        assert form.deadline_days is not None
        for period in _ended_periods(form, today):
            try:
                due = calendar.add_working_days(period_end(period), form.deadline_days)
                left = calendar.working_days_between(today, due)
            except CalendarOutOfRange:
                continue  # no due date can be counted: nobody is told a wrong one
            days = next((t for t in THRESHOLDS if 0 <= left <= t), None)
            if days is None:
                continue
            late = _obliged(session, code) - _filed(session, code, period)
            found += [
                Reminder(org, code, period, due, days, left)
                for org in sorted(late)
                if not _sent(session, org, code, period, days)
            ]
    return found


def _link(code: str, period: str) -> str:
    return f"/filings/statistics?form={code}&period={period}"


def _sent(session: Session, org_id: int, code: str, period: str, days: int) -> bool:
    query = select(Notification.id).where(
        Notification.org_id == org_id,
        Notification.kind == KIND.format(days=days),
        Notification.link == _link(code, period),
    )
    return session.scalars(query.limit(1)).first() is not None


def send_reminders(session: Session, today: date) -> list[Reminder]:
    """Notify every filer due a reminder today (in the caller's transaction)."""
    sent = due_reminders(session, today)
    for r in sent:
        notify(
            session,
            org_id=r.org_id,
            kind=KIND.format(days=r.days),
            subject=Bilingual(
                zh=f"{r.form} {r.period} 统计申报将于 {r.due} 截止",
                en=f"{r.form} {r.period} statistics are due on {r.due}",
            ),
            body=Bilingual(
                zh=f"贵机构尚未提交 {r.period} 期 {r.form} 报表，截止日期为 {r.due}"  # noqa: RUF001
                f"（还剩 {r.left} 个工作日）。",  # noqa: RUF001
                en=f"Your {r.form} report for {r.period} has not been submitted; it is due on "
                f"{r.due} ({r.left} working day(s) left).",
            ),
            link=_link(r.form, r.period),
        )
    return sent

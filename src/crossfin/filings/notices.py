"""Who hears of a workflow step, in the portal's inbox and by e-mail (docs/filings.md,
"Notifications").

A step that hands the filing to the other side notifies that side, in the step's own
transaction (a refused step notifies nobody): the filer's moves (submit, resubmit, a
late-correction request, a withdrawal once submitted) reach the regulator office handling
the filing's jurisdiction; the regulator's moves (accept, return, review, decide, close,
extend, late-correction answers) and a head office's send-back reach the filer and its
head office. Drafting, revising, attaching and storing content stay with whoever did them.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from crossfin.filings.models import Filing
from crossfin.ledger.events import EventType
from crossfin.parties.notifications.service import Bilingual, notify
from crossfin.parties.offices import handling_office

E = EventType
# What each step tells the other side: (Chinese, English), the reference following.
_TO_REGULATOR: dict[EventType, tuple[str, str]] = {
    E.FILING_SUBMITTED: ("已提交申报", "Filing submitted"),
    E.FILING_RESUBMITTED: ("已补正后重新提交申报", "Filing resubmitted with supplements"),
    E.FILING_LATE_REQUESTED: ("申请逾期更正", "Late correction requested"),
    E.FILING_WITHDRAWN: ("申报已撤回", "Filing withdrawn"),
}
_TO_FILER: dict[EventType, tuple[str, str]] = {
    E.FILING_ACCEPTED: ("申报已受理", "Filing accepted"),
    E.FILING_RETURNED: ("申报被退回，需补正材料", "Filing returned for supplement"),  # noqa: RUF001
    E.FILING_REVIEWED: ("申报进入审查", "Filing under review"),
    E.FILING_DECIDED: ("申报已作出决定", "Decision made on filing"),
    E.FILING_CLOSED: ("申报已办结", "Filing closed"),
    E.FILING_EXTENDED: ("审查期限已延长", "Review deadline extended"),
    E.FILING_LATE_APPROVED: ("逾期更正申请已批准", "Late correction approved"),
    E.FILING_LATE_REFUSED: ("逾期更正申请未获批准", "Late correction refused"),
    E.FILING_SENT_BACK: ("总行退回草稿", "Draft sent back by the head office"),
}


def recipients(session: Session, filing: Filing, event: EventType) -> list[int]:
    """The organizations a step of `event` notifies (none for most drafting steps)."""
    if event in _TO_FILER:
        return sorted({filing.filer_org_id, filing.chain_org_id})
    if event in _TO_REGULATOR and filing.submitted_at is not None:
        office = handling_office(session, filing.jurisdiction_path)
        return [] if office is None else [office.id]
    return []


def notify_step(session: Session, filing: Filing, event: EventType, note: str | None) -> int:
    """Notify the other side of a step just recorded; how many organizations it reached."""
    text = _TO_FILER.get(event) or _TO_REGULATOR.get(event)
    found = recipients(session, filing, event)
    if text is None or not found:
        return 0
    zh, en = text
    detail = f"\n{note}" if note else ""
    for org_id in found:
        notify(
            session,
            org_id=org_id,
            kind=event.value,
            subject=Bilingual(f"{zh}：{filing.reference}", f"{en}: {filing.reference}"),  # noqa: RUF001
            body=Bilingual(
                f"{zh}：{filing.reference}（{filing.form_code}，状态 {filing.state}）{detail}",  # noqa: RUF001
                f"{en}: {filing.reference} ({filing.form_code}, now {filing.state}){detail}",
            ),
            link=f"/filings/{filing.id}",
        )
    return len(found)

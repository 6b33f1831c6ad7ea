"""Tables of supervision: the cases analysts work alerts in, and each case's steps."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base, UTCDateTime


class AlertCase(Base):
    """A case about one enterprise: the alerts that opened or joined it, worked to an outcome."""

    __tablename__ = "alert_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id"), nullable=True, index=True
    )
    # The subject's seat when the case opened: who may see the case (a regulator over it).
    jurisdiction_path: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # The office the case's county is routed to when it opened (parties/offices.py,
    # `handling_office`): the dispatched office, else the prefecture's, the province's
    # or the head office. It is where the case belongs, not who may see it.
    handling_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id"), nullable=True, index=True
    )
    state: Mapped[str] = mapped_column(String(16), index=True)
    outcome: Mapped[str | None] = mapped_column(String(24), nullable=True)
    assignee_principal_id: Mapped[int | None] = mapped_column(
        ForeignKey("principals.id"), nullable=True, index=True
    )
    due_date: Mapped[date] = mapped_column(Date)
    opened_by_principal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CaseStep(Base):
    """One step of a case (open, join, assign, move, note), as its ledger event says it."""

    __tablename__ = "case_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("alert_cases.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    # JSON: the step's content (alert, assignee, from/to and outcome, or the note's text).
    detail: Mapped[str] = mapped_column(Text)
    principal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    principal_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    event_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

"""The loaded notices: one row per loading of a year, and the special days it lists."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base, UTCDateTime


class CalendarYear(Base):
    """One loading of a year's notice. Rows are only ever added: the newest row of a year is
    in force, the earlier ones say what deadlines counted before it was corrected."""

    __tablename__ = "calendar_years"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    number: Mapped[str | None] = mapped_column(String(100), nullable=True)
    url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    published: Mapped[date] = mapped_column(Date)
    # sha256 hex of the notice's canonical content (the same notice again changes nothing).
    digest: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    loaded_by: Mapped[str] = mapped_column(String(100))
    # The ledger event of the loading; the newest one is the calendar's version.
    event_id: Mapped[str | None] = mapped_column(String(36), nullable=True)

    __table_args__ = (Index("ix_calendar_years_year_id", "year", "id"),)


class CalendarDay(Base):
    """A day of a loaded year that differs from the default: a weekday off, a weekend worked."""

    __tablename__ = "calendar_days"

    year_id: Mapped[int] = mapped_column(ForeignKey("calendar_years.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(100))

    __table_args__ = (CheckConstraint("kind IN ('holiday','workday')", name="kind"),)

"""Loading a notice (one row per loading, one ledger event), and reading the years in force.

`load_notice` is the one use case of `crossfin calendar load FILE`. The newest loading of a
year is in force and overrides the package for that year; earlier ones stay, with their
events, so that a deadline counted before a correction can be explained.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.workdays import DayKind, OfficialYear, SpecialDay, package_year
from crossfin.filings.calendar.models import CalendarDay, CalendarYear
from crossfin.filings.calendar.notice import Notice
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.state import (
    StateRow,
    StateView,
    columns_of,
    entity_key,
    state_digest,
    value_of,
    with_children,
)
from crossfin.ledger.uow import UnitOfWork

KIND = "calendar_year"
_FIELDS = columns_of(CalendarYear, leave_out=("id", "event_id"))


@dataclass(frozen=True)
class Loaded:
    """What a loading did: `receipt` None when the year already had this very notice."""

    year: int
    row_id: int
    receipt: Receipt | None
    replaces: str | None  # the event id of the loading it replaces
    # Days on which the notice and the package disagree; None if the package lacks the year.
    differs_from_package: list[date] | None


def _state(row: Any, days: list[Any]) -> dict[str, Any]:
    state = {name: value_of(row, name) for name in _FIELDS}
    state["days"] = [{"day": d.day.isoformat(), "kind": d.kind, "name": d.name} for d in days]
    return state


def _newest(session: Session, year: int) -> CalendarYear | None:
    query = select(CalendarYear).where(CalendarYear.year == year).order_by(CalendarYear.id.desc())
    return session.scalars(query.limit(1)).first()


def _differences(notice: Notice) -> list[date] | None:
    packaged = package_year(notice.year)
    if packaged is None:
        return None
    ours = {d.day: d.kind for d in notice.days}
    theirs = {d.day: d.kind for d in packaged.days}
    return sorted(day for day in ours.keys() | theirs.keys() if ours.get(day) != theirs.get(day))


def load_notice(uow: UnitOfWork, notice: Notice) -> Loaded:
    """Store `notice` (checked by `parse_notice`) as its year's calendar, with its event.

    Loading the notice in force again records nothing. The process's cached calendar is
    invalidated once the transaction commits (other processes see it within the cache's
    version check interval, cache.py).
    """
    session, digest = uow.session, notice.digest()
    previous = _newest(session, notice.year)
    differs = _differences(notice)
    if previous is not None and previous.digest == digest:
        return Loaded(notice.year, previous.id, None, previous.event_id, differs)
    row = CalendarYear(
        year=notice.year,
        title=notice.title,
        number=notice.number,
        url=notice.url,
        published=notice.published,
        digest=digest,
        loaded_at=utcnow(),
        loaded_by=uow.actor.label,
    )
    session.add(row)
    session.flush()
    days = [CalendarDay(year_id=row.id, day=d.day, kind=d.kind, name=d.name) for d in notice.days]
    session.add_all(days)
    replaces = previous.event_id if previous else None
    receipt = uow.record(
        EventType.CALENDAR_YEAR_LOADED,
        subjects={KIND: row.id, "year": notice.year},
        content=notice.content() | {"id": row.id, "digest": digest, "replaces": replaces},
        state={entity_key(KIND, row.id): state_digest(_state(row, days))},
    )
    row.event_id = receipt.event_id
    _invalidate_on_commit(session)
    return Loaded(notice.year, row.id, receipt, replaces, differs)


def _invalidate_on_commit(session: Session) -> None:
    from crossfin.filings.calendar.cache import CACHE  # the cache reads this module

    engine = session.get_bind()
    event.listen(session, "after_commit", lambda _s: CACHE.invalidate(engine), once=True)


def current_version(session: Session) -> str:
    """The calendar's version: the event id of the newest loading ('' before any)."""
    query = select(CalendarYear.event_id).order_by(CalendarYear.id.desc()).limit(1)
    return session.scalar(query) or ""


def _source(row: CalendarYear) -> str:
    name = row.number or row.url
    return f"notice {name} ({row.title}, published {row.published}), ledger event {row.event_id}"


def loaded_years(session: Session) -> dict[int, OfficialYear]:
    """The loaded years in force: each year's newest loading."""
    newest: dict[int, CalendarYear] = {}
    for row in session.scalars(select(CalendarYear).order_by(CalendarYear.id)):
        newest[row.year] = row
    ids = [row.id for row in newest.values()]
    found: dict[int, list[SpecialDay]] = {i: [] for i in ids}
    query = select(CalendarDay).where(CalendarDay.year_id.in_(ids)).order_by(CalendarDay.day)
    for day in session.scalars(query) if ids else []:
        kind: DayKind = "workday" if day.kind == "workday" else "holiday"
        found[day.year_id].append(SpecialDay(day.day, kind, day.name))
    return {y: OfficialYear(y, tuple(found[r.id]), _source(r)) for y, r in newest.items()}


@dataclass(frozen=True)
class YearShown:
    """A year in force, for `crossfin calendar show`: its days, their source, the package."""

    year: OfficialYear
    loaded: bool
    package: OfficialYear | None


def year_in_force(session: Session, year: int) -> YearShown | None:
    """The year as deadlines count it now (read afresh, not cached); None if uncovered."""
    loaded = loaded_years(session).get(year)
    packaged = package_year(year)
    shown = loaded or packaged
    return None if shown is None else YearShown(shown, loaded is not None, packaged)


def _rows(session: Session) -> Iterator[StateRow]:
    years = session.scalars(select(CalendarYear).order_by(CalendarYear.id))
    days = session.scalars(select(CalendarDay).order_by(CalendarDay.year_id, CalendarDay.day))
    for row, mine in with_children(years, days, "year_id"):
        yield StateRow(row.id, _state(row, mine), row.loaded_at)


def state_views() -> list[StateView]:
    """What `crossfin log audit` checks: every loading against its event."""
    return [StateView(KIND, CalendarYear.__tablename__, _rows)]

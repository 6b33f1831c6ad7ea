"""A year's holiday notice as data: the CSV format `crossfin calendar load FILE` reads.

    year,title,number,url,published
    2026,国务院办公厅关于2026年部分节假日安排的通知,<number>,https://www.gov.cn/...,2025-11-04
    date,kind,name
    2026-01-02,holiday,元旦
    2026-01-04,workday,元旦
    ...

Line 1 names the notice's columns and line 2 gives them (`number` or `url` may be empty, not
both); line 3 names the day columns; then one row per day that differs from the default:
`holiday` for a Monday to Friday off, `workday` for a Saturday or Sunday worked (调休).
Weekend days inside a holiday are not listed: they are off anyway. Every problem is reported
at once, each naming its line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from crossfin.core.canonical import canonical_json
from crossfin.core.errors import FieldError, ValidationFailed
from crossfin.core.workdays import DayKind, OfficialYear, SpecialDay

NOTICE_COLUMNS = ["year", "title", "number", "url", "published"]
DAY_COLUMNS = ["date", "kind", "name"]
KINDS: tuple[DayKind, ...] = ("holiday", "workday")
FIRST_YEAR, LAST_YEAR = 2000, 2100
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Notice:
    """A checked notice: what it is, and the special days of its year, in date order."""

    year: int
    title: str
    number: str | None
    url: str | None
    published: date
    days: tuple[SpecialDay, ...]

    def content(self) -> dict[str, Any]:
        """Everything the notice says, as JSON (the ledger event's content, the digest's input)."""
        return {
            "year": self.year,
            "title": self.title,
            "number": self.number,
            "url": self.url,
            "published": self.published.isoformat(),
            "days": [
                {"date": d.day.isoformat(), "kind": d.kind, "name": d.name} for d in self.days
            ],
        }

    def digest(self) -> str:
        """sha256 hex of the canonical content: the same notice however the file is laid out."""
        return hashlib.sha256(canonical_json(self.content())).hexdigest()

    def label(self) -> str:
        """How a year's source names the notice: its number, else its address."""
        return f"{self.number or self.url} ({self.title}, published {self.published})"

    def official_year(self, source: str) -> OfficialYear:
        return OfficialYear(self.year, self.days, source)


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if _ISO_DATE.fullmatch(text) else None
    except ValueError:
        return None


class _Lines:
    """Problems gathered while reading, each naming its line."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, line: int, reason: str) -> None:
        self.errors.append(FieldError(f"line {line}", reason))


def _header(rows: list[tuple[int, list[str]]], problems: _Lines) -> dict[str, str] | None:
    """Lines 1 to 3: the notice's columns, its values, the day columns."""
    if len(rows) < 3:
        problems.add(len(rows) + 1, "expected the notice's columns, its values and the day columns")
        return None
    (n1, names), (n2, values), (n3, day_names) = rows[:3]
    if [c.strip() for c in names] != NOTICE_COLUMNS:
        problems.add(n1, f"expected the columns {','.join(NOTICE_COLUMNS)}")
    if [c.strip() for c in day_names] != DAY_COLUMNS:
        problems.add(n3, f"expected the columns {','.join(DAY_COLUMNS)}")
    if len(values) != len(NOTICE_COLUMNS):
        problems.add(n2, f"expected {len(NOTICE_COLUMNS)} values, found {len(values)}")
        return None
    return dict(zip(NOTICE_COLUMNS, (v.strip() for v in values), strict=True))


@dataclass(frozen=True)
class _Fields:
    year: int
    title: str
    number: str | None
    url: str | None
    published: date


def _notice_fields(line: int, values: dict[str, str], problems: _Lines) -> _Fields | None:
    """The year, title, number, url and publication date of line 2, checked."""
    text = values["year"]
    year = int(text) if text.isascii() and text.isdigit() else None
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        problems.add(line, f"year {text!r} must be a year from {FIRST_YEAR} to {LAST_YEAR}")
        year = None  # the days cannot be checked against it
    if not values["title"] or len(values["title"]) > 300:
        problems.add(line, "title is required (at most 300 characters)")
    number, url = values["number"] or None, values["url"] or None
    if number is None and url is None:
        problems.add(line, "the notice needs its number or its url")
    if number is not None and len(number) > 100:
        problems.add(line, "number is at most 100 characters")
    parts = urlsplit(url) if url else None
    if url and len(url) > 500:
        problems.add(line, "url is at most 500 characters")
    elif url and (parts is None or parts.scheme not in ("http", "https") or not parts.netloc):
        problems.add(line, f"url {url!r} must be an http(s) address")
    published = _iso_date(values["published"])
    if published is None:
        problems.add(line, f"published {values['published']!r} must be a date as YYYY-MM-DD")
    elif year is not None and published.year > year:
        problems.add(line, f"published {published} is after the year {year} it sets")
    if year is None or published is None:
        return None
    return _Fields(year, values["title"], number, url, published)


def _day(line: int, row: list[str], year: int, problems: _Lines) -> SpecialDay | None:
    """One day row, checked against the declared year and the weekday/weekend default."""
    if len(row) != len(DAY_COLUMNS):
        problems.add(line, f"expected {len(DAY_COLUMNS)} values (date,kind,name), found {len(row)}")
        return None
    text, kind, name = (v.strip() for v in row)
    day = _iso_date(text)
    if day is None:
        problems.add(line, f"date {text!r} must be a date as YYYY-MM-DD")
        return None
    if day.year != year:
        problems.add(line, f"date {day} is outside the declared year {year}")
        return None
    if kind not in KINDS:
        problems.add(line, f"kind {kind!r} must be holiday or workday")
        return None
    if not name or len(name) > 100:
        problems.add(line, "name (the day's holiday) is required, at most 100 characters")
        return None
    weekday = _WEEKDAYS[day.weekday()]
    if kind == "holiday" and day.weekday() >= 5:
        problems.add(line, f"{day} is a {weekday}, off anyway: list only weekdays as holidays")
        return None
    if kind == "workday" and day.weekday() < 5:
        problems.add(line, f"{day} is a {weekday}, worked anyway: list only weekends as workdays")
        return None
    return SpecialDay(day, kind, name)


def _days(rows: list[tuple[int, list[str]]], year: int, problems: _Lines) -> list[SpecialDay]:
    """The day rows (line 4 on), each checked, no date twice; in date order."""
    days: dict[date, tuple[int, SpecialDay]] = {}
    for line, row in rows:
        special = _day(line, row, year, problems)
        if special is None:
            continue
        if special.day in days:
            first = days[special.day][0]
            problems.add(line, f"{special.day} is listed again (first on line {first})")
            continue
        days[special.day] = (line, special)
    return [days[d][1] for d in sorted(days)]


def parse_notice(text: str) -> Notice:
    """Read and check a notice file; ValidationFailed lists every problem by line."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    problems = _Lines()
    values = _header(rows, problems)
    f = _notice_fields(rows[1][0], values, problems) if values else None
    if f is None:
        raise ValidationFailed(problems.errors)
    days = _days(rows[3:], f.year, problems)
    if not problems.errors and not any(d.kind == "holiday" for d in days):
        problems.add(rows[-1][0], "the notice lists no holiday: every notice gives some days off")
    if problems.errors:
        raise ValidationFailed(problems.errors)
    return Notice(f.year, f.title, f.number, f.url, f.published, tuple(days))

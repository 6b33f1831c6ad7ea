"""The notice file format: the shipped 2026 notice reads as the package has 2026, and every
kind of bad file is refused with the line that is wrong (no database involved)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from crossfin.core.errors import ValidationFailed
from crossfin.core.workdays import PACKAGE, Calendar
from crossfin.filings.calendar.notice import parse_notice

NOTICE_2026 = Path(__file__).resolve().parents[1] / "data" / "calendar" / "cn-2026.csv"
HEAD = "year,title,number,url,published\n"
GOOD = (
    HEAD + "2030,TEST ONLY: a fictional notice for 2030,T-1,,2029-11-01\n"
    "date,kind,name\n"
    "2030-01-01,holiday,New Year\n"  # a Tuesday
    "2030-01-05,workday,New Year\n"  # a Saturday
)


def test_the_2026_notice_gives_the_package_answer_for_every_day() -> None:
    notice = parse_notice(NOTICE_2026.read_text(encoding="utf-8"))
    assert notice.year == 2026 and notice.published == date(2025, 11, 4)
    assert notice.url and notice.url.startswith("https://www.gov.cn/")
    loaded = Calendar({2026: notice.official_year("test")})
    day = date(2026, 1, 1)
    while day.year == 2026:
        assert loaded.is_working_day(day) == PACKAGE.is_working_day(day), day
        day += timedelta(days=1)
    assert [(d.day, d.kind) for d in notice.days] == [
        (d.day, d.kind) for d in PACKAGE.year(2026).days
    ]
    assert loaded.source_of(2026) == "test"


def test_a_good_file_reads_in_date_order_whatever_its_layout() -> None:
    shuffled = GOOD.splitlines(keepends=True)
    shuffled[3], shuffled[4] = shuffled[4], shuffled[3]
    crlf = "\ufeff" + "".join(shuffled).replace("\n", "\r\n") + "\r\n\r\n"
    first, second = parse_notice(GOOD), parse_notice(crlf)
    assert first == second and first.digest() == second.digest()
    assert [d.day for d in first.days] == [date(2030, 1, 1), date(2030, 1, 5)]
    calendar = Calendar({2030: first.official_year("test")})
    assert not calendar.is_working_day(date(2030, 1, 1))
    assert calendar.is_working_day(date(2030, 1, 5))


def _lines(text: str) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as refused:
        parse_notice(text)
    return [(e.field, e.reason) for e in refused.value.errors]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (GOOD + "2031-01-01,holiday,New Year\n", "line 6", "outside the declared year 2030"),
        (GOOD + "2030-01-01,holiday,Again\n", "line 6", "listed again (first on line 4)"),
        (GOOD + "2030-01-06,holiday,Sunday\n", "line 6", "is a Sunday, off anyway"),
        (GOOD + "2030-01-07,workday,Monday\n", "line 6", "is a Monday, worked anyway"),
        (GOOD + "2030-01-08,off,Tuesday\n", "line 6", "kind 'off' must be holiday or workday"),
        (GOOD + "2030-1-8,holiday,Tuesday\n", "line 6", "must be a date as YYYY-MM-DD"),
        (GOOD + "2030-02-30,holiday,Tuesday\n", "line 6", "must be a date as YYYY-MM-DD"),
        (GOOD + "2030-01-08,holiday,\n", "line 6", "name (the day's holiday) is required"),
        (GOOD + "2030-01-08,holiday\n", "line 6", "expected 3 values"),
        (GOOD.replace("year,title", "yr,title"), "line 1", "expected the columns year,title"),
        (GOOD.replace("date,kind,name", "date,kind"), "line 3", "expected the columns date"),
        (GOOD.replace("T-1,,", ",,"), "line 2", "needs its number or its url"),
        (GOOD.replace("T-1,,", "T-1,ftp://x,"), "line 2", "must be an http(s) address"),
        (GOOD.replace("2029-11-01", "2031-01-01"), "line 2", "is after the year 2030"),
        (GOOD.replace("2030,TEST", "30,TEST"), "line 2", "must be a year from 2000 to 2100"),
        (GOOD.replace("2030-01-01,holiday", "2030-01-07,workday"), "line 4", "worked anyway"),
        (HEAD, "line 2", "expected the notice's columns, its values and the day columns"),
    ],
)
def test_a_bad_file_is_refused_naming_the_line(text: str, line: str, reason: str) -> None:
    found = _lines(text)
    assert any(field == line and reason in why for field, why in found), found


def test_a_bad_year_is_one_problem_not_one_per_day() -> None:
    assert _lines(GOOD.replace("2030,TEST", "２０３０,TEST")) == [
        ("line 2", "year '２０３０' must be a year from 2000 to 2100")
    ]
    long_url = GOOD.replace("T-1,,", "T-1,https://www.gov.cn/" + "x" * 490 + ",")
    assert _lines(long_url) == [("line 2", "url is at most 500 characters")]


def test_every_problem_is_reported_at_once() -> None:
    text = GOOD + "2030-01-06,holiday,Sunday\n2031-01-01,holiday,Later\n2030-01-06,x,y\n"
    assert [field for field, _ in _lines(text)] == ["line 6", "line 7", "line 8"]


def test_a_notice_without_a_holiday_is_refused() -> None:
    only_workday = GOOD.replace("2030-01-01,holiday,New Year\n", "")
    assert _lines(only_workday) == [
        ("line 4", "the notice lists no holiday: every notice gives some days off")
    ]

"""The 503 for an uncovered year, as the portal shows it: a title in the reader's language
that says how to fix it, above the problem's own (English) detail; the API's problem+json."""

from __future__ import annotations

from datetime import date

from fastapi import FastAPI
from fastapi.testclient import TestClient

from crossfin.core.workdays import PACKAGE
from crossfin.filings.deadlines import Clock, due


def test_an_uncovered_year_is_explained_in_both_languages(app: FastAPI, client: TestClient) -> None:
    def deadline() -> None:
        due(Clock(date(2026, 12, 4), limit=20), PACKAGE)  # runs into 2027

    app.add_api_route("/deadline", deadline, include_in_schema=False)
    app.state.portal.page_routes.add(id(app.router.routes[-1]))
    client.cookies.set("crossfin_lang", "zh")
    page = client.get("/deadline")
    assert page.status_code == 503
    assert "官方工作日历尚未覆盖该日期" in page.text
    assert "国务院办公厅部分节假日安排的通知" in page.text
    assert "crossfin calendar load FILE" in page.text
    assert "或升级日历软件包" in page.text
    client.cookies.set("crossfin_lang", "en")
    page = client.get("/deadline")
    assert "The official working-day calendar does not cover this date" in page.text
    assert "(crossfin calendar load FILE) or upgrade the calendar package" in page.text
    assert "no official working-day calendar for 2027" in page.text  # the detail


def test_the_api_answers_a_problem_naming_the_year_and_the_fix(
    app: FastAPI, client: TestClient
) -> None:
    def deadline() -> None:
        due(Clock(date(2026, 12, 4), limit=20), PACKAGE)

    app.add_api_route("/v1/deadline-probe", deadline, include_in_schema=False)
    answer = client.get("/v1/deadline-probe")
    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["type"] == "https://crossfin.dev/problems/calendar-out-of-range"
    assert problem["year"] == 2027
    assert "`crossfin calendar load FILE`" in problem["detail"]

"""Browser tests: the app under a real uvicorn, and a Playwright page on Debian's chromium.

In a test module:

    from support.browser import BROWSER_MARKS, browser_page, live_server  # noqa: F401
    pytestmark = BROWSER_MARKS

    def test_something(browser_page, live_server, db): ...

Set CROSSFIN_SCREENSHOT_DIR to keep screenshots taken with `screenshot(page, name)`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from support.server import serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium "
        "(as root: apt-get update && apt-get install -y chromium)",
    ),
]


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[str]:
    """The test app served by a real uvicorn on a free loopback port, in a thread."""
    with serve(app) as url:
        yield url


@pytest.fixture
def browser_page() -> Iterator[Any]:
    """A fresh chromium tab (English locale, 1280x900); `page.problems` collects JS errors."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        # CSP violations and script errors show up here; pages should have none.
        page.problems = []
        page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: page.problems.append(str(exc)))
        try:
            yield page
        finally:
            context.close()
            browser.close()


def screenshot(page: Any, name: str) -> None:
    """Save a full-page screenshot when CROSSFIN_SCREENSHOT_DIR is set (never commit them)."""
    folder = os.environ.get("CROSSFIN_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

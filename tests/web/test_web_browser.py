"""End to end in a real browser: Playwright driving Debian's chromium against uvicorn.

Set CROSSFIN_SCREENSHOT_DIR to keep screenshots of the pages visited (never commit them).
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from crossfin.core.settings import Settings
from crossfin.core.uow import Database
from crossfin.parties.models import Organization, OrgKind
from support.parties import make_party
from support.web import PASSWORD, party_user

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian's chromium at /usr/bin/chromium "
                              "(apt-get install -y chromium)"),
]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.checkpoint_interval = 0.2  # the real background signer, at a brisk cadence
    return settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(app: FastAPI) -> Iterator[str]:
    """The app served by a real uvicorn on a free loopback port, in a thread."""
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=15)


@pytest.fixture
def page(server: str):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        tab = context.new_page()
        try:
            yield tab
        finally:
            context.close()
            browser.close()


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = os.environ.get("CROSSFIN_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _log_in(page, server: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/")
    page.wait_for_url(re.compile(r"/login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(server + "/")


def test_login_home_language_and_ledger(page, server: str, db: Database) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    org_id, username = party_user(db, OrgKind.BANK, jurisdiction="440300")
    with db.session(readonly=True) as session:
        org_name = session.get_one(Organization, org_id).name
    _log_in(page, server, username)
    expect(page.locator("[data-test=org-name]")).to_have_text(org_name)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    _shot(page, "home-en")

    page.click("[data-test=lang-zh]")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_text("本单位信息")).to_be_visible()
    page.reload()  # the choice persists (cookie), whatever the browser's locale says
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    _shot(page, "home-zh")
    page.click("[data-test=lang-en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.click("nav.mainnav a[href='/ledger']")
    page.wait_for_url(server + "/ledger")
    expect(page.locator("[data-test=head-size]")).to_be_visible()
    # The background checkpointer signs within moments; then the receipt can be checked.
    deadline = time.monotonic() + 15
    while True:
        page.goto(server + "/ledger?index=0")
        if page.locator("[data-test=bundle]").input_value().startswith("c2sp.org/tlog-proof@v1"):
            break
        assert time.monotonic() < deadline, "no checkpoint was signed"
        time.sleep(0.3)
    expect(page.locator("[data-test=size-chart]")).to_be_visible()
    page.click("[data-test=verify]")  # an htmx post: the result swaps in place
    expect(page.locator("[data-test=verify-ok]")).to_be_visible()
    assert page.url == server + "/ledger?index=0"
    _shot(page, "ledger-ok")

    page.fill("[data-test=leaf-hash]", "00" * 32)
    page.click("[data-test=verify]")
    expect(page.locator("[data-test=verify-bad]")).to_be_visible()

    page.click("[data-test=logout]")
    page.wait_for_url(re.compile(r"/login$"))
    page.goto(server + "/")
    page.wait_for_url(re.compile(r"/login"))


def test_wrong_password_in_the_browser(page, server: str, db: Database) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    _, username = party_user(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    make_party(db, OrgKind.REGULATOR, jurisdiction="440000")
    page.goto(server + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "not-the-password")
    page.click("form[action='/login'] button[type=submit]")
    expect(page.locator("[data-test=login-error]")).to_have_text("Wrong username or password.")
    _shot(page, "login-failed")

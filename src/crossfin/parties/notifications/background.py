"""The server's mail sender: a thread calling `deliver_pending` every `mail_send_seconds`,
for the app's lifetime, when SMTP is configured (docs/notifications.md)."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from crossfin.core.db import Database
from crossfin.core.http.deps import database_of, settings_of
from crossfin.core.settings import Settings
from crossfin.parties.notifications.mail import configured, deliver_pending

log = logging.getLogger("crossfin.notifications")


class MailSender:
    """Sends the outbox every `interval` seconds until stopped; errors are logged, not fatal."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db, self.settings = db, settings
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mail-sender", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.settings.smtp_timeout_seconds + 5)

    def _run(self) -> None:
        while not self._stop.wait(self.settings.mail_send_seconds):
            try:
                deliver_pending(self.db, self.settings)
            except Exception:
                log.exception("notification mail round failed")


def sender_for(db: Database, settings: Settings) -> MailSender | None:
    """A sender when SMTP is configured and `mail_send_seconds` > 0, else None."""
    if not configured(settings) or settings.mail_send_seconds <= 0:
        return None
    return MailSender(db, settings)


@asynccontextmanager
async def sender_lifespan(app: Any) -> AsyncIterator[None]:
    """Run a MailSender while the app serves (the notifications router's lifespan)."""
    sender = sender_for(database_of(app), settings_of(app))
    if sender:
        sender.start()
    try:
        yield
    finally:
        if sender:
            sender.stop()

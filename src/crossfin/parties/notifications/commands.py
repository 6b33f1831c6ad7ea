"""`crossfin notifications send`: deliver the queued notification mail now."""

from __future__ import annotations

from typing import Annotated

import typer

from crossfin.ledger.cli import database, domain_errors, emit, fail, settings
from crossfin.parties.notifications.mail import configured, deliver_pending, retry_given_up

notifications_app = typer.Typer(help="Notifications: the e-mail outbox.", no_args_is_help=True)


@notifications_app.command("send")
@domain_errors
def send(
    retry: Annotated[
        bool, typer.Option("--retry", help="First make given-up mail due again.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Send every due mail through the configured SMTP server (CROSSFIN_SMTP_*)."""
    config = settings()
    if not configured(config):
        fail(
            "no SMTP server configured (CROSSFIN_SMTP_HOST and CROSSFIN_SMTP_FROM): "
            "mail stays queued"
        )
    with database() as db:
        requeued = retry_given_up(db) if retry else 0
        counts = deliver_pending(db, config)
    data = {
        "sent": counts.sent,
        "failed": counts.failed,
        "gave_up": counts.gave_up,
        "requeued": requeued,
    }
    human = f"sent {counts.sent}, failed {counts.failed} (retried later), gave up {counts.gave_up}"
    emit(data, as_json, human)
    if counts.failed or counts.gave_up:
        raise typer.Exit(1)

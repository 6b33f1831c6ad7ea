"""The `crossfin` command: one group per domain."""

from __future__ import annotations

import typer

from crossfin.assembly import assemble
from crossfin.cli import admin
from crossfin.documents.access import commands as access_commands
from crossfin.documents.ebl import commands as ebl_commands
from crossfin.documents.ingest import commands as documents_commands
from crossfin.documents.openattestation import commands as oa_commands
from crossfin.filings import commands as filings_commands
from crossfin.filings.calendar import commands as calendar_commands
from crossfin.financing import commands as financing_commands
from crossfin.financing.caps import commands as caps_commands
from crossfin.ledger import commands as ledger_commands
from crossfin.ops import commands as ops_commands
from crossfin.parties import commands as parties
from crossfin.parties.classes import commands as classes_commands
from crossfin.parties.divisions import commands as jurisdiction_commands
from crossfin.parties.notifications import commands as notifications_commands
from crossfin.payments import commands as payments_commands
from crossfin.supervision import commands as supervision_commands
from crossfin.supervision.stats import commands as stats_commands

# The domains' reactions and views, handed to the floors below (`crossfin log audit` checks
# every domain's business rows against the log; security events are stored).
assemble()

app = typer.Typer(
    help="crossfin: cross-border financial service platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command()(admin.init)
app.command()(admin.demo)
app.command()(admin.serve)
app.add_typer(parties.org_app, name="org")
app.add_typer(parties.user_app, name="user")
app.add_typer(parties.api_key_app, name="api-key")
app.add_typer(jurisdiction_commands.jurisdictions_app, name="jurisdictions")
app.add_typer(classes_commands.classes_app, name="classes")
app.add_typer(ledger_commands.log_app, name="log")
# `crossfin audit`: the same audit as `crossfin log audit` (log and business rows).
app.command("audit")(ledger_commands.audit)
app.add_typer(ledger_commands.verify_app, name="verify")
app.add_typer(ledger_commands.witness_app, name="witness")
app.add_typer(documents_commands.documents_app, name="documents")
app.add_typer(documents_commands.source_key_app, name="source-key")
documents_commands.documents_app.command("verify")(access_commands.verify)
documents_commands.documents_app.command("manifest")(access_commands.manifest)
documents_commands.documents_app.add_typer(oa_commands.oa_app, name="oa")
documents_commands.documents_app.add_typer(ebl_commands.ebl_app, name="ebl")
app.add_typer(access_commands.consent_app, name="consent")
app.add_typer(financing_commands.financing_app, name="financing")
app.add_typer(caps_commands.scenarios_app, name="scenarios")
app.add_typer(payments_commands.payments_app, name="payments")
app.add_typer(ops_commands.ops_app, name="ops")
app.add_typer(supervision_commands.alerts_app, name="alerts")
app.add_typer(stats_commands.stats_app, name="stats")
app.add_typer(calendar_commands.calendar_app, name="calendar")
app.add_typer(filings_commands.filings_app, name="filings")
app.add_typer(notifications_commands.notifications_app, name="notifications")

if __name__ == "__main__":  # `python -m crossfin.cli.main ...`, as the installed script
    app()

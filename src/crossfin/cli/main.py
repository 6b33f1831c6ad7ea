"""The `crossfin` command: one group per domain."""

from __future__ import annotations

import typer

from crossfin.cli import admin, parties

app = typer.Typer(help="crossfin: cross-border financial service platform.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.command()(admin.init)
app.command()(admin.demo)
app.command()(admin.serve)
app.add_typer(parties.org_app, name="org")
app.add_typer(parties.user_app, name="user")
app.add_typer(parties.key_app, name="key")


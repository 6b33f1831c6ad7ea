"""`crossfin alerts sweep | rules`: the sweep-evaluated alert rules, and the rules in force."""

from __future__ import annotations

from typing import Annotated

import typer

from crossfin.ledger.cli import database, emit

alerts_app = typer.Typer(
    help="Supervision: alert sweeps and the rules in force.", no_args_is_help=True
)


@alerts_app.command("sweep")
def sweep(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Judge every firm's monthly volume against its history now (cron-friendly, idempotent)."""
    from crossfin.supervision.volume import sweep as volume_sweep

    with database() as db:
        raised = volume_sweep(db)
    emit(
        {"monthly_volume_alerts": raised}, as_json, f"{len(raised)} monthly-volume alert(s) raised"
    )


@alerts_app.command("rules")
def rules(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The alert rules in force: every kind's default (v0) and each subtree's newest version."""
    from crossfin.parties.alert_rules import rules_in_force

    with database() as db, db.session(readonly=True) as session:
        found = [{**r.public(), "enabled": r.enabled} for r in rules_in_force(session)]
    lines = [
        f"{r['kind']:32} {r['scope']} v{r['version']} {'on ' if r['enabled'] else 'off'} "
        f"{r['params']}"
        for r in found
    ]
    emit({"rules": found}, as_json, "\n".join(lines))

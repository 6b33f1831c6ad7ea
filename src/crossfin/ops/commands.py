"""`crossfin ops`: the failover drill, backup and restore (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ops_app = typer.Typer(help="Operations: the failover drill, backup and restore.",
                      no_args_is_help=True)


@ops_app.command("drill-failover")
def drill_failover(
    pg_bin: Annotated[Path | None, typer.Option(
        help="Directory of initdb, pg_ctl, pg_basebackup, pg_rewind (default: found).")] = None,
    before: Annotated[float, typer.Option(help="Seconds of storm before the stop.")] = 8.0,
    after: Annotated[float, typer.Option(
        help="Seconds of storm on the promoted node.")] = 8.0,
    clients: Annotated[int, typer.Option(help="Concurrent storm clients.")] = 12,
    workers: Annotated[int, typer.Option(help="API worker processes.")] = 1,
    timeout: Annotated[float, typer.Option(help="Bound on the whole drill, seconds.")] = 170.0,
    keep: Annotated[bool, typer.Option(
        "--keep", help="Keep the work directory (servers are stopped anyway).")] = False,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Progress on stderr, one JSON object on stdout.")] = False,
) -> None:
    """Lose the primary under a registration storm; check RPO, RTO, audit, witness, rejoin."""
    from crossfin.ops.drill import DrillOptions, as_json as to_json, run_drill, summary

    if clients < 1 or workers < 1 or before <= 0 or after <= 0:
        typer.echo("error: --clients and --workers must be at least 1, --before and --after "
                   "positive", err=True)
        raise typer.Exit(2)
    options = DrillOptions(pg_bin=pg_bin, before=before, after=after, clients=clients,
                           workers=workers, timeout=timeout, keep=keep)
    result = run_drill(options, lambda line: typer.echo(line, err=as_json))
    typer.echo(summary(result), err=as_json)
    if as_json:
        typer.echo(to_json(result))
    if not result.ok:
        raise typer.Exit(1)

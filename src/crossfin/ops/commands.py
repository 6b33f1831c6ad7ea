"""`crossfin ops`: the failover drill, backup and restore (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ops_app = typer.Typer(
    help="Operations: the failover drill, backup and restore.", no_args_is_help=True
)


@ops_app.command("drill-failover")
def drill_failover(
    pg_bin: Annotated[
        Path | None,
        typer.Option(
            help="Directory of initdb, pg_ctl, pg_basebackup, pg_rewind (default: found)."
        ),
    ] = None,
    before: Annotated[float, typer.Option(help="Seconds of storm before the stop.")] = 8.0,
    after: Annotated[float, typer.Option(help="Seconds of storm on the promoted node.")] = 8.0,
    clients: Annotated[int, typer.Option(help="Concurrent storm clients.")] = 12,
    workers: Annotated[int, typer.Option(help="API worker processes.")] = 1,
    timeout: Annotated[float, typer.Option(help="Bound on the whole drill, seconds.")] = 170.0,
    keep: Annotated[
        bool, typer.Option("--keep", help="Keep the work directory (servers are stopped anyway).")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Progress on stderr, one JSON object on stdout.")
    ] = False,
) -> None:
    """Lose the primary under a registration storm; check RPO, RTO, audit, witness, rejoin."""
    from crossfin.ops.drill import DrillOptions, run_drill, summary
    from crossfin.ops.drill import as_json as to_json

    if clients < 1 or workers < 1 or before <= 0 or after <= 0:
        typer.echo(
            "error: --clients and --workers must be at least 1, --before and --after positive",
            err=True,
        )
        raise typer.Exit(2)
    options = DrillOptions(
        pg_bin=pg_bin,
        before=before,
        after=after,
        clients=clients,
        workers=workers,
        timeout=timeout,
        keep=keep,
    )
    result = run_drill(options, lambda line: typer.echo(line, err=as_json))
    typer.echo(summary(result), err=as_json)
    if as_json:
        typer.echo(to_json(result))
    if not result.ok:
        raise typer.Exit(1)


@ops_app.command("backup")
def backup(
    directory: Annotated[Path, typer.Argument(help="A new or empty directory for the backup.")],
    pg_bin: Annotated[
        Path | None, typer.Option(help="Directory of pg_dump (default: the newest found).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Back up the database and the data directory's keys (log key, platform secret, ...)."""
    from crossfin.ledger.cli import emit, fail, settings
    from crossfin.ops.backup import BackupError
    from crossfin.ops.backup import backup as write_backup
    from crossfin.ops.postgres import PostgresUnavailable

    try:
        manifest = write_backup(settings(), directory, pg_bin=pg_bin)
    except (BackupError, PostgresUnavailable, OSError) as exc:
        fail(str(exc))
        return
    ledger = manifest["ledger"]
    emit(
        {"directory": str(directory)} | manifest,
        as_json,
        f"backup written to {directory} (0700): {manifest['database']['file']}, "
        f"{', '.join(k for k in manifest['files'] if k.startswith('data/'))}, manifest.json; "
        f"the log has {ledger['size']} "
        f"leaves, root {ledger['root']}. Keep the log key offline as well "
        "(docs/operations.md, key custody).",
    )


@ops_app.command("restore")
def restore(
    directory: Annotated[Path, typer.Argument(help="A directory written by `ops backup`.")],
    pg_bin: Annotated[
        Path | None, typer.Option(help="Directory of pg_restore (default: the newest found).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Restore a backup into an empty database and the data directory, then audit the log
    and the business rows."""
    from crossfin.ledger.cli import emit, fail, settings
    from crossfin.ops.backup import BackupError
    from crossfin.ops.backup import restore as read_backup
    from crossfin.ops.postgres import PostgresUnavailable

    try:
        done = read_backup(settings(), directory, pg_bin=pg_bin)
    except (BackupError, PostgresUnavailable, OSError) as exc:
        fail(str(exc))
        return
    audit = done.audit
    emit(
        {
            "ok": done.ok,
            "database": done.database,
            "size": done.size,
            "root": done.root,
            "keys": done.keys,
            "head_matches_manifest": done.head_matches,
            "audit": audit.as_dict(),
            "state": done.state.as_dict() if done.state is not None else None,
        },
        as_json,
        (
            f"restored into {done.database}; keys: "
            + ", ".join(f"{k} {v}" for k, v in done.keys.items())
            + (
                f"; audit ok: {audit.size} leaves re-hashed, {audit.checkpoints} checkpoint(s) "
                f"verified"
                if audit.ok
                else f"; AUDIT FAILED: first bad index "
                f"{audit.first_bad_index}: {audit.problems[:3]}"
            )
            + ("" if done.head_matches else "; the head differs from the manifest's")
            + (
                ""
                if done.state is None
                else f"; business rows: {done.state.committed} committed, "
                f"{len(done.state.divergent)} divergent"
            )
        ),
    )
    if not done.ok:
        raise typer.Exit(1)

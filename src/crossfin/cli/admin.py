"""`crossfin init | demo | serve`: setting up and running the platform."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from crossfin.core.settings import mask_url
from crossfin.ledger.cli import CLI_ACTOR, database, emit, fail, settings
from crossfin.ledger.uow import UnitOfWork


def init(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Create or migrate the database and create missing keys (idempotent)."""
    from crossfin.ops.setup import initialise

    conf = settings()
    with database() as db:
        done = initialise(conf, db)
    emit(
        {
            "database": mask_url(conf.database_url),
            "jurisdictions_added": done.jurisdictions_added,
            "log_key_created": done.log_key_created,
            "secret_created": done.secret_created,
            "idempotency_records_purged": done.idempotency_records_purged,
            "statistics_cells_filled": done.statistics_cells_filled,
            "data_dir": str(conf.data_dir),
        },
        as_json,
        f"database ready ({mask_url(conf.database_url)}); {done.jurisdictions_added} "
        f"jurisdictions added; log key {'created' if done.log_key_created else 'kept'}",
    )


def demo(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Load the deterministic demo dataset (idempotent) and print the demo logins."""
    from crossfin.demo.dataset import demo_users
    from crossfin.demo.loader import load_demo

    conf = settings()
    with database() as db, UnitOfWork(db, CLI_ACTOR) as uow:
        result = load_demo(uow, conf.data_dir)
        uow.commit()
    with database() as db:
        from crossfin.demo.payments import draw_p1_sample

        draw_p1_sample(db, conf)
    keys_file = _save_demo_keys(conf.data_dir, result.keys)
    logins = [
        {"username": u.username, "password": u.password, "role": u.role} for u in demo_users()
    ]
    if as_json:
        emit(
            {
                "orgs_added": result.orgs_added,
                "users_added": result.users_added,
                "documents_added": result.documents_added,
                "consents_added": result.consents_added,
                "financings_added": result.financings_added,
                "payments_added": result.payments_added,
                "offshore_checks_added": result.offshore_checks_added,
                "needs_added": result.needs_added,
                "credit_queries_added": result.credit_queries_added,
                "classes_added": result.classes_added,
                "alerts_added": result.alerts_added,
                "keys_file": str(keys_file),
                "logins": logins,
            },
            True,
            "",
        )
        return
    typer.echo(
        f"demo data added: {result.orgs_added} organizations, {result.users_added} "
        f"users, {result.documents_added} documents, {result.consents_added} consents, "
        f"{result.financings_added} financings, {result.needs_added} financing needs, "
        f"{result.payments_added} payments, {result.offshore_checks_added} offshore checks, "
        f"{result.classes_added} class changes, {result.alerts_added} alerts; "
        f"API keys of service accounts in {keys_file}"
    )
    _print_logins(logins)


def _save_demo_keys(data_dir: Path, new_keys: dict[str, str]) -> Path:
    """Merge newly issued demo keys into data_dir/demo-keys.json (0600)."""
    path = data_dir / "demo-keys.json"
    current = json.loads(path.read_text()) if path.exists() else {}
    current.update(new_keys)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(current, handle, indent=2, sort_keys=True)
    os.replace(tmp, path)
    return path


# One login per kind of party, for the tour; `crossfin demo --json` lists them all.
TOUR_LOGINS = (
    "operator.admin",
    "bank1.operator",
    "bank1.approver",
    "safe-gd.admin",
    "safe-sz.analyst",
    "customs-sz.officer",
    "tax-sz.officer",
    "insurer.underwriter",
    "carrier.clerk",
    "lotus.admin",
)


def _print_logins(logins: list[dict[str, str]]) -> None:
    by_name = {x["username"]: x for x in logins}
    typer.echo("demo logins (every one: `crossfin demo --json`):")
    for name in TOUR_LOGINS:
        if name in by_name:
            login = by_name[name]
            typer.echo(f"  {name:<22} password {login['password']:<28} ({login['role']})")


def serve(
    host: Annotated[str | None, typer.Option(help="Bind address.")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port.")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (PostgreSQL).")] = 1,
) -> None:
    """Serve the API and the portal."""
    import uvicorn

    conf = settings()
    host = host if host is not None else conf.host
    port = port if port is not None else conf.port
    if workers < 1:
        fail("--workers must be at least 1")
    if workers == 1:
        uvicorn.run(
            "crossfin.api.asgi:app",
            factory=True,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
        )
        return
    _serve_workers(host, port, workers, conf.log_level)


def _serve_workers(host: str, port: int, workers: int, log_level: str) -> None:
    """Several worker processes, each with its own socket (see crossfin/api/workers.py)."""
    from crossfin.api.workers import Supervisor
    from crossfin.core.logging import configure_logging

    if port == 0:
        fail("several workers need a fixed --port, not 0")
    configure_logging(log_level)
    try:
        status = Supervisor(host, port, workers).run()
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    raise typer.Exit(status)

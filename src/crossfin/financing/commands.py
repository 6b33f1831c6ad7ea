"""`crossfin financing apply | expire | fx-load`: bulk applications, sweeps, FX table."""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import httpx
import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from crossfin.core.jsonsafe import MAX_DEPTH, depth
from crossfin.ledger.cli import (
    DEFAULT_SERVER,
    KeyOpt,
    ServerOpt,
    database,
    domain_errors,
    emit,
    fail,
    unit_of_work,
)

if TYPE_CHECKING:
    from rich.console import Console

financing_app = typer.Typer(
    help="Financing: bulk applications, sweeps, FX rates.", no_args_is_help=True
)


def _lines(path: Path) -> list[tuple[int, str]]:
    """(line number, text) of every non-blank line."""
    text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    return [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


def _idempotency_key(line: str) -> str:
    # The same line sent again (a re-run after an interruption) replays, never duplicates.
    return "apply-" + hashlib.sha256(line.strip().encode()).hexdigest()[:48]


def _send(client: httpx.Client, number: int, line: str) -> dict[str, Any]:
    if depth(line) > MAX_DEPTH:
        return {
            "line": number,
            "status": 0,
            "error": f"JSON nested more than {MAX_DEPTH} levels deep",
        }
    try:
        body = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"line": number, "status": 0, "error": f"not JSON: {exc.msg}"}
    try:
        res = client.post(
            "/v1/financings", json=body, headers={"Idempotency-Key": _idempotency_key(line)}
        )
    except httpx.HTTPError as exc:
        return {"line": number, "status": 0, "error": f"transport: {exc}"}
    data = res.json() if res.headers.get("content-type", "").endswith("json") else {}
    result: dict[str, Any] = {
        "line": number,
        "status": res.status_code,
        "external_ref": body.get("external_ref") if isinstance(body, dict) else None,
    }
    if res.is_success:
        result |= {
            "id": data.get("id"),
            "state": data.get("state"),
            "replayed": res.headers.get("idempotent-replayed") == "true",
        }
    else:
        result |= {
            "type": str(data.get("type", "")).rsplit("/", 1)[-1],
            "detail": data.get("detail"),
            "errors": data.get("errors"),
        }
        result = {k: v for k, v in result.items() if v is not None}
    return result


@financing_app.command("apply")
def apply(
    file: Annotated[
        Path,
        typer.Argument(
            help="JSON Lines: one application per line "
            "(the body of POST /v1/financings); - for stdin."
        ),
    ],
    server: ServerOpt = DEFAULT_SERVER,
    api_key: KeyOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write per-line results here (JSON Lines) instead of stdout."),
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=32, help="Requests in flight.")] = 4,
) -> None:
    """Register many financing applications; one result line per input line.

    Each line is sent with an Idempotency-Key derived from its content, so running the
    same file again after an interruption creates nothing twice. Exit status 1 if any line
    was not accepted.
    """
    if not api_key:
        fail("give --api-key or set CROSSFIN_API_KEY")
    if str(file) != "-" and not file.exists():
        fail(f"no such file: {file}")
    lines = _lines(file)
    results = _run(server, str(api_key), lines, concurrency)
    sink = out.open("w", encoding="utf-8") if out else sys.stdout
    try:
        for result in sorted(results, key=lambda r: r["line"]):
            sink.write(json.dumps(result, ensure_ascii=False) + "\n")
    finally:
        if out:
            sink.close()
    accepted = sum(1 for r in results if 200 <= r["status"] < 300)
    typer.echo(f"{accepted} of {len(results)} applications accepted", err=True)
    if accepted != len(results):
        raise typer.Exit(1)


def _run(
    server: str, api_key: str, lines: list[tuple[int, str]], concurrency: int
) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {api_key}"}
    columns = (TextColumn("applications"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    results: list[dict[str, Any]] = []
    with (
        httpx.Client(base_url=server.rstrip("/"), headers=headers, timeout=60) as client,
        Progress(*columns, transient=False, console=_stderr()) as progress,
        ThreadPoolExecutor(concurrency) as pool,
    ):
        task = progress.add_task("apply", total=len(lines))
        for result in pool.map(lambda item: _send(client, *item), lines):
            results.append(result)
            progress.advance(task)
    return results


def _stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True)


@financing_app.command("expire")
def expire(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Expire lapsed reservations and flag overdue loans now (cron-friendly)."""
    from crossfin.financing.sweeps import sweep

    with database() as db:
        result = sweep(db)
    emit(
        {"expired": result.expired, "overdue": result.overdue},
        as_json,
        f"{len(result.expired)} reservations expired, {len(result.overdue)} loans overdue",
    )


@financing_app.command("fx-load")
@domain_errors
def fx_load(
    file: Annotated[
        Path,
        typer.Argument(help="CSV with a header: date,pair,rate (e.g. 2026-11-26,USD/CNY,7.1123)."),
    ],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Load daily FX rates into the configured table (replaces same date and pair)."""
    from crossfin.documents.fx import RateRow

    rows = []
    with file.open(newline="", encoding="utf-8") as handle:
        for n, row in enumerate(csv.DictReader(handle), 2):
            try:
                base, _, quote = row["pair"].strip().partition("/")
                rows.append(
                    RateRow(
                        date.fromisoformat(row["date"].strip()), base, quote, row["rate"].strip()
                    )
                )
            except (KeyError, ValueError, AttributeError) as exc:
                fail(f"line {n}: {exc}")
    from crossfin.documents.fx import load_rates

    with unit_of_work() as uow:
        count, receipt = load_rates(uow, rows)
        uow.commit()
    emit({"loaded": count, "receipt": receipt.as_dict()}, as_json, f"{count} rates loaded")

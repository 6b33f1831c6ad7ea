"""`crossfin classes set | import`: HTTP clients of the class routes, with a regulator's key.

Both run the one use case on the server, so the caller's authority is checked as for the
API and the portal: `set` finds the enterprise by its USCC among the organizations the
key may see and classifies it; `import` sends the whole file in one request (the import
applies every valid row in one transaction) and writes the row-by-row report as CSV.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from crossfin.core.errors import CrossfinError
from crossfin.ledger.cli import DEFAULT_SERVER, KeyOpt, ServerOpt, emit, fail

classes_app = typer.Typer(
    help="Enterprise classes (A/B/C): classify one firm, import an annual result.",
    no_args_is_help=True,
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _client(server: str, api_key: str | None) -> httpx.Client:
    if not api_key:
        fail("give --api-key or set CROSSFIN_API_KEY (a regulator's key)")
    return httpx.Client(
        base_url=server.rstrip("/"), headers={"Authorization": f"Bearer {api_key}"}, timeout=300
    )


def _problem(res: httpx.Response) -> str:
    if "json" not in res.headers.get("content-type", ""):
        return f"HTTP {res.status_code}"
    body = res.json()
    errors = "; ".join(f"{e.get('field')}: {e.get('reason')}" for e in body.get("errors", []))
    return f"HTTP {res.status_code}: {body.get('detail')}" + (f" ({errors})" if errors else "")


@classes_app.command("set")
def set_class(
    uscc: Annotated[str, typer.Argument(help="The enterprise's USCC.")],
    trade_class: Annotated[str, typer.Argument(metavar="CLASS", help="A, B or C.")],
    reason: Annotated[str, typer.Option(help="Why (required).")],
    effective: Annotated[
        str | None, typer.Option(help="From when, YYYY-MM-DD (default: today, UTC+8).")
    ] = None,
    period: Annotated[
        str | None, typer.Option(help='The evaluation period: "2025" or "2025-01-01/2025-12-31".')
    ] = None,
    server: ServerOpt = DEFAULT_SERVER,
    api_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Classify one enterprise (a regulator over it); prints the new history row."""
    body: dict[str, Any] = {"trade_class": trade_class.strip().upper(), "reason": reason}
    if effective:
        body["effective_from"] = effective
    if period:
        body["period"] = period
    with _client(server, api_key) as client:
        found = client.get("/v1/orgs", params={"uscc": uscc, "kind": "enterprise"})
        if found.status_code != 200:
            fail(_problem(found))
        if not found.json():
            fail(f"no enterprise {uscc} among the organizations this key may see")
        org_id = found.json()[0]["id"]
        res = client.post(f"/v1/orgs/{org_id}/classes", json=body)
    if res.status_code != 201:
        fail(_problem(res))
    row = res.json()
    emit(
        row,
        as_json,
        f"{uscc}: class {row['trade_class']} from {row['effective_from']} "
        f"(history row {row['id']}, event {row['receipt']['event_id']})",
    )


@classes_app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="CSV: uscc,class,effective_from,period,reason.")],
    out: Annotated[
        Path | None, typer.Option(help="Write the row-by-row results (CSV) here.")
    ] = None,
    server: ServerOpt = DEFAULT_SERVER,
    api_key: KeyOpt = None,
) -> None:
    """Import an annual classification result; one result row per file row.

    Valid rows are applied together, the others reported. Exit status 1 if any row was
    rejected. The same file again answers its first report and records nothing.
    """
    from crossfin.parties.classes.imports import read_rows

    if not file.exists():
        fail(f"no such file: {file}")
    content = file.read_bytes()
    try:
        total = len(read_rows(content))  # the server's own checks, before sending
    except CrossfinError as exc:
        fail(exc.detail)
    key = "classes-import-" + hashlib.sha256(content).hexdigest()[:48]
    columns = (TextColumn("rows"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with (
        _client(server, api_key) as client,
        Progress(*columns, console=Console(stderr=True)) as bar,
    ):
        task = bar.add_task("import", total=total)
        res = client.post(
            "/v1/classes/import?results=csv",
            content=content,
            headers={"Content-Type": "text/csv", "Idempotency-Key": key},
        )
        bar.advance(task, total)
    if res.status_code != 200:
        fail(_problem(res))
    if out:
        out.write_text(res.text, encoding="utf-8")
    else:
        typer.echo(res.text, nl=False)
    rows = csv.DictReader(io.StringIO(res.text))
    rejected = sum(1 for row in rows if row["outcome"] != "applied")
    typer.echo(f"{total - rejected} of {total} rows applied", err=True)
    if rejected:
        raise typer.Exit(1)

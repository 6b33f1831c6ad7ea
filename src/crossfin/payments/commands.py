"""`crossfin payments apply | gates | scope | threshold`: bulk template uploads, the class
gate table, scenario scopes, the documents threshold (P2).

`apply` is an HTTP client of `POST /v1/payments/uploads` (the one upload function runs on
the server): the template is read here with the same reader, sent in parts of `--part`
rows (each a CSV template of its own, with an Idempotency-Key from its content, so a
re-run after an interruption creates nothing twice), with a progress bar, and the
row-by-row results are written as one CSV file numbered by the original rows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from base64 import b64encode
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import httpx
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from crossfin.core.errors import CrossfinError
from crossfin.ledger.cli import (
    DEFAULT_SERVER,
    KeyOpt,
    ServerOpt,
    domain_errors,
    emit,
    fail,
    unit_of_work,
)

if TYPE_CHECKING:
    from rich.console import Console

payments_app = typer.Typer(
    help="Payments: P3 template uploads, class gates, scenario scopes, thresholds.",
    no_args_is_help=True,
)
gates_app = typer.Typer(help="The class gate table (what classes A/B/C get).", no_args_is_help=True)
payments_app.add_typer(gates_app, name="gates")


def _parts(file: Path, size: int) -> tuple[list[str], list[list[tuple[int, dict[str, str]]]]]:
    """The template's header and its rows (with their row numbers), in parts."""
    from crossfin.payments import template

    fmt = template.format_of(file.name, None)
    try:
        rows = template.read_rows(file.read_bytes(), fmt)
    except CrossfinError as exc:
        fail(exc.detail)
    header = [c for c in template.COLUMNS if any(c in r.cells for r in rows)]
    items = [(r.number, r.cells) for r in rows]
    return header, [items[i : i + size] for i in range(0, len(items), size)]


def _as_csv(header: list[str], part: list[tuple[int, dict[str, str]]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for _, cells in part:
        writer.writerow([cells.get(c, "") for c in header])
    return out.getvalue().encode()


def _send(
    client: httpx.Client, header: list[str], part: list[tuple[int, dict[str, str]]]
) -> list[dict[str, Any]]:
    body = _as_csv(header, part)
    key = "payments-apply-" + hashlib.sha256(body).hexdigest()[:48]
    numbers = [n for n, _ in part]
    try:
        res = client.post(
            "/v1/payments/uploads?format=csv",
            content=body,
            headers={"Content-Type": "text/csv", "Idempotency-Key": key},
        )
    except httpx.HTTPError as exc:
        return [_failed(n, cells, 0, f"transport: {exc}") for n, cells in part]
    if res.status_code != 200:
        detail = res.json().get("detail") if "json" in res.headers.get("content-type", "") else ""
        return [_failed(n, cells, res.status_code, str(detail)) for n, cells in part]
    results = res.json()["results"]
    for result in results:  # the server numbers rows within the part (header = 1)
        result["row"] = numbers[result["row"] - 2]
    return list(results)


def _failed(number: int, cells: dict[str, str], status: int, detail: str) -> dict[str, Any]:
    return {
        "row": number,
        "external_ref": cells.get("external_ref"),
        "invoice": cells.get("invoice_no"),
        "outcome": "failed",
        "status": status,
        "problem": None,
        "detail": detail,
        "payment_id": None,
    }


@payments_app.command("apply")
def apply(
    file: Annotated[Path, typer.Argument(help="The P3 template: a .csv or .xlsx file.")],
    server: ServerOpt = DEFAULT_SERVER,
    api_key: KeyOpt = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the row-by-row results (CSV) here.")
    ] = None,
    part: Annotated[int, typer.Option(min=1, max=10_000, help="Rows per request.")] = 1000,
) -> None:
    """Submit a P3 template of freight invoices to pay; one result row per template row.

    Exit status 1 if any row was not submitted.
    """
    from crossfin.payments.template import RESULT_COLUMNS

    if not api_key:
        fail("give --api-key or set CROSSFIN_API_KEY")
    if not file.exists():
        fail(f"no such file: {file}")
    header, parts = _parts(file, part)
    total = sum(len(p) for p in parts)
    results: list[dict[str, Any]] = []
    columns = (TextColumn("rows"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with (
        httpx.Client(
            base_url=server.rstrip("/"), headers={"Authorization": f"Bearer {api_key}"}, timeout=300
        ) as client,
        Progress(*columns, console=_stderr()) as progress,
    ):
        task = progress.add_task("apply", total=total)
        for chunk in parts:
            results += _send(client, header, chunk)
            progress.advance(task, len(chunk))
    target = out.open("w", encoding="utf-8", newline="") if out else None
    try:
        writer = csv.writer(target or typer.get_text_stream("stdout"), lineterminator="\n")
        writer.writerow(RESULT_COLUMNS)
        for r in sorted(results, key=lambda r: r["row"]):
            writer.writerow(["" if r.get(c) is None else r[c] for c in RESULT_COLUMNS])
    finally:
        if target:
            target.close()
    submitted = sum(1 for r in results if r["outcome"] == "submitted")
    typer.echo(f"{submitted} of {total} rows submitted", err=True)
    if submitted != total:
        raise typer.Exit(1)


def _stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True)


@gates_app.command("show")
def gates_show(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Print the class gate table in force (version and rules)."""
    from crossfin.ledger.cli import database
    from crossfin.parties.gates import current_table

    with database() as db, db.session(readonly=True) as session:
        table = current_table(session)
    rules = {s: dict(r) for s, r in table.rules.items()}
    lines = [f"version {table.version}"] + [
        f"{s}: " + ", ".join(f"{c}={t}" for c, t in sorted(r.items()))
        for s, r in sorted(rules.items())
    ]
    emit({"version": table.version, "rules": rules}, as_json, "\n".join(lines))


@gates_app.command("set")
@domain_errors
def gates_set(
    scenario: Annotated[str, typer.Argument(help="P1..P4, F1, F4, F5 or F7.")],
    trade_class: Annotated[str, typer.Argument(help="A, B or C.")],
    treatment: Annotated[str, typer.Argument(help="facilitated, checked or refused.")],
    reason: Annotated[str, typer.Option(help="Why the gate changes (in the ledger event).")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Change one gate: a new version of the table, one ledger event (operator's machine)."""
    from crossfin.core.errors import invalid
    from crossfin.parties.gates import GateChange, Treatment, set_gates

    try:
        chosen = Treatment(treatment)
    except ValueError:
        raise invalid("treatment", "facilitated, checked or refused") from None
    with unit_of_work() as uow:
        table, receipt = set_gates(uow, None, [GateChange(scenario, trade_class, chosen)], reason)
        uow.commit()
    emit(
        {"version": table.version, "receipt": receipt.as_dict()},
        as_json,
        f"class gates v{table.version}: {scenario} x {trade_class} = {chosen.value}",
    )


@payments_app.command("scope")
@domain_errors
def scope_set(
    scenario: Annotated[str, typer.Argument(help="The payment scenario, e.g. P3.")],
    codes: Annotated[
        list[str] | None, typer.Argument(help="Jurisdiction codes (none: everywhere).")
    ] = None,
    reason: Annotated[str, typer.Option(help="Why (in the ledger event).")] = "",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Limit a payment scenario to payers seated in these subtrees (a new version)."""
    from crossfin.payments.scope import set_scope

    with unit_of_work() as uow:
        version, receipt = set_scope(uow, None, scenario, codes or [], reason)
        uow.commit()
    emit(
        {"scenario": scenario, "version": version, "receipt": receipt.as_dict()},
        as_json,
        f"{scenario} scope v{version}: {' '.join(codes or []) or 'everywhere'}",
    )


@payments_app.command("threshold")
@domain_errors
def threshold_set(
    scenario: Annotated[str, typer.Argument(help="The payment scenario with a threshold: P2.")],
    amount: Annotated[
        str | None, typer.Argument(help="USD equivalent; none: print the one in force.")
    ] = None,
    reason: Annotated[str, typer.Option(help="Why (in the ledger event).")] = "",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Print or change a scenario's documents threshold (a new version, one ledger event)."""
    from crossfin.core.errors import invalid
    from crossfin.payments.thresholds import current_thresholds, set_threshold

    if amount is None:
        from crossfin.ledger.cli import database

        with database() as db, db.session(readonly=True) as session:
            found = current_thresholds(session).get(scenario)
        if found is None:
            raise invalid("scenario", "this scenario has no threshold")
        data = {"scenario": scenario, "version": found.version, "usd": found.text}
        emit(data, as_json, f"{scenario} threshold v{found.version}: USD {found.text}")
        return
    with unit_of_work() as uow:
        found, receipt = set_threshold(uow, None, scenario, amount, reason)
        uow.commit()
    emit(
        {"scenario": scenario, "version": found.version, "usd": found.text}
        | {"receipt": receipt.as_dict()},
        as_json,
        f"{scenario} threshold v{found.version}: USD {found.text}",
    )


@payments_app.command("sample-rate")
@domain_errors
def sample_rate(
    rate_bp: Annotated[int, typer.Argument(help="Basis points of 10,000 (500 = 5 %).")],
    reason: Annotated[str, typer.Option(help="Why (in the ledger event).")] = "",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Set the P1 sample rate: a new version, one ledger event (operator's machine)."""
    from crossfin.payments.sampling import set_rate

    with unit_of_work() as uow:
        version, receipt = set_rate(uow, None, rate_bp, reason)
        uow.commit()
    emit(
        {"version": version, "rate_bp": rate_bp, "receipt": receipt.as_dict()},
        as_json,
        f"P1 sample rate v{version}: {rate_bp} / 10,000",
    )


@payments_app.command("draw-sample")
@domain_errors
def draw_sample(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Draw a P1 sample from the newest signed checkpoint with the witness quorum."""
    from crossfin.ledger.cli import settings
    from crossfin.payments.sampling import draw

    with unit_of_work() as uow:
        sample, receipt = draw(uow, None, settings().witness_quorum)
        uow.commit()
        data = {
            "id": sample.id,
            "checkpoint_size": sample.checkpoint_size,
            "rate_bp": sample.rate_bp,
            "selected": json.loads(sample.selected),
            "receipt": receipt.as_dict(),
        }
    emit(
        data,
        as_json,
        f"P1 sample {sample.id} of checkpoint {sample.checkpoint_size}: "
        f"{len(data['selected'])} selected {data['selected']}",
    )


@payments_app.command("sample")
def sample(
    checkpoint: Annotated[
        Path, typer.Option("--checkpoint", help="A signed checkpoint (C2SP signed note).")
    ],
    key: Annotated[
        str | None,
        typer.Option(help="The log's verifier key (or a file); default: from the log key."),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="Read the payments from this database."),
    ] = None,
    from_server: Annotated[
        bool, typer.Option("--from-server", help="Read the recorded sample from the server.")
    ] = False,
    server: ServerOpt = DEFAULT_SERVER,
    api_key: KeyOpt = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Recompute the P1 sample of a signed checkpoint by the documented rule and say
    whether it equals the recorded one (exit 0 when it does, 1 when not)."""
    from crossfin.ledger.checkpoint import parse_checkpoint
    from crossfin.ledger.note import NoteError, open_note

    try:
        note = checkpoint.read_bytes()
    except OSError as exc:
        fail(f"cannot read {checkpoint}: {exc.strerror}")
        return
    try:
        verifier = _log_verifier(key)
        text, _ = open_note(note, [verifier])
        cp = parse_checkpoint(text)
    except (NoteError, RuntimeError, ValueError) as exc:
        fail(f"checkpoint refused: {exc}")
        return
    if from_server:
        found = _server_sample(server, api_key, cp.size)
    else:
        found = _database_sample(database_url, text)
    from crossfin.payments.sampling import select_ids

    selected = select_ids(cp.root, found["candidates"], found["rate_bp"])
    recorded = found["recorded"]
    same_root = found["root"] in (None, cp.root)
    matches = recorded is not None and recorded == selected and same_root
    data = {
        "checkpoint_size": cp.size,
        "root": b64encode(cp.root).decode(),
        "previous_size": found["previous_size"],
        "rate_bp": found["rate_bp"],
        "candidates": found["candidates"],
        "selected": selected,
        "recorded": recorded,
        "matches": matches,
    }
    if recorded is None:
        verdict = "no sample is recorded for this checkpoint"
    elif not same_root:
        verdict = "DIFFERS: the recorded sample was drawn from another checkpoint with this size"
    else:
        verdict = "matches the recorded sample" if matches else "DIFFERS from the recorded sample"
    emit(
        data,
        as_json,
        f"checkpoint {cp.size}: {len(found['candidates'])} candidates at "
        f"{found['rate_bp']}/10,000 -> selected {selected}; {verdict}",
    )
    if not matches:
        raise typer.Exit(1)


def _log_verifier(key: str | None) -> Any:
    from crossfin.ledger.cli import settings
    from crossfin.ledger.keys import log_signer
    from crossfin.ledger.note import Verifier

    if key is None:
        return log_signer(settings()).verifier()
    path = Path(key)
    text = path.read_text(encoding="utf-8").strip() if "+" not in key and path.is_file() else key
    return Verifier.from_vkey(text.strip())


def _database_sample(url: str | None, text: str) -> dict[str, Any]:
    from crossfin.core.db import Database
    from crossfin.ledger.checkpoint import parse_checkpoint
    from crossfin.ledger.cli import settings
    from crossfin.ledger.note import parse_note
    from crossfin.payments.sampling import recompute

    db = Database(url or settings().database_url)
    try:
        with db.session(readonly=True) as session:
            done = recompute(session, text)
            stored = None
            if done.recorded is not None:
                from sqlalchemy import select

                from crossfin.payments.p1_models import P1Sample

                note = session.scalars(
                    select(P1Sample.checkpoint_note).where(P1Sample.checkpoint_size == done.size)
                ).first()
                stored = parse_checkpoint(parse_note(note or "").text).root
    finally:
        db.dispose()
    return {
        "candidates": done.candidates,
        "rate_bp": done.rate_bp,
        "previous_size": done.previous_size,
        "recorded": done.recorded,
        "root": stored,
    }


def _server_sample(server: str, api_key: str | None, size: int) -> dict[str, Any]:
    """The sample the server recorded for the checkpoint of `size` (a regulator's key)."""
    from base64 import b64decode

    if not api_key:
        fail("--from-server needs a regulator's API key (--api-key or CROSSFIN_API_KEY)")
    headers = {"Authorization": f"Bearer {api_key}"}
    after = 0
    with httpx.Client(base_url=server, headers=headers, timeout=30) as client:
        while True:
            try:
                res = client.get("/v1/p1-samples", params={"after": after, "limit": 200})
            except httpx.HTTPError as exc:
                fail(f"transport: {exc}")
                raise
            if res.status_code != 200:
                fail(f"{server} answered {res.status_code}: {res.text[:200]}")
            page = res.json()
            for item in page["items"]:
                if item["checkpoint_size"] == size:
                    return {
                        "candidates": item["candidates"],
                        "rate_bp": item["rate_bp"],
                        "previous_size": item["previous_size"],
                        "recorded": item["selected"],
                        "root": b64decode(item["checkpoint_root"]),
                    }
            if page["next_after"] is None:
                break
            after = page["next_after"]
    return {"candidates": [], "rate_bp": 0, "previous_size": 0, "recorded": None, "root": None}

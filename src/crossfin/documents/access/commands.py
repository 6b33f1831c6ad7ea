"""`crossfin documents verify FILE` and `crossfin consent grant|revoke|list` (HTTP clients).

Both talk to a running server with an API key (`--server/--api-key` or CROSSFIN_SERVER /
CROSSFIN_API_KEY), like `crossfin documents submit`.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from crossfin.documents.access.claims_io import ResultWriter, read_claims
from crossfin.documents.ingest.client import DEFAULT_SERVER, Api, ApiError, plan_batch
from crossfin.ledger.cli import fail
from crossfin.ledger.note import NoteError, Signer, read_key_file

consent_app = typer.Typer(help="Consents an enterprise grants to banks.", no_args_is_help=True)
console = Console(stderr=True)
MAX_BATCH = 10_000

ServerOpt = Annotated[
    str | None,
    typer.Option(
        "--server", help="Server URL (env CROSSFIN_SERVER; default http://127.0.0.1:8000)."
    ),
]
ApiKeyOpt = Annotated[
    str | None, typer.Option("--api-key", help="API key cf_<id>_<secret> (env CROSSFIN_API_KEY).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _client(server: str | None, api_key: str | None) -> Api:
    key = api_key or os.environ.get("CROSSFIN_API_KEY")
    if not key:
        fail("an API key is needed: --api-key or CROSSFIN_API_KEY")
    return Api(server or os.environ.get("CROSSFIN_SERVER") or DEFAULT_SERVER, str(key))


def _batches(claims: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for claim in claims:
        batch.append(claim)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _post(api: Api, batch: list[dict[str, Any]]) -> dict[str, Any]:
    """One request; a transport failure is retried once under the same Idempotency-Key,
    so the server records the batch once."""
    headers = {"Idempotency-Key": f"verify-{uuid.uuid4()}"}
    answer: dict[str, Any]
    try:
        answer = api.call("POST", "/v1/documents/verify", json={"items": batch}, headers=headers)
    except httpx.TransportError:
        answer = api.call("POST", "/v1/documents/verify", json={"items": batch}, headers=headers)
    return answer


def verify(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="JSON Lines or CSV of claims.")
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Results file (.csv or .jsonl); default stdout."),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="Input: jsonl or csv (default: from the file name)."),
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Kind for lines that name none.")
    ] = None,
    batch: Annotated[
        int, typer.Option("--batch", min=1, max=MAX_BATCH, help="Items per request.")
    ] = MAX_BATCH,
    server: ServerOpt = None,
    api_key: ApiKeyOpt = None,
) -> None:
    """Verify documents in bulk (banks): authentic with the balance, mismatch, or unknown."""
    fmt = fmt or ("csv" if file.suffix.lower() == ".csv" else "jsonl")
    if fmt not in ("jsonl", "csv"):
        fail("--format is jsonl or csv")
    api = _client(server, api_key)
    try:
        with file.open(encoding="utf-8", newline="") as source:
            claims = list(read_claims(source, fmt, kind))
    except (ValueError, OSError) as exc:
        fail(f"cannot read {file}: {exc}")
    out_fmt = "csv" if out is not None and out.suffix.lower() == ".csv" else "jsonl"
    handle = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    counts = {"authentic": 0, "mismatch": 0, "unknown": 0}
    try:
        writer = ResultWriter(handle, out_fmt)
        _run(api, claims, batch, writer, counts)
    finally:
        if out:
            handle.close()
    summary = ", ".join(f"{k} {v}" for k, v in counts.items())
    console.print(f"verified {len(claims)}: {summary}" + (f"; results: {out}" if out else ""))


def _run(
    api: Api, claims: list[dict[str, Any]], size: int, writer: ResultWriter, counts: dict[str, int]
) -> None:
    columns = (
        *Progress.get_default_columns()[:1],
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("verifying", total=len(claims))
        done = 0
        for chunk in _batches(iter(claims), size):
            try:
                answer = _post(api, chunk)
            except (ApiError, httpx.HTTPError) as exc:
                fail(f"after {done} items: {exc}")
            for item in answer["items"]:
                writer.write(done + item["index"] + 1, item)
                counts[item["outcome"]] += 1
            done += len(chunk)
            bar.update(task, completed=done)


@consent_app.command("grant")
def consent_grant(
    scope: Annotated[
        list[str],
        typer.Option("--scope", help="A document kind or credit_profile; repeat for several."),
    ],
    bank_bic: Annotated[str | None, typer.Option("--bank-bic", help="The bank's BIC.")] = None,
    bank_id: Annotated[int | None, typer.Option("--bank-id", help="The bank's org id.")] = None,
    days: Annotated[
        int | None, typer.Option("--days", min=1, max=366, help="Valid for this many days.")
    ] = None,
    expires: Annotated[
        str | None, typer.Option("--expires", help="Expiry, RFC 3339 (e.g. 2027-06-30T00:00:00Z).")
    ] = None,
    purpose: Annotated[str | None, typer.Option("--purpose")] = None,
    server: ServerOpt = None,
    api_key: ApiKeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Grant a bank consent to read the given kinds and/or the credit profile."""
    if (days is None) == (expires is None):
        fail("give exactly one of --days or --expires")
    until = expires or (datetime.now(UTC) + timedelta(days=days or 0)).isoformat()
    body = {
        "bank_org_id": bank_id,
        "bank_bic": bank_bic,
        "scopes": scope,
        "expires_at": until,
        "purpose": purpose,
    }
    _show(_call(server, api_key, "POST", "/v1/consents", json=body), as_json)


@consent_app.command("revoke")
def consent_revoke(
    consent_id: Annotated[int, typer.Argument(help="The consent's id.")],
    server: ServerOpt = None,
    api_key: ApiKeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revoke a consent at once."""
    _show(_call(server, api_key, "POST", f"/v1/consents/{consent_id}/revoke"), as_json)


@consent_app.command("list")
def consent_list(
    active: Annotated[bool, typer.Option("--active", help="Active only.")] = False,
    server: ServerOpt = None,
    api_key: ApiKeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Consents granted (enterprise) or received (bank)."""
    rows = _call(server, api_key, "GET", "/v1/consents", params={"active": active})
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        _show(row, False)


def _call(server: str | None, api_key: str | None, method: str, path: str, **kwargs: Any) -> Any:
    try:
        return _client(server, api_key).call(method, path, **kwargs)
    except (ApiError, httpx.HTTPError) as exc:
        fail(str(exc))


def _show(row: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(row, ensure_ascii=False))
        return
    typer.echo(
        f"consent {row['id']}: {row['status']}; enterprise {row['enterprise_org_id']}"
        f" -> bank {row['bank_org_id']}; {' '.join(row['scopes'])}; "
        f"until {row['expires_at']}"
    )


def manifest(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSONL or CSV.")],
    kind: Annotated[str, typer.Option("--kind", help="Document kind, e.g. vat_invoice.")],
    signing_key: Annotated[Path, typer.Option("--signing-key", help="Signing key file.")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="jsonl or csv (default: from the file name).")
    ] = None,
    batch_id: Annotated[
        str | None, typer.Option("--batch-id", help="Batch id (default: file name and root).")
    ] = None,
) -> None:
    """Print the signed manifest of a batch file, for uploading it in the portal."""
    fmt = fmt or ("csv" if file.suffix.lower() == ".csv" else "jsonl")
    try:
        signer = Signer.from_skey(read_key_file(signing_key))
        plan = plan_batch(file, kind, fmt, signer, "partial", batch_id)
    except (ValueError, OSError, NoteError) as exc:
        fail(f"cannot sign {file}: {exc}")
    typer.echo(plan.manifest, nl=False)

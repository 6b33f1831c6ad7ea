"""`crossfin documents submit` and `crossfin source-key ...`: the sources' command line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, cast

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from crossfin.documents.ingest.client import (
    DEFAULT_SERVER,
    Api,
    ApiError,
    Plan,
    dcsa_to_jsonl,
    load_or_save_plan,
    plan_batch,
    upload,
)
from crossfin.ledger.cli import fail
from crossfin.ledger.note import (
    NoteError,
    Signer,
    generate_signer,
    read_key_file,
    write_key_file,
)

documents_app = typer.Typer(
    help="Authoritative documents: submit signed batches.", no_args_is_help=True
)
source_key_app = typer.Typer(
    help="Sources' manifest signing keys (C2SP signed-note, Ed25519).", no_args_is_help=True
)
console = Console(stderr=True)

ServerOpt = Annotated[
    str | None,
    typer.Option(
        "--server", help="Server URL (env CROSSFIN_SERVER; default http://127.0.0.1:8000)."
    ),
]
ApiKeyOpt = Annotated[
    str | None, typer.Option("--api-key", help="API key cf_<id>_<secret> (env CROSSFIN_API_KEY).")
]


def _api(server: str | None, api_key: str | None) -> Api:
    key = api_key or os.environ.get("CROSSFIN_API_KEY")
    if not key:
        fail("an API key is needed: --api-key or CROSSFIN_API_KEY")
    return Api(server or os.environ.get("CROSSFIN_SERVER") or DEFAULT_SERVER, str(key))


def _signer(path: Path) -> Signer:
    try:
        return Signer.from_skey(read_key_file(path))
    except NoteError as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


@source_key_app.command("generate")
def keys_generate(
    name: Annotated[str, typer.Argument(help="Key name, e.g. customs-5316 (no spaces, no +).")],
    out: Annotated[Path, typer.Option("--out", help="Signing key file to create (0600).")],
) -> None:
    """Create an Ed25519 signing key; print its verifier key (also written to OUT.pub)."""
    try:
        skey, vkey = generate_signer(name)
        write_key_file(out, skey)
    except (NoteError, OSError) as exc:
        fail(str(exc))
    Path(f"{out}.pub").write_text(vkey + "\n", encoding="utf-8")
    typer.echo(vkey)


@source_key_app.command("register")
def keys_register(
    signing_key: Annotated[
        Path | None,
        typer.Option("--signing-key", help="Signing key file; its verifier key is registered."),
    ] = None,
    vkey: Annotated[str | None, typer.Option("--vkey", help="A verifier key.")] = None,
    server: ServerOpt = None,
    api_key: ApiKeyOpt = None,
) -> None:
    """Register the verifier key your manifests will be checked with."""
    if (signing_key is None) == (vkey is None):
        fail("give exactly one of --signing-key and --vkey")
    # Without --vkey, --signing-key was given (exactly one of them is).
    text = vkey or _signer(cast(Path, signing_key)).verifier().vkey
    try:
        row = _api(server, api_key).call("POST", "/v1/sources/keys", json={"vkey": text})
    except ApiError as exc:
        fail(str(exc))
    typer.echo(f"registered key {row['id']}: {row['vkey']}")


@source_key_app.command("list")
def keys_list(server: ServerOpt = None, api_key: ApiKeyOpt = None) -> None:
    """List your organization's verifier keys."""
    try:
        rows = _api(server, api_key).call("GET", "/v1/sources/keys")
    except ApiError as exc:
        fail(str(exc))
    for row in rows:
        state = f"retired {row['retired_at']}" if row["retired_at"] else "active"
        typer.echo(f"{row['id']}\t{state}\t{row['vkey']}")


@source_key_app.command("retire")
def keys_retire(key_id: int, server: ServerOpt = None, api_key: ApiKeyOpt = None) -> None:
    """Retire a verifier key: manifests signed with it are refused from now on."""
    try:
        _api(server, api_key).call("POST", f"/v1/sources/keys/{key_id}/retire")
    except ApiError as exc:
        fail(str(exc))
    typer.echo(f"retired key {key_id}")


@documents_app.command("submit")
def submit(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSONL or CSV.")],
    kind: Annotated[str, typer.Option("--kind", help="Document kind, e.g. customs_declaration.")],
    signing_key: Annotated[Path, typer.Option("--signing-key", help="Signing key file.")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="jsonl, csv or dcsa (default: from the file name)."),
    ] = None,
    party_uscc: Annotated[
        str | None,
        typer.Option("--party-uscc", help="dcsa T&T events: the carrier's customer (USCC)."),
    ] = None,
    atomic: Annotated[bool, typer.Option("--atomic", help="Publish all or nothing.")] = False,
    chunk: Annotated[
        int, typer.Option("--chunk", min=1, max=100_000, help="Lines per upload request.")
    ] = 5000,
    batch_id: Annotated[
        str | None, typer.Option("--batch-id", help="Batch id (default: file name and root).")
    ] = None,
    state_dir: Annotated[
        Path, typer.Option("--state-dir", help="Where resumable upload state is kept.")
    ] = Path(".crossfin/batches"),
    report: Annotated[
        Path | None, typer.Option("--report", help="Where to save the outcome report (CSV).")
    ] = None,
    server: ServerOpt = None,
    api_key: ApiKeyOpt = None,
) -> None:
    """Sign and upload a batch; rerun the same command to resume after an interruption."""
    fmt = fmt or ("csv" if file.suffix.lower() == ".csv" else "jsonl")
    if fmt not in ("jsonl", "csv", "dcsa"):
        fail("--format is jsonl, csv or dcsa")
    if fmt == "dcsa":
        file, fmt = _from_dcsa(file, kind, party_uscc, state_dir), "jsonl"
    api = _api(server, api_key)
    try:
        plan = plan_batch(
            file, kind, fmt, _signer(signing_key), "atomic" if atomic else "partial", batch_id
        )
    except (ValueError, OSError) as exc:
        fail(f"cannot read {file}: {exc}")
    plan = load_or_save_plan(state_dir, plan)
    status = _upload_with_progress(api, plan, chunk)
    target = report or file.with_name(f"{file.name}.{plan.batch_id}.report.csv")
    try:
        api.download(f"/v1/batches/{plan.batch_id}/report.csv", target)
    except ApiError as exc:
        fail(str(exc))
    typer.echo(
        f"batch {plan.batch_id}: {status['status']}; accepted {status['accepted']}, "
        f"duplicate {status['duplicates']}, rejected {status['rejected']} "
        f"of {plan.count}; report: {target}"
    )
    if status["status"] != "published":
        raise typer.Exit(1)


def _from_dcsa(file: Path, kind: str, party_uscc: str | None, state_dir: Path) -> Path:
    """The JSONL file of the records a DCSA file carries, kept beside the upload state."""
    target = state_dir / f"{file.name}.{kind}.jsonl"
    try:
        problems = dcsa_to_jsonl(file, target, kind, party_uscc)
    except (ValueError, OSError) as exc:
        fail(f"cannot read {file}: {exc}")
    if problems:
        fail("; ".join(problems))
    return target


def _upload_with_progress(api: Api, plan: Plan, chunk: int) -> dict[str, Any]:
    columns = (
        *Progress.get_default_columns()[:1],
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("uploading", total=plan.count)
        try:
            return upload(api, plan, chunk, lambda done: bar.update(task, completed=done))
        except ApiError as exc:
            if exc.status == 422 and "root" in exc.problem.get("type", ""):
                console.print("[red]refused: the lines do not rebuild the signed root")
            fail(str(exc))
        except (httpx.HTTPError, OSError) as exc:  # the state file allows a resume
            fail(f"interrupted ({exc}); run the same command again to resume")
    raise AssertionError("unreachable")

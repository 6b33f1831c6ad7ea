"""`crossfin log | verify | witness`: the log's keys, checkpoints, audit, receipts, witnesses."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from crossfin.ledger.cli import database, emit, fail, settings

log_app = typer.Typer(
    help="The verifiable log: public key, checkpoints, audit.", no_args_is_help=True
)
verify_app = typer.Typer(
    help="Offline verification of what the log hands out.", no_args_is_help=True
)
witness_app = typer.Typer(
    help="A C2SP tlog-witness that cosigns the log's checkpoints.", no_args_is_help=True
)

DEV_WITNESS_NAME = "crossfin.local/witness"
DEV_WITNESS_PORT = 8001


def _text_or_file(value: str) -> str:
    """A key given inline, or the path of a file holding it (first line)."""
    path = Path(value)
    if "+" not in value and path.is_file():
        return path.read_text(encoding="utf-8").strip()
    return value.strip()


@log_app.command("public-key")
def public_key() -> None:
    """Print the log's verifier key (`<name>+<hex id>+<base64>`)."""
    from crossfin.ledger.keys import log_signer
    from crossfin.ledger.note import NoteError

    try:
        typer.echo(log_signer(settings()).verifier().vkey)
    except (NoteError, RuntimeError) as exc:
        fail(f"{exc} (run `crossfin init` to create the log key)")


@log_app.command("checkpoint")
def checkpoint(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    wait: Annotated[float, typer.Option(help="Seconds to wait for a running leader.")] = 10.0,
) -> None:
    """Sign a checkpoint of the current log now (or wait for the elected checkpointer)."""
    from crossfin.ledger.checkpointer import checkpoint_now
    from crossfin.ledger.note import NoteError

    conf = settings()
    from crossfin.ledger.service import latest_checkpoint

    try:
        with database() as db:
            done = checkpoint_now(db, conf, wait=wait)
            with db.session(readonly=True) as session:
                cp = latest_checkpoint(session)
    except (NoteError, RuntimeError, ValueError, TimeoutError) as exc:
        fail(str(exc))
        return
    if cp is None:
        fail("the log has no head: run `crossfin init`")
        return
    data = {
        "size": cp.size,
        "root": cp.root.hex(),
        "signed_now": done.signed_here,
        "cosigners": list(cp.cosigners),
        "quorum": conf.witness_quorum,
        "note": cp.note,
    }
    emit(data, as_json, cp.note.rstrip("\n"))


@log_app.command("audit")
def audit(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    key: Annotated[
        str | None,
        typer.Option(help="The log's verifier key (or a file); default: derived from the log key."),
    ] = None,
    witness_state: Annotated[
        list[Path] | None,
        typer.Option(
            help="A witness's state directory (or a copy) whose cosigned checkpoint must be "
            "stored and reproduced; repeat for several. Default: data_dir/witness/state "
            "if it exists."
        ),
    ] = None,
    checkpoint: Annotated[
        list[Path] | None,
        typer.Option(
            help="A signed checkpoint kept by a client (a file); it must be stored and "
            "reproduced too. Repeat for several."
        ),
    ] = None,
    state: Annotated[
        bool,
        typer.Option(
            "--state/--no-state",
            help="Also recompute every business row's state and compare it with what the "
            "latest event about it committed to (default: on).",
        ),
    ] = True,
) -> None:
    """Re-hash every record, rebuild the tree, compare hashes, head, checkpoints, cosignatures;
    then check every business row against the state its latest event committed to."""
    from crossfin.ledger.audit import audit_database
    from crossfin.ledger.state import REGISTRY
    from crossfin.ledger.state_audit import audit_state_database

    conf = settings()
    verifier, witnesses, kept = _audit_inputs(key, witness_state, checkpoint)
    with database() as db:
        report = audit_database(
            db,
            verifier,
            witnesses=witnesses,
            kept=kept,
            quorum=conf.witness_quorum,
            checkpoint_interval=conf.checkpoint_interval,
        )
        rows = audit_state_database(db, REGISTRY) if state and len(REGISTRY) else None
    ok = report.ok and (rows is None or rows.ok)
    if as_json:
        data = report.as_dict()
        data["ok"] = ok
        data["log_ok"] = report.ok
        data["state"] = None if rows is None else rows.as_dict()
        emit(data, True, "")
    else:
        _print_log_report(report)
        if rows is not None:
            _print_state_report(rows)
    if not ok:
        raise typer.Exit(1)


def _audit_inputs(
    key: str | None, witness_state: list[Path] | None, checkpoint: list[Path] | None
) -> tuple[Any, list[Any], list[Any]]:
    """The log's verifier, the witnesses' keys and the checkpoints kept elsewhere."""
    from crossfin.ledger.audit import KeptCheckpoint, witness_state_checkpoints
    from crossfin.ledger.cosignature import load_cosigners
    from crossfin.ledger.keys import log_signer
    from crossfin.ledger.note import NoteError, Verifier
    from crossfin.ledger.witness_state import WitnessStateError

    conf = settings()
    try:
        verifier = Verifier.from_vkey(_text_or_file(key)) if key else log_signer(conf).verifier()
        witnesses = load_cosigners(conf.witness_keys)
        states = witness_state or [p for p in [conf.data_dir / "witness" / "state"] if p.is_dir()]
        kept = [k for state in states for k in witness_state_checkpoints(state, verifier.name)]
        kept += [
            KeptCheckpoint(str(path), path.read_text(encoding="utf-8")) for path in checkpoint or []
        ]
    except (NoteError, RuntimeError, WitnessStateError, OSError, UnicodeDecodeError) as exc:
        fail(str(exc))
        raise  # unreachable: fail exits
    return verifier, list(witnesses), kept


def _print_log_report(report: Any) -> None:
    if report.ok:
        typer.echo(
            f"ok: {report.size} leaves re-hashed, every stored hash matches, "
            f"{report.checkpoints} checkpoint(s) verified"
        )
    else:
        first = report.first_bad_index
        typer.echo(
            "FAILED: "
            + (
                f"first bad index {first}"
                if first is not None
                else "no leaf is to blame (see the problems)"
            ),
            err=True,
        )
        for problem in report.problems:
            typer.echo(f"  {problem}", err=True)
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)


def _print_state_report(rows: Any) -> None:
    summary = (
        f"{rows.rows} business rows recomputed, {rows.committed} match their latest event, "
        f"{rows.not_yet_committed} not yet committed"
    )
    if rows.ok:
        typer.echo(f"ok: {summary}")
        return
    typer.echo(f"FAILED: {rows.divergent_count} business row(s) diverge; {summary}", err=True)
    for line in [*rows.problems, *rows.lines()]:
        typer.echo(f"  {line}", err=True)


def _read_input(path: str) -> bytes:
    """Bytes of a file, or of stdin for `-`."""
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}", 2)
        raise  # unreachable: fail exits


@verify_app.command("receipt")
def verify_receipt(
    file: Annotated[str, typer.Argument(help="The tlog-proof bundle (`-` for stdin).")],
    key: Annotated[str, typer.Option("--key", help="The log's verifier key (or a file).")],
    record: Annotated[str | None, typer.Option(help="The record bytes (a file).")] = None,
    leaf_hash: Annotated[str | None, typer.Option(help="The leaf hash, 64 hex.")] = None,
    witness: Annotated[
        list[str] | None,
        typer.Option(help="A trusted witness key (or a file); repeat for several."),
    ] = None,
    quorum: Annotated[
        int | None, typer.Option(help="Valid cosignatures required (default: every --witness).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Check a receipt offline: log signature, witness quorum, the leaf's inclusion.

    FILE is a tlog-proof bundle, or a JSON receipt carrying one (a report PDF's
    receipt.json), which names its own leaf hash: then --record and --leaf-hash are optional.
    """
    from crossfin.ledger.bundle import ReceiptError, unwrap_receipt
    from crossfin.ledger.bundle import verify_receipt as check

    if record is not None and leaf_hash is not None:
        fail("give exactly one of --record FILE or --leaf-hash HEX", 2)
    leaf = _parse_leaf_hash(leaf_hash) if leaf_hash is not None else None
    data = _read_input(record) if record is not None else None
    witnesses = [_text_or_file(w) for w in witness or []]
    try:
        bundle, claimed = unwrap_receipt(_read_input(file).decode("utf-8"))
        if claimed is None and data is None and leaf is None:
            fail("give exactly one of --record FILE or --leaf-hash HEX", 2)
        if claimed is not None and leaf is not None and claimed != leaf:
            raise ReceiptError("--leaf-hash is not the leaf hash the receipt names")
        result = check(
            bundle,
            _text_or_file(key),
            record=data,
            leaf_hash=leaf or claimed,
            witness_vkeys=witnesses,
            quorum=len(witnesses) if quorum is None else quorum,
        )
    except (ReceiptError, ValueError) as exc:
        fail(f"receipt does not verify: {exc}")
        return
    cp = result.checkpoint
    names = ", ".join(result.witnesses) or "no witness"
    emit(
        {
            "ok": True,
            "origin": cp.origin,
            "size": cp.size,
            "root": cp.root.hex(),
            "index": result.index,
            "leaf_hash": result.leaf_hash.hex(),
            "witnesses": list(result.witnesses),
        },
        as_json,
        f"ok: leaf {result.leaf_hash.hex()} is entry {result.index} of {cp.origin} "
        f"(checkpoint size {cp.size}, cosigned by {names})",
    )


def _parse_leaf_hash(text: str) -> bytes:
    try:
        value = bytes.fromhex(text.strip())
    except ValueError:
        value = b""
    if len(value) != 32:
        fail("--leaf-hash must be 64 hexadecimal digits (a SHA-256 hash)", 2)
    return value


@witness_app.command("keygen")
def keygen(
    name: Annotated[str, typer.Argument(help="The witness name, e.g. witness.example/w1.")],
    out: Annotated[Path, typer.Option(help="Directory for the key files.")] = Path("."),
) -> None:
    """Write a cosigner key file (0600) and its .vkey; print the verifier key."""
    typer.echo(_keygen(name, out))


def _keygen(name: str, out: Path) -> str:
    """Create `<name>.key` and `<name>.vkey` in out ('/' becomes '_'); return the vkey."""
    from crossfin.ledger.cosignature import generate_cosigner
    from crossfin.ledger.note import NoteError, write_key_file

    try:
        skey, vkey = generate_cosigner(name)
    except NoteError as exc:
        fail(str(exc), 2)
    out.mkdir(parents=True, exist_ok=True)
    stem = name.replace("/", "_")
    try:
        write_key_file(out / f"{stem}.key", skey)
    except FileExistsError:
        fail(f"{out / (stem + '.key')} exists: not overwriting a key")
    (out / f"{stem}.vkey").write_text(vkey + "\n", encoding="utf-8")
    return vkey


def _serve_witness(skey: str, log_vkeys: list[str], state: Path, host: str, port: int) -> None:
    import uvicorn

    from crossfin.core.logging import configure_logging
    from crossfin.ledger.witness_app import create_witness_app

    configure_logging(settings().log_level)
    app = create_witness_app(skey, log_vkeys, state)
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)


@witness_app.command("serve")
def serve(
    key: Annotated[Path, typer.Option(help="The witness key file (from `witness keygen`).")],
    log_key: Annotated[
        list[str],
        typer.Option(help="A log verifier key (or a file) to witness; repeat for several."),
    ],
    state: Annotated[Path, typer.Option(help="Directory for the witness's state.")],
    host: Annotated[str, typer.Option(help="Bind address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = DEV_WITNESS_PORT,
) -> None:
    """Serve C2SP tlog-witness `POST /add-checkpoint` for the given logs."""
    from crossfin.ledger.note import NoteError, read_key_file

    try:
        skey = read_key_file(key)
    except NoteError as exc:
        fail(str(exc))
        return
    _serve_witness(skey, [_text_or_file(k) for k in log_key], state, host, port)


@witness_app.command("dev")
def dev(
    port: Annotated[int, typer.Option(help="TCP port on 127.0.0.1.")] = DEV_WITNESS_PORT,
    print_env: Annotated[
        bool,
        typer.Option(
            "--print-env", help="Only print the platform's witness settings (shell exports)."
        ),
    ] = False,
) -> None:
    """One local witness for the tour: key and state under data_dir/witness."""
    from crossfin.ledger.keys import log_signer
    from crossfin.ledger.note import NoteError, read_key_file

    conf = settings()
    home = conf.data_dir / "witness"
    stem = DEV_WITNESS_NAME.replace("/", "_")
    if not (home / f"{stem}.key").exists():
        _keygen(DEV_WITNESS_NAME, home)
    vkey = (home / f"{stem}.vkey").read_text(encoding="utf-8").strip()
    if print_env:
        url = f"http://127.0.0.1:{port}"
        for name, value in (
            ("URLS", json.dumps([url])),
            ("KEYS", json.dumps([vkey])),
            ("QUORUM", "1"),
        ):
            typer.echo(f"export CROSSFIN_WITNESS_{name}='{value}'")
        return
    try:
        skey, log_vkey = read_key_file(home / f"{stem}.key"), log_signer(conf).verifier().vkey
    except (NoteError, RuntimeError) as exc:
        fail(f"{exc} (run `crossfin init` first)")
        return
    _serve_witness(skey, [log_vkey], home / "state", "127.0.0.1", port)

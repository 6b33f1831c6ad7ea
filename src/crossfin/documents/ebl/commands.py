"""`crossfin documents ebl ...`: sources sign and record steps; entitled parties read chains."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from crossfin.documents.ebl.body import sign_step
from crossfin.documents.ingest.client import DEFAULT_SERVER, Api, ApiError
from crossfin.documents.ingest.commands import ApiKeyOpt, ServerOpt
from crossfin.documents.records import parse_json_record
from crossfin.ledger.cli import fail
from crossfin.ledger.note import NoteError, Signer, read_key_file

ebl_app = typer.Typer(
    help="Endorsement chains of negotiable bills of lading (DCSA eBL).", no_args_is_help=True
)
FileArg = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]


def _api(server: str | None, api_key: str | None) -> Api:
    key = api_key or os.environ.get("CROSSFIN_API_KEY")
    if not key:
        fail("an API key is needed: --api-key or CROSSFIN_API_KEY")
    return Api(server or os.environ.get("CROSSFIN_SERVER") or DEFAULT_SERVER, str(key))


def _call(api: Api, method: str, path: str, **kwargs: Any) -> Any:
    try:
        return api.call(method, path, **kwargs)
    except ApiError as exc:
        kind = str(exc.problem.get("type", "")).rsplit("/", 1)[-1]
        fail(f"refused ({exc.status} {kind}): {exc}")


def _show(answer: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(answer, indent=2, ensure_ascii=False))
        return
    holder = answer["holder"] or {}
    who = holder.get("name") or holder.get("uscc") or "-"
    pledged = " (pledged)" if answer["pledged"] else ""
    typer.echo(f"{answer['bl_no']}: {answer['status']}{pledged}; holder {who}")
    for step in answer["steps"]:
        to = step["to"] or {}
        target = to.get("name") or to.get("uscc") or step["pledgee_org_id"] or ""
        typer.echo(f"  {step['seq']:>3} {step['action']:<10} {target} [{step['origin']}]")


@ebl_app.command("step")
def step(
    file: FileArg,
    signing_key: Annotated[Path, typer.Option("--signing-key", help="Signing key file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the chain as JSON.")] = False,
    server: ServerOpt = None,
    api_key: ApiKeyOpt = None,
) -> None:
    """Sign the step body in FILE (JSON) as a note and record it; print the chain."""
    try:
        body = parse_json_record(file.read_text(encoding="utf-8"))
        note = sign_step(body, Signer.from_skey(read_key_file(signing_key)))
    except (ValueError, NoteError, OSError) as exc:
        fail(f"cannot sign {file}: {exc}")
    answer = _call(_api(server, api_key), "POST", "/v1/ebl/steps", json={"note": note})
    _show(answer, as_json)


@ebl_app.command("pint")
def pint(
    file: FileArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    server: ServerOpt = None,
    api_key: ApiKeyOpt = None,
) -> None:
    """Relay a DCSA PINT envelope (its checksums are verified; JWS signatures cannot be)."""
    content = file.read_bytes()
    headers = {"Content-Type": "application/json"}
    api = _api(server, api_key)
    answer = _call(api, "POST", "/v1/ebl/pint", content=content, headers=headers)
    _show(answer, as_json)
    if not as_json:
        for check in answer["checks"]:
            typer.echo(f"  check {check['name']}: {check['status']}")


@ebl_app.command("chain")
def chain(
    key: Annotated[str, typer.Argument(help="The bill of lading number.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the chain as JSON.")] = False,
    server: ServerOpt = None,
    api_key: ApiKeyOpt = None,
) -> None:
    """Show a bill's chain: its steps, the holder and any pledge."""
    answer = _call(_api(server, api_key), "GET", f"/v1/documents/bill_of_lading/{key}/chain")
    _show(answer, as_json)

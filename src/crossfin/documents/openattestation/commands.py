"""`crossfin documents oa verify FILE`: the API's offline verification, on a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from crossfin.core.errors import CrossfinError
from crossfin.documents.openattestation import importing

oa_app = typer.Typer(help="OpenAttestation v2 (TradeTrust) documents, verified offline.")


@oa_app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Verify a wrapped document's integrity offline; exit 1 when it does not verify."""
    try:
        answer = importing.verify_document(file.read_bytes()).as_dict()
    except CrossfinError as exc:
        problem = exc.problem()
        if as_json:
            typer.echo(json.dumps(problem, indent=2))
        else:
            typer.echo(f"NOT VERIFIED: {problem['detail']}")
            for error in problem.get("errors", []):
                typer.echo(f"  {error['field']}: {error['reason']}")
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(answer, indent=2))
        return
    typer.echo(f"VERIFIED (integrity, offline): merkleRoot {answer['merkle_root']}")
    for check in answer["checks"]:
        typer.echo(f"  {check['name']}: {check['status']} - {check['detail']}")

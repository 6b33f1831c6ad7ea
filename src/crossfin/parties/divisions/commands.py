"""`crossfin jurisdictions update FILE`: load a newer GB/T 2260 edition; `check`: who sits
where onboarding now refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from crossfin.core.errors import invalid
from crossfin.ledger.cli import database, domain_errors, emit, unit_of_work
from crossfin.parties.jurisdiction_data import parse_divisions
from crossfin.parties.jurisdiction_update import update_jurisdictions
from crossfin.parties.seat_check import misplaced

jurisdictions_app = typer.Typer(help="The GB/T 2260 jurisdiction table.", no_args_is_help=True)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise invalid("FILE", f"cannot read {path}: {exc}") from None


@jurisdictions_app.command("update")
@domain_errors
def update(
    file: Annotated[Path, typer.Argument(help="A division CSV in the shipped format.")],
    edition: Annotated[
        str | None, typer.Option(help="Name of the edition (default: the file's name).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Add, rename and retire divisions to match FILE; one transaction, idempotent."""
    name = edition or file.stem
    try:
        divisions = parse_divisions(_read(file), str(file))
    except ValueError as exc:
        raise invalid("FILE", str(exc)) from None
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, transient=True, disable=as_json) as bar:
        task = bar.add_task(f"edition {name}", total=None)
        with unit_of_work() as uow:
            summary = update_jurisdictions(
                uow,
                divisions,
                name,
                on_plan=lambda total: bar.update(task, total=total),
                progress=lambda done: bar.advance(task, done),
            )
            uow.commit()
    counts = {
        "added": summary.added,
        "renamed": summary.renamed,
        "retired": summary.retired,
        "restored": summary.restored,
    }
    human = f"edition {name}: " + ", ".join(f"{len(v)} {k}" for k, v in counts.items())
    emit({"edition": name, **counts}, as_json, human)


@jurisdictions_app.command("check")
def check(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """List enterprises not at a county and regulators at a county without a parent office;
    exit 1 if there is any. Nobody is moved."""
    with database() as db, db.session(readonly=True) as session:
        found = misplaced(session)
    rows = [
        {
            "org_id": m.org_id,
            "kind": m.kind,
            "name": m.name,
            "jurisdiction": m.jurisdiction,
            "level": m.level,
            "reason": m.reason,
        }
        for m in found
    ]
    lines = [f"{m.kind} {m.org_id} ({m.name}) at {m.jurisdiction}: {m.reason}" for m in found]
    human = "\n".join(lines) if lines else "every organization sits where onboarding allows"
    emit({"misplaced": rows}, as_json, human)
    if found:
        raise typer.Exit(1)

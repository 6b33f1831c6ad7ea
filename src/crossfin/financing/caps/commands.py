"""`crossfin scenarios caps set | show`: the scenarios' caps, as the local operator.

`set` reads a JSON file holding one caps version (or a list of them), the shape of
`CapsIn` (caps/schemas.py), or the shipped defaults with `--defaults`; each version loaded
is a ledger event, one already there as given changes nothing.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError

from crossfin.core.errors import CrossfinError, field_errors
from crossfin.ledger.cli import database, emit, fail, unit_of_work

if TYPE_CHECKING:
    from crossfin.financing.caps.schemas import CapsIn

scenarios_app = typer.Typer(help="Financing scenarios: their caps as data.", no_args_is_help=True)
caps_app = typer.Typer(help="Scenario caps: set a version, show them.", no_args_is_help=True)
scenarios_app.add_typer(caps_app, name="caps")
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@caps_app.command("set")
def set_caps(
    path: Annotated[
        Path | None, typer.Argument(exists=True, dir_okay=False, help="A JSON file.")
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Load the caps crossfin ships instead.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Load the caps versions in a JSON file, or the shipped ones, in one transaction."""
    from crossfin.financing.caps.store import set_caps, shipped

    if (path is None) == (not defaults):
        fail("give either a JSON file or --defaults")
        return
    try:
        items = list(shipped()) if defaults else _items(path)
        results = []
        with unit_of_work() as uow:
            for data in items:
                row, receipt = set_caps(uow, data)
                results.append(
                    {
                        "scenario": row.scenario,
                        "version": row.version,
                        "event_id": receipt.event_id if receipt else None,
                    }
                )
            uow.commit()
    except CrossfinError as exc:
        fail(f"{exc.detail} {json.dumps(exc.extra, default=str)}" if exc.extra else exc.detail)
        return
    lines = [
        f"{r['scenario']} v{r['version']}: " + ("loaded" if r["event_id"] else "unchanged")
        for r in results
    ]
    emit({"caps": results}, as_json, "\n".join(lines))


def _items(path: Path | None) -> list[CapsIn]:
    from crossfin.financing.caps.schemas import CapsIn

    assert path is not None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        fail(f"{path}: not JSON ({exc})")
        return []
    items = raw if isinstance(raw, list) else [raw]
    try:
        return [CapsIn.model_validate(item) for item in items]
    except ValidationError as exc:
        fail("; ".join(f"{e.field}: {e.reason}" for e in field_errors(exc)))
        return []


@caps_app.command("show")
def show_caps(
    scenario: Annotated[str | None, typer.Argument(help="F1, F4, F5 or F7.")] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="The date (YYYY-MM-DD); default today.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """The caps in force (on a date) and every loaded version."""
    from crossfin.core.clock import business_date
    from crossfin.financing.caps.store import all_in_force, list_caps

    day = date.fromisoformat(on) if on else business_date()
    try:
        with database() as db, db.session(readonly=True) as session:
            now = [c.out().model_dump(mode="json") for c in all_in_force(session, day, scenario)]
            every = [c.out().model_dump(mode="json") for c in list_caps(session, scenario)]
    except CrossfinError as exc:
        fail(exc.detail)
        return
    lines = [
        f"{c['scenario']} {'v' + str(c['version']) if c['version'] else 'shipped'} "
        f"from {c['effective_from']} {json.dumps(c['params'])}"
        for c in now
    ]
    emit({"on": day.isoformat(), "in_force": now, "versions": every}, as_json, "\n".join(lines))

"""`crossfin stats recount [--check]`: the statistics against a full recount of the records."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from crossfin.ledger.cli import database, emit
from crossfin.supervision.stats.recount import Outcome, check, replace

stats_app = typer.Typer(help="Supervision: the statistics per county.", no_args_is_help=True)


@stats_app.command("recount")
def recount(
    only_check: Annotated[
        bool, typer.Option("--check", help="Compare only; exit 1 on any difference.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Recount every cell from the records; without --check, replace the tables with it."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, transient=True, disable=as_json) as bar, database() as db:
        tasks: dict[str, tuple[TaskID, int]] = {}

        def progress(source: str, n: int) -> None:
            task, done = tasks.get(source) or (bar.add_task(source, total=None), 0)
            tasks[source] = (task, done + n)
            bar.update(task, description=f"{source}: {done + n:,} entries")

        outcome = check(db, progress) if only_check else replace(db, progress)
    _report(outcome, as_json)
    if only_check and outcome.differences:
        raise typer.Exit(1)


def _report(outcome: Outcome, as_json: bool) -> None:
    found = outcome.differences
    data = {
        "replaced": outcome.replaced,
        "cells": outcome.cells,
        "served": outcome.served,
        "differences": [d.as_dict() for d in found],
    }
    verb = "replaced with the recount" if outcome.replaced else "checked"
    lines = [d.line() for d in found]
    lines.append(
        f"{outcome.cells} cell(s), {outcome.served} served row(s) {verb}: "
        f"{len(found)} difference(s)"
    )
    emit(data, as_json, "\n".join(lines))

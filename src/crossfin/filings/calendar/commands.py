"""`crossfin calendar load FILE`: a year's holiday notice as data; `show YEAR`: the year in
force and its source."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crossfin.core.errors import invalid
from crossfin.filings.calendar.notice import parse_notice
from crossfin.filings.calendar.store import load_notice, year_in_force
from crossfin.ledger.cli import database, domain_errors, emit, fail, unit_of_work

calendar_app = typer.Typer(
    help="China's official working days: the State Council's holiday notices.",
    no_args_is_help=True,
)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise invalid("FILE", f"cannot read {path}: {exc}") from None


@calendar_app.command("load")
@domain_errors
def load(
    file: Annotated[Path, typer.Argument(help="A notice in the CSV format of docs/filings.md.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Check FILE and store it as its year's calendar (over the package), with its event."""
    notice = parse_notice(_read(file))
    with unit_of_work() as uow:
        loaded = load_notice(uow, notice)
        uow.commit()
    differs = loaded.differs_from_package
    data = {
        "year": loaded.year,
        "id": loaded.row_id,
        "days": len(notice.days),
        "loaded": loaded.receipt is not None,
        "receipt": loaded.receipt.as_dict() if loaded.receipt else None,
        "replaces": loaded.replaces,
        "differs_from_package": None if differs is None else [d.isoformat() for d in differs],
    }
    human = f"{loaded.year}: {len(notice.days)} days from {notice.label()}"
    human += f", event {loaded.receipt.event_id}" if loaded.receipt else ", already in force"
    if differs:
        human += f"; differs from the package on {', '.join(map(str, differs))}"
    emit(data, as_json, human)


@calendar_app.command("show")
def show(
    year: Annotated[int, typer.Argument(help="The year, e.g. 2027.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Print the year's days that differ from the default and their source; exit 1 if no
    calendar covers the year."""
    with database() as db, db.session(readonly=True) as session:
        shown = year_in_force(session, year)
    if shown is None:
        fail(f"no calendar covers {year}: load its notice with `crossfin calendar load FILE`")
        return
    days = [{"date": d.day.isoformat(), "kind": d.kind, "name": d.name} for d in shown.year.days]
    overrides = shown.package.source if shown.loaded and shown.package else None
    data = {"year": year, "source": shown.year.source, "overrides": overrides, "days": days}
    lines = [f"{year}: {shown.year.source}"]
    if overrides:
        lines.append(f"(a loaded notice, in force over {overrides})")
    lines += [f"{d['date']}  {d['kind']:<8} {d['name']}" for d in days]
    emit(data, as_json, "\n".join(lines))

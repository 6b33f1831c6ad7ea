"""`crossfin filings forms list | show | load`: the form definitions, as the local operator.

`load` reads a JSON file holding one definition (or a list of them), the same shape as
the API's form schema (filings/schemas.py `FormIn`); each one loaded or replaced is a
ledger event, one that is already there as given changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from crossfin.core.errors import CrossfinError, field_errors
from crossfin.ledger.cli import database, emit, fail, unit_of_work

filings_app = typer.Typer(help="Regulatory filings: forms as data.", no_args_is_help=True)
forms_app = typer.Typer(help="Form definitions: list, show, load.", no_args_is_help=True)
filings_app.add_typer(forms_app, name="forms")
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@forms_app.command("list")
def list_forms(as_json: JsonOpt = False) -> None:
    """Every form version: code, version, system, effective date, digest."""
    from crossfin.filings.catalogue import form_out, list_forms

    with database() as db, db.session(readonly=True) as session:
        found = [form_out(f).model_dump(mode="json") for f in list_forms(session)]
    lines = [
        f"{f['code']:20} v{f['version']:<4} {f['system']:12} {f['effective_from']} "
        f"{f['definition_sha256'][:16]} {f['name_en']}"
        for f in found
    ]
    emit({"forms": found}, as_json, "\n".join(lines) or "no forms")


@forms_app.command("show")
def show_form(code: Annotated[str, typer.Argument(help="The form's code.")]) -> None:
    """Every version of one form, with its definition, as JSON."""
    from crossfin.filings.catalogue import form_out, list_forms

    with database() as db, db.session(readonly=True) as session:
        found = [form_out(f).model_dump(mode="json") for f in list_forms(session, code)]
    if not found:
        fail(f"no form {code}")
    typer.echo(json.dumps(found, ensure_ascii=False, indent=2))


@forms_app.command("load")
def load_forms(
    path: Annotated[
        Path | None, typer.Argument(exists=True, dir_okay=False, help="A JSON file.")
    ] = None,
    builtin: Annotated[
        bool, typer.Option("--builtin", help="Load the forms crossfin ships instead.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Load (or replace, while unused) the definitions in a JSON file, or the shipped ones,
    in one transaction."""
    from crossfin.filings.builtin import builtin_forms
    from crossfin.filings.catalogue import set_form

    if (path is None) == (not builtin):
        fail("give either a JSON file or --builtin")
        return
    forms = builtin_forms() if builtin else _forms_in(path)
    results = []
    try:
        with unit_of_work() as uow:
            for data in forms:
                form, receipt = set_form(uow, data)
                results.append((form.code, form.version, receipt))
            uow.commit()
    except CrossfinError as exc:
        fail(exc.detail)
    loaded = [
        {"code": c, "version": v, "changed": r is not None, "receipt": r and r.as_dict()}
        for c, v, r in results
    ]
    human = "\n".join(
        f"{f['code']} v{f['version']}: {'loaded' if f['changed'] else 'unchanged'}" for f in loaded
    )
    emit({"forms": loaded}, as_json, human)


def _forms_in(path: Path | None) -> list[Any]:
    """The definitions of a JSON file (one object or a list); exit 1 naming a bad field."""
    from crossfin.filings.schemas import FormIn

    assert path is not None
    raw: Any = json.loads(path.read_text(encoding="utf-8"))
    items = raw if isinstance(raw, list) else [raw]
    try:
        return [FormIn.model_validate(item) for item in items]
    except ValidationError as exc:
        fail("; ".join(f"{e.field}: {e.reason}" for e in field_errors(exc)))
        return []


def _statistics_commands() -> None:
    """`submit` and `remind` live with the statistics (filings/statistics/commands.py)."""
    from crossfin.filings.statistics import commands

    filings_app.command("submit")(commands.submit)
    filings_app.command("remind")(commands.remind)


_statistics_commands()

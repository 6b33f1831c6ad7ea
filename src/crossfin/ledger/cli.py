"""Shared CLI plumbing: settings, database, JSON output, errors as clean exits."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Annotated, Any, ParamSpec, TypeVar

import typer

from crossfin.core.db import Actor, Database
from crossfin.core.errors import CrossfinError
from crossfin.core.settings import Settings
from crossfin.ledger.uow import UnitOfWork

P = ParamSpec("P")
R = TypeVar("R")
CLI_ACTOR = Actor(org_id=None, principal_id=None, label="cli")

# Commands that talk to a running server (bulk applications and payments) take these.
DEFAULT_SERVER = "http://127.0.0.1:8000"
ServerOpt = Annotated[
    str,
    typer.Option("--server", envvar="CROSSFIN_SERVER", help="Server URL (env CROSSFIN_SERVER)."),
]
KeyOpt = Annotated[
    str | None,
    typer.Option(
        "--api-key", envvar="CROSSFIN_API_KEY", help="A bank's API key (env CROSSFIN_API_KEY)."
    ),
]


def settings() -> Settings:
    return Settings()


@contextmanager
def database() -> Iterator[Database]:
    db = Database(settings().database_url)
    try:
        yield db
    finally:
        db.dispose()


@contextmanager
def unit_of_work() -> Iterator[UnitOfWork]:
    """A unit of work acting as the local operator at the command line."""
    with database() as db, UnitOfWork(db, CLI_ACTOR) as uow:
        yield uow


def emit(data: dict[str, Any], as_json: bool, human: str) -> None:
    """Print one JSON object with --json, else a human line."""
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, default=str))
    else:
        typer.echo(human)


def fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def domain_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn domain errors into a clear message and exit status 1 instead of a traceback."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except CrossfinError as exc:
            errors = exc.extra.get("errors")
            lines = [f"{e['field']}: {e['reason']}" for e in errors] if errors else [exc.detail]
            for line in lines:
                typer.echo(f"error: {line}", err=True)
            sys.exit(1)

    return wrapper

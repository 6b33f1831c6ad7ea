"""Docs that cannot drift: every problem type and every CLI command is documented."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import typer.main

import crossfin
from crossfin.cli.main import app
from crossfin.core.errors import all_problem_types

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _import_everything() -> None:
    # Error classes register by subclassing, so every module must be imported first.
    for module in pkgutil.walk_packages(crossfin.__path__, "crossfin."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)


def test_every_problem_type_is_in_the_api_docs() -> None:
    _import_everything()
    text = (DOCS / "api.md").read_text()
    missing = [slug for slug in all_problem_types() if f"`/{slug}`" not in text]
    assert not missing, f"document these problem types in docs/api.md: {missing}"


def _commands(group: object, prefix: str = "") -> list[str]:
    # Typer vendors its own click, so look for sub-commands rather than a class.
    names = []
    for name, command in getattr(group, "commands", {}).items():
        full = f"{prefix}{name}"
        if hasattr(command, "commands"):
            names.extend(_commands(command, full + " "))
        else:
            names.append(full)
    return names


def test_every_cli_command_is_in_the_cli_docs() -> None:
    text = (DOCS / "cli.md").read_text()
    group = typer.main.get_command(app)
    assert _commands(group), "no commands found"
    missing = [c for c in _commands(group) if f"crossfin {c}" not in text]
    assert not missing, f"document these commands in docs/cli.md: {missing}"


def test_every_setting_is_in_the_deployment_docs() -> None:
    from crossfin.core.settings import Settings

    text = (DOCS / "deployment.md").read_text()
    missing = [
        f"CROSSFIN_{name.upper()}"
        for name in Settings.model_fields
        if f"`CROSSFIN_{name.upper()}`" not in text
    ]
    assert not missing, f"document these settings in docs/deployment.md: {missing}"

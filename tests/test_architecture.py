"""The floors: the drawing in docs/architecture.md, the import-linter contracts, the real graph."""

from __future__ import annotations

import ast
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "crossfin"


def _contract_layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    floors = next(c for c in config["contracts"] if c["id"] == "floors")
    return [" | ".join(part.strip() for part in layer.split("|")) for layer in floors["layers"]]


def _drawn_layers() -> list[str]:
    text = (ROOT / "docs" / "architecture.md").read_text()
    block = text.split("<!-- floors", 1)[1].split("<!-- /floors -->", 1)[0]
    lines = [line for line in block.splitlines()[1:] if line.strip() and line != "```"]
    return [line.split("  ")[0].strip() for line in lines]


def test_the_drawing_and_the_contracts_name_the_same_floors_in_order() -> None:
    assert _drawn_layers() == _contract_layers()


def test_every_top_level_package_has_a_floor() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    drawn = {name.strip() for layer in _drawn_layers() for name in layer.split("|")}
    assert packages == drawn


def _top_level_graph() -> dict[str, set[str]]:
    """Which top-level package imports which, from the source (every import, lazy too)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).parts
        if len(parts) == 1:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                bits = name.split(".")
                if bits[0] == "crossfin" and len(bits) > 1 and bits[1] != parts[0]:
                    graph[parts[0]].add(bits[1])
    return graph


def test_no_cycle_between_top_level_packages() -> None:
    graph = _top_level_graph()
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        assert node not in path, f"import cycle: {' -> '.join([*path, node])}"
        if node in done:
            return
        for target in sorted(graph.get(node, ())):
            visit(target, [*path, node])
        done.add(node)

    for package in sorted(graph):
        visit(package, [])
    assert graph["api"], "the scan found no imports"

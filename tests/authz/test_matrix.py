"""The authorization matrix: every route x every caller x the record's relation.

`tests/authz/matrix.csv` holds the reviewed answer of every cell (how it was made and what
the columns mean: its header, tests/authz/generate.py and tests/support/authz.py). This
test answers every cell again and fails on any difference, on a 5xx, on a 404 for a record
the caller may not see that reads otherwise than the 404 for no record at all, and on a
route that has no rows yet: a new route is added to `support.authz.SPECS`, generated and
reviewed before it ships.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crossfin.api.app import create_app
from crossfin.core import secrets
from crossfin.core.db import Database
from crossfin.ledger import keys
from support.authz import (
    CHUNKS,
    MATRIX,
    Observer,
    Route,
    World,
    app_routes,
    chunk_of,
    matrix_settings,
    read_matrix,
    unreviewed,
)

HOW = (
    "add the route to support.authz.SPECS, run `PYTHONPATH=src python "
    "tests/authz/generate.py`, and review its new rows against the rules"
)


def _settings(tmp_path: Path, db_url: str):  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    settings = matrix_settings(data, db_url)
    keys.ensure_log_key(settings)
    secrets.ensure_platform_secret(settings)
    return settings


def test_every_route_has_reviewed_rows(tmp_path: Path, db_url: str, db: Database) -> None:
    routes = app_routes(create_app(_settings(tmp_path, db_url), db))
    problems = unreviewed(routes, read_matrix(MATRIX))
    assert not problems, "\n".join(problems) + f"\n{HOW}"


def test_a_new_route_fails_until_it_has_rows() -> None:
    cells = read_matrix(MATRIX)
    served = [Route("GET", "/v1/me", page=False), Route("POST", "/v1/new-thing", page=False)]
    assert unreviewed(served, cells)[0] == "POST /v1/new-thing: no request in support.authz.SPECS"
    partial = {
        cell: value
        for cell, value in cells.items()
        if cell[:2] != ("GET", "/v1/me") or cell[3] != "bank"
    }
    assert (
        unreviewed([Route("GET", "/v1/me", page=False)], partial)[0]
        == "GET /v1/me: 4 cells missing, e.g. ('GET', '/v1/me', '-', 'bank', 'admin')"
    )


@pytest.mark.parametrize("chunk", CHUNKS)
def test_every_cell_answers_as_reviewed(
    chunk: str, tmp_path: Path, db_url: str, db: Database
) -> None:
    settings = _settings(tmp_path, db_url)
    app = create_app(settings, db)
    observer = Observer(app, World(db, settings))
    try:
        routes = [r for r in app_routes(app) if chunk_of(r) == chunk]
        found = observer.observe(routes)
    finally:
        observer.close()
    expected = read_matrix(MATRIX)
    wrong = [
        f"{method} {path} {rel} {kind}/{role}: reviewed {expected.get(cell)}, answered {answer}"
        for cell, answer in found.items()
        for method, path, rel, kind, role in [cell]
        if expected.get(cell) != answer
    ]
    assert not observer.problems, "\n".join(observer.problems)
    assert not wrong, f"{len(wrong)} cells differ from {MATRIX.name}:\n" + "\n".join(wrong[:60])

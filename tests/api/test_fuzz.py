"""schemathesis against /openapi.json: no 5xx, and every answer as the description says.

Every operation of the description is called with generated requests, valid and invalid
(examples, coverage and fuzzing phases), in process through the ASGI app, on the test
database (SQLite, or PostgreSQL with CROSSFIN_TEST_DATABASE_URL) seeded through the
services with the authorization matrix's world (tests/support/authz.py). Requests carry
its real API keys, every role of every kind of party, one after the other (`ignored_auth`
sends each operation without a key as well), and path parameters name its records half
the time. No answer may be a 5xx, each must have a
status, media type, headers and body the description documents for its operation, and a
405 must name every method of its path in `Allow`.

Bounded for CI (docs/api.md, "Fuzzing"): a fixed seed, `EXAMPLES` cases per operation and
phase, and a wall-time budget after which the run stops at the next operation.
`make fuzz` runs it longer: CROSSFIN_FUZZ_EXAMPLES, CROSSFIN_FUZZ_SECONDS, CROSSFIN_FUZZ_SEED.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis import engine
from schemathesis.engine import events

from crossfin.api.app import create_app
from crossfin.core import secrets
from crossfin.core.db import Database
from crossfin.ledger import keys
from support.authz import World, matrix_settings

EXAMPLES = int(os.environ.get("CROSSFIN_FUZZ_EXAMPLES", "50"))
SECONDS = float(os.environ.get("CROSSFIN_FUZZ_SECONDS", "240"))
SEED = int(os.environ.get("CROSSFIN_FUZZ_SEED", "20261203"))
# Every check schemathesis has that reads one answer against the description, and the
# 405 checks. Left out: positive_data_acceptance (a valid request naming a record that
# does not exist is rightly a 404, a valid write by the wrong role a 403), and the checks
# that follow links between operations (the description declares none).
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "ignored_auth",
    "unsupported_method",
    "allow_header_conformance",
]


def _keys_in_turn(api_keys: list[str]) -> type:
    """An auth provider for schemathesis: each request gets the next key, in turn."""
    turn = itertools.cycle(api_keys)

    class KeysInTurn:
        def get(self, case: Any, context: Any) -> str:
            return next(turn)

        def set(self, case: Any, data: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    return KeysInTurn


@schemathesis.serializer("application/x-ndjson")
def _json_lines(context: Any, value: Any) -> bytes:
    """Batch lines are text (schemathesis sends other text/* types as text/plain does);
    a value of another type, generated to break the schema, goes as its JSON text."""
    text = value if isinstance(value, str) else json.dumps(value)
    return text.encode("utf-8", "surrogatepass")


@dataclass
class Run:
    """What a run found, and what it sent (statuses by operation, for the log)."""

    failures: list[str] = field(default_factory=list)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    finished: events.EngineFinished | None = None

    def summary(self) -> str:
        sent = sum(self.statuses.values())
        by_status = Counter(status for _, status in self.statuses.elements())
        assert self.finished is not None
        return (
            f"fuzz: {sent} requests in {self.finished.running_time:.0f} s "
            f"({self.finished.stop_reason}), by status {dict(sorted(by_status.items()))}"
        )


def _records(world: World) -> dict[str, list[Any]]:
    """Path parameters of real records, the caller's own and others', by parameter name."""
    records = world.read.values()
    return {
        "org_id": sorted(world.org.values()),
        "financing_id": [r["financing"] for r in records],
        "need_id": [r["need"] for r in records],
        "offer_id": [r["offer"] for r in records],
        "consent_id": [r["consent"] for r in records],
        "request_id": [r["verification"] for r in records],
        "index": [r["entry"] for r in records],
        "ref": [r["batch"] for r in records],
        "kind": sorted({r["doc"].kind for r in records}),
        "key": [r["doc"].key for r in records],
    }


def _fuzz(app: FastAPI, api_keys: list[str], records: dict[str, list[Any]]) -> Run:
    """Run schemathesis over every operation; the failures (with a curl to replay each).

    Path parameters name a real record half the time (else a generated value), so that
    answers other than 404 are checked too.
    """
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "dictionaries": {name: {"values": values} for name, values in records.items()},
            "parameters": {
                f"path.{name}": {"dictionary": name, "probability": 0.5} for name in records
            },
            "generation": {"max-examples": EXAMPLES, "database": "none"},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "phases": {"stateful": {"enabled": False}},
            "workers": 1,
        }
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    schema.auth(refresh_interval=None)(_keys_in_turn(api_keys))
    stream = engine.from_schema(schema).execute()
    deadline = time.monotonic() + SECONDS
    run = Run()
    for event in stream:
        if time.monotonic() > deadline:
            stream.stop()  # the next event is the last
        if isinstance(event, events.ScenarioFinished):
            _record(run, event)
        elif isinstance(event, events.NonFatalError | events.FatalError):
            run.failures.append(f"{getattr(event, 'label', 'run')}: {_error_text(event)}")
        elif isinstance(event, events.EngineFinished):
            run.failures += [f"{f.title}: {f.message}" for f in event.failures]
            run.finished = event
            return run
    raise AssertionError("the run ended without EngineFinished")


def _record(run: Run, event: events.ScenarioFinished) -> None:
    label = event.recorder.label
    for interaction in event.recorder.interactions.values():
        if interaction.response is not None:
            run.statuses[(label, interaction.response.status_code)] += 1
    for checks in event.recorder.checks.values():
        for check in checks:
            if check.failure_info is not None:
                failure = check.failure_info.failure
                run.failures.append(
                    f"{label}: {check.name}: {failure.title}\n"
                    f"{failure.message}\n{check.failure_info.code_sample}"
                )


def _error_text(event: events.NonFatalError | events.FatalError) -> str:
    error = event.value if isinstance(event, events.NonFatalError) else event.exception
    return f"{type(error).__name__}: {error}"


@pytest.mark.slow
def test_answers_match_the_description(tmp_path: Path, db_url: str, db: Database) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    settings = matrix_settings(data, db_url)
    keys.ensure_log_key(settings)
    secrets.ensure_platform_secret(settings)
    world = World(db, settings)
    callers = [who.key for who in world.callers.values()]
    run = _fuzz(create_app(settings, db), callers, _records(world))
    print(run.summary())
    unique = sorted(set(run.failures))
    assert not unique, f"{len(unique)} failures:\n\n" + "\n\n".join(unique[:40])

"""Loading a version of a scenario's caps (a ledger event) and reading the one in force.

Which version applies: the highest version of the scenario whose `effective_from` is on
or before the financing's date. When none is loaded for that date, the shipped defaults
(`defaults.json`, package data) apply and are named as such ("source": "shipped", with
their digest) in the ledger content. Why a fallback rather than a refusal: a fresh
installation (`make run`, the test suite, a restored backup) must finance without an
operator step, and the shipped file is the documented, digest-pinned data a bank starts
from; `crossfin scenarios caps set --defaults` loads the same file as version 1.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crossfin.core.canonical import canonical_json
from crossfin.core.clock import utcnow
from crossfin.core.errors import Conflict, FieldError, ValidationFailed, field_errors, invalid
from crossfin.financing.caps.models import ScenarioCaps
from crossfin.financing.caps.schemas import PARAMS, CapsIn, CapsOut, CapsParams
from crossfin.financing.caps.state import caps_commitment
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork


@dataclass(frozen=True)
class InForce:
    """The caps a financing (or a need) is decided under."""

    scenario: str
    version: int | None  # None: the shipped defaults
    effective_from: date
    params: CapsParams
    sha256: str

    def named(self) -> dict[str, Any]:
        """How a ledger event names the caps it applied."""
        source = "loaded" if self.version is not None else "shipped"
        return {"version": self.version, "source": source, "params_sha256": self.sha256}

    def out(self) -> CapsOut:
        return CapsOut(
            scenario=self.scenario,
            version=self.version,
            source="loaded" if self.version is not None else "shipped",
            effective_from=self.effective_from,
            params=self.params.model_dump(mode="json"),
            params_sha256=self.sha256,
        )


def parse_params(scenario: str, params: dict[str, Any]) -> tuple[CapsParams, bytes]:
    """The scenario's params validated (422 naming `params.<field>`), and their canonical
    JSON (decimals as the strings given, normalised by the model)."""
    model = PARAMS.get(scenario)
    if model is None:
        raise invalid("scenario", f"no caps for {scenario!r}; known: {', '.join(sorted(PARAMS))}")
    try:
        parsed = model.model_validate(params)
    except ValidationError as exc:
        errors = field_errors(exc)
        raise ValidationFailed(
            [
                FieldError(f"params.{e.field}" if e.field != "body" else "params", e.reason)
                for e in errors
            ]
        ) from None
    return parsed, canonical_json(parsed.model_dump(mode="json"))


def set_caps(uow: UnitOfWork, data: CapsIn) -> tuple[ScenarioCaps, Receipt | None]:
    """Load one version; the same version again as it is changes nothing (receipt None).
    A loaded version is fixed (financings name it): different params → 409 on `version`."""
    _, raw = parse_params(data.scenario, data.params)
    digest = hashlib.sha256(raw).hexdigest()
    query = select(ScenarioCaps).where(
        ScenarioCaps.scenario == data.scenario, ScenarioCaps.version == data.version
    )
    row = uow.session.scalars(query.with_for_update()).one_or_none()
    if row is not None:
        return _same(row, data, digest), None
    row = ScenarioCaps(
        scenario=data.scenario,
        version=data.version,
        effective_from=data.effective_from,
        params=raw.decode(),
        params_sha256=digest,
        created_at=utcnow(),
    )
    try:
        with uow.session.begin_nested():
            uow.session.add(row)
            uow.session.flush()
    except IntegrityError:
        # A concurrent load of the same version committed first (FOR UPDATE locks no
        # row that does not exist yet): answer as if it had come before.
        return _same(uow.session.scalars(query).one(), data, digest), None
    receipt = uow.record(
        EventType.SCENARIO_CAPS_SET,
        subjects={"scenario_caps": row.id},
        content={
            "scenario": row.scenario,
            "version": row.version,
            "effective_from": row.effective_from,
            "params": json.loads(row.params),
            "params_sha256": digest,
        },
        state=caps_commitment(row),
    )
    return row, receipt


def _same(row: ScenarioCaps, data: CapsIn, digest: str) -> ScenarioCaps:
    """The loaded version, when `data` loads it again as it is; 409 otherwise."""
    if row.params_sha256 == digest and row.effective_from == data.effective_from:
        return row
    raise Conflict(
        f"{data.scenario} caps version {data.version} is already loaded with other "
        "values: load a new version",
        field="version",
    )


def _of_row(row: ScenarioCaps) -> InForce:
    params, _ = parse_params(row.scenario, json.loads(row.params))
    return InForce(row.scenario, row.version, row.effective_from, params, row.params_sha256)


@cache
def shipped() -> tuple[CapsIn, ...]:
    """The defaults crossfin ships (package data), validated once."""
    text = resources.files(__package__).joinpath("defaults.json").read_text(encoding="utf-8")
    return tuple(CapsIn.model_validate(item) for item in json.loads(text))


def _shipped_in_force(scenario: str, on: date) -> InForce:
    found = [c for c in shipped() if c.scenario == scenario and c.effective_from <= on]
    if not found:
        raise invalid("scenario", f"no caps for {scenario!r} on {on}")
    best = max(found, key=lambda c: c.version)
    params, raw = parse_params(best.scenario, best.params)
    return InForce(scenario, None, best.effective_from, params, hashlib.sha256(raw).hexdigest())


def caps_in_force(session: Session, scenario: str, on: date) -> InForce:
    """The caps of `scenario` in force on `on`: the newest loaded version effective by
    then, else the shipped defaults."""
    query = (
        select(ScenarioCaps)
        .where(ScenarioCaps.scenario == scenario, ScenarioCaps.effective_from <= on)
        .order_by(ScenarioCaps.version.desc())
        .limit(1)
    )
    row = session.scalars(query).first()
    return _of_row(row) if row is not None else _shipped_in_force(scenario, on)


def list_caps(session: Session, scenario: str | None = None) -> list[InForce]:
    """Every loaded version (of `scenario` if given), by scenario then version."""
    query = select(ScenarioCaps).order_by(ScenarioCaps.scenario, ScenarioCaps.version)
    if scenario is not None:
        query = query.where(ScenarioCaps.scenario == scenario)
    return [_of_row(row) for row in session.scalars(query)]


def all_in_force(session: Session, on: date, scenario: str | None = None) -> list[InForce]:
    names = [scenario] if scenario is not None else sorted(PARAMS)
    return [caps_in_force(session, name, on) for name in names]

"""The forms crossfin ships: one JSON file per form version in this folder, each in the
API's `FormIn` shape (filings/schemas.py).

A file may give `"definition_from": "<path>"` instead of `definition`: a path inside the
`crossfin.filings` package holding the definition, so that a statistics template kept as
data beside its validator (filings/forms/data/) is not copied here. Loading them is the
ordinary `catalogue.set_form` (one ledger event per form changed; the same one again
changes nothing), so `crossfin filings forms load --builtin`, `make run`'s demo and the
tests all reach the catalogue through one function.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from crossfin.filings.catalogue import set_form
from crossfin.filings.models import FilingForm
from crossfin.filings.schemas import FormIn
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork


def builtin_forms() -> list[FormIn]:
    """Every shipped form version, in file-name order."""
    folder = files("crossfin.filings") / "builtin"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".json"))
    return [FormIn.model_validate(_resolved(json.loads(_read(folder / n)))) for n in names]


def _read(resource: Any) -> str:
    return str(resource.read_text(encoding="utf-8"))


def _resolved(raw: dict[str, Any]) -> dict[str, Any]:
    """`definition_from` replaced by the definition it names."""
    ref = raw.pop("definition_from", None)
    if ref is None:
        return raw
    resource: Any = files("crossfin.filings")
    for part in str(ref).split("/"):
        resource = resource / part
    return {**raw, "definition": json.loads(_read(resource))}


def load_builtin(uow: UnitOfWork) -> list[tuple[FilingForm, Receipt | None]]:
    """Load every shipped form (idempotent); the caller commits."""
    return [set_form(uow, data) for data in builtin_forms()]

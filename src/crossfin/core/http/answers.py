"""HTTP answer bodies of state-changing requests: the payload and its ledger receipt."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

from pydantic import BaseModel


class HasReceipt(Protocol):
    """A ledger receipt (crossfin.ledger.journal.Receipt) as answers carry it."""

    def as_dict(self) -> dict[str, Any]:
        """{event_id, leaf_hash, leaf_index}."""
        ...


def answer_body(payload: Mapping[str, Any] | BaseModel, receipt: HasReceipt | None) -> bytes:
    """The JSON body of a state-changing answer: the payload, and its `receipt` if any."""
    data = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else dict(payload)
    if receipt is not None:
        data["receipt"] = receipt.as_dict()
    return json.dumps(data, ensure_ascii=False, default=str).encode()


PROBLEM_JSON = "application/problem+json"


def problem_body(problem: Mapping[str, Any]) -> bytes:
    """A problem's body as the app's error handlers send it (Starlette's JSONResponse
    rendering), so a stored problem replays byte for byte."""
    return json.dumps(
        problem, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode()

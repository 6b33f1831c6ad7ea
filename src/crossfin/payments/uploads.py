"""A bank's template upload: read, check each row, submit them all in one transaction.

`apply_template` is the one function the API (`POST /v1/payments/uploads`), the portal's
upload page and the benchmark call; `crossfin payments apply FILE` sends the template to
the API in parts. The rows that parse are submitted together (`submission.submit`,
bulk: the class gate then allows only facilitated payers) and each row gets its outcome:
`submitted` (201, the payment's id), `refused` (403/409, its problem type) or `invalid`
(422).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from crossfin.core import collector
from crossfin.core.errors import CrossfinError
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.access import Caller
from crossfin.payments import submission, template
from crossfin.payments.schemas import UploadOut, UploadRowOut
from crossfin.payments.service import Submitted, check_maker

T = TypeVar("T")


def apply_template(
    tx: Transactions,
    caller: Caller,
    content: bytes,
    fmt: str,
    keep: Callable[[UnitOfWork, UploadOut], T] | None = None,
) -> tuple[UploadOut, T | None]:
    """Submit a template's rows for `caller`'s bank; the row-by-row results.

    `keep(uow, results)` stores an entry point's answer with the change (Idempotency-Key).
    """
    check_maker(caller)
    # The rows' objects live until the end: the cyclic collector would scan them for nothing.
    with collector.paused():
        return _apply(tx, caller, content, fmt, keep)


def _apply(
    tx: Transactions,
    caller: Caller,
    content: bytes,
    fmt: str,
    keep: Callable[[UnitOfWork, UploadOut], T] | None,
) -> tuple[UploadOut, T | None]:
    rows = template.read_rows(content, fmt)
    good, results = template.parse(rows)
    holder: dict[str, UploadOut] = {}

    def kept(uow: UnitOfWork, outcomes: list[submission.Outcome]) -> T | None:
        out = template.summary(results + _rows(good, outcomes))
        holder["out"] = out
        return keep(uow, out) if keep is not None else None

    outcomes, answer = submission.submit(tx, caller, [p for _, p in good], bulk=True, keep=kept)
    return holder.get("out") or template.summary(results + _rows(good, outcomes)), answer


def _rows(
    good: Sequence[tuple[template.Row, object]], outcomes: list[submission.Outcome]
) -> list[UploadRowOut]:
    out = []
    for (row, _), outcome in zip(good, outcomes, strict=True):
        if isinstance(outcome, Submitted):
            out.append(template.result_of(row, "submitted", 201, None, None, outcome.payment_id))
        elif isinstance(outcome, CrossfinError):
            kind = "invalid" if outcome.status == 422 else "refused"
            out.append(template.result_of(row, kind, outcome.status, outcome.slug, outcome.detail))
    return out

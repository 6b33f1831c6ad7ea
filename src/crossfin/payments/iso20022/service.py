"""The ISO 20022 use case of payments: submit a pacs.008 or pain.001 as a payment.

The message is validated against its XSD and mapped (a 422 `/iso20022-invalid` problem
naming the XPath and the rule when it cannot), then submitted through
`submission.submit`, the one function every entry point calls: the same rules, refusals,
alerts and ledger events as POST /v1/payments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from crossfin.core.errors import CrossfinError
from crossfin.core.iso20022 import Message
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.access import Caller
from crossfin.payments import submission
from crossfin.payments.iso20022.schemas import PACS_008, PAIN_001, SCHEMAS
from crossfin.payments.iso20022.transfer import read_transfer, xpath_of
from crossfin.payments.schemas import PaymentIn
from crossfin.payments.service import Submitted

T = TypeVar("T")


def read(data: bytes) -> PaymentIn:
    """The payment a pacs.008 or pain.001 (`data`) asks for; raises MessageInvalid."""
    return read_transfer(SCHEMAS.parse(data, (PACS_008, PAIN_001)))


def _located(error: CrossfinError, msg: Message) -> CrossfinError:
    """A refusal whose fields are also named by XPath (`xpaths`), for the bank's system."""
    fields = [e["field"] for e in error.extra.get("errors", []) if isinstance(e, dict)]
    if fields:
        error.extra["xpaths"] = {field: xpath_of(msg, field) for field in fields}
    return error


def submit(
    tx: Transactions,
    caller: Caller,
    data: bytes,
    keep: Callable[[UnitOfWork, list[submission.Outcome]], T] | None = None,
) -> tuple[Submitted, T | None]:
    """Submit the payment of a pacs.008 or pain.001; raises its refusal."""
    msg = SCHEMAS.parse(data, (PACS_008, PAIN_001))
    [outcome], kept = submission.submit(tx, caller, [read_transfer(msg)], keep=keep)
    if isinstance(outcome, CrossfinError):
        raise _located(outcome, msg)  # its alert, if any, is recorded with the refusal
    return outcome, kept

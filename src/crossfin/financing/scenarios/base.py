"""What a scenario declares: its documents, the share of each it may use, its checks.

The core (service.register_many) loads the documents and the scenario's caps in force on
the financing's date (financing/caps), asks the scenario to `plan` the claims, converts each
claim into the document's currency, checks `usable_minor` (the scenario's cap, 422) and then
the one balance (409), and records everything in one transaction. A scenario never keeps a
balance of its own, nor a limit: its limits are data (`Request.caps`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Any, ClassVar, TypeVar

from crossfin.core.errors import FieldError, ValidationFailed
from crossfin.documents.balance import Claim, split_pro_rata
from crossfin.documents.models import Document
from crossfin.financing.caps.schemas import CapsParams
from crossfin.financing.lifecycle import Action, Release
from crossfin.parties.models import Organization


@dataclass
class Loaded:
    """A document named in the request, with its current normalised content."""

    document: Document
    content: dict[str, Any]
    position: int
    amount_minor: int | None  # the allocation asked for, in the loan's currency

    @property
    def field(self) -> str:
        return f"documents[{self.position}]"

    @property
    def label(self) -> str:
        return f"{self.document.kind} {self.document.key}"


@dataclass(frozen=True)
class Request:
    """The financing as a scenario sees it."""

    applicant: Organization
    amount_minor: int
    currency: str
    today: date
    # The scenario's caps in force on `today` (financing/caps), and the due date asked.
    caps: CapsParams
    due_date: date | None = None


P = TypeVar("P", bound=CapsParams)


def caps_as(request: Request, model: type[P]) -> P:
    """The request's caps as the scenario's own model (registration loads the right one)."""
    if not isinstance(request.caps, model):
        raise TypeError(f"expected {model.__name__}, got {type(request.caps).__name__}")
    return request.caps


def ratio_of(value_minor: int, ratio: Decimal) -> int:
    """`ratio` of an amount in minor units, rounded down (a cap never rounds up)."""
    return int((Decimal(value_minor) * ratio).to_integral_value(ROUND_FLOOR))


class Scenario(ABC):
    """Base of every scenario; subclasses set the class attributes and `plan`."""

    name: ClassVar[str]
    title: ClassVar[str]
    kinds: ClassVar[frozenset[str]]

    @abstractmethod
    def plan(self, request: Request, docs: Sequence[Loaded]) -> list[Claim]:
        """Check the documents and say what the financing asks of each (loan currency)."""

    def usable_minor(self, claim: Claim, request: Request, docs: Sequence[Loaded]) -> int | None:
        """The most this financing may take of the document (its currency); None: no cap."""
        return claim.document.value_minor

    def release_for(self, action: Action, default: Release) -> Release:
        """What `action` does to the balance; scenarios may refine the lifecycle default."""
        return default

    def watchers(self, docs: Sequence[Loaded]) -> set[int]:
        """Organizations besides bank and enterprise entitled to see the financing."""
        return set()

    def fits(self, kinds: Sequence[str]) -> bool:
        """Whether a set of offered documents (F7) makes an application of this scenario."""
        return bool(kinds) and set(kinds) <= self.kinds

    # Shared checks -----------------------------------------------------------------

    @staticmethod
    def check_kinds(docs: Sequence[Loaded], allowed: frozenset[str]) -> list[FieldError]:
        return [
            FieldError(d.field, f"a {d.document.kind} cannot back this scenario")
            for d in docs
            if d.document.kind not in allowed
        ]

    @staticmethod
    def check_owner(request: Request, docs: Sequence[Loaded]) -> list[FieldError]:
        """Every document must belong to the applicant (its OWNER field is its USCC)."""
        return [
            FieldError(d.field, f"{d.label} does not belong to the applicant")
            for d in docs
            if d.document.owner_uscc != request.applicant.uscc
        ]

    @staticmethod
    def check_export(docs: Sequence[Loaded]) -> list[FieldError]:
        """Declarations must be exports (I/E flag, digit 9 of the number, is 0)."""
        return [
            FieldError(d.field, f"{d.label} is an import declaration")
            for d in docs
            if d.document.kind == "customs_declaration" and d.document.key[8] != "0"
        ]

    @staticmethod
    def allocate(request: Request, docs: Sequence[Loaded]) -> list[int]:
        """Each document's share of the loan: as asked (summing to the loan), or pro rata.

        Without amounts, the loan is split in proportion to the documents' values, which
        needs them all in one currency.
        """
        given = [d.amount_minor for d in docs]
        if all(a is not None for a in given):
            total = sum(a for a in given if a is not None)
            if total != request.amount_minor:
                raise ValidationFailed(
                    [
                        FieldError(
                            "documents",
                            "the documents' amounts must add up to the financing amount",
                        )
                    ]
                )
            return [a for a in given if a is not None]
        if any(a is not None for a in given):
            raise ValidationFailed(
                [FieldError("documents", "give an amount for every document or for none")]
            )
        if len(docs) == 1:
            return [request.amount_minor]
        currencies = {d.document.currency for d in docs}
        if len(currencies) != 1 or not all(d.document.value_minor for d in docs):
            raise ValidationFailed(
                [FieldError("documents", "documents in several currencies need an amount each")]
            )
        return split_pro_rata(request.amount_minor, [d.document.value_minor for d in docs])


def raise_if(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed(errors)

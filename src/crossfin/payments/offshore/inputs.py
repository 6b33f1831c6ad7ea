"""A P4 check's input, checked and normalised with the document kinds' own field checkers:
every bad field named at once (422), nothing looked up yet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crossfin.core.errors import FieldError, ValidationFailed
from crossfin.core.money import parse_amount
from crossfin.documents.kinds.fields import (
    check_container,
    check_country,
    check_currency,
    check_doc_number,
    check_hs_code,
    check_quantity,
    check_text,
    check_unit,
    check_uscc,
)
from crossfin.payments.offshore.compare import Goods, Party
from crossfin.payments.offshore.schemas import CheckIn


@dataclass(frozen=True)
class Checked:
    external_ref: str
    enterprise_uscc: str
    contract_no: str
    amount_minor: int
    currency: str
    buyer: Party
    seller: Party
    bl_key: str
    declaration_key: str
    containers: tuple[str, ...]
    goods: Goods | None


def normalise(data: CheckIn) -> Checked:
    """The check's values in their documents' normal forms; ValidationFailed names each bad one."""
    errors: list[FieldError] = []

    def take(name: str, check: Callable[[Any], Any], value: Any) -> Any:
        try:
            return check(value)
        except ValueError as exc:
            errors.append(FieldError(name, str(exc)))
            return None

    c = data.contract
    currency = take("contract.currency", check_currency, c.currency)
    amount = 0
    if currency is not None:
        try:
            amount = parse_amount(c.amount, currency)
        except ValueError as exc:
            errors.append(FieldError("contract.amount", str(exc)))
        if amount <= 0 and not any(e.field == "contract.amount" for e in errors):
            errors.append(FieldError("contract.amount", "must be greater than zero"))
    parties = {
        side: Party(
            take(f"contract.{side}.name", check_text, party.name) or "",
            take(f"contract.{side}.country", check_country, party.country) or "",
        )
        for side, party in (("buyer", c.buyer), ("seller", c.seller))
    }
    containers = [
        take(f"containers[{i}]", check_container, number)
        for i, number in enumerate(data.containers)
    ]
    seen: set[str] = set()
    for i, number in enumerate(containers):
        if number is not None and number in seen:
            errors.append(FieldError(f"containers[{i}]", "is listed twice"))
        seen.add(number or "")
    checked = Checked(
        external_ref=data.external_ref.strip(),
        enterprise_uscc=take("enterprise_uscc", check_uscc, data.enterprise_uscc) or "",
        contract_no=take("contract.number", check_doc_number, c.number) or "",
        amount_minor=amount,
        currency=currency or "",
        buyer=parties["buyer"],
        seller=parties["seller"],
        bl_key=take("bill_of_lading", check_doc_number, data.bill_of_lading) or "",
        declaration_key=take("declaration", check_doc_number, data.declaration) or "",
        containers=tuple(n for n in containers if n is not None),
        goods=_goods(data, take),
    )
    if not checked.external_ref:
        errors.append(FieldError("external_ref", "must not be empty"))
    if errors:
        raise ValidationFailed(errors)
    return checked


def _goods(data: CheckIn, take: Callable[[str, Callable[[Any], Any], Any], Any]) -> Goods | None:
    g = data.goods
    if g is None:
        return None
    if (g.quantity is None) != (g.unit is None):
        take("goods.unit", _refuse("a quantity and its unit come together"), None)

    def optional(name: str, check: Callable[[Any], Any], value: Any) -> Any:
        return None if value is None else take(f"goods.{name}", check, value)

    return Goods(
        hs_code=take("goods.hs_code", check_hs_code, g.hs_code) or "",
        description=optional("description", check_text, g.description),
        quantity=optional("quantity", check_quantity, g.quantity),
        unit=optional("unit", check_unit, g.unit),
        gross_weight_kg=optional("gross_weight_kg", check_quantity, g.gross_weight_kg),
    )


def _refuse(reason: str) -> Callable[[Any], Any]:
    def check(_: Any) -> Any:
        raise ValueError(reason)

    return check

"""What every document kind declares, and the shared validation around its pydantic model.

A kind is a pydantic model (per-field checks, see `fields`) plus a `KindSpec`: which
source may submit it, which fields carry its key, owner and value, which amounts are
scaled by which currency field, and cross-field checks. Validation turns a record into
its normalised content (a JSON-able dict; `DocumentVersion.content` holds its RFC 8785
form) or a list of FieldErrors naming each bad field.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter
from pydantic import ValidationError as PydanticError

from crossfin.core.errors import FieldError, ValidationFailed, field_path
from crossfin.core.errors import field_errors as core_field_errors
from crossfin.documents.kinds.fields import exponent_of
from crossfin.parties.models import OrgKind

Content = dict[str, Any]
CrossCheck = Callable[[Content], list[FieldError]]
# CSV cells of list fields are separated by this character (";" never occurs in the items).
CSV_LIST_SEPARATOR = ";"
_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}


class KindModel(BaseModel):
    """Base of every kind's model: unknown fields are refused, values are normalised."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _reason(error: Mapping[str, Any]) -> str:
    """A short reason from a pydantic error: our own message, or a plain paraphrase."""
    kind, message = error["type"], str(error["msg"])
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        return "unknown field"
    return message.removeprefix("Value error, ")


def field_errors(exc: PydanticError) -> list[FieldError]:
    """Convert a pydantic ValidationError into FieldErrors (dotted path, reason)."""
    return core_field_errors(exc, default="record", reason=_reason)


@dataclass(frozen=True)
class KindSpec:
    """One document kind: its model, its source, and where its key, owner and value live."""

    name: str
    source: OrgKind
    model: type[KindModel]
    key_field: str
    owner_field: str
    single_use: bool
    # Amount field -> the field holding its currency; a fixed currency is written "=CNY".
    amounts: Mapping[str, str]
    # The fields whose sum is the document's value (empty: no value, e.g. a B/L without
    # declared cargo value), and the field (or "=CCY") giving its currency.
    value_fields: tuple[str, ...]
    value_currency: str
    checks: tuple[CrossCheck, ...] = ()
    description: str = ""
    # Fields naming other things (document numbers, containers) that `documents/refs.py`
    # indexes, so that the documents naming one are found without reading every content.
    ref_fields: tuple[str, ...] = ()
    _adapters: dict[str, TypeAdapter[Any]] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def fields(self) -> tuple[str, ...]:
        """Field names in declaration order (the CSV template's header)."""
        return tuple(self.model.model_fields)

    @cached_property
    def required_fields(self) -> frozenset[str]:
        return frozenset(n for n, f in self.model.model_fields.items() if f.is_required())

    def validate(self, record: Mapping[str, Any]) -> Content:
        """Normalised content of a whole record; ValidationFailed names every bad field."""
        # A parsed record is a dict: skip the ABC check (microseconds, a million times).
        if type(record) is not dict and not isinstance(record, Mapping):
            raise ValidationFailed([FieldError("record", "must be a JSON object")])
        try:
            model = self.model.model_validate(record)
        except PydanticError as exc:
            raise ValidationFailed(field_errors(exc)) from None
        content = model.model_dump(mode="json", exclude_none=True)
        errors = self._scale_amounts(content, content)
        if not errors:
            for check in self.checks:
                errors += check(content)
        if errors:
            raise ValidationFailed(errors)
        return content

    def normalise_fields(
        self, partial: Mapping[str, Any], context: Mapping[str, Any] | None = None
    ) -> Content:
        """Validate and normalise a subset of fields, as stored content would hold them.

        Precondition: `partial` maps field names to values as a record would carry them.
        An amount needs its currency: from `partial`, else from `context` (e.g. the stored
        content); cross-field checks are not run. ValidationFailed names every bad field.
        """
        errors: list[FieldError] = []
        content: Content = {}
        for name, value in partial.items():
            adapter = self._adapter(name)
            if adapter is None:
                errors.append(FieldError(name, "unknown field"))
                continue
            try:
                content[name] = adapter.dump_python(adapter.validate_python(value), mode="json")
            except PydanticError as exc:
                errors += [
                    FieldError(field_path((name, *e["loc"])), _reason(e))
                    for e in exc.errors(include_url=False)
                ]
        lookup = {**(context or {}), **content}
        errors += self._scale_amounts(content, lookup)
        if errors:
            raise ValidationFailed(errors)
        return content

    def _adapter(self, name: str) -> TypeAdapter[Any] | None:
        info = self.model.model_fields.get(name)
        if info is None:
            return None
        if name not in self._adapters:
            self._adapters[name] = TypeAdapter(info.rebuild_annotation())
        return self._adapters[name]

    def _scale_amounts(self, content: Content, lookup: Mapping[str, Any]) -> list[FieldError]:
        """Rewrite amounts in `content` to the currency's minor-unit scale, in place."""
        errors: list[FieldError] = []
        for amount_field, currency_ref in self.amounts.items():
            if amount_field not in content:
                continue
            currency = self._currency(currency_ref, lookup)
            if not currency:
                errors.append(FieldError(amount_field, f"needs {currency_ref} to be read"))
                continue
            try:
                content[amount_field] = scale_amount(content[amount_field], currency)
            except ValueError as exc:
                errors.append(FieldError(amount_field, str(exc)))
        return errors

    @staticmethod
    def _currency(ref: str, lookup: Mapping[str, Any]) -> str | None:
        if ref.startswith("="):
            return ref[1:]
        value = lookup.get(ref)
        return value if isinstance(value, str) and value else None

    def key_of(self, content: Mapping[str, Any] | KindModel) -> str:
        """The document key (normalised) of validated content."""
        return str(_as_dict(content)[self.key_field])

    def owner_uscc_of(self, content: Mapping[str, Any] | KindModel) -> str:
        """The USCC of the enterprise that owns the document."""
        return str(_as_dict(content)[self.owner_field])

    def value_of(self, content: Mapping[str, Any] | KindModel) -> tuple[int, str]:
        """(value in minor units, currency) of validated content; (0, "") when it has none."""
        data = _as_dict(content)
        currency = self._currency(self.value_currency, data)
        if not currency:
            return 0, ""
        total, present = 0, False
        for name in self.value_fields:  # a loop, not a list and a sum: once per record
            amount = data.get(name)
            if amount is not None:
                total += minor_units(amount, currency)
                present = True
        return (total, currency) if present else (0, "")

    def from_csv_row(self, row: Mapping[str, str]) -> dict[str, Any]:
        """A CSV row (header -> cell text) as a record: empty cells are absent, lists are
        split on ';', booleans read from true/false. Unknown headers are kept (and refused
        by validation)."""
        record: dict[str, Any] = {}
        for name, cell in row.items():
            text = (cell or "").strip()
            if text == "":
                continue
            shape = self._csv_shape(name)
            if shape == "list":
                record[name] = [p.strip() for p in text.split(CSV_LIST_SEPARATOR) if p.strip()]
            elif shape == "bool" and text.lower() in _TRUE | _FALSE:
                record[name] = text.lower() in _TRUE
            else:
                record[name] = text
        return record

    def _csv_shape(self, name: str) -> str:
        info = self.model.model_fields.get(name)
        if info is None:
            return "text"
        annotation = info.annotation
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        target = (
            args[0] if len(args) == 1 and typing.get_origin(annotation) is not list else annotation
        )
        if typing.get_origin(target) is list:
            return "list"
        return "bool" if target is bool else "text"


# Decimal arithmetic keeps 28 significant digits (the default context): the digit-string
# shortcuts below are taken only for numbers it holds exactly, where they agree with it.
_EXACT_DIGITS = 28
_PLAIN_AMOUNT = re.compile(r"([0-9]+)(?:\.([0-9]+))?")


def minor_units(text: str, currency: str) -> int:
    """Integer minor units of a checked decimal string (as core.money.parse_amount)."""
    exponent = exponent_of(currency)
    plain = _PLAIN_AMOUNT.fullmatch(text) if type(text) is str else None
    if plain is not None:
        whole, fraction = plain.group(1), plain.group(2) or ""
        if len(fraction) <= exponent and len(whole) + exponent <= _EXACT_DIGITS:
            return int(whole + fraction.ljust(exponent, "0"))
    scaled = Decimal(text).scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{currency} amounts have at most {exponent} decimal places")
    return int(scaled)


def scale_amount(text: str, currency: str) -> str:
    """A checked decimal string written with exactly the currency's decimals."""
    exponent = exponent_of(currency)
    minor = minor_units(text, currency)
    digits = str(minor)
    if minor < 0 or len(digits) > _EXACT_DIGITS:
        return format(Decimal(minor).scaleb(-exponent), f".{exponent}f")
    if exponent == 0:
        return digits
    digits = digits.rjust(exponent + 1, "0")
    return f"{digits[:-exponent]}.{digits[-exponent:]}"


def _as_dict(content: Mapping[str, Any] | KindModel) -> Mapping[str, Any]:
    if type(content) is dict:  # validated content; cheaper than the check below
        return content
    if isinstance(content, KindModel):
        return content.model_dump(mode="json", exclude_none=True)
    return content

"""The content of an FX risk transaction report: what a bank sends, and what is kept.

`RiskReportIn` carries an individual's clear ID number (a `SecretStr`, so it never shows
in a repr or a log line); `RiskReportStored` keeps only its keyed hash and last four
characters, and forbids any other field, so a clear number cannot be stored by mistake.
`to_stored` is the only way from one to the other. Amounts arrive as decimal text and are
kept in minor units of their ISO 4217 currency.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator
from pydantic import ValidationError as PydanticValidationError

from crossfin.core.errors import FieldError, ValidationFailed
from crossfin.core.money import parse_amount
from crossfin.filings.risk.codes import Category, Channel, IdType, LinkKind
from crossfin.filings.risk.fields import (
    AmountText,
    Bic,
    Country,
    Currency,
    Email,
    Name,
    Narrative,
    Phone,
    Uscc,
)
from crossfin.filings.risk.identity import fingerprint, normalise_id
from crossfin.filings.risk.issues import RuleError, from_validation_error

MAX_SUBJECTS = 200
MAX_TRANSACTIONS = 5_000
MAX_LINKS = 200


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Enterprise(_Model):
    """An enterprise subject, known by its unified social credit code (check-digit verified)."""

    kind: Literal["enterprise"]
    name: Name
    uscc: Uscc


class _Person(_Model):
    kind: Literal["individual"]
    name: Name
    nationality: Country
    id_type: IdType


class IndividualIn(_Person):
    """An individual as the bank sends it: with the clear ID number."""

    id_number: SecretStr

    @field_validator("id_number", mode="before")
    @classmethod
    def _normalised(cls, value: Any, info: ValidationInfo) -> SecretStr:
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if not isinstance(raw, str):
            raise RuleError("string_type", "must be a string", "必须是字符串").for_pydantic()
        id_type = info.data.get("id_type", IdType.OTHER)  # a bad id_type is reported by itself
        try:
            return SecretStr(normalise_id(id_type, raw))
        except RuleError as exc:
            raise exc.for_pydantic() from None


class IndividualStored(_Person):
    """An individual as kept: the keyed hash (HMAC-SHA-256, hex) and the last four characters."""

    id_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    id_last4: Annotated[str, Field(pattern=r"^[A-Z0-9()\-]{4}$")]


SubjectIn = Annotated[Enterprise | IndividualIn, Field(discriminator="kind")]
SubjectStored = Annotated[Enterprise | IndividualStored, Field(discriminator="kind")]


class Counterparty(_Model):
    name: Name
    country: Country


class _Transaction(_Model):
    date: date
    currency: Currency  # before the amount, whose scale depends on it
    counterparty: Counterparty
    channel: Channel


class TransactionIn(_Transaction):
    amount: AmountText

    @field_validator("amount")
    @classmethod
    def _scale(cls, value: str, info: ValidationInfo) -> str:
        currency = info.data.get("currency")
        if currency is not None:
            try:
                parse_amount(value, currency)
            except ValueError as exc:
                raise RuleError(
                    "amount_scale", str(exc), f"{currency} 金额的小数位数超出该币种的最小单位"
                ).for_pydantic() from None
        return value


class TransactionStored(_Transaction):
    amount_minor: Annotated[int, Field(gt=0, lt=2**63)]


class Link(_Model):
    """A crossfin record the report points at (its existence is checked by the workflow)."""

    kind: LinkKind
    id: Annotated[int, Field(gt=0, lt=2**63)]


class Branch(_Model):
    """The filing bank branch as it names itself, with its BIC when it has one."""

    name: Name
    bic: Bic | None = None


class Contact(_Model):
    """Who at the branch the regulator may ask about the report."""

    name: Name
    phone: Phone
    email: Email | None = None


class _Report(_Model):
    category: Category  # before its detail: fields are validated in this order
    # What "other" means here: required for OTHER, so validated even when left out.
    category_detail: Annotated[Name | None, Field(validate_default=True)] = None
    discovered_on: date  # the deadline clock starts here
    narrative: Narrative
    links: Annotated[list[Link], Field(max_length=MAX_LINKS)] = []
    branch: Branch
    contact: Contact

    @field_validator("category_detail")
    @classmethod
    def _detail_for_other(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("category") is Category.OTHER:
            raise RuleError(
                "category_detail_required",
                "say what the suspicion is when the category is other",
                "类别为“其他”时须说明具体情形",
            ).for_pydantic()
        return value


class RiskReportIn(_Report):
    """What a bank sends: a report with clear ID numbers."""

    subjects: Annotated[list[SubjectIn], Field(min_length=1, max_length=MAX_SUBJECTS)]
    transactions: Annotated[list[TransactionIn], Field(min_length=1, max_length=MAX_TRANSACTIONS)]


class RiskReportStored(_Report):
    """What is kept and exported: no clear ID number, amounts in minor units."""

    schema_version: Literal[1] = 1
    subjects: Annotated[list[SubjectStored], Field(min_length=1, max_length=MAX_SUBJECTS)]
    transactions: Annotated[
        list[TransactionStored], Field(min_length=1, max_length=MAX_TRANSACTIONS)
    ]


def parse_input(data: dict[str, Any]) -> RiskReportIn:
    """A bank's report, or ValidationFailed naming every bad field (values never echoed)."""
    try:
        return RiskReportIn.model_validate(data)
    except PydanticValidationError as exc:
        issues = from_validation_error(exc)
        raise ValidationFailed([FieldError(i.location, i.message_en) for i in issues]) from None


def _stored_subject(subject: Enterprise | IndividualIn, key: bytes) -> SubjectStored:
    if isinstance(subject, Enterprise):
        return subject
    print_ = fingerprint(subject.id_type, subject.id_number.get_secret_value(), key)
    return IndividualStored(
        kind="individual",
        name=subject.name,
        nationality=subject.nationality,
        id_type=subject.id_type,
        id_hash=print_.hash,
        id_last4=print_.last4,
    )


def _stored_transaction(tx: TransactionIn) -> TransactionStored:
    return TransactionStored(
        date=tx.date,
        currency=tx.currency,
        counterparty=tx.counterparty,
        channel=tx.channel,
        amount_minor=parse_amount(tx.amount, tx.currency),
    )


def to_stored(report: RiskReportIn, key: bytes) -> RiskReportStored:
    """The content to keep: ID numbers as keyed hash + last four, amounts in minor units."""
    common = report.model_dump(exclude={"subjects", "transactions"})
    return RiskReportStored.model_validate(
        {
            **common,
            "subjects": [_stored_subject(s, key) for s in report.subjects],
            "transactions": [_stored_transaction(t) for t in report.transactions],
        }
    )


def prepare(data: dict[str, Any], key: bytes) -> dict[str, Any]:
    """A bank's report as the JSON-ready content to store; ValidationFailed names bad fields."""
    return to_stored(parse_input(data), key).model_dump(mode="json")

"""Field types of a risk report: each checks one value, returns its normal form, and on
refusal raises a rule error carrying English and Chinese (see `issues.RuleError`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator
from stdnum import bic as stdnum_bic
from stdnum.exceptions import ValidationError as StdnumError

from crossfin.core.money import currency_exponent
from crossfin.documents.kinds.fields import COUNTRIES
from crossfin.filings.risk.issues import RuleError
from crossfin.parties.identifiers import validate_uscc

NAME_MAX = 200
NARRATIVE_MAX = 20_000
# Integer digits of an amount: keeps minor units inside a signed 64-bit integer.
AMOUNT_INTEGER_DIGITS = 15
_AMOUNT = re.compile(r"[0-9]+(\.[0-9]+)?")
_PHONE = re.compile(r"\+?[0-9][0-9 \-]{4,22}[0-9]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _rule(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Run a check and hand its RuleError to pydantic with both messages."""

    def run(value: Any) -> Any:
        try:
            return check(value)
        except RuleError as exc:
            raise exc.for_pydantic() from None

    return run


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise RuleError("string_type", "must be a string", "必须是字符串")
    return value


def text(limit: int) -> Callable[[Any], str]:
    """Printable text of 1..limit characters, runs of whitespace collapsed to one space."""

    def check(value: Any) -> str:
        collapsed = " ".join(_string(value).split())
        if not collapsed:
            raise RuleError("required_text", "must not be empty", "不能为空")
        if len(collapsed) > limit:
            raise RuleError(
                "text_too_long", f"at most {limit} characters", f"不得超过 {limit} 个字符"
            )
        if not collapsed.isprintable():
            raise RuleError("control_characters", "contains control characters", "含有控制字符")
        return collapsed

    return check


def _narrative(value: Any) -> str:
    """Free text of up to 20,000 characters; line breaks kept, other control characters not."""
    body = _string(value).strip()
    if not body:
        raise RuleError("required_text", "must not be empty", "不能为空")
    if len(body) > NARRATIVE_MAX:
        raise RuleError(
            "text_too_long",
            f"at most {NARRATIVE_MAX} characters",
            f"不得超过 {NARRATIVE_MAX} 个字符",
        )
    if not body.replace("\n", "").replace("\r", "").replace("\t", "").isprintable():
        raise RuleError("control_characters", "contains control characters", "含有控制字符")
    return body.replace("\r\n", "\n")


def _uscc(value: Any) -> str:
    try:
        return validate_uscc(_string(value))
    except ValueError as exc:
        raise RuleError(
            "uscc", f"not a valid unified social credit code: {exc}", "统一社会信用代码无效"
        ) from None


def _country(value: Any) -> str:
    code = _string(value).strip().upper()
    if code not in COUNTRIES:
        raise RuleError(
            "country",
            "not an ISO 3166-1 alpha-2 country code",
            "不是 ISO 3166-1 两位字母国家（地区）代码",
        )
    return code


def _currency(value: Any) -> str:
    code = _string(value).strip().upper()
    try:
        currency_exponent(code)
    except ValueError as exc:
        raise RuleError("currency", str(exc), "不是 ISO 4217 货币代码") from None
    return code


def _amount(value: Any) -> str:
    """Decimal text such as "1234.50", positive; its scale is checked against the currency."""
    body = _string(value).strip()
    if not _AMOUNT.fullmatch(body):
        raise RuleError(
            "amount_format",
            "must be decimal text such as 1234.50 (no sign, exponent or separators)",
            "须为十进制数字文本，如 1234.50（不带符号、指数或分隔符）",
        )
    if len(body.split(".")[0].lstrip("0")) > AMOUNT_INTEGER_DIGITS:
        raise RuleError(
            "amount_too_large",
            f"at most {AMOUNT_INTEGER_DIGITS} integer digits",
            f"整数部分不得超过 {AMOUNT_INTEGER_DIGITS} 位",
        )
    try:
        if Decimal(body) <= 0:
            raise RuleError("amount_positive", "must be greater than zero", "必须大于零")
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise RuleError("amount_format", "not a decimal", "不是十进制数") from None
    return body


def _bic(value: Any) -> str:
    try:
        return str(stdnum_bic.validate(_string(value)))
    except StdnumError:
        raise RuleError("bic", "not a valid ISO 9362 BIC", "不是有效的 SWIFT BIC 代码") from None


def _phone(value: Any) -> str:
    body = _string(value).strip()
    if not _PHONE.fullmatch(body):
        raise RuleError(
            "phone",
            "must be a telephone number (digits, spaces, hyphens, a leading +)",
            "须为电话号码（数字、空格、连字符，可带前导 +）",
        )
    return body


def _email(value: Any) -> str:
    body = _string(value).strip()
    if len(body) > NAME_MAX or not _EMAIL.fullmatch(body):
        raise RuleError("email", "not an e-mail address", "不是有效的电子邮件地址")
    return body


Name = Annotated[str, BeforeValidator(_rule(text(NAME_MAX)))]
Narrative = Annotated[str, BeforeValidator(_rule(_narrative))]
Uscc = Annotated[str, BeforeValidator(_rule(_uscc))]
Country = Annotated[str, BeforeValidator(_rule(_country))]
Currency = Annotated[str, BeforeValidator(_rule(_currency))]
AmountText = Annotated[str, BeforeValidator(_rule(_amount))]
Bic = Annotated[str, BeforeValidator(_rule(_bic))]
Phone = Annotated[str, BeforeValidator(_rule(_phone))]
Email = Annotated[str, BeforeValidator(_rule(_email))]

"""Field types shared by the document kinds: each checks one value and returns its normal form.

Every checker raises ValueError with a reason a source's clerk can act on; pydantic wraps
it, and `kinds.base` turns it back into a FieldError naming the field. Normal forms are
what `DocumentVersion.content` stores: strings stripped, codes upper-case, dates ISO.
Amount fields only check decimal syntax here: their scale depends on the currency, so
`kinds.base` formats them once the currency is known.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BeforeValidator
from stdnum import iso6346
from stdnum.exceptions import ValidationError as StdnumError

from crossfin.core.money import currency_exponent
from crossfin.parties.identifiers import validate_uscc

# ISO 3166-1 alpha-2, officially assigned codes (249).
# fmt: off
COUNTRIES = frozenset([
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
])
# fmt: on

# Plausible business dates: older papers are not financed, later ones are typos.
MIN_DATE = date(1990, 1, 1)
MAX_DATE = date(2099, 12, 31)
MAX_TEXT = 200
# Integer digits allowed in an amount: keeps minor units inside a signed 64-bit integer.
MAX_INTEGER_DIGITS = 15

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DECIMAL = re.compile(r"\d+(\.\d+)?")
_LOCODE = re.compile(r"[A-Z]{2}[A-Z2-9]{3}")
_DOC_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9/._-]*")


def _text_input(value: Any) -> str:
    """The stripped string; anything but a string is refused (records carry strings)."""
    if not isinstance(value, str):
        raise ValueError(f"must be a string, got {_json_type(value)}")
    return value.strip()


def _json_type(value: Any) -> str:
    names = {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)


def check_text(value: Any) -> str:
    """Non-empty printable text of at most 200 characters, inner spaces collapsed."""
    text = " ".join(_text_input(value).split())
    if not text:
        raise ValueError("must not be empty")
    if len(text) > MAX_TEXT:
        raise ValueError(f"at most {MAX_TEXT} characters, got {len(text)}")
    if not text.isprintable():
        raise ValueError("contains control characters")
    return text


def check_uscc(value: Any) -> str:
    """A unified social credit code with a matching check character, compact."""
    return _valid_uscc(_text_input(value))


# A batch names the same few thousand enterprises over and over: remember good codes
# (bad ones raise, and exceptions are never cached).
_valid_uscc = lru_cache(maxsize=65_536)(validate_uscc)
exponent_of = lru_cache(maxsize=512)(currency_exponent)


def check_country(value: Any) -> str:
    """An ISO 3166-1 alpha-2 country code, upper-case."""
    code = _text_input(value).upper()
    if code not in COUNTRIES:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def check_currency(value: Any) -> str:
    """An ISO 4217 currency with a minor unit, upper-case."""
    code = _text_input(value).upper()
    exponent_of(code)  # raises ValueError with the reason
    return code


def check_decimal_text(value: Any) -> str:
    """A plain non-negative decimal string such as "1234.50" (no sign, exponent or commas)."""
    if isinstance(value, Decimal):
        value = format(value, "f")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError('amounts are decimal strings, e.g. "1234.50", never JSON numbers')
    text = _text_input(value)
    if not _DECIMAL.fullmatch(text):
        raise ValueError(f'{text!r} is not a plain decimal number like "1234.50"')
    if len(text.split(".")[0].lstrip("0")) > MAX_INTEGER_DIGITS:
        raise ValueError(f"more than {MAX_INTEGER_DIGITS} integer digits")
    return text


def check_quantity(value: Any) -> str:
    """A positive decimal string, in its shortest form ("12.500" becomes "12.5")."""
    number = Decimal(check_decimal_text(value))
    if number <= 0:
        raise ValueError("must be greater than zero")
    return shortest(number)


def check_ratio(value: Any) -> str:
    """A decimal string in (0, 1], in its shortest form ("0.90" becomes "0.9")."""
    try:
        number = Decimal(check_decimal_text(value))
    except InvalidOperation:  # pragma: no cover - the regex already refused it
        raise ValueError("not a decimal") from None
    if not 0 < number <= 1:
        raise ValueError('must be greater than 0 and at most 1, e.g. "0.90"')
    return shortest(number)


def shortest(number: Decimal) -> str:
    """Plain decimal text without trailing zeros (Decimal.normalize would use exponents)."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def check_date(value: Any) -> date:
    """An ISO 8601 calendar date YYYY-MM-DD between 1990 and 2099."""
    if isinstance(value, date):
        day = value
    else:
        text = _text_input(value)
        if not _DATE.fullmatch(text):
            raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD")
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a calendar date") from None
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValueError(f"{day.isoformat()} is outside {MIN_DATE.year}-{MAX_DATE.year}")
    return day


def check_doc_number(value: Any) -> str:
    """A document number: letters, digits and / . _ - , upper-case, 1 to 64 characters."""
    text = _text_input(value).upper()
    if not 1 <= len(text) <= 64:
        raise ValueError(f"must have 1 to 64 characters, got {len(text)}")
    if not _DOC_NUMBER.fullmatch(text):
        raise ValueError(
            "only letters, digits and / . _ - are allowed, starting with a letter or digit"
        )
    return text


def check_locode(value: Any) -> str:
    """A UN/LOCODE: 2-letter ISO 3166 country and 3 letters or digits 2-9, e.g. CNSZX."""
    code = _text_input(value).upper().replace(" ", "")
    if not _LOCODE.fullmatch(code):
        raise ValueError(f"{code!r} is not a UN/LOCODE (5 characters, e.g. CNSZX)")
    if code[:2] not in COUNTRIES:
        raise ValueError(f"{code[:2]!r} is not an ISO 3166-1 country code")
    return code


def check_container(value: Any) -> str:
    """An ISO 6346 container number with a valid check digit, compact upper-case."""
    text = _text_input(value)
    try:
        return str(iso6346.validate(text))
    except StdnumError as exc:
        raise ValueError(f"{text!r} is not an ISO 6346 container number: {exc}") from None


def check_imo(value: Any) -> str:
    """An IMO ship identification number: 7 digits, the last a check digit (the first six
    weighted 7 down to 2, summed, mod 10); an "IMO" prefix is dropped."""
    text = _text_input(value).upper().removeprefix("IMO").strip()
    if not re.fullmatch(r"[0-9]{7}", text):
        raise ValueError(f"{text!r} is not an IMO number (7 digits)")
    total = sum(int(d) * w for d, w in zip(text[:6], range(7, 1, -1), strict=True))
    if total % 10 != int(text[6]):
        raise ValueError(f"{text!r} is not an IMO number: its check digit should be {total % 10}")
    return text


def check_hs_code(value: Any) -> str:
    """A Harmonized System code: 6 to 10 digits (dots and spaces dropped), e.g. 8471.30."""
    text = _text_input(value).replace(".", "").replace(" ", "")
    if not re.fullmatch(r"[0-9]{6,10}", text):
        raise ValueError(f"{text!r} is not an HS code (6 to 10 digits)")
    return text


def check_unit(value: Any) -> str:
    """A unit of measure code (UN/ECE Recommendation 20, e.g. KGM, PCE, MTQ), upper-case."""
    text = _text_input(value).upper()
    if not re.fullmatch(r"[A-Z0-9]{2,3}", text):
        raise ValueError(f"{text!r} is not a UN/ECE Rec. 20 unit code (2-3 letters or digits)")
    return text


def check_datetime(value: Any) -> str:
    """An ISO 8601 date-time with its UTC offset, normalised to UTC ("...Z", seconds)."""
    text = _text_input(value)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    check_date(moment.astimezone(UTC).date())
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_bool(value: Any) -> bool:
    """A JSON boolean (CSV cells "true"/"false" are converted before this)."""
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {_json_type(value)}")
    return value


def check_digits(length: int) -> Any:
    """A checker for a code of exactly `length` ASCII digits."""
    pattern = re.compile(rf"[0-9]{{{length}}}")

    def check(value: Any) -> str:
        text = _text_input(value)
        if not pattern.fullmatch(text):
            raise ValueError(f"must be exactly {length} digits")
        return text

    return check


Text = Annotated[str, BeforeValidator(check_text)]
Uscc = Annotated[str, BeforeValidator(check_uscc)]
Country = Annotated[str, BeforeValidator(check_country)]
CurrencyCode = Annotated[str, BeforeValidator(check_currency)]
AmountText = Annotated[str, BeforeValidator(check_decimal_text)]
Quantity = Annotated[str, BeforeValidator(check_quantity)]
Ratio = Annotated[str, BeforeValidator(check_ratio)]
IsoDate = Annotated[date, BeforeValidator(check_date)]
DocNumber = Annotated[str, BeforeValidator(check_doc_number)]
Locode = Annotated[str, BeforeValidator(check_locode)]
Container = Annotated[str, BeforeValidator(check_container)]
StrictBool = Annotated[bool, BeforeValidator(check_bool)]
Imo = Annotated[str, BeforeValidator(check_imo)]
HsCode = Annotated[str, BeforeValidator(check_hs_code)]
UnitCode = Annotated[str, BeforeValidator(check_unit)]
IsoDateTime = Annotated[str, BeforeValidator(check_datetime)]

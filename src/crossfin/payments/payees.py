"""The overseas payee: name, country (ISO 3166 alpha-2), account (IBAN checked) or BIC.

Validated with python-stdnum where it has a validator (BIC, IBAN); the list of countries is
CLDR's, through Babel (already the portal's), minus its non-country codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from babel import Locale
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumError

from crossfin.core.errors import FieldError
from crossfin.payments.schemas import PayeeIn

# CLDR territories that are regions or placeholders, not countries.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "XK", "ZZ"})


@cache
def countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 country codes."""
    names = [str(c) for c in Locale("en").territories]
    return frozenset(c for c in names if len(c) == 2 and c.isalpha()) - _NOT_COUNTRIES


@dataclass(frozen=True)
class Payee:
    name: str
    country: str
    account: str | None
    bic: str | None


def check_payee(data: PayeeIn, prefix: str = "payee") -> tuple[Payee | None, list[FieldError]]:
    """The payee in normal form, or the errors naming each bad field."""
    payee, errors = _checked(data.name, data.country, data.account, data.bic, prefix)
    return payee, list(errors)


@lru_cache(maxsize=4096)  # a template pays the same few payees in many rows
def _checked(
    name_in: str, country_in: str, account_in: str | None, bic_in: str | None, prefix: str
) -> tuple[Payee | None, tuple[FieldError, ...]]:
    data = PayeeIn(name=name_in, country=country_in, account=account_in, bic=bic_in)
    errors: list[FieldError] = []
    name = " ".join(data.name.split())
    if not name:
        errors.append(FieldError(f"{prefix}.name", "must not be blank"))
    country = data.country.strip().upper()
    if country not in countries():
        errors.append(FieldError(f"{prefix}.country", "not an ISO 3166 alpha-2 country code"))
    elif country == "CN":
        errors.append(FieldError(f"{prefix}.country", "an outward payment's payee is abroad"))
    account = _account(data.account, f"{prefix}.account", errors)
    bic = None
    if data.bic is not None:
        try:
            bic = stdnum_bic.validate(data.bic)
        except StdnumError as exc:
            errors.append(FieldError(f"{prefix}.bic", f"not a valid BIC ({exc})"))
    if account is None and bic is None and not errors:
        errors.append(FieldError(prefix, "give the payee's account or BIC (or both)"))
    if errors:
        return None, tuple(errors)
    return Payee(name, country, account, bic), ()


def _account(text: str | None, field: str, errors: list[FieldError]) -> str | None:
    """An IBAN (checked) when it looks like one, else an account number of letters and
    digits."""
    if text is None:
        return None
    compact = stdnum_iban.compact(text)
    if len(compact) >= 15 and compact[:2].isalpha() and compact[2:4].isdigit():
        try:
            return str(stdnum_iban.validate(compact))
        except StdnumError as exc:
            errors.append(FieldError(field, f"not a valid IBAN ({exc})"))
            return None
    if not compact.isalnum() or not compact.isascii():
        errors.append(FieldError(field, "letters and digits only"))
        return None
    return compact

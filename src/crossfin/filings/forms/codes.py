"""The standard code lists a form may name: ISO 3166-1 alpha-2 countries and ISO 4217 currencies.

They come from maintained packages (pycountry for ISO 3166-1, iso4217 through
`crossfin.core.money`), never from hand-kept lists, so a withdrawn or new code follows the
package. A form's own lists (instruments, maturities, sectors) are data in its JSON file.
"""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry

from crossfin.core.money import currency_exponent

COUNTRY = "iso3166-1"
CURRENCY = "iso4217"
STANDARD = frozenset({COUNTRY, CURRENCY})


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Alpha-2 code to English short name, for every current ISO 3166-1 entry."""
    return {c.alpha_2: c.name for c in pycountry.countries}


@lru_cache(maxsize=1)
def _zh() -> gettext.NullTranslations:
    # pycountry ships the Debian iso-codes translations; zh_CN names the countries in Chinese.
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True
    )


def is_country(code: str) -> bool:
    """True when `code` is a current ISO 3166-1 alpha-2 code (upper case, as published)."""
    return code in _countries()


def is_currency(code: str) -> bool:
    """True when `code` is an ISO 4217 currency with a minor unit (amounts are minor units)."""
    try:
        currency_exponent(code)
    except ValueError:
        return False
    return True


def country_name(code: str, lang: str) -> str:
    """The country's short name in English or Chinese (`lang` "en" or "zh")."""
    name = _countries()[code]
    return _zh().gettext(name) if lang == "zh" else name


def in_standard(code_list: str, code: str) -> bool:
    """Membership of `code` in one of the STANDARD lists (KeyError for any other list)."""
    if code_list == COUNTRY:
        return is_country(code)
    if code_list == CURRENCY:
        return is_currency(code)
    raise KeyError(code_list)

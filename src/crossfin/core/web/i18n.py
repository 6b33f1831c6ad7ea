"""Portal translations: gettext catalogs read at start-up, markers, the request's language.

Messages are English source text (gettext's convention): templates call `_("...")`,
`pgettext(...)` and `{% trans %}` (Jinja's i18n extension); Python code marks the texts
it holds with `N_` (or `NC_` with a context) and they are translated where they are shown.
The catalogs are `.po` files (`<locale dir>/<lang>/LC_MESSAGES/messages.po`), compiled in
memory when first asked for: no build step and no `.mo` file. English needs no catalog.

This module knows no domain and no web package: the portal's assembly says where its
catalogs are (crossfin/web/pages.py) and hands them to rendering.
"""

from __future__ import annotations

import gettext
import logging
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import Translations

log = logging.getLogger("crossfin.web")

LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"  # the language of the msgids: it has no catalog
LANGUAGE_COOKIE = "crossfin_lang"
DOMAIN = "messages"
# Extraction keywords beyond Babel's defaults (which include `N_`); see babel.cfg.
KEYWORDS = {"NC_": ((1, "c"), 2)}


class CatalogError(ValueError):
    """A catalog file is missing or malformed."""


def N_(message: str) -> str:
    """Mark `message` for extraction; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Contextual:
    """A message with a gettext context (msgctxt), for short texts that translate
    differently in different places (an offer's "Open" is not a need's "Open")."""

    context: str
    message: str

    def __str__(self) -> str:
        return self.message


def NC_(context: str, message: str) -> Contextual:
    """Mark `message` for extraction in `context`; translated where it is shown."""
    return Contextual(context, message)


Message = str | Contextual


def translate(translations: gettext.NullTranslations, message: Message) -> str:
    """`message` (as marked by `N_` or `NC_`) in the language of `translations`."""
    if isinstance(message, Contextual):
        return translations.pgettext(message.context, message.message)
    return translations.gettext(message)


class _Untranslated(gettext.NullTranslations):
    """The fallback of a catalog: a message it lacks shows in English, logged."""

    def gettext(self, message: str) -> str:
        log.warning("missing translation", extra={"msgid": message})
        return message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        log.warning("missing translation", extra={"msgid": msgid1})
        return msgid1 if n == 1 else msgid2

    def pgettext(self, context: str, message: str) -> str:
        log.warning("missing translation", extra={"msgid": message, "msgctxt": context})
        return message

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        log.warning("missing translation", extra={"msgid": msgid1, "msgctxt": context})
        return msgid1 if n == 1 else msgid2


def catalog_path(locale_dir: Path, lang: str) -> Path:
    return locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def load_translations(locale_dir: Path, lang: str) -> gettext.NullTranslations:
    """The translations of `lang` from its `.po` file under `locale_dir`, compiled in memory
    once per process; fuzzy entries are left out. English, the source, has none."""
    if lang == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    path = catalog_path(locale_dir, lang)
    try:
        with path.open("rb") as po:
            catalog = read_po(po, locale=lang, domain=DOMAIN, abort_invalid=True)
    except (OSError, PoFileError) as exc:
        raise CatalogError(f"{path}: {exc}") from exc
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    translations = Translations(compiled, domain=DOMAIN)
    translations.add_fallback(_Untranslated())
    return translations


def negotiate(accept_language: str | None) -> str:
    """The best supported language from an Accept-Language header (RFC 9110 q-values)."""
    best, best_q = DEFAULT_LANGUAGE, -1.0
    for item in (accept_language or "").split(","):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES:
            continue
        q = _quality(params)
        # Strictly greater: on a tie the earlier entry wins, as browsers list in order.
        if q > best_q:
            best, best_q = primary, q
    return best if best_q > 0 else DEFAULT_LANGUAGE


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0


def request_language(cookie: str | None, accept_language: str | None) -> str:
    """The language cookie when valid, else the Accept-Language choice."""
    if cookie in LANGUAGES:
        return cookie
    return negotiate(accept_language)

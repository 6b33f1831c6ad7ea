"""Portal translations: merged JSON catalogs and the request's language."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger("crossfin.web")

LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "crossfin_lang"


class CatalogError(ValueError):
    """A catalog file is malformed, repeats a key, or misses a language."""


def load_catalog(folder: Path) -> dict[str, dict[str, str]]:
    """Merge every `*.json` in `folder`; a key defined twice or lacking a language raises."""
    merged: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    for path in sorted(folder.glob("*.json")):
        entries = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(entries, dict):
            raise CatalogError(f"{path.name}: the top level must be an object")
        for key, texts in entries.items():
            if key in merged:
                raise CatalogError(f"{path.name}: key {key!r} is already in {origin[key]}")
            missing = [lang for lang in LANGUAGES
                       if not isinstance(texts, dict) or not texts.get(lang)]
            if missing:
                raise CatalogError(f"{path.name}: key {key!r} lacks {', '.join(missing)}")
            merged[key], origin[key] = dict(texts), path.name
    return merged


class Translator:
    """`t(key, **params)` for one language; an unknown key shows as itself, logged."""

    def __init__(self, lang: str, entries: Mapping[str, Mapping[str, str]]):
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self.entries = entries

    def __call__(self, key: str, **params: Any) -> str:
        texts = self.entries.get(key)
        if texts is None:
            log.warning("missing translation key", extra={"key": key})
            return key
        text = texts[self.lang]
        return text.format(**params) if params else text

    def has(self, key: str) -> bool:
        return key in self.entries


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

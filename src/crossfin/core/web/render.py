"""Rendering pages: templates with the user, language, CSRF token and menu in context.

The portal's assembly (web/pages.py) owns the templates, the translations and who is
logged in; it hands them over on `app.state.portal` (see `Portal`), so pages of every
floor, the ledger's included, render without importing the parties or the web package.

Each language has its own Jinja environment with its translations installed (Jinja's
i18n extension: `_`, `gettext`, `ngettext`, `pgettext`, `{% trans %}`), so a request
renders with the environment of its language and requests in different languages never
share mutable state. Templates also get `translate(message, **params)` for the messages
Python code holds (marked `N_`/`NC_`) and `label(table, value)` for stored values.
"""

from __future__ import annotations

import gettext
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import Response

from crossfin.core.money import format_amount
from crossfin.core.web.csrf import CSRF_FIELD, CSRF_HEADER, csrf_token
from crossfin.core.web.i18n import (
    LANGUAGE_COOKIE,
    LANGUAGES,
    N_,
    Message,
    request_language,
    translate,
)
from crossfin.core.web.session import add_flash, pop_flashes, save_session

log = logging.getLogger("crossfin.web")
GENERIC_ERROR_TITLE = N_("Something went wrong")

# Pages load only our own files: no inline script, no third-party origin, no framing.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _when(value: datetime | None) -> str:
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


class Portal(Protocol):
    """What the portal's assembly keeps on `app.state.portal` for rendering."""

    environments: Mapping[str, Environment]  # one per language, see environment()
    translations: Mapping[str, gettext.NullTranslations]  # by language
    error_titles: Mapping[str, str]  # problem slug -> page title (marked N_)

    def page_context(self, request: Request) -> dict[str, Any]:
        """The logged-in user, their caller and their menu entries (None/[] if anonymous)."""
        ...


def environment(
    template_dir: Path,
    translations: gettext.NullTranslations,
    labels: Mapping[str, Mapping[str, Message]] | None = None,
) -> Environment:
    """The Jinja environment of the portal's templates in one language: its translations,
    the money and time filters, `translate` and `label` (a value missing from its table
    shows as itself). Its options match babel.cfg's, which extracts the same texts."""
    env = Environment(
        loader=FileSystemLoader(template_dir),
        autoescape=select_autoescape(["html", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # {% trans %} blocks may span lines: their msgid is the text with whitespace collapsed.
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(when=_when, number=_number, money=format_amount)
    env.globals.update(
        translate=_translator(translations), label=_labeller(translations, labels or {})
    )
    return env


def _translator(translations: gettext.NullTranslations) -> Callable[..., str]:
    def translate_message(message: Message, **params: Any) -> str:
        """A message Python code holds, translated; with params, %-formatted by name.
        Plain text: the template escapes it."""
        text = translate(translations, message)
        return text % params if params else text

    return translate_message


def _labeller(
    translations: gettext.NullTranslations, tables: Mapping[str, Mapping[str, Message]]
) -> Callable[[str, Any], str]:
    def label(table: str, value: Any) -> str:
        message = tables[table].get(str(value))
        if message is None:
            log.warning("no label", extra={"table": table, "value": str(value)})
            return str(value)
        return translate(translations, message)

    return label


def _portal(request: Request) -> Portal:
    portal: Portal = request.app.state.portal
    return portal


def language(request: Request) -> str:
    """The page language: the cookie if set, else Accept-Language."""
    return request_language(
        request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language")
    )


def translations(request: Request) -> gettext.NullTranslations:
    """The translations of the request's language, for texts Python code translates."""
    return _portal(request).translations[language(request)]


def base_context(request: Request) -> dict[str, Any]:
    """What every template sees; render() adds the page's own context on top."""
    lang = language(request)
    return _portal(request).page_context(request) | {
        "request": request,
        "lang": lang,
        "languages": LANGUAGES,
        "csrf_token": csrf_token(request),
        "csrf_field": CSRF_FIELD,
        "csrf_header": CSRF_HEADER,
        "path": request.url.path,
        "flashes": pop_flashes(request),
    }


def finish(request: Request, response: Response) -> Response:
    """Add the session cookie (if it changed) and the security headers."""
    save_session(request, response)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render `template` (a path under web/templates) as a full page or an htmx fragment."""
    data = base_context(request) | dict(context or {})
    env = _portal(request).environments[data["lang"]]
    html = env.get_template(template).render(data)
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    finish(request, response)
    return response


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def redirect(request: Request, url: str, *, flash: tuple[str, str] | None = None) -> Response:
    """303 to `url` after a POST; `flash` is (kind, message marked N_) for the next page."""
    if flash is not None:
        add_flash(request, *flash)
    response: Response = RedirectResponse(url, status_code=303)
    if is_htmx(request):
        # htmx would follow a 303 inside the fragment; ask it to navigate instead.
        response = Response(status_code=204, headers={"HX-Redirect": url})
    return finish(request, response)


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to; anything that could leave the site becomes `default`."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def login_redirect(request: Request) -> Response:
    """Send an anonymous visitor to the login page, remembering where they were going."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = "/login" if target == "/" else "/login?" + urlencode({"next": target})
    return redirect(request, url)


def error_title(request: Request, slug: str) -> str:
    """A problem's title in the request's language (a generic one for an unknown slug)."""
    return translations(request).gettext(
        _portal(request).error_titles.get(slug, GENERIC_ERROR_TITLE)
    )


def render_error(
    request: Request, status: int, slug: str, detail: str, headers: Mapping[str, str] | None = None
) -> HTMLResponse:
    """An error page: the slug's translated title (or a generic one), detail as given."""
    title = error_title(request, slug)
    return render(
        request,
        "error.html",
        {"status": status, "title": title, "detail": detail, "slug": slug},
        status_code=status,
        headers=headers,
    )

"""Translations: gettext catalogs up to date and complete, labels, languages per request."""

from __future__ import annotations

import gettext
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from babel.messages import frontend
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from fastapi import FastAPI
from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.core.errors import CrossfinError
from crossfin.core.web.i18n import (
    KEYWORDS,
    LANGUAGES,
    N_,
    NC_,
    CatalogError,
    catalog_path,
    load_translations,
    negotiate,
    translate,
)
from crossfin.core.web.render import GENERIC_ERROR_TITLE
from crossfin.documents.access.consent import scope_names
from crossfin.financing.lifecycle import State
from crossfin.financing.market.matchmaking import NeedStatus, OfferStatus
from crossfin.financing.pages import ACTIONS, STAGES
from crossfin.financing.scenarios.registry import all_scenarios
from crossfin.parties.alerts import AlertKind
from crossfin.parties.models import OrgKind, Role, TradeClass
from crossfin.web import home, labels
from crossfin.web.pages import LOCALE_DIR, environments
from support.web import csrf_from, login, party_user

ROOT = Path(__file__).resolve().parents[2]
SOURCES = "src/crossfin"  # what `make i18n` extracts from, relative to the repository
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]  # English is the msgids


def _mapping() -> tuple[list, dict]:  # type: ignore[type-arg]
    # parse_mapping_cfg is Babel >= 2.15's name for parse_mapping.
    parse = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
    with (ROOT / "babel.cfg").open() as cfg:
        return parse(cfg)  # type: ignore[no-any-return]


def _key(message) -> tuple[str | None, object]:  # type: ignore[no-untyped-def]
    return message.context, message.id


def _messages(catalog: Catalog) -> dict[tuple[str | None, object], object]:
    return {_key(m): m for m in catalog if m.id}


@pytest.fixture(scope="module")
def extracted() -> Catalog:
    """What `pybabel extract -F babel.cfg -k NC_:1c,2 src/crossfin` finds today."""
    method_map, options_map = _mapping()
    catalog = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT / SOURCES),
        method_map,
        options_map,
        keywords={**DEFAULT_KEYWORDS, **KEYWORDS},
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        catalog.add(
            message,
            None,
            [(f"{SOURCES}/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=locale)


def test_the_sources_have_messages(extracted: Catalog) -> None:
    found = _messages(extracted)
    # One of each way of marking: a template, a plural, a context, Python's N_ and NC_.
    assert (None, "Username") in found
    assert (None, ("%(count)s day", "%(count)s days")) in found
    assert ("alerts", "Kind") in found
    assert (None, "You have logged out.") in found
    assert ("offer state", "Open") in found


def test_messages_pot_is_up_to_date(extracted: Catalog) -> None:
    """A text added, changed or removed in a template or in Python code needs `make i18n`."""
    pot = _messages(_read(LOCALE_DIR / "messages.pot"))
    now = _messages(extracted)
    assert sorted(map(repr, now.keys() - pot.keys())) == [], "new texts: run `make i18n`"
    assert sorted(map(repr, pot.keys() - now.keys())) == [], "texts gone: run `make i18n`"
    moved = [
        key
        for key, message in now.items()
        if {f for f, _ in message.locations} != {f for f, _ in pot[key].locations}
    ]
    assert moved == [], "texts moved between files: run `make i18n`"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_has_a_translation(lang: str, extracted: Catalog) -> None:
    """Every text of the sources is translated: not empty, not fuzzy, every plural form."""
    catalog = _read(catalog_path(LOCALE_DIR, lang), lang)
    translated = _messages(catalog)
    missing = sorted(repr(key) for key in _messages(extracted) if key not in translated)
    assert missing == [], f"run `make i18n`, then translate these in {lang}: {missing}"
    untranslated = []
    for key, message in translated.items():
        strings = message.string if message.pluralizable else (message.string,)
        if (
            message.fuzzy
            or not all(strings)
            or (message.pluralizable and len(strings) != catalog.num_plurals)
        ):
            untranslated.append(repr(key))
    assert untranslated == [], f"translate (and un-fuzzy) these in {lang}: {untranslated}"
    # Placeholders of the translation match the msgid's (Babel's python-format checker,
    # which allows a translation to leave some out: we do not).
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalog.check()]
    for message in catalog:
        ids = message.id if message.pluralizable else (message.id,)
        strings = message.string if message.pluralizable else (message.string,)
        wanted = {name for text in ids for name in _PLACEHOLDER.findall(text)}
        if message.id and any(set(_PLACEHOLDER.findall(s)) != wanted for s in strings):
            problems.append((message.id, ["placeholders differ"]))
    assert problems == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_obsolete_or_stray_entries(lang: str) -> None:
    catalog = _read(catalog_path(LOCALE_DIR, lang), lang)
    pot = _messages(_read(LOCALE_DIR / "messages.pot"))
    assert list(catalog.obsolete) == [], "obsolete entries: `make i18n` drops them"
    assert sorted(map(repr, _messages(catalog).keys() - pot.keys())) == []


def test_texts_are_html_safe() -> None:
    """Jinja's `_()` marks translations safe, so they must hold no markup."""
    catalog = _read(catalog_path(LOCALE_DIR, "zh"), "zh")
    risky = []
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        risky += [text for text in (*ids, *strings) if message.id and set(text) & set("<>&")]
    assert risky == []


def test_label_tables_cover_every_value() -> None:
    assert set(labels.ORG_KINDS) == {k.value for k in OrgKind}
    assert set(labels.ROLES) == {r.value for r in Role}
    assert set(labels.TRADE_CLASSES) == {c.value for c in TradeClass}
    assert set(labels.ALERT_KINDS) == {k.value for k in AlertKind}
    # Consents' scopes are the document kinds and the credit profile.
    assert set(labels.DOCUMENT_KINDS) == scope_names()
    assert set(labels.FINANCING_DOCUMENT_KINDS) <= set(labels.DOCUMENT_KINDS)
    assert set(labels.FINANCING_STATES) == {s.value for s in State}
    assert set(labels.FINANCING_STAGES) == set(STAGES)
    assert set(labels.FINANCING_ACTIONS) == set(ACTIONS)
    assert set(labels.SCENARIOS) == {s.name for s in all_scenarios()}
    assert set(labels.NEED_STATES) == {s.value for s in NeedStatus}
    assert set(labels.OFFER_STATES) == {s.value for s in OfferStatus}
    assert set(home.CAPABILITIES) == set(OrgKind)


def test_contexts_tell_the_same_word_apart() -> None:
    zh = load_translations(LOCALE_DIR, "zh")
    assert translate(zh, labels.OFFER_STATES["open"]) == "有效"
    assert translate(zh, labels.NEED_STATES["open"]) == "进行中"
    assert translate(zh, N_("Consents")) == "授权"  # the menu
    assert zh.pgettext("page title", "Consents") == "查询授权"
    assert zh.ngettext("%(count)s day", "%(count)s days", 1) == "%(count)s 天"
    en = load_translations(LOCALE_DIR, "en")
    assert translate(en, NC_("offer state", "Open")) == "Open"


def test_plural_forms_render() -> None:
    template = "{% trans count=n %}{{ count }} day{% pluralize %}{{ count }} days{% endtrans %}"
    assert environments()["en"].from_string(template).render(n=1) == "1 day"
    assert environments()["en"].from_string(template).render(n=90) == "90 days"
    assert environments()["zh"].from_string(template).render(n=1) == "1 天"


def test_a_missing_or_fuzzy_translation_shows_in_english(tmp_path: Path) -> None:
    folder = tmp_path / "xx" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Home"\nmsgstr "Accueil"\n\n#, fuzzy\nmsgid "Log in"\nmsgstr "Connexion"\n\n'
        'msgid "Log out"\nmsgstr ""\n',
        encoding="utf-8",
    )
    found = load_translations(tmp_path, "xx")
    assert [found.gettext(m) for m in ("Home", "Log in", "Log out", "Ledger")] == [
        "Accueil",
        "Log in",
        "Log out",
        "Ledger",
    ]
    with pytest.raises(CatalogError):
        load_translations(tmp_path, "yy")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en-US,en;q=0.9,zh;q=0.8", "en"),
        ("fr-FR, zh-TW;q=0.5", "zh"),
        ("de, fr", "en"),
        ("en;q=0.2, zh;q=0.7", "zh"),
        ("zh;q=0, en;q=0.1", "en"),
        ("zh;q=bogus", "en"),
    ],
)
def test_accept_language_negotiation(header: str | None, expected: str) -> None:
    assert negotiate(header) == expected


def test_login_page_follows_accept_language(client: TestClient) -> None:
    zh = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert '<html lang="zh-CN">' in zh.text and "用户名" in zh.text
    en = client.get("/login", headers={"Accept-Language": "en-GB"})
    assert '<html lang="en">' in en.text and "Username" in en.text


def test_languages_of_concurrent_requests_do_not_mix(client: TestClient) -> None:
    """Requests run at the same time in worker threads; each renders in its own language."""

    def page(lang: str) -> tuple[str, str]:
        return lang, client.get("/login", headers={"Accept-Language": lang}).text

    with ThreadPoolExecutor(max_workers=8) as pool:
        pages = list(pool.map(page, ["en", "zh"] * 16))
    for lang, html in pages:
        assert ("用户名" in html) == (lang == "zh") and ("Username" in html) == (lang == "en")


def test_error_titles_are_translated(app: FastAPI, client: TestClient) -> None:
    def refuse() -> None:
        raise CrossfinError("no reason")  # a slug without a title of its own

    app.add_api_route("/refused", refuse, include_in_schema=False)
    app.state.portal.page_routes.add(id(app.router.routes[-1]))
    client.cookies.set("crossfin_lang", "zh")
    missing = client.get("/nowhere", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and "<h1>未找到</h1>" in missing.text
    refused = client.get("/refused")
    assert refused.status_code == 400 and "<h1>出现错误</h1>" in refused.text
    client.cookies.set("crossfin_lang", "en")
    assert f"<h1>{GENERIC_ERROR_TITLE}</h1>" in client.get("/refused").text


def test_flash_messages_are_translated(client: TestClient, db: Database) -> None:
    _, name = party_user(db, OrgKind.BANK)
    login(client, name)
    client.cookies.set("crossfin_lang", "zh")
    token = csrf_from(client.get("/").text)
    assert "您已安全退出。" in client.post("/logout", data={"csrf_token": token}).text


def test_language_toggle_persists_in_a_cookie(client: TestClient, db: Database) -> None:
    _, name = party_user(db, OrgKind.BANK)
    login(client, name)
    page = client.get("/", headers={"Accept-Language": "en"})
    response = client.post(
        "/language",
        data={"lang": "zh", "next": "/ledger", "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/ledger"
    assert "crossfin_lang=zh" in response.headers["set-cookie"]
    # The cookie wins over the browser's Accept-Language from now on.
    again = client.get("/", headers={"Accept-Language": "en"})
    assert '<html lang="zh-CN">' in again.text and "本单位信息" in again.text


def test_language_toggle_ignores_unknown_languages(client: TestClient) -> None:
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/language", data={"lang": "xx", "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert "crossfin_lang" not in response.headers.get("set-cookie", "")


def test_language_toggle_needs_csrf(client: TestClient) -> None:
    client.get("/login")
    assert client.post("/language", data={"lang": "zh"}).status_code == 403


def test_the_floor_imports_no_domain() -> None:
    source = (ROOT / SOURCES / "core/web/i18n.py").read_text()
    imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert [line for line in imports if "crossfin" in line] == []
    assert isinstance(load_translations(LOCALE_DIR, "en"), gettext.NullTranslations)

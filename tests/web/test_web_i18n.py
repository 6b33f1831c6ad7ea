"""Translations: complete catalogs, the language toggle, Accept-Language."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.core.web.i18n import LANGUAGES, CatalogError, Translator, load_catalog, negotiate
from crossfin.parties.models import OrgKind, Role
from crossfin.web import home
from crossfin.web.pages import CATALOG_DIR, TEMPLATE_DIR
from support.web import csrf_from, login, party_user

CATALOG = load_catalog(CATALOG_DIR)

# Literal keys in templates and page code: t("key") and t('key', param=...).
_LITERAL = re.compile(r"""\bt\(\s*["']([a-z][\w.\-]*)["']\s*[,)]""")


def test_every_catalog_key_has_every_language() -> None:
    for path in sorted(CATALOG_DIR.glob("*.json")):
        for key, texts in json.loads(path.read_text(encoding="utf-8")).items():
            for lang in LANGUAGES:
                assert isinstance(texts, dict) and texts.get(lang), \
                    f"{path.name}: {key!r} has no {lang!r} text"
    load_catalog(CATALOG_DIR)  # the merge refuses duplicates across files too


def test_loader_refuses_a_missing_language_and_a_duplicate(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"x": {"en": "X"}}')
    with pytest.raises(CatalogError, match="lacks zh"):
        load_catalog(tmp_path)
    (tmp_path / "a.json").write_text('{"x": {"en": "X", "zh": "叉"}}')
    (tmp_path / "b.json").write_text('{"x": {"en": "X", "zh": "叉"}}')
    with pytest.raises(CatalogError, match=r"already in a\.json"):
        load_catalog(tmp_path)


def test_every_literal_key_used_in_templates_exists() -> None:
    t = Translator("en", CATALOG)
    package = TEMPLATE_DIR.parents[1]  # src/crossfin: every domain's templates and pages
    sources = [*TEMPLATE_DIR.rglob("*.html"), *TEMPLATE_DIR.parent.glob("*.py"),
               *package.rglob("pages.py"), *package.rglob("view.py")]
    used = {key for path in sources for key in _LITERAL.findall(path.read_text())}
    assert used, "the scan found no keys"
    missing = sorted(key for key in used if not t.has(key))
    assert not missing, f"add these keys to src/crossfin/web/i18n/*.json: {missing}"


def test_dynamic_keys_exist() -> None:
    t = Translator("zh", CATALOG)
    keys = [f"kind.{k.value}" for k in OrgKind] + [f"role.{r.value}" for r in Role]
    keys += [key for keys_of_kind in home.CAPABILITIES.values() for key in keys_of_kind]
    keys += ["class.A", "class.B", "class.C"]
    assert [k for k in keys if not t.has(k)] == []


@pytest.mark.parametrize(("header", "expected"), [
    (None, "en"), ("", "en"), ("zh-CN,zh;q=0.9,en;q=0.8", "zh"), ("en-US,en;q=0.9,zh;q=0.8", "en"),
    ("fr-FR, zh-TW;q=0.5", "zh"), ("de, fr", "en"), ("en;q=0.2, zh;q=0.7", "zh"),
    ("zh;q=0, en;q=0.1", "en"), ("zh;q=bogus", "en"),
])
def test_accept_language_negotiation(header: str | None, expected: str) -> None:
    assert negotiate(header) == expected


def test_login_page_follows_accept_language(client: TestClient) -> None:
    zh = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert '<html lang="zh-CN">' in zh.text and "用户名" in zh.text
    en = client.get("/login", headers={"Accept-Language": "en-GB"})
    assert '<html lang="en">' in en.text and "Username" in en.text


def test_language_toggle_persists_in_a_cookie(client: TestClient, db: Database) -> None:
    _, name = party_user(db, OrgKind.BANK)
    login(client, name)
    page = client.get("/", headers={"Accept-Language": "en"})
    response = client.post("/language", data={"lang": "zh", "next": "/ledger",
                                              "csrf_token": csrf_from(page.text)},
                           follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/ledger"
    assert "crossfin_lang=zh" in response.headers["set-cookie"]
    # The cookie wins over the browser's Accept-Language from now on.
    again = client.get("/", headers={"Accept-Language": "en"})
    assert '<html lang="zh-CN">' in again.text and "本单位信息" in again.text


def test_language_toggle_ignores_unknown_languages(client: TestClient) -> None:
    token = csrf_from(client.get("/login").text)
    response = client.post("/language", data={"lang": "xx", "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303
    assert "crossfin_lang" not in response.headers.get("set-cookie", "")


def test_language_toggle_needs_csrf(client: TestClient) -> None:
    client.get("/login")
    assert client.post("/language", data={"lang": "zh"}).status_code == 403

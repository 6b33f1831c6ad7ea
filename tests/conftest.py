"""Shared fixtures: a migrated database (SQLite or PostgreSQL), the app and a client."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings

from crossfin.api.app import create_app
from crossfin.assembly import assemble
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from support.db import clean, prepare, test_database_url

# Hypothesis fails an example slower than 200 ms by default: a timing test, which on a
# shared machine fails by load alone (speed is measured in benchmarks/, never in tests).
hypothesis_settings.register_profile("crossfin", deadline=None)
hypothesis_settings.load_profile("crossfin")

# As every entry point does: the domains' hooks, before any test calls into them.
assemble()


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return test_database_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def _migrated(db_url: str) -> Iterator[Database]:
    db = prepare(db_url)
    yield db
    db.dispose()


@pytest.fixture
def db(_migrated: Database) -> Database:
    """The test database, emptied of everything but reference data before each test."""
    from crossfin.parties.security.events import GATE

    clean(_migrated)
    GATE.reset()  # its counts of stored security events went with the table
    return _migrated


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    return Settings(database_url=db_url, data_dir=data, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def app(settings: Settings, db: Database):  # type: ignore[no-untyped-def]
    from crossfin.core import secrets
    from crossfin.ledger import keys

    keys.ensure_log_key(settings)
    secrets.ensure_platform_secret(settings)
    return create_app(settings, db)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def pytest_report_header() -> str:
    url = os.environ.get("CROSSFIN_TEST_DATABASE_URL", "sqlite (temporary file)")
    return f"crossfin test database: {url}"

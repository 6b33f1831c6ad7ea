"""Settings come from the environment; secrets never show in repr or in log lines."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from crossfin.core.logging import JsonFormatter, scrub
from crossfin.core.settings import Settings


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSFIN_DATABASE_URL", "postgresql+psycopg://app:s3cret@db:5432/x")
    monkeypatch.setenv("CROSSFIN_PORT", "9000")
    monkeypatch.setenv("CROSSFIN_SESSION_SECRET", "hush-hush")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.port == 9000
    text = repr(settings) + str(settings)
    assert "s3cret" not in text and "hush-hush" not in text
    assert "app:***@db" in text


def test_defaults() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == "sqlite:///./crossfin.db"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.log_origin == "crossfin.local/log"


def test_scrub_masks_keys_tokens_and_passwords() -> None:
    line = (
        "auth Bearer cf_0123abcd4567_S3cretPart-xyz and key cf_0123abcd4567_S3cretPart-xyz "
        "url postgresql://u:pw@h/db"
    )
    cleaned = scrub(line)
    assert "S3cretPart" not in cleaned and ":pw@" not in cleaned
    assert "cf_0123abcd4567_***" in cleaned


def test_json_log_lines_are_scrubbed() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "got key cf_abcdef012345_TopSecretValue", None, None
    )
    entry = json.loads(JsonFormatter().format(record))
    assert "TopSecretValue" not in entry["message"] and entry["level"] == "INFO"


def test_last_used_is_touched_at_most_once_a_minute(db) -> None:  # type: ignore[no-untyped-def]
    from crossfin.core.clock import utcnow
    from crossfin.parties.credentials import authenticate, touch_key
    from crossfin.parties.models import ApiKey, OrgKind
    from support.parties import make_party

    party = make_party(db, OrgKind.BANK)
    key_id = party.key.split("_")[1]
    with db.session() as session, session.begin():
        _, stale = authenticate(session, party.key)
        assert stale
        touch_key(session, key_id)
    with db.session() as session, session.begin():
        _, stale = authenticate(session, party.key)
        assert not stale
        session.get_one(ApiKey, key_id).last_used_at = utcnow() - timedelta(minutes=2)
    with db.session(readonly=True) as session:
        assert authenticate(session, party.key)[1]

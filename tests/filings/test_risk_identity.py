"""Keyed hashes of ID numbers: stable under one key, different under another, key file 0600."""

from __future__ import annotations

import logging
import stat
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.hmac import HMAC

from crossfin.core.settings import Settings
from crossfin.filings.risk import IdType, id_hash_key, prepare
from crossfin.filings.risk.identity import KEY_FILE, fingerprint, normalise_id
from crossfin.filings.risk.issues import RuleError
from support.risk import PASSPORT, RESIDENT_ID, report_input


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def test_the_key_file_is_created_on_first_use_with_0600(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    key = id_hash_key(settings)
    path = settings.data_dir / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.data_dir.stat().st_mode) == 0o700
    assert len(key) == 32
    assert id_hash_key(settings) == key  # read back, not made anew


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    id_hash_key(settings)
    (settings.data_dir / KEY_FILE).chmod(0o640)
    with pytest.raises(RuntimeError, match="chmod 600"):
        id_hash_key(settings)


def test_two_data_directories_have_different_keys(tmp_path: Path) -> None:
    assert id_hash_key(Settings(data_dir=tmp_path / "a")) != id_hash_key(
        Settings(data_dir=tmp_path / "b")
    )


def test_same_number_same_hash_under_one_key_whatever_its_spacing(tmp_path: Path) -> None:
    key = id_hash_key(_settings(tmp_path))
    spellings = [
        RESIDENT_ID,
        RESIDENT_ID.lower(),
        " 110105 1949 1231 002x ",
        "110105\t19491231002X",
    ]
    prints = {fingerprint(IdType.RESIDENT_ID, s, key) for s in spellings}
    assert len(prints) == 1
    assert prints.pop().last4 == "002X"


def test_the_hash_is_hmac_sha256_of_the_normalised_number(tmp_path: Path) -> None:
    key = id_hash_key(_settings(tmp_path))
    mac = HMAC(key, hashes.SHA256())  # an independent implementation
    mac.update(RESIDENT_ID.encode())
    expected = mac.finalize().hex()
    assert fingerprint(IdType.RESIDENT_ID, RESIDENT_ID.lower(), key).hash == expected


def test_a_different_key_gives_a_different_hash(tmp_path: Path) -> None:
    first = id_hash_key(Settings(data_dir=tmp_path / "a"))
    second = id_hash_key(Settings(data_dir=tmp_path / "b"))
    assert (
        fingerprint(IdType.PASSPORT, PASSPORT, first).hash
        != fingerprint(IdType.PASSPORT, PASSPORT, second).hash
    )


def test_different_numbers_give_different_hashes() -> None:
    key = bytes(32)
    assert (
        fingerprint(IdType.PASSPORT, "E12345678", key).hash
        != fingerprint(IdType.PASSPORT, "E12345679", key).hash
    )


def test_a_regulator_can_match_one_person_across_two_reports(tmp_path: Path) -> None:
    key = id_hash_key(_settings(tmp_path))
    first = prepare(report_input(), key)
    second_input = report_input(category="underground_banking")
    second_input["subjects"] = [dict(second_input["subjects"][1], name="张 伟")]
    second = prepare(second_input, key)
    assert first["subjects"][1]["id_hash"] == second["subjects"][0]["id_hash"]


@pytest.mark.parametrize("number", ["12345", "E1234567!", "\uff251234567", "x" * 33])
def test_malformed_numbers_are_refused_without_echo(number: str) -> None:
    with pytest.raises(RuleError) as caught:
        normalise_id(IdType.PASSPORT, number)
    assert caught.value.rule == "id_number_format"
    assert number not in str(caught.value) and number not in caught.value.zh


def test_the_fingerprint_repr_hides_the_last_four() -> None:
    print_ = fingerprint(IdType.PASSPORT, PASSPORT, bytes(32))
    assert PASSPORT[-4:] not in repr(print_)


def test_nothing_about_the_number_or_key_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = id_hash_key(_settings(tmp_path))
    prepare(report_input(), key)
    logged = caplog.text
    assert RESIDENT_ID not in logged and key.hex() not in logged


def test_processes_racing_to_create_the_key_all_get_the_same_one(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with ProcessPoolExecutor(max_workers=2) as pool:
        keys = set(pool.map(id_hash_key, [settings] * 8))
    assert keys == {id_hash_key(settings)}
    assert [p.name for p in settings.data_dir.iterdir()] == [KEY_FILE]  # no draft left

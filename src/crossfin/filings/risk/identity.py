"""Keyed hashes of individuals' ID numbers: a report keeps the hash and the last four only.

HMAC-SHA-256 under a key of its own (`risk-id.key` in the data directory, 0600, created on
first use), so that nobody holding the database alone can test guesses against the hashes
(ID numbers are few enough to enumerate; a plain hash would not protect them), while the
same number always gives the same hash under one key, letting a regulator match a person
across reports. The key and the clear number are never logged nor put in an exception.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError

from crossfin.core.secrets import ensure_data_dir
from crossfin.core.settings import Settings
from crossfin.filings.risk.codes import IdType
from crossfin.filings.risk.issues import RuleError

KEY_FILE = "risk-id.key"
KEY_BYTES = 32
# Letters, digits and the brackets and hyphens some documents print (HK: A123456(7)).
_ID_CHARS = re.compile(r"[A-Z0-9()\-]{6,32}")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class IdFingerprint:
    """What a report keeps of an ID number: its keyed hash (hex) and last four characters."""

    hash: str
    last4: str

    def __repr__(self) -> str:
        return f"IdFingerprint(hash={self.hash[:12]}…, last4=***)"


def key_path(settings: Settings) -> Path:
    return settings.data_dir / KEY_FILE


def id_hash_key(settings: Settings) -> bytes:
    """The ID-hash key, created (0600, random) on first use; refuses a key others can read."""
    path = key_path(settings)
    if not path.exists():
        ensure_data_dir(settings)
        _create_key(path)
    if path.stat().st_mode & 0o077:
        raise RuntimeError(f"{path} must not be readable by group or others (chmod 600)")
    key = bytes.fromhex(path.read_text().strip())
    if len(key) < KEY_BYTES:
        raise RuntimeError(f"{path} holds a key shorter than {KEY_BYTES} bytes")
    return key


def _create_key(path: Path) -> None:
    """Write a new key beside `path`, then link it into place: a process that loses the
    race to create it reads the winner's complete key, never a half-written file."""
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(KEY_BYTES) + "\n")
        os.link(draft, path)
    except FileExistsError:
        pass  # another process made the key first: theirs is the key
    finally:
        draft.unlink()


def normalise_id(id_type: IdType, number: str) -> str:
    """Upper case without spaces; a resident ID's check character is verified.

    Raises RuleError whose messages never repeat the number.
    """
    compact = _WHITESPACE.sub("", number).upper()
    if not _ID_CHARS.fullmatch(compact):
        raise RuleError(
            "id_number_format",
            "must be 6 to 32 letters, digits, brackets or hyphens",
            "须为 6 至 32 位字母、数字、括号或连字符",
        )
    if id_type is IdType.RESIDENT_ID:
        _check_resident_id(compact)
    return compact


def _check_resident_id(compact: str) -> None:
    """GB 11643: 18 characters, a birth date, and the ISO 7064 MOD 11-2 check character."""
    try:
        ric.validate(compact)
    except InvalidChecksum:
        raise RuleError(
            "resident_id_check",
            "the check character of the resident ID number does not match",
            "居民身份证号码校验码不符",
        ) from None
    except InvalidLength:
        raise RuleError(
            "resident_id_length",
            "a resident ID number has 18 characters",
            "居民身份证号码应为 18 位",
        ) from None
    except InvalidComponent:
        raise RuleError(
            "resident_id_birth_date",
            "the birth date in the resident ID number is not a valid date",
            "居民身份证号码中的出生日期无效",
        ) from None
    except ValidationError:
        raise RuleError(
            "resident_id_format",
            "a resident ID number is 17 digits and a check digit or X",
            "居民身份证号码应为 17 位数字加 1 位校验码（数字或 X）",
        ) from None


def id_hash(normalised: str, key: bytes) -> str:
    """HMAC-SHA-256 of a normalised ID number, lower-case hex (64 characters)."""
    return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


def fingerprint(id_type: IdType, number: str, key: bytes) -> IdFingerprint:
    """Normalise, check and hash an ID number; the clear number is not kept."""
    normalised = normalise_id(id_type, number)
    return IdFingerprint(id_hash(normalised, key), normalised[-4:])

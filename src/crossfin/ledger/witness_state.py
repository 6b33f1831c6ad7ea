"""Durable per-origin state of a tlog witness, plus the evidence it keeps of misbehaviour.

Layout under the state directory:
  logs/<sha256(origin) hex>.json   latest cosigned size, root and checkpoint of one log
  locks/<sha256(origin) hex>.lock  flock target serialising updates of that log
  evidence/<UTC time>-<status>.txt requests refused with 409 or 422, kept verbatim
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


class WitnessStateError(RuntimeError):
    """The stored state is unreadable or inconsistent; the witness must not cosign."""


@dataclass(frozen=True)
class LogRecord:
    """What the witness last cosigned for one log: size, root and the cosigned note."""

    origin: str
    size: int
    root: bytes
    checkpoint: str
    cosigned_at: int

    def to_json(self) -> str:
        """Serialise as a JSON object (root in base64)."""
        data = {
            "origin": self.origin,
            "size": self.size,
            "root": base64.b64encode(self.root).decode(),
            "checkpoint": self.checkpoint,
            "cosigned_at": self.cosigned_at,
        }
        return json.dumps(data, sort_keys=True, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> LogRecord:
        """Parse what to_json wrote; raise WitnessStateError on anything else."""
        try:
            data = json.loads(text)
            record = cls(
                origin=str(data["origin"]),
                size=int(data["size"]),
                root=base64.b64decode(data["root"], validate=True),
                checkpoint=str(data["checkpoint"]),
                cosigned_at=int(data["cosigned_at"]),
            )
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise WitnessStateError(f"corrupt witness state: {exc}") from None
        if record.size < 0 or len(record.root) != 32:
            raise WitnessStateError(f"corrupt witness state for {record.origin!r}")
        return record


def _fsync_dir(path: Path) -> None:
    """Flush a directory entry change (rename, create) to disk."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace path with data so readers see the old or the new content, never a mix."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)  # make the rename itself survive a crash


class WitnessStore:
    """File-backed witness state, safe for several threads and processes on one directory."""

    def __init__(self, state_dir: Path) -> None:
        """Use (and create if needed) state_dir and its logs/, locks/, evidence/ subdirectories."""
        self.root = Path(state_dir)
        self.logs_dir = self.root / "logs"
        self.locks_dir = self.root / "locks"
        self.evidence_dir = self.root / "evidence"
        for directory in (self.logs_dir, self.locks_dir, self.evidence_dir):
            directory.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def _key(origin: str) -> str:
        """File-name-safe, collision-free stand-in for an origin (which may hold '/')."""
        return hashlib.sha256(origin.encode("utf-8")).hexdigest()

    @contextmanager
    def locked(self, origin: str) -> Iterator[None]:
        """Hold the exclusive lock of one origin; blocks until it is free."""
        # flock (not lockf): its locks belong to the open file description, so two
        # threads of one process exclude each other as well as two processes do.
        fd = os.open(self.locks_dir / f"{self._key(origin)}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def load(self, origin: str) -> LogRecord | None:
        """The record of origin, or None if never cosigned; call under `locked(origin)`."""
        path = self.logs_dir / f"{self._key(origin)}.json"
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        record = LogRecord.from_json(text)
        if record.origin != origin:
            raise WitnessStateError(
                f"state file {path.name} belongs to {record.origin!r}, not {origin!r}"
            )
        return record

    def save(self, record: LogRecord) -> None:
        """Durably replace the record of its origin; call under `locked(record.origin)`."""
        path = self.logs_dir / f"{self._key(record.origin)}.json"
        atomic_write(path, record.to_json().encode("utf-8"))

    def save_evidence(self, status: int, reason: str, body: bytes) -> Path:
        """Keep a refused request verbatim, with a short header, under evidence/."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        header = f"status: {status}\nreason: {reason}\nreceived: {stamp}\n\n".encode()
        for attempt in range(100):
            suffix = f"-{attempt}" if attempt else ""
            path = self.evidence_dir / f"{stamp}-{status}{suffix}.txt"
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                continue  # same microsecond as another refusal: never overwrite evidence
            with os.fdopen(fd, "wb") as handle:
                handle.write(header + body)
                handle.flush()
                os.fsync(handle.fileno())
            return path
        raise WitnessStateError("could not find a free evidence file name")


def load_record(state_dir: Path, origin: str) -> LogRecord | None:
    """What a witness state directory last cosigned for origin, read without locking or
    creating anything (for an auditor holding a copy); None if it never cosigned it."""
    path = Path(state_dir) / "logs" / f"{WitnessStore._key(origin)}.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise WitnessStateError(f"cannot read {path}: {exc}") from None
    record = LogRecord.from_json(text)
    if record.origin != origin:
        raise WitnessStateError(f"state file {path.name} belongs to {record.origin!r}")
    return record

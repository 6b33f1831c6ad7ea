"""Backup and restore: the database and the keys of the data directory, in one directory.

A backup directory (0700) holds:

* `database.dump`: `pg_dump --format=custom` of the database, taken in an exported snapshot
  (PostgreSQL), or `crossfin.db`: an online copy through SQLite's backup API;
* `data/log.key` and `data/platform.secret` (0600): the log's signing key and the platform
  secret, without which the restored log cannot sign and portal sessions and fingerprints
  change; and `data/risk-id.key` once risk reports have used it (without it, new reports'
  ID-number hashes no longer match the old ones);
* `manifest.json`: the SHA-256 of every file, and the log's size, root, origin and verifier
  key as of the dump's snapshot.

A restore checks every checksum, refuses a target database that holds tables and keys that
differ from the backup's, restores, and then audits the restored log and business rows
(`crossfin log audit`) and compares its head with the manifest's.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from crossfin.core.clock import utcnow
from crossfin.core.db import Database, is_sqlite
from crossfin.core.settings import Settings, mask_url
from crossfin.filings.risk.identity import KEY_FILE as RISK_ID_KEY_FILE
from crossfin.ledger.audit import AuditReport, audit_database
from crossfin.ledger.keys import log_signer
from crossfin.ledger.note import Verifier
from crossfin.ledger.state import REGISTRY
from crossfin.ledger.state_audit import StateReport, audit_state_database
from crossfin.ops.postgres import find_bindir

FORMAT = "crossfin-backup/1"
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "crossfin.db"
KEY_FILES = ("log.key", "platform.secret")
# Keys made when their feature is first used: backed up when present, restored when backed up.
OPTIONAL_KEY_FILES = (RISK_ID_KEY_FILE,)


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says why."""


@dataclass(frozen=True)
class Restored:
    """What a restore did and what its audit found."""

    database: str
    size: int
    root: str
    keys: dict[str, str]  # file -> "restored" | "kept (identical)"
    audit: AuditReport
    head_matches: bool
    state: StateReport | None = None  # the business rows against the log, when views exist

    @property
    def ok(self) -> bool:
        return self.audit.ok and self.head_matches and (self.state is None or self.state.ok)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_private(path: Path, data: bytes) -> None:
    """A new file, 0600 from its creation."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


# -- PostgreSQL connection parameters from a SQLAlchemy URL -------------------------------


def _libpq(url: URL, database: str | None = None) -> tuple[str, dict[str, str]]:
    """A libpq conninfo string and the environment carrying the password (never argv)."""
    parts = {
        "host": url.host or "",
        "port": str(url.port or ""),
        "user": url.username or "",
        "dbname": database or url.database or "",
    }
    parts.update({k: str(v) for k, v in url.query.items() if isinstance(v, str)})
    conninfo = " ".join(f"{k}='{_quote(v)}'" for k, v in parts.items() if v)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return conninfo, env


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _connect(url: URL, database: str | None = None) -> psycopg.Connection[Any]:
    conninfo, _ = _libpq(url, database)
    return psycopg.connect(
        conninfo, password=url.password or None, autocommit=True, connect_timeout=10
    )


def _run(program: Path, args: list[str], env: dict[str, str], timeout: float) -> None:
    done = subprocess.run(
        [str(program), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(
            f"{program.name} failed ({done.returncode}): "
            f"{(done.stderr or done.stdout).strip()[-1500:]}"
        )


# -- backup -------------------------------------------------------------------------------


def backup(
    conf: Settings, target: Path, *, pg_bin: Path | None = None, timeout: float = 3600.0
) -> dict[str, Any]:
    """Write a backup of the database and the key files into `target` (new or empty)."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} exists and is not an empty directory")
    keys = {name: conf.data_dir / name for name in KEY_FILES}
    missing = [str(p) for p in keys.values() if not p.is_file()]
    if missing:
        raise BackupError(f"missing key file(s) {missing}: is CROSSFIN_DATA_DIR right?")
    optional = {name: conf.data_dir / name for name in OPTIONAL_KEY_FILES}
    keys.update({name: path for name, path in optional.items() if path.is_file()})
    verifier = log_signer(conf).verifier()
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(target, 0o700)
    (target / "data").mkdir(mode=0o700)
    if is_sqlite(conf.database_url):
        name, (size, root) = SQLITE_COPY, _sqlite_backup(conf.database_url, target / SQLITE_COPY)
        dialect = "sqlite"
    else:
        name, dialect = PG_DUMP, "postgresql"
        size, root = _pg_dump(make_url(conf.database_url), target / PG_DUMP, pg_bin, timeout)
    files = {name: _sha256(target / name)}
    for key_name, path in keys.items():
        _write_private(target / "data" / key_name, path.read_bytes())
        files[f"data/{key_name}"] = _sha256(target / "data" / key_name)
    manifest = {
        "format": FORMAT,
        "created_at": utcnow().isoformat(),
        "database": {"dialect": dialect, "file": name, "source": mask_url(conf.database_url)},
        "ledger": {
            "size": size,
            "root": root,
            "origin": conf.log_origin,
            "log_vkey": verifier.vkey,
        },
        "files": files,
    }
    _write_private(target / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())
    return manifest


def _head(conn: Any) -> tuple[int, str]:
    row = conn.execute("SELECT size, root FROM ledger_head").fetchone()
    if row is None:
        raise BackupError("the database has no ledger head: run `crossfin init` first")
    return int(row[0]), bytes(row[1]).hex()


def _sqlite_backup(url: str, copy: Path) -> tuple[int, str]:
    path = make_url(url).database
    if not path or path == ":memory:" or not Path(path).is_file():
        raise BackupError(f"no SQLite database file at {path!r}")
    source = sqlite3.connect(path)
    fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    dest = sqlite3.connect(copy)
    try:
        source.backup(dest)  # one consistent snapshot, while writers go on
        return _head(dest)
    finally:
        dest.close()
        source.close()


def _pg_dump(url: URL, out: Path, pg_bin: Path | None, timeout: float) -> tuple[int, str]:
    """pg_dump in a snapshot exported by a REPEATABLE READ transaction that also reads the
    ledger head: the manifest's size and root are exactly those of the dump."""
    program = find_bindir(pg_bin, ("pg_dump",)) / "pg_dump"
    conninfo, env = _libpq(url)
    with _connect(url) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        head = _head(conn)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        _run(
            program,
            ["--format=custom", f"--snapshot={snapshot}", "--file", str(out), "--dbname", conninfo],
            env,
            timeout,
        )
        conn.execute("COMMIT")
    return head


# -- restore ------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict[str, Any]:
    """The backup's manifest, after checking the checksum of every file it names."""
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"no readable {MANIFEST} in {source}: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is not a {FORMAT} backup")
    for name, digest in manifest["files"].items():
        path = source / name
        if not path.is_file():
            raise BackupError(f"{path} is missing")
        if _sha256(path) != digest:
            raise BackupError(f"{path} does not match its checksum in the manifest")
    return manifest


def restore(
    conf: Settings, source: Path, *, pg_bin: Path | None = None, timeout: float = 3600.0
) -> Restored:
    """Restore a backup into an empty database and the data directory, then audit it."""
    manifest = read_manifest(source)
    dialect = manifest["database"]["dialect"]
    target_dialect = "sqlite" if is_sqlite(conf.database_url) else "postgresql"
    if dialect != target_dialect:
        raise BackupError(f"a {dialect} backup cannot be restored into {target_dialect}")
    verifier = Verifier.from_vkey(manifest["ledger"]["log_vkey"])
    backed_up = [n for n in OPTIONAL_KEY_FILES if f"data/{n}" in manifest["files"]]
    keys = _plan_keys(conf, source, (*KEY_FILES, *backed_up))
    dump = source / manifest["database"]["file"]
    if dialect == "sqlite":
        _sqlite_restore(conf.database_url, dump)
    else:
        _pg_restore(make_url(conf.database_url), dump, pg_bin, timeout)
    keys = _restore_keys(conf, source, keys)
    if log_signer(conf).verifier().vkey != verifier.vkey:
        raise BackupError("the restored log key is not the one the manifest names")
    db = Database(conf.database_url)
    try:
        report = audit_database(db, verifier)
        rows = audit_state_database(db, REGISTRY) if len(REGISTRY) else None
        with db.session(readonly=True) as session:
            size, root = session.execute(text("SELECT size, root FROM ledger_head")).one()
    finally:
        db.dispose()
    ledger = manifest["ledger"]
    matches = (int(size), bytes(root).hex()) == (ledger["size"], ledger["root"])
    return Restored(
        mask_url(conf.database_url), int(size), bytes(root).hex(), keys, report, matches, rows
    )


def _plan_keys(conf: Settings, source: Path, names: tuple[str, ...]) -> dict[str, str]:
    """Which key files to write; refuse before touching anything if one differs."""
    plan = {}
    for name in names:
        present = conf.data_dir / name
        if present.exists():
            if present.read_bytes() != (source / "data" / name).read_bytes():
                raise BackupError(
                    f"{present} exists and differs from the backup's: move it "
                    "away first (never overwrite a key)"
                )
            plan[name] = "kept (identical)"
        else:
            plan[name] = "restored"
    return plan


def _restore_keys(conf: Settings, source: Path, plan: dict[str, str]) -> dict[str, str]:
    conf.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name, action in plan.items():
        if action == "restored":
            _write_private(conf.data_dir / name, (source / "data" / name).read_bytes())
    return plan


def _sqlite_restore(url: str, copy: Path) -> None:
    path = make_url(url).database
    if not path or path == ":memory:":
        raise BackupError("restore into a SQLite database file, not into memory")
    target = Path(path)
    if target.exists() and target.stat().st_size > 0:
        raise BackupError(f"{target} exists: restore into a new, empty database")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(copy)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()


def _pg_restore(url: URL, dump: Path, pg_bin: Path | None, timeout: float) -> None:
    """Create the database if missing, refuse one that holds tables, then pg_restore."""
    program = find_bindir(pg_bin, ("pg_restore",)) / "pg_restore"
    name = url.database
    if not name:
        raise BackupError("CROSSFIN_DATABASE_URL names no database")
    with _connect(url, "postgres") as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists is None:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with _connect(url) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN "
            "('pg_catalog', 'information_schema')"
        ).fetchone()[0]  # type: ignore[index]
    if tables:
        raise BackupError(
            f"database {name!r} holds {tables} table(s): restore into a new, empty database"
        )
    conninfo, env = _libpq(url)
    _run(
        program,
        [
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            conninfo,
            str(dump),
        ],
        env,
        timeout,
    )

"""`crossfin ops backup | restore`: the database and the keys, restored into an empty
database, pass the audit; damaged backups, occupied targets and other keys are refused."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from typer.testing import CliRunner

import crossfin.cli.main  # noqa: F401  (registers the state views, as the CLI does)
from crossfin.cli.main import app as cli
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.filings.risk import id_hash_key
from crossfin.ledger.checkpointer import checkpoint_now
from crossfin.ops.backup import BackupError, backup, restore
from crossfin.ops.drill_data import load_drill_data
from crossfin.ops.postgres import PostgresUnavailable, find_bindir
from crossfin.ops.setup import initialise

runner = CliRunner()

# On the main test server, under names of our own (never the shared test database).
PG_SERVER = os.environ.get(
    "CROSSFIN_TEST_PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432"
)
PG_SOURCE = "wt_drill_backup_src"
PG_TARGET = "wt_drill_restore"


def _conf(url: str, data: Path) -> Settings:
    return Settings(
        database_url=url,
        data_dir=data,
        checkpoint_interval=0.0,  # type: ignore[call-arg]
        _env_file=None,
    )


def _populated(conf: Settings) -> tuple[int, bytes]:
    """crossfin init, the drill's parties and documents, a signed checkpoint."""
    db = Database(conf.database_url)
    try:
        initialise(conf, db)
        load_drill_data(db, conf.data_dir, banks=2, declarations=5)
        done = checkpoint_now(db, conf, wait=5)
        assert done.checkpoint is not None
        return done.checkpoint.size, done.checkpoint.root
    finally:
        db.dispose()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_sqlite_backup_restores_into_a_new_database_and_passes_the_audit(tmp_path: Path) -> None:
    source = _conf(f"sqlite:///{tmp_path}/source.db", tmp_path / "data")
    size, root = _populated(source)
    manifest = backup(source, tmp_path / "backup")
    assert (manifest["ledger"]["size"], manifest["ledger"]["root"]) == (size, root.hex())
    assert _mode(tmp_path / "backup") == 0o700
    for name in ("manifest.json", "crossfin.db", "data/log.key", "data/platform.secret"):
        assert _mode(tmp_path / "backup" / name) == 0o600, name

    target = _conf(f"sqlite:///{tmp_path}/restored.db", tmp_path / "data2")
    done = restore(target, tmp_path / "backup")
    assert done.ok and done.audit.ok and done.head_matches
    # The business rows too, against what their events committed to (the CLI registers the
    # domains' state views; importing it here does the same).
    assert done.state is not None and done.state.ok and done.state.committed > 0
    assert (done.size, done.root) == (size, root.hex())
    assert done.audit.checkpoints >= 1
    assert done.keys == {"log.key": "restored", "platform.secret": "restored"}
    for name in ("log.key", "platform.secret"):
        assert _mode(tmp_path / "data2" / name) == 0o600
        assert (tmp_path / "data2" / name).read_bytes() == (tmp_path / "data" / name).read_bytes()


def test_the_risk_reports_id_hash_key_is_backed_up_once_it_exists(tmp_path: Path) -> None:
    # Without its key, the ID numbers of new risk reports no longer hash as the old ones did.
    source = _conf(f"sqlite:///{tmp_path}/source.db", tmp_path / "data")
    _populated(source)
    key = id_hash_key(source)
    manifest = backup(source, tmp_path / "backup")
    assert "data/risk-id.key" in manifest["files"]
    assert _mode(tmp_path / "backup" / "data" / "risk-id.key") == 0o600

    target = _conf(f"sqlite:///{tmp_path}/restored.db", tmp_path / "data2")
    done = restore(target, tmp_path / "backup")
    assert done.ok and done.keys["risk-id.key"] == "restored"
    assert id_hash_key(target) == key
    assert _mode(tmp_path / "data2" / "risk-id.key") == 0o600

    # A backup taken before any risk report has no such key, and restores without one.
    (tmp_path / "data" / "risk-id.key").unlink()
    backup(source, tmp_path / "backup-before")
    done = restore(
        _conf(f"sqlite:///{tmp_path}/r2.db", tmp_path / "data3"), tmp_path / "backup-before"
    )
    assert done.ok and "risk-id.key" not in done.keys
    assert not (tmp_path / "data3" / "risk-id.key").exists()


def test_restore_refuses_a_damaged_backup_an_occupied_database_and_another_key(
    tmp_path: Path,
) -> None:
    source = _conf(f"sqlite:///{tmp_path}/source.db", tmp_path / "data")
    _populated(source)
    backup(source, tmp_path / "backup")
    with pytest.raises(BackupError, match="not an empty directory"):
        backup(source, tmp_path / "backup")

    with pytest.raises(BackupError, match="exists"):  # the source itself is occupied
        restore(_conf(source.database_url, tmp_path / "fresh"), tmp_path / "backup")

    other_key = tmp_path / "other"
    other_key.mkdir()
    (other_key / "log.key").write_text("PRIVATE+KEY+somebody+else\n")
    with pytest.raises(BackupError, match="differs from the backup's"):
        restore(_conf(f"sqlite:///{tmp_path}/new.db", other_key), tmp_path / "backup")
    assert not (tmp_path / "new.db").exists(), "nothing is restored before the keys are known"

    with (tmp_path / "backup" / "crossfin.db").open("r+b") as handle:
        handle.seek(200)
        handle.write(b"\xff")
    with pytest.raises(BackupError, match="checksum"):
        restore(_conf(f"sqlite:///{tmp_path}/new.db", tmp_path / "data3"), tmp_path / "backup")


def _pg_available() -> None:
    try:
        find_bindir(None, ("pg_dump", "pg_restore"))
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))
    try:
        psycopg.connect(_libpq_admin(), connect_timeout=3).close()
    except psycopg.Error as exc:
        pytest.skip(f"no PostgreSQL server at {PG_SERVER}: {exc}")


def _libpq_admin() -> str:
    from sqlalchemy.engine import make_url

    url = make_url(f"{PG_SERVER}/postgres")
    return f"host={url.host} port={url.port or 5432} user={url.username} dbname=postgres"


def _drop_create(*, drop: tuple[str, ...], create: tuple[str, ...] = ()) -> None:
    with psycopg.connect(_libpq_admin(), autocommit=True) as conn:
        for name in drop:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        for name in create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def test_a_postgresql_backup_restores_into_a_fresh_database_and_passes_the_audit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pg_available()
    _drop_create(drop=(PG_SOURCE, PG_TARGET), create=(PG_SOURCE,))
    try:
        source = _conf(f"{PG_SERVER}/{PG_SOURCE}", tmp_path / "data")
        size, root = _populated(source)
        monkeypatch.setenv("CROSSFIN_DATABASE_URL", source.database_url)
        monkeypatch.setenv("CROSSFIN_DATA_DIR", str(source.data_dir))
        made = runner.invoke(cli, ["ops", "backup", str(tmp_path / "backup"), "--json"])
        assert made.exit_code == 0, made.output
        assert json.loads(made.output)["ledger"]["size"] == size

        # Into a database that does not exist yet, with an empty data directory.
        monkeypatch.setenv("CROSSFIN_DATABASE_URL", f"{PG_SERVER}/{PG_TARGET}")
        monkeypatch.setenv("CROSSFIN_DATA_DIR", str(tmp_path / "restored-data"))
        done = runner.invoke(cli, ["ops", "restore", str(tmp_path / "backup"), "--json"])
        assert done.exit_code == 0, done.output
        answer = json.loads(done.output)
        assert answer["ok"] and answer["audit"]["ok"] and answer["head_matches_manifest"]
        assert (answer["size"], answer["root"]) == (size, root.hex())

        audit = runner.invoke(cli, ["log", "audit", "--json"])
        assert audit.exit_code == 0, audit.output
        assert json.loads(audit.output)["size"] == size

        again = runner.invoke(cli, ["ops", "restore", str(tmp_path / "backup")])
        assert again.exit_code == 1 and "empty database" in again.output
    finally:
        _drop_create(drop=(PG_SOURCE, PG_TARGET))

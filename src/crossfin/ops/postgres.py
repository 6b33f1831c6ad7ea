"""Throw-away PostgreSQL servers for the failover drill and its tests: a primary, a
synchronous standby, promotion and `pg_rewind`, with the stock binaries.

Run as root, every server command runs as the `postgres` user (PostgreSQL refuses to run
as root); run as anyone else, as that user. Servers listen on 127.0.0.1 only, on the port
given at start, with their sockets in their own directory. Node-specific settings (port,
socket directory, cluster name) go on the command line, never in the data directory, since
`pg_basebackup` and `pg_rewind` copy the configuration files from one node to the other.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

SERVER_USER = "postgres"
REQUIRED = ("initdb", "pg_ctl", "pg_basebackup", "pg_rewind", "postgres")

# What both nodes share (copied by pg_basebackup and pg_rewind). `ANY 1 (pg_a, pg_b)`
# names both, so the same file is right whichever node is the primary: a node is never
# its own standby. remote_apply: a commit is acknowledged once the standby has replayed
# it, so reads on the standby see every acknowledged write (docs/operations.md).
SHARED_CONF = """
# crossfin: a primary and a synchronous standby (docs/operations.md)
listen_addresses = '127.0.0.1'
wal_level = replica
wal_log_hints = on
max_wal_senders = 8
wal_keep_size = '512MB'
hot_standby = on
hot_standby_feedback = on
max_standby_streaming_delay = '5s'
synchronous_standby_names = 'ANY 1 (pg_a, pg_b)'
synchronous_commit = remote_apply
max_connections = 200
shared_buffers = '64MB'
logging_collector = off
log_min_messages = warning
"""


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries (or the user to run them as) are missing."""


def find_bindir(explicit: Path | None = None, required: Sequence[str] = REQUIRED) -> Path:
    """The directory holding the `required` PostgreSQL programs (default: the server's:
    initdb, pg_ctl, pg_basebackup, pg_rewind and postgres), newest version first."""
    candidates: list[Path] = []
    if explicit is not None:
        candidates.append(explicit)
    else:
        config = shutil.which("pg_config")
        if config:
            try:
                out = subprocess.run(
                    [config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
                ).stdout.strip()
                candidates.append(Path(out))
            except (OSError, subprocess.SubprocessError):
                pass
        versions = sorted(
            Path("/usr/lib/postgresql").glob("*/bin"),
            key=lambda p: _version_key(p.parent.name),
            reverse=True,
        )
        candidates.extend(versions)
        found = shutil.which(required[0])
        if found:
            candidates.append(Path(found).resolve().parent)
    for folder in candidates:
        if all((folder / tool).is_file() for tool in required):
            return folder
    where = str(explicit) if explicit else "pg_config --bindir, /usr/lib/postgresql/*/bin, PATH"
    raise PostgresUnavailable(f"PostgreSQL programs ({', '.join(required)}) not found in {where}")


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", name)) or (0,)


def server_user() -> str | None:
    """The user servers run as: `postgres` when we are root, else ourselves (None)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PostgresUnavailable(
            "running as root, but there is no `postgres` user to run "
            "the servers as (PostgreSQL refuses to run as root)"
        ) from None
    return SERVER_USER


def give_to_server_user(path: Path) -> None:
    """Make `path` (a file or a directory tree) the server user's, when we are root."""
    user = server_user()
    if user is None:
        return
    entry = pwd.getpwnam(user)
    for current in [path, *(path.rglob("*") if path.is_dir() else [])]:
        os.chown(current, entry.pw_uid, entry.pw_gid)


@dataclass
class Tools:
    """The server binaries and how to run them."""

    bindir: Path
    workdir: Path
    user: str | None = field(default_factory=server_user)

    def run(
        self, name: str, *args: str, timeout: float = 60.0, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": f"{self.bindir}:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TZ": "UTC",
            "HOME": str(self.workdir),
        }
        done = subprocess.run(
            [str(self.bindir / name), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.workdir,
            env=env,
            user=self.user,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        if check and done.returncode != 0:
            raise RuntimeError(
                f"{name} {' '.join(args)} failed ({done.returncode}): "
                f"{(done.stderr or done.stdout).strip()[-1500:]}"
            )
        return done

    def version(self) -> str:
        return self.run("postgres", "--version").stdout.strip()


@dataclass
class Node:
    """One PostgreSQL server: its data directory, port and log."""

    name: str
    datadir: Path
    port: int
    tools: Tools

    @property
    def sockdir(self) -> Path:
        return self.datadir.parent / f"{self.name}.sock"

    @property
    def logfile(self) -> Path:
        return self.datadir.parent / f"{self.name}.log"

    def conninfo(self, dbname: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname} connect_timeout=3"

    def url(self, dbname: str) -> str:
        """The SQLAlchemy URL of a database on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    # -- life cycle ---------------------------------------------------------------------

    def initdb(self) -> None:
        self.tools.run(
            "initdb",
            "-D",
            str(self.datadir),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
            timeout=120,
        )
        conf = self.datadir / "postgresql.conf"
        with conf.open("a", encoding="utf-8") as handle:
            handle.write(SHARED_CONF)

    def clone_from(self, primary: Node) -> None:
        """A base backup of `primary` as this node's data directory, then follow it."""
        self.tools.run(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(self.datadir),
            "-X",
            "stream",
            "-c",
            "fast",
            "--no-sync",
            timeout=120,
        )
        self.follow(primary)

    def follow(self, primary: Node) -> None:
        """Make this (stopped) node a standby streaming from `primary`, named for
        synchronous_standby_names; its own postgresql.auto.conf is rewritten."""
        auto = self.datadir / "postgresql.auto.conf"
        auto.write_text(
            "# written by crossfin: this node is a standby\n"
            f"primary_conninfo = 'host=127.0.0.1 port={primary.port} "
            f"user=postgres application_name={self.name}'\n",
            encoding="utf-8",
        )
        (self.datadir / "standby.signal").write_text("", encoding="utf-8")
        for path in (auto, self.datadir / "standby.signal"):
            os.chmod(path, 0o600)
            give_to_server_user(path)

    def start(self, timeout: float = 60.0) -> None:
        self.sockdir.mkdir(mode=0o700, exist_ok=True)
        give_to_server_user(self.sockdir)
        options = f"-p {self.port} -k {self.sockdir} -c cluster_name={self.name}"
        self.tools.run(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            str(int(timeout)),
            "-D",
            str(self.datadir),
            "-l",
            str(self.logfile),
            "-o",
            options,
            timeout=timeout + 10,
        )

    def stop(self, mode: str = "fast", timeout: float = 60.0) -> None:
        self.tools.run(
            "pg_ctl",
            "stop",
            "-w",
            "-t",
            str(int(timeout)),
            "-m",
            mode,
            "-D",
            str(self.datadir),
            timeout=timeout + 10,
        )

    def promote(self, timeout: float = 60.0) -> None:
        self.tools.run(
            "pg_ctl",
            "promote",
            "-w",
            "-t",
            str(int(timeout)),
            "-D",
            str(self.datadir),
            timeout=timeout + 10,
        )

    def rewind_from(self, source: Node, timeout: float = 120.0) -> str:
        """Rewind this (stopped, maybe crashed) node to `source`'s history; return the
        tool's last line. It must then `follow(source)` before it starts."""
        done = self.tools.run(
            "pg_rewind",
            "--target-pgdata",
            str(self.datadir),
            "--source-server",
            source.conninfo(),
            timeout=timeout,
        )
        text = done.stderr + done.stdout
        found = re.search(r"servers diverged at WAL location (\S+) on timeline (\d+)", text)
        if "no rewind required" in text:
            return "no rewind required"
        if found:
            return f"rewound from {found.group(1)} on timeline {found.group(2)}"
        return "rewound"

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.datadir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def running(self) -> bool:
        pid = self.postmaster_pid()
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def kill(self) -> None:
        """Stop at once whatever this node still runs (cleanup; never raises)."""
        if not self.running():
            return
        try:
            self.stop("immediate", timeout=15)
            return
        except (RuntimeError, OSError, subprocess.SubprocessError):
            pass
        pid = self.postmaster_pid()
        if pid is not None:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    # -- SQL ----------------------------------------------------------------------------

    def connect(self, dbname: str = "postgres") -> psycopg.Connection[Any]:
        conn = psycopg.connect(self.conninfo(dbname), autocommit=True)
        conn.execute("SET statement_timeout = '20s'")
        return conn

    def query(
        self, sql: str, params: Sequence[Any] = (), dbname: str = "postgres"
    ) -> list[tuple[Any, ...]]:
        with self.connect(dbname) as conn:
            cur = conn.execute(sql, params)
            return cur.fetchall() if cur.description else []

    def in_recovery(self) -> bool:
        return bool(self.query("SELECT pg_is_in_recovery()")[0][0])

    def set_synchronous(self, enabled: bool) -> None:
        """Require a synchronous standby (the shared setting) or, with one node left,
        accept writes on this node alone (docs/operations.md: running degraded)."""
        if enabled:
            self.query("ALTER SYSTEM RESET synchronous_standby_names")
        else:
            self.query("ALTER SYSTEM SET synchronous_standby_names = ''")
        self.query("SELECT pg_reload_conf()")

    def replication(self) -> dict[str, tuple[str, str]]:
        """Standbys streaming from this node: application_name -> (state, sync_state)."""
        rows = self.query("SELECT application_name, state, sync_state FROM pg_stat_replication")
        return {name: (state, sync) for name, state, sync in rows}

    def wait_standby(self, name: str, timeout: float, *, synchronous: bool = True) -> str:
        """Wait until `name` streams from this node (as a synchronous standby, by default);
        return its sync_state."""
        deadline = time.monotonic() + timeout
        seen: tuple[str, str] | None = None
        while True:
            try:
                seen = self.replication().get(name)
            except psycopg.Error:
                seen = None
            if (
                seen
                and seen[0] == "streaming"
                and (not synchronous or seen[1] in ("sync", "quorum"))
            ):
                return seen[1]
            if time.monotonic() >= deadline:
                kind = "a synchronous standby" if synchronous else "streaming"
                raise TimeoutError(
                    f"{name} is not {kind} of {self.name} after {timeout:g} s "
                    f"(pg_stat_replication: {seen})"
                )
            time.sleep(0.1)

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

"""The failover drill: lose the primary under a registration storm, promote the standby,
and prove that nothing acknowledged was lost (docs/operations.md has a sample run).

On one machine, in a temporary directory: a primary (`pg_a`) and a synchronous standby
(`pg_b`) on spare loopback ports; crossfin initialised on the primary as `crossfin init` does;
a local witness (`crossfin witness dev`) and the API (`crossfin serve`) as processes; a storm
of `POST /v1/financings`. Then the primary is stopped with `pg_ctl stop -m immediate`, the
standby promoted, the API restarted on it, and the storm goes on while the old primary is
rewound (`pg_rewind`) and rejoins as the new synchronous standby. Everything is checked and
printed; every server and process is stopped and the directory removed at the end, on a
failure, on Ctrl-C and when the time bound runs out.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import psycopg
from sqlalchemy import text

from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.ledger.audit import AuditReport, audit_database
from crossfin.ledger.errors import VerificationError
from crossfin.ledger.keys import log_signer
from crossfin.ledger.proofs import tree_root
from crossfin.ledger.service import consistency
from crossfin.ledger.state import REGISTRY
from crossfin.ledger.state_audit import audit_state_database
from crossfin.ledger.store import DbHashReader
from crossfin.ledger.verify import verify_consistency
from crossfin.ledger.witness_state import LogRecord, WitnessStore
from crossfin.ops.drill_data import DrillData, load_drill_data
from crossfin.ops.postgres import Node, Tools, find_bindir, give_to_server_user
from crossfin.ops.setup import initialise
from crossfin.ops.storm import Storm

DATABASE = "crossfin"
WITNESS_NAME = "crossfin.local/witness"


class DrillTimeout(BaseException):
    """The drill's time bound ran out (a BaseException, so no retry loop swallows it)."""


@dataclass
class DrillOptions:
    pg_bin: Path | None = None
    before: float = 8.0  # seconds of storm before the primary is stopped
    after: float = 8.0  # seconds of storm on the promoted node (the rejoin runs meanwhile)
    clients: int = 12
    workers: int = 1
    timeout: float = 170.0  # the whole drill, clean-up excluded
    keep: bool = False


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class DrillResult:
    checks: list[Check] = field(default_factory=list)
    acknowledged: int = 0
    acknowledged_before_stop: int = 0
    lost: int | None = None
    rto: float | None = None
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.checks) and all(c.ok for c in self.checks)

    def check(self, name: str, ok: bool, detail: str) -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rpo_lost": self.lost,
            "rto_seconds": _round(self.rto),
            "acknowledged": self.acknowledged,
            "acknowledged_before_stop": self.acknowledged_before_stop,
            "timings": {k: _round(v) for k, v in self.timings.items()},
            "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in self.checks],
            "error": self.error,
            "elapsed_seconds": _round(self.elapsed),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Process:
    """A crossfin process of the drill (the API, the witness), with its output in a file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], workdir: Path) -> None:
        self.name = name
        self.logfile = workdir / f"{name}.log"
        with self.logfile.open("ab") as out:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "crossfin.cli.main", *args],
                env=env,
                cwd=workdir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM, then SIGKILL after `grace` seconds (never raises)."""
        if not self.alive():
            return
        try:
            self.popen.send_signal(signal.SIGTERM)
            self.popen.wait(grace)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            with suppress(subprocess.TimeoutExpired):
                self.popen.wait(5)
        except OSError:
            pass

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no output)"


def child_env(extra: dict[str, str]) -> dict[str, str]:
    """Our environment without any CROSSFIN_* setting of the caller's, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSFIN_")}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env | extra


def wait_for(
    what: str,
    ready: Callable[[], bool],
    timeout: float,
    pause: float = 0.1,
    alive: Callable[[], bool] | None = None,
) -> float:
    """Poll `ready` until true; the seconds it took. TimeoutError / RuntimeError otherwise."""
    start = time.monotonic()
    while True:
        try:
            if ready():
                return time.monotonic() - start
        except (OSError, httpx.HTTPError, psycopg.Error):
            pass
        if alive is not None and not alive():
            raise RuntimeError(f"{what}: the process exited")
        if time.monotonic() - start >= timeout:
            raise TimeoutError(f"{what}: not within {timeout:g} s")
        time.sleep(pause)


@contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Raise DrillTimeout in the main thread after `seconds`; turn SIGTERM into Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise DrillTimeout(f"the drill did not finish within {seconds:g} s")

    def terminate(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt("SIGTERM")

    old_alarm = signal.signal(signal.SIGALRM, expire)
    old_term = signal.signal(signal.SIGTERM, terminate)
    # Ctrl-C, even when started in the background (where SIGINT comes in ignored).
    old_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_alarm)
        signal.signal(signal.SIGTERM, old_term)
        signal.signal(signal.SIGINT, old_int)


@dataclass
class _Running:
    """What the steps after the storm's start share: the API (restarted on failover),
    how to restart it, the storm, and the witness's state."""

    api: Process
    api_env: dict[str, str]
    api_port: int
    base: str
    storm: Storm
    store: WitnessStore
    api_ready: float = 0.0


class Drill:
    """One run of the drill; `run()` always cleans up."""

    def __init__(self, options: DrillOptions, say: Callable[[str], None]) -> None:
        self.options = options
        self._say = say
        self.started = time.monotonic()
        self.result = DrillResult()
        self.workdir: Path | None = None
        self.nodes: list[Node] = []
        self.processes: list[Process] = []
        self.storm: Storm | None = None

    def say(self, text: str) -> None:
        self._say(f"[{time.monotonic() - self.started:6.1f}s] {text}")

    def run(self) -> DrillResult:
        try:
            with time_bound(self.options.timeout):
                self._run()
        except (DrillTimeout, KeyboardInterrupt) as exc:
            self.result.error = str(exc) or type(exc).__name__
            self.say(f"ABORTED: {self.result.error}")
            self._diagnose()
        except Exception as exc:  # noqa: BLE001  (reported, then cleaned up)
            self.result.error = f"{type(exc).__name__}: {exc}"
            self.say(f"FAILED: {self.result.error}")
            self._diagnose()
        finally:
            self._clean_up()
            self.result.elapsed = time.monotonic() - self.started
        return self.result

    # -- the steps ----------------------------------------------------------------------

    def _run(self) -> None:
        pg_a, pg_b = self._primary_and_standby()
        conf, data = self._initialise(pg_a)
        run = self._storm_on(pg_a, pg_b, conf, data)
        stopped, witnessed = self._stop_primary(run, conf)
        self._fail_over(run, pg_a, pg_b)
        self._storm_after(run, stopped, pg_a, pg_b)
        # 6. The checks on the promoted node.
        log = run.storm.log
        acked = [a.ref for a in log.acks]
        self._check_rpo(pg_b, "pg_b (promoted)", acked)
        self._check_witness(run.api, pg_b, conf, run.store, witnessed)
        run.api.stop()
        self._check_audit(pg_b, conf)
        self._wait_caught_up(pg_b, pg_a)
        self._check_rpo(pg_a, "pg_a (rejoined standby)", acked, headline=False)

    def _primary_and_standby(self) -> tuple[Node, Node]:
        """1. A primary and a synchronous standby."""
        bindir = find_bindir(self.options.pg_bin)
        self.workdir = Path(tempfile.mkdtemp(prefix="crossfin-drill-"))
        give_to_server_user(self.workdir)
        tools = Tools(bindir, self.workdir)
        self.say(
            f"{tools.version()} from {bindir}; servers run as "
            f"{tools.user or 'this user'}; work directory {self.workdir}"
        )
        pg_a = Node("pg_a", self.workdir / "pg_a", free_port(), tools)
        pg_b = Node("pg_b", self.workdir / "pg_b", free_port(), tools)
        self.nodes = [pg_a, pg_b]
        pg_a.initdb()
        pg_a.start()
        pg_b.clone_from(pg_a)
        pg_b.start()
        state = pg_a.wait_standby("pg_b", 30)
        self.result.check(
            "synchronous standby before the storm",
            True,
            f"pg_b streams from pg_a, sync_state {state}, synchronous_commit remote_apply",
        )
        self.say(
            f"primary pg_a on 127.0.0.1:{pg_a.port}, standby pg_b on "
            f"127.0.0.1:{pg_b.port} (sync_state {state})"
        )
        return pg_a, pg_b

    def _initialise(self, pg_a: Node) -> tuple[Settings, DrillData]:
        """2a. crossfin's schema and the drill's parties on the primary."""
        assert self.workdir is not None
        pg_a.query(f'CREATE DATABASE "{DATABASE}"')
        conf = Settings(
            database_url=pg_a.url(DATABASE), data_dir=self.workdir / "data", _env_file=None
        )
        db = Database(conf.database_url)
        try:
            initialise(conf, db)
            data = load_drill_data(db, conf.data_dir)
        finally:
            db.dispose()
        self.say(
            f"crossfin initialised on pg_a: {len(data.bank_keys)} banks, "
            f"{len(data.declarations)} export declarations"
        )
        return conf, data

    def _storm_on(self, pg_a: Node, pg_b: Node, conf: Settings, data: DrillData) -> _Running:
        """2b. A witness, the API, and the storm until the witness has cosigned."""
        opts = self.options
        witness_env = self._start_witness(conf)
        api_port = free_port()
        api_env = child_env(
            {
                "CROSSFIN_DATA_DIR": str(conf.data_dir),
                "CROSSFIN_LOG_LEVEL": "WARNING",
                "CROSSFIN_CHECKPOINT_INTERVAL": "0.5",
                "CROSSFIN_FINANCING_SWEEP_SECONDS": "0",
                "CROSSFIN_READ_MAX_LAG_SECONDS": "2",
            }
            | witness_env
        )
        base = f"http://127.0.0.1:{api_port}"
        api = self._start_api(api_env, api_port, primary=pg_a, standby=pg_b)
        reads = self._wait_reads(base, "standby", 10)
        self.result.check(
            "reads go to the standby",
            reads == "standby",
            f"/healthz before the stop: reads from the {reads}",
        )
        storm = Storm(
            base,
            lambda n, ref: (data.bank_key(n), data.body(n, ref)),
            opts.clients,
            prefix=f"DRILL-{os.getpid()}",
        )
        self.storm = storm
        storm.start()
        storm_start = time.monotonic()
        self.say(f"storm: {opts.clients} clients registering financings on {base}")
        store = WitnessStore(conf.data_dir / "witness" / "state")
        wait_for(
            "the storm before the stop, and a first cosignature by the witness",
            lambda: (
                time.monotonic() - storm_start >= opts.before
                and self._witnessed_size(store, conf) > 0
            ),
            opts.before + 30,
        )
        before = storm.count()
        self.result.acknowledged_before_stop = before
        self.say(
            f"{before} registrations acknowledged "
            f"({before / (time.monotonic() - storm_start):.0f}/s)"
        )
        return _Running(api, api_env, api_port, base, storm, store)

    def _stop_primary(self, run: _Running, conf: Settings) -> tuple[float, LogRecord]:
        """3. The primary dies; what the witness last cosigned is kept for the checks."""
        pg_a = self.nodes[0]
        stopped = time.monotonic()
        pg_a.stop("immediate")
        self.say("pg_a stopped with `pg_ctl stop -m immediate`")
        mark = time.monotonic()
        run.api.stop()
        self.result.timings["api_stop"] = time.monotonic() - mark
        witnessed = self._witnessed(run.store, conf)
        assert witnessed is not None
        self.say(f"the witness last cosigned size {witnessed.size} before the failover")
        return stopped, witnessed

    def _fail_over(self, run: _Running, pg_a: Node, pg_b: Node) -> None:
        """4. Promote the standby, run degraded until the old primary is back, restart
        the API on the promoted node."""
        timings = self.result.timings
        mark = time.monotonic()
        pg_b.promote()
        pg_b.set_synchronous(False)
        timings["promote"] = time.monotonic() - mark
        self.say(
            f"pg_b promoted in {timings['promote']:.1f} s; synchronous_standby_"
            "names cleared until a standby is back (writes on one node)"
        )
        mark = time.monotonic()
        run.api = self._start_api(run.api_env, run.api_port, primary=pg_b, standby=pg_a)
        run.api_ready = time.monotonic()
        timings["api_restart"] = run.api_ready - mark
        self.say(f"API restarted on pg_b in {timings['api_restart']:.1f} s")

    def _storm_after(self, run: _Running, stopped: float, pg_a: Node, pg_b: Node) -> None:
        """5. The storm goes on; the first acknowledged write after the stop is the RTO.
        The old primary rejoins as the new synchronous standby meanwhile."""
        result, storm = self.result, run.storm
        wait_for(
            "a write on the promoted node",
            lambda: bool(storm.acked_since(stopped)),
            30,
            pause=0.02,
        )
        first = min(a.answered for a in storm.acked_since(stopped))
        result.rto = first - stopped
        result.timings["first_write"] = max(0.0, first - run.api_ready)
        result.check(
            "writes resume after the stop (RTO)",
            True,
            f"first acknowledged write {result.rto:.1f} s after the stop",
        )
        self.say(f"first write acknowledged {result.rto:.1f} s after the stop")
        resumed = time.monotonic()
        self._rejoin(pg_a, pg_b)
        reads = self._wait_reads(run.base, "standby", 10)
        result.check(
            "reads return to the rejoined standby",
            reads == "standby",
            f"/healthz after the rejoin: reads from the {reads}",
        )
        wait_for(
            "the rest of the storm",
            lambda: time.monotonic() - resumed >= self.options.after,
            self.options.after + 1,
        )
        storm.stop()
        log = storm.log
        result.acknowledged = len(log.acks)
        replayed = sum(a.replayed for a in log.acks)
        self.say(
            f"storm stopped: {len(log.acks)} acknowledged ({replayed} answered from the "
            f"idempotency store after a retry), {log.failed_attempts} failed attempts "
            f"retried, {len(log.unanswered)} unanswered at the end"
        )
        result.check(
            "no registration refused",
            not log.refused,
            "none" if not log.refused else f"{log.refused}: {log.refusal_samples}",
        )

    def _start_witness(self, conf: Settings) -> dict[str, str]:
        """`crossfin witness dev`, as `make run` starts it; the API's witness settings."""
        assert self.workdir is not None
        port = free_port()
        env = child_env({"CROSSFIN_DATA_DIR": str(conf.data_dir), "CROSSFIN_LOG_LEVEL": "WARNING"})
        printed = subprocess.run(
            [
                sys.executable,
                "-m",
                "crossfin.cli.main",
                "witness",
                "dev",
                "--print-env",
                "--port",
                str(port),
            ],
            env=env,
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        settings = {}
        for line in printed.splitlines():
            name, _, value = line.removeprefix("export ").partition("=")
            settings[name] = value.strip("'")
        witness = Process("witness", ["witness", "dev", "--port", str(port)], env, self.workdir)
        self.processes.append(witness)
        wait_for("the witness", lambda: _listening(port), 60, alive=witness.alive)
        self.say(f"witness {WITNESS_NAME} on 127.0.0.1:{port} (quorum 1)")
        return settings

    def _start_api(
        self, env: dict[str, str], port: int, *, primary: Node, standby: Node
    ) -> Process:
        assert self.workdir is not None
        env = env | {
            "CROSSFIN_DATABASE_URL": primary.url(DATABASE),
            "CROSSFIN_READ_DATABASE_URL": standby.url(DATABASE),
        }
        args = [
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(self.options.workers),
        ]
        api = Process("api", args, env, self.workdir)
        self.processes.append(api)
        wait_for(
            "the API",
            lambda: httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200,
            60,
            alive=api.alive,
        )
        return api

    def _wait_reads(self, base: str, wanted: str, timeout: float) -> str:
        """Where /healthz says reads go, once it says `wanted` or after `timeout`."""
        seen = "unknown"

        def check() -> bool:
            nonlocal seen
            seen = str(httpx.get(f"{base}/healthz", timeout=3).json()["standby"]["reads"])
            return seen == wanted

        with suppress(TimeoutError):
            wait_for(f"reads from the {wanted}", check, timeout, pause=0.25)
        return seen

    def _witnessed(self, store: WitnessStore, conf: Settings) -> LogRecord | None:
        """What the witness last cosigned, from its own state."""
        with store.locked(conf.log_origin):
            return store.load(conf.log_origin)

    def _witnessed_size(self, store: WitnessStore, conf: Settings) -> int:
        record = self._witnessed(store, conf)
        return 0 if record is None else record.size

    def _rejoin(self, old: Node, new: Node) -> None:
        mark = time.monotonic()
        new.query("CHECKPOINT")  # the promoted node's control file names its new timeline
        outcome = old.rewind_from(new)
        old.follow(new)
        old.start()
        new.wait_standby(old.name, 60, synchronous=False)
        new.set_synchronous(True)
        state = new.wait_standby(old.name, 30)
        self.result.timings["rejoin"] = time.monotonic() - mark
        self.result.check(
            "old primary rejoins as a synchronous standby (pg_rewind)",
            True,
            f"{outcome}; pg_a streams from pg_b, sync_state {state}, in "
            f"{self.result.timings['rejoin']:.1f} s",
        )
        self.say(
            f"pg_a rejoined as pg_b's standby ({outcome}) in "
            f"{self.result.timings['rejoin']:.1f} s; synchronous again ({state})"
        )

    def _wait_caught_up(self, primary: Node, standby: Node) -> None:
        target = primary.query("SELECT pg_current_wal_lsn()")[0][0]
        wait_for(
            "the standby to replay everything",
            lambda: bool(
                standby.query("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (str(target),))[0][0]
            ),
            30,
        )

    def _check_rpo(
        self, node: Node, label: str, acked: list[str], *, headline: bool = True
    ) -> None:
        found: set[str] = set()
        with node.connect(DATABASE) as conn:
            for start in range(0, len(acked), 5000):
                rows = conn.execute(
                    "SELECT external_ref FROM financings WHERE external_ref = ANY(%s)",
                    (acked[start : start + 5000],),
                )
                found.update(r[0] for r in rows)
        lost = sorted(set(acked) - found)
        if headline:
            self.result.lost = len(lost)
        name = (
            "no acknowledged registration lost (RPO 0)"
            if headline
            else "the rejoined standby holds every acknowledged registration"
        )
        self.result.check(
            name,
            bool(acked) and not lost,
            f"{len(acked) - len(lost)} of {len(acked)} acknowledged on {label}"
            + (f"; missing e.g. {lost[:3]}" if lost else ""),
        )

    def _check_witness(
        self, api: Process, node: Node, conf: Settings, store: WitnessStore, before: LogRecord
    ) -> None:
        """The witness cosigns a checkpoint of the promoted node's log as consistent with
        the last one it cosigned before the failover; checked again here independently."""
        db = Database(node.url(DATABASE))
        try:
            with db.session(readonly=True) as session:
                head_size = session.execute(_HEAD_SIZE).scalar_one()

            def cosigned_head() -> bool:
                record = self._witnessed(store, conf)
                return record is not None and record.size >= head_size

            with suppress(TimeoutError, RuntimeError):
                wait_for(
                    "the witness to cosign the promoted node's head",
                    cosigned_head,
                    30,
                    pause=0.2,
                    alive=api.alive,
                )
            after = self._witnessed(store, conf)
            assert after is not None
            refused = sorted(p.name for p in store.evidence_dir.glob("*-422*"))
            retried = len(list(store.evidence_dir.glob("*-409*")))
            problem = ""
            with db.session(readonly=True) as session:
                try:
                    if tree_root(DbHashReader(session), before.size) != before.root:
                        problem = f"the promoted log's root at size {before.size} differs"
                    elif after.size > before.size:
                        proof = consistency(session, before.size, after.size)
                        verify_consistency(before.size, after.size, proof, before.root, after.root)
                except VerificationError as exc:
                    problem = f"consistency proof does not verify: {exc}"
        finally:
            db.dispose()
        ok = after.size > before.size and after.size >= head_size and not refused and not problem
        detail = (
            f"cosigned size {before.size} before the failover, {after.size} after "
            f"(head {head_size}); consistency {before.size}->{after.size} verified "
            f"again here; refusals: {len(refused)} x 422, {retried} x 409 (stale size, "
            "retried)"
        )
        if problem:
            detail += f"; {problem}"
        self.result.check("witness accepts the promoted log as consistent", ok, detail)

    def _check_audit(self, node: Node, conf: Settings) -> None:
        db = Database(node.url(DATABASE))
        try:
            report: AuditReport = audit_database(db, log_signer(conf).verifier())
            rows = audit_state_database(db, REGISTRY) if len(REGISTRY) else None
        finally:
            db.dispose()
        detail = (
            f"{report.size} leaves re-hashed, {report.checkpoints} checkpoints verified"
            if report.ok
            else f"first bad index {report.first_bad_index}: {report.problems[:3]}"
        )
        if rows is not None:
            detail += (
                f"; business rows: {rows.committed} committed, {len(rows.divergent)} divergent"
                + ("" if rows.ok else f" {rows.problems[:3]} {rows.as_dict()['divergent'][:3]}")
            )
        ok = report.ok and (rows is None or rows.ok)
        self.result.check("`crossfin log audit` passes on the promoted node", ok, detail)

    # -- the end ------------------------------------------------------------------------

    def _diagnose(self) -> None:
        for process in self.processes[-2:]:
            self._say(f"--- last lines of {process.name}'s output ---\n{process.tail()}")
        for node in self.nodes:
            self._say(f"--- last lines of {node.name}'s log ---\n{node.log_tail()}")

    def _clean_up(self) -> None:
        if self.storm is not None:
            self.storm.stop(timeout=5)
        for process in reversed(self.processes):
            process.stop()
        for node in self.nodes:
            node.kill()
        if self.workdir is not None:
            if self.options.keep:
                self._say(f"kept {self.workdir} (servers stopped)")
            else:
                shutil.rmtree(self.workdir, ignore_errors=True)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


_HEAD_SIZE = text("SELECT size FROM ledger_head")


_PHASES = {
    "api_stop": "old API stopped",
    "promote": "promotion",
    "api_restart": "API restart",
    "first_write": "first write",
}
_CHECK_ORDER = (
    "no acknowledged registration lost (RPO 0)",
    "writes resume after the stop (RTO)",
    "`crossfin log audit` passes on the promoted node",
    "witness accepts the promoted log as consistent",
    "old primary rejoins as a synchronous standby (pg_rewind)",
    "the rejoined standby holds every acknowledged registration",
    "synchronous standby before the storm",
    "reads go to the standby",
    "reads return to the rejoined standby",
    "no registration refused",
)


def summary(result: DrillResult) -> str:
    """The closing block the drill prints."""
    lines = ["", "== failover drill =="]
    if result.lost is not None:
        lines.append(
            f"RPO: {result.lost} of {result.acknowledged} acknowledged registrations "
            "lost" + (" (RPO 0)" if result.lost == 0 else "")
        )
    if result.rto is not None:
        parts = ", ".join(
            f"{_PHASES[k]} {v:.1f} s" for k, v in result.timings.items() if k in _PHASES
        )
        lines.append(
            f"RTO: {result.rto:.1f} s from the stop to the first acknowledged write ({parts})"
        )
    order = {name: i for i, name in enumerate(_CHECK_ORDER)}
    for check in sorted(result.checks, key=lambda c: order.get(c.name, len(order))):
        lines.append(f"  {'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
    if result.error:
        lines.append(f"  FAIL  drill: {result.error}")
    lines.append(f"drill {'passed' if result.ok else 'FAILED'} in {result.elapsed:.1f} s")
    return "\n".join(lines)


def run_drill(options: DrillOptions, say: Callable[[str], None]) -> DrillResult:
    return Drill(options, say).run()


def as_json(result: DrillResult) -> str:
    return json.dumps(result.as_dict())

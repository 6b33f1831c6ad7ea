"""Several API worker processes, each with its own listening socket on one port.

Why not uvicorn's own `--workers`: there every worker waits on one shared socket and accepts
up to its whole backlog at each wake-up, so a burst of new keep-alive connections (a bank's
connection pool opening) lands on whichever worker woke first. The benchmark saw 31 of 32
connections on one of two workers, which then set the pace and the tail latency for all.
Here each worker binds its own socket with SO_REUSEPORT and the kernel spreads incoming
connections over the sockets by a hash of their addresses, whatever the workers are doing.

The parent only supervises: it checks the port is free, gives the workers a shared
directory for their Prometheus metrics (so that `/metrics`, whichever worker answers it,
counts for all), starts them, replaces one that dies, and on SIGINT or SIGTERM asks them all
to finish their requests and stop.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.process import BaseProcess
from pathlib import Path

log = logging.getLogger("crossfin.serve")
STARTUP_FAILURE = 3  # uvicorn's exit code when a worker cannot start
GRACE_SECONDS = 30  # how long a stopping worker may take to finish its requests
BACKLOG = 2048
# prometheus_client's multiprocess mode: each worker writes its metric values to files in
# this directory (read when the worker imports prometheus_client, hence set before spawning).
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
MAX_RESTARTS, RESTART_WINDOW = 5, 60  # more deaths than this in that many seconds: give up
APP = "crossfin.api.asgi:app"  # the factory each worker serves


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def ensure_port_free(host: str, port: int) -> None:
    """Raise OSError if anything listens on host:port. A socket without SO_REUSEPORT cannot
    bind where a listener is, so this also stops two `serve` runs from sharing a port."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def listening_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    return sock


def run_worker(host: str, port: int, app: str = APP) -> None:
    """One worker process: its own socket in the port's group, one uvicorn server serving
    the factory `app` (another one only in the benchmarks' bare baseline)."""
    import uvicorn

    # Its own process group: a Ctrl-C at the terminal reaches only the supervisor, which
    # then sends each worker one SIGTERM (a second signal would make uvicorn drop requests).
    os.setpgrp()
    _stop_when_orphaned(os.getppid())
    try:
        sock = listening_socket(host, port)
    except OSError as exc:
        log.error("worker cannot listen on %s:%d: %s", host, port, exc)
        sys.exit(STARTUP_FAILURE)
    config = uvicorn.Config(
        app,
        factory=True,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        backlog=BACKLOG,
    )
    uvicorn.Server(config).run(sockets=[sock])


def _stop_when_orphaned(parent: int) -> None:
    """A worker whose supervisor was killed outright stops by itself."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


@contextmanager
def metrics_directory() -> Iterator[None]:
    """A metrics directory for this run's workers, empty at start (stale files of an
    earlier run would be added in): the operator's PROMETHEUS_MULTIPROC_DIR if set, else a
    private temporary one, removed afterwards."""
    given = os.environ.get(MULTIPROCESS_ENV)
    if given:
        Path(given).mkdir(mode=0o700, parents=True, exist_ok=True)
        for stale in Path(given).glob("*.db"):
            stale.unlink()
        yield
        return
    made = tempfile.mkdtemp(prefix="crossfin-metrics-")
    os.environ[MULTIPROCESS_ENV] = made
    try:
        yield
    finally:
        del os.environ[MULTIPROCESS_ENV]
        shutil.rmtree(made, ignore_errors=True)


class Supervisor:
    """Starts `count` workers on host:port and keeps that many running until told to stop."""

    def __init__(self, host: str, port: int, count: int, app: str = APP):
        self.host, self.port, self.count, self.app = host, port, count, app
        self._context = multiprocessing.get_context("spawn")
        self._stop = threading.Event()
        self.workers: list[BaseProcess] = []
        self._restarts: deque[float] = deque()

    def _start_one(self) -> BaseProcess:
        process = self._context.Process(
            target=run_worker,
            args=(self.host, self.port, self.app),
            name="crossfin-worker",
            daemon=False,
        )
        process.start()
        return process

    def request_stop(self, *_: object) -> None:
        self._stop.set()

    def run(self) -> int:
        """Serve until SIGINT/SIGTERM; the exit status is 0, or 1 if a worker cannot start."""
        ensure_port_free(self.host, self.port)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self.request_stop)
        with metrics_directory():
            self.workers = [self._start_one() for _ in range(self.count)]
            log.info("serving on %s:%d with %d workers", self.host, self.port, self.count)
            status = 0
            while not self._stop.wait(0.5):
                if not self._replace_dead():
                    status = 1
                    break
            self._stop_all()
        return status

    def _replace_dead(self) -> bool:
        """Restart workers that died; False if one cannot start, or they keep dying."""
        for i, process in enumerate(self.workers):
            if process.is_alive():
                continue
            if process.exitcode == STARTUP_FAILURE:
                log.error("worker %s could not start; stopping", process.pid)
                return False
            now = time.monotonic()
            while self._restarts and now - self._restarts[0] > RESTART_WINDOW:
                self._restarts.popleft()
            if len(self._restarts) >= MAX_RESTARTS:
                log.error(
                    "workers died %d times in %d s; stopping", MAX_RESTARTS + 1, RESTART_WINDOW
                )
                return False
            self._restarts.append(now)
            log.warning(
                "worker %s died (exit code %s); starting another", process.pid, process.exitcode
            )
            self.workers[i] = self._start_one()
        return True

    def _stop_all(self) -> None:
        for process in self.workers:
            if process.is_alive() and process.pid is not None:
                process.terminate()  # SIGTERM: uvicorn finishes open requests, then exits
        deadline = time.monotonic() + GRACE_SECONDS
        for process in self.workers:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()

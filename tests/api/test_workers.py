"""`crossfin serve --workers N`: connections spread over the workers, a dead worker is
replaced, SIGTERM stops them all, and a port already in use is refused."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crossfin.core import secrets
from crossfin.core.settings import Settings
from crossfin.ledger import keys
from support.server import free_port

pytestmark = pytest.mark.slow
CROSSFIN = str(Path(sys.executable).parent / "crossfin")


@pytest.fixture
def server_env(db, db_url: str, tmp_path: Path) -> dict[str, str]:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    conf = Settings(database_url=db_url, data_dir=data, _env_file=None)  # type: ignore[call-arg]
    keys.ensure_log_key(conf)
    secrets.ensure_platform_secret(conf)
    return os.environ | {
        "CROSSFIN_DATABASE_URL": db_url,
        "CROSSFIN_DATA_DIR": str(data),
        "CROSSFIN_LOG_LEVEL": "WARNING",
        "CROSSFIN_FINANCING_SWEEP_SECONDS": "0",
    }


@pytest.fixture
def served(server_env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    server = start(server_env, port)
    try:
        yield server, port
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(30)


def start(env: dict[str, str], port: int, workers: int = 2) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [CROSSFIN, "serve", "--workers", str(workers), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while len(workers_of(server.pid)) < workers or not healthy(port):
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(server.stderr.read().decode() if server.stderr else "exited")
        time.sleep(0.2)
    return server


def healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def workers_of(parent: int) -> list[int]:
    """The worker processes (multiprocessing's resource tracker has no sockets: skipped)."""
    kids = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"spawn_main" in cmdline:
            kids.append(int(entry.name))
    return kids


def established_on(port: int, pid: int) -> int:
    """How many established TCP connections to `port` the process `pid` holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        if local_port == port and fields[3] == "01" and fields[9] in inodes:
            count += 1
    return count


def burst(
    server: subprocess.Popen[bytes], port: int, path: str, status: int, count: int = 40
) -> dict[int, int]:
    """Open `count` keep-alive connections at once (a client pool starting), send one GET
    on each, check each answer's status; return how many connections each worker held."""
    conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
    try:
        for conn in conns:
            conn.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
        for conn in conns:
            assert conn.recv(4096).startswith(f"HTTP/1.1 {status}".encode())
        return {pid: established_on(port, pid) for pid in workers_of(server.pid)}
    finally:
        for conn in conns:
            conn.close()


def test_a_burst_of_connections_is_spread_over_the_workers(served):
    server, port = served
    # With one shared listening socket the first worker to wake used to accept nearly all.
    held = burst(server, port, "/healthz", 200)
    assert sum(held.values()) == 40, held
    # The kernel hashes each connection to a socket: 5 or fewer of 40 on one of two
    # workers happens with a probability below one in a million.
    assert min(held.values()) > 5, held


def test_a_dead_worker_is_replaced(served):
    server, port = served
    victim = workers_of(server.pid)[0]
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while True:
        current = workers_of(server.pid)
        if victim not in current and len(current) == 2 and healthy(port):
            break
        assert time.monotonic() < deadline, "the dead worker was not replaced"
        time.sleep(0.2)
    assert server.poll() is None


def test_sigterm_stops_every_worker(served):
    server, port = served
    workers = workers_of(server.pid)
    server.send_signal(signal.SIGTERM)
    assert server.wait(40) == 0
    for pid in workers:
        assert (
            not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
        )
    assert not healthy(port)


def test_a_port_in_use_is_refused(served, server_env):
    _, port = served
    second = subprocess.run(
        [CROSSFIN, "serve", "--workers", "2", "--port", str(port)],
        env=server_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in second.stderr
    assert healthy(port)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--workers", "0"], "--workers must be at least 1"),
        (["--workers", "2", "--port", "0"], "several workers need a fixed --port"),
    ],
)
def test_bad_worker_options_are_refused(server_env, args, message):
    result = subprocess.run(
        [CROSSFIN, "serve", *args], env=server_env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert message in result.stderr


def test_the_worker_factory_tunes_the_garbage_collector(settings, db, monkeypatch):
    import gc

    from crossfin.api import asgi

    keys.ensure_log_key(settings)
    secrets.ensure_platform_secret(settings)
    monkeypatch.setenv("CROSSFIN_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CROSSFIN_DATA_DIR", str(settings.data_dir))
    before = gc.get_threshold()
    try:
        asgi.app()
        assert gc.get_threshold() == asgi.GC_THRESHOLDS
        assert gc.get_freeze_count() > 10_000  # the modules, routes and mappers loaded
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def requests_counted(port: int) -> float:
    """Unauthenticated `GET /v1/me` answers (401) in one scrape of /metrics (a new
    connection: any worker answers). No one else calls that route here, unlike /healthz."""
    with httpx.Client(headers={"Connection": "close"}) as client:
        text = client.get(f"http://127.0.0.1:{port}/metrics").text
    for line in text.splitlines():
        if (
            line.startswith("crossfin_http_requests_total{")
            and 'route="/v1/me"' in line
            and 'status="401"' in line
        ):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_every_workers_requests(served):
    server, port = served
    assert min(burst(server, port, "/v1/me", 401).values()) > 0
    # A request is counted just after its answer is sent: give the last ones a moment.
    deadline = time.monotonic() + 10
    while requests_counted(port) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    # Scrapes land on either worker; each must count the 40 requests of both.
    assert {requests_counted(port) for _ in range(8)} == {40.0}

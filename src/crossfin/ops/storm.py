"""A registration storm: client threads posting `POST /v1/financings` as banks' loan systems.

Each client takes the next registration and sends it until it is answered: a 201 is
acknowledged (its external_ref and time are recorded), a 4xx is a refusal, and anything
else (no connection, a reset, a 5xx while the database is gone) is retried with the same
`Idempotency-Key`, as a careful client does, until it is answered or the storm stops. So a
registration whose commit reached the standby but whose answer was lost with the primary
comes back after the failover as its stored answer (`Idempotent-Replayed: true`), never as a
second financing.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

RETRY_PAUSE = 0.05
REQUEST_TIMEOUT = 10.0


@dataclass(frozen=True)
class Ack:
    """An acknowledged registration."""

    ref: str
    sent: float  # monotonic time the answered attempt was sent
    answered: float  # monotonic time the 201 arrived
    replayed: bool  # answered from the idempotency store


@dataclass
class StormLog:
    """What the clients saw; guarded by `lock`."""

    acks: list[Ack] = field(default_factory=list)
    refused: dict[int, int] = field(default_factory=dict)
    refusal_samples: list[str] = field(default_factory=list)
    failed_attempts: int = 0
    unanswered: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


Request = Callable[[int, str], tuple[str, dict[str, object]]]  # (n, ref) -> (key, body)


class Storm:
    """`clients` threads registering against `base_url` until `stop()`."""

    def __init__(self, base_url: str, request: Request, clients: int, prefix: str) -> None:
        self.base_url = base_url
        self.request = request
        self.clients = clients
        self.prefix = prefix
        self.log = StormLog()
        self._numbers = itertools.count()
        self._numbers_lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for i in range(self.clients):
            thread = threading.Thread(target=self._client, name=f"storm-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def acked_since(self, moment: float) -> list[Ack]:
        with self.log.lock:
            return [a for a in self.log.acks if a.sent >= moment]

    def count(self) -> int:
        with self.log.lock:
            return len(self.log.acks)

    def _next(self) -> int:
        with self._numbers_lock:
            return next(self._numbers)

    def _client(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=REQUEST_TIMEOUT) as client:
            while not self._stop.is_set():
                n = self._next()
                ref = f"{self.prefix}-{n:06d}"
                key, body = self.request(n, ref)
                self._register(client, ref, key, body)

    def _register(self, client: httpx.Client, ref: str, key: str, body: dict[str, object]) -> None:
        headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": ref}
        while not self._stop.is_set():
            sent = time.monotonic()
            try:
                answer = client.post("/v1/financings", json=body, headers=headers)
            except httpx.HTTPError:
                status, text = None, ""
            else:
                status, text = answer.status_code, answer.text
            if status == 201:
                replayed = answer.headers.get("idempotent-replayed") == "true"
                with self.log.lock:
                    self.log.acks.append(Ack(ref, sent, time.monotonic(), replayed))
                return
            if status is not None and 400 <= status < 500:
                with self.log.lock:
                    self.log.refused[status] = self.log.refused.get(status, 0) + 1
                    if len(self.log.refusal_samples) < 3:
                        self.log.refusal_samples.append(f"{ref}: {status} {text[:200]}")
                return
            with self.log.lock:
                self.log.failed_attempts += 1
            self._stop.wait(RETRY_PAUSE)
        with self.log.lock:
            self.log.unanswered.append(ref)

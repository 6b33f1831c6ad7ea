"""The checkpointer: signs checkpoints of the log head and collects witness cosignatures.

One checkpointer per database signs (leader election: a PostgreSQL advisory lock held on
a dedicated connection, or an exclusive lock file next to a SQLite database). Every step
is a short read or a short write: signing and talking to witnesses happen outside any
transaction, so the sequencer never waits on them.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from crossfin.core.clock import utcnow
from crossfin.core.db import Database
from crossfin.core.security import SecurityKind, report
from crossfin.core.settings import Settings
from crossfin.ledger import models
from crossfin.ledger.checkpoint import Checkpoint as CheckpointBody
from crossfin.ledger.cosignature import CosignatureVerifier
from crossfin.ledger.election import Election, election_for
from crossfin.ledger.integrator import drain
from crossfin.ledger.keys import log_signer
from crossfin.ledger.note import NoteError, Signer, parse_signature_line, sign_note
from crossfin.ledger.proofs import consistency_proof
from crossfin.ledger.store import DbHashReader, read_head
from crossfin.ledger.witness_client import (
    WitnessClientError,
    WitnessConflictError,
    submit_checkpoint,
)

log = logging.getLogger("crossfin.ledger.checkpointer")

MAX_BACKOFF = 60.0


@dataclass(frozen=True)
class Witness:
    """A configured witness: its add-checkpoint URL prefix and its cosigner key."""

    url: str
    verifier: CosignatureVerifier

    @property
    def name(self) -> str:
        return self.verifier.name


def configured_witnesses(settings: Settings) -> list[Witness]:
    """Pair `witness_urls[i]` with `witness_keys[i]`; ValueError if the lists disagree."""
    urls, keys = settings.witness_urls, settings.witness_keys
    if len(urls) != len(keys):
        raise ValueError(
            f"{len(urls)} witness URL(s) but {len(keys)} witness key(s): "
            "CROSSFIN_WITNESS_URLS and CROSSFIN_WITNESS_KEYS pair by position"
        )
    witnesses = [
        Witness(u, CosignatureVerifier.from_vkey(k)) for u, k in zip(urls, keys, strict=True)
    ]
    if len({w.name for w in witnesses}) != len(witnesses):
        raise ValueError("two configured witnesses share a name")
    if settings.witness_quorum > len(witnesses):
        raise ValueError(
            f"witness quorum {settings.witness_quorum} exceeds the "
            f"{len(witnesses)} configured witness(es)"
        )
    return witnesses


@dataclass(frozen=True)
class StoredCheckpoint:
    """The fields of a stored checkpoint the checkpointer works with."""

    size: int
    root: bytes
    note: str


@dataclass(frozen=True)
class Outcome:
    """What one run did: the newest checkpoint, whether it was signed now, new cosigners."""

    checkpoint: StoredCheckpoint | None
    signed: bool
    cosigned_by: tuple[str, ...] = ()


def _newest(db: Database) -> StoredCheckpoint | None:
    with db.session(readonly=True) as session:
        row = session.execute(
            select(models.Checkpoint.size, models.Checkpoint.root, models.Checkpoint.note)
            .order_by(models.Checkpoint.size.desc())
            .limit(1)
        ).first()
    return StoredCheckpoint(*row) if row else None


def sign_if_grown(db: Database, signer: Signer) -> StoredCheckpoint | None:
    """Sign and store a checkpoint of the head if no checkpoint has its size yet.

    Queued events a writer left unplaced (killed after its COMMIT) are placed first, so
    they wait at most one checkpoint interval (group commit, ledger/integrator.py).
    """
    drain(db)
    with db.session(readonly=True) as session:
        head = read_head(session)
        size, root = head.size, head.root
        last = session.scalar(select(func.max(models.Checkpoint.size)))
    if last is not None and last >= size:
        if last > size:
            log.critical("newest checkpoint has size %d but the log only %d leaves", last, size)
        return None
    try:
        # The origin is the key's name: log_signer checked it equals settings.log_origin.
        note = sign_note(CheckpointBody(signer.name, size, root).format(), [signer])
        with db.session() as session, session.begin():
            session.add(
                models.Checkpoint(size=size, root=root, note=note, cosigners=0, created_at=utcnow())
            )
    except IntegrityError:
        return None  # signed already by a checkpointer that lost its lead meanwhile
    except Exception as exc:
        # The log grows unsigned: witnesses and clients cannot check it until this is fixed.
        report(
            db,
            SecurityKind.CHECKPOINT_SIGN_FAILED,
            detail={"size": size, "error": f"{type(exc).__name__}: {exc}"[:300]},
        )
        raise
    log.info("signed checkpoint at size %d", size)
    return StoredCheckpoint(size, root, note)


class Checkpointer:
    """Signs checkpoints when the log grew and asks each witness to cosign the newest one."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        signer: Signer | None = None,
        http: httpx.Client | None = None,
        election: Election | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.signer = signer or log_signer(settings)
        self.witnesses = configured_witnesses(settings)
        self.election = election or election_for(db, settings)
        self._own_http = http is None
        self.http = http or httpx.Client(timeout=10.0)
        self.clock = clock
        self._retry_at: dict[str, tuple[float, int]] = {}  # name -> (monotonic time, failures)
        self._known_size: dict[str, int] = {}

    def lead(self) -> bool:
        """Try to become (or stay) the database's checkpointer."""
        return self.election.acquire()

    def close(self) -> None:
        self.election.release()
        if self._own_http:
            self.http.close()

    def run_once(self, *, retry_all: bool = False) -> Outcome:
        """Sign if grown, then collect missing cosignatures; call only while leading."""
        signed = sign_if_grown(self.db, self.signer)
        newest = signed or _newest(self.db)
        if newest is None:
            return Outcome(None, False)
        got = self.collect(newest, retry_all=retry_all)
        return Outcome(newest, signed is not None, tuple(got))

    def collect(self, checkpoint: StoredCheckpoint, *, retry_all: bool = False) -> list[str]:
        """Ask every witness without a cosignature on `checkpoint`; return who cosigned."""
        with self.db.session(readonly=True) as session:
            have = set(
                session.scalars(
                    select(models.Cosignature.witness).where(
                        models.Cosignature.size == checkpoint.size
                    )
                )
            )
        got = []
        for witness in self.witnesses:
            if witness.name in have or (not retry_all and self._waiting(witness.name)):
                continue
            try:
                lines = self._ask(witness, checkpoint)
            except WitnessClientError as exc:
                self._failed(witness.name, exc)
                continue
            if self._store(checkpoint.size, witness, lines):
                got.append(witness.name)
            self._retry_at.pop(witness.name, None)
        return got

    def _waiting(self, name: str) -> bool:
        retry = self._retry_at.get(name)
        return retry is not None and self.clock() < retry[0]

    def _failed(self, name: str, exc: WitnessClientError) -> None:
        failures = self._retry_at.get(name, (0.0, 0))[1] + 1
        self._retry_at[name] = (self.clock() + min(MAX_BACKOFF, 2.0**failures), failures)
        self._known_size.pop(name, None)  # ask the database (or the witness) again
        # 409/422 may mean the log forked or rolled back: that needs a human, now.
        level = logging.ERROR if exc.status in (400, 403, 404, 409, 422) else logging.WARNING
        log.log(level, "witness %s did not cosign: %s", name, exc)
        if exc.status is not None:  # an answer, not an unreachable witness
            report(
                self.db,
                SecurityKind.WITNESS_REFUSED,
                detail={"witness": name, "status": exc.status, "reason": str(exc)[:300]},
            )

    def _last_size(self, witness: Witness) -> int:
        """The size the witness last cosigned, as far as this database knows (0: never)."""
        if witness.name not in self._known_size:
            with self.db.session(readonly=True) as session:
                last = session.scalar(
                    select(func.max(models.Cosignature.size)).where(
                        models.Cosignature.witness == witness.name
                    )
                )
            self._known_size[witness.name] = last or 0
        return self._known_size[witness.name]

    def _proof(self, old: int, size: int) -> list[bytes]:
        if old in (0, size):
            return []
        with self.db.session(readonly=True) as session:
            return consistency_proof(DbHashReader(session), old, size)

    def _ask(self, witness: Witness, checkpoint: StoredCheckpoint) -> list[str]:
        """Submit with a proof from the witness's size; on 409 retry once with its size."""
        old = self._last_size(witness)
        for attempt in range(2):
            if old > checkpoint.size:
                raise WitnessClientError(
                    f"it has cosigned size {old}, beyond this checkpoint of {checkpoint.size}:"
                    " the log was rolled back",
                    409,
                )
            try:
                lines = submit_checkpoint(
                    witness.url,
                    old,
                    self._proof(old, checkpoint.size),
                    checkpoint.note,
                    witness_vkey=witness.verifier.vkey,
                    client=self.http,
                )
            except WitnessConflictError as exc:
                if exc.size is None or attempt:
                    raise
                log.info("witness %s knows size %d, not %d: retrying", witness.name, exc.size, old)
                old = exc.size
                continue
            self._known_size[witness.name] = checkpoint.size
            return lines
        raise AssertionError("unreachable")

    def _store(self, size: int, witness: Witness, lines: Sequence[str]) -> bool:
        """Keep the witness's own line and update the checkpoint's cosigner count."""
        line = _own_line(witness, lines)
        if line is None:
            return False
        try:
            with self.db.session() as session, session.begin():
                session.add(
                    models.Cosignature(
                        size=size, witness=witness.name, line=line, created_at=utcnow()
                    )
                )
                session.flush()
                count = (
                    select(func.count())
                    .select_from(models.Cosignature)
                    .where(models.Cosignature.size == size)
                    .scalar_subquery()
                )
                session.execute(
                    update(models.Checkpoint)
                    .where(models.Checkpoint.size == size)
                    .values(cosigners=count)
                )
        except IntegrityError:
            return False
        log.info("witness %s cosigned size %d", witness.name, size)
        return True


def _own_line(witness: Witness, lines: Sequence[str]) -> str | None:
    """The first line made by the witness's configured key (others are ignored)."""
    for line in lines:
        try:
            sig = parse_signature_line(line.removesuffix("\n"))
        except NoteError:
            continue
        if (sig.name, sig.key_id) == (witness.verifier.name, witness.verifier.key_id):
            return sig.line
    return None


def retry_after(settings: Settings) -> int:
    """Seconds a client should wait for the next checkpoint (the Retry-After value)."""
    interval = settings.checkpoint_interval if settings.checkpoint_interval > 0 else 1.0
    return max(1, math.ceil(interval))


class BackgroundCheckpointer:
    """Runs a Checkpointer every `checkpoint_interval` seconds in a daemon thread."""

    def __init__(self, checkpointer: Checkpointer, interval: float) -> None:
        self.checkpointer, self.interval = checkpointer, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name="crossfin-checkpointer", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Stop after the current run; releases the lead."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self.checkpointer.close()

    def tick(self) -> None:
        """One run if leading; never raises, so one failure does not stop the cadence."""
        try:
            if self.checkpointer.lead():
                self.checkpointer.run_once()
        except Exception:
            log.exception("checkpointer run failed")

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.tick()


def start_background(db: Database, settings: Settings) -> BackgroundCheckpointer | None:
    """Start the cadence from the app's lifespan; None if disabled or not configured."""
    if settings.checkpoint_interval <= 0:
        return None
    try:
        checkpointer = Checkpointer(db, settings)
    except (NoteError, OSError, RuntimeError, ValueError) as exc:
        log.warning("no background checkpointer: %s", exc)
        return None
    background = BackgroundCheckpointer(checkpointer, settings.checkpoint_interval)
    background.start()
    return background


@dataclass(frozen=True)
class OnDemand:
    """The result of `checkpoint_now`: the newest checkpoint and who signed it."""

    checkpoint: StoredCheckpoint | None
    signed_here: bool
    cosigned_by: tuple[str, ...]


def checkpoint_now(db: Database, settings: Settings, *, wait: float = 10.0) -> OnDemand:
    """Sign a checkpoint of the current head now, or wait for the leader to sign it."""
    checkpointer = Checkpointer(db, settings)
    try:
        if checkpointer.lead():
            outcome = checkpointer.run_once(retry_all=True)
            return OnDemand(outcome.checkpoint, outcome.signed, outcome.cosigned_by)
        with db.session(readonly=True) as session:
            target = read_head(session).size
        deadline = time.monotonic() + wait
        while True:
            newest = _newest(db)
            if newest is not None and newest.size >= target:
                return OnDemand(newest, False, ())
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"another checkpointer leads but did not sign size {target} within {wait:g} s"
                )
            time.sleep(0.05)
    finally:
        checkpointer.close()

"""A C2SP tlog-witness v1.0.0 witness: `POST /add-checkpoint` as a small ASGI app."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from crossfin.ledger.checkpoint import Checkpoint, parse_checkpoint, parse_decimal
from crossfin.ledger.cosignature import CosignatureSigner, cosign
from crossfin.ledger.errors import VerificationError
from crossfin.ledger.note import (
    NoteError,
    Verifier,
    decode_base64,
    parse_note,
    verify_known_signatures,
)
from crossfin.ledger.rfc6962 import EMPTY_ROOT
from crossfin.ledger.verify import verify_consistency
from crossfin.ledger.witness_state import LogRecord, WitnessStore

logger = logging.getLogger("crossfin.ledger.witness")

SIZE_MEDIA_TYPE = "text/x.tlog.size"
MAX_PROOF_LINES = 63  # the spec's bound: a tree of < 2^64 leaves needs no more
# Far above any valid request (63 proof lines, a checkpoint and <= 100 signatures).
MAX_BODY_BYTES = 256 * 1024
_OLD_LINE = re.compile(r"old ([0-9]+)")


class Refusal(Exception):
    """An add-checkpoint request the witness answers with an error status."""

    def __init__(self, status: int, reason: str, *, size: int | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.size = size  # set for a 409 that carries the latest size

    def response(self) -> Response:
        """The HTTP answer; a size 409 uses the exact media type clients key on."""
        if self.size is not None:
            # Set the header directly: Starlette would append "; charset=utf-8" to a
            # text/ media type, and Go clients compare the Content-Type exactly.
            return Response(
                f"{self.size}\n", self.status, headers={"Content-Type": SIZE_MEDIA_TYPE}
            )
        return Response(self.reason + "\n", self.status, media_type="text/plain")


@dataclass(frozen=True)
class AddCheckpoint:
    """A parsed request: old size, consistency proof and the signed checkpoint note."""

    old_size: int
    proof: tuple[bytes, ...]
    note: str


def parse_request(body: bytes) -> AddCheckpoint:
    """Parse `old N\\n`, proof lines, a blank line, then a signed note; raise Refusal(400)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(400, "request body is not UTF-8") from None
    # Proof lines are never empty, so the first blank line ends the header part.
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise Refusal(400, "request has no blank line before the checkpoint")
    lines = head.split("\n")
    match = _OLD_LINE.fullmatch(lines[0])
    if match is None:
        raise Refusal(400, "first line must be `old <size>`")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise Refusal(400, f"more than {MAX_PROOF_LINES} consistency proof lines")
    try:
        old_size = parse_decimal(match.group(1), "old size")
        proof = tuple(decode_base64(line, "consistency proof line") for line in lines[1:])
    except NoteError as exc:
        raise Refusal(400, str(exc)) from None
    if any(len(h) != 32 for h in proof):
        raise Refusal(400, "consistency proof lines must each hold a 32-byte hash")
    return AddCheckpoint(old_size, proof, note)


class Witness:
    """The add-checkpoint logic, independent of the web framework."""

    def __init__(
        self,
        signer: CosignatureSigner,
        log_verifiers: list[Verifier],
        store: WitnessStore,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Trust log_verifiers (a log's origin is its key name) and keep state in store."""
        self.signer = signer
        self.store = store
        self.clock = clock
        self.logs: dict[str, list[Verifier]] = {}
        for verifier in log_verifiers:
            self.logs.setdefault(verifier.name, []).append(verifier)

    def handle(self, body: bytes) -> Response:
        """Answer one add-checkpoint request body; blocking (takes a file lock)."""
        try:
            lines = self.add_checkpoint(body)
        except Refusal as refusal:
            self._report(refusal, body)
            return refusal.response()
        return Response("".join(lines), 200, media_type="text/plain")

    def _report(self, refusal: Refusal, body: bytes) -> None:
        """Log a refusal; 409 and 422 may prove log misbehaviour, so keep the request."""
        if refusal.status not in (409, 422):
            logger.info("add-checkpoint refused with %d: %s", refusal.status, refusal.reason)
            return
        path = self.store.save_evidence(refusal.status, refusal.reason, body)
        logger.error(
            "add-checkpoint refused with %d: %s (evidence in %s)",
            refusal.status,
            refusal.reason,
            path,
        )

    def add_checkpoint(self, body: bytes) -> list[str]:
        """Run every check of the spec in its order; return the cosignature lines."""
        request = parse_request(body)
        checkpoint = self._authenticate(request.note)
        if request.old_size > checkpoint.size:
            raise Refusal(
                400, f"old size {request.old_size} is above checkpoint size {checkpoint.size}"
            )
        with self.store.locked(checkpoint.origin):
            # Check-then-store happens entirely under the origin's lock, so two racing
            # requests can never roll the stored size back.
            record = self.store.load(checkpoint.origin)
            self._check_against(record, request, checkpoint)
            timestamp = int(self.clock())
            line = cosign(checkpoint.format(), self.signer, timestamp)
            note = request.note + line
            self.store.save(
                LogRecord(checkpoint.origin, checkpoint.size, checkpoint.root, note, timestamp)
            )
        logger.info("cosigned %s at size %d", checkpoint.origin, checkpoint.size)
        return [line]

    def _authenticate(self, note: str) -> Checkpoint:
        """Parsed checkpoint; 404 for an unknown origin, 403 without a valid log signature."""
        try:
            parsed = parse_note(note)
            checkpoint = parse_checkpoint(parsed.text)
        except NoteError as exc:
            raise Refusal(400, f"malformed checkpoint: {exc}") from None
        verifiers = self.logs.get(checkpoint.origin)
        if not verifiers:
            raise Refusal(404, f"unknown log origin {checkpoint.origin!r}")
        try:
            names = verify_known_signatures(parsed, verifiers)
        except NoteError as exc:
            raise Refusal(403, f"log signature does not verify: {exc}") from None
        if not names:
            raise Refusal(403, f"no signature by a trusted key of {checkpoint.origin!r}")
        return checkpoint

    @staticmethod
    def _check_against(
        record: LogRecord | None, request: AddCheckpoint, checkpoint: Checkpoint
    ) -> None:
        """409 unless old size is the stored size; 422 unless the new tree extends the old."""
        stored_size = record.size if record else 0
        if request.old_size != stored_size:
            raise Refusal(
                409,
                f"old size {request.old_size} is not the latest cosigned size",
                size=stored_size,
            )
        if record is None or record.size == 0:
            if request.proof:
                raise Refusal(422, "consistency proof must be empty when the old size is 0")
            if checkpoint.size == 0 and checkpoint.root != EMPTY_ROOT:
                raise Refusal(422, "an empty tree must have the empty root hash")
            return
        if checkpoint.size == record.size and checkpoint.root != record.root:
            # A fork at equal size is proof of misbehaviour. The platform's issue 3 asks for
            # 422 here (a proof that cannot be accepted), where the editor's copy of
            # tlog-witness says 409: both refuse, and 422 cannot be mistaken for the
            # retryable size mismatch. See docs/ledger.md, "Witness statuses".
            raise Refusal(422, f"different root hash at already cosigned size {record.size}")
        try:
            verify_consistency(
                record.size, checkpoint.size, request.proof, record.root, checkpoint.root
            )
        except VerificationError as exc:
            raise Refusal(422, f"consistency proof does not verify: {exc}") from None


async def _read_body(request: Request) -> bytes | None:
    """The request body, or None once it exceeds MAX_BODY_BYTES."""
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def create_witness_app(witness_skey: str, log_vkeys: list[str], state_dir: Path) -> FastAPI:
    """Build the witness app: cosigner key (type 0x04 skey), trusted log vkeys (type 0x01)."""
    signer = CosignatureSigner.from_skey(witness_skey)
    verifiers = [Verifier.from_vkey(vkey) for vkey in log_vkeys]
    witness = Witness(signer, verifiers, WitnessStore(state_dir))
    app = FastAPI(title="crossfin witness", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.witness = witness

    @app.post("/add-checkpoint")
    async def add_checkpoint(request: Request) -> Response:
        """C2SP tlog-witness add-checkpoint."""
        body = await _read_body(request)
        if body is None:
            return Refusal(400, f"request body exceeds {MAX_BODY_BYTES} bytes").response()
        # The handler blocks on a file lock and fsync, so keep it off the event loop.
        return await run_in_threadpool(witness.handle, body)

    return app

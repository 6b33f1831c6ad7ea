"""The ledger page's data: latest checkpoint, size history, and receipt verification."""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crossfin.core.errors import CrossfinError
from crossfin.core.settings import Settings
from crossfin.core.web.chart import StepChart, step_chart
from crossfin.core.web.i18n import N_
from crossfin.ledger import keys, service
from crossfin.ledger.bundle import ReceiptError, VerifiedReceipt, verify_receipt
from crossfin.ledger.errors import VerificationError
from crossfin.ledger.models import LedgerEvent
from crossfin.ledger.note import NoteError, open_note
from crossfin.ledger.verify import verify_consistency

# Pasted inputs are small text; refuse anything bigger before parsing it.
MAX_BUNDLE = 64 * 1024
MAX_RECORD = 64 * 1024


@dataclass(frozen=True)
class Overview:
    """What the page shows about the log right now."""

    origin: str
    log_vkey: str
    head_size: int
    checkpoint: service.SignedCheckpoint | None
    signature_ok: bool
    quorum: int
    witnesses: int
    chart: StepChart | None

    @property
    def root_b64(self) -> str:
        return base64.b64encode(self.checkpoint.root).decode() if self.checkpoint else ""

    @property
    def pending(self) -> int:
        """Leaves sequenced but not yet under a signed checkpoint."""
        return self.head_size - (self.checkpoint.size if self.checkpoint else 0)

    @property
    def quorum_met(self) -> bool:
        return self.checkpoint is not None and len(self.checkpoint.cosigners) >= self.quorum


def retry_seconds(settings: Settings) -> int:
    return max(1, math.ceil(settings.checkpoint_interval))


def overview(session: Session, settings: Settings) -> Overview:
    """The newest signed checkpoint (checked with the log key) and the size history."""
    verifier = keys.log_signer(settings).verifier()
    latest = service.latest_checkpoint(session, 0)
    signature_ok = False
    if latest is not None:
        try:
            open_note(latest.note, [verifier])
            signature_ok = True
        except NoteError:
            signature_ok = False
    history = [(point.time, point.size) for point in service.size_history(session)]
    first = session.scalar(select(func.min(LedgerEvent.created_at)))
    if history and first is not None and first < history[0][0]:
        history.insert(0, (first, 0))  # the chart starts where the log did, empty
    return Overview(
        origin=settings.log_origin,
        log_vkey=verifier.vkey,
        head_size=service.tree_size(session),
        checkpoint=latest,
        signature_ok=signature_ok,
        quorum=settings.witness_quorum,
        witnesses=len(settings.witness_keys),
        chart=step_chart(history),
    )


@dataclass
class Prefill:
    """Form values for checking one leaf: its public hash and, once checkpointed, a bundle."""

    bundle: str = ""
    leaf_hash: str = ""
    # why the bundle is missing: a message (marked N_) with an %(index)s placeholder
    note: str | None = None


def prefill(session: Session, settings: Settings, index: int) -> Prefill:
    """Leaf hashes and proofs are public, so any logged-in user may fetch them."""
    leaf = session.scalar(select(LedgerEvent.leaf_hash).where(LedgerEvent.leaf_index == index))
    if leaf is None:
        return Prefill(note=N_("The log has no entry %(index)s."))
    try:
        bundle = service.receipt_bundle(
            session, index, settings.witness_quorum, retry_seconds(settings)
        )
    except CrossfinError:
        return Prefill(
            leaf_hash=leaf.hex(),
            note=N_(
                "Entry %(index)s is not in a signed checkpoint yet: its leaf hash is filled in; "
                "reload in a moment for the bundle."
            ),
        )
    return Prefill(bundle=bundle, leaf_hash=leaf.hex())


@dataclass
class Outcome:
    """A verification result: `ok`, and the reason or the facts established."""

    ok: bool
    reason: str = ""
    receipt: VerifiedReceipt | None = None
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label marked N_, value)


def normalise(text: str) -> str:
    """Browsers send textarea lines as CRLF; notes are LF and end with one newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return text + "\n" if text else ""


def _leaf_input(record: str, leaf_hash: str) -> tuple[bytes | None, bytes | None]:
    record_bytes = record.strip().encode() if record.strip() else None
    hex_text = leaf_hash.strip().lower()
    if not hex_text:
        return record_bytes, None
    try:
        leaf = bytes.fromhex(hex_text)
    except ValueError:
        raise ReceiptError("the leaf hash must be hexadecimal") from None
    if len(leaf) != 32:
        raise ReceiptError(f"the leaf hash must be 32 bytes (64 hex digits), got {len(leaf)}")
    return record_bytes, leaf


def _still_in_log(
    session: Session, receipt: VerifiedReceipt, latest_size: int, latest_root: bytes
) -> str:
    """Check the receipt's checkpoint is a prefix of the latest one (the log only grew)."""
    size, root = receipt.checkpoint.size, receipt.checkpoint.root
    if size > latest_size:
        raise ReceiptError(f"the receipt's tree ({size}) is larger than this log's ({latest_size})")
    try:
        if size == latest_size:
            if root != latest_root:
                raise ReceiptError(f"same size {size} but a different root: the log forked")
        elif size > 0:
            proof = service.consistency(session, size, latest_size)
            verify_consistency(size, latest_size, proof, root, latest_root)
    except VerificationError as exc:
        raise ReceiptError(f"not consistent with the latest checkpoint: {exc}") from None
    return f"{size} → {latest_size}"


def verify(
    session: Session, settings: Settings, bundle: str, record: str, leaf_hash: str
) -> Outcome:
    """Verify a pasted tlog-proof against this log's key, its witnesses and its history."""
    if len(bundle) > MAX_BUNDLE or len(record) > MAX_RECORD:
        return Outcome(False, "the pasted text is too long")
    if not bundle.strip():
        return Outcome(False, "paste a receipt bundle (c2sp.org/tlog-proof@v1)")
    try:
        record_bytes, leaf = _leaf_input(record, leaf_hash)
        receipt = verify_receipt(
            normalise(bundle),
            keys.log_signer(settings).verifier().vkey,
            record=record_bytes,
            leaf_hash=leaf,
            witness_vkeys=settings.witness_keys,
            quorum=settings.witness_quorum,
        )
        latest = service.latest_checkpoint(session, 0)
        facts = [
            (N_("Log"), receipt.log_name),
            (N_("Entry"), str(receipt.index)),
            (N_("Leaf hash"), receipt.leaf_hash.hex()),
            (N_("Checkpoint size"), f"{receipt.checkpoint.size:,}"),
            (N_("Checkpoint root"), base64.b64encode(receipt.checkpoint.root).decode()),
            (N_("Valid witness cosignatures"), ", ".join(receipt.witnesses) or "—"),
        ]
        if latest is not None:
            facts.append(
                (
                    N_("Consistent with the latest checkpoint"),
                    _still_in_log(session, receipt, latest.size, latest.root),
                )
            )
    except (ValueError, CrossfinError) as exc:  # ReceiptError and NoteError included
        return Outcome(False, str(exc))
    return Outcome(True, receipt=receipt, facts=facts)

"""Verifiable post-event sampling of P1 payments (留痕备查), and the review of each sample.

The rule (docs/payments.md, "The P1 sampling rule", is the reference; version 1):

- A sample is drawn from a signed checkpoint of the log (size N, root hash R, 32 bytes):
  the newest one with the witness quorum when the regulator draws.
- Its candidates are the P1 payments whose submission event has a leaf index L with
  P <= L < N, P being the checkpoint size of the previous sample (0 for the first): every
  P1 payment is a candidate of exactly one sample, the first whose checkpoint covers it.
- Candidate `id` is selected when
  int.from_bytes(SHA-256(R || b"crossfin-p1-sample" || id.to_bytes(8, "big")), "big")
  mod 10,000 < rate_bp, the sample rate in basis points in force when the sample is drawn
  (`p1_sample_rates`, versioned; 500, i.e. 5 %, until a first version is set).

Nobody picks the sample: R is fixed by the log before anyone knows it, and anyone holding
the checkpoint and the payments' leaf indexes recomputes it (`recompute`, and
`crossfin payments sample --checkpoint FILE`).

Each selected payment becomes a review task: open -> papers_uploaded (its bank uploads
supporting papers, more uploads allowed until reviewed) -> reviewed (a regulator over the
payer's jurisdiction, outcome compliant or non_compliant, with a note). Every change is one
ledger event committing the task's resulting state.
"""

from __future__ import annotations

import hashlib
import json
from base64 import b64encode
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.db import add_new_version
from crossfin.core.errors import Conflict, Forbidden, IllegalTransition, NotFound, invalid
from crossfin.ledger.checkpoint import parse_checkpoint
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.models import LedgerEvent
from crossfin.ledger.service import latest_checkpoint
from crossfin.ledger.state import (
    StateRow,
    StateView,
    columns_of,
    entity_key,
    state_digest,
    value_of,
    with_children,
)
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import ROOT_PATH, Caller, require_writer, supervises
from crossfin.parties.gates import may_set_gates
from crossfin.parties.models import OrgKind
from crossfin.payments.models import Payment
from crossfin.payments.p1_models import (
    P1Funding,
    P1ReviewPaper,
    P1ReviewTask,
    P1Sample,
    P1SampleRate,
)

RULE = "crossfin-p1-sample/v1"
DOMAIN = b"crossfin-p1-sample"
SCALE = 10_000
DEFAULT_RATE_BP = 500
MAX_PAPERS = 5
MAX_PAPER_BYTES = 1024 * 1024
PAPER_TYPES = {"application/pdf": b"%PDF-", "image/png": b"\x89PNG", "image/jpeg": b"\xff\xd8\xff"}


class TaskState(StrEnum):
    OPEN = "open"
    PAPERS_UPLOADED = "papers_uploaded"
    REVIEWED = "reviewed"


class Outcome(StrEnum):
    COMPLIANT = "compliant"
    NON_COMPLIANT = "non_compliant"


def selects(root: bytes, payment_id: int, rate_bp: int) -> bool:
    """Whether the rule selects `payment_id` under a checkpoint of root hash `root`."""
    digest = hashlib.sha256(root + DOMAIN + payment_id.to_bytes(8, "big")).digest()
    return int.from_bytes(digest, "big") % SCALE < rate_bp


def select_ids(root: bytes, candidates: Iterable[int], rate_bp: int) -> list[int]:
    return sorted(i for i in candidates if selects(root, i, rate_bp))


# -- the rate ---------------------------------------------------------------------------


def current_rate(session: Session) -> tuple[int, int]:
    """(version, rate in basis points) in force; (0, DEFAULT_RATE_BP) before any is set."""
    row = session.scalars(
        select(P1SampleRate).order_by(P1SampleRate.version.desc()).limit(1)
    ).first()
    return (row.version, row.rate_bp) if row else (0, DEFAULT_RATE_BP)


def set_rate(
    uow: UnitOfWork, caller: Caller | None, rate_bp: int, reason: str
) -> tuple[int, Receipt]:
    """A new version of the P1 sample rate (head office or operator; None: the operator's
    command line), one event."""
    if caller is not None:
        require_writer(caller)
    if caller is not None and not may_set_gates(caller):
        raise Forbidden("only the regulator's head office or the operator sets the P1 rate")
    if not 0 <= rate_bp <= SCALE:
        raise invalid("rate_bp", f"between 0 and {SCALE}")
    if not reason.strip():
        raise invalid("reason", "say why the rate changes")
    version = current_rate(uow.session)[0] + 1
    row = P1SampleRate(
        version=version, rate_bp=rate_bp, reason=reason.strip()[:500], changed_at=utcnow()
    )
    add_new_version(uow.session, row, "the rate")
    receipt = uow.record(
        EventType.P1_SAMPLE_RATE_SET,
        subjects={"p1_rate": version},
        content={"version": version, "rate_bp": rate_bp, "reason": row.reason},
    )
    return version, receipt


# -- drawing ----------------------------------------------------------------------------


def previous_size(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.max(P1Sample.checkpoint_size), 0))) or 0)


def candidates(session: Session, low: int, high: int) -> list[tuple[int, int]]:
    """(payment id, submission leaf index) of the P1 payments with low <= leaf < high."""
    query = (
        select(P1Funding.payment_id, LedgerEvent.leaf_index)
        .join(LedgerEvent, LedgerEvent.event_id == P1Funding.event_id)
        .where(LedgerEvent.leaf_index >= low, LedgerEvent.leaf_index < high)
        .order_by(P1Funding.payment_id)
    )
    return [(int(p), int(i)) for p, i in session.execute(query)]


# Draws queue on PostgreSQL (a transaction advisory lock; SQLite's write lock already
# serializes them): two at once would both read the same previous size.
_DRAW_LOCK = 0x63_66_70_31_73_6D_70  # "cfp1smp"


def _serialize_draws(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _DRAW_LOCK})


def may_draw(caller: Caller) -> bool:
    """The regulator's head office (any writing role): it samples every P1 payment."""
    return caller.org_kind is OrgKind.REGULATOR and caller.jurisdiction_path == ROOT_PATH


def draw(uow: UnitOfWork, caller: Caller | None, quorum: int) -> tuple[P1Sample, Receipt]:
    """Draw a sample from the newest checkpoint with `quorum` cosignatures; one event
    recording the checkpoint, the rate, the candidates and the selected, committing each
    new review task's state. `caller` None: the operator's command line."""
    if caller is not None:
        require_writer(caller)
    if caller is not None and not may_draw(caller):
        raise Forbidden("only the regulator's head office draws P1 samples")
    session = uow.session
    _serialize_draws(session)
    cp = latest_checkpoint(session, quorum)
    if cp is None:
        raise Conflict(f"no checkpoint with {quorum} witness cosignature(s) yet")
    low = previous_size(session)
    if cp.size <= low:
        raise Conflict(
            f"the newest signed checkpoint (size {cp.size}) is not past the last sample's; "
            "wait for the next checkpoint"
        )
    found = candidates(session, low, cp.size)
    version, rate_bp = current_rate(session)
    chosen = select_ids(cp.root, (p for p, _ in found), rate_bp)
    now = utcnow()
    sample = P1Sample(
        checkpoint_size=cp.size,
        checkpoint_note=cp.note,
        rate_bp=rate_bp,
        rate_version=version,
        candidates=json.dumps([p for p, _ in found]),
        selected=json.dumps(chosen),
        drawn_by_org_id=caller.org_id if caller else None,
        drawn_at=now,
    )
    try:
        with session.begin_nested():
            session.add(sample)
            session.flush()
    except IntegrityError:
        raise Conflict("a sample of this checkpoint was drawn meanwhile") from None
    payments = {p.id: p for p in session.scalars(select(Payment).where(Payment.id.in_(chosen)))}
    tasks = [
        P1ReviewTask(
            sample_id=sample.id,
            payment_id=pid,
            bank_org_id=payments[pid].bank_org_id,
            jurisdiction_path=payments[pid].jurisdiction_path,
            state=TaskState.OPEN.value,
            created_at=now,
            updated_at=now,
        )
        for pid in chosen
    ]
    session.add_all(tasks)
    session.flush()
    state = {entity_key(SAMPLE_KIND, sample.id): state_digest(sample_state(sample))}
    for task in tasks:
        state |= task_commitment(task, [])
    parties = {t.bank_org_id for t in tasks} | {p.payer_org_id for p in payments.values()}
    receipt = uow.record(
        EventType.P1_SAMPLE_DRAWN,
        subjects={"p1_sample": sample.id},
        content={
            "rule": RULE,
            "checkpoint": {"size": cp.size, "root": b64encode(cp.root).decode()},
            "previous_size": low,
            "rate_bp": rate_bp,
            "rate_version": version,
            "candidates": [p for p, _ in found],
            "selected": chosen,
            "tasks": {str(t.payment_id): t.id for t in tasks},
        },
        parties=parties,
        state=state,
    )
    return sample, receipt


# -- recomputing ------------------------------------------------------------------------


@dataclass(frozen=True)
class Recomputed:
    size: int
    root: bytes
    previous_size: int
    rate_bp: int
    candidates: list[int]
    selected: list[int]
    recorded: list[int] | None  # the sample recorded for this checkpoint, if any

    @property
    def matches(self) -> bool:
        return self.recorded is not None and self.recorded == self.selected


def recompute(session: Session, checkpoint_text: str) -> Recomputed:
    """Recompute the sample of a (verified) checkpoint text from the payments' leaf indexes,
    and read the sample recorded for it."""
    cp = parse_checkpoint(checkpoint_text)
    sample = session.scalars(select(P1Sample).where(P1Sample.checkpoint_size == cp.size)).first()
    if sample is None:
        low, rate_bp, recorded = previous_size(session), current_rate(session)[1], None
    else:
        before = session.scalar(
            select(func.coalesce(func.max(P1Sample.checkpoint_size), 0)).where(
                P1Sample.checkpoint_size < cp.size
            )
        )
        low, rate_bp, recorded = int(before or 0), sample.rate_bp, json.loads(sample.selected)
    found = [p for p, _ in candidates(session, low, cp.size)]
    return Recomputed(
        cp.size, cp.root, low, rate_bp, found, select_ids(cp.root, found, rate_bp), recorded
    )


# -- review tasks -----------------------------------------------------------------------


@dataclass(frozen=True)
class Paper:
    name: str
    media_type: str
    content: bytes


def get_task(session: Session, caller: Caller, task_id: int, *, lock: bool = False) -> P1ReviewTask:
    """The task if the caller may see it (its bank, a regulator over the payer); else 404."""
    query = select(P1ReviewTask).where(P1ReviewTask.id == task_id)
    task = session.scalars(query.with_for_update() if lock else query).first()
    if task is None or not can_see_task(caller, task):
        raise NotFound(f"no P1 review task {task_id}")
    return task


def can_see_task(caller: Caller, task: P1ReviewTask) -> bool:
    return caller.org_id == task.bank_org_id or supervises(caller, task.jurisdiction_path)


def papers_of(session: Session, task_ids: Sequence[int]) -> dict[int, list[P1ReviewPaper]]:
    found: dict[int, list[P1ReviewPaper]] = {i: [] for i in task_ids}
    if not task_ids:
        return found
    query = (
        select(P1ReviewPaper)
        .where(P1ReviewPaper.task_id.in_(task_ids))
        .order_by(P1ReviewPaper.task_id, P1ReviewPaper.id)
    )
    for paper in session.scalars(query):
        found[paper.task_id].append(paper)
    return found


def check_papers(papers: Sequence[Paper]) -> None:
    """1..MAX_PAPERS files, each named, of an allowed type (by its first bytes too), non-empty
    and at most MAX_PAPER_BYTES."""
    if not 1 <= len(papers) <= MAX_PAPERS:
        raise invalid("files", f"upload 1 to {MAX_PAPERS} files")
    names: set[str] = set()
    for i, paper in enumerate(papers):
        where = f"files[{i}]"
        name = paper.name.strip()
        if not name or len(name) > 120 or any(c < " " or c in "/\\" for c in name):
            raise invalid(where, "a file name of 1 to 120 characters, no path")
        if name in names:
            raise invalid(where, "named twice")
        names.add(name)
        magic = PAPER_TYPES.get(paper.media_type)
        if magic is None:
            raise invalid(where, f"one of {', '.join(sorted(PAPER_TYPES))}")
        if not 0 < len(paper.content) <= MAX_PAPER_BYTES:
            raise invalid(where, f"between 1 byte and {MAX_PAPER_BYTES} bytes")
        if not paper.content.startswith(magic):
            raise invalid(where, f"the content is not {paper.media_type}")


def upload_papers(
    uow: UnitOfWork, caller: Caller, task_id: int, papers: Sequence[Paper]
) -> tuple[P1ReviewTask, Receipt]:
    """The task's bank uploads supporting papers (open or papers_uploaded), one event."""
    require_writer(caller)
    check_papers(papers)
    session = uow.session
    task = get_task(session, caller, task_id, lock=True)
    if caller.org_id != task.bank_org_id:
        raise Forbidden("only the payment's bank uploads its papers")
    if task.state == TaskState.REVIEWED.value:
        raise IllegalTransition("the task is reviewed; it takes no more papers")
    have = papers_of(session, [task.id])[task.id]
    taken = {p.name for p in have}
    if len(have) + len(papers) > MAX_PAPERS:
        raise invalid("files", f"a task holds at most {MAX_PAPERS} files")
    for i, paper in enumerate(papers):
        if paper.name.strip() in taken:
            raise invalid(f"files[{i}]", "a paper of this name is already uploaded")
    now = utcnow()
    rows = [
        P1ReviewPaper(
            task_id=task.id,
            name=p.name.strip(),
            media_type=p.media_type,
            size=len(p.content),
            sha256=hashlib.sha256(p.content).hexdigest(),
            content=p.content,
            uploaded_at=now,
        )
        for p in papers
    ]
    session.add_all(rows)
    task.state = TaskState.PAPERS_UPLOADED.value
    task.updated_at = now
    session.flush()
    receipt = uow.record(
        EventType.P1_PAPERS_UPLOADED,
        subjects={"p1_review_task": task.id, "payment": task.payment_id},
        content={
            "papers": [
                {"name": r.name, "media_type": r.media_type, "size": r.size, "sha256": r.sha256}
                for r in rows
            ]
        },
        parties={task.bank_org_id},
        state=task_commitment(task, [*have, *rows]),
    )
    return task, receipt


def review(
    uow: UnitOfWork, caller: Caller, task_id: int, outcome: Outcome, note: str
) -> tuple[P1ReviewTask, Receipt]:
    """A regulator over the payer marks the task reviewed with an outcome, one event."""
    require_writer(caller)
    session = uow.session
    task = get_task(session, caller, task_id, lock=True)
    if not supervises(caller, task.jurisdiction_path):
        raise Forbidden("only a regulator over the payer's jurisdiction reviews it")
    if task.state == TaskState.REVIEWED.value:
        raise IllegalTransition("the task is already reviewed")
    if not note.strip():
        raise invalid("note", "say what the review found")
    task.state = TaskState.REVIEWED.value
    task.outcome = outcome.value
    task.note = note.strip()[:500]
    task.reviewed_by_org_id = caller.org_id
    task.updated_at = utcnow()
    session.flush()
    receipt = uow.record(
        EventType.P1_REVIEWED,
        subjects={"p1_review_task": task.id, "payment": task.payment_id},
        content={"outcome": task.outcome, "note": task.note},
        parties={task.bank_org_id},
        state=task_commitment(task, papers_of(session, [task.id])[task.id]),
    )
    return task, receipt


# -- state ------------------------------------------------------------------------------

SAMPLE_KIND = "p1_sample"
TASK_KIND = "p1_review_task"
_SAMPLE_FIELDS = columns_of(P1Sample, leave_out=("id",))
_TASK_FIELDS = columns_of(P1ReviewTask, leave_out=("id", "updated_at"))
_PAPER_FIELDS = ("name", "media_type", "size", "sha256")


def sample_state(sample: Any) -> dict[str, Any]:
    return {name: value_of(sample, name) for name in _SAMPLE_FIELDS}


def task_state(task: Any, papers: Iterable[Any]) -> dict[str, Any]:
    state = {name: value_of(task, name) for name in _TASK_FIELDS}
    listed = [{n: value_of(p, n) for n in _PAPER_FIELDS} for p in papers]
    state["papers"] = sorted(listed, key=lambda p: p["name"])
    return state


def task_commitment(task: Any, papers: Iterable[Any]) -> dict[str, str]:
    return {entity_key(TASK_KIND, task.id): state_digest(task_state(task, papers))}


def _sample_rows(session: Session) -> Iterator[StateRow]:
    for row in session.execute(select(*P1Sample.__table__.columns).order_by(P1Sample.id)):
        yield StateRow(row.id, sample_state(row), row.drawn_at)


def _task_rows(session: Session) -> Iterator[StateRow]:
    tasks = session.execute(select(*P1ReviewTask.__table__.columns).order_by(P1ReviewTask.id))
    papers = session.execute(
        select(*[P1ReviewPaper.__table__.c[n] for n in ("task_id", "id", *_PAPER_FIELDS)]).order_by(
            P1ReviewPaper.task_id, P1ReviewPaper.id
        )
    )
    for row, mine in with_children(tasks, papers, "task_id"):
        yield StateRow(row.id, task_state(row, mine), row.created_at)


def state_views() -> list[StateView]:
    """P1 samples and review tasks, for the audit (registered at assembly)."""
    return [
        StateView(SAMPLE_KIND, "p1_samples", _sample_rows),
        StateView(TASK_KIND, "p1_review_tasks", _task_rows),
    ]

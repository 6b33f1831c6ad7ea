"""Who sees which P1 sample and review task, and them as answers.

Samples are the regulators' (and their auditors'): the head office sees every candidate
and every selected payment; a regulator below it, those whose payer sits in its subtree.
A review task is seen by its bank and by the regulators over the payer. Nobody else sees
any (404: existence never leaks).
"""

from __future__ import annotations

import json
from base64 import b64encode
from collections.abc import Sequence

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from crossfin.core.errors import NotFound
from crossfin.parties.access import ROOT_PATH, Caller, supervises
from crossfin.parties.models import Organization, OrgKind
from crossfin.parties.offices import handling_offices
from crossfin.payments.models import Payment
from crossfin.payments.p1_models import P1ReviewPaper, P1ReviewTask, P1Sample
from crossfin.payments.sampling import RULE, papers_of
from crossfin.payments.schemas import PaperOut, ReviewTaskOut, SampleOut

MAX_PAGE = 200


def _regulator(caller: Caller) -> bool:
    return caller.org_kind is OrgKind.REGULATOR and caller.jurisdiction_path is not None


def get_sample(session: Session, caller: Caller, sample_id: int) -> P1Sample:
    sample = session.get(P1Sample, sample_id)
    if sample is None or not _regulator(caller):
        raise NotFound(f"no P1 sample {sample_id}")
    return sample


def list_samples(session: Session, caller: Caller, after: int, limit: int) -> list[P1Sample]:
    if not _regulator(caller):
        return []
    query = select(P1Sample).where(P1Sample.id > after).order_by(P1Sample.id).limit(limit)
    return list(session.scalars(query))


def _previous(session: Session, size: int) -> int:
    query = select(P1Sample.checkpoint_size).where(P1Sample.checkpoint_size < size)
    return max(session.scalars(query), default=0)


def sample_out(session: Session, caller: Caller, sample: P1Sample) -> SampleOut:
    candidates: list[int] = json.loads(sample.candidates)
    selected: list[int] = json.loads(sample.selected)
    if caller.jurisdiction_path != ROOT_PATH:
        seen = set(
            session.scalars(
                select(Payment.id).where(
                    Payment.id.in_(candidates),
                    Payment.jurisdiction_path.startswith(caller.jurisdiction_path or "\x00"),
                )
            )
        )
        candidates = [c for c in candidates if c in seen]
        selected = [s for s in selected if s in seen]
    from crossfin.ledger.checkpoint import parse_checkpoint
    from crossfin.ledger.note import parse_note

    root = parse_checkpoint(parse_note(sample.checkpoint_note).text).root
    return SampleOut(
        id=sample.id,
        rule=RULE,
        checkpoint_size=sample.checkpoint_size,
        checkpoint_root=b64encode(root).decode(),
        checkpoint_note=sample.checkpoint_note,
        previous_size=_previous(session, sample.checkpoint_size),
        rate_bp=sample.rate_bp,
        rate_version=sample.rate_version,
        candidates=candidates,
        selected=selected,
        drawn_at=sample.drawn_at,
    )


def _visible(caller: Caller) -> ColumnElement[bool]:
    if caller.org_kind is OrgKind.BANK:
        return P1ReviewTask.bank_org_id == caller.org_id
    if _regulator(caller):
        if caller.jurisdiction_path == ROOT_PATH:
            return true()
        return P1ReviewTask.jurisdiction_path.startswith(caller.jurisdiction_path or "\x00")
    return false()


def list_tasks(
    session: Session,
    caller: Caller,
    *,
    after: int = 0,
    limit: int = 100,
    sample_id: int | None = None,
    state: str | None = None,
) -> list[P1ReviewTask]:
    query = select(P1ReviewTask).where(_visible(caller), P1ReviewTask.id > after)
    if sample_id is not None:
        query = query.where(P1ReviewTask.sample_id == sample_id)
    if state is not None:
        query = query.where(P1ReviewTask.state == state)
    return list(session.scalars(query.order_by(P1ReviewTask.id).limit(limit)))


def tasks_out(session: Session, tasks: Sequence[P1ReviewTask]) -> list[ReviewTaskOut]:
    papers = papers_of(session, [t.id for t in tasks])
    # Routed as the payer's county's business, as of now: an office dispatched to the
    # county after the sample takes its open tasks over (nothing stored, nothing to move).
    offices = handling_offices(session, [t.jurisdiction_path for t in tasks])
    return [
        ReviewTaskOut(
            id=t.id,
            sample_id=t.sample_id,
            payment_id=t.payment_id,
            bank_org_id=t.bank_org_id,
            reviewing_org_id=_office_id(offices.get(t.jurisdiction_path)),
            reviewing_office=_office_name(offices.get(t.jurisdiction_path)),
            state=t.state,
            outcome=t.outcome,
            note=t.note,
            papers=[
                PaperOut(
                    id=p.id,
                    name=p.name,
                    media_type=p.media_type,
                    size=p.size,
                    sha256=p.sha256,
                    uploaded_at=p.uploaded_at,
                )
                for p in papers[t.id]
            ],
            created_at=t.created_at,
            updated_at=t.updated_at,
        )
        for t in tasks
    ]


def _office_id(office: Organization | None) -> int | None:
    return office.id if office else None


def _office_name(office: Organization | None) -> str | None:
    return office.name if office else None


def get_paper(session: Session, caller: Caller, task_id: int, paper_id: int) -> P1ReviewPaper:
    task = session.get(P1ReviewTask, task_id)
    paper = session.get(P1ReviewPaper, paper_id)
    visible = task is not None and (
        caller.org_id == task.bank_org_id or supervises(caller, task.jurisdiction_path)
    )
    if not visible:
        raise NotFound(f"no P1 review task {task_id}")
    if paper is None or paper.task_id != task_id:
        raise NotFound(f"no paper {paper_id} of P1 review task {task_id}")
    return paper

"""Form definitions as data: loading one (a ledger event), reading them.

A form is (code, version); a new version is a new row, and a filing names the version it
was drafted under. A version may be replaced while no filing uses it (a correction of a
definition not yet in use); afterwards it is fixed, so a filing's meaning never shifts.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crossfin.core.canonical import canonical_json
from crossfin.core.clock import business_date, utcnow
from crossfin.core.errors import Conflict, NotFound
from crossfin.filings.models import Filing, FilingForm
from crossfin.filings.schemas import FormIn, FormOut
from crossfin.filings.state import form_commitment
from crossfin.filings.systems import check_definition
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork


def definition_of(form: FilingForm) -> dict[str, Any]:
    """The form's definition as a JSON object."""
    value = json.loads(form.definition)
    return value if isinstance(value, dict) else {}


def media_types_of(form: FilingForm) -> list[str]:
    return list(json.loads(form.media_types))


def form_out(form: FilingForm) -> FormOut:
    return FormOut.model_validate(
        {
            **{c: getattr(form, c) for c in FormOut.model_fields if hasattr(form, c)},
            "definition": definition_of(form),
            "media_types": media_types_of(form),
        }
    )


def set_form(uow: UnitOfWork, data: FormIn) -> tuple[FilingForm, Receipt | None]:
    """Load a form version, or replace it while unused; the same definition again changes
    nothing (no event, receipt None). 409 when a filing already uses the version."""
    check_definition(data.system, data.definition)
    raw = canonical_json(data.definition)
    digest = hashlib.sha256(raw).hexdigest()
    values: dict[str, Any] = {
        "system": data.system.value,
        "name_zh": data.name_zh,
        "name_en": data.name_en,
        "definition": raw.decode(),
        "definition_sha256": digest,
        "media_types": json.dumps(sorted({m.lower() for m in data.media_types})),
        "max_bytes": data.max_bytes,
        "max_count": data.max_count,
        "deadline_days": data.deadline_days,
        "clock_starts": data.clock_starts.value,
        "effective_from": data.effective_from,
    }
    session = uow.session
    query = select(FilingForm).where(
        FilingForm.code == data.code, FilingForm.version == data.version
    )
    form = session.scalars(query.with_for_update()).one_or_none()
    now = utcnow()
    if form is None:
        form = FilingForm(code=data.code, version=data.version, created_at=now, **values)
        session.add(form)
    elif all(getattr(form, k) == v for k, v in values.items()):
        return form, None
    elif _in_use(session, form.id):
        raise Conflict(
            f"form {data.code} version {data.version} is in use by filings: load a new version",
            field="version",
        )
    else:
        for key, value in values.items():
            setattr(form, key, value)
    form.updated_at = now
    session.flush()
    content = {"code": form.code, "version": form.version, "definition_sha256": digest}
    receipt = uow.record(
        EventType.FILING_FORM_SET,
        subjects={"form": form.id},
        content=content | {"system": form.system, "effective_from": form.effective_from},
        state=form_commitment(form),
    )
    return form, receipt


def _in_use(session: Session, form_id: int) -> bool:
    query = select(func.count()).select_from(Filing).where(Filing.form_id == form_id)
    return bool(session.scalar(query))


def list_forms(session: Session, code: str | None = None) -> list[FilingForm]:
    """Every form version (of `code` if given), by code then version."""
    query = select(FilingForm).order_by(FilingForm.code, FilingForm.version)
    if code is not None:
        query = query.where(FilingForm.code == code)
    return list(session.scalars(query))


def form_in_force(
    session: Session, code: str, version: int | None = None, on: date | None = None
) -> FilingForm:
    """Version `version` of form `code`, or its newest version in force on `on` (today);
    404 naming the form otherwise."""
    query = select(FilingForm).where(FilingForm.code == code)
    if version is not None:
        query = query.where(FilingForm.version == version)
    else:
        query = query.where(FilingForm.effective_from <= (on or business_date()))
    form = session.scalars(query.order_by(FilingForm.version.desc()).limit(1)).first()
    if form is None:
        named = f"{code} version {version}" if version is not None else f"{code} in force"
        raise NotFound(f"no form {named}", field="form")
    return form

"""What licensing adds to the generic workflow (called through `filings.systems`):

- a request for supplement only at acceptance (before the acknowledgement) and ONCE;
- a rejection at acceptance is `close` with outcome `rejected` and its reasons;
- a decision is `approved` or `refused`, and gets a public verification code;
- acceptance starts the second clock (review and decision);
- every required material is attached before submission, each attachment naming the
  material it is (`?material=CODE`) with one of that material's media types.
"""

from __future__ import annotations

import json
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date
from crossfin.core.errors import FieldError, ValidationFailed, invalid
from crossfin.filings.licences.definition import LicenceDefinition, parse
from crossfin.filings.models import Filing, FilingAttachment, FilingForm, FilingStep

REJECTED = "rejected"
DECISIONS = ("approved", "refused")
# Unambiguous characters (no 0/O, 1/I/L): the code is read off paper and typed in.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def licence_definition(form: FilingForm) -> LicenceDefinition:
    return parse(json.loads(form.definition))


def allows(session: Session, filing: Filing, action: str) -> bool:
    """Supplement is asked for before acceptance, and once only."""
    if action != "return":
        return True
    if filing.acknowledgement is not None:
        return False
    asked = session.scalar(
        select(FilingStep.id)
        .where(FilingStep.filing_id == filing.id, FilingStep.action == "return")
        .limit(1)
    )
    return asked is None


def check_outcome(action: str, outcome: str, reasons: str | None) -> None:
    """422 naming `outcome` or `reasons` when the ending is not a licensing one."""
    if action == "close" and outcome != REJECTED:
        raise invalid("outcome", f"a licence application is closed as {REJECTED!r}")
    if action == "decide" and outcome not in DECISIONS:
        raise invalid("outcome", f"a licence decision is one of {', '.join(DECISIONS)}")
    if not (reasons or "").strip():
        raise invalid("reasons", "a rejection or a decision states its reasons")


def on_step(filing: Filing, action: str) -> None:
    """Acceptance starts the review clock; a decision gets its verification code."""
    if action == "accept":
        filing.review_started = business_date()
    elif action == "decide":
        filing.verification_code = new_code()


def new_code() -> str:
    """A verification code like `LV-7KQ2-M9XD-3HTA` (60 random bits)."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"LV-{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def check_material(form: FilingForm, material: str | None, media: str) -> None:
    """422 naming `material` unless it is one of the form's, taking this media type."""
    if material is None:
        raise invalid("material", "name the required material this file is (?material=CODE)")
    found = licence_definition(form).material(material)
    if found is None:
        raise invalid("material", f"{material!r} is not a material of form {form.code}")
    if media not in found.media_types:
        raise invalid("media_type", f"{material} takes {', '.join(found.media_types)}")


def require_materials(session: Session, filing: Filing, form: FilingForm) -> None:
    """422 naming each required material with no attachment yet (`materials.<code>`)."""
    attached = set(
        session.scalars(
            select(FilingAttachment.material).where(FilingAttachment.filing_id == filing.id)
        )
    )
    missing = [
        FieldError(f"materials.{m.code}", f"required material missing: {m.name_en} / {m.name_zh}")
        for m in licence_definition(form).materials
        if m.required and m.code not in attached
    ]
    if missing:
        raise ValidationFailed(missing, missing=[e.field.split(".", 1)[1] for e in missing])

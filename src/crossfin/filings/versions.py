"""Content versions: every submitted content is kept; a correction is a new version."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.canonical import canonical_json
from crossfin.core.clock import utcnow
from crossfin.core.errors import invalid
from crossfin.filings.checks import check_content, unexplained
from crossfin.filings.errors import ContentRejected
from crossfin.filings.models import Filing, FilingForm, FilingVersion
from crossfin.parties.access import Caller

EXPLANATION_MAX = 2000


def add_version(
    session: Session, caller: Caller, filing: Filing, content: dict[str, Any]
) -> FilingVersion:
    """Store `content` as the filing's next version and make it current."""
    raw = canonical_json(content)
    number = filing.current_version + 1
    version = FilingVersion(
        filing_id=filing.id,
        number=number,
        content=raw.decode(),
        content_sha256=hashlib.sha256(raw).hexdigest(),
        explanations="{}",
        principal_id=caller.principal_id,
        principal_name=caller.principal_name,
        created_at=utcnow(),
    )
    session.add(version)
    filing.current_version = number
    session.flush()
    return version


def version_of(session: Session, filing_id: int, number: int) -> FilingVersion:
    query = select(FilingVersion).where(
        FilingVersion.filing_id == filing_id, FilingVersion.number == number
    )
    return session.scalars(query).one()


def content_of(version: FilingVersion) -> Any:
    return json.loads(version.content)


def clean_explanations(explanations: dict[str, str]) -> dict[str, str]:
    """The non-empty explanations, each at most EXPLANATION_MAX characters (422 naming it)."""
    kept: dict[str, str] = {}
    for location, text in explanations.items():
        if len(text) > EXPLANATION_MAX:
            raise invalid(f"explanations.{location}", f"at most {EXPLANATION_MAX} characters")
        if text.strip():
            kept[location] = text.strip()
    return kept


def vet(
    form: FilingForm, content: Any, previous: Any | None, explanations: dict[str, str]
) -> dict[str, str]:
    """Check the content; 422 /filing-content listing every issue if an error or an
    unexplained warning remains. Returns the explanations of the warnings raised."""
    issues = check_content(form, content, previous)
    blocking = unexplained(issues, explanations)
    if blocking:
        raise ContentRejected([i.as_dict() | {"blocking": i in blocking} for i in issues])
    warned = {i.location for i in issues}
    return {loc: text for loc, text in explanations.items() if loc in warned}

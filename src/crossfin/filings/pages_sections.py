"""A hook for the filing detail page: a system adds its own section (a risk report's
links, a statistics report's download) without touching filings/pages.py.

A system registers, once at import of its own pages module:

    register_section(Section("statistics", "filings/statistics/_section.html", context_fn))

The detail page then includes `template` for every filing of `system` ("*": every
filing), with `section` in the template's context: what `context(session, caller,
filing)` returned. Sections show in the order registered (docs/filings.md, "Portal pages").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from crossfin.filings.schemas import FilingDetailOut
from crossfin.parties.access import Caller

SectionContext = Callable[[Session, Caller, FilingDetailOut], dict[str, Any]]


@dataclass(frozen=True)
class Section:
    system: str  # a form's system (risk_report, statistics, licence) or "*"
    template: str  # a template path under web/templates
    context: SectionContext


_SECTIONS: list[Section] = []


def register_section(section: Section) -> None:
    """Add a section (the same template twice is ignored: modules may be re-imported)."""
    if all(s.template != section.template for s in _SECTIONS):
        _SECTIONS.append(section)


def sections_for(
    session: Session, caller: Caller, system: str, filing: FilingDetailOut
) -> list[tuple[str, dict[str, Any]]]:
    """(template, context) of every section shown for a filing of `system`."""
    return [
        (s.template, s.context(session, caller, filing))
        for s in _SECTIONS
        if s.system in ("*", system)
    ]

"""Whose figures a regulator asks for: a node of its subtree, its child divisions, and
the form and period asked (shared by completeness and aggregates)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.errors import Forbidden, NotFound, ValidationFailed, invalid
from crossfin.filings.catalogue import list_forms
from crossfin.filings.models import FilingForm
from crossfin.filings.statistics.periods import period_end as statistics_period_end
from crossfin.parties.access import Caller, require_kind, supervises
from crossfin.parties.models import Jurisdiction, OrgKind

CODE = re.compile(r"^\d{6}$")
PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|Q([1-4]))?$")


class OutsideSubtree(Forbidden):
    """A regulator asked for a jurisdiction outside the subtree it supervises (the same
    problem type as the statistics dashboard's)."""

    slug = "outside-subtree"
    title = "The jurisdiction is outside the subtree you supervise"

    def __init__(self, field_name: str, code: str) -> None:
        reason = f"jurisdiction {code} is outside the subtree you supervise"
        super().__init__(reason, errors=[{"field": field_name, "reason": reason}])


@dataclass(frozen=True)
class Node:
    code: str
    path: str
    name_en: str
    name_zh: str


@dataclass(frozen=True)
class Scope:
    """The node asked (in the caller's subtree) and its children, by path."""

    node: Node
    children: dict[str, Node]  # path -> child node

    def child_of(self, path: str) -> Node:
        """The child whose subtree holds `path`; the node itself for a path at the node
        (or under a child the table does not know)."""
        rest = path[len(self.node.path) :].strip("/")
        if not rest:
            return self.node
        child_path = f"{self.node.path}{rest.split('/')[0]}/"
        return self.children.get(child_path, self.node)


def _node(row: Jurisdiction) -> Node:
    return Node(row.code, row.path, row.name_en, row.name_zh)


def scope_of(session: Session, caller: Caller, jurisdiction: str | None) -> Scope:
    """Regulators only (403); `jurisdiction` (default: the caller's node) must be a known
    code (422) inside the caller's subtree (403 `/outside-subtree`)."""
    require_kind(caller, OrgKind.REGULATOR)
    if caller.jurisdiction_path is None:
        raise Forbidden("this regulator supervises no jurisdiction")
    code = jurisdiction or caller.jurisdiction_path.strip("/").rsplit("/", 1)[-1]
    if not CODE.match(code):
        raise invalid("query.jurisdiction", "a 6-digit division code")
    row = session.get(Jurisdiction, code)
    if row is None:
        raise invalid("query.jurisdiction", f"unknown jurisdiction code {code!r}")
    if not supervises(caller, row.path):
        raise OutsideSubtree("query.jurisdiction", code)
    kids = session.scalars(select(Jurisdiction).where(Jurisdiction.parent_code == row.code))
    return Scope(_node(row), {k.path: _node(k) for k in kids})


def form_of(session: Session, code: str) -> FilingForm:
    """The newest version of the form `code` (404 when there is none)."""
    found = list_forms(session, code)
    if not found:
        raise NotFound(f"no form {code}")
    return found[-1]


def period_end(period: str) -> date:
    """The last day of a statistics period (`2026-11`, `2026-Q4`, `2026Q4`); 422 naming
    `query.period` otherwise."""
    try:
        return statistics_period_end(period)
    except ValidationFailed:
        raise invalid("query.period", "a period: YYYY-MM or YYYY-Qn") from None

"""Regulators' offices: where one may sit, dispatched offices, and who handles a county.

The head office, a province branch or a prefecture branch sits at its node and supervises
its subtree. A **dispatched office** (派出机构) sits at one county and names its parent
office, a regulator above it whose subtree holds the county: by the subtree rule it sees
exactly its county, and its parent sees everything it sees.

"A prefecture handles its counties' business": `handling_office` routes a county to the
dispatched office seated there if any, else the prefecture's regulator, else the
province's, else the head office (docs/supervision.md, "Who handles what").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.errors import FieldError
from crossfin.parties.jurisdiction_data import ROOT_CODE
from crossfin.parties.jurisdictions import firm_seat_paths
from crossfin.parties.models import Jurisdiction, Organization, OrgKind

PARENT = "parent_org_id"


def office_errors(
    session: Session, seat: Jurisdiction, parent_org_id: int | None
) -> list[FieldError]:
    """Why a new regulator may not sit at `seat` with this parent, or nothing.

    Above a county a regulator names no parent; at a county it must (it is a dispatched
    office), and the parent must be a regulator, not itself dispatched, whose subtree
    holds the county.
    """
    if seat.level != "county":
        if parent_org_id is not None:
            return [FieldError(PARENT, "only a dispatched office, seated at a county, has one")]
        return []
    if parent_org_id is None:
        reason = (
            f"a regulator at county {seat.code} is a dispatched office: name its parent "
            "office (regulators otherwise sit at the head office, a province or a prefecture)"
        )
        return [FieldError(PARENT, reason)]
    parent = session.get(Organization, parent_org_id)
    if parent is None or parent.kind != OrgKind.REGULATOR.value:
        return [FieldError(PARENT, f"no regulator {parent_org_id}")]
    if parent.parent_org_id is not None:
        return [FieldError(PARENT, "a dispatched office cannot have dispatched offices")]
    if not seat.path.startswith(parent.jurisdiction_path or "\x00"):
        reason = f"county {seat.code} is outside the subtree of its parent office ({parent.id})"
        return [FieldError(PARENT, reason)]
    return []


def dispatched_office_at(session: Session, code: str) -> int | None:
    """The dispatched office already seated at county `code`, if any (one per county)."""
    query = select(Organization.id).where(
        Organization.jurisdiction_code == code,
        Organization.parent_org_id.is_not(None),
        Organization.kind == OrgKind.REGULATOR.value,
    )
    return session.scalar(query)


class Offices:
    """Regulators by seat, as routing reads them: at a county only a dispatched office
    counts; at a node with several regulators the first onboarded does."""

    def __init__(self, regulators: Iterable[Organization]) -> None:
        self.by_code: dict[str, Organization] = {}
        for org in sorted(regulators, key=lambda o: o.id):
            code = org.jurisdiction_code
            if code is None or (org.parent_org_id is None and _county_path(org)):
                continue
            self.by_code.setdefault(code, org)

    @classmethod
    def load(cls, session: Session, codes: Iterable[str] | None = None) -> Offices:
        """The regulators seated at `codes` (every regulator when None)."""
        query = select(Organization).where(Organization.kind == OrgKind.REGULATOR.value)
        if codes is not None:
            query = query.where(Organization.jurisdiction_code.in_(set(codes)))
        return cls(session.scalars(query))

    def handler(self, path: str | None) -> Organization | None:
        """The deepest office on `path`, from the node up to the head office."""
        for code in reversed(_codes(path)):
            if (office := self.by_code.get(code)) is not None:
                return office
        return None


def _codes(path: str | None) -> list[str]:
    """The codes on a jurisdiction path, root first; no seat means the head office's."""
    return path.strip("/").split("/") if path else [ROOT_CODE]


def _county_path(org: Organization) -> bool:
    """A seat three levels below the root: a county (root/province/prefecture/county)."""
    return len(_codes(org.jurisdiction_path)) > 3


def handling_offices(
    session: Session, paths: Iterable[str | None]
) -> dict[str | None, Organization]:
    """`handling_office` for many paths in one query (a path no office covers is left out)."""
    wanted = set(paths)
    offices = Offices.load(session, {code for path in wanted for code in _codes(path)})
    found = {path: offices.handler(path) for path in wanted}
    return {path: office for path, office in found.items() if office is not None}


def handling_office(session: Session, path: str | None) -> Organization | None:
    """The office a county's business goes to: the dispatched office seated on the county,
    else the regulator of its prefecture, else of its province, else the head office.

    `path` is a seat's jurisdiction path (a county's, or a prefecture-level city's without
    counties, which then starts at the prefecture); None, a party without a seat, goes to
    the head office. None only when no regulator at all is onboarded over `path`.
    """
    return handling_offices(session, [path]).get(path)


def counties_handled(session: Session) -> Counter[int]:
    """How many seats (county-level divisions and prefecture-level cities without counties)
    each regulator handles, by organization id: the operator's list of regulators."""
    offices = Offices.load(session)
    return Counter(
        office.id
        for path in firm_seat_paths(session)
        if (office := offices.handler(path)) is not None
    )

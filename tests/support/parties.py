"""Factories for parties: organizations, principals and API keys, made through the services."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from crossfin.core.db import Actor, Database
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties import credentials, service
from crossfin.parties.identifiers import make_uscc, org_code_with_check
from crossfin.parties.models import OrgKind, PrincipalKind, Role
from crossfin.parties.schemas import OrgIn

_counter = itertools.count(1)
TEST_ACTOR = Actor(None, None, "test")


@dataclass
class Party:
    """An organization with one principal and its API key."""

    org_id: int
    principal_id: int
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def uscc_for(county: str, n: int) -> str:

    return make_uscc("9", "1", county, org_code_with_check(f"{n:08d}"))


def bic_for(n: int) -> str:
    letters = "".join(chr(ord("A") + (n // 26**i) % 26) for i in range(4))
    return f"{letters}CNBJ"


def org_in(kind: OrgKind, *, jurisdiction: str | None = None, **overrides: object) -> OrgIn:
    """A valid OrgIn for `kind` with fresh identifiers."""
    n = next(_counter)
    fields: dict[str, object] = {"kind": kind, "name": f"Test {kind.value} {n}"}
    if kind is OrgKind.ENTERPRISE:
        county = jurisdiction or "440305"
        fields |= {"uscc": uscc_for(county, n), "jurisdictions": [county]}
    elif kind is OrgKind.BANK:
        fields |= {"bic": bic_for(n), "jurisdictions": [jurisdiction or "440000"]}
    elif kind is OrgKind.REGULATOR:
        fields |= {"jurisdictions": [jurisdiction or "440000"]}
    elif kind is OrgKind.CUSTOMS:
        fields |= {"customs_code": "5300"}
    fields.update(overrides)
    return OrgIn.model_validate(fields)


def make_party(
    db: Database,
    kind: OrgKind,
    role: Role = Role.ADMIN,
    jurisdiction: str | None = None,
    **overrides: object,
) -> Party:
    """Create an organization, one user with `role`, and an API key for it."""
    with UnitOfWork(db, TEST_ACTOR) as uow:
        org, _ = service.add_org(uow, org_in(kind, jurisdiction=jurisdiction, **overrides))
        party = add_principal(uow, org.id, role)
        uow.commit()
    return party


def add_principal(uow: UnitOfWork, org_id: int, role: Role) -> Party:
    n = next(_counter)
    principal, _ = credentials.add_principal(uow, org_id, PrincipalKind.SERVICE, f"svc-{n}", role)
    _, key, _ = credentials.issue_key(uow, principal.id)
    return Party(org_id, principal.id, key)


def another_principal(db: Database, org_id: int, role: Role) -> Party:
    """A second principal (with its own key) in an existing organization."""
    with UnitOfWork(db, TEST_ACTOR) as uow:
        party = add_principal(uow, org_id, role)
        uow.commit()
    return party

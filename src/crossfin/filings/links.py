"""Links from a filing to crossfin records (financings, payments, alerts), resolved
without importing the domains that own them.

filings sits beside financing, payments and supervision and may not import them; each
kind's resolver is registered from `crossfin.assembly`. A resolver answers the record if
the given caller may read it, else None: a record that exists but is out of the caller's
sight is refused word for word like one that does not exist, so a link probes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crossfin.core.errors import FieldError, ValidationFailed
from crossfin.parties.access import Caller


@dataclass(frozen=True)
class LinkedRecord:
    """A record a filing points at, as its readers are shown it."""

    kind: str
    id: int
    label: str
    url: str  # the API address of the record (its readers open it there)


Resolver = Callable[[Session, Caller, int], LinkedRecord | None]
_RESOLVERS: dict[str, Resolver] = {}


def register_resolver(kind: str, resolver: Resolver) -> None:
    """Let links of `kind` be checked (assembly calls this; again replaces, harmlessly)."""
    _RESOLVERS[kind] = resolver


def check_links(session: Session, caller: Caller, links: Sequence[tuple[str, int]]) -> None:
    """422 naming `links[i].id` for each link the caller cannot read (or that is missing,
    in the same words), or whose kind no domain resolves."""
    errors = []
    for i, (kind, record_id) in enumerate(links):
        resolver = _RESOLVERS.get(kind)
        if resolver is None or resolver(session, caller, record_id) is None:
            errors.append(FieldError(f"links[{i}].id", f"no {kind} {record_id} you can read"))
    if errors:
        raise ValidationFailed(errors)


def url_of(kind: str, record_id: int) -> str:
    """Where a linked record is read: the owning domain's API address."""
    return f"/v1/{kind}s/{record_id}"

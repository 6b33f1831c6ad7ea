"""The registry of document kinds: adding a kind is one module and one line below."""

from __future__ import annotations

from crossfin.documents.errors import UnknownKind
from crossfin.documents.kinds import (
    bill_of_lading,
    customs_declaration,
    insurance_policy,
    overseas_customs_declaration,
    rail_consignment_note,
    tax_filing,
    transport_event,
    vat_invoice,
    warehouse_movement,
    warehouse_receipt,
)
from crossfin.documents.kinds.base import KindSpec
from crossfin.parties.models import OrgKind

_KINDS: dict[str, KindSpec] = {
    spec.name: spec
    for spec in (
        customs_declaration.SPEC,
        vat_invoice.SPEC,
        insurance_policy.SPEC,
        bill_of_lading.SPEC,
        warehouse_receipt.SPEC,
        tax_filing.SPEC,
        overseas_customs_declaration.SPEC,
        transport_event.SPEC,
        rail_consignment_note.SPEC,
        warehouse_movement.SPEC,
    )
}


def get_kind(name: str) -> KindSpec:
    """The kind called `name`; UnknownKind (404) otherwise."""
    try:
        return _KINDS[name]
    except KeyError:
        raise UnknownKind(f"no document kind {name!r}; known: {', '.join(_KINDS)}") from None


def all_kinds() -> list[KindSpec]:
    """Every registered kind, in registration order."""
    return list(_KINDS.values())


def kinds_of_source(source: OrgKind) -> list[KindSpec]:
    """The kinds an organization of kind `source` may submit (none for non-sources)."""
    return [spec for spec in _KINDS.values() if spec.source is source]


SOURCE_KINDS = frozenset(spec.source for spec in _KINDS.values())

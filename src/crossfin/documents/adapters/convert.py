"""One use case: the crossfin records a DCSA message carries, checked against their kind.

The source's command line (`crossfin documents submit --format dcsa`) and the API's
`POST /v1/dcsa/records` both come here, so a carrier sees before it signs
anything exactly what the registry would take from its message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from crossfin.core.errors import FieldError, ValidationFailed, invalid
from crossfin.documents.adapters import AdapterError
from crossfin.documents.adapters.dcsa_formats import recognise, records_of
from crossfin.documents.kinds.registry import get_kind


@dataclass(frozen=True)
class Converted:
    format: str
    kind: str
    records: list[dict[str, Any]]


def convert_dcsa(body: bytes, kind: str, party_uscc: str | None = None) -> Converted:
    """The records of one DCSA message (JSON bytes), each valid for `kind`; 422 naming the
    body, the format, or the record field that fails."""
    spec = get_kind(kind)
    try:
        message = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise invalid("body", f"not JSON: {exc}") from None
    try:
        fmt = recognise(message)
        found = records_of(message, spec.name, party_uscc=party_uscc)
    except AdapterError as exc:
        raise invalid(exc.where, exc.reason) from None
    errors: list[FieldError] = []
    for index, record in enumerate(found):
        try:
            spec.validate(record)
        except ValidationFailed as exc:
            errors += [FieldError(f"records[{index}].{e.field}", e.reason) for e in exc.errors]
    if errors:
        raise ValidationFailed(errors)
    return Converted(fmt.value, spec.name, found)

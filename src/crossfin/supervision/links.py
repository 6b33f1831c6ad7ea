"""Where each record that raised an alert can be read: its API path and its portal page."""

from __future__ import annotations

from typing import Any

# type -> (API path, portal path); `{id}` is the record's id, `{kind}`/`{key}` a document's.
_PATHS: dict[str, tuple[str | None, str | None]] = {
    "financing": ("/v1/financings/{id}", "/financing/{id}"),
    "payment": ("/v1/payments/{id}", None),  # the portal has no page for one payment
    "offshore_check": ("/v1/payments/offshore-checks/{id}", "/offshore-checks/{id}"),
    "document": ("/v1/documents/{kind}/{key}", "/documents/{kind}/{key}"),
    "alert": ("/v1/alerts/{id}", "/alerts/{id}"),
}


def link_of(record: dict[str, Any], *, api: bool) -> str | None:
    """The path of `record` (an alert's evidence), or None when it has no page: a refused
    attempt wrote nothing but its ledger event and the alert itself."""
    paths = _PATHS.get(str(record.get("type")))
    if paths is None:
        return None
    path = paths[0] if api else paths[1]
    if path is None:
        return None
    if record.get("type") == "document":
        kind, _, key = str(record.get("label", "")).partition(" ")
        if not key or kind == "document":  # labelled by id only: no kind and key known
            return None
        return path.format(kind=kind, key=key)
    return path.format(id=record.get("id"))

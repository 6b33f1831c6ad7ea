"""Security events: the kinds, and the hook every floor reports them through.

Events arise on every floor: body limits and malformed JSON at the door (core, api), key
and login refusals (parties, web), witness refusals, checkpoint-signing and audit failures
(ledger). They are stored, counted and turned into operator alerts by parties
(`parties/security/events.py`), which sits above core and the ledger; so those floors call
`report` here, and importing `crossfin.parties` fills the hook, as every entry point does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crossfin.core.db import Database

log = logging.getLogger("crossfin.security")


class SecurityKind(StrEnum):
    """Every kind of security event (docs/operations.md, "Security alerts")."""

    LOGIN_FAILED = "login_failed"
    LOGIN_THROTTLED = "login_throttled"
    KEY_UNKNOWN = "key_unknown"
    KEY_REVOKED = "key_revoked"
    FORBIDDEN_BURST = "forbidden_burst"
    NOT_FOUND_BURST = "not_found_burst"
    BODY_TOO_LARGE = "body_too_large"
    BODY_MALFORMED = "body_malformed"
    WITNESS_REFUSED = "witness_refused"
    AUDIT_FAILED = "audit_failed"
    CHECKPOINT_SIGN_FAILED = "checkpoint_sign_failed"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class SecurityEvent:
    """One event as reported: never a secret or a whole key (a key id at most)."""

    kind: SecurityKind
    address: str | None = None
    principal_id: int | None = None
    key_id: str | None = None
    route: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


Recorder = Callable[["Database", SecurityEvent], None]
_recorder: list[Recorder] = []


def set_recorder(recorder: Recorder) -> None:
    """Install the function that stores events (parties does, when it is imported)."""
    _recorder[:] = [recorder]


def report(
    db: Database,
    kind: SecurityKind,
    *,
    address: str | None = None,
    principal_id: int | None = None,
    key_id: str | None = None,
    route: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Log and record a security event; never raises (the caller's own answer stands).

    Blocking (a short write transaction of its own): async callers run it in a thread.
    """
    event = SecurityEvent(kind, address, principal_id, key_id, route, dict(detail or {}))
    log.warning(
        "security event %s",
        kind.value,
        extra={"security_kind": kind.value, "address": address, "key_id": key_id, "route": route},
    )
    if not _recorder:
        log.error("no security event recorder installed; %s not stored", kind.value)
        return
    try:
        _recorder[0](db, event)
    except Exception:  # a failing record must not turn a refusal into a 500
        log.exception("could not record security event %s", kind.value)

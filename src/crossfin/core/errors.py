"""The error tree: every domain error carries its HTTP status and a stable problem type."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError as PydanticValidationError

PROBLEM_BASE = "https://crossfin.dev/problems/"


@dataclass(frozen=True)
class FieldError:
    """One invalid input: where it is (dotted path) and why it was refused."""

    field: str
    reason: str


class CrossfinError(Exception):
    """Base of every expected error; subclasses fix `status`, `slug` and `title`."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra
        self.headers: dict[str, str] = {}

    @property
    def type(self) -> str:
        return PROBLEM_BASE + self.slug

    def problem(self) -> dict[str, Any]:
        """The RFC 9457 body, without instance and correlation fields."""
        body = {"type": self.type, "title": self.title, "status": self.status}
        body["detail"] = self.detail
        body.update(self.extra)
        return body


class ValidationFailed(CrossfinError):
    status = 422
    slug = "validation"
    title = "The request is not valid"

    def __init__(self, errors: list[FieldError], detail: str | None = None, **extra: Any) -> None:
        text = detail or "; ".join(f"{e.field}: {e.reason}" for e in errors)
        listed = [{"field": e.field, "reason": e.reason} for e in errors]
        super().__init__(text, errors=listed, **extra)
        self.errors = errors


def field_path(loc: Sequence[Any]) -> str:
    """`documents[0].amount` from a pydantic error location, as the services name fields."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def field_errors(
    exc: PydanticValidationError,
    default: str = "body",
    reason: Callable[[Mapping[str, Any]], str] = lambda e: str(e["msg"]),
) -> list[FieldError]:
    """A pydantic ValidationError as FieldErrors (`default` names a whole-input error)."""
    return [
        FieldError(field_path(e["loc"]) or default, reason(e))
        for e in exc.errors(include_url=False)
    ]


def invalid(field: str, reason: str) -> ValidationFailed:
    """Shorthand for a single-field validation failure."""
    return ValidationFailed([FieldError(field, reason)])


class Unauthenticated(CrossfinError):
    status = 401
    slug = "unauthenticated"
    title = "Authentication required"


class Forbidden(CrossfinError):
    status = 403
    slug = "forbidden"
    title = "Not allowed"


class MakerChecker(Forbidden):
    """Maker-checker: the approver of a financing or a payment is not the one who made it."""

    slug = "maker-checker"
    title = "The approver must be a different principal of the same bank"


class NotFound(CrossfinError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(CrossfinError):
    status = 409
    slug = "conflict"
    title = "Conflict with the current state"


class AlreadyExists(Conflict):
    slug = "already-exists"
    title = "Already exists"


class IdempotencyConflict(Conflict):
    slug = "idempotency-conflict"
    title = "Idempotency-Key reused with a different request"


class IllegalTransition(Conflict):
    slug = "illegal-transition"
    title = "This change is not allowed in the current state"


class PayloadTooLarge(CrossfinError):
    status = 413
    slug = "payload-too-large"
    title = "Request too large"


class RateLimited(CrossfinError):
    """Too many requests for one API key in one route class; Retry-After says how long."""

    status = 429
    slug = "rate-limited"
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int, **extra: Any) -> None:
        super().__init__(detail, retry_after=retry_after, **extra)
        self.headers["Retry-After"] = str(retry_after)


# Every stable problem type, for the docs and for a test that keeps them in sync.
def all_problem_types() -> dict[str, type[CrossfinError]]:
    """Map each slug to its class, walking the whole subclass tree."""
    found: dict[str, type[CrossfinError]] = {}
    stack: list[type[CrossfinError]] = [CrossfinError]
    while stack:
        cls = stack.pop()
        found.setdefault(cls.slug, cls)
        stack.extend(cls.__subclasses__())
    return found

"""The OpenAPI description, corrected to what the API answers.

FastAPI describes each route from its signature: the success answer, and a 422 in its own
validation shape. What a signature cannot show is added here, by rule, to every operation:
every error is RFC 9457 `application/problem+json` (core/http/problems.py, the `Problem`
schema below), every `/v1` call is authenticated (401) and every write may be refused to
the caller's kind or role (auditors never write: 403), bodies are bounded before routing
(api/limits.py: 413 with the route class's limit) and malformed JSON is a 400.

A route documents only what no rule can know, with FastAPI's `responses=` on its
decorator: a GET that some callers may not send (403), a 404 for a record named in the
query or the body, a non-JSON media type. Those answers get the `Problem` content too.

`describe` runs once, when the schema is first asked for (`app.openapi` caches it).
tests/api/test_openapi.py and the schemathesis run in tests/api/test_fuzz.py compare the
description with the answers. A new kind of answer (the per-key rate limit's 429, say) is
one more entry in `ANSWERS`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crossfin.api.limits import MIB, limit_for

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_REF = "#/components/schemas/Problem"
_WRITES = frozenset({"post", "put", "patch", "delete"})
# Read by anyone without a key (the public register of licence decisions).
PUBLIC = "/v1/public/"

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem. `type` is stable (docs/api.md lists every one); "
    "a type may add members of its own (`state`, `document`, `line`, `retry_after`...).",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "examples": ["https://crossfin.dev/problems/validation"]},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string", "description": "the request's path"},
        "request_id": {"type": "string", "description": "as in X-Request-ID and the log"},
        "errors": {
            "type": "array",
            "description": "each invalid input (422, and 400 for a malformed body)",
            "items": {
                "type": "object",
                "required": ["field", "reason"],
                "properties": {
                    "field": {"type": "string", "examples": ["documents[0].amount"]},
                    "reason": {"type": "string"},
                },
            },
        },
        "correlation_id": {"type": "string", "description": "500 only: quote it"},
    },
    "additionalProperties": True,
}


@dataclass(frozen=True)
class Operation:
    """One operation of the generated description: what the rules look at."""

    method: str  # lower case, as in the description
    path: str
    spec: dict[str, Any]

    @property
    def authenticated(self) -> bool:
        return self.path.startswith("/v1/") and not self.path.startswith(PUBLIC)

    @property
    def writes(self) -> bool:
        return self.method in _WRITES

    @property
    def names_record(self) -> bool:
        return "{" in self.path

    @property
    def takes_json(self) -> bool:
        content = self.spec.get("requestBody", {}).get("content", {})
        return any(_is_json(media_type) for media_type in content)


@dataclass(frozen=True)
class Answer:
    """A problem answer that operations for which `gives(operation)` holds can give."""

    status: int
    description: str | Callable[[Operation], str]
    gives: Callable[[Operation], bool]
    headers: tuple[tuple[str, str], ...] = ()

    def text(self, op: Operation) -> str:
        return self.description if isinstance(self.description, str) else self.description(op)


def _body_limit(op: Operation) -> str:
    name, limit = limit_for(op.method.upper(), op.path)
    size = f"{limit // MIB} MiB" if limit % MIB == 0 else f"{limit} bytes"
    return f"The body is over this route's limit ({name}: {size}): `/payload-too-large`"


# Every answer the rules add; statuses a route declares itself keep its own description.
ANSWERS: tuple[Answer, ...] = (
    Answer(
        400,
        "The body is not JSON (`/bad-request`) or is nested more than 64 levels deep "
        "(`/json-too-deep`)",
        lambda op: op.takes_json,
    ),
    Answer(
        401,
        "No API key, or a malformed, unknown or revoked one: `/unauthenticated`",
        lambda op: op.authenticated,
        (("WWW-Authenticate", 'Bearer realm="crossfin"'),),
    ),
    Answer(
        403,
        "The caller's organization kind or role may not do this (auditors never write): "
        "`/forbidden` or the domain's own type",
        lambda op: op.authenticated and op.writes,
    ),
    Answer(
        404,
        "No such record, or one the caller may not see (the same answer): `/not-found` or "
        "the domain's own type",
        lambda op: op.authenticated and op.names_record,
    ),
    Answer(
        409,
        "Conflicts with the record's state (`/conflict`, `/illegal-transition`, ...) or an "
        "`Idempotency-Key` reused with another request (`/idempotency-conflict`)",
        lambda op: op.authenticated and op.method == "post",
    ),
    Answer(413, _body_limit, lambda op: op.writes),
    Answer(
        429,
        "The API key (public routes: the client address) is over its rate limit for this "
        "route class (`/rate-limited`, with `route_class` and `retry_after`); retry after "
        "`Retry-After` seconds",
        lambda op: op.authenticated or op.path.startswith(PUBLIC),
        (("Retry-After", "30"),),  # seconds until the key's window for the class ends
    ),
    Answer(
        422,
        "Invalid input: `errors` names each `field` and its `reason` (`/validation` or the "
        "domain's own type); on any operation, a NUL character in the path or the query",
        lambda op: True,  # api/limits.py refuses a NUL anywhere in a URL (core/nul.py)
    ),
)


def describe(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the problem answers to every operation of a FastAPI schema (changed in place)."""
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path, operations in schema.get("paths", {}).items():
        for method, spec in operations.items():
            op = Operation(method, path, spec)
            responses = spec.setdefault("responses", {})
            for answer in ANSWERS:
                if answer.gives(op):
                    _add(responses, answer, op)
            for status, response in responses.items():
                if status[:1] in ("4", "5"):
                    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}}
            spec["responses"] = dict(sorted(responses.items()))
    _drop_unused(components.get("schemas", {}), schema)
    return schema


def _add(responses: dict[str, Any], answer: Answer, op: Operation) -> None:
    response = responses.setdefault(str(answer.status), {})
    # FastAPI's own 422 text describes its validation shape, which crossfin never sends.
    if answer.status == 422 or not response.get("description"):
        response["description"] = answer.text(op)
    for name, example in answer.headers:
        response.setdefault("headers", {})[name] = {
            "schema": {"type": "string"},
            "example": example,
        }


def _drop_unused(schemas: dict[str, Any], schema: dict[str, Any]) -> None:
    """FastAPI's validation-error shapes, once no answer refers to them."""
    text = json.dumps(schema.get("paths"))
    for name in ("HTTPValidationError", "ValidationError"):
        if f'"#/components/schemas/{name}"' not in text:
            schemas.pop(name, None)


def _is_json(media_type: str) -> bool:
    kind = media_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")

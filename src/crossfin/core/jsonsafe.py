"""JSON with a bound on nesting, for every place that parses what a client sent.

Python's json module recurses once per level, so a document nested 10,000 deep raises
RecursionError (a 500 on a server, a traceback on the command line) before any schema sees
it. `check_depth` scans the text without parsing it, with byte operations that run in C:
escaped backslashes and quotes are dropped, then every other piece between quotes is
outside a string; of those, only the four brackets are kept and counted.
"""

from __future__ import annotations

import json
from itertools import accumulate
from typing import Any

from crossfin.core.errors import CrossfinError

MAX_DEPTH = 64
# Everything but the four brackets, for bytes.translate to delete in C.
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class TooDeep(CrossfinError):
    status = 400
    slug = "json-too-deep"
    title = "The JSON is nested too deeply"


def depth(data: bytes | str) -> int:
    """The deepest nesting of arrays and objects in `data` (0 for a scalar)."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if b"[" not in raw and b"{" not in raw:
        return 0
    plain = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside = b"".join(plain.split(b'"')[::2])
    brackets = outside.translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def check_depth(data: bytes | str, where: str = "body", limit: int = MAX_DEPTH) -> None:
    """Raise TooDeep (400) if `data` nests arrays and objects more than `limit` deep."""
    if depth(data) > limit:
        error = TooDeep(f"{where}: JSON nested more than {limit} levels deep")
        error.extra["errors"] = [
            {"field": where, "reason": f"nested more than {limit} levels deep"}
        ]
        raise error


def loads(data: bytes | str, where: str = "body", limit: int = MAX_DEPTH) -> Any:
    """`json.loads` after `check_depth`; malformed JSON still raises json.JSONDecodeError."""
    check_depth(data, where, limit)
    return json.loads(data)

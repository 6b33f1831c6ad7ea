"""One field of a JSON document stored as text, read in SQL on both engines.

Documents keep their content as canonical JSON in a text column (documents/models.py), so a
query that filters or groups on a field (a declaration's export date, say) extracts it:
`json_extract(content, '$."field"')` on SQLite, `CAST(content AS jsonb) ->> 'field'` on
PostgreSQL. Both answer SQL NULL when the field is missing.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import SQLColumnExpression, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class json_text(FunctionElement[str]):  # lower case: it reads as a SQL function
    """`json_text(column, "field")`: the top-level field's value as text, or NULL."""

    type = String()
    inherit_cache = True
    name = "json_text"

    def __init__(self, column: SQLColumnExpression[Any], key: str) -> None:
        # The key is written into the statement (both engines want a literal path), so
        # only plain names pass: never user input.
        if not _NAME.fullmatch(key):
            raise ValueError(f"not a plain JSON field name: {key!r}")
        self.key = key
        super().__init__(column)


def _column(element: json_text, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(next(iter(element.clauses)), **kw)


@compiles(json_text)
def _sqlite(element: json_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_extract({_column(element, compiler, **kw)}, '$.\"{element.key}\"')"


@compiles(json_text, "postgresql")
def _postgresql(element: json_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f"(CAST({_column(element, compiler, **kw)} AS jsonb) ->> '{element.key}')"

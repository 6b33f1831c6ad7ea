"""Integer parameters bounded to the columns they reach, so no value overflows the database.

An id above 2^31 - 1 reaches a PostgreSQL `integer` column and fails there (above 2^63 - 1
on SQLite); bounded here, it is a 422 naming the parameter instead. Ledger leaf indexes
have their own bound (`ledger.models.MAX_LEAF_INDEX`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, Query

from crossfin.core.fields import INT32_MAX

# A row id in a path: /v1/orgs/{org_id}.
PathId = Annotated[int, Path(ge=1, le=INT32_MAX)]
# A row id in a query string: ?owner=12.
QueryId = Annotated[int, Query(ge=1, le=INT32_MAX)]
# A keyset cursor over row ids: ?after=0 starts at the beginning.
After = Annotated[int, Query(ge=0, le=INT32_MAX)]
# A row id in a portal form.
FormId = Annotated[int, Form(ge=1, le=INT32_MAX)]

"""Statistical forms held as data: a pydantic model and the JSON templates shipped beside it.

A form (code, version) has a period kind, names in zh and en, its own code lists and tables.
A table's rows are identified by their key cells (codes from code lists: instrument,
counterparty country, currency, maturity, sector); its columns are coded, typed cells.
Amounts are integers in the minor units of the row's currency (the table's
`currency_key`). The templates live in `data/*.json`; `load_form` reads them.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crossfin.core.errors import NotFound
from crossfin.filings.forms.codes import STANDARD
from crossfin.filings.forms.rules import Rule

CellType = Literal["amount", "integer", "code", "text"]
PeriodKind = Literal["monthly", "quarterly"]
CODE = r"^[A-Z][A-Z0-9_-]{0,39}$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Code(_Frozen):
    code: str = Field(min_length=1, max_length=20)
    en: str
    zh: str


class CodeList(_Frozen):
    """A form's own list (instrument, maturity, sector); ISO lists are named, not listed."""

    en: str
    zh: str
    codes: tuple[Code, ...] = Field(min_length=1)

    def has(self, code: str) -> bool:
        return any(c.code == code for c in self.codes)


class Key(_Frozen):
    """A row-key cell: its code, labels and the code list its values come from."""

    code: str = Field(pattern=CODE)
    en: str
    zh: str
    code_list: str


class Column(_Frozen):
    code: str = Field(pattern=CODE)
    en: str
    zh: str
    type: CellType
    code_list: str | None = None
    max_length: int = Field(default=200, ge=1)

    @model_validator(mode="after")
    def _code_list_for_codes(self) -> Column:
        if (self.type == "code") != (self.code_list is not None):
            raise ValueError(f"column {self.code}: a code list exactly when the type is code")
        return self


class Table(_Frozen):
    code: str = Field(pattern=CODE)
    en: str
    zh: str
    keys: tuple[Key, ...] = Field(min_length=1)
    columns: tuple[Column, ...] = Field(min_length=1)
    currency_key: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> Table:
        names = [k.code for k in self.keys] + [c.code for c in self.columns]
        if len(names) != len(set(names)):
            raise ValueError(f"table {self.code}: key and column codes must be distinct")
        amounts = any(c.type == "amount" for c in self.columns)
        if amounts and self.currency_key not in {k.code for k in self.keys}:
            raise ValueError(f"table {self.code}: amounts need a currency key")
        return self

    @property
    def key_codes(self) -> tuple[str, ...]:
        return tuple(k.code for k in self.keys)

    def column(self, code: str) -> Column | None:
        return next((c for c in self.columns if c.code == code), None)


class FormDefinition(_Frozen):
    code: str = Field(pattern=CODE)
    version: int = Field(ge=1)
    period_kind: PeriodKind
    name_en: str
    name_zh: str
    code_lists: dict[str, CodeList]
    tables: tuple[Table, ...] = Field(min_length=1)
    rules: tuple[Rule, ...]

    @model_validator(mode="after")
    def _references(self) -> FormDefinition:
        """Every code list, table and column a table or rule names exists."""
        known = set(self.code_lists) | STANDARD
        for table in self.tables:
            lists = [k.code_list for k in table.keys] + [c.code_list for c in table.columns]
            for name in lists:
                if name is not None and name not in known:
                    raise ValueError(f"table {table.code}: unknown code list {name}")
        ids = [r.id for r in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError("rule ids must be unique within a form")
        for rule in self.rules:
            ruled = self.table(rule.table)
            if ruled is None:
                raise ValueError(f"rule {rule.id}: unknown table {rule.table}")
            for col in rule.columns_named():
                if ruled.column(col) is None:
                    raise ValueError(f"rule {rule.id}: unknown column {col}")
            if rule.kind == "totals":
                self._check_totals(rule.id, ruled, rule.detail, rule.group_by, rule.columns)
        return self

    def _check_totals(
        self, rule: str, summary: Table, detail: str, group: tuple[str, ...], cols: tuple[str, ...]
    ) -> None:
        table = self.table(detail)
        if table is None:
            raise ValueError(f"rule {rule}: unknown detail table {detail}")
        if summary.key_codes != group or not set(group) <= set(table.key_codes):
            raise ValueError(f"rule {rule}: the summary's keys must be the group")
        if any(table.column(c) is None for c in cols):
            raise ValueError(f"rule {rule}: a total names a column the detail lacks")

    def table(self, code: str) -> Table | None:
        return next((t for t in self.tables if t.code == code), None)


@lru_cache(maxsize=1)
def _shipped() -> dict[tuple[str, int], FormDefinition]:
    found: dict[tuple[str, int], FormDefinition] = {}
    folder = resources.files("crossfin.filings.forms") / "data"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            form = FormDefinition.model_validate_json(entry.read_bytes())
            found[(form.code, form.version)] = form
    return found


def shipped_forms() -> list[FormDefinition]:
    """Every shipped form, every version, ordered by code then version."""
    return [form for _key, form in sorted(_shipped().items())]


def load_form(code: str, version: int | None = None) -> FormDefinition:
    """The shipped form `code` at `version` (its newest when None); NotFound otherwise."""
    versions = sorted(v for c, v in _shipped() if c == code)
    if not versions or (version is not None and version not in versions):
        raise NotFound(f"no statistical form {code} version {version or 'any'}")
    return _shipped()[(code, version if version is not None else versions[-1])]

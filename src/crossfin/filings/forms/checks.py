"""One function per rule kind: each yields the issues of one rule over one filing.

Each check reads only cells of the type it needs and leaves a cell of the wrong type or an
empty cell to the `types` and `required` rules, so one broken cell is reported once, by
the rule it breaks, and never again by the arithmetic rules that read it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from crossfin.core.money import format_amount
from crossfin.filings.forms import codes as std
from crossfin.filings.forms import rules as r
from crossfin.filings.forms.content import Cell, Content, Row
from crossfin.filings.forms.definition import FormDefinition, Table
from crossfin.filings.forms.issues import Issue


@dataclass(frozen=True)
class Filing:
    """What a check sees: the form, this filing and the previous accepted one (or None)."""

    form: FormDefinition
    current: Content
    previous: Content | None

    def rows(self, table: str, previous: bool = False) -> list[Row]:
        content = self.previous if previous else self.current
        return content.tables.get(table, []) if content is not None else []


def code(value: Cell) -> str:
    """A key cell as its code text (an empty cell is "")."""
    return "" if value is None else str(value)


def row_key(table: Table, row: Mapping[str, Cell]) -> dict[str, str]:
    return {k: code(row.get(k)) for k in table.key_codes}


def show(table: Table, row: Mapping[str, Cell], value: int) -> str:
    """An amount as decimal text in the row's currency when it has a known one."""
    ccy = row.get(table.currency_key or "")
    return (
        format_amount(value, ccy) if isinstance(ccy, str) and std.is_currency(ccy) else str(value)
    )


def issue(
    rule: r.RuleBase,
    table: Table,
    row: Mapping[str, Cell],
    index: int | None,
    column: str | None,
    expected: str | None = None,
    found: str | None = None,
) -> Issue:
    """The issue of `rule` at one cell; `row` is the content row, or its key when absent."""
    return Issue(
        table=table.code,
        row=row_key(table, row),
        column=column,
        index=index,
        rule=rule.id,
        severity=rule.severity,
        message_en=rule.message_en,
        message_zh=rule.message_zh,
        expected=expected,
        found=found,
    )


def _table(f: Filing, rule: r.RuleBase) -> Table:
    table = f.form.table(rule.table)
    assert table is not None  # FormDefinition checked every rule's table
    return table


def check_required(f: Filing, rule: r.Required) -> Iterator[Issue]:
    table = _table(f, rule)
    for i, row in enumerate(f.rows(table.code)):
        for col in rule.columns:
            if row.get(col) is None or row.get(col) == "":
                yield issue(rule, table, row, i, col, expected="a value", found=None)


def _type_error(table: Table, name: str, value: Cell) -> str | None:
    """What is wrong with one cell's type, or None when it is right."""
    if name in table.key_codes:
        return None if isinstance(value, str) and value else "a code"
    column = table.column(name)
    if column is None:
        return "no such column"
    if value is None or value == "":
        return None  # an empty cell is the `required` rule's business
    if column.type in ("amount", "integer"):
        return None if isinstance(value, int) else "a whole number"
    if not isinstance(value, str):
        return "text"
    return None if len(value) <= column.max_length else f"at most {column.max_length} characters"


def check_types(f: Filing, rule: r.Types) -> Iterator[Issue]:
    table = _table(f, rule)
    for i, row in enumerate(f.rows(table.code)):
        names = list(table.key_codes) + [n for n in row if n not in table.key_codes]
        for name in names:
            wrong = _type_error(table, name, row.get(name))
            if wrong is not None:
                found = None if row.get(name) is None else str(row.get(name))
                yield issue(rule, table, row, i, name, expected=wrong, found=found)


def in_list(f: Filing, code_list: str, code: str) -> bool:
    if code_list in std.STANDARD:
        return std.in_standard(code_list, code)
    return f.form.code_lists[code_list].has(code)


def check_codes(f: Filing, rule: r.Codes) -> Iterator[Issue]:
    table = _table(f, rule)
    lists = {k.code: k.code_list for k in table.keys}
    lists |= {c.code: c.code_list for c in table.columns if c.code_list is not None}
    for i, row in enumerate(f.rows(table.code)):
        for name, code_list in lists.items():
            value = row.get(name)
            if isinstance(value, str) and value and not in_list(f, code_list, value):
                yield issue(
                    rule, table, row, i, name, expected=f"a code of {code_list}", found=value
                )


def check_unique(f: Filing, rule: r.Unique) -> Iterator[Issue]:
    table = _table(f, rule)
    seen: dict[tuple[str, ...], int] = {}
    for i, row in enumerate(f.rows(table.code)):
        key = tuple(row_key(table, row).values())
        if key in seen:
            yield issue(
                rule,
                table,
                row,
                i,
                None,
                expected="a row key used once",
                found=f"also row {seen[key] + 1}",
            )
        else:
            seen[key] = i


def check_range(f: Filing, rule: r.Range) -> Iterator[Issue]:
    table = _table(f, rule)
    low, high = rule.min, rule.max
    bounds = f"{'' if low is None else low}..{'' if high is None else high}"
    for i, row in enumerate(f.rows(table.code)):
        for col in rule.columns:
            value = row.get(col)
            if isinstance(value, int) and (
                (low is not None and value < low) or (high is not None and value > high)
            ):
                yield issue(
                    rule, table, row, i, col, expected=bounds, found=show(table, row, value)
                )


def check_stock_flow(f: Filing, rule: r.StockFlow) -> Iterator[Issue]:
    table = _table(f, rule)
    for i, row in enumerate(f.rows(table.code)):
        cells = [row.get(c) for c in (rule.opening, *rule.flows, rule.closing)]
        numbers = [v for v in cells if isinstance(v, int)]
        if len(numbers) != len(cells):
            continue
        *parts, closing = numbers
        computed = sum(parts)
        if abs(computed - closing) > rule.tolerance:
            found = show(table, row, closing)
            yield issue(rule, table, row, i, rule.closing, show(table, row, computed), found)


def _group_sums(f: Filing, rule: r.Totals) -> dict[tuple[str, ...], dict[str, int | None]]:
    """Per group and column, the detail's sum; None when a detail cell is not a number."""
    sums: dict[tuple[str, ...], dict[str, int | None]] = defaultdict(dict)
    for row in f.rows(rule.detail):
        group = tuple(code(row.get(k)) for k in rule.group_by)
        for col in rule.columns:
            value, total = row.get(col), sums[group].get(col, 0)
            sums[group][col] = (
                total + value if isinstance(value, int) and total is not None else None
            )
    return sums


def check_totals(f: Filing, rule: r.Totals) -> Iterator[Issue]:
    summary = _table(f, rule)
    sums = _group_sums(f, rule)
    present: set[tuple[str, ...]] = set()
    for i, row in enumerate(f.rows(summary.code)):
        group = tuple(code(row.get(k)) for k in rule.group_by)
        present.add(group)
        for col in rule.columns:
            found, expected = row.get(col), sums.get(group, {}).get(col, 0)
            if (
                isinstance(found, int)
                and expected is not None
                and abs(found - expected) > rule.tolerance
            ):
                yield issue(
                    rule,
                    summary,
                    row,
                    i,
                    col,
                    show(summary, row, expected),
                    show(summary, row, found),
                )
    for group, cols in sums.items():
        if group in present:
            continue
        key = dict(zip(rule.group_by, group, strict=True))
        for col in rule.columns:
            if cols.get(col):  # a missing summary row is wrong only where the detail is not 0
                yield issue(rule, summary, key, None, col, show(summary, key, cols[col] or 0), None)


def check_continuity(f: Filing, rule: r.Continuity) -> Iterator[Issue]:
    if f.previous is None:
        return  # a first filing has nothing to continue
    table = _table(f, rule)
    before: dict[tuple[str, ...], int] = {}
    for row in f.rows(table.code, previous=True):
        closing = row.get(rule.closing)
        if isinstance(closing, int):
            before[tuple(row_key(table, row).values())] = closing
    seen: set[tuple[str, ...]] = set()
    for i, row in enumerate(f.rows(table.code)):
        key = tuple(row_key(table, row).values())
        seen.add(key)
        opening, expected = row.get(rule.opening), before.get(key, 0)  # a new position opens at 0
        if isinstance(opening, int) and abs(opening - expected) > rule.tolerance:
            yield issue(
                rule,
                table,
                row,
                i,
                rule.opening,
                show(table, row, expected),
                show(table, row, opening),
            )
    for key, closing in before.items():
        if key not in seen and abs(closing) > rule.tolerance:
            named = dict(zip(table.key_codes, key, strict=True))
            yield issue(rule, table, named, None, rule.opening, show(table, named, closing), None)


CHECKS: dict[str, Callable[[Filing, Any], Iterator[Issue]]] = {
    "required": check_required,
    "types": check_types,
    "codes": check_codes,
    "unique": check_unique,
    "range": check_range,
    "stock_flow": check_stock_flow,
    "totals": check_totals,
    "continuity": check_continuity,
}

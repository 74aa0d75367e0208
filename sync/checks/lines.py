"""Orders on several lines: the same line twice, or one number given to two orders.

Real registers put one order on several lines all the time: split deliveries
with their own due dates, a PO with an item/line number per part, one style in
several colours. A repeated order number alone is therefore no mistake. What
is one:

- the same line twice: the same order number and line number where the
  table has a line column; without one, a row that repeats an earlier row of
  the order in every column (a warning when some columns were not read: they
  may tell the two apart);
- one number for two orders: lines of one order number that disagree on what
  one order has once: its customer (an error); its order date (a warning: a
  line added to an order later is dated later too).
  Under a key column that is only a guess (headed "No", 编号, or by no alias of
  an order number at all) lines that differ in customer are more likely other
  orders under a column that is no order number: a warning saying so.

Each wrong row gets one finding on its order number (the first disagreement
found), naming the row it repeats or contradicts and the column that differs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import numpy as np
import pandas as pd
from pydantic import Field

from sync.checks.base import Check, Context, text_key
from sync.findings import WARNING, Finding
from sync.i18n import Text
from sync.tables.detect import map_labels
from sync.tables.fields import ROW_COUNTERS
from sync.tables.labels import header_key
from sync.tables.table import ROW, Table


class OrderLines(Check):
    """Repeated order numbers are lines of one order unless they repeat a line or contradict each other."""

    type = "order-lines"
    MESSAGE = Text("{key} 与第 {other_row} 行是同一行（重复登记）",
                   "{key} repeats the line on row {other_row}")
    HINT = Text("同一订单的同一行只能登记一次；如是另一批交货，请写明行号或交期",
                "enter each line of an order once; if this is another delivery, give it its own line or due date")
    CONFLICT: ClassVar[Text] = Text(
        "订单 {key} 在第 {other_row} 行的{conflict}是 {other_value}，此处是 {this_value}：两张订单用了同一个编号？",
        "order {key} has {conflict} {other_value} on row {other_row} but {this_value} here: two orders with one number?")
    CONFLICT_HINT: ClassVar[Text] = Text(
        "同一订单的各行{conflict}应一致；如是另一张订单，请改正编号",
        "the lines of one order share their {conflict}; if this is another order, correct its number")
    GUESSED: ClassVar[Text] = Text(
        "{key} 在第 {other_row} 行的{conflict}是 {other_value}，此处是 {this_value}；"
        "{column} 列未必是订单号（是推测的），两行可能是不同的订单",
        "{key} has {conflict} {other_value} on row {other_row} but {this_value} here; "
        "{column} was taken for the order number by a guess and may be something else")
    GUESSED_HINT: ClassVar[Text] = Text(
        "如 {column} 不是订单号，请在 config.toml 中指定订单号所在的列",
        "if {column} is not the order number, name the order-number column in config.toml")
    PLACEHOLDERS = frozenset({"key", "other_row", "other_value", "this_value", "conflict"})

    key: str = "order_no"
    line: str = "line_no"
    #: what every line of one order shares (an error where they differ) ...
    must_agree: list[str] = Field(default_factory=lambda: ["customer"])
    #: ... and what they usually share (a warning)
    should_agree: list[str] = Field(default_factory=lambda: ["order_date"])

    def fields_needed(self) -> list[str]:
        return [self.key]

    def run(self, table: Table, ctx: Context) -> Iterator[Finding]:
        key = _folded(table.data[self.key])
        filled = key.notna().to_numpy()
        if not key[filled].duplicated().any():
            return
        rows = table.data[ROW].to_numpy()
        repeated, same = self._repeated_lines(table, key)
        repeated = repeated & filled
        # every column compared (those not read as fields too: a tracker's Qtr, its milestones): surely the same line
        seen = {header_key(label) for label, _ in table.extra.values()}
        exact = table.has(self.line) or all(header_key(u) in seen for u in table.unmapped)
        yield from self._repeats(table, ctx, repeated, same, rows, self.severity if exact else WARNING)
        flagged = repeated.copy()
        guess = key_is_guess(table, self.key)
        checks = [(f, WARNING if guess else self.severity) for f in self.must_agree] + \
                 [(f, WARNING) for f in self.should_agree]
        for name, severity in ((f, sev) for f, sev in checks if table.has(f)):
            values = _folded(table.data[name])
            conflict = _disagrees(values, key) & filled & ~flagged
            yield from self._flag(table, ctx, conflict, key, name, values, rows, severity,
                                  guess and name in self.must_agree)
            flagged |= conflict

    def _repeated_lines(self, table: Table, key: pd.Series) -> tuple[np.ndarray, pd.DataFrame]:
        """Rows that repeat an earlier row (same key and line, or the same in every mapped column),
        and the columns that make a line the same."""
        if table.has(self.line):
            same = pd.DataFrame({"k": key, "l": _folded(table.data[self.line])})
            return (same.duplicated(keep="first") & same["l"].notna()).to_numpy(), same
        mapped = [f for f in table.columns if f in table.data]
        same = pd.DataFrame({f: _folded(table.data[f]) for f in mapped})
        for c, (label, cells) in table.extra.items():   # a row planned again for a later month differs in its month
            if header_key(label) not in ROW_COUNTERS:       # ... but a copied row has a number of its own (序号)
                same[f"_extra{c}"] = cells.codes            # the same code: the same cell as typed
        return same.duplicated(keep="first").to_numpy(), same

    def _repeats(self, table: Table, ctx: Context, mask: np.ndarray, same: pd.DataFrame, rows: np.ndarray,
                 severity: str) -> Iterator[Finding]:
        positions = np.flatnonzero(mask)
        if len(positions):
            first = _first_of(same)[positions]
            shown = {"key": [table.raw_text(self.key, p) for p in positions], "other_row": rows[first]}
            yield from self.flag_at(table, ctx, positions, self.key, shown, severity=severity)

    def _flag(self, table: Table, ctx: Context, mask: np.ndarray, key: pd.Series, name: str, values: pd.Series,
              rows: np.ndarray, severity: str, guess: bool = False) -> Iterator[Finding]:
        """Lines whose ``name`` (``values``, folded) differs from the first line of their order that has one."""
        positions = np.flatnonzero(mask)
        if not len(positions):
            return
        first = _first_filled(values, key)[positions]
        shown = {"key": [table.raw_text(self.key, p) for p in positions], "other_row": rows[first],
                 "other_value": [table.raw_text(name, p) for p in first],
                 "this_value": [table.raw_text(name, p) for p in positions],
                 "conflict": [table.columns[name].header] * len(positions)}
        # the number is what was typed wrong (or given twice): the finding points at it
        yield from self.flag_at(table, ctx, positions, self.key, shown, severity=severity,
                                message=self.GUESSED if guess else self.CONFLICT,
                                hint=self.GUESSED_HINT if guess else self.CONFLICT_HINT)


def key_is_guess(table: Table, key: str) -> bool:
    """The key column was taken for the key by a guess: headed as a row counter ("No", 序号), by a weak
    alias (编号), or by nothing that names the key (its codes made it the key)."""
    column = table.columns.get(key)
    if column is None or not column.header:
        return column is not None
    label = column.header
    claim = map_labels([label], table.kind).get(key)
    return claim is None or claim[1] < 2 or header_key(label) in ROW_COUNTERS


def _folded(col: pd.Series) -> pd.Series:
    """Text compared the way people mean it; numbers and dates as they are."""
    return text_key(col) if col.dtype == object else col


def _disagrees(values: pd.Series, key: pd.Series) -> np.ndarray:
    """Rows whose filled (folded) value differs from the first filled value of their key."""
    first = values.groupby(key, dropna=True).transform("first")
    return (values.notna() & first.notna() & (values != first)).to_numpy()


def _first_filled(values: pd.Series, key: pd.Series) -> np.ndarray:
    """For each row, the position of the first line of its key with a filled value (rows that are flagged
    always have one: they disagree with it)."""
    where = pd.Series(np.arange(len(values), dtype=float), index=values.index)
    where[values.isna().to_numpy()] = np.nan
    return where.groupby(key, dropna=True).transform("first").fillna(0).to_numpy().astype(int)


def _first_of(same: pd.DataFrame) -> np.ndarray:
    """For each row, the position of the first row equal to it in ``same``'s columns."""
    groups = same.groupby(list(same.columns), dropna=False, sort=False).ngroup().to_numpy()
    return pd.Series(np.arange(len(same))).groupby(groups).transform("first").to_numpy()

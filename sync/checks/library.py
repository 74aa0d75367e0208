"""The everyday rule types: required, type, range, allowed, pattern, unique."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field, field_validator

from sync.checks.base import Check, Context, field_type, shown_cells, text_key
from sync.findings import WARNING, Finding
from sync.i18n import Text
from sync.tables.normalize import FORMULA_ERROR, MISSING_DATE, PLACEHOLDER
from sync.tables.table import ROW, Table

_TYPE_WORDS = {"number": Text("数字", "a number"), "date": Text("日期", "a date"),
               "email": Text("邮箱地址", "an email address")}


class Required(Check):
    """Each of ``fields`` must be filled in on every data row."""

    type = "required"
    MESSAGE = Text("{column} 未填写", "{column} is blank")
    HINT = Text("请填写 {column}（订单 {order_no}）", "fill in {column} (order {order_no})")
    fields: list[str] = Field(min_length=1)
    #: the figures a line of this table carries (a material line: its quantities); a line with none of them
    #: (an order's "已齐套" / "no shortage" line) is a note, its blanks asked about, not errors
    line_fields: list[str] = Field(default_factory=list)

    def fields_needed(self) -> list[str]:
        return list(self.fields)

    UNUSED: ClassVar[Text] = Text("{column} 在全部 {rows} 行都是空的：这一列没有在用？",
                                  "{column} is blank on all {rows} rows: a column not in use?")
    UNUSED_HINT: ClassVar[Text] = Text(
        "如果这张表确实不记录 {column}，可在 [rules] disable 关闭本规则；否则请补填",
        "if this register does not keep {column}, switch the rule off in [rules] disable; else fill it in")
    PLACEHOLDERS = frozenset({"rows", "status", "note", "figures"})
    #: a column blank on every row is one finding, not an error per row: the register does not use it
    UNUSED_MIN_ROWS: ClassVar[int] = 3   # a delivery note of three lines, none with its order number

    FINISHED: ClassVar[Text] = Text("{column} 未填写（该单状态为“{status}”，已无需跟进）",
                                    "{column} is blank (the line's status is {status}: nothing left to follow)")
    NOTED: ClassVar[Text] = Text("{column} 未填写，该行备注：{note}", "{column} is blank; the line's note says: {note}")
    BARE: ClassVar[Text] = Text("{column} 未填写，这一行也没有{figures}：是一条说明行？请确认",
                                "{column} is blank and so are the line's {figures}: a note line? please confirm")
    #: blanks "explained" by notes: at least this many, most of them with a note, notes rare elsewhere
    NOTED_MIN: ClassVar[int] = 3
    NOTED_SHARE: ClassVar[float] = 2 / 3
    NOTED_ELSEWHERE: ClassVar[float] = 0.2

    def run(self, table: Table, ctx: Context) -> Iterator[Finding]:
        finished = _finished(table, ctx)
        for name in self.fields:
            blank = table.data[name].isna().to_numpy() & ~table.bad[name] & ~_said(table, name)
            if len(blank) >= self.UNUSED_MIN_ROWS and blank.all():
                yield from self.flag_at(table, ctx, [0], name, {"rows": [len(blank)]}, severity=WARNING,
                                        message=self.UNUSED, hint=self.UNUSED_HINT)
                continue
            noted = _noted(table, blank, self.NOTED_MIN, self.NOTED_SHARE, self.NOTED_ELSEWHERE)
            # a line already shipped, closed or cancelled has nothing left to follow: its blank is said
            # quietly; so is a blank that a person explained in the line's note, as a practice of the sheet
            quiet_done = blank & finished
            quiet_noted = blank & noted & ~finished
            bare = blank & self._bare(table) & ~quiet_done & ~quiet_noted
            yield from self._blank(table, ctx, blank & ~quiet_done & ~quiet_noted & ~bare, name)
            if bare.any():
                figures = ("、" if ctx.lang == "zh" else ", ").join(
                    table.columns[f].header for f in self.line_fields if f in table.columns)
                yield from self._blank(table, ctx, bare, name, message=self.BARE, quiet={"figures": figures})
            if quiet_done.any():
                yield from self._blank(table, ctx, quiet_done, name, "status", self.FINISHED)
            if quiet_noted.any():
                yield from self._blank(table, ctx, quiet_noted, name, "remarks", self.NOTED)

    NO_ORDER_HINT: ClassVar[Text] = Text("请填写 {column}", "fill in {column}")

    def _blank(self, table: Table, ctx: Context, mask: np.ndarray, name: str, said: str | None = None,
               message: Text | None = None, quiet: dict[str, str] | None = None) -> Iterator[Finding]:
        """The blanks in ``mask``; a line without an order number is not told "(order )" in its hint.
        ``said``: the column that explains them, ``quiet``: placeholders of a warning that needs no column."""
        has_order = table.data["order_no"].notna().to_numpy() if "order_no" in table.data else np.zeros(len(mask), bool)
        for group, hint in ((mask & has_order, None), (mask & ~has_order, self.NO_ORDER_HINT)):
            if not group.any():
                continue
            n = int(group.sum())
            values = {"status" if said == "status" else "note": table.data[said].to_numpy()[group]} if said else None
            if quiet:
                values = {k: [v] * n for k, v in quiet.items()}
            yield from self.flag_at(table, ctx, np.flatnonzero(group), name, values,
                                    severity=WARNING if said or quiet else None, message=message, hint=hint)

    def _bare(self, table: Table) -> np.ndarray:
        """Lines with none of ``line_fields``, in a table whose other lines have them."""
        kept = [f for f in self.line_fields if f in table.columns]
        if not kept:
            return np.zeros(len(table), dtype=bool)
        none = np.logical_and.reduce([table.data[f].isna().to_numpy() & ~table.bad[f] for f in kept])
        return none if (~none).sum() >= none.sum() else np.zeros(len(table), dtype=bool)


def _finished(table: Table, ctx: Context) -> np.ndarray:
    """Lines whose status says the order is shipped, closed or cancelled (the one list of status words)."""
    if not table.holds("status"):
        return np.zeros(len(table), dtype=bool)
    from sync.orders.view import FINISHED, settings_from

    settings = settings_from(ctx.config)
    status = table.data["status"]
    # a register has a handful of status words: classify each once, not each row
    finished = {v for v in status.dropna().unique() if isinstance(v, str) and settings.status_class(v) in FINISHED}
    return status.isin(finished).to_numpy() if finished else np.zeros(len(table), dtype=bool)


def _noted(table: Table, blank: np.ndarray, least: int, share: float, elsewhere: float) -> np.ndarray:
    """Blank lines with a note, when the sheet's notes go with its blanks (not a note that happens to be there)."""
    if not table.has("remarks"):
        return np.zeros(len(table), dtype=bool)
    notes = table.data["remarks"].notna().to_numpy()
    explained = blank & notes
    filled = ~blank
    if explained.sum() < least or explained.sum() < share * blank.sum():
        return np.zeros(len(table), dtype=bool)
    if filled.any() and (notes & filled).sum() > elsewhere * filled.sum():
        return np.zeros(len(table), dtype=bool)
    return explained


def _said(table: Table, name: str) -> np.ndarray:
    """Cells left without a value on purpose (TBD, 待定), by a zero date or by a formula's error (#N/A): the "values"
    rules say those."""
    said = np.zeros(len(table), dtype=bool)
    for kind, mask in getattr(table, "marks", {}).get(name, {}).items():
        if kind in (PLACEHOLDER, MISSING_DATE, FORMULA_ERROR):
            said |= mask
    return said


def expected_of(kind: str, lang: str) -> dict[str, str]:
    """What ``Type`` says a cell of a column of ``kind`` (number, date, ...) should hold, and an example of it."""
    return {"expected": _TYPE_WORDS.get(kind, Text("文本", "text")).format(lang),
            "example": {"number": "1200", "date": "2026-09-15", "email": "name@example.com"}.get(kind, "")}


class Type(Check):
    """Cells whose text could not be read as the column's type (from normalisation), quoting the raw text."""

    type = "type"
    MESSAGE = Text("{column} 的内容“{value}”无法识别为{expected}", "{column} '{value}' is not {expected}")
    HINT = Text("请改为{expected}，例如 {example}", "write it as {expected}, e.g. {example}")
    PLACEHOLDERS = frozenset({"expected", "example"})
    #: empty means every mapped column of the table
    fields: list[str] = Field(default_factory=list)

    def fields_needed(self) -> list[str]:
        return list(self.fields)

    def run(self, table: Table, ctx: Context) -> Iterator[Finding]:
        for name in self.fields or list(table.columns):
            bad = table.bad.get(name)
            if bad is None or not bad.any():
                continue
            said = expected_of(field_type(table, name), ctx.lang)
            n = int(bad.sum())
            yield from self.flag(table, ctx, bad, name, {k: [v] * n for k, v in said.items()})


class Range(Check):
    """Numbers (or dates) within ``min`` / ``max``; ``exclusive`` makes the bounds strict."""

    type = "range"
    MESSAGE = Text("{column} 为 {value}，超出范围（{bounds}）", "{column} is {value}, outside {bounds}")
    HINT = Text("请核对 {column}", "check {column}")
    PLACEHOLDERS = frozenset({"bounds", "count", "cells"})
    field: str
    min: float | None = None
    max: float | None = None
    exclusive: bool = False
    #: figures below zero are said with this severity and asked whether they are returns (ERP exports book a
    #: return as a negative line: a red-letter 出库单 of -6000); None: as the rule's own
    negative_severity: Literal["error", "warning", "info"] | None = None
    NEGATIVE: ClassVar[Text] = Text("{column} 为 {value}，是负数：是退货（红字）吗？请确认",
                                    "{column} is {value}, below zero: a return? please confirm")

    #: the same figure out of range on this many rows, and this share of the rows with a figure, is the sheet's
    #: habit (Qty 0 on every line not yet quantified): said once, as a warning, with its cells
    HABIT_ROWS: ClassVar[int] = 5
    HABIT_SHARE: ClassVar[float] = 0.05
    HABIT: ClassVar[Text] = Text("{column} 有 {count} 行为 {value}（{cells}）：是本表的习惯写法（尚未定量的占位行？），"
                                 "未逐行报错",
                                 "{column} is {value} on {count} rows ({cells}): the sheet's habit (lines not yet "
                                 "quantified?), not reported row by row")
    HABIT_HINT: ClassVar[Text] = Text("数量确定后请填上；不是订单行的请删除或在备注说明",
                                      "fill them in once known; remove or annotate the lines that are no orders")

    def fields_needed(self) -> list[str]:
        return [self.field]

    def run(self, table: Table, ctx: Context) -> Iterator[Finding]:
        col = table.data[self.field]
        out = np.zeros(len(col), dtype=bool)
        if self.min is not None:
            out |= (col <= self.min if self.exclusive else col < self.min).to_numpy()
        if self.max is not None:
            out |= (col >= self.max if self.exclusive else col > self.max).to_numpy()
        below = (col < 0).to_numpy() & out if self.negative_severity else np.zeros(len(col), dtype=bool)
        rest = out & ~below
        for habit in self._habits(col, rest):
            rest &= ~habit
            positions = np.flatnonzero(habit)
            said = {"count": [len(positions)], "cells": [shown_cells(table, self.field, positions, ctx.lang)]}
            yield from self.flag_at(table, ctx, positions[:1], self.field, said, severity=WARNING,
                                    message=self.HABIT, hint=self.HABIT_HINT)
        yield from self.flag(table, ctx, rest, self.field, {"bounds": [self._bounds()] * int(rest.sum())})
        if below.any():
            yield from self.flag_at(table, ctx, np.flatnonzero(below), self.field,
                                    {"bounds": [self._bounds()] * int(below.sum())},
                                    severity=self.negative_severity, message=self.NEGATIVE)

    def _habits(self, col: pd.Series, out: np.ndarray) -> list[np.ndarray]:
        """A mask per out-of-range figure typed on ``HABIT_ROWS`` rows or more, and ``HABIT_SHARE`` of the figures."""
        if out.sum() < self.HABIT_ROWS:
            return []
        figures = int(col.notna().sum())
        counts = col[out].value_counts()
        return [(col == value).to_numpy() & out for value, n in counts.items()
                if n >= self.HABIT_ROWS and n >= self.HABIT_SHARE * figures]

    def _bounds(self) -> str:
        lo = "" if self.min is None else (">" if self.exclusive else "≥") + f" {self.min:g}"
        hi = "" if self.max is None else ("<" if self.exclusive else "≤") + f" {self.max:g}"
        return ", ".join(p for p in (lo, hi) if p)


class Allowed(Check):
    """Text from a fixed list; compared with width, case and spaces folded."""

    type = "allowed"
    MESSAGE = Text("{column} 为“{value}”，不在允许的取值中", "{column} '{value}' is not one of the allowed values")
    HINT = Text("可用的取值：{allowed}", "allowed: {allowed}")
    PLACEHOLDERS = frozenset({"allowed"})
    field: str
    values: list[str] = Field(min_length=1)

    def fields_needed(self) -> list[str]:
        return [self.field]

    def run(self, table: Table, ctx: Context) -> Iterator[Finding]:
        keys = text_key(table.data[self.field])
        allowed = set(text_key(pd.Series(self.values)))
        out = keys.notna().to_numpy() & ~keys.isin(allowed).to_numpy()
        yield from self.flag(table, ctx, out, self.field, {"allowed": ["、".join(self.values)] * int(out.sum())})


class Pattern(Check):
    """Text matching a regular expression in full (e.g. the order number format). Without an ``example``,
    the hint shows one of the column's own values that match, of the shape most of them have."""

    type = "pattern"
    MESSAGE = Text("{column}“{value}”的格式不对", "{column} '{value}' does not have the expected format")
    HINT = Text("应符合格式 {example}", "expected a value like {example}")
    PLACEHOLDERS = frozenset({"example", "pattern"})
    field: str
    pattern: str
    example: str = ""
    ignore_case: bool = False

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value

    def fields_needed(self) -> list[str]:
        return [self.field]

    def run(self, table: Table, ctx: Context) -> Iterator[Finding]:
        col = table.data[self.field].dropna().astype(str)
        flags = re.IGNORECASE if self.ignore_case else 0
        ok = col.str.fullmatch(self.pattern, flags=flags)
        out = np.zeros(len(table.data), dtype=bool)
        out[col.index[~ok.astype(bool)].to_numpy()] = True
        n = int(out.sum())
        if not n:
            return
        example = self.example or _typical(col[ok.astype(bool)]) or self.pattern
        yield from self.flag(table, ctx, out, self.field, {"example": [example] * n, "pattern": [self.pattern] * n})


_SHAPE = (re.compile(r"[^\W\d_]"), re.compile(r"\d"))


def _typical(values: pd.Series, sample: int = 1000) -> str:
    """The first of ``values`` whose shape (letters as A, digits as 9) most of them share (of the first
    ``sample``: an example needs no more); "" for none."""
    if values.empty:
        return ""
    values = values.iloc[:sample]
    shapes = values.str.replace(_SHAPE[0], "A", regex=True).str.replace(_SHAPE[1], "9", regex=True)
    return str(values[shapes == shapes.value_counts().index[0]].iloc[0])


class Unique(Check):
    """No two rows share the key (one field or several); the later row is flagged and names the first."""

    type = "unique"
    MESSAGE = Text("{key} 与第 {other_row} 行重复", "{key} is the same as on row {other_row}")
    HINT = Text("同一{column}只能登记一次；如是另一张订单，请改正编号",
                "each {column} may appear once; if this is another order, correct its number")
    PLACEHOLDERS = frozenset({"key", "other_row"})
    fields: list[str] = Field(min_length=1)

    def fields_needed(self) -> list[str]:
        return list(self.fields)

    def run(self, table: Table, ctx: Context) -> Iterator[Finding]:
        keys = pd.DataFrame({f: _key(table.data[f]) for f in self.fields})
        filled = keys.notna().all(axis=1).to_numpy()
        dup = keys.duplicated(keep="first").to_numpy() & filled
        if not dup.any():
            return
        first = pd.Series(table.data[ROW].to_numpy(), index=keys.index).groupby(
            [keys[f] for f in self.fields], dropna=True).transform("first")
        positions = np.flatnonzero(dup)
        shown = [" / ".join(str(table.raw_text(f, p)) for f in self.fields) for p in positions]
        yield from self.flag_at(table, ctx, positions, self.fields[0],
                                {"key": shown, "other_row": first.to_numpy()[positions].astype(int)})


def _key(col: pd.Series) -> pd.Series:
    """Text keys folded (' SO-1 ' is 'so-1'); numbers and dates as they are."""
    return text_key(col) if col.dtype == object else col

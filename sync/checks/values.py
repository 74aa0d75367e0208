"""Values understood but worth a word: placeholders, zero dates, year-less dates, day/month order, units,
parts of a month (9月上旬); and cells whose value is unknown because they show a formula's error (#N/A).

Normalisation marks them (``Table.marks``, see sync.tables.normalize); this rule type says them.
The quiet kinds speak once per column, with the count and the cells, never once per cell: a
register where the due dates are 待定 until the customer confirms is not full of errors.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from sync.checks.base import Check, Context, shown_cells
from sync.findings import Finding
from sync.i18n import Text
from sync.tables.dates import is_span, read_date_text, written_weekday
from sync.tables.normalize import (APPROXIMATE, DAY_MONTH, FORMULA_ERROR, MISSING_DATE, PLACEHOLDER, SEVERAL_DATES,
                                   UNIT_MISMATCH, WEEK_DATE, WEEKDAY, WRITTEN_NUMBER, YEAR_GUESSED)
from sync.tables.table import Table

_MESSAGES = {
    PLACEHOLDER: (Text("{column} 有 {count} 格填的是占位文字（{examples}），按未填处理：{cells}",
                       "{column}: {count} cells hold a placeholder ({examples}), read as not filled in: {cells}"),
                  Text("知道后请填上实际内容", "fill in the real value once it is known")),
    MISSING_DATE: (Text("{column}“{value}”是零日期（1900-01-00），按未填日期处理",
                        "{column} '{value}' is a zero date (1900-01-00), read as no date"),
                   Text("请填写实际日期或清空该格（公式引用空单元格也会显示为 0）",
                        "type the real date or clear the cell (a formula pointing at an empty cell shows 0)")),
    YEAR_GUESSED: (Text("{column} 有 {count} 个日期没写年份，按 {years} 年推定：{cells}",
                        "{column}: {count} dates have no year; taken as {years}: {cells}"),
                   Text("请写完整日期，例如 2026-04-30", "write the full date, e.g. 2026-04-30")),
    DAY_MONTH: (Text("{column}“{value}”的日、月顺序与本列其他日期相反（本列按{order}读取）",
                     "{column} '{value}' has day and month the other way round from the rest of the column "
                     "(read as {order})"),
                Text("请核对该日期；顺序可在 config.toml 的 [service] day_first 固定",
                     "check this date; config.toml [service] day_first pins the order")),
    SEVERAL_DATES: (Text("{column}“{value}”写了几个日期，按第一个（{first}）检查",
                         "{column} '{value}' holds several dates; the first ({first}) is checked"),
                    Text("分批交货请每批登记一行", "give each delivery of a split order a line of its own")),
    APPROXIMATE: (Text("{column} 有 {count} 个日期写的是某月的一段（{examples}），按该段的最后一天检查：{cells}",
                       "{column}: {count} dates name part of a month ({examples}), checked against the day it ends: "
                       "{cells}"),
                  Text("约定了确切日期后请填上", "type the exact date once it is agreed")),
    WEEK_DATE: (Text("{column} 有 {count} 个日期写的是第几周（{examples}），按该周的最后一天（周日）检查：{cells}",
                     "{column}: {count} dates are given as a week ({examples}), checked against its last day "
                     "(Sunday): {cells}"),
                Text("约定了确切日期后请填上", "type the exact date once it is agreed")),
    WEEKDAY: (Text("{column}“{value}”：{date} 是{actual}，不是{written}", "{column} '{value}': {date} is a {actual}, "
                   "not a {written}"),
              Text("日期或星期有一个写错了，请核对", "the date or the weekday is wrong: check which")),
    WRITTEN_NUMBER: (Text("{column} 有 {count} 格数字写成算式或带备注（{examples}），按所读数字检查：{cells}",
                          "{column}: {count} cells hold a sum or a number with a remark ({examples}), checked as "
                          "read: {cells}"),
                     Text("格内只填数字，备注写进备注列", "type the number alone and put the remark in the remarks column")),
    UNIT_MISMATCH: (Text("{column} 的单位无法换算：{count} 格用 {units}，本列其余用 {unit}：{cells}",
                         "{column} mixes units that do not convert: {count} cells in {units}, the rest in {unit}: "
                         "{cells}"),
                    Text("请统一单位，或把不同单位的数量分列登记", "use one unit, or keep these quantities in a column of their own")),
    FORMULA_ERROR: (Text("{column} 有 {count} 格显示公式错误（{examples}），读不出值，按未填处理：{cells}",
                         "{column}: {count} cells show a formula error ({examples}); their value is unknown, read as "
                         "not filled in: {cells}"),
                    Text("请修正这些格的公式{reasons}", "fix these cells' formulas{reasons}")),
}
#: why a formula shows each error, as the hint says it
_ERROR_REASONS = {
    "#N/A": Text("#N/A 多是查找不到（VLOOKUP 等）", "#N/A is mostly a lookup that found nothing (VLOOKUP)"),
    "#REF!": Text("#REF! 是引用的行、列或工作表已删除", "#REF! points at rows, columns or a sheet that were deleted"),
    "#VALUE!": Text("#VALUE! 是参与计算的格不是数字", "#VALUE! is a sum over a cell that is not a number"),
    "#DIV/0!": Text("#DIV/0! 是除以空格或 0", "#DIV/0! divides by a blank cell or 0"),
    "#NAME?": Text("#NAME? 是函数名或名称写错", "#NAME? is a misspelt function or name"),
}
SPAN = (Text("{column}“{value}”是一段日期，按第一天（{first}）检查", "{column} '{value}' is a span of days; its first "
              "({first}) is checked"),
        Text("如结束日也要跟进，请单独设一列", "if the last day matters too, give it a column of its own"))
SPAN_DUE = Text("交期是一个时间窗：提醒按第一天计算；如应按最后一天，请只填那一天",
                "a delivery window: reminders count to its first day; type the last day alone if that is the one")
_ORDER = {True: Text("日/月/年", "day/month/year"), False: Text("月/日/年", "month/day/year")}


_WEEKDAYS = (("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
             ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))


def _read_as(table: Table, name: str, positions: np.ndarray, lang: str, read: np.ndarray, show: Any) -> str:
    """The first three distinct cells as typed and as read: '9月上旬 → 2026-09-10, 500+200 → 700'."""
    pairs = dict.fromkeys((table.raw_text(name, p), show(read[p])) for p in positions.tolist())
    return (", " if lang == "en" else "、").join(f"{t} → {v}" for t, v in list(pairs)[:3])


def _weekday_of(table: Table, name: str, position: int) -> int | None:
    day = table.data[name].iloc[position]
    return None if pd.isna(day) else day.weekday()


def _written(table: Table, name: str, position: int) -> int | None:
    return written_weekday(table.raw_text(name, position))


def formula_errors(shown: list[str], lang: str) -> dict[str, str]:
    """What the FORMULA_ERROR message and hint say of cells that show ``shown`` (#N/A, #REF!): the examples, the
    reasons, and the first one as the value (what the cell shows, not its blank)."""
    counted = Counter(shown)
    reasons = [_ERROR_REASONS[code].format(lang) for code in counted if code in _ERROR_REASONS]
    return {"examples": (", " if lang == "en" else "、").join(f"{code} ×{n}" if n > 1 else code
                                                              for code, n in counted.most_common(3)),
            "reasons": ((": " if lang == "en" else "：") + ("; " if lang == "en" else "；").join(reasons)
                        if reasons else ""),
            "value": shown[0]}


def formula_error_text(lang: str, **fill: object) -> tuple[str, str]:
    """The FORMULA_ERROR message and hint, filled: ``column``, ``count``, ``cells`` and what ``formula_errors``
    gives."""
    message, hint = _MESSAGES[FORMULA_ERROR]
    return message.format(lang, **fill), hint.format(lang, **fill)


def _by_column(table: Table, name: str, positions: np.ndarray) -> list[np.ndarray]:
    """``positions`` by the sheet column their cell of ``name`` is in: one group, but for a wide tracker's stage
    columns (``sync.orders.wide``), where each stage's column is said on its own."""
    where = getattr(table, "at", {}).get(name)
    if where is None:
        return [positions]
    columns = np.asarray(where)[positions]
    return [positions[columns == c] for c in dict.fromkeys(columns.tolist())]


class ValueNotes(Check):
    """What normalisation noted of one ``kind`` in ``fields`` (all the table's fields when empty)."""

    type = "values"
    PLACEHOLDERS = frozenset({"count", "cells", "examples", "years", "order", "units", "unit", "first", "date",
                              "actual", "written", "reasons"})
    PER_CELL: ClassVar[frozenset[str]] = frozenset({MISSING_DATE, DAY_MONTH, SEVERAL_DATES, WEEKDAY})
    kind: Literal["placeholder", "missing-date", "year-guessed", "day-month-conflict", "unit-mismatch", "several-dates",
                  "approximate-date", "week-date", "written-number", "weekday", "formula-error"]
    fields: list[str] = Field(default_factory=list)

    def text(self) -> tuple[Text, Text]:
        msg, hint = _MESSAGES[self.kind]
        return (self.message.over(msg) if self.message else msg), (self.hint.over(hint) if self.hint else hint)

    def run(self, table: Table, ctx: Context) -> Iterator[Finding]:
        for name in self.fields or list(table.columns):
            mask = getattr(table, "marks", {}).get(name, {}).get(self.kind)
            if mask is None or not mask.any():
                continue
            positions = np.flatnonzero(mask)
            if self.kind == WEEKDAY:   # said only where the weekday is not the date's
                positions = positions[[_weekday_of(table, name, p) not in (None, _written(table, name, p))
                                       for p in positions.tolist()]]
                if not len(positions):
                    continue
            if self.kind == SEVERAL_DATES:
                spans = np.array([is_span(table.raw_text(name, p)) for p in positions.tolist()], dtype=bool)
                for part, span in ((positions[~spans], False), (positions[spans], True)):
                    if len(part):
                        yield from self.flag_at(table, ctx, part, name, self._per_cell(table, name, part, ctx),
                                                **self._span(name) if span else {})
            elif self.kind in self.PER_CELL:
                yield from self.flag_at(table, ctx, positions, name, self._per_cell(table, name, positions, ctx))
            else:
                for column in _by_column(table, name, positions):
                    yield from self.flag_at(table, ctx, column[:1], name, self._per_column(table, name, column, ctx))

    def _span(self, name: str) -> dict:
        """A span of days (13/4-14/4: made over two days) is no split delivery: said in its own words, and quietly
        but for a due date (a window: which day do reminders count to?)."""
        due = name == "due_date"
        return {"severity": None if due else "info", "message": SPAN[0], "hint": SPAN_DUE if due else SPAN[1]}

    def _per_cell(self, table: Table, name: str, positions: np.ndarray, ctx: Context) -> dict[str, list]:
        if self.kind == SEVERAL_DATES:
            return {"first": table.data[name].iloc[positions].tolist()}
        if self.kind == WEEKDAY:
            days = _WEEKDAYS[ctx.lang == "en"]
            return {"date": [str(table.data[name].iloc[p].date()) for p in positions.tolist()],
                    "actual": [days[_weekday_of(table, name, p)] for p in positions.tolist()],
                    "written": [days[_written(table, name, p)] for p in positions.tolist()]}
        if self.kind != DAY_MONTH:
            return {}
        orders = []
        for pos in positions.tolist():
            reading = read_date_text(table.raw_text(name, pos))
            column_day_first = reading is not None and reading.month_first_evidence  # the cell is the odd one
            orders.append(_ORDER[column_day_first].format(ctx.lang))
        return {"order": orders}

    def _per_column(self, table: Table, name: str, positions: np.ndarray, ctx: Context) -> dict[str, list]:
        fill = {"count": len(positions), "cells": shown_cells(table, name, positions, ctx.lang)}
        if self.kind == PLACEHOLDER:
            typed = Counter(table.raw_text(name, p) for p in positions.tolist())
            fill["examples"] = (", " if ctx.lang == "en" else "、").join(t for t, _ in typed.most_common(3))
        elif self.kind == FORMULA_ERROR:
            fill.update(formula_errors(table.errors[name][positions].tolist(), ctx.lang))
        elif self.kind in (APPROXIMATE, WEEK_DATE):
            days = table.data[name].to_numpy(dtype="datetime64[D]")
            fill["examples"] = _read_as(table, name, positions, ctx.lang, days, str)
        elif self.kind == WRITTEN_NUMBER:
            fill["examples"] = _read_as(table, name, positions, ctx.lang, table.data[name].to_numpy(),
                                        lambda v: f"{v:g}")
        elif self.kind == YEAR_GUESSED:
            years = sorted({d.year for d in table.data[name].iloc[positions].dropna()})
            fill["years"] = "/".join(map(str, years))
        elif self.kind == UNIT_MISMATCH:
            units = table.units.get(name, np.full(len(table), None, dtype=object))
            odd = Counter(u for u in units[positions].tolist() if u)
            rest = Counter(u for u in np.delete(units, positions).tolist() if u)
            fill["units"] = "、".join(u for u, _ in odd.most_common())
            fill["unit"] = rest.most_common(1)[0][0] if rest else "?"
        return {k: [v] for k, v in fill.items()}

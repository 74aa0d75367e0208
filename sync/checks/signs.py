"""Signs that a number far from its group's usual is meant, not slipped (``sync.checks.outliers``).

A quantity ten times a customer's usual is a slipped zero only when nothing else
in the row says otherwise. Real registers carry their own evidence:

- ``amount``: an amount typed by hand (this row's amount is not exactly
  quantity x price: freight or a minimum charge added) that still fits the figure
  as typed; where the amount fits the figure corrected by the power of ten instead,
  the slip is *confirmed* and stays an error whatever else is said;
- ``unbilled``: nothing billed for the row (amount 0: a sample, free goods);
- ``total``: the figure is the sum of the row's period columns (a month's total
  of daily deliveries), not a typed entry;
- ``companion``: another column headed as the same field (a second quantity
  column) holds the same figure;
- ``currency``: a money figure in another currency than its group's;
- ``history``: the group (the customer) has had other orders of that size
  (an order's split lines summed), not themselves flagged;
- ``value``: the row's value (figure x ``per``) is in line with the group's usual
  values: a cheap or dear item in unusual numbers, not a slip;
- ``unlike``: ``per`` is far from its group's usual the other way (one machine at
  21,000 among parts at 12; 65,000 rollers at 1.40): another kind of item, whose
  numbers the group's usual does not tell.

A row with a sign is reported as a warning asking to confirm it, naming the sign.
A row that merely copies another row's figure and product has no sign of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import pandas as pd

from sync.checks.base import text_key
from sync.i18n import Text
from sync.tables.detect import map_labels
from sync.tables.labels import header_key
from sync.tables.table import Table


class Outlier(Protocol):
    """What the signs read of an outlier rule (``sync.checks.outliers.Outlier``)."""

    field: str
    groups: list[list[str]]
    min_history: int
    order_field: str | None
    amount: str | None
    per: str | None

WHY = {
    "amount": Text("金额 {amount} 与之相符", "the amount {amount} agrees with it"),
    "unbilled": Text("此行尚未计费（金额为 0）", "nothing is billed for it (amount 0)"),
    "total": Text("它是本行 {parts} 个分期列之和", "it is the sum of the row's {parts} period columns"),
    "companion": Text("{other} 也是 {value}", "{other} says {value} too"),
    "currency": Text("币种为 {currency}，不同于平常的 {usual_currency}",
                     "it is in {currency}, not the usual {usual_currency}"),
    "history": Text("{group} 有过同样大小的订单（第 {other_row} 行）",
                    "{group} has had orders of that size (row {other_row})"),
    "value": Text("其金额 {worth} 与平常相当", "its value {worth} is in line with the usual"),
    "unlike": Text("{per_column} {per_value} 与平常的 {usual_per} 相差甚远，是另一类货品",
                   "its {per_column} {per_value} is far from the usual {usual_per}: another kind of item"),
}
CONFIRMED = Text("（金额 {amount} 也与 {suggestion} 相符）", " (the amount {amount} fits {suggestion} too)")

#: an amount this close to figure x per fits it (freight, rounding, a minimum charge)
AMOUNT_FIT = np.log10(1.25)
#: other orders this close in size are "of that size"; values this close are "in line"
SAME_SIZE = np.log10(2.0)
IN_LINE = np.log10(2.5)
#: a price this many times off its group's usual is another kind of item
UNLIKE = np.log10(5.0)
CURRENCY_WORDS = frozenset(header_key(w) for w in ("货币", "币种", "币别", "币制", "currency", "curr", "ccy"))
#: a column is a total of its row's period columns when the sum is its figure on this share of rows
TOTAL_SHARE = 0.6
PERIOD = re.compile("|".join((
    r"\d{1,2}(\s*[(（]\s*\w+\s*[)）])?",                       # 1 (Fri), 31
    r"\d{4}[-/.]\d{1,2}([-/.]\d{1,2})?( 00:00:00)?|\d{8}",        # 2023-12-01, 20231201
    r"第?\s*\d{1,2}\s*[周月]|\d{1,2}月份?|w(ee)?k?\s*\d{1,2}",      # 第45周, 8月, W12, Week 3
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?(\s*\d{2,4})?")), re.I)   # Sep 2026
MONEY_FIELDS = frozenset({"unit_price", "amount"})


@dataclass
class Verdict:
    """Per flagged position: the sign that vouches for it (None: none), what the sign says, and whether
    the billed amount confirms the slip."""

    why: list[str | None]
    said: list[dict[str, Any]]
    confirmed: np.ndarray

    def text(self, i: int, lang: str, **common: Any) -> str:
        key = self.why[i]
        if key is None:
            return ""
        return WHY[key].format(lang, **{**common, **self.said[i]})


def read_signs(check: Outlier, table: Table, positions: np.ndarray, values: np.ndarray, shift: np.ndarray,
               peers_of: Callable[[int], np.ndarray]) -> Verdict:
    """``peers_of(p)``: the positions of the rows of the group the row at ``p`` was judged against."""
    n = len(positions)
    why: list[str | None] = [None] * n
    said: list[dict[str, Any]] = [{} for _ in range(n)]
    confirmed = np.zeros(n, dtype=bool)
    flagged = shift != 0
    amount = _numbers(table, check.amount)
    per = _numbers(table, check.per)
    if amount is not None and per is not None:
        corrected = values / 10.0 ** shift
        confirmed = _fits(amount, corrected * per, exact=True)[positions]
    readers = [
        _totals(table, check.field, values),
        lambda p: _companion(table, check.field, values, p),
        lambda p: _amount(values, amount, per, p) if amount is not None and per is not None else None,
        lambda p: _unbilled(table, check.amount, amount, p) if amount is not None else None,
        lambda p: _currency(table, check.field, peers_of(p), flagged, p),
        _history(check, table, values, flagged),
        _value(check, table, values, per, flagged),
        _unlike(check, table, per, peers_of, flagged, shift),
    ]
    for i, p in enumerate(positions.tolist()):
        if confirmed[i]:
            continue
        for read in readers:
            found = read(p)
            if found is not None:
                why[i], said[i] = found
                break
    return Verdict(why, said, confirmed)


def _numbers(table: Table, name: str | None) -> np.ndarray | None:
    if not name or not table.has(name) or name not in table.data:
        return None
    col = table.data[name]
    if col.dtype == object:
        return None
    return col.to_numpy(dtype=float)


def _fits(a: np.ndarray, b: np.ndarray, exact: bool = False) -> np.ndarray:
    """``a`` equals ``b`` to the cent (or 0.5%), or, not exact, within ``AMOUNT_FIT``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if exact:
            return np.isfinite(a) & np.isfinite(b) & (a > 0) & (np.abs(a - b) <= np.maximum(1.0, 0.005 * np.abs(b)))
        return (a > 0) & (b > 0) & (np.abs(np.log10(a / b)) <= AMOUNT_FIT)


def _amount(values: np.ndarray, amount: np.ndarray, per: np.ndarray,
            p: int) -> tuple[str, dict[str, Any]] | None:
    """The row's amount fits the figure as typed, and was typed by hand: it is more than a rounding away
    from figure x per (an amount the sheet computes from the figure says nothing about it)."""
    expected = values[p] * per[p]
    if not _fits(amount[p:p + 1], np.array([expected]))[0] or not abs(amount[p] - expected) > max(1.0, 1e-6 * expected):
        return None
    return "amount", {"amount": _show(amount[p])}


def _unbilled(table: Table, name: str | None, amount: np.ndarray, p: int) -> tuple[str, dict[str, Any]] | None:
    """An amount of 0 where most rows are billed: a sample, free goods (a column of zeros says nothing)."""
    if not name or amount[p] != 0 or not table.raw_text(name, p).strip():
        return None
    filled = amount[np.isfinite(amount)]
    return ("unbilled", {}) if (filled > 0).sum() > 0.5 * len(filled) else None


def _totals(table: Table, field: str, values: np.ndarray):
    """Reader: the figure is the sum of the row's period columns (days, weeks, months: a run of two or more
    columns headed as periods), where that sum is the figure on most rows: the column is a total."""
    best = None
    for run in _period_runs(table):
        sums = np.zeros(len(values))
        for index in run:
            factor = table.extra[index][1]   # each distinct cell read once: a register has 100,000s of rows
            sums += factor.spread(np.array([_number(c) or 0.0 for c in factor.uniques], dtype=float))
        filled = np.isfinite(values) & (values > 0)
        same = filled & (np.abs(sums - values) <= 0.5)
        if filled.any() and same.sum() >= TOTAL_SHARE * filled.sum():
            best = (same, len(run))
            break
    if best is None:
        return lambda p: None
    same, parts = best
    return lambda p: ("total", {"parts": parts}) if same[p] else None


def _period_runs(table: Table) -> list[list[int]]:
    """Runs of adjacent extra columns headed as periods (1 (Fri), 2026-12-01, 第45周, W12, 8月, Sep)."""
    runs: list[list[int]] = []
    for index in sorted(table.extra):
        if not PERIOD.fullmatch(str(table.extra[index][0]).strip()):
            continue
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return [r for r in runs if len(r) >= 2]


def _companion(table: Table, field: str, values: np.ndarray, p: int) -> tuple[str, dict[str, Any]] | None:
    for index, (header, cells) in table.extra.items():
        if not header or map_labels([header], table.kind).get(field) is None:
            continue
        other = _number(cells.cells()[p])
        if other is not None and other == values[p]:
            return "companion", {"other": header, "value": _show(values[p])}
    return None


def _currency(table: Table, field: str, group: np.ndarray, flagged: np.ndarray,
              p: int) -> tuple[str, dict[str, Any]] | None:
    if field not in MONEY_FIELDS:
        return None
    column = next((cells for header, cells in table.extra.values() if header_key(header) in CURRENCY_WORDS), None)
    if column is None:
        return None
    money = text_key(pd.Series(column.cells(), dtype=object))
    peers = money.iloc[group[~flagged[group]]].dropna()
    mine = money.iloc[p]
    if mine is None or peers.empty:
        return None
    usual = peers.mode().iloc[0]
    if mine == usual:
        return None
    return "currency", {"currency": str(column.cells()[p]).strip(), "usual_currency": str(usual).upper()}


def _history(check: Outlier, table: Table, values: np.ndarray, flagged: np.ndarray):
    """Reader: another order of the broadest group (its lines summed) of about this row's order's size."""
    fields = check.groups[-1]
    if not all(table.has(f) for f in fields):
        return lambda p: None
    group = group_codes(table, fields)
    order = (group_codes(table, [check.order_field]) if check.order_field and table.has(check.order_field)
             else np.arange(len(values)))
    order = np.where(order >= 0, order, -1 - np.arange(len(values)))   # a row without a number is an order
    frame = pd.DataFrame({"v": np.where(np.isfinite(values) & (values > 0), values, 0.0), "o": order})
    size = frame.groupby("o")["v"].transform("sum").to_numpy()
    clean = ~pd.Series(flagged).groupby(order).transform("max").to_numpy().astype(bool)
    rows = table.data["_row"].to_numpy()
    members = pd.Series(np.arange(len(values))).groupby(group).indices

    def read(p: int) -> tuple[str, dict[str, Any]] | None:
        if group[p] < 0 or size[p] <= 0:
            return None
        them = members[group[p]]
        near = (order[them] != order[p]) & clean[them] & (size[them] > 0)
        with np.errstate(divide="ignore"):
            near &= np.abs(np.log10(size[them]) - np.log10(size[p])) <= SAME_SIZE
        hits = them[near]
        if not len(hits):
            return None
        label = " / ".join(table.raw_text(f, p) for f in fields)
        return "history", {"group": label, "other_row": int(rows[hits[0]])}
    return read


def _value(check: Outlier, table: Table, values: np.ndarray, per: np.ndarray | None, flagged: np.ndarray):
    """Reader: figure x per within ``IN_LINE`` of the median value of the broadest group's other rows."""
    fields = check.groups[-1]
    if per is None or not all(table.has(f) for f in fields):
        return lambda p: None
    group = group_codes(table, fields)
    worth = values * per
    with np.errstate(divide="ignore", invalid="ignore"):
        logw = np.where(np.isfinite(worth) & (worth > 0), np.log10(worth), np.nan)
    ok = ~np.isnan(logw) & ~flagged & (group >= 0)
    medians = pd.Series(logw[ok]).groupby(group[ok]).agg(["median", "count"])

    def read(p: int) -> tuple[str, dict[str, Any]] | None:
        if np.isnan(logw[p]) or group[p] not in medians.index:
            return None
        med, count = medians.loc[group[p]]
        if count < check.min_history or abs(logw[p] - med) > IN_LINE:
            return None
        return "value", {"worth": _show(worth[p])}
    return read


def _unlike(check: Outlier, table: Table, per: np.ndarray | None, peers_of: Callable[[int], np.ndarray],
            flagged: np.ndarray, shift: np.ndarray):
    """Reader: ``per`` at least ``UNLIKE`` times off the median of the row's group, the other way from the
    figure (figure low and price high, or figure high and price low)."""
    if per is None:
        return lambda p: None
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = np.where(np.isfinite(per) & (per > 0), np.log10(per), np.nan)

    def read(p: int) -> tuple[str, dict[str, Any]] | None:
        group = peers_of(p)
        usual = logp[group[~flagged[group]]]
        usual = usual[~np.isnan(usual)]
        if np.isnan(logp[p]) or not len(usual):
            return None
        median = float(np.median(usual))
        d = logp[p] - median
        if abs(d) < UNLIKE or np.sign(d) != -np.sign(shift[p]):
            return None
        return "unlike", {"per_column": table.columns[check.per].header, "per_value": table.raw_text(check.per, p),
                          "usual_per": _show(10 ** median)}
    return read


def group_codes(table: Table, fields: list[str]) -> np.ndarray:
    """One integer per distinct combination of the (folded) group fields; -1 where any is blank."""
    combined = np.zeros(len(table.data), dtype=np.int64)
    for f in fields:
        codes, uniques = pd.factorize(text_key(table.data[f]))
        combined = np.where((combined < 0) | (codes < 0), -1, combined * (len(uniques) + 1) + codes)
    return combined


def _number(cell: Any) -> float | None:
    if isinstance(cell, bool) or cell is None:
        return None
    if isinstance(cell, (int, float, np.integer, np.floating)):
        return float(cell) if np.isfinite(cell) else None
    text = str(cell).strip().replace(",", "")
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _show(value: float) -> str:
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")

"""Production plans without an order number: recognised from what a plan looks like, keyed by what its rows say.

A weekly target sheet, a quarter's plan per model, a day-by-day furnace plan per
part: production tables whose rows are products (or parts on days, machines
running products), not orders. Nothing in their header is an order number, so
``detect`` finds no key there. A sheet is read as such a plan when two kinds of
evidence agree (``evidence``):

- period columns: weeks (W17, 第45周, Feb 2nd Week), months (Jan, OCT Planned, 10月),
  quarters (OND, JFM, Q3), day ranges (Aug 03 to 09), or dates as headers;
- the sheet's name (Plan, 计划, schedule, 排产, target …);
- plan columns: target, planned, revised, actual, achieved, 计划, 实际, 目标 …

and its rows have a key: the first combination of its columns (product; product +
size; date + part + size; machine + product …) whose values are unique over the
data rows (``row_key``; a date left blank on a day's continuation lines is carried
down). That key is always a guess, reported as one (``HeaderMatch.composite``).
Where the plan has no quantity column, its first period column of numbers is the
quantity planned (the quarter's total before its months and weeks).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from collections.abc import Callable
from itertools import combinations
from typing import Any

from sync.sources.base import Grid
from sync.tables.header import HeaderMatch
from sync.tables.fields import DATE, TABLES
from sync.tables.periods import is_period
from sync.tables.normalize import normalise_key
from sync.tables.rows import blank_cell, is_total_label
from sync.tables.stacked import table_end

#: how many rows under the header are looked at for the key
KEY_SAMPLE = 2000
#: a key must tell apart at least this many rows
KEY_MIN_ROWS = 3
#: period columns a plan shows at least
MIN_PERIODS = 2
#: fields that may make up a plan's key, in the order they are tried
KEY_FIELDS = ("product", "size", "color", "line", "planned_start", "updated_on", "planned_finish", "due_date",
              "customer")
KEY_WIDTH = 3
#: a plan is read when this many kinds of evidence agree
MIN_EVIDENCE = 2
#: what a plan's score is worth beside a sheet recognised by its key column
EVIDENCE_WEIGHT = 2.0

_PLAN_WORDS = re.compile(r"(?<![a-z])(target|targets|plan|planned|planning|revised|actual|achieved|achievement|"
                         r"forecast|schedule)(?![a-z])|计划|實際|实际|目标|目標|达成|達成|排产|排程")
_SHEET_WORDS = re.compile(r"(?<![a-z])(plan|planning|schedule|target|targets|forecast)(?![a-z])|计划|計劃|排产|排程|目标")


def evidence(sheet: str, labels: list[str], above: list[Any], rows: list[list[Any]], first: int) -> list[str]:
    """The kinds of plan evidence a header shows: "periods", "name", "words" (see the module docstring).

    ``labels`` are the header's labels (group/leaf for a two-row one), ``above`` the raw cells of the row over
    it, ``rows[first:]`` its data: a column headed Date holding dates makes a plan by day.
    """
    found = []
    periods = {c for c, label in enumerate(labels) if label and is_period(label.rsplit("/", 1)[0])}
    periods |= {c for c, label in enumerate(labels) if label and is_period(label.rsplit("/", 1)[-1])}
    periods |= {c for c, v in enumerate(above) if is_period(v)}
    if len(periods) >= MIN_PERIODS or _by_day(rows, first, labels):
        found.append("periods")
    if _SHEET_WORDS.search(sheet.lower()):
        found.append("name")
    if any(label and _PLAN_WORDS.search(label.lower()) for label in labels):
        found.append("words")
    return found


_DAY_LABELS = frozenset({"date", "day", "日期", "date of production", "production date", "plan date", "生产日期"})


def _by_day(rows: list[list[Any]], first: int, labels: list[str]) -> bool:
    """A column headed Date (日期) whose filled cells are dates: one block of rows per day."""
    for c, label in enumerate(labels):
        if label and " ".join(label.lower().split()) in _DAY_LABELS:
            cells = [row[c] for row in rows[first: first + 200] if c < len(row) and not blank_cell(row[c])]
            if len(cells) >= 2 and all(isinstance(v, (dt.date, dt.datetime)) for v in cells):
                return True
    return False


def period_quantity(rows: list[list[Any]], labels: list[str], above: list[Any], first: int,
                    used: set[int]) -> int | None:
    """The first period column holding numbers: what a plan without a quantity column plans."""
    for c, label in enumerate(labels):
        over = above[c] if c < len(above) else None
        if c in used or not (is_period(label) or is_period(label.rsplit("/", 1)[0]) or is_period(over)):
            continue
        cells = [row[c] for row in rows[first: first + 50] if c < len(row) and not blank_cell(row[c])]
        numbers = [v for v in cells if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if cells and len(numbers) >= 0.8 * len(cells):
            return c
    return None


def row_key(rows: list[list[Any]], first: int, mapping: dict[str, int]) -> list[str] | None:
    """The first combination of ``KEY_FIELDS`` whose values are unique over the data rows, in column order;
    None when no combination is. A product (or machine) is always part of it."""
    present = [f for f in KEY_FIELDS if f in mapping]
    spec = TABLES["production"]
    dated = {f for f in present if spec.fields[f].type == DATE}
    sample = rows[first: first + KEY_SAMPLE]
    values = {f: _column(sample, mapping[f], carry=f in dated) for f in present}
    anchors = [f for f in ("product", "line") if f in present]
    for width in range(1, KEY_WIDTH + 1):
        for combo in combinations(present, width):
            if not any(a in combo for a in anchors):
                continue
            if _unique(values, combo, anchors):
                return sorted(combo, key=mapping.get)
    return None


def _column(rows: list[list[Any]], col: int, *, carry: bool) -> list[str]:
    """The column's cells as keys; a date left blank under a filled one is the same day's (carried down)."""
    out, last = [], ""
    for row in rows:
        v = row[col] if col < len(row) else None
        text = "" if blank_cell(v) else normalise_key(v)
        if carry and not text and _filled(row):
            text = last
        last = text or (last if carry else "")
        out.append(text)
    return out


def _filled(row: list[Any]) -> bool:
    return any(not blank_cell(v) for v in row)


def _unique(values: dict[str, list[str]], combo: tuple[str, ...], anchors: list[str]) -> bool:
    """Every row naming a product (or machine) holds its own combination of ``combo``'s values."""
    seen: set[tuple[str, ...]] = set()
    for i in range(len(values[combo[0]])):
        named = [values[a][i] for a in anchors if a in combo and values[a][i]]
        if not named or any(is_total_label(v) for v in named):
            continue
        key = tuple(values[f][i] for f in combo)
        if not all(key) or key in seen:   # a row without every part of the key is not told apart by it
            return False
        seen.add(key)
    return len(seen) >= KEY_MIN_ROWS


def find_plan(grid: Grid, candidates: list[Any], read: Callable[[Any], dict[str, tuple[int, float]]],
              names: frozenset[str]) -> tuple[float, Any, dict[str, tuple[int, float]], list[str]] | None:
    """The best header of ``grid`` read as a plan without an order number: (score, candidate, mapping, key),
    or None when no candidate shows enough plan evidence and a key in its rows. ``candidates`` are
    ``detect``'s header candidates, ``read(candidate)`` maps one to production fields, ``names`` are the
    production column names (for the tables stacked under it)."""
    from sync.tables.rows import first_data_row, skip_repeated_header

    spec = TABLES["production"]
    best = None
    for cand in candidates:
        mapping = read(cand)
        if not ({"product", "line"} & mapping.keys()):
            continue
        cols = {f: c for f, (c, _) in mapping.items()}
        r = skip_repeated_header(grid.rows, cand.row, cols)
        first, _ = first_data_row(grid.rows, r, cols, spec)
        above = grid.rows[cand.row - 1] if cand.row > 0 and cand.groups is None else []
        kinds = evidence(grid.sheet, cand.labels, above, grid.rows, first)
        if len(kinds) < MIN_EVIDENCE:
            continue
        if "quantity" not in mapping:
            col = period_quantity(grid.rows, cand.labels, above, first, set(cols.values()))
            if col is not None:
                mapping["quantity"] = (col, 1.0)
                cols["quantity"] = col
        stop = table_end(grid.rows, r, first, cand.labels, names, is_period)
        key = row_key(grid.rows[:stop] if stop is not None else grid.rows, first, cols)
        if key is None:
            continue
        score = EVIDENCE_WEIGHT * len(kinds) + sum(1.0 if s >= 2 else 0.5 for _, s in mapping.values())
        if best is None or score > best[0]:
            best = (score, cand, mapping, key)
    return best


def pinned_key(grid: Grid, cand: Any, first: int, cols: dict[str, int], stop: int | None) -> list[str] | None:
    """The key of a plan whose header config pins: found from its rows, when the sheet shows a plan's evidence
    (a pinned daily log without any stays keyless, and ``doctor`` says so)."""
    above = grid.rows[cand.row - 1] if cand.row > 0 and cand.groups is None else []
    if len(evidence(grid.sheet, cand.labels, above, grid.rows, first)) < MIN_EVIDENCE:
        return None
    return row_key(grid.rows[:stop] if stop is not None else grid.rows, first, cols)


def stacked_match(grid: Grid, kind: str, find_header: Callable[..., HeaderMatch | None]) -> HeaderMatch | None:
    """A table stacked under one of ``kind`` (``stacked.blocks``): recognised on its own, or, when its header
    shows that kind without a key (the machine named in the label row over it, not in a column), read all
    the same: a production block keyed by what its rows say (a guess), any other without a key.
    ``find_header`` is ``detect``'s."""
    found = find_header(grid, kind)
    if found is not None:
        return found
    found = find_header(grid, kind, unsure=True)
    if found is None:
        return None
    rows = grid.rows[:found.stop] if found.stop is not None else grid.rows
    key = row_key(rows, found.first_data, found.mapping) if kind == "production" else None
    return replace(found, status="recognised", key=key or [], composite=bool(key), plan=bool(key))

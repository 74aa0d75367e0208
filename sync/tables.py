"""Typed tables with provenance: every row knows its sheet row, every value its cell.

``Table.data`` holds one column per canonical field, already normalised
(float64 numbers, datetime64 dates, text as str or None), plus ``_row``: the
1-based row number the user sees in the sheet. ``Table.raw`` keeps what the
cells held, so a finding can quote it; ``Table.bad`` marks the cells whose
text could not be understood.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sync.detect import HeaderMatch, is_total_label
from sync.fields import TABLES
from sync.normalize import fold_text, parse_column, text_of
from sync.sources.base import Grid

ROW = "_row"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class Column:
    field: str
    index: int      # 0-based
    header: str     # as the user sees it

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass
class Table:
    name: str                       # canonical table: orders, materials, production, ...
    source: str                     # source name
    location: str                   # path or URL, for messages
    sheet: str
    header_row: int                 # 1-based
    columns: dict[str, Column]
    data: pd.DataFrame
    raw: dict[str, np.ndarray]
    bad: dict[str, np.ndarray]
    unmapped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.data)

    @property
    def spec(self):
        return TABLES[self.name]

    def has(self, name: str) -> bool:
        return name in self.columns

    def cell(self, name: str, row: int) -> str:
        """The A1 address of field ``name`` in sheet row ``row`` (1-based)."""
        return f"{self.columns[name].letter}{row}"

    def raw_text(self, name: str, position: int) -> str:
        return text_of(self.raw[name][position]) if name in self.raw else ""

    def describe(self) -> str:
        return f"{self.source} › {self.sheet}"


def build_table(grid: Grid, match: HeaderMatch, *, source: str, location: str, day_first: bool = False) -> Table:
    spec = TABLES[match.table]
    body = _rectangle(grid.rows[match.first_data:], grid.width)
    keep = _data_rows(body, match)
    body = body[keep]
    rows = np.flatnonzero(keep) + match.first_data + 1
    data: dict[str, Any] = {}
    raw: dict[str, np.ndarray] = {}
    bad: dict[str, np.ndarray] = {}
    for name, col in match.mapping.items():
        cells = body[:, col]
        parsed = parse_column(cells, spec.fields[name].type, date1904=grid.date1904, day_first=day_first)
        data[name], raw[name], bad[name] = parsed.values, cells, parsed.bad
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    frame[ROW] = rows
    columns = {f: Column(f, c, match.labels[c] if c < len(match.labels) else "") for f, c in match.mapping.items()}
    unmapped = [lab for c, lab in enumerate(match.labels) if lab and c not in match.mapping.values()]
    return Table(match.table, source, location, grid.sheet, match.header_row_1based, columns, frame, raw, bad,
                 unmapped, list(match.notes))


def _rectangle(rows: list[list[Any]], width: int) -> np.ndarray:
    if not rows:
        return np.empty((0, max(width, 1)), dtype=object)
    if any(len(r) != width for r in rows):
        rows = [list(r) + [""] * (width - len(r)) for r in rows]
    out = np.empty((len(rows), width), dtype=object)
    out[:] = rows
    return out


def _data_rows(body: np.ndarray, match: HeaderMatch) -> np.ndarray:
    """Rows that hold data: not blank, not a totals row, not a row of formula zeros."""
    if body.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    cols = sorted(match.mapping.values())
    cells = body[:, cols]
    filled = np.zeros(body.shape, dtype=bool)[:, : len(cols)]
    meaningful = np.zeros(body.shape[0], dtype=bool)
    for j in range(len(cols)):
        col = cells[:, j]
        blank = pd.Series(col).map(_blank_cell).to_numpy(dtype=bool)
        filled[:, j] = ~blank
        zero = pd.Series(col).map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v == 0)
        meaningful |= ~blank & ~zero.to_numpy(dtype=bool)
    totals = np.zeros(body.shape[0], dtype=bool)
    key_cols = {c for f, c in match.mapping.items() if f in ("order_no", "customer", "product")}
    for c in sorted(key_cols | set(range(min(3, body.shape[1])))):
        totals |= pd.Series(body[:, c]).map(is_total_label).to_numpy(dtype=bool)
    return meaningful & ~totals


def _blank_cell(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not fold_text(value))

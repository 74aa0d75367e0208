"""Typed tables with provenance: every row knows its sheet row, every value its cell.

``Table.data`` holds one column per canonical field, already normalised
(float64 numbers, datetime64 dates, text as str or None), plus ``_row``: the
1-based row number the user sees in the sheet. ``Table.raw`` keeps what the
cells held, so a finding can quote it; ``Table.bad`` marks the cells whose
text could not be understood.

Memory: ``raw`` is a ``sync.tables.columns.RawCells``, each column stored as int32
codes into its distinct values (4 bytes a row, not a Python object a row), so
a 100k-order register keeps its provenance and quoting without keeping its
cells; ``raw[field]`` still gives the ndarray of cells. Tables are built from
a ``ColumnGrid`` (the sheet reduced to the mapped columns, factorised), so
each value is classified and parsed once, not once per row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sync.tables.columns import ColumnGrid, Factor, Kinds, RawCells, compact
from sync.tables.detect import TOTAL_WORDS, HeaderMatch, is_total_label
from sync.tables.fields import TABLES
from sync.tables.normalize import fold_text, parse_column, text_of
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
    raw: RawCells                   # field -> cells as read; a Mapping of ndarrays
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

    def cell_at(self, name: str, position: int, row: int) -> str:
        """The A1 address of field ``name`` of the row at ``position`` (sheet row ``row``): ``cell``, unless a
        table made from another sheet's columns keeps a column per row (``sync.orders.wide``)."""
        return self.cell(name, row)

    def header_at(self, name: str, position: int) -> str:
        """The header of field ``name`` for the row at ``position`` (see ``cell_at``)."""
        return self.columns[name].header

    def raw_text(self, name: str, position: int) -> str:
        if name not in self.raw:
            return ""
        return text_of(self.raw.cell(name, position) if isinstance(self.raw, RawCells) else self.raw[name][position])

    def describe(self) -> str:
        return f"{self.source} › {self.sheet}"


def table_columns(match: HeaderMatch) -> set[int]:
    """The columns ``build_table`` reads: the mapped ones and the first three (totals labels)."""
    return set(match.mapping.values()) | set(range(min(3, len(match.labels))))


def build_table(grid: Grid | ColumnGrid, match: HeaderMatch, *, source: str, location: str,
                day_first: bool = False) -> Table:
    spec = TABLES[match.table]
    if isinstance(grid, Grid):
        grid = compact(grid, table_columns(match), match.first_data)
    width = grid.width
    height = max(grid.height - (match.first_data - grid.start), 0)
    cells = {c: grid.column(c, match.first_data) for c in match.mapping.values()}
    keep = _data_rows(cells, match, lambda c: grid.column(c, match.first_data), height, width)
    rows = np.flatnonzero(keep) + match.first_data + 1
    data: dict[str, Any] = {}
    raw = RawCells()
    bad: dict[str, np.ndarray] = {}
    text = _text_dtype()
    for name, col in match.mapping.items():
        kept = cells[col].take(keep)
        parsed = parse_column(kept.uniques, spec.fields[name].type, date1904=grid.date1904, day_first=day_first,
                              distinct=True)
        data[name], raw[name], bad[name] = _spread(kept, parsed.values, text), kept, kept.spread(parsed.bad)
    data[ROW] = rows
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    columns = {f: Column(f, c, match.labels[c] if c < len(match.labels) else "") for f, c in match.mapping.items()}
    unmapped = [lab for c, lab in enumerate(match.labels) if lab and c not in match.mapping.values()]
    return Table(match.table, source, location, grid.sheet, match.header_row_1based, columns, frame, raw, bad,
                 unmapped, list(match.notes))


def _text_dtype() -> Any:
    """The dtype pandas gives a column of text (``str``; ``object`` where string inference is off)."""
    return pd.Series(np.array(["x"], dtype=object)).dtype


def _spread(kept: Factor, values: np.ndarray | pd.Series, text: Any) -> Any:
    """Parsed values laid out per row. Text (str or None per value) becomes the array pandas would
    infer for it, made from the distinct values, so pandas need not look at every row's text."""
    values = np.asarray(values)
    if values.dtype != object or not any(v is not None for v in values[kept.present()].tolist()):
        return kept.spread(values)  # no text in the rows: pandas keeps such a column as object
    return pd.array(values, dtype=text).take(kept.codes)


def _data_rows(cells: dict[int, Factor], match: HeaderMatch, column: Any, height: int, width: int) -> np.ndarray:
    """Rows that hold data: not blank, not a totals row, not a row of formula zeros."""
    if height == 0:
        return np.zeros(0, dtype=bool)
    meaningful = np.zeros(height, dtype=bool)
    # columns with few distinct values first; each next one is only asked about rows still empty
    for c in sorted(cells, key=lambda c: (len(cells[c].uniques), c)):
        pending = ~meaningful
        if not pending.any():
            break
        meaningful |= cells[c].mask(_meaningful_cell, pending)
    totals = np.zeros(height, dtype=bool)
    key_cols = {c for f, c in match.mapping.items() if f in ("order_no", "customer", "product")}
    for c in sorted(key_cols | set(range(min(3, width)))):
        totals |= column(c).mask_all(_total_labels, meaningful)
    return meaningful & ~totals


#: no total word has a digit, and header_key keeps digits, so text with a digit is never a total label
_DIGIT = re.compile(r"[0-9]")
_DIGITS_RULE_OUT = not any(ch.isdigit() for w in TOTAL_WORDS for ch in w)


def _total_label(value: Any) -> bool:
    """``is_total_label``, skipping the slow key folding for order numbers, codes and dates."""
    if _DIGITS_RULE_OUT and isinstance(value, str) and _DIGIT.search(value):
        return False
    return is_total_label(value)


def _total_labels(values: np.ndarray) -> np.ndarray:
    """``_total_label`` of each value; texts with a digit (order numbers, codes) are ruled out all at
    once, from the code points of all of them."""
    out = np.zeros(len(values), dtype=bool)
    kinds = Kinds(values)
    plain = kinds.mask(str)
    texts = values[plain].tolist()
    if _DIGITS_RULE_OUT and texts:
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        joined = "".join(texts)
        points = (np.frombuffer(joined.encode("ascii"), dtype=np.uint8) if joined.isascii()  # a quarter the size
                  else np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4"))
        digit = np.append((points >= 48) & (points <= 57), False)  # the False: empty texts at the end
        starts = np.cumsum(lengths) - lengths
        has_digit = np.logical_or.reduceat(digit, starts)
        has_digit[lengths == 0] = False  # reduceat gives an empty span the point at its start
        undecided = np.flatnonzero(plain)[~has_digit]
    else:
        undecided = np.flatnonzero(plain)
    out[undecided] = [is_total_label(v) for v in values[undecided].tolist()]
    # numbers and dates are never labels; only some other kind of object (a str subclass) may be
    others = np.flatnonzero(~plain & ~kinds.mask(*_NOT_TEXT))
    out[others] = [_total_label(v) for v in values[others].tolist()]
    return out


#: cell types that cannot be text (no class is both one of these and a str)
_NOT_TEXT = (float, int, bool, dt.date, dt.datetime, dt.time, dt.timedelta, type(None))


def _meaningful_cell(value: Any) -> bool:
    """Neither blank nor a numeric zero (formula rows that sum nothing yet show 0)."""
    zero = isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0
    return not _blank_cell(value) and not zero


def _blank_cell(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not fold_text(value))

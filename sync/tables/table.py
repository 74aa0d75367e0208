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

Which rows under the header are data (not totals, footers, guidance, repeated
headers) is ``sync.tables.rows``'s to say. A table joined from several sheets
(``concat_tables``) keeps ``parts``: which rows came from which workbook and
sheet, so ``sheet_at``/``source_at`` name the right tab for every row.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sync.tables.answers import answered_status
from sync.tables.columns import ColumnGrid, Factor, RawCells, compact
from sync.tables.header import HeaderMatch
from sync.tables.rows import data_rows, ditto_lines, ditto_marks, fill_merged
from sync.tables.fields import DATE, NUMBER, TABLES, header_key, layout_label
from sync.tables.normalize import FORMULA_ERROR, parse_column, settle_table_years, text_of, year_hint
from sync.tables.given import CONFIG, FILE, TAB, finished_tab, owner_named, person_named, tab_owners
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


def column_number(letters: str) -> int:
    """A -> 0, Z -> 25, AA -> 26: ``column_letter`` the other way."""
    out = 0
    for ch in letters.upper():
        out = out * 26 + ord(ch) - 64
    return out - 1


@dataclass
class Column:
    field: str
    index: int      # 0-based
    header: str     # as the user sees it

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass(frozen=True)
class Part:
    """One sheet of a table that spans several (monthly tabs, one workbook per follower): rows up to ``stop``."""

    source: str
    location: str
    sheet: str
    header_row: int
    stop: int                       # the table's rows [previous part's stop, stop) are this sheet's
    key: tuple[str, ...] = ()       # a plan's key as found in this sheet's rows (``Table.key``)

    @property
    def label(self) -> str:
        return self.sheet


@dataclass
class Table:
    name: str                       # the table's name in the register and config.toml: its kind, or for a
                                    # second table of one kind in a workbook, kind_sheet (production_inputs_2)
    source: str                     # source name (several: joined, for messages)
    location: str                   # path or URL, for messages
    sheet: str                      # the sheet (several: joined, for messages; ``sheet_at`` says which)
    header_row: int                 # 1-based
    columns: dict[str, Column]
    data: pd.DataFrame
    raw: RawCells                   # field -> cells as read; a Mapping of ndarrays
    bad: dict[str, np.ndarray]
    unmapped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: the sheets the rows come from, in row order, when there are several; empty for one sheet
    parts: list[Part] = field(default_factory=list)
    #: field -> what normalisation noted about some cells (kind -> row mask; see sync.tables.normalize)
    marks: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    #: field -> the unit each number was typed in (800件: 件), for fields where some cell had one
    units: dict[str, np.ndarray] = field(default_factory=dict)
    #: an orders (or production) table's columns that map to no field: 0-based column -> (header, cells per
    #: row), for what reads more than the fields (a wide tracker's stage columns, ``sync.orders.wide``)
    extra: dict[int, tuple[str, Factor]] = field(default_factory=dict)
    #: the canonical table it is (orders, materials, production, ...): its fields and rules; "" means ``name``
    kind: str = ""
    #: a plan without an order number: the fields its rows were told apart by (found from them, a guess)
    key: tuple[str, ...] = ()
    #: a sheet without a header row: the sheet whose header it was read with (``sync.tables.analogy``)
    borrowed: str = ""
    #: fields no column holds, given every row by a name -> which name gave them, FILE or TAB (one register per
    #: follower, 张丽.xlsx, or one tab each, without a follower column; a tab of finished orders, 已完成, without a
    #: status column: ``sync.tables.given``); in ``data``, not in ``columns`` (no cell holds them)
    given: dict[str, str] = field(default_factory=dict)
    #: field -> what each cell shows where it shows a formula's error (#N/A, #REF!), None elsewhere; for fields where
    #: some cell does. Such a cell reads as blank, and ``marks`` has it as FORMULA_ERROR (``sync.sources.cell_errors``)
    errors: dict[str, np.ndarray] = field(default_factory=dict)
    #: ... of the ``extra`` columns: 0-based column -> what each cell shows or None, for columns where some cell
    #: does (a wide tracker's stage columns are read from there, ``sync.orders.wide``)
    extra_errors: dict[int, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.kind = self.kind or self.name

    def __len__(self) -> int:
        return len(self.data)

    def part_at(self, position: int) -> Part | None:
        """The sheet the row at ``position`` comes from (None: the table's one sheet)."""
        if not self.parts:
            return None
        at = bisect.bisect_right(self._stops(), position)
        return self.parts[min(at, len(self.parts) - 1)]

    def _stops(self) -> list[int]:
        """Each part's ``stop``, in order, kept while ``parts`` is the same list at the same length (parts are
        frozen and a table's list is made whole): a finding on a table joined from fifty workbooks asks for its
        sheet thousands of times."""
        held = self.__dict__.get("_held_stops")
        if held is None or held[0] is not self.parts or held[1] != len(self.parts):
            held = (self.parts, len(self.parts), [p.stop for p in self.parts])
            self.__dict__["_held_stops"] = held
        return held[2]

    def sheet_at(self, position: int) -> str:
        part = self.part_at(position)
        return part.sheet if part else self.sheet

    def source_at(self, position: int) -> str:
        part = self.part_at(position)
        return part.source if part else self.source

    def places(self) -> list[tuple[Part, int]]:
        """Each sheet the rows come from, with the position of its first row (one part for a one-sheet table)."""
        parts = self.parts or [_whole(self)]
        return list(zip(parts, [0] + [p.stop for p in parts[:-1]]))

    def part_labels(self) -> np.ndarray | None:
        """Per row, which sheet (and workbook, when several) it comes from; None for a one-sheet table."""
        if not self.parts:
            return None
        several = len({p.source for p in self.parts}) > 1
        names = np.array([f"{p.source}›{p.sheet}" if several else p.sheet for p in self.parts], dtype=object)
        return np.repeat(names, [p.stop - at for p, at in self.places()])

    @property
    def spec(self):
        return TABLES[self.kind]

    def has(self, name: str) -> bool:
        """A column holds field ``name`` (its cells can be pointed at)."""
        return name in self.columns

    def holds(self, name: str) -> bool:
        """The rows have field ``name``: from a column, or given by the workbook's or the tab's name (``given``)."""
        return name in self.columns or name in self.given

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


def layout(table: Table) -> tuple:
    """What makes two sheets one table: the same kind, and the same header over the same columns."""
    return table.kind, tuple(sorted((f, c.index, layout_label(table.kind, f, c.header))
                                    for f, c in table.columns.items()))


#: a sheet sharing more than this share of its rows with a table is a copy of it, not more of it
COPY_SHARE = 0.5


def is_copy(table: Table, of: list[Table]) -> bool:
    """Most of ``table``'s rows, cell for cell, are already in ``of``: a backup or pasted copy of
    those sheets ("Sheet1" beside "Sheet"), where a month's tab holds other orders than the last."""
    if not len(table):
        return False
    fields = sorted(table.columns)
    seen = np.concatenate([row_hashes(t, fields) for t in of]) if of else np.zeros(0, dtype=np.uint64)
    return float(np.isin(row_hashes(table, fields), seen).mean()) > COPY_SHARE


def row_hashes(table: Table, fields: list[str]) -> np.ndarray:
    """A hash of each row's cells in ``fields``; equal rows of columns of the same dtypes hash alike."""
    return pd.util.hash_pandas_object(table.data[fields], index=False).to_numpy()


class RowsSeen:
    """The row hashes of the tables joined under one name so far, sorted, grown as each one joins: ``is_copy``
    against them all without hashing them again for every table that comes (one register per follower, fifty
    files joined one by one)."""

    def __init__(self, hashes: np.ndarray) -> None:
        self.hashes = np.sort(hashes)

    def copied(self, hashes: np.ndarray) -> bool:
        """Most of these rows are among those seen (``COPY_SHARE``), as ``is_copy`` counts them."""
        if not len(hashes):
            return False
        seen = self.hashes
        found = int(np.count_nonzero(seen[np.minimum(np.searchsorted(seen, hashes), len(seen) - 1)] == hashes)
                    ) if len(seen) else 0
        return found / len(hashes) > COPY_SHARE

    def grow(self, hashes: np.ndarray) -> None:
        grown = np.concatenate([self.hashes, np.sort(hashes)])
        grown.sort(kind="stable")   # two sorted runs: merged, not sorted again
        self.hashes = grown


def concat_tables(tables: list[Table]) -> Table:
    """One table from same-layout tables (``layout``), rows in the order given, each row keeping its sheet."""
    first = tables[0]
    if len(tables) == 1:
        return first
    pieces = [part for t in tables for part in (t.parts or [_whole(t)])]
    parts, stop = [], 0
    for piece, size in zip(pieces, _sizes(tables)):
        stop += size
        parts.append(Part(piece.source, piece.location, piece.sheet, piece.header_row, stop, piece.key))
    data = pd.concat([t.data for t in tables], ignore_index=True)
    given = {f: by for t in tables for f, by in t.given.items()}
    if (owners := _tab_owners(tables)) is not None:   # one tab per follower: 张伟 | 李娜 | 王芳
        data["follower"] = pd.array(np.repeat(owners, _sizes(tables)).tolist(), dtype=_text_dtype())
        given["follower"] = TAB
    raw = RawCells({f: concat_factors([t.raw.factor(f) for t in tables]) for f in first.raw})
    bad = {f: np.concatenate([np.asarray(t.bad[f], dtype=bool) for t in tables]) for f in first.bad}
    return Table(first.name, _joined(p.source for p in parts), _joined(p.location for p in parts),
                 _joined(p.sheet for p in parts), first.header_row, dict(first.columns), data, raw, bad,
                 list(first.unmapped), [n for t in tables for n in t.notes], parts,
                 marks=_concat_marks(tables), units=_concat_cells(tables, "units"), extra=_concat_extra(tables),
                 kind=first.kind, key=first.key, borrowed=first.borrowed, given=given,
                 errors=_concat_cells(tables, "errors"), extra_errors=_concat_extra_errors(tables))


def _tab_owners(tables: list[Table]) -> list[str] | None:
    """The follower of each of one workbook's orders tabs, none with a follower column, when each tab's name is
    another person's (``sync.tables.given.tab_owners``)."""
    if (tables[0].kind != "orders" or len({t.location for t in tables}) > 1
            or any(t.parts or t.holds("follower") for t in tables)):
        return None
    customers = [pd.unique(t.data["customer"]) if "customer" in t.data else () for t in tables]
    return tab_owners([t.sheet for t in tables], customers)


def _concat_extra(tables: list[Table]) -> dict[int, tuple[str, Factor]]:
    """The extra columns every table has, under the same header."""
    first = tables[0]
    return {c: (label, concat_factors([t.extra[c][1] for t in tables])) for c, (label, _) in first.extra.items()
            if all(c in t.extra and header_key(t.extra[c][0]) == header_key(label) for t in tables)}


def _concat_extra_errors(tables: list[Table]) -> dict[int, np.ndarray]:
    """The error cells of the extra columns every table has (``_concat_extra``), over all rows."""
    kept = _concat_extra(tables) if any(t.extra_errors for t in tables) else {}
    return {c: shown for c, shown in _concat_cells(tables, "extra_errors").items() if c in kept}


def _concat_marks(tables: list[Table]) -> dict[str, dict[str, np.ndarray]]:
    """Each field's marks over all rows: a kind one sheet lacks is False on its rows."""
    kinds = {(f, k) for t in tables for f, by_kind in t.marks.items() for k in by_kind}
    out: dict[str, dict[str, np.ndarray]] = {}
    for f, k in sorted(kinds):
        out.setdefault(f, {})[k] = np.concatenate(
            [np.asarray(t.marks.get(f, {}).get(k, np.zeros(len(t), dtype=bool)), dtype=bool) for t in tables])
    return out


def _concat_cells(tables: list[Table], what: str) -> dict[str, np.ndarray]:
    """Each field's ``what`` (units, errors: a value or None per row) over all rows: None where a sheet had none."""
    held = [getattr(t, what) for t in tables]
    fields = dict.fromkeys(f for each in held for f in each)
    return {f: np.concatenate([np.asarray(each[f], dtype=object) if f in each
                               else np.full(len(t), None, dtype=object) for t, each in zip(tables, held)])
            for f in fields}


def _whole(table: Table) -> Part:
    return Part(table.source, table.location, table.sheet, table.header_row, len(table), table.key)


def _sizes(tables: list[Table]) -> list[int]:
    """Rows per part, in order."""
    return [p.stop - at for t in tables for p, at in t.places()]


def _joined(names: Any) -> str:
    return ", ".join(dict.fromkeys(names))


def concat_factors(factors: list[Factor]) -> Factor:
    offsets = np.cumsum([0] + [len(f.uniques) for f in factors[:-1]])
    codes = np.concatenate([f.codes + np.int32(o) for f, o in zip(factors, offsets)]).astype(np.int32)
    return Factor(codes, np.concatenate([f.uniques for f in factors]))


def table_columns(match: HeaderMatch) -> set[int]:
    """The columns ``build_table`` reads: the mapped ones, the first three (totals labels), and an orders or
    production table's other labelled columns (``Table.extra``)."""
    return set(match.mapping.values()) | set(range(min(3, len(match.labels)))) | set(_extra_columns(match))


def _extra_columns(match: HeaderMatch) -> list[int]:
    if match.table not in ("orders", "production"):   # a tracker of one row per order may read as either
        return []
    mapped = set(match.mapping.values())
    return [c for c, label in enumerate(match.labels) if label and c not in mapped]


def build_table(grid: Grid | ColumnGrid, match: HeaderMatch, *, source: str, location: str,
                day_first: bool | None = None, named: str | None = None, follower: str | None = None) -> Table:
    """The table ``match`` reads in ``grid``; ``named``: its name in the register (default: its kind); ``follower``:
    whose register it is, as config.toml says (``Source.follower``)."""
    spec = TABLES[match.table]
    if isinstance(grid, Grid):
        grid = compact(grid, table_columns(match), match.first_data)
    width = grid.width
    height = max(grid.height - (match.first_data - grid.start), 0)
    merged = [m for m in grid.merged if m[2] > m[0]]   # only merges down rows matter here
    # a number merged over an order's lines is the order's, not each line's: filling it down would count it again
    counted = {c for f, c in match.mapping.items() if spec.fields[f].type == NUMBER}

    def column(c: int) -> Factor:
        found = grid.column(c, match.first_data)
        return fill_merged(found, c, match.first_data, merged) if merged and c not in counted else found

    cells = {c: column(c) for c in match.mapping.values()}
    keep = data_rows(cells, match, column, height, width)
    if match.stop is not None:   # another table stacked under this one starts there
        keep[max(match.stop - match.first_data, 0):] = False
    rows = np.flatnonzero(keep) + match.first_data + 1
    data: dict[str, Any] = {}
    raw = RawCells()
    bad: dict[str, np.ndarray] = {}
    marks: dict[str, dict[str, np.ndarray]] = {}
    units: dict[str, np.ndarray] = {}
    text, hint = _text_dtype(), year_hint(grid.sheet)
    dittoed: dict[str, np.ndarray] = {}   # field -> the rows whose 同上 / 〃 read as the line above
    for name, col in match.mapping.items():
        typed = kept = cells[col].take(keep)
        if (said := ditto_marks(kept)) is not None:
            kept, dittoed[name] = said
        if name == "status" and (answered := answered_status(match.labels[col], kept)) is not None:
            kept = answered   # 是否出货: √ / × read as 已出货 / 未出货
        parsed = parse_column(kept.uniques, spec.fields[name].type, date1904=grid.date1904, day_first=day_first,
                              distinct=True, counts=kept.counts(), hint=hint)
        data[name], raw[name], bad[name] = _spread(kept, parsed.values, text), typed, kept.spread(parsed.bad)
        marks[name], unit = parsed.spread(kept)
        if unit is not None:
            units[name] = unit
    dates = sorted((f for f in match.mapping if spec.fields[f].type == DATE), key=match.mapping.get)
    settle_table_years(data, marks, dates, hint)
    shown = _errors_by_column(grid.errors, rows) if grid.errors else {}
    errors = _errors(shown, match.mapping, len(rows), marks)
    notes = list(match.notes)
    if dittoed:
        labels = "、".join(match.labels[match.mapping[f]] for f in sorted(dittoed, key=match.mapping.get))
        lines = np.unique(np.concatenate(list(dittoed.values())))
        count = f"{len(lines)} line" + ("s" if len(lines) > 1 else "")
        notes.append(f"{labels}: 同上/〃 on {count} (rows {_rows_said(rows[lines])}) read as the line above")
    _ditto(data, match, rows, notes)
    given = _given(data, match, location, grid.sheet, len(rows), text, follower)
    data[ROW] = rows
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    columns = {f: Column(f, c, match.labels[c] if c < len(match.labels) else "") for f, c in match.mapping.items()}
    unmapped = [lab for c, lab in enumerate(match.labels) if lab and c not in match.mapping.values()]
    extra = {c: (match.labels[c], grid.column(c, match.first_data).take(keep)) for c in _extra_columns(match)}
    extra_errors = {c: _shown(shown[c], len(rows)) for c in extra if c in shown}
    return Table(named or match.table, source, location, grid.sheet, match.header_row_1based, columns, frame, raw,
                 bad, unmapped, notes, marks={f: m for f, m in marks.items() if m}, units=units,
                 extra=extra, kind=match.table, key=tuple(match.key) if match.plan else (), borrowed=match.borrowed,
                 given=given, errors=errors, extra_errors=extra_errors)


def _errors_by_column(shown: dict[tuple[int, int], str], rows: np.ndarray) -> dict[int, dict[int, str]]:
    """The cells that show a formula's error (``shown``: (0-based sheet row, column) -> #N/A) among the table's
    ``rows`` (1-based): column -> {position: what it shows}."""
    at = {r: p for p, r in enumerate(rows.tolist())}
    by_column: dict[int, dict[int, str]] = {}
    for (r, c), text in shown.items():
        if (p := at.get(r + 1)) is not None:
            by_column.setdefault(c, {})[p] = text
    return by_column


def _shown(found: dict[int, str], rows: int) -> np.ndarray:
    """What each of ``rows`` shows: the error in ``found`` (position -> #N/A), None elsewhere."""
    out = np.full(rows, None, dtype=object)
    out[list(found)] = list(found.values())
    return out


def _errors(by_column: dict[int, dict[int, str]], mapping: dict[str, int], rows: int,
            marks: dict[str, dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Each field's cells that show a formula's error (``_errors_by_column``), marked FORMULA_ERROR in ``marks``."""
    out: dict[str, np.ndarray] = {}
    for name, col in mapping.items():
        if found := by_column.get(col):
            out[name] = _shown(found, rows)
            marks.setdefault(name, {})[FORMULA_ERROR] = out[name] != None   # noqa: E711 -- element-wise
    return out


def _given(data: dict[str, Any], match: HeaderMatch, location: str, sheet: str, rows: int,
           text: Any, follower: str | None = None) -> dict[str, str]:
    """What the names give an orders tab that no column says (``sync.tables.given``), into ``data``: the follower
    config.toml gives the register (``follower``) or else the one a workbook is named after (张丽.xlsx), the status
    of a tab of finished orders (已完成). The fields so given. (One tab per follower is told by all the tabs' names
    together: ``concat_tables``.)"""
    if match.table != "orders" or not rows:
        return {}
    given: dict[str, str] = {}
    owner, by = (follower, CONFIG) if follower else (owner_named(location), FILE)
    if "follower" not in data and owner is not None:
        if by == CONFIG or "customer" not in data or person_named(owner, pd.unique(data["customer"])):   # 华为.xlsx
            data["follower"] = pd.array([owner] * rows, dtype=text)
            given["follower"] = by
    if "status" not in data and (status := finished_tab(sheet)) is not None:
        data["status"] = pd.array([status] * rows, dtype=text)
        given["status"] = TAB
    return given


#: what a register may write once for an order, on its first line (``rows.ditto_lines``) ...
ORDER_FIELDS = ("customer", "customer_code", "order_date", "due_date", "follower", "status", "product")
#: ... and of those, what must be among it for the blank lines under it to be that order's
ORDER_EVIDENCE = ("customer", "customer_code", "order_date", "due_date", "follower")


def _ditto(data: dict[str, Any], match: HeaderMatch, rows: np.ndarray, notes: list[str]) -> None:
    """``rows.ditto_lines`` of a table keyed by order number: its lines read their order's fields, in place (the
    cells stay blank as typed, in ``raw``), and ``notes`` says so."""
    if "order_no" not in data:
        return
    found = ditto_lines(data, "order_no", [f for f in ORDER_FIELDS if f in data],
                        [f for f in ORDER_EVIDENCE if f in data])
    if found is None:
        return
    index, fields = found
    for name in fields:
        data[name] = data[name].take(index)
    lines = rows[index != np.arange(len(index))]
    labels = "、".join(match.labels[c] for c in sorted(match.mapping[f] for f in fields))
    notes.append(f"{labels}: written on each order's first line only; the {len(lines)} lines under them "
                 f"(rows {_rows_said(lines)}) are read as their order's")


def _rows_said(rows: np.ndarray, most: int = 6) -> str:
    shown = ", ".join(map(str, rows[:most].tolist()))
    return shown + (", ..." if len(rows) > most else "")


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

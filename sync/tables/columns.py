"""Columns of cells stored once per distinct value: the reader's working form.

A register column of 100k cells holds a few hundred distinct values (dates,
quantities, names) and, at worst, one per row (order numbers). Kept as
``codes`` (int32, one per row) into ``uniques`` (one Python object per
distinct value), a column costs 4 bytes a row instead of a Python object and
a pointer, and every per-value decision (blank? total label? what number is
'1,200件'?) is made once per distinct value and spread to the rows with one
numpy ``take``.

Factorising must not merge values a parser tells apart: pandas hashes
``1.0``, ``1`` and ``True`` as one value, and ``None`` with ``NaN``. Columns
that hold only types that never compare equal across types (text, floats,
dates, times) go straight through pandas; any other mix is keyed by
(type, value) first. The one merge left is ``-0.0`` with ``0.0``.

``ColumnGrid`` is a sheet reduced to the columns a table needs, so the
register can drop the sheet's list of rows as soon as it is recognised;
``RawCells`` is ``Table.raw`` in this form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from sync.sources.base import Grid

#: from this many cells on, a sheet's distinct values are copied out of its rows' memory (``detached``);
#: a smaller sheet's rows take too little memory for the copying to be worth its time
DETACH_CELLS = 1_000_000
#: types whose values never compare equal to a value of another type in this set
_DISJOINT = frozenset({str, float, dt.date, dt.datetime, dt.time, dt.timedelta})


@dataclass
class Factor:
    """One column: ``uniques[codes]`` are its cells, in row order."""

    codes: np.ndarray     # int32, one per row
    uniques: np.ndarray   # object, one per distinct value

    def __len__(self) -> int:
        return len(self.codes)

    def cells(self) -> np.ndarray:
        return self.uniques[self.codes]

    def take(self, rows: np.ndarray) -> Factor:
        return Factor(self.codes[rows], self.uniques)

    def spread(self, per_unique: np.ndarray | pd.Series) -> np.ndarray:
        """Values computed per distinct value, laid out per row."""
        return np.asarray(per_unique)[self.codes]

    def mask(self, test: Any, rows: np.ndarray | None = None) -> np.ndarray:
        """``test(cell)`` for every row, calling ``test`` once per distinct value.

        With ``rows`` (a boolean mask), only the values in those rows are tested and
        the answer is exact for those rows; elsewhere it may read False.
        """
        if rows is None:
            tested = np.fromiter((bool(test(u)) for u in self.uniques), dtype=bool, count=len(self.uniques))
            return tested[self.codes]
        tested = np.zeros(len(self.uniques), dtype=bool)
        for i in self.present(rows).tolist():
            tested[i] = test(self.uniques[i])
        return tested[self.codes]

    def mask_all(self, test: Callable[[np.ndarray], np.ndarray], rows: np.ndarray) -> np.ndarray:
        """``mask`` with a ``test`` that answers for an array of distinct values in one call."""
        tested = np.zeros(len(self.uniques), dtype=bool)
        present = self.present(rows)
        if len(present):
            tested[present] = test(self.uniques[present])
        return tested[self.codes]

    def counts(self) -> np.ndarray:
        """Rows per distinct value (what a column decides by a majority of rows weighs them by)."""
        return np.bincount(self.codes, minlength=len(self.uniques))

    def present(self, rows: np.ndarray | None = None) -> np.ndarray:
        """The codes used (in ``rows``, a boolean mask), ascending."""
        codes = self.codes if rows is None else self.codes[rows]
        return np.flatnonzero(np.bincount(codes, minlength=len(self.uniques)))


def factorize(values: np.ndarray, *, disjoint: bool = False) -> Factor:
    """Exact factorisation: two cells share a code only if they are the same type and equal.

    ``disjoint`` says the caller has checked that ``values`` hold only types in ``_DISJOINT``.
    """
    if len(values) == 0:
        return Factor(np.zeros(0, dtype=np.int32), np.empty(0, dtype=object))
    if disjoint or set(map(type, values)) <= _DISJOINT:
        codes, uniques = pd.factorize(values)  # use_na_sentinel=False would run a slow isna first
        uniques = np.asarray(uniques, dtype=object)
        missing = codes < 0  # NaN (the only missing value these types allow): one code for all
        if missing.any():
            codes[missing] = len(uniques)
            uniques = np.append(uniques, np.array([np.nan], dtype=object))
        return Factor(codes.astype(np.int32, copy=False), uniques)
    keys = np.empty(len(values), dtype=object)
    keys[:] = [(type(v), v) for v in values]
    codes, tagged = pd.factorize(keys, use_na_sentinel=False)
    uniques = np.empty(len(tagged), dtype=object)
    uniques[:] = [k[1] for k in tagged]
    return Factor(codes.astype(np.int32, copy=False), uniques)


class Kinds:
    """The exact type of each of ``values``, asked for as masks; a column of one type (the usual
    case) answers without looking at its values again."""

    def __init__(self, values: np.ndarray) -> None:
        self._values = values.tolist()
        self.present = set(map(type, self._values))
        self._array: np.ndarray | None = None

    def mask(self, *types: type) -> np.ndarray:
        """Where the value is exactly one of ``types``; subclasses do not count."""
        n = len(self._values)
        wanted = self.present.intersection(types)
        if not wanted or wanted == self.present:
            return np.full(n, bool(wanted))
        if self._array is None:
            self._array = np.fromiter(map(type, self._values), dtype=object, count=n)
        mask = np.zeros(n, dtype=bool)
        for t in wanted:
            # against a 1-array: numpy would hand ``kinds == pd.Timestamp`` to the class and get one False
            mask |= self._array == np.array([t], dtype=object)
        return mask


@dataclass
class ColumnGrid:
    """The part of a sheet a table is built from: rows from ``start`` on, some columns."""

    sheet: str
    start: int                      # 0-based sheet row of the first stored row
    height: int                     # stored rows
    width: int                      # the sheet's width
    columns: dict[int, Factor]      # 0-based column -> its cells from ``start`` on
    date1904: bool = False
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    #: the kept cells that show a formula's error: (sheet row, column), 0-based -> what they show (``Grid.errors``)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)

    def column(self, index: int, first: int) -> Factor:
        """Column ``index`` from sheet row ``first`` (0-based) on; "" beyond the sheet's width."""
        skip = first - self.start
        if skip < 0 or (index < self.width and index not in self.columns):
            raise KeyError(f"column {index} from row {first} was not kept for {self.sheet!r}")
        if index >= self.width:
            blank = np.array([""], dtype=object)
            return Factor(np.zeros(max(self.height - skip, 0), dtype=np.int32), blank)
        found = self.columns[index]
        return found if skip == 0 else Factor(found.codes[skip:], found.uniques)


def compact(grid: Grid | ColumnGrid, columns: Iterable[int], start: int) -> ColumnGrid:
    """Keep ``columns`` of ``grid`` from 0-based row ``start`` on, each factorised; short rows read as ""."""
    if isinstance(grid, ColumnGrid):
        return grid
    width = grid.width
    rows = grid.rows[start:]
    wanted = sorted({c for c in columns if 0 <= c < width})
    kept: dict[int, Factor] = {}
    if rows and wanted:
        if min(map(len, rows)) != width:
            rows = [list(r) + [""] * (width - len(r)) for r in rows]
        # all rows now have ``width`` cells: laid end to end, they fill the array row by row
        # (numpy's own copy from nested lists is four times slower)
        body = np.fromiter(chain.from_iterable(rows), dtype=object, count=len(rows) * width)
        body = body.reshape(len(rows), width)
        # one pass over the sheet's cell types (lists iterate faster than object arrays) usually
        # clears every column for plain pandas factorisation
        disjoint = set(map(type, chain.from_iterable(rows))) <= _DISJOINT
        big = body.size >= DETACH_CELLS
        for c in wanted:
            factor = factorize(body[:, c], disjoint=disjoint)
            kept[c] = Factor(factor.codes, detached(factor.uniques)) if big else factor
    else:
        kept = {c: factorize(np.empty(0, dtype=object)) for c in wanted}
    errors = {at: shown for at, shown in grid.errors.items() if at[0] >= start and at[1] in kept}
    return ColumnGrid(grid.sheet, start, len(rows), width, kept, grid.date1904, list(grid.merged), errors)


def detached(values: np.ndarray) -> np.ndarray:
    """Equal values of the same types, as new objects.

    A column's distinct values are the first cells of each value, scattered over all the memory
    of the sheet's rows. Kept as they are, they pin nearly every block the allocator took for
    those rows, so the process keeps the first sheet's memory while it reads the next (160 MiB
    at 100k orders, 40 MiB more at the peak); copied while the rows are still alive, they sit in
    memory of their own and the rows' memory goes back to the system when the rows go.
    """
    listed = values.tolist()
    present = set(map(type, listed))
    if present == {str}:
        return np.fromiter(_new_texts(listed), dtype=object, count=len(listed))
    if present == {float}:
        return values.astype(float).astype(object)  # exact: NaN, -0.0 and all
    out = np.empty(len(values), dtype=object)
    kinds = Kinds(values)
    texts, numbers = kinds.mask(str), kinds.mask(float)
    if texts.any():
        out[texts] = np.fromiter(_new_texts(values[texts].tolist()), dtype=object, count=int(texts.sum()))
    if numbers.any():
        out[numbers] = values[numbers].astype(float).astype(object)
    rest = ~(texts | numbers)
    if rest.any():
        out[rest] = [_copy(v) for v in values[rest].tolist()]
    return out


def _new_texts(texts: list[str]) -> list[str]:
    """Copies of ``texts``: joined and split again (a NUL after the last, or one text would come
    back as itself), unless a text holds the joining NUL."""
    parts = ("\x00".join(texts) + "\x00").split("\x00")
    return parts[:-1] if len(parts) == len(texts) + 1 else ["".join((t, "")) for t in texts]


def _copy(value: Any) -> Any:
    """A new object equal to ``value`` for dates and datetimes (few distinct ones); others as they are."""
    if type(value) is dt.date:
        return dt.date(value.year, value.month, value.day)
    if type(value) is dt.datetime:
        return value.replace()
    return value


class RawCells(Mapping):
    """``Table.raw``: field -> the cells as read, materialised on access; ``text`` reads one cell."""

    def __init__(self, columns: dict[str, Factor] | None = None) -> None:
        self._columns: dict[str, Factor] = dict(columns or {})

    def __getitem__(self, name: str) -> np.ndarray:
        return self._columns[name].cells()

    def __setitem__(self, name: str, cells: np.ndarray | Factor) -> None:
        self._columns[name] = cells if isinstance(cells, Factor) else factorize(np.asarray(cells, dtype=object))

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    def __contains__(self, name: object) -> bool:
        return name in self._columns

    def factor(self, name: str) -> Factor:
        """Column ``name`` as stored (codes into distinct values), e.g. to join tables without materialising."""
        return self._columns[name]

    def cell(self, name: str, position: int) -> Any:
        column = self._columns[name]
        return column.uniques[column.codes[position]]

    def nbytes(self) -> int:
        return sum(c.codes.nbytes + c.uniques.nbytes for c in self._columns.values())

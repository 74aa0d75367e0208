"""Register cells as the notices read them, a whole column at a time.

The notices read a cell one of three ways (``text``, ``number``, ``day``, the
definitions below) and join rows on ``normalise_key`` of the order number.
Cell by cell over ``DataFrame.to_dict("records")`` that is ~300k Python calls
on a 10k-order register; here each column the reader makes (text, float,
datetime) is read in one vectorised pass, text once per distinct value, and
any other column cell by cell through the definitions, so the answers are the
same cell for cell. A column that is missing reads as blanks, as ``rec.get``
does.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from sync.tables.normalize import _SPACES, normalise_key


def text(v: Any) -> str | None:
    """A cell as trimmed text; blank is None."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    s = str(v).strip()
    return s or None


def number(v: Any) -> float | None:
    try:
        return None if v is None or pd.isna(v) else float(v)
    except (TypeError, ValueError):
        return None


def day(v: Any) -> date | None:
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, datetime):   # pandas Timestamps included
        return None if pd.isna(v) else v.date()
    if isinstance(v, date):
        return v
    return None


_EPOCH = date(1970, 1, 1).toordinal()
#: ordinals of the days a ``date`` can hold; a datetime64 outside them goes cell by cell
_FIRST, _LAST = date.min.toordinal(), date.max.toordinal()


class Columns:
    """One table's columns, read as ``text``/``number``/``day`` read the cells of ``to_dict("records")``."""

    def __init__(self, data: pd.DataFrame) -> None:
        self.data = data
        self.plain = data.columns.is_unique     # else a name means several columns: cell by cell, as to_dict has it
        self.factors: dict[str, tuple[np.ndarray, list[str]] | None] = {}

    def __len__(self) -> int:
        return len(self.data)

    def column(self, name: str) -> pd.Series | None:
        """The column to read in one pass, if there is one."""
        return self.data[name] if self.plain and name in self.data else None

    def raw(self, name: str) -> list[Any]:
        """The cells as ``to_dict("records")`` gives them (natively boxed)."""
        if name not in self.data:
            return [None] * len(self.data)
        col = self.column(name)
        if col is not None and isinstance(col.dtype, np.dtype) and col.dtype.kind in "biufM":
            return col.tolist()     # Python scalars and Timestamps, as to_dict boxes them
        return [r[name] for r in self.data[[name]].to_dict("records")]

    def factorized(self, name: str) -> tuple[np.ndarray, list[str]] | None:
        """A text column as codes (-1 blank) into its distinct texts, as written."""
        if name not in self.factors:
            col = self.column(name)
            if col is None or not isinstance(col.dtype, pd.StringDtype):
                self.factors[name] = None
            else:   # all text: no 1 == 1.0 == True to merge
                codes, uniques = pd.factorize(col.to_numpy(dtype=object))
                self.factors[name] = codes, uniques.tolist()
        return self.factors[name]

    def texts(self, name: str) -> list[str | None]:
        found = self.factorized(name)
        if found is None:
            return [text(v) for v in self.raw(name)]
        codes, uniques = found
        return _spread(codes, [u.strip() or None for u in uniques], None).tolist()

    def numbers(self, name: str) -> list[float | None]:
        values, blank = self.number_array(name)
        out = values.astype(object)
        out[blank] = None
        return out.tolist()

    def number_array(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """``number`` of each cell as float64 (NaN where None) and where it is None: text 'nan' reads as NaN."""
        col = self.column(name)
        if col is not None and isinstance(col.dtype, np.dtype) and col.dtype.kind in "fiu":
            values = col.to_numpy(dtype=np.float64)
            return values, np.isnan(values)
        cells = [number(v) for v in self.raw(name)]
        blank = np.fromiter((v is None for v in cells), dtype=bool, count=len(cells))
        return np.array([np.nan if v is None else v for v in cells], dtype=np.float64), blank

    def days(self, name: str) -> list[date | None]:
        fast = self._ordinals(name)
        if fast is None:
            return [day(v) for v in self.raw(name)]
        ordinals, blank = fast
        distinct, where = np.unique(ordinals, return_inverse=True)
        dates = [date.fromordinal(d) for d in distinct.tolist()]
        return _spread(np.where(blank, -1, where.reshape(-1)), dates, None).tolist()

    def day_array(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """``day`` of each cell as a date ordinal (int64) and where it is None."""
        fast = self._ordinals(name)
        if fast is not None:
            return fast
        cells = self.days(name)
        blank = np.fromiter((v is None for v in cells), dtype=bool, count=len(cells))
        return np.fromiter((_EPOCH if v is None else v.toordinal() for v in cells), dtype=np.int64,
                           count=len(cells)), blank

    def _ordinals(self, name: str) -> tuple[np.ndarray, np.ndarray] | None:
        """A datetime column's days as ordinals (blanks at the epoch) and its blanks; None for other columns."""
        col = self.column(name)
        if col is not None and isinstance(col.dtype, pd.DatetimeTZDtype):
            col = col.dt.tz_localize(None)     # each Timestamp's own wall-clock date, as .date() gives
        if col is None or not (isinstance(col.dtype, np.dtype) and col.dtype.kind == "M"):
            return None
        stamps = col.to_numpy()
        blank = np.isnat(stamps)
        ordinals = stamps.astype("datetime64[D]").astype(np.int64) + _EPOCH   # floors, as .date() does
        ordinals[blank] = _EPOCH
        if len(ordinals) and not (_FIRST <= ordinals.min() and ordinals.max() <= _LAST):
            return None   # beyond what a date holds: cell by cell, as before
        return ordinals, blank


def _spread(codes: np.ndarray, per_code: list[Any], missing: Any) -> np.ndarray:
    """``per_code[c]`` for each code, ``missing`` for -1."""
    table = np.empty(len(per_code) + 1, dtype=object)
    table[:-1] = per_code
    table[-1] = missing
    return table[codes]


class Keys(dict):
    """``normalise_key`` once per distinct order number as written (a number recurs in every sheet)."""

    def of(self, value: Any) -> str:
        if type(value) is not str:   # noqa: E721 -- 1, 1.0 and True are one dict key but not one order number
            return normalise_key(value)
        key = self.get(value)
        if key is None:
            key = self[value] = normalise_key(value)
        return key

    def many(self, values: list[str]) -> list[str]:
        """Of texts (only: see ``of``)."""
        new = [v for v in dict.fromkeys(values) if v not in self]
        self.update(zip(new, normalise_keys(new)))
        return list(map(self.__getitem__, values))


def normalise_keys(texts: list[str]) -> list[str]:
    """``normalise_key`` of each text, each step done once over them all joined by NUL.

    Every step keeps NUL where it is and works within the texts between: NFKC (NUL is a
    starter that composes with nothing, so marks after it stay as alone as at a text's
    start), the removal of spaces (NUL is none) and upper case (per character). A NUL in
    a text would move the seams, so such texts go one by one.
    """
    joined = "\0".join(texts)
    if not texts or joined.count("\0") != len(texts) - 1:
        return [normalise_key(t) for t in texts]
    return _SPACES.sub("", unicodedata.normalize("NFKC", joined)).upper().split("\0")


@dataclass
class Keyed:
    """The rows of a table that name an order (``text`` of the order number not blank), in sheet order."""

    rows: np.ndarray      # their positions
    codes: np.ndarray     # per row: its order's index in ``keys``
    keys: list[str]       # the orders' normalised keys, in order of first appearance
    cols: Columns

    def __bool__(self) -> bool:
        return len(self.rows) > 0


def keyed(table: Any, keys: Keys, need: str = "order_no", *, trimmed: bool = False) -> Keyed:
    """``trimmed``: the key is ``normalise_key`` of the trimmed text, else of the cell as written."""
    if table is None or need not in table.data:
        return Keyed(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), [], Columns(pd.DataFrame()))
    cols = Columns(table.data)
    found = cols.factorized(need)
    if found is not None:   # once per distinct order number
        codes, uniques = found
        trims = [u.strip() for u in uniques]
        per_code = [k if t else None for k, t in zip(keys.many(trims if trimmed else uniques), trims)]
    else:                   # cell by cell
        cells = cols.raw(need)
        codes = np.arange(len(cells))
        per_code = [None if t is None else keys.of(t if trimmed else v) for t, v in ((text(v), v) for v in cells)]
    # one id per key, in order of first appearance (factorize keeps it); None (a blank order number) is -1
    ids, order_keys = pd.factorize(np.array(per_code + [None], dtype=object))
    ids = ids[codes]
    rows = np.flatnonzero(ids >= 0)
    return Keyed(rows, ids[rows], order_keys.tolist(), cols)


def rows_at(table: Any, positions: list[int] | np.ndarray) -> list[dict[str, Any]]:
    """Whole rows as dicts, ``_sheet`` added: ``to_dict("records")`` boxes per column, so a subset boxes alike."""
    records = table.data.iloc[positions].to_dict("records")
    return [dict(r, _sheet=table.sheet_at(p)) for r, p in zip(records, positions)]

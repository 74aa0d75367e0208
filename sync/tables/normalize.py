"""Turn raw cell values into typed columns, one whole column at a time.

Values arrive messy and are normalised, never rejected for their form alone:
full-width digits, thousands separators, units (800件, 600 pcs), currency
signs, Excel serials (1900 and 1904 systems), dates typed as text in any of
the ways people type them. What cannot be understood is reported (the
``bad`` mask) and its raw text kept by the caller, never turned into a blank
or a wrong number.

Each parser works on the distinct values of a column only: a register has
100k rows but a few hundred distinct dates, so the Python-level parsing runs
a few hundred times, and numbers that are already numbers never reach it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from sync.tables.columns import Kinds, factorize
from sync.tables.fields import DATE, EMAIL, KEY, NUMBER

EXCEL_EPOCH_1900 = dt.datetime(1899, 12, 30)
EXCEL_EPOCH_1904 = dt.datetime(1904, 1, 1)
#: serials outside these bounds are not dates a register holds (1900-01-01 .. 9999)
SERIAL_MIN, SERIAL_MAX = 1, 2_958_465

BLANKS = frozenset({"", "-", "--", "—", "/", "n/a", "N/A", "NA", "无", "空"})
_SPACES = re.compile(r"[\s\u00a0\u3000\u2000-\u200b\ufeff]+")


@dataclass
class Parsed:
    """One normalised column: ``values`` typed, ``bad`` where raw text made no sense."""

    values: np.ndarray | pd.Series
    bad: np.ndarray


def fold_text(s: str) -> str:
    """Trim, and fold non-breaking/full-width/odd spaces into one plain space."""
    return _SPACES.sub(" ", s).strip()


def normalise_key(value: Any) -> str:
    """Keys are compared after this: NFKC, upper case, no spaces at all."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(value))).upper()


@lru_cache(maxsize=1 << 18)
def remembered_key(value: Any) -> str:
    """``normalise_key`` of a hashable value, remembered: the same order numbers come back every cycle."""
    return normalise_key(value)


# --- numbers -----------------------------------------------------------------

_NUM_WORDS = (
    r"人民币|rmb|cny|usd|us\$|hk\$|eur|hkd|元|美元|港币|欧元|[¥￥$€£]|"
    r"pcs?|pieces?|sets?|prs?|pairs?|units?|dozens?|doz|kgs?|kg|meters?|mtrs?|yds?|yards?|"
    r"件|个|套|双|条|只|箱|包|米|码|公斤|千克|吨|打|张|卷|支|片|台|粒|对|個|雙|條|隻|張|捲|對|噸"
)


def _first_letters(words: str) -> str:
    """The characters a match of the alternatives ``words`` can start with, as a class body."""
    first = set()
    for word in words.split("|"):
        first.update(word[1:word.index("]")] if word[0] == "[" else word[word[0] == "\\"])
    return "".join(re.escape(c) for c in sorted(first))


#: the look-ahead lets the engine skip, with one class test, every position no word can start at
_NUM_CLEAN = re.compile(rf"(?i)(?=[{_first_letters(_NUM_WORDS)}])({_NUM_WORDS})")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number_text(text: str) -> float | None:
    """'1,200' '800件' '600 pcs' '¥35.50' '１２００' '(100)' '1.2万' '13%' -> float; None if not a number."""
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        return None
    negative = s.startswith("(") and s.endswith(")")
    if negative:
        s = s[1:-1]
    scale = 1.0
    if s.endswith("%"):
        s, scale = s[:-1], 0.01
    if s.endswith("万"):
        s, scale = s[:-1], 10_000.0
    s = _SPACES.sub("", _NUM_CLEAN.sub("", s))
    if _GROUPED.match(s):
        s = s.replace(",", "")
    if not _NUMBER.match(s):
        return None
    value = float(s) * scale
    return -value if negative else value


def parse_numbers(raw: np.ndarray, *, distinct: bool = False) -> Parsed:
    """A column of raw cells -> float64 (NaN for blank or bad) and the bad mask.

    ``distinct`` says no two cells are the same value (a factorised column's uniques):
    each text is then parsed as it comes, without looking for repeats first.
    """
    cells = _object_cells(raw)
    kinds = Kinds(cells)
    values = np.full(len(cells), np.nan)
    bad = np.zeros(len(cells), dtype=bool)
    numeric = kinds.mask(float, int)
    if numeric.any():
        values[numeric] = cells[numeric].astype(float)
    texts = kinds.mask(str)
    if texts.any():
        parsed = _per_value(cells[texts], _number_text, distinct)
        failed = np.array([v is None for v in parsed], dtype=bool)
        values[texts] = [np.nan if v is None else v for v in parsed]
        bad[texts] = failed & ~_blank_where(cells[texts], failed)
    bad |= _unreadable(cells, numeric | texts)  # a date or a boolean where a number belongs
    return Parsed(values, bad)


def _number_text(text: str) -> float | None:
    """``parse_number_text``; plain or grouped digits (what most typed numbers are) skip the unit
    and width folding, which leaves them as they are (``float`` reads any decimal digit itself)."""
    if _NUMBER.match(text):
        return float(text)
    if _GROUPED.match(text):
        return float(text.replace(",", ""))
    return parse_number_text(text)


# --- dates -------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_TIME = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?" + _TIME + r"$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})" + _TIME + r"$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_D_MON_Y = re.compile(r"^(\d{1,2})[\s-]*([A-Za-z]{3,9})\.?[\s,-]*(\d{4})$")
_MON_D_Y = re.compile(r"^([A-Za-z]{3,9})\.?\s*(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4})$")


def parse_date_text(text: str, *, day_first: bool = False) -> dt.datetime | None:
    """'2026/09/15' '2026.9.15' '2026-9-5' '2026年9月15日' '15 Sep 2026' 'Sep 15, 2026' '20260915' '03/04/2026'."""
    s = unicodedata.normalize("NFKC", text).strip()
    if m := _YMD.match(s):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        return _make(y, mo, d, m[4], m[5], m[6])
    if m := _DMY.match(s):
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        if a > 12 or (day_first and b <= 12):
            a, b = b, a  # a was the day
        return _make(y, a, b, m[4], m[5], m[6])
    if m := _COMPACT.match(s):
        return _make(int(m[1]), int(m[2]), int(m[3]))
    if m := _D_MON_Y.match(s):
        month = _MONTHS.get(m[2][:3].lower())
        return _make(int(m[3]), month, int(m[1])) if month else None
    if m := _MON_D_Y.match(s):
        month = _MONTHS.get(m[1][:3].lower())
        return _make(int(m[3]), month, int(m[2])) if month else None
    return None


def _make(y: int, mo: int, d: int, hh: str | None = None, mm: str | None = None,
          ss: str | None = None) -> dt.datetime | None:
    try:
        return dt.datetime(y, mo, d, int(hh or 0), int(mm or 0), int(ss or 0))
    except (ValueError, TypeError):
        return None


def serial_to_datetime(serial: float, date1904: bool = False) -> dt.datetime | None:
    if not SERIAL_MIN <= serial <= SERIAL_MAX:
        return None
    epoch = EXCEL_EPOCH_1904 if date1904 else EXCEL_EPOCH_1900
    return epoch + dt.timedelta(days=float(serial))


def parse_dates(raw: np.ndarray, *, date1904: bool = False, day_first: bool = False,
                distinct: bool = False) -> Parsed:
    """A column of raw cells -> datetime64 Series (NaT for blank or bad) and the bad mask."""
    cells = _object_cells(raw)
    kinds = Kinds(cells)
    out = np.full(len(cells), np.datetime64("NaT"), dtype="datetime64[us]")
    bad = np.zeros(len(cells), dtype=bool)
    real = kinds.mask(dt.datetime, dt.date, pd.Timestamp)
    if real.any():
        out[real] = _real_dates(cells[real])
    numeric = kinds.mask(float, int)
    if numeric.any():
        converted = _serial_dates(cells[numeric], date1904)
        out[numeric] = converted
        bad[numeric] = np.isnat(converted)
    texts = kinds.mask(str)
    if texts.any():
        parsed = _per_value(cells[texts], lambda t: _date_text(t, day_first), distinct)
        failed = np.array([v is None for v in parsed], dtype=bool)
        out[texts] = np.array(parsed, dtype="datetime64[us]")
        bad[texts] = failed & ~_blank_where(cells[texts], failed)
    bad |= _unreadable(cells, real | numeric | texts)  # a time, a duration, a boolean
    index = raw.index if isinstance(raw, pd.Series) else None
    return Parsed(pd.Series(out, index=index, dtype="datetime64[us]"), bad)


@lru_cache(maxsize=16384)
def _date_text(text: str, day_first: bool) -> dt.datetime | None:
    """``parse_date_text``, remembered: the same typed dates recur in every date column of a register."""
    return parse_date_text(text, day_first=day_first)


def _real_dates(cells: np.ndarray) -> np.ndarray:
    """Dates and datetimes as datetime64[us]; numpy converts plain ones itself, pandas the rest."""
    if all(type(v) is dt.date or (type(v) is dt.datetime and v.tzinfo is None) for v in cells):
        return np.array(cells.tolist(), dtype="datetime64[us]")
    return pd.to_datetime(pd.Series(cells, dtype=object).map(_as_datetime)).to_numpy()


def _serial_dates(cells: np.ndarray, date1904: bool) -> np.ndarray:
    """Excel serials (and 20210101 typed as a number) as datetime64[us]; NaT for any other number."""
    nums = pd.Series(cells, dtype=object).astype(float)
    compact = (nums >= 19000101) & (nums <= 21001231) & (nums % 1 == 0)
    serial = nums.where(~compact)
    epoch = EXCEL_EPOCH_1904 if date1904 else EXCEL_EPOCH_1900
    in_range = serial.between(SERIAL_MIN, SERIAL_MAX)
    converted = pd.Series(pd.NaT, index=nums.index, dtype="datetime64[us]")
    converted[in_range] = pd.Timestamp(epoch) + pd.to_timedelta(serial[in_range], unit="D").dt.round("s")
    if compact.any():
        converted[compact] = pd.to_datetime(nums[compact].astype("int64").astype(str), format="%Y%m%d",
                                            errors="coerce")
    return converted.to_numpy()


def _as_datetime(v: Any) -> dt.datetime:
    return v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day)


# --- text --------------------------------------------------------------------

def text_of(value: Any) -> str:
    """A cell as text: integers without '.0', dates as ISO, spaces folded."""
    if value is None:
        return ""
    if isinstance(value, str):
        return fold_text(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value:  # NaN: what factorize makes of None
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return fold_text(str(value))


def parse_texts(raw: np.ndarray, *, distinct: bool = False) -> Parsed:
    cells = np.empty(len(raw), dtype=object)
    cells[:] = raw
    if distinct:
        return Parsed(_texts_or_none(cells), np.zeros(len(cells), dtype=bool))
    factor = factorize(cells)
    return Parsed(factor.spread(_texts_or_none(factor.uniques)), np.zeros(len(cells), dtype=bool))


def _texts_or_none(values: np.ndarray) -> np.ndarray:
    """``text_of(v) or None`` for each value. Text that folding leaves alone is kept as it is;
    which text needs folding is found by looking at all of it joined (order numbers are all
    distinct, so per-value work here would run once per row)."""
    out = np.empty(len(values), dtype=object)
    plain = Kinds(values).mask(str)
    texts = values[plain].tolist()
    folded = list(texts)
    for i in _needs_folding(texts):
        folded[i] = text_of(texts[i])
    out[plain] = folded
    out[plain & (out == "")] = None
    if not plain.all():
        out[~plain] = [text_of(v) or None for v in values[~plain].tolist()]
    return out


#: where a space sits that ``fold_text`` would drop: two in a row, or a text's last or first one
_DOUBLE_SPACE, _SPACE_LAST, _SPACE_FIRST = re.compile("  "), re.compile(r" \|"), re.compile(r"\| ")


def _needs_folding(texts: list[str]) -> set[int]:
    """Indexes of the texts ``fold_text`` might change (more is fine, never fewer): not printable
    (every space but ' ' is not), a space doubled, or a space at either end. Looked for in all the
    texts joined by "|": usually there is nothing; else a few hits, each mapped back to its text."""
    found: set[int] = set()
    joined = "|".join(texts)
    if not joined.isprintable():
        found.update(np.flatnonzero(~np.fromiter(map(str.isprintable, texts), dtype=bool, count=len(texts))).tolist())
    hits = [m.start() for m in _DOUBLE_SPACE.finditer(joined)]  # inside the text it starts in
    hits += [m.start() for m in _SPACE_LAST.finditer(joined)]  # a text's last character
    hits += [m.start() + 1 for m in _SPACE_FIRST.finditer(joined)]  # the next text's first
    hits += [0] if joined[:1] == " " else []
    hits += [len(joined) - 1] if joined[-1:] == " " else []
    if hits:
        starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])  # where each text begins in ``joined``
        found.update((np.searchsorted(starts, hits, side="right") - 1).tolist())
    return found


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_emails(raw: np.ndarray, *, distinct: bool = False) -> Parsed:
    text = parse_texts(raw, distinct=distinct).values
    bad = np.array([v is not None and not _EMAIL.match(v) for v in text], dtype=bool)
    return Parsed(text, bad)


def parse_keys(raw: np.ndarray, *, distinct: bool = False) -> Parsed:
    """Keys keep the text the user typed (trimmed); joins use ``normalise_key``."""
    return parse_texts(raw, distinct=distinct)


PARSERS: dict[str, Callable[..., Parsed]] = {
    NUMBER: parse_numbers, DATE: parse_dates, EMAIL: parse_emails, KEY: parse_keys,
}


def parse_column(raw: np.ndarray, type_: str, *, date1904: bool = False, day_first: bool = False,
                 distinct: bool = False) -> Parsed:
    """``distinct``: ``raw`` holds each value once (a factorised column's uniques)."""
    if type_ == DATE:
        return parse_dates(raw, date1904=date1904, day_first=day_first, distinct=distinct)
    return PARSERS.get(type_, parse_texts)(raw, distinct=distinct)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or (isinstance(value, str) and fold_text(value) in BLANKS)


def _is_blank(col: pd.Series) -> np.ndarray:
    return _map_unique(col, is_blank).to_numpy(dtype=bool)


def _map_unique(col: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """``col.map(fn)`` computing ``fn`` once per distinct value.

    Distinct by type as well as value: pandas alone would hash ``True``, ``1``
    and ``1.0`` (and ``None`` with ``NaN``) as one value and give them one answer.
    """
    if col.empty:
        return pd.Series([], index=col.index, dtype=object)
    factor = factorize(col.to_numpy(dtype=object))
    mapped = np.empty(len(factor.uniques), dtype=object)
    for i, u in enumerate(factor.uniques):
        mapped[i] = fn(u)
    return pd.Series(factor.spread(mapped), index=col.index, dtype=object)


# --- whole-column helpers ----------------------------------------------------

def _object_cells(raw: np.ndarray | pd.Series | list) -> np.ndarray:
    """The cells as a 1-d object array (the array itself when it already is one)."""
    if isinstance(raw, np.ndarray) and raw.dtype == object and raw.ndim == 1:
        return raw
    return pd.Series(raw, dtype=object).to_numpy()


def _per_value(cells: np.ndarray, fn: Callable[[Any], Any], distinct: bool) -> list:
    """``[fn(c) for c in cells]``, calling ``fn`` once per distinct value unless they all are."""
    if distinct:
        return [fn(v) for v in cells.tolist()]
    factor = factorize(cells)
    mapped = np.empty(len(factor.uniques), dtype=object)
    mapped[:] = [fn(u) for u in factor.uniques.tolist()]
    return factor.spread(mapped).tolist()


def _blank_where(cells: np.ndarray, where: np.ndarray) -> np.ndarray:
    """``is_blank`` of the cells at ``where``; False elsewhere."""
    out = np.zeros(len(cells), dtype=bool)
    if where.any():
        out[where] = [is_blank(v) for v in cells[where].tolist()]
    return out


def _unreadable(cells: np.ndarray, understood: np.ndarray) -> np.ndarray:
    """Cells of a kind the parser does not take (not missing): bad."""
    out = np.zeros(len(cells), dtype=bool)
    rest = ~understood
    if rest.any():
        out[rest] = ~pd.isna(cells[rest])
    return out

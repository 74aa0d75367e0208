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
from typing import Any

import numpy as np
import pandas as pd

from sync.columns import factorize
from sync.fields import DATE, EMAIL, KEY, NUMBER

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


# --- numbers -----------------------------------------------------------------

_NUM_CLEAN = re.compile(
    r"(?i)(人民币|rmb|cny|usd|us\$|hk\$|eur|hkd|元|美元|港币|欧元|[¥￥$€£]|"
    r"pcs?|pieces?|sets?|prs?|pairs?|units?|dozens?|doz|kgs?|kg|meters?|mtrs?|yds?|yards?|"
    r"件|个|套|双|条|只|箱|包|米|码|公斤|千克|吨|打|张|卷|支|片|台|粒|对|個|雙|條|隻|張|捲|對|噸)"
)
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


def parse_numbers(raw: np.ndarray) -> Parsed:
    """A column of raw cells -> float64 (NaN for blank or bad) and the bad mask."""
    col = pd.Series(raw, dtype=object)
    kinds = col.map(type)
    values = np.full(len(col), np.nan)
    bad = np.zeros(len(col), dtype=bool)
    numeric = kinds.isin((float, int)).to_numpy()
    if numeric.any():
        values[numeric] = col[numeric].to_numpy(dtype=float)
    texts = (kinds == str).to_numpy()
    if texts.any():
        parsed = _map_unique(col[texts], _number_or_blank)
        values[texts] = parsed.to_numpy(dtype=float)
        bad[texts] = parsed.isna().to_numpy() & ~_is_blank(col[texts])
    other = ~(numeric | texts) & col.notna().to_numpy()
    bad |= other  # a date or a boolean where a number belongs
    return Parsed(values, bad)


def _number_or_blank(text: str) -> float:
    value = parse_number_text(text)
    return np.nan if value is None else value


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


def parse_dates(raw: np.ndarray, *, date1904: bool = False, day_first: bool = False) -> Parsed:
    """A column of raw cells -> datetime64 Series (NaT for blank or bad) and the bad mask."""
    col = pd.Series(raw, dtype=object)
    kinds = col.map(type)
    out = pd.Series(pd.NaT, index=col.index, dtype="datetime64[us]")
    bad = np.zeros(len(col), dtype=bool)
    real = kinds.isin((dt.datetime, dt.date, pd.Timestamp)).to_numpy()
    if real.any():
        out[real] = pd.to_datetime(col[real].map(_as_datetime))
    numeric = kinds.isin((float, int)).to_numpy()
    if numeric.any():
        nums = col[numeric].astype(float)
        compact = (nums >= 19000101) & (nums <= 21001231) & (nums % 1 == 0)  # 20210101 typed as a number
        serial = nums.where(~compact)
        epoch = EXCEL_EPOCH_1904 if date1904 else EXCEL_EPOCH_1900
        in_range = serial.between(SERIAL_MIN, SERIAL_MAX)
        converted = pd.Series(pd.NaT, index=nums.index, dtype="datetime64[us]")
        converted[in_range] = pd.Timestamp(epoch) + pd.to_timedelta(serial[in_range], unit="D").dt.round("s")
        if compact.any():
            converted[compact] = pd.to_datetime(nums[compact].astype("int64").astype(str), format="%Y%m%d",
                                                errors="coerce")
        out[numeric] = converted
        bad[numeric] = converted.isna().to_numpy()
    texts = (kinds == str).to_numpy()
    if texts.any():
        parsed = _map_unique(col[texts], lambda t: parse_date_text(t, day_first=day_first) or pd.NaT)
        out[texts] = pd.to_datetime(parsed)
        bad[texts] = parsed.isna().to_numpy() & ~_is_blank(col[texts])
    bad |= ~(real | numeric | texts) & col.notna().to_numpy()  # a time, a duration, a boolean
    return Parsed(out, bad)


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


def parse_texts(raw: np.ndarray) -> Parsed:
    cells = np.empty(len(raw), dtype=object)
    cells[:] = raw
    factor = factorize(cells)
    texts = np.empty(len(factor.uniques), dtype=object)
    texts[:] = [_text_or_none(u) for u in factor.uniques]
    return Parsed(factor.spread(texts), np.zeros(len(cells), dtype=bool))


def _text_or_none(value: Any) -> str | None:
    """``text_of``, None for blank; text that folding would leave alone skips the regex (order
    numbers are all distinct, so this runs once per row): printable means no space but ' '."""
    if type(value) is str and value.isprintable() and "  " not in value and value[:1] != " " != value[-1:]:
        return value or None
    return text_of(value) or None


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_emails(raw: np.ndarray) -> Parsed:
    text = parse_texts(raw).values
    bad = np.array([v is not None and not _EMAIL.match(v) for v in text], dtype=bool)
    return Parsed(text, bad)


def parse_keys(raw: np.ndarray) -> Parsed:
    """Keys keep the text the user typed (trimmed); joins use ``normalise_key``."""
    return parse_texts(raw)


PARSERS: dict[str, Callable[..., Parsed]] = {
    NUMBER: parse_numbers, DATE: parse_dates, EMAIL: parse_emails, KEY: parse_keys,
}


def parse_column(raw: np.ndarray, type_: str, *, date1904: bool = False, day_first: bool = False) -> Parsed:
    if type_ == DATE:
        return parse_dates(raw, date1904=date1904, day_first=day_first)
    return PARSERS.get(type_, parse_texts)(raw)


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

"""Turn raw cell values into typed columns, one whole column at a time.

Values arrive messy and are normalised, never rejected for their form alone:
full-width digits, thousands separators, units (800件, 600 pcs), currency
signs, Excel serials (1900 and 1904 systems), dates typed as text in any of
the ways people type them. What cannot be understood is reported (the
``bad`` mask) and its raw text kept by the caller, never turned into a blank
or a wrong number. What is understood but is not quite a value is marked
(``Parsed.marks``): a placeholder (TBD, 待定), a date that is 0, a year-less
date, a day/month order that disagrees with its column, a unit that does not
convert; the checks turn those into quiet findings.

Each parser works on the distinct values of a column only: a register has
100k rows but a few hundred distinct dates, so the Python-level parsing runs
a few hundred times, and numbers that are already numbers never reach it.
The grammars live in ``sync.tables.dates`` and ``sync.tables.quantities``;
this module applies them to columns and decides what a column decides as a
whole (its day/month order, its unit).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from sync.tables.columns import Factor, Kinds, factorize
from sync.tables.dates import (MISSING, Reading, YearHint, against, date_of, decide_day_first, month_day_of_number,
                               parse_date_text, read_date_text, read_first_of_several, real_dates, serial_dates,
                               settle_years, written_weekday, year_hint)
from sync.tables.fields import DATE, EMAIL, KEY, NUMBER
from sync.tables.quantities import (_GROUPED, _NUM_CLEAN, _NUM_WORDS, _NUMBER, number_and_unit, number_text,
                                    parse_number_text, settle_units, written_number)

__all__ = ["parse_date_text", "parse_number_text", "year_hint", "YearHint", "_NUM_CLEAN", "_NUM_WORDS", "_GROUPED",
           "_NUMBER"]

#: what people type into a date or number cell they cannot fill in yet (compared lower-cased)
PLACEHOLDERS = frozenset({
    "-", "--", "—", "——", "/", "n/a", "na", "无", "空", "tbd", "tba", "tbc", "will call", "willcall", "pending",
    "待定", "待确认", "待確認", "未定", "待通知", "未知", "不详", "待排", "?", "??", "???", "asap", "尽快", "越快越好"})
_SPACES = re.compile(r"[\s\u00a0\u3000\u2000-\u200b\ufeff]+")

#: what ``Parsed.marks`` can say about a value
PLACEHOLDER = "placeholder"          # TBD, 待定, -: no value yet, said on purpose
MISSING_DATE = "missing-date"        # 0, 1900-01-00: a formula or a habit, not a date
YEARLESS = "yearless"                # 4/30, 6.1: the year was supplied
YEAR_GUESSED = "year-guessed"        # ... and neither its row nor its sheet said which
DAY_MONTH = "day-month-conflict"     # 20/04/2026 in a column read month-first (or the reverse)
SEVERAL_DATES = "several-dates"      # 11/22,12/25: split deliveries in one cell; the first is used
APPROXIMATE = "approximate-date"     # 9月上旬, 10月底, mid-Sep: a part of a month, read as the day it ends on
FORMULA_ERROR = "formula-error"       # #N/A, #REF!: the cell shows a formula's error; its value is unknown
WEEK_DATE = "week-date"              # W38, KW 40, 第38周: a week of the year, read as its last day (Sunday)
WEEKDAY = "weekday"                  # 9/15(周二): a weekday written beside the date, for the check to compare
UNIT_MISMATCH = "unit-mismatch"      # 3 箱 in a column of 件: a unit that does not convert
WRITTEN_NUMBER = "written-number"    # 500+200, 1000（含备品50）: a sum, or a number with a remark, read as its number


@dataclass
class Parsed:
    """One normalised column: ``values`` typed, ``bad`` where raw text made no sense.

    ``marks`` (kind -> mask) where a value was understood but is worth a word; ``units`` the unit
    each number was typed in (after conversion to the column's unit), None when no cell had one.
    """

    values: np.ndarray | pd.Series
    bad: np.ndarray
    marks: dict[str, np.ndarray] = field(default_factory=dict)
    units: np.ndarray | None = None

    def mark(self, kind: str, positions: np.ndarray) -> None:
        if len(positions):
            mask = self.marks.setdefault(kind, np.zeros(len(self.bad), dtype=bool))
            mask[positions] = True

    def spread(self, factor: Factor) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
        """``marks`` and ``units`` of a factor's distinct values, laid out per row (only marks that occur)."""
        marks = {k: factor.spread(m) for k, m in self.marks.items() if m[factor.present()].any()}
        return marks, None if self.units is None else factor.spread(self.units)


def fold_text(s: str) -> str:
    """Trim, and fold non-breaking/full-width/odd spaces into one plain space."""
    return _SPACES.sub(" ", s).strip()


def normalise_key(value: Any) -> str:
    """Keys are compared after this: NFKC, upper case, no spaces at all."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):   # NaN: no number at all
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(value))).upper()


@lru_cache(maxsize=1 << 18)
def remembered_key(value: Any) -> str:
    """``normalise_key`` of a hashable value, remembered: the same order numbers come back every cycle."""
    return normalise_key(value)


def is_placeholder(text: str) -> bool:
    """TBD, will call, ??, 待定, -: typed on purpose where the value is not known yet."""
    folded = fold_text(unicodedata.normalize("NFKC", text)).lower()
    return folded in PLACEHOLDERS or (bool(folded) and set(folded) <= {"?"})


_LETTER_RUN = re.compile(r"[^\W\d_]{2,}")


#: a note typed in this many cells of a number column is the sheet's habit, not a slip
NOTE_HABIT = 3


def is_note(text: str) -> bool:
    """Words where a number belongs ("On KTR4-2": made on the other machine): more letters than digits,
    where a mistyped number is mostly digits ("1O0", "12,5OO"). A placeholder when typed again and again."""
    folded = fold_text(unicodedata.normalize("NFKC", text))
    letters = sum(ch.isalpha() for ch in folded)
    digits = sum(ch.isdigit() for ch in folded)
    return letters > digits and bool(_LETTER_RUN.search(folded))


def _number_text(text: str) -> float | None:
    """``number_text`` (kept here: the reader's tests pin it against ``parse_number_text``)."""
    return number_text(text)


def _weights(counts: np.ndarray | None, n: int) -> np.ndarray:
    """Rows per value: ``counts`` when the caller has them, else each cell is one row."""
    return np.ones(n, dtype=np.int64) if counts is None else np.asarray(counts)


def _mark_failed(out: Parsed, cells: np.ndarray, where: np.ndarray, failed: np.ndarray, *,
                 weights: np.ndarray | None = None) -> None:
    """Of the cells at ``where`` that did not parse (``failed``): blanks are nothing, placeholders are
    marked (with ``weights``, rows per cell, also words typed in a number's place in ``NOTE_HABIT`` rows or
    more: ``is_note``), the rest is bad."""
    at = np.flatnonzero(where)[failed]
    if not len(at):
        return
    texts = cells[at].tolist()
    blank = np.array([isinstance(t, str) and not fold_text(t) for t in texts], dtype=bool)
    habit = weights[at] >= NOTE_HABIT if weights is not None else np.zeros(len(at), dtype=bool)
    held = np.array([isinstance(t, str) and (is_placeholder(t) or (bool(h) and is_note(t)))
                     for t, h in zip(texts, habit.tolist())], dtype=bool)
    out.bad[at] = ~blank & ~held
    out.mark(PLACEHOLDER, at[held & ~blank])


# --- numbers -----------------------------------------------------------------

def parse_numbers(raw: np.ndarray, *, distinct: bool = False, counts: np.ndarray | None = None) -> Parsed:
    """A column of raw cells -> float64 (NaN for blank or bad) and the bad mask.

    ``distinct`` says no two cells are the same value (a factorised column's uniques):
    each text is then parsed as it comes, without looking for repeats first. ``counts``
    (rows per value) weighs each value when the column's unit is decided.
    Units are kept (``units``) and converted to the column's unit where they convert.
    """
    cells = _object_cells(raw)
    kinds = Kinds(cells)
    values = np.full(len(cells), np.nan)
    bad = np.zeros(len(cells), dtype=bool)
    out = Parsed(values, bad)
    numeric = kinds.mask(float, int)
    if numeric.any():
        values[numeric] = cells[numeric].astype(float)
    texts = kinds.mask(str)
    if texts.any():
        parsed = _per_value(cells[texts], number_and_unit, distinct)
        failed = np.array([v is None for v in parsed], dtype=bool)
        if failed.any():   # 500+200, 1000（含备品50）: read, and said
            tried = cells[texts][failed].tolist()
            written = [written_number(t) for t in tried]
            if any(w is not None for w in written):
                for i, w in zip(np.flatnonzero(failed).tolist(), written):
                    parsed[i] = w
                out.mark(WRITTEN_NUMBER, np.flatnonzero(texts)[failed][[w is not None for w in written]])
                failed = np.array([v is None for v in parsed], dtype=bool)
        values[texts] = [np.nan if v is None else v[0] for v in parsed]
        _mark_failed(out, cells, texts, failed, weights=_weights(counts, len(cells)))
        units = [None if v is None else v[1] for v in parsed]
        if any(u is not None for u in units):
            _settle_units(out, texts, units, _weights(counts, len(cells))[texts])
    bad |= _unreadable(cells, numeric | texts)  # a date or a boolean where a number belongs
    return out


def _settle_units(out: Parsed, texts: np.ndarray, units: list, weights: np.ndarray) -> None:
    typed = out.values[texts]
    labels, odd = settle_units(typed, units, weights)
    out.values[texts] = typed
    out.units = np.full(len(out.values), None, dtype=object)
    out.units[texts] = labels
    if odd.any():
        out.mark(UNIT_MISMATCH, np.flatnonzero(texts)[odd])


# --- dates -------------------------------------------------------------------

def parse_dates(raw: np.ndarray, *, date1904: bool = False, day_first: bool | None = None,
                distinct: bool = False, counts: np.ndarray | None = None, hint: YearHint | None = None) -> Parsed:
    """A column of raw cells -> datetime64 Series (NaT for blank or bad) and the bad mask.

    The day/month order of 03/04/2026 is decided for the whole column (``decide_day_first``;
    ``day_first`` pins it). Year-less dates (4/30, 6.1) take a year near the ``hint``'s and are
    marked YEARLESS for ``settle_years``; 0 and 1900-01-00 are marked MISSING_DATE, TBD and 待定
    PLACEHOLDER: no date, and not bad.
    """
    cells = _object_cells(raw)
    kinds = Kinds(cells)
    dates = np.full(len(cells), np.datetime64("NaT"), dtype="datetime64[us]")
    out = Parsed(dates, np.zeros(len(cells), dtype=bool))
    real = kinds.mask(dt.datetime, dt.date, pd.Timestamp)
    if real.any():
        dates[real] = real_dates(cells[real])
    numeric = kinds.mask(float, int)
    if numeric.any():
        dates[numeric] = serial_dates(cells[numeric], date1904)
        out.bad[numeric] = np.isnat(dates[numeric])
    texts = kinds.mask(str)
    readings: dict[int, Reading | None] = {}
    if texts.any():
        readings.update(zip(np.flatnonzero(texts).tolist(), _per_value(cells[texts], read_date_text, distinct)))
        _several_readings(out, cells, readings)
    if numeric.any():
        _number_readings(cells, numeric, readings)
    if readings:
        _read_dates(out, cells, readings, _weights(counts, len(cells)), day_first, hint or YearHint())
    _mark_missing(out, cells, numeric, date1904)
    clock = kinds.mask(dt.time)   # a bare time: a formula's hours on an empty start date, no day at all
    if clock.any():
        out.mark(MISSING_DATE, np.flatnonzero(clock))
    out.bad |= _unreadable(cells, real | numeric | texts | clock)  # a duration, a boolean
    index = raw.index if isinstance(raw, pd.Series) else None
    out.values = pd.Series(dates, index=index, dtype="datetime64[us]")
    return out


def _several_readings(out: Parsed, cells: np.ndarray, readings: dict[int, Reading | None]) -> None:
    """Several dates in one cell (split deliveries): the first is the cell's date, and it is marked."""
    for i in [i for i, r in readings.items() if r is None]:
        if (first := read_first_of_several(cells[i])) is not None:
            readings[i] = first
            out.mark(SEVERAL_DATES, np.array([i]))


def _number_readings(cells: np.ndarray, numeric: np.ndarray, readings: dict[int, Reading | None]) -> None:
    """6.1 and 12.25 typed into a date column: month.day (Excel keeps them as numbers), not serials."""
    at = np.flatnonzero(numeric)
    nums = cells[at].astype(float)
    small = (nums >= 1) & (nums < 13) & (nums % 1 != 0)
    for i, value in zip(at[small].tolist(), nums[small].tolist()):
        if (reading := month_day_of_number(value)) is not None:
            readings[i] = reading


def _read_dates(out: Parsed, cells: np.ndarray, readings: dict[int, Reading | None], weights: np.ndarray,
                day_first: bool | None, hint: YearHint) -> None:
    """The readings as dates, in the order the column decides; what they could not be is marked."""
    at = np.fromiter(readings, dtype=np.int64, count=len(readings))
    listed = list(readings.values())
    order = decide_day_first(listed, weights[at], day_first)
    today = dt.date.today()
    made = [None if r is None or r is MISSING else date_of(r, order, hint, today) for r in listed]
    out.values[at] = np.array(made, dtype="datetime64[us]")
    failed = np.array([m is None for m in made], dtype=bool)
    missing = np.array([r is MISSING for r in listed], dtype=bool)
    out.bad[at] = failed & ~missing
    out.mark(MISSING_DATE, at[missing])
    out.mark(YEARLESS, at[np.array([r is not None and r.year == 0 for r in listed], dtype=bool) & ~failed])
    out.mark(APPROXIMATE, at[np.array([r is not None and r.approximate for r in listed], dtype=bool) & ~failed])
    out.mark(WEEK_DATE, at[np.array([r is not None and r.week > 0 for r in listed], dtype=bool) & ~failed])
    out.mark(WEEKDAY, at[np.array([isinstance(t, str) and written_weekday(t) is not None for t in cells[at].tolist()],
                                   dtype=bool) & ~failed])
    out.mark(DAY_MONTH, at[np.array([against(r, order) for r in listed], dtype=bool)])
    texts = np.zeros(len(cells), dtype=bool)
    texts[at[[r is None for r in listed]]] = True
    _mark_failed(out, cells, texts, np.ones(len(cells), dtype=bool)[texts])


def _mark_missing(out: Parsed, cells: np.ndarray, numeric: np.ndarray, date1904: bool) -> None:
    """Serial 0 or 1 (1900-01-00, 1900-01-01) and the dates they show as: a date nobody filled in. So is any
    day of the epoch's first year (1900-01-07 07:54): a formula adding hours or days to an empty start date."""
    dates = out.values
    zero = np.isin(dates, _MISSING_DAYS_1904 if date1904 else _MISSING_DAYS)
    zero |= ~np.isnat(dates) & (dates < (_EPOCH_YEAR_END_1904 if date1904 else _EPOCH_YEAR_END))
    if numeric.any():
        zero[numeric] |= np.isin(cells[numeric].astype(float), (0.0, 1.0))
    if zero.any():
        dates[zero] = np.datetime64("NaT")
        out.bad[zero] = False
        out.mark(MISSING_DATE, np.flatnonzero(zero))


_MISSING_DAYS = np.array(["1899-12-30", "1899-12-31", "1900-01-01"], dtype="datetime64[us]")
_MISSING_DAYS_1904 = np.append(_MISSING_DAYS, np.datetime64("1904-01-01", "us"))
#: no register holds a day of the year its spreadsheet's calendar starts in: those are durations shown as dates
_EPOCH_YEAR_END = np.datetime64("1901-01-01", "us")
_EPOCH_YEAR_END_1904 = np.datetime64("1905-01-01", "us")


def settle_table_years(data: dict[str, Any], marks: dict[str, dict[str, np.ndarray]], date_fields: list[str],
                       hint: YearHint) -> None:
    """A table's year-less dates take their row's year (``settle_years``); guesses are marked YEAR_GUESSED."""
    yearless = {f: marks[f][YEARLESS] for f in date_fields if YEARLESS in marks.get(f, {})}
    if not yearless:
        return
    dates = {f: pd.Series(data[f]).copy() for f in date_fields}
    parts = {f: marks[f][APPROXIMATE] for f in yearless if APPROXIMATE in marks[f]}
    weeks = {f: marks[f][WEEK_DATE] for f in yearless if WEEK_DATE in marks[f]}
    guessed = settle_years(dates, yearless, hint, date_fields, parts=parts, weeks=weeks)
    for f in yearless:
        data[f] = dates[f].to_numpy(dtype="datetime64[us]")
    for f, mask in guessed.items():
        marks[f][YEAR_GUESSED] = mask


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


def parse_texts(raw: np.ndarray, *, distinct: bool = False, placeholders: bool = False) -> Parsed:
    """The cells as folded text, None for a blank (``placeholders``: for a placeholder too)."""
    cells = np.empty(len(raw), dtype=object)
    cells[:] = raw
    if distinct:
        return Parsed(_texts_or_none(cells, placeholders), np.zeros(len(cells), dtype=bool))
    factor = factorize(cells)
    return Parsed(factor.spread(_texts_or_none(factor.uniques, placeholders)), np.zeros(len(cells), dtype=bool))


def _texts_or_none(values: np.ndarray, placeholders: bool = False) -> np.ndarray:
    """``text_of(v) or None`` for each value (``placeholders``: None for TBD, 待定, - too). Text that folding
    leaves alone is kept as it is; which text needs folding is found by looking at all of it joined (order
    numbers are all distinct, so per-value work here would run once per row)."""
    out = np.empty(len(values), dtype=object)
    plain = Kinds(values).mask(str)
    texts = values[plain].tolist()
    folded = list(texts)
    for i in _needs_folding(texts):
        folded[i] = text_of(texts[i])
    if placeholders:   # ``is_placeholder`` where it has more to do than look the text up (？？, ＴＢＤ, ???)
        folded = [None if t.lower() in PLACEHOLDERS or ((not t.isascii() or "?" in t) and is_placeholder(t))
                  else t for t in folded]
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
    """Keys keep the text the user typed (trimmed); joins use ``normalise_key``. A placeholder (无, 待定, TBD, -)
    where an order number or code goes is no key: the line has none, and is told so as a blank one is."""
    return parse_texts(raw, distinct=distinct, placeholders=True)


PARSERS: dict[str, Callable[..., Parsed]] = {
    NUMBER: parse_numbers, DATE: parse_dates, EMAIL: parse_emails, KEY: parse_keys,
}


def parse_column(raw: np.ndarray, type_: str, *, date1904: bool = False, day_first: bool | None = None,
                 distinct: bool = False, counts: np.ndarray | None = None, hint: YearHint | None = None) -> Parsed:
    """``distinct``: ``raw`` holds each value once (a factorised column's uniques); ``counts``: rows per value;
    ``day_first`` None lets the column decide its day/month order; ``hint``: the sheet's year and month."""
    if type_ == DATE:
        return parse_dates(raw, date1904=date1904, day_first=day_first, distinct=distinct, counts=counts, hint=hint)
    if type_ == NUMBER:
        return parse_numbers(raw, distinct=distinct, counts=counts)
    return PARSERS.get(type_, parse_texts)(raw, distinct=distinct)


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


def _unreadable(cells: np.ndarray, understood: np.ndarray) -> np.ndarray:
    """Cells of a kind the parser does not take (not missing): bad."""
    out = np.zeros(len(cells), dtype=bool)
    rest = ~understood
    if rest.any():
        out[rest] = ~pd.isna(cells[rest])
    return out

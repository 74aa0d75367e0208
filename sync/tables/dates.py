"""How people type dates: the text grammar, a column's day/month order, year-less dates and their year.

A typed date is first read into a ``Reading`` (its parts, with the day/month
order left open where the text does not fix it: 03/04/2026, 4/30); the
column then decides the order once, from the readings that are unambiguous
(20.04.2021 can only be day-first), never cell by cell. Year-less dates
(4月30, 4/30, 6.1, 30-Apr) get a provisional year here and their row's year
later (``settle_years``), from the row's other dates or the sheet.

A part of a month, as customers promise delivery (9月上旬, 10月底, mid-Sep,
end of Oct 2026), reads as the day that part ends on (``PARTS``): a due date
of 9月上旬 is met by 10 September. Such a reading is ``approximate``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
#: months as they are spelt: abbreviated, in full, and Sept (not ``calendar.month_name``: it follows the locale)
_MONTH_NAMES = frozenset([*_MONTHS, "sept", "january", "february", "march", "april", "june", "july", "august",
                          "september", "october", "november", "december"])
_TIME = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?" + _TIME + r"$")
_DMY = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})[-/.](\d{4})" + _TIME + r"$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_D_MON_Y = re.compile(r"^(\d{1,2})[\s-]*([A-Za-z]{3,9})\.?[\s,-]*(\d{4}|\d{2})$")
_MON_D_Y = re.compile(r"^([A-Za-z]{3,9})\.?\s*(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4}|'?\d{2})$")
#: a two-digit year after day and month with slashes (9/30/26, 30/9/26); with dashes or dots (26-09-30,
#: 26.08.01) many write the year first, and those are left unread
_DMY2 = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2})$")
# year-less: 4月30(日), 4/30, 6.1, 30-Apr, 30 Apr, Apr 30
_MD_CN = re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$")
_AB = re.compile(r"^(\d{1,2})\s*([/.])\s*(\d{1,2})$")
_D_MON = re.compile(r"^(\d{1,2})[\s-]*([A-Za-z]{3,9})\.?$")
_MON_D = re.compile(r"^([A-Za-z]{3,9})\.?[\s-]*(\d{1,2})(?:st|nd|rd|th)?$")
#: a reading's day that is the last of its month, whichever month and year that is (9月底, end of Feb)
LAST_DAY = -1
#: the parts of a month people promise a date by, and the day each part ends on: 上旬 the 1st-10th, 中旬 the
#: 11th-20th, 下旬 the 21st to the end; 月初 the first days, 月中 around the 15th, 月底 the last days
PARTS = {"上旬": 10, "初": 10, "月初": 10, "中旬": 20, "中": 15, "月中": 15, "下旬": LAST_DAY, "底": LAST_DAY,
         "末": LAST_DAY, "月底": LAST_DAY, "月末": LAST_DAY,
         "early": 10, "beginning of": 10, "mid": 15, "middle of": 15, "late": LAST_DAY, "end of": LAST_DAY,
         "end": LAST_DAY}
_PART_CN = re.compile(r"^(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(上旬|中旬|下旬|月初|月中|月底|月末|初|中|底|末)$")
_PART_EN = re.compile(r"^(early|beginning of|mid|middle of|late|end of|end)[\s-]*([A-Za-z]{3,9})\.?(?:[\s,]+(\d{4}))?$",
                      re.IGNORECASE)
#: what "no date" looks like when a formula or a habit fills the cell: serial 0 shown as a date
_MISSING_TEXTS = frozenset({"0", "1900-01-00", "1900/01/00", "1900/1/0", "1900-1-0", "1900.1.0", "0000-00-00",
                            "00/00/0000", "00.00.0000", "1900年1月0日"})


class Reading(NamedTuple):
    """One typed date's parts. ``flexible``: ``a``/``b`` may be month/day or day/month (03/04/2026);
    otherwise ``a`` is the month and ``b`` the day. ``year`` 0: the text gave no year."""

    year: int
    a: int
    b: int
    clock: tuple[int, int, int] = (0, 0, 0)
    flexible: bool = False
    dotted: bool = False
    approximate: bool = False   # a part of a month (9月上旬): ``b`` is the day it ends on
    week: int = 0               # a week of the year (W38, KW 38, 第38周): the date is its last day, a Sunday

    @property
    def day_first_evidence(self) -> bool:
        return self.flexible and self.a > 12 >= self.b

    @property
    def month_first_evidence(self) -> bool:
        return self.flexible and self.b > 12 >= self.a

    def month_day(self, day_first: bool) -> tuple[int, int]:
        if not self.flexible or self.month_first_evidence:
            return self.a, self.b
        if self.day_first_evidence or day_first:
            return self.b, self.a
        return self.a, self.b


#: a text that means "no date" (1900-01-00, 0)
MISSING = Reading(-1, 0, 0)


@lru_cache(maxsize=16384)
def read_date_text(text: str) -> Reading | None:
    """The parts of a typed date, or None when the text is not a date (MISSING for 1900-01-00)."""
    s = unicodedata.normalize("NFKC", text).strip()
    if s in _MISSING_TEXTS:
        return MISSING
    if m := _YMD.match(s):
        return Reading(int(m[1]), int(m[2]), int(m[3]), _clock(m[4], m[5], m[6]))
    if m := _DMY.match(s):
        return Reading(int(m[4]), int(m[1]), int(m[3]), _clock(m[5], m[6], m[7]), True, m[2] == ".")
    if m := _COMPACT.match(s):
        return Reading(int(m[1]), int(m[2]), int(m[3]))
    if m := _DMY2.match(s):
        return Reading(_full_year(m[3]), int(m[1]), int(m[2]), flexible=True)
    if m := _D_MON_Y.match(s):
        return _named(_full_year(m[3]), m[2], int(m[1]), exact=len(m[3]) < 4)
    if m := _MON_D_Y.match(s):
        return _named(_full_year(m[3]), m[1], int(m[2]), exact=len(m[3]) < 4)
    if (bare := _without_weekday(s)) != s and bare:   # 9/15(周二), 2026-09-15 星期二, Tue 15 Sep 2026
        return read_date_text(bare)
    if m := _BY.match(s):   # 9月15日前, by 15 Sep: due on that day
        return read_date_text(m["date"] or m["zh"])
    return _year_less(s) or _part_of_month(s) or _week(s)


#: a week of the year, as export orders give ship dates: W38, wk 38, KW38, CW38, week 38, 2026-W38, W38/2026
_WEEK = re.compile(r"(?i)^(?:(\d{4})\s*[-/.]?\s*)?(?:w|wk|kw|cw|week)\.?\s*(\d{1,2})(?:\s*[-/,]\s*(\d{4}))?$")
#: ... and in Chinese: 第38周, 2026年第38周
_WEEK_CN = re.compile(r"^(?:(\d{4})\s*年\s*)?第\s*(\d{1,2})\s*周$")


def _week(s: str) -> Reading | None:
    m = _WEEK.match(s)
    year = int(m[1] or m[3] or 0) if m else 0
    if m is None and (m := _WEEK_CN.match(s)) is not None:
        year = int(m[1] or 0)
    if m is None or not 1 <= int(m[2]) <= 53:
        return None
    return Reading(year, 0, 0, week=int(m[2]))


def week_end(year: int, week: int) -> dt.datetime | None:
    """The last day (Sunday) of ISO week ``week`` of ``year``; None for a week 53 the year does not have."""
    try:
        return dt.datetime.combine(dt.date.fromisocalendar(year, week, 7), dt.time())
    except ValueError:
        return None


#: the day of the week written beside a date: (周二), 星期二, 礼拜二, (二), Tue, Tuesday,
_WEEKDAY = re.compile(r"[(（]\s*(?:周|星期|礼拜|禮拜)?[一二三四五六日天]\s*[)）]|(?:周|星期|礼拜|禮拜)[一二三四五六日天]"
                      r"|(?i:\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday|sday)?\b\.?)")


_DAYS_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_DAYS_EN = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def written_weekday(text: str) -> int | None:
    """The day of the week written beside a date (Monday 0 … Sunday 6), None when none is."""
    m = _WEEKDAY.search(text)
    if m is None:
        return None
    said = m.group(0).strip("()（） \t").lower()
    if said[-1:] in _DAYS_ZH:
        return _DAYS_ZH[said[-1]]
    return _DAYS_EN.index(said[:3]) if said[:3] in _DAYS_EN else None


def _without_weekday(s: str) -> str:
    """``s`` without the weekday written beside its date, and the commas and spaces left around it."""
    return " ".join(_WEEKDAY.sub(" ", s).replace(",", " ").replace("，", " ").split()) if _WEEKDAY.search(s) else s


#: a date said as a deadline: 9月15日前, 9.15之前, before 15 Sep, by 9/15
_BY = re.compile(r"(?i)^(?:(?:by|before)\s+(?P<date>\S.*)|(?P<zh>\S.*?)\s*(?:之前|以前|前))$")


def _full_year(text: str) -> int:
    """2026 as written; a two-digit year (26, '26) is this century's."""
    digits = text.lstrip("'")
    return int(digits) + (2000 if len(digits) == 2 else 0)


def _part_of_month(s: str) -> Reading | None:
    """9月上旬, 2026年10月底, mid-Sep, end of Oct 2026: the day that part of the month ends on."""
    if m := _PART_CN.match(s):
        year, month, part = int(m[1] or 0), int(m[2]), m[3]
    elif m := _PART_EN.match(s):
        year, month, part = int(m[3] or 0), _MONTHS.get(m[2][:3].lower(), 0), " ".join(m[1].lower().split())
    else:
        return None
    return Reading(year, month, PARTS[part], approximate=True) if 1 <= month <= 12 else None


_SEVERAL = re.compile(r"\s*[,，;；、&]\s*")
#: a span of days: 20/4-21/4, 4.20~4.22, 4月20日至4月22日 (a dash splits only where both sides are dates)
_QUOTES = " '\"‘’“”"
_SPAN = re.compile(r"\s*(?:~|～|至|到|—|–|-)\s*")


def read_first_of_several(text: str) -> Reading | None:
    """'11/22,12/25' (split deliveries, each with its date) or a span '20/4-21/4': the first date, when every
    part is a date."""
    folded = unicodedata.normalize("NFKC", text).strip()
    parts = [p for p in _SEVERAL.split(folded) if p]
    if len(parts) < 2:
        parts = [p for p in _SPAN.split(folded) if p]
    if len(parts) < 2 and "." in folded:   # 9.15/9.30: dotted dates, a slash between them
        parts = [p for p in folded.split("/") if p]
    parts = [q for p in parts if (q := p.strip(_QUOTES))]   # '13/4-'14/4: a text prefix typed mid-cell
    if len(parts) < 2:
        return None
    readings = [read_date_text(p) for p in parts]
    if any(r is None or r is MISSING for r in readings):
        return None
    return readings[0]


def is_span(text: str) -> bool:
    """'13/4-14/4', '4/13~4/15': two dates joined as a span of days (production days), not a list of dates."""
    folded = unicodedata.normalize("NFKC", text).strip()
    return len([p for p in _SEVERAL.split(folded) if p]) < 2 and len([p for p in _SPAN.split(folded) if p]) == 2


def _year_less(s: str) -> Reading | None:
    if m := _MD_CN.match(s):
        return Reading(0, int(m[1]), int(m[2]))
    if m := _AB.match(s):
        # 6.1 is 1 June (month.day, as dotted year-less dates are written here); 4/30 follows the column
        return Reading(0, int(m[1]), int(m[3]), flexible=m[2] == "/", dotted=m[2] == ".")
    if m := _D_MON.match(s):
        return _named(0, m[2], int(m[1]))
    if m := _MON_D.match(s):
        return _named(0, m[1], int(m[2]))
    return None


def _named(year: int, month_name: str, day: int, *, exact: bool = False) -> Reading | None:
    """``exact``: the month must be spelt as one is (Aug, August, Sept), not only begin as one does (Nove):
    with a two-digit year, the text has less to vouch for it."""
    name = month_name.lower()
    month = _MONTHS.get(name[:3])
    if exact and name not in _MONTH_NAMES:
        return None
    return Reading(year, month, day) if month else None


def _clock(hh: str | None, mm: str | None, ss: str | None) -> tuple[int, int, int]:
    return int(hh or 0), int(mm or 0), int(ss or 0)


def month_day_of_number(value: float) -> Reading | None:
    """6.1 typed into a date column (Excel keeps it as a number): month 6, day 1; None for serials."""
    if not 1 <= value < 13 or value == int(value):
        return None
    month, _, day = f"{value:.10g}".partition(".")   # 1.0000000000004 (a computed figure) shows no day
    return Reading(0, int(month), int(day)) if 1 <= len(day) <= 2 else None


def decide_day_first(readings: list[Reading | None], weights: np.ndarray, pinned: bool | None) -> bool:
    """The column's order: pinned by config, else what its unambiguous values say (more rows win),
    else day-first only for dotted dates with a year (20.04.2021 is how dotted dates are written)."""
    if pinned is not None:
        return pinned
    day = month = dotted = flexible = 0
    for reading, weight in zip(readings, weights.tolist()):
        if reading is None or not reading.flexible:
            continue
        flexible += weight
        day += weight * reading.day_first_evidence
        month += weight * reading.month_first_evidence
        dotted += weight * (reading.dotted and reading.year > 0)
    if day != month:
        return day > month
    return flexible > 0 and dotted * 2 > flexible


def against(reading: Reading | None, day_first: bool) -> bool:
    """The value can only be read in the order the column did not take: evidence against it."""
    return reading is not None and (reading.month_first_evidence if day_first else reading.day_first_evidence)


def date_of(reading: Reading, day_first: bool, hint: YearHint, today: dt.date) -> dt.datetime | None:
    """The date a reading means; a year-less one takes its year from ``hint`` (``hinted``)."""
    if reading.week:
        return week_end(reading.year, reading.week) if reading.year else hinted_week(reading.week, hint, today)
    month, day = reading.month_day(day_first)
    if reading.year:
        return _make(reading.year, month, day, *reading.clock)
    return hinted(month, day, hint, today)


def hinted(month: int, day: int, hint: YearHint, fallback: dt.date) -> dt.datetime | None:
    """A year-less date in the sheet's year: the named year itself, or the year nearest its month
    (Dec 25 on a '2027-01' tab is 2026), or the year nearest ``fallback``."""
    if hint.year and not hint.month:
        return _make(hint.year, month, day)
    return year_near(month, day, hint.anchor(fallback))


def hinted_week(week: int, hint: YearHint, fallback: dt.date) -> dt.datetime | None:
    """A year-less week (W38) in the sheet's year, as ``hinted`` places a year-less day."""
    if hint.year and not hint.month:
        return week_end(hint.year, week)
    return week_near(week, hint.anchor(fallback))


def _make(y: int, mo: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> dt.datetime | None:
    try:
        if d == LAST_DAY:
            d = calendar.monthrange(y, mo)[1]
        return dt.datetime(y, mo, d, hh, mm, ss)
    except (ValueError, TypeError):
        return None


#: a year-less date is taken to lie within this many days before / after what it is dated against:
#: due dates and deliveries come after the order, rarely long before it
_BEFORE, _AFTER = 92, 273


def year_near(month: int, day: int, anchor: dt.date, *, after: bool = True) -> dt.datetime | None:
    """Month and day in the year that places them in the window around ``anchor``: mostly after it,
    or (``after`` False: dated against a later date, an order date against its due date) mostly before."""
    made = [d for y in (anchor.year - 1, anchor.year, anchor.year + 1) if (d := _make(y, month, day))]
    low, high = (-_BEFORE, _AFTER) if after else (-_AFTER + 1, _BEFORE + 1)
    for d in made:
        if low <= (d.date() - anchor).days < high:
            return d
    return min(made, key=lambda d: abs((d.date() - anchor).days), default=None)


def week_near(week: int, anchor: dt.date, *, after: bool = True) -> dt.datetime | None:
    """The end of week ``week`` in the year that places it in the window around ``anchor`` (as ``year_near``)."""
    made = [d for y in (anchor.year - 1, anchor.year, anchor.year + 1) if (d := week_end(y, week))]
    low, high = (-_BEFORE, _AFTER) if after else (-_AFTER + 1, _BEFORE + 1)
    for d in made:
        if low <= (d.date() - anchor).days < high:
            return d
    return min(made, key=lambda d: abs((d.date() - anchor).days), default=None)


def parse_date_text(text: str, *, day_first: bool = False) -> dt.datetime | None:
    """'2026/09/15' '2026.9.15' '2026-9-5' '2026年9月15日' '15 Sep 2026' 'Sep 15, 2026' '20260915' '03/04/2026'.

    One text alone: the order of 03/04/2026 is ``day_first``; year-less and "no date" texts are None.
    """
    reading = read_date_text(text)
    if reading is None or reading.year <= 0:
        return None
    return date_of(reading, day_first, YearHint(), dt.date.today())


# --- dates that are already dates, and Excel serials -------------------------------

EXCEL_EPOCH_1900 = dt.datetime(1899, 12, 30)
EXCEL_EPOCH_1904 = dt.datetime(1904, 1, 1)
#: serials outside these bounds are not dates a register holds (1900-01-01 .. 9999)
SERIAL_MIN, SERIAL_MAX = 1, 2_958_465


def serial_to_datetime(serial: float, date1904: bool = False) -> dt.datetime | None:
    if not SERIAL_MIN <= serial <= SERIAL_MAX:
        return None
    epoch = EXCEL_EPOCH_1904 if date1904 else EXCEL_EPOCH_1900
    return epoch + dt.timedelta(days=float(serial))


def real_dates(cells: np.ndarray) -> np.ndarray:
    """Dates and datetimes as datetime64[us]; numpy converts plain ones itself, pandas the rest."""
    if all(type(v) is dt.date or (type(v) is dt.datetime and v.tzinfo is None) for v in cells):
        return np.array(cells.tolist(), dtype="datetime64[us]")
    return pd.to_datetime(pd.Series(cells, dtype=object).map(_as_datetime)).to_numpy()


def serial_dates(cells: np.ndarray, date1904: bool) -> np.ndarray:
    """Excel serials (and 20210101 typed as a number) as datetime64[us]; NaT for any other number."""
    nums = pd.Series(cells, dtype=object).astype(float)
    compact = (nums >= 19000101) & (nums <= 21001231) & (nums % 1 == 0)
    serial = nums.where(~compact)
    epoch = EXCEL_EPOCH_1904 if date1904 else EXCEL_EPOCH_1900
    in_range = serial.between(SERIAL_MIN, SERIAL_MAX)
    converted = pd.Series(pd.NaT, index=nums.index, dtype="datetime64[us]")
    # in microseconds, rounded to the second: a serial of the year 2219 (a typo, a figure taken for one) is beyond
    # what nanosecond timedeltas hold
    seconds = np.round(serial[in_range].to_numpy(dtype=float) * 86400).astype("int64")
    converted[in_range] = np.datetime64(epoch, "us") + seconds.astype("timedelta64[s]")
    if compact.any():
        converted[compact] = pd.to_datetime(nums[compact].astype("int64").astype(str), format="%Y%m%d",
                                            errors="coerce")
    return converted.to_numpy()


def _as_datetime(v: Any) -> dt.datetime:
    return v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day)


# --- the year of a year-less date ---------------------------------------------

@dataclass(frozen=True)
class YearHint:
    """What a sheet says about when its dates are: a tab '2026-06' / 'Sep 2026' / '6月', a title '2026年订单'.

    ``year`` only when the sheet or title names it; ``month`` from a monthly tab.
    """

    year: int | None = None
    month: int | None = None

    @property
    def sure(self) -> bool:
        return self.year is not None

    def anchor(self, fallback: dt.date) -> dt.date:
        """Where the sheet's dates sit: the start of its month (or year); else the fallback's year."""
        if self.year is None:
            return dt.date(fallback.year, self.month, 1) if self.month else fallback
        return dt.date(self.year, self.month or 1, 1)


_Y_M = re.compile(r"(?<!\d)(20\d{2}|19\d{2})\s*[-_/.年]\s*(\d{1,2})(?!\d)")
_M_CN = re.compile(r"(?<!\d)(\d{1,2})\s*月")
_YEAR = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(?!\d)")
_MONTH_WORD = re.compile(r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\b")


def year_hint(sheet: str, title: str = "") -> YearHint:
    """The year and month a sheet's name (else its title) names, if any."""
    year = month = None
    for text in (sheet, title):
        s = unicodedata.normalize("NFKC", text or "")
        if (m := _Y_M.search(s)) and 1 <= int(m[2]) <= 12:
            year, month = year or int(m[1]), month or int(m[2])
        if month is None and (m := _M_CN.search(s)) and 1 <= int(m[1]) <= 12:
            month = int(m[1])
        if month is None and (m := _MONTH_WORD.search(s)):
            month = _MONTHS[m[1].lower()]
        if year is None and (m := _YEAR.search(s)):
            year = int(m[1])
    return YearHint(year, month)


def settle_years(dates: dict[str, pd.Series], yearless: dict[str, np.ndarray], hint: YearHint,
                 order: list[str], today: dt.date | None = None,
                 parts: dict[str, np.ndarray] | None = None,
                 weeks: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Give each year-less date its row's year, in place; returns, per field, the rows where it is a guess.

    The year comes from the row's order date, else the nearest full date in the row (``order`` lists
    the date fields in column order), else the sheet (``hint``); without those it is guessed from the
    table's own dates (else today) and the row is returned as a guess. ``parts``: the rows that read a
    part of a month (9月底): one that ended on its month's last day ends on it in the year it takes (2月底);
    ``weeks``: the rows that read a week (W38), which ends on that week's Sunday in the year it takes.
    """
    full = {f: s.to_numpy(dtype="datetime64[us]").copy() for f, s in dates.items()}
    for f, mask in yearless.items():
        full[f][mask] = np.datetime64("NaT")
    fallback = _middle(full) or today or dt.date.today()
    guessed: dict[str, np.ndarray] = {}
    for f, mask in yearless.items():
        if not mask.any():
            continue
        anchors, later = _row_anchors(f, full, order)
        rows = np.flatnonzero(mask & ~pd.isna(dates[f]).to_numpy())
        values = dates[f].to_numpy(dtype="datetime64[us]").copy()
        ends, weekly = (parts or {}).get(f), (weeks or {}).get(f)
        for i in rows.tolist():
            anchor = anchors[i]
            day = pd.Timestamp(values[i])
            d = LAST_DAY if ends is not None and ends[i] and day.is_month_end else day.day
            if weekly is not None and weekly[i]:
                week = day.isocalendar().week
                settled = (hinted_week(week, hint, fallback) if np.isnat(anchor)
                           else week_near(week, pd.Timestamp(anchor).date(), after=not later[i]))
            elif np.isnat(anchor):
                settled = hinted(day.month, d, hint, fallback)
            else:
                settled = year_near(day.month, d, pd.Timestamp(anchor).date(), after=not later[i])
            values[i] = np.datetime64(settled, "us") if settled else np.datetime64("NaT")
        dates[f][:] = values
        guess = mask & np.isnat(anchors)
        if not hint.sure and guess.any():
            guessed[f] = guess
    return guessed


def _row_anchors(name: str, full: dict[str, np.ndarray], order: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the order date, else the full date in the nearest other date column; and whether
    that date stands right of ``name`` (a later step: the year-less date lies before it)."""
    others = [f for f in order if f != name and f in full]
    here = order.index(name) if name in order else 0
    others.sort(key=lambda f: (f != "order_date", abs(order.index(f) - here)))
    n = len(next(iter(full.values())))
    anchors = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    later = np.zeros(n, dtype=bool)
    for f in others:
        empty = np.isnat(anchors)
        anchors[empty] = full[f][empty]
        later[empty & ~np.isnat(full[f])] = f != "order_date" and order.index(f) > here
    return anchors, later


def _middle(full: dict[str, np.ndarray]) -> dt.date | None:
    """The median of the table's full dates: where a sheet with no year in its name sits."""
    known = [v[~np.isnat(v)] for v in full.values()]
    known = np.concatenate(known) if known else np.array([], dtype="datetime64[us]")
    if not len(known):
        return None
    return pd.Timestamp(np.sort(known)[len(known) // 2]).date()

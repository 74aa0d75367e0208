"""Headers that name a stretch of time: weeks, months, quarters, day ranges, dates.

A plan's columns are its periods (W17, 第45周, Feb 2nd Week, Jan, OCT Planned, 10月, OND,
Q3, Aug 03 to 09, or a date cell); ``plans`` counts them as evidence, ``stacked`` as
header cells of a table stacked under another. Tabs are named by periods too (7月 | 8月
| 9月, 2026年9月订单, W38): ``sheet_template`` is the shape of such a name, the pattern a
config reads every such tab by, next month's included.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sync.tables.labels import header_key

_MONTHS = ("jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june", "jul", "july",
           "aug", "august", "sep", "sept", "september", "oct", "october", "nov", "november", "dec", "december")
_MONTH = re.compile(r"(?<![a-z])(" + "|".join(_MONTHS) + r")(?![a-z])|(?<!\d)(1[0-2]|[1-9])月")
_WEEK = re.compile(r"(?<![a-z])(w|wk|week)\s*\d{1,2}(?!\d)|\d{1,2}\s*(st|nd|rd|th)?\s*wee+k|第\s*\d+\s*周|"
                   r"(?<![a-z])week(?![a-z])")
_QUARTER = re.compile(r"^(q[1-4]|jfm|amj|jas|ond|[1-4一二三四]季度?)$")


def is_period(label: Any) -> bool:
    """A header naming a stretch of time: a week, a month, a quarter, a day range, or a date cell."""
    if isinstance(label, (dt.date, dt.datetime)):
        return True
    if not isinstance(label, str):
        return False
    text = " ".join(label.lower().split())
    if not text or len(text) > 30:
        return False
    return bool(_QUARTER.match(header_key(text)) or _WEEK.search(text) or _MONTH.search(text))


_MONTH_WORD = re.compile(r"(?<![A-Za-z])(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")(?![A-Za-z])",
                         re.IGNORECASE)
_LITERAL = re.compile(r"[A-Za-z\u4e00-\u9fff]")


def sheet_template(name: str) -> str | None:
    """The shape of a tab named by a period, as a sheet pattern (``fnmatch``): its numbers and month names
    stood for by ``*`` (7月 -> *月, 2026年9月订单 -> *年*月订单, Sep-Orders -> *-Orders, W38 -> W*); None for a
    name with no number or month in it, or with nothing but them (2026.07, Jul: no word to tell it by)."""
    shape = re.sub(r"\d+", "*", _MONTH_WORD.sub("*", name))
    shape = re.sub(r"\*+", "*", shape)
    if shape == name or not _LITERAL.search(shape.replace("*", "")):
        return None
    return shape

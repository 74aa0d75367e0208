"""Dates that cannot be right: a year typed wrong (2062, 1926 for 2026), a thing done in the future."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pandas as pd
from pydantic import Field

from sync.checks.base import Check, Context
from sync.findings import Finding
from sync.i18n import Text
from sync.tables.table import Table


def likely_year(year: int, today: dt.date, lo: int, hi: int) -> int | None:
    """The plausible year a typo most likely meant: digits swapped (2062, 2206) or century slipped (1926)."""
    s = str(year)
    candidates = set()
    if len(s) == 4:
        for i in range(3):
            candidates.add(int(s[:i] + s[i + 1] + s[i] + s[i + 2:]))
        candidates.add(int(str(today.year)[:2] + s[2:]))
        candidates.add(int(str(today.year)[:3] + s[3]))
    fits = [c for c in candidates if lo <= c <= hi]
    return min(fits, key=lambda c: (abs(c - today.year), c)) if fits else None


class DateYear(Check):
    """Dates whose year is outside ``years_back`` .. ``years_ahead`` of today, with the year probably meant."""

    type = "date-year"
    MESSAGE = Text("{column} {value} 的年份 {year} 不合理", "{column} {value}: the year {year} is implausible")
    HINT = Text("是否应为 {suggestion}？", "did you mean {suggestion}?")
    PLACEHOLDERS = frozenset({"year", "suggestion"})
    fields: list[str] = Field(min_length=1)
    years_back: int = Field(default=5, ge=0)
    years_ahead: int = Field(default=3, ge=0)

    def fields_needed(self) -> list[str]:
        return list(self.fields)

    def run(self, table: Table, ctx: Context) -> Iterator[Finding]:
        lo, hi = ctx.today.year - self.years_back, ctx.today.year + self.years_ahead
        own = register_years(pd.concat([table.data[name].dt.year for name in self.fields]))
        for name in self.fields:
            col = table.data[name]
            years = col.dt.year
            out = col.notna() & ((years < lo) | (years > hi))
            if own is not None:   # a year the register itself keeps (a 2019-2021 book read today) is no typo
                out &= ~years.between(*own)
            out = out.to_numpy(dtype=bool)
            if not out.any():
                continue
            flagged = col[out]
            suggestions = []
            for when in flagged:
                year = likely_year(when.year, ctx.today, lo, hi)
                suggestions.append(_replace_year(when, year) if year else f"{ctx.today.year}-…")
            yield from self.flag(table, ctx, out, name, {"year": flagged.dt.year.to_numpy(),
                                                         "suggestion": suggestions})


#: a year is one the register keeps when this share of its dates (and at least ``YEAR_ROWS``) fall in it
YEAR_SHARE = 0.01
YEAR_ROWS = 3
#: years further apart than this are separate spans (a block of 2062 typed down is not the register's)
YEAR_GAP = 2


def register_years(years: pd.Series) -> tuple[int, int] | None:
    """The span of years the register keeps: the run of well-used years around its median date's year.

    A typo year stands on a row or two, so it is never well used; a year typed wrong down a whole
    block stands apart from the others, and the median keeps to the register's own span."""
    years = years.dropna().astype(int)
    if not len(years):
        return None
    counts = years.value_counts()
    used = sorted(int(y) for y, n in counts.items() if n >= max(YEAR_ROWS, YEAR_SHARE * len(years)))
    middle = int(years.median())
    if not used:
        return None
    lo = hi = min(used, key=lambda y: abs(y - middle))
    for y in used:
        if hi < y <= hi + YEAR_GAP:
            hi = y
    for y in reversed(used):
        if lo - YEAR_GAP <= y < lo:
            lo = y
    return lo, hi


def _replace_year(when: pd.Timestamp, year: int) -> str:
    day = min(when.day, 28) if when.month == 2 else when.day
    return dt.date(year, when.month, day).isoformat()


class DateFuture(Check):
    """Dates that record something done (arrived, shipped, inspected) cannot be after today."""

    type = "date-future"
    MESSAGE = Text("{column} {value} 晚于今天（{today}）", "{column} {value} is after today ({today})")
    HINT = Text("实际发生的日期不能是将来的日期；如是计划日期，请填到计划列",
                "a date something happened cannot be in the future; a planned date belongs in a planned column")
    PLACEHOLDERS = frozenset({"today", "days"})
    fields: list[str] = Field(min_length=1)
    grace_days: int = Field(default=1, ge=0)

    def fields_needed(self) -> list[str]:
        return list(self.fields)

    def run(self, table: Table, ctx: Context) -> Iterator[Finding]:
        limit = pd.Timestamp(ctx.today) + pd.Timedelta(days=self.grace_days + 1)
        for name in self.fields:
            col = table.data[name]
            out = (col >= limit).to_numpy(dtype=bool)
            if out.any():
                days = (col[out] - pd.Timestamp(ctx.today)).dt.days.to_numpy()
                yield from self.flag(table, ctx, out, name, {"today": [ctx.today.isoformat()] * len(days),
                                                             "days": days.astype(np.int64)})

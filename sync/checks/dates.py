"""Dates that cannot be right: a year typed wrong (2062, 1926 for 2026), a thing done in the future."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import ClassVar

import numpy as np
import pandas as pd
from pydantic import Field

from sync.checks.base import Check, Context
from sync.findings import WARNING, Finding
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
    OLD_MESSAGE: ClassVar[Text] = Text("{column} {value} 比登记表的其他日期早好几年，请确认",
                       "{column} {value} is years before the register's other dates: please confirm")
    OLD_HINT: ClassVar[Text] = Text("没有哪种笔误会得出这个年份；如果是多年前的旧单，请忽略，否则请改正",
                    "no slip of the hand gives this year; if it is an order of years ago, ignore this, else correct it")
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
                out &= ~years.between(*own) & ~_next_to(col, own)
            out = out.to_numpy(dtype=bool)
            if not out.any():
                continue
            flagged = col[out]
            meant = [likely_year(when.year, ctx.today, lo, hi) for when in flagged]
            fill = {"year": flagged.dt.year.to_numpy(),
                    "suggestion": [_replace_year(when, year) if year else f"{ctx.today.year}-…"
                                   for when, year in zip(flagged, meant)]}
            positions = np.flatnonzero(out)
            # no slip of the hand explains a year in the past (2020 read in 2026): an old entry, to confirm
            old = np.array([year is None and when.year < lo for when, year in zip(flagged, meant)], dtype=bool)
            for group, severity, message, hint in ((~old, None, None, None),
                                                   (old, WARNING, self.OLD_MESSAGE, self.OLD_HINT)):
                if group.any():
                    yield from self.flag_at(table, ctx, positions[group], name,
                                            {k: np.asarray(v, dtype=object)[group] for k, v in fill.items()},
                                            severity=severity, message=message, hint=hint)


#: a year is one the register keeps when this share of its dates (and at least ``YEAR_ROWS``) fall in it
YEAR_SHARE = 0.01
YEAR_ROWS = 3
#: years further apart than this are separate spans (a block of 2062 typed down is not the register's)
YEAR_GAP = 2
#: a date this close outside the register's years runs on from them (shipped 2018-01-02 on a 2017 order)
EDGE_DAYS = 92


def _next_to(col: pd.Series, span: tuple[int, int]) -> pd.Series:
    """Dates within ``EDGE_DAYS`` before or after the years ``span``."""
    start = pd.Timestamp(span[0], 1, 1) - pd.Timedelta(days=EDGE_DAYS)
    end = pd.Timestamp(span[1], 12, 31) + pd.Timedelta(days=EDGE_DAYS)
    return col.between(start, end)


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

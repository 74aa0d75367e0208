"""Working days, holidays and the one clock every command and notice runs by.

Reminder intervals are counted in working days: a reminder due "in 3 days" on a
Friday before a holiday week is not due on the Monday of that week. Chinese
factories also work some weekends in exchange for holidays (调休), so a
weekend day can be listed as a working day. ``calendar = "cn"`` in [reminders]
takes the statutory holidays and make-up days from the ``chinese_calendar``
package (``statutory_days``); the hand-typed lists stay as overrides.

"Today" is the day where the register is kept ([service] timezone), never the
host's: at 01:25 in Shanghai a UTC host is still on the day before.
``local_now``/``local_today`` are the one place commands read the time;
``ORDERSYNC_NOW`` (an ISO instant, e.g. ``2026-09-14T17:25:00Z``) pins it, to
replay a day or to test. ``Clock`` lets the daemon's tests move time forward
without sleeping: ``MovableClock(...).advance(days=1)``.
"""

from __future__ import annotations

import logging
import os
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from collections.abc import Mapping
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sync.config import RemindersConfig, validated
from sync.errors import ConfigError, UserError

ENV_NOW = "ORDERSYNC_NOW"
log = logging.getLogger(__name__)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = frozenset()
    #: weekday numbers that are working days (Monday = 0)
    weekdays: frozenset[int] = frozenset(range(5))
    #: weekend days worked in exchange for a holiday (调休)
    extra_days: frozenset[date] = field(default_factory=frozenset)
    #: the years a statutory calendar knows (first, last); outside them only weekends and the lists count
    known_years: tuple[int, int] | None = None

    def is_working(self, day: date) -> bool:
        self._beyond(day)
        if day in self.extra_days:
            return True
        return day.weekday() in self.weekdays and day not in self.holidays

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after ``day`` (before it for negative n); n=0 gives ``day`` itself."""
        step = 1 if n >= 0 else -1
        left = abs(n)
        for _ in range(3700):   # ten years: a bound so a calendar with no working days cannot hang
            if left == 0:
                return day
            day += timedelta(days=step)
            if self.is_working(day):
                left -= 1
        raise ConfigError("the working calendar has no working days: check [reminders] workdays and holidays")

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``; negative when ``end`` is earlier.

        Friday -> next Monday is 1; a day with itself is 0.
        """
        if end < start:
            return -self.working_days_between(end, start)
        self._beyond(start)
        self._beyond(end)
        if isinstance(start, datetime) or isinstance(end, datetime):   # walked: a datetime is never a listed day
            return sum(1 for i in range(1, (end - start).days + 1) if self.is_working(start + timedelta(days=i)))
        return self._counts.between(start.toordinal(), end.toordinal())

    def _beyond(self, day: date) -> None:
        if self.known_years and not self.known_years[0] <= day.year <= self.known_years[1]:
            warn_beyond(day.year, self.known_years)

    @cached_property
    def _counts(self) -> _DayCounts:
        return _DayCounts(self)

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the next one."""
        return day if self.is_working(day) else self.add_working_days(day, 1)


class _DayCounts:
    """``is_working`` days in a span of days, counted without walking it: whole weeks times the
    working weekdays, the part week from a table, then the listed days that turn a weekday
    off (holidays) or a day on (调休) looked up with ``bisect``. Ordinals throughout."""

    def __init__(self, cal: WorkCalendar) -> None:
        week = cal.weekdays
        self.per_week = sum(w in week for w in range(7))
        # part[w][r]: working weekdays among the r days after a day of weekday w
        self.part = [[sum((w + i) % 7 in week for i in range(1, r + 1)) for r in range(7)] for w in range(7)]
        # the only days whose weekday alone does not say (a datetime never equals the days counted)
        listed = [d for d in cal.holidays | cal.extra_days if not isinstance(d, datetime)]
        self.off = sorted(d.toordinal() for d in listed if d.weekday() in week and not cal.is_working(d))
        self.on = sorted(d.toordinal() for d in listed if d.weekday() not in week and cal.is_working(d))

    def between(self, start: int, end: int) -> int:
        """Working days in ``start`` < day <= ``end`` (ordinals, ``start`` <= ``end``)."""
        weeks, rest = divmod(end - start, 7)
        count = weeks * self.per_week + self.part[(start - 1) % 7][rest]   # ordinal 1 (0001-01-01) is a Monday
        if self.off:
            count -= bisect_right(self.off, end) - bisect_right(self.off, start)
        if self.on:
            count += bisect_right(self.on, end) - bisect_right(self.on, start)
        return count


def calendar_from(settings: RemindersConfig | Mapping[str, Any]) -> WorkCalendar:
    """From [reminders]: calendar, holidays, workdays = ["mon", ...], extra_workdays (a dict is checked as
    [reminders]). With ``calendar = "cn"`` the statutory days come first and the lists override them: a
    listed holiday is off even on a 调休 Saturday, a listed extra workday is on even in a holiday week."""
    if isinstance(settings, Mapping):
        settings = validated(RemindersConfig, settings, "[reminders]")
    holidays, extra = frozenset(settings.holidays), frozenset(settings.extra_workdays)
    known: tuple[int, int] | None = None
    if settings.calendar == "cn":
        official = statutory_days()
        holidays = (official.holidays - extra) | holidays
        extra = (official.workdays - holidays) | extra
        known = official.years
    return WorkCalendar(holidays=holidays, weekdays=frozenset(WEEKDAYS.index(d) for d in settings.workdays),
                        extra_days=extra, known_years=known)


@dataclass(frozen=True)
class Statutory:
    holidays: frozenset[date]     # days off by law, weekends of a holiday week included
    workdays: frozenset[date]     # weekend days worked instead (调休)
    years: tuple[int, int]        # the years the package knows


@lru_cache(maxsize=1)
def statutory_days() -> Statutory:
    """The Chinese statutory calendar of the ``chinese_calendar`` package, as of its release: it knows the
    years the State Council has announced, no later ones."""
    import chinese_calendar

    holidays, workdays = frozenset(chinese_calendar.holidays), frozenset(chinese_calendar.workdays)
    known = [d.year for d in holidays | workdays]
    return Statutory(holidays, workdays, (min(known), max(known)))


_WARNED: set[int] = set()


def warn_beyond(year: int, years: tuple[int, int]) -> None:
    """Once per year asked: the statutory calendar does not know it (the package raises NotImplementedError
    there), so weekends and the config's holidays/extra_workdays alone decide."""
    if year in _WARNED:
        return
    _WARNED.add(year)
    log.warning("calendar = \"cn\": the chinese_calendar package knows %d-%d, not %d; %d counts weekends and "
                "[reminders] holidays / extra_workdays only (update the package once the holidays are announced, "
                "or list them)", years[0], years[1], year, year)


def zone(name: str | None) -> tzinfo:
    if not name:
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"[service] timezone = {name!r} is not a known time zone (e.g. Asia/Shanghai)") from None


def local_now(timezone_name: str | None) -> datetime:
    """Now, aware, in the zone where the register is kept; ``$ORDERSYNC_NOW`` pins the instant."""
    tz = zone(timezone_name)
    return pinned_now(tz) or datetime.now(tz)


def local_today(timezone_name: str | None) -> date:
    """The day where the register is kept ([service] timezone), not the host's."""
    return local_now(timezone_name).date()


def pinned_now(tz: tzinfo) -> datetime | None:
    """``$ORDERSYNC_NOW`` in ``tz``, when set: an ISO instant; without an offset it is UTC."""
    text = os.environ.get(ENV_NOW, "").strip()
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"{ENV_NOW}={text!r} is not an instant like 2026-09-14T17:25:00Z") from None
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).astimezone(tz)


def parse_time(text: str, key: str) -> time:
    try:
        return time.fromisoformat(str(text).strip())
    except ValueError:
        raise ConfigError(f"{key} = {text!r} is not a time of day like 08:00") from None


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass
class SystemClock:
    tz: tzinfo = timezone.utc

    def now(self) -> datetime:
        return pinned_now(self.tz) or datetime.now(self.tz)


@dataclass
class MovableClock:
    """A clock that stands still until moved: for simulated days in tests and dry runs."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, *, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
        self.current += timedelta(days=days, hours=hours, minutes=minutes)
        return self.current

    def set(self, when: datetime) -> None:
        self.current = when

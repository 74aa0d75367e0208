"""When scheduled things are due: local times in the configured timezone, DST-correct.

``schedule`` only ticks; whether a digest is due is decided here against the
state's record of the last slot done. After the machine was off for three days
the latest missed slot is due once, not three times, and never twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


@dataclass(frozen=True)
class Slot:
    """A recurring local time: daily, or weekly on ``weekday``."""

    at: time
    every: str = "daily"            # daily | weekly | workdays
    weekday: int = 0

    @classmethod
    def parse(cls, at: str, every: str = "daily", day: str = "mon") -> Slot:
        hh, mm = (int(x) for x in at.split(":")[:2])
        if every not in ("daily", "weekly", "workdays"):
            raise ValueError(f"every = {every!r}: expected daily, weekly or workdays")
        return cls(time(hh, mm), every, WEEKDAYS[day[:3].lower()])

    def _matches(self, day: date) -> bool:
        if self.every == "weekly":
            return day.weekday() == self.weekday
        if self.every == "workdays":
            return day.weekday() < 5
        return True

    def latest(self, now: datetime, tz: ZoneInfo) -> datetime:
        """The most recent slot at or before ``now`` (aware), as an aware datetime in ``tz``."""
        local = now.astimezone(tz)
        return next(c for c in self._walk(local.date(), tz, -1) if c <= local)

    def next(self, now: datetime, tz: ZoneInfo) -> datetime:
        local = now.astimezone(tz)
        return next(c for c in self._walk(local.date(), tz, +1) if c > local)

    def _walk(self, day: date, tz: ZoneInfo, step: int):
        """This slot on each matching day from ``day`` on, going ``step`` days at a time (a week and a bit)."""
        for i in range(9):
            current = day + timedelta(days=step * i)
            if self._matches(current):
                yield _localize(current, self.at, tz)


def _localize(day: date, at: time, tz: ZoneInfo) -> datetime:
    """A wall-clock time on a day; a time skipped by DST moves forward, a repeated one takes the first."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=tz, fold=0)
    roundtrip = aware.astimezone(ZoneInfo("UTC")).astimezone(tz)
    if roundtrip.replace(tzinfo=None) != naive:  # in the spring-forward gap
        aware = (naive + timedelta(hours=1)).replace(tzinfo=tz)
    return aware


def due(slot: Slot, last_done: datetime | None, now: datetime, tz: ZoneInfo,
        first_run: datetime | None = None) -> datetime | None:
    """The slot to run now, or None. ``last_done`` is the slot recorded in the state.

    With nothing recorded yet, only a slot after ``first_run`` (when the service
    first saw this schedule) counts, so installing the service at 15:00 does not
    send the 08:00 digest of that morning.
    """
    latest = slot.latest(now, tz)
    floor = last_done if last_done is not None else first_run
    if floor is not None and latest <= floor:
        return None
    return latest

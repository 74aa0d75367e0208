from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from sync.calendar import MovableClock, WorkCalendar, calendar_from, zone
from sync.errors import ConfigError

# 2026-10-01..07 is the National Day holiday; Sunday 2026-09-27 and Saturday 2026-10-10 are worked instead
CN = calendar_from({"holidays": [f"2026-10-0{d}" for d in range(1, 8)],
                    "extra_workdays": ["2026-09-27", "2026-10-10"]})


def test_weekends_and_holidays_are_skipped():
    assert CN.add_working_days(date(2026, 9, 25), 1) == date(2026, 9, 27)   # Fri -> the worked Sunday
    assert CN.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)   # over the holiday week
    assert CN.add_working_days(date(2026, 10, 8), 2) == date(2026, 10, 10)  # Thu -> the worked Saturday
    assert CN.add_working_days(date(2026, 10, 8), -1) == date(2026, 9, 30)
    assert CN.add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 3)


def test_working_days_between_counts_days_after_start_up_to_end():
    plain = WorkCalendar()
    assert plain.working_days_between(date(2026, 9, 4), date(2026, 9, 7)) == 1      # Fri -> Mon
    assert plain.working_days_between(date(2026, 9, 7), date(2026, 9, 7)) == 0
    assert plain.working_days_between(date(2026, 9, 7), date(2026, 9, 4)) == -1
    assert CN.working_days_between(date(2026, 9, 30), date(2026, 10, 9)) == 2       # 8th and 9th only
    assert CN.next_working_day(date(2026, 10, 3)) == date(2026, 10, 8)


def test_bad_config_is_named():
    with pytest.raises(ConfigError, match="holidays.*2026-13-01"):
        calendar_from({"holidays": ["2026-13-01"]})
    with pytest.raises(ConfigError, match="workdays"):
        calendar_from({"workdays": ["mon", "funday"]})
    with pytest.raises(ConfigError, match="no working days"):
        calendar_from({"workdays": []}).add_working_days(date(2026, 1, 1), 1)
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        zone("Mars/Olympus")


def test_movable_clock_moves_only_when_told():
    clock = MovableClock(datetime(2026, 9, 30, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert clock.now() == clock.now()
    clock.advance(days=1, hours=2)
    assert clock.now().isoformat() == "2026-10-01T11:00:00+08:00"

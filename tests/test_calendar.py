from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _walk(cal: WorkCalendar, start: date, end: date) -> int:
    """The definition: one day at a time."""
    if end < start:
        return -_walk(cal, end, start)
    return sum(cal.is_working(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))


_days = st.dates(min_value=date(2025, 12, 1), max_value=date(2027, 2, 1))


@settings(max_examples=200, deadline=None)
@given(weekdays=st.frozensets(st.integers(0, 6)), holidays=st.frozensets(_days, max_size=40),
       extra=st.frozensets(_days, max_size=12), start=_days, span=st.integers(-400, 400))
def test_working_days_between_counts_as_the_day_walk_does(weekdays, holidays, extra, start, span):
    # holidays and extra days overlap, fall on weekends and weekdays, and spans cross them from either side
    cal = WorkCalendar(holidays, weekdays, extra)
    end = start + timedelta(days=span)
    assert cal.working_days_between(start, end) == _walk(cal, start, end)


def test_working_days_between_across_the_national_day_week_and_years():
    for start in (date(2026, 9, 20) + timedelta(days=i) for i in range(30)):
        for end in (start + timedelta(days=k) for k in range(-40, 400, 11)):
            assert CN.working_days_between(start, end) == _walk(CN, start, end)
    assert CN.working_days_between(date(1, 1, 1), date(1, 1, 8)) == 5        # ordinal 1 is a Monday
    assert CN.working_days_between(date(9999, 12, 1), date(9999, 12, 31)) == _walk(CN, date(9999, 12, 1),
                                                                                   date(9999, 12, 31))
    assert WorkCalendar(weekdays=frozenset()).working_days_between(date(2026, 1, 1), date(2027, 1, 1)) == 0


# --- the Chinese statutory calendar (calendar = "cn") -------------------------------------------

def test_cn_calendar_knows_national_day_and_its_make_up_saturday() -> None:
    cal = calendar_from({"calendar": "cn"})
    assert not cal.is_working(date(2026, 10, 1))            # 国庆节, a Thursday
    assert not cal.is_working(date(2026, 10, 7))            # still the holiday week, a Wednesday
    assert cal.is_working(date(2026, 10, 10))               # 调休: the Saturday after is worked
    assert cal.is_working(date(2026, 2, 14))                # 调休 before 春节 (a Saturday)
    assert cal.working_days_between(date(2026, 9, 30), date(2026, 10, 9)) == 2    # 10-08 and 10-09
    plain = calendar_from({})
    assert plain.is_working(date(2026, 10, 1)) and not plain.is_working(date(2026, 10, 10))


def test_the_typed_lists_override_the_statutory_days() -> None:
    cal = calendar_from({"calendar": "cn", "holidays": ["2026-10-10", "2026-09-14"],
                         "extra_workdays": ["2026-10-05"]})
    assert not cal.is_working(date(2026, 10, 10))           # the factory gives the make-up Saturday off
    assert not cal.is_working(date(2026, 9, 14))            # and a Monday of its own
    assert cal.is_working(date(2026, 10, 5))                # but works a day of the holiday week
    walked = sum(cal.is_working(date(2026, 9, 30) + timedelta(days=i)) for i in range(1, 12))
    assert cal.working_days_between(date(2026, 9, 30), date(2026, 10, 11)) == walked


def test_a_year_the_package_does_not_know_falls_back_to_weekends_and_warns_once(caplog) -> None:
    cal = calendar_from({"calendar": "cn", "holidays": ["2099-01-01"]})
    with caplog.at_level(logging.WARNING, logger="sync.calendar"):
        assert not cal.is_working(date(2099, 1, 1))          # the override still counts (a Thursday)
        assert cal.is_working(date(2099, 1, 2)) and not cal.is_working(date(2099, 1, 3))
        assert cal.working_days_between(date(2099, 1, 1), date(2099, 1, 8)) == 5
    said = [r.getMessage() for r in caplog.records if "2099" in r.getMessage()]
    assert len(said) == 1 and "chinese_calendar" in said[0] and "weekends" in said[0]


def test_calendar_is_checked_as_a_config_value() -> None:
    with pytest.raises(ConfigError, match="calendar"):
        calendar_from({"calendar": "china"})

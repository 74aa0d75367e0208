"""The reminder schedule over simulated days: a movable clock, a real register file, a real state file."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sync.calendar import MovableClock, calendar_from
from sync.orders.facts import order_facts
from sync.orders.model import order_model
from sync.orders.people import directory_from
from sync.notices.reminders import find_concerns, plan_reminders, record_sent, settings_from
from sync.state import State
from tests.noticekit import order, read, write_register

TZ = ZoneInfo("Asia/Shanghai")
HOLIDAYS = [f"2026-10-0{d}" for d in range(1, 8)]


def day_at(d: date, hour: int = 9) -> datetime:
    return datetime(d.year, d.month, d.day, hour, 0, tzinfo=TZ)


class Office:
    """One factory office: the register on disk, the state file, a clock; ``tick`` runs one planning pass."""

    def __init__(self, tmp_path: Path, start: date, **settings) -> None:
        self.path = tmp_path / "register.xlsx"
        self.state_path = tmp_path / "state.db"
        self.clock = MovableClock(day_at(start))
        self.settings = settings_from({"holidays": HOLIDAYS, **settings})
        self.cal = calendar_from(self.settings)
        self.sent: list[tuple[date, str, str, str, tuple[str, ...]]] = []

    def write(self, orders, **tabs) -> None:
        write_register(self.path, orders, **tabs)

    def tick(self, *, record: bool = True) -> list[tuple[str, str, str, tuple[str, ...]]]:
        register = read(self.path)
        now = self.clock.now()
        with State(self.state_path) as state:   # a fresh process every time: nothing lives in memory
            facts = order_facts(order_model(register, today=now.date()))
            concerns = find_concerns(facts, register, now.date(), self.cal, self.settings)
            due = plan_reminders(state, concerns, directory_from(register), now, self.settings, self.cal)
            if record:
                record_sent(state, due, now.date())
        out = [(r.concern.kind, r.concern.order_no, r.to.name, tuple(p.name for p in r.cc)) for r in due]
        self.sent += [(now.date(), *o) for o in out]
        return sorted(out)

    def next_day(self, hour: int = 9) -> date:
        d = self.clock.now().date() + timedelta(days=1)
        self.clock.set(day_at(d, hour))
        return d


def test_due_soon_counts_working_days_and_skips_weekends_and_holidays(tmp_path):
    office = Office(tmp_path, date(2026, 9, 25), due_soon_days=3, escalate_after_days=99)   # a Friday
    office.write([order("SO-1", date(2026, 10, 9))])   # 3 working days after Sep 30, over the holiday
    days = {}
    for _ in range(10):
        days[office.clock.now().date()] = office.tick()
        office.next_day()
    mailed = [d for d, sent in days.items() if sent]
    # Sep 25 is 4 working days ahead (28, 29, 30, Oct 8, 9 -> 5): too early; from Sep 30 on it is within 3
    assert date(2026, 9, 25) not in mailed
    assert date(2026, 9, 30) in mailed
    assert not [d for d in mailed if d.weekday() >= 5 or d.isoformat() in HOLIDAYS]
    assert days[date(2026, 9, 30)] == [("due_soon", "SO-1", "张伟", ())]


def test_overdue_repeats_escalates_and_stops_once_shipped(tmp_path):
    office = Office(tmp_path, date(2026, 9, 14), repeat_every_days=2, escalate_after_days=3)   # Monday
    office.write([order("SO-1", date(2026, 9, 11))])
    log = {}
    for _ in range(7):
        log[office.clock.now().date()] = office.tick()
        office.next_day()
    assert log[date(2026, 9, 14)] == [("overdue", "SO-1", "张伟", ())]
    assert log[date(2026, 9, 15)] == []                                   # every 2 working days
    assert log[date(2026, 9, 16)] == [("overdue", "SO-1", "张伟", ())]
    # 3 working days unresolved: the supervisor hears that day, not at the next repeat
    assert log[date(2026, 9, 17)] == [("overdue", "SO-1", "张伟", ("赵敏",))]
    assert log[date(2026, 9, 18)] == []
    assert log[date(2026, 9, 19)] == log[date(2026, 9, 20)] == []          # the weekend
    # Monday: it was shipped over the weekend; nothing more, ever
    office.write([order("SO-1", date(2026, 9, 11))], shipping=[("SO-1", date(2026, 9, 19), 1000, "顺丰")])
    for _ in range(5):
        assert office.tick() == []
        office.next_day()


def test_escalation_goes_to_the_supervisor_after_n_working_days_unresolved(tmp_path):
    office = Office(tmp_path, date(2026, 9, 28), escalate_after_days=2, repeat_every_days=1)
    office.write([order("SO-1", date(2026, 9, 25), "李娜")])
    seen = []
    for _ in range(12):
        sent = office.tick()
        if sent:
            seen.append((office.clock.now().date(), sent[0][3]))
        office.next_day()
    # Sep 28, 29 plain; Sep 30 is 2 working days on: escalated; the holiday week is silent; Oct 8 on: escalated
    assert seen[:3] == [(date(2026, 9, 28), ()), (date(2026, 9, 29), ()), (date(2026, 9, 30), ("赵敏",))]
    assert seen[3] == (date(2026, 10, 8), ("赵敏",))


def test_never_twice_in_one_interval_whatever_restarts_happen(tmp_path):
    office = Office(tmp_path, date(2026, 9, 14))
    office.write([order("SO-1", date(2026, 9, 11)), order("SO-2", date(2026, 9, 15), "李娜")])
    first = office.tick()
    assert len(first) == 2
    for minutes in (1, 30, 240):   # the service restarts several times the same day
        office.clock.advance(minutes=minutes)
        assert office.tick() == []


def test_a_crash_between_queueing_and_recording_plans_the_same_dedupe_key(tmp_path):
    office = Office(tmp_path, date(2026, 9, 14))
    office.write([order("SO-1", date(2026, 9, 11))])
    register = read(office.path)
    keys = []
    for _ in range(2):   # planned, queued, then the process died before record_sent
        with State(office.state_path) as state:
            concerns = find_concerns(order_facts(order_model(register, today=date(2026, 9, 14))), register, date(2026, 9, 14), office.cal, office.settings)
            due = plan_reminders(state, concerns, directory_from(register), office.clock.now(), office.settings)
            keys.append([r.dedupe_key for r in due])
    assert keys[0] == keys[1] == ["reminder/overdue/SO-1/张伟/2026-09-14"]


def test_nothing_before_send_after_on_the_day(tmp_path):
    office = Office(tmp_path, date(2026, 9, 14), send_after="10:00")
    office.write([order("SO-1", date(2026, 9, 11))])
    assert office.tick() == []
    office.clock.advance(hours=1)
    assert office.tick() == [("overdue", "SO-1", "张伟", ())]


def test_a_concern_that_returns_is_a_new_episode(tmp_path):
    office = Office(tmp_path, date(2026, 9, 14), escalate_after_days=1)
    office.write([order("SO-1", date(2026, 9, 15))], materials=[("SO-1", "面料", 100, "华纺", date(2026, 9, 10), None, None)])
    assert office.tick() == [("due_soon", "SO-1", "张伟", ()), ("material_late", "SO-1", "张伟", ())]
    office.write([order("SO-1", date(2026, 9, 15))], materials=[("SO-1", "面料", 100, "华纺", date(2026, 9, 10), date(2026, 9, 14), 100)])
    office.next_day()
    assert office.tick() == [("due_soon", "SO-1", "张伟", ("赵敏",))]
    # the supplier's second lot is late again: a fresh episode, not escalated on day one
    office.write([order("SO-1", date(2026, 9, 15))], materials=[("SO-1", "面料", 100, "华纺", date(2026, 9, 10), date(2026, 9, 14), 60)])
    office.next_day()
    assert ("material_late", "SO-1", "张伟", ()) in office.tick()


def test_qc_failures_wait_for_rework_until_reinspected(tmp_path):
    office = Office(tmp_path, date(2026, 9, 14))
    orders = [order("SO-1", date(2026, 10, 30))]
    office.write(orders, qc=[("SO-1", date(2026, 9, 11), 200, 170, 30, "跳针", "返工")])
    assert office.tick() == [("qc_failed", "SO-1", "张伟", ())]
    office.write(orders, qc=[("SO-1", date(2026, 9, 11), 200, 170, 30, "跳针", "返工"),
                             ("SO-1", date(2026, 9, 15), 30, 30, 0, None, None)])
    office.next_day()
    assert office.tick() == []


def test_stale_orders_from_the_last_change_of_their_rows(tmp_path):
    office = Office(tmp_path, date(2026, 9, 18), stale_days=3)   # Friday
    office.write([order("SO-1", date(2026, 11, 30)), order("SO-2", date(2026, 11, 30), "李娜")],
                 production=[("SO-1", "车缝", date(2026, 9, 20), 300, None), ("SO-2", "车缝", date(2026, 9, 20), 300, None)])
    register = read(office.path)
    changed = {"SO-1": day_at(date(2026, 9, 15)), "SO-2": day_at(date(2026, 9, 16))}   # Tue, Wed
    concerns = find_concerns(order_facts(order_model(register, today=date(2026, 9, 18))), register, date(2026, 9, 18), office.cal, office.settings, changed)
    # (the facts carry the progress now, so these half-sewn orders are behind plan as well)
    assert [(c.kind, c.order_no, c.detail["idle_days"]) for c in concerns if c.kind == "stale"] == \
        [("stale", "SO-1", 3)]


def test_an_order_whose_stage_only_its_status_tells_is_never_stale(tmp_path):
    """Without a production tab the stage is the status's (生产中: production), and the sheet has no daily figure
    to keep up: no "not updated for N days" reminder, where the same order with figures gets one."""
    from openpyxl import load_workbook

    office = Office(tmp_path, date(2026, 9, 18), stale_days=3)
    office.write([order("SO-1", date(2026, 11, 30))])
    book = load_workbook(office.path)
    del book["生产进度"]
    book.save(office.path)
    register = read(office.path)
    facts = order_facts(order_model(register, today=date(2026, 9, 18)))
    assert (facts["SO-1"].stage, facts["SO-1"].figures) == ("produced", False)
    changed = {"SO-1": day_at(date(2026, 9, 10))}
    concerns = find_concerns(facts, register, date(2026, 9, 18), office.cal, office.settings, changed)
    assert [c.kind for c in concerns if c.kind == "stale"] == []


def test_unknown_follower_goes_to_unassigned_to_or_nowhere(tmp_path):
    office = Office(tmp_path, date(2026, 9, 14))
    office.write([order("SO-1", date(2026, 9, 11), "王五")])
    assert office.tick() == []
    office2 = Office(tmp_path / "b", date(2026, 9, 14), unassigned_to="赵敏")
    (tmp_path / "b").mkdir()
    office2.write([order("SO-1", date(2026, 9, 11), "王五")])
    assert office2.tick() == [("overdue", "SO-1", "赵敏", ())]


def test_an_order_two_followers_share_reminds_each_of_them_once(tmp_path):
    # 张伟/李娜 (and 张伟、王五, where only 张伟 is known): each named follower who is known hears, once a day
    office = Office(tmp_path, date(2026, 9, 14), repeat_every_days=1, escalate_after_days=99)
    office.write([order("SO-1", date(2026, 9, 11), "张伟/李娜"), order("SO-2", date(2026, 9, 11), "张伟、王五")])
    assert office.tick() == [("overdue", "SO-1", "张伟", ()), ("overdue", "SO-1", "李娜", ()),
                             ("overdue", "SO-2", "张伟", ())]
    assert office.tick() == []                    # the same day again: nothing twice
    office.next_day()
    assert len(office.tick()) == 3


@pytest.mark.parametrize("kind", ["overdue", "due_soon"])
def test_a_kind_can_be_switched_off(tmp_path, kind):
    enabled = [k for k in ("overdue", "due_soon") if k != kind]
    office = Office(tmp_path, date(2026, 9, 14), enabled=enabled)
    office.write([order("SO-1", date(2026, 9, 11)), order("SO-2", date(2026, 9, 15))])
    assert [k for k, *_ in office.tick()] == enabled

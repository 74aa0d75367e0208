"""gather: each order's last change from the ledger without reading every change, and a gather for
reminders alone (no change history) that finds the same facts and concerns."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sync.config import Config
from sync.findings import Report
from sync.changes.ledger import changes_since, remember
from sync.notices.plan import _ledger, gather
from sync.state import State
from tests.noticekit import order, read, write_register

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def last_change_by_definition(state: State) -> dict[str, datetime]:
    """Every change, one at a time: the latest seen_at of each order's changes."""
    last: dict[str, datetime] = {}
    for c in changes_since(state):
        if c.order_key and c.seen_at:
            seen = datetime.fromisoformat(c.seen_at)
            last[c.order_key] = max(last.get(c.order_key, seen), seen)
    return last


@pytest.fixture
def history(tmp_path: Path):
    """Three saves a few days apart, each changing some orders, stored by the real ledger."""
    state = State(tmp_path / "state.db")
    versions = [
        [order("SO-1", date(2026, 9, 20)), order("SO-2", date(2026, 9, 25), "李娜"),
         order("SO-3", date(2026, 10, 1))],
        [order("SO-1", date(2026, 9, 22)), order("SO-2", date(2026, 9, 25), "李娜"),
         order("SO-3", date(2026, 10, 1))],
        [order("SO-1", date(2026, 9, 22)), order("SO-2", date(2026, 9, 26), "李娜", qty=1200),
         order("SO-3", date(2026, 10, 1)), order("SO-4", date(2026, 10, 9))],
    ]
    cutting = [(no, "裁剪", date(2026, 9, 15), 100, None) for no in ("SO-1", "SO-2", "SO-3", "SO-4")]
    for i, orders in enumerate(versions):
        path = write_register(tmp_path / f"register-{i}.xlsx", orders, production=cutting)
        remember(state, read(path), now=T0 + timedelta(days=3 * i))
    yield state, tmp_path / "register-2.xlsx"
    state.close()


def test_last_change_is_each_orders_latest_change(history):
    state, _ = history
    expected = last_change_by_definition(state)
    assert expected == {"SO-1": T0 + timedelta(days=3), "SO-2": T0 + timedelta(days=6), "SO-4": T0 + timedelta(days=6)}
    changes, requests, last = _ledger(state)
    assert last == expected and len(changes) == len(changes_since(state))
    assert _ledger(state, history=False) == ([], [], expected)


def test_stamps_in_other_forms_are_compared_as_times(history):
    # written by hand, not by the ledger: other offsets, one instant in two forms, no key, no stamp
    state, _ = history
    rows = [("SO-1", "2026-09-30T08:00:00+08:00"), ("SO-1", "2026-09-30T00:00:00+00:00"),
            ("SO-2", "2026-09-06T23:00:00-05:00"), ("SO-3", "2026-09-02T01:00:00+00:00"), ("", "2026-12-01T00:00:00"),
            (None, "2026-12-01T00:00:00+00:00"), ("SO-3", "")]
    with state.atomic() as db:
        db.executemany("INSERT INTO ledger_changes (cycle, seen_at, tbl, key, order_key, order_no, kind) "
                       "VALUES (1, ?, 'orders', 'k', ?, ?, 'changed')", [(s, k, k) for k, s in rows])
    expected = last_change_by_definition(state)
    assert expected["SO-2"] == datetime(2026, 9, 7, 4, 0, tzinfo=timezone.utc)   # sorts first as text, is last in time
    assert expected["SO-1"].utcoffset() == timedelta(hours=8)     # the first of two equal instants, as max keeps
    assert _ledger(state, history=False)[2] == expected
    assert {k: v.utcoffset() for k, v in _ledger(state, history=False)[2].items()} == \
        {k: v.utcoffset() for k, v in expected.items()}


def test_gather_for_reminders_alone_finds_the_same(history):
    state, path = history
    cfg = Config.model_validate({"reminders": {"stale_days": 1}})
    cfg.path = path.parent / "config.toml"
    register, now = read(path), T0 + timedelta(days=12)
    full = gather(state, cfg, register, now=now, lang="zh", report=Report())
    lean = gather(state, cfg, register, now=now, lang="zh", report=full.report, history=False)
    assert full.changes and lean.changes == [] and lean.requests == []
    assert repr(lean.facts) == repr(full.facts) and repr(lean.concerns) == repr(full.concerns)
    assert any(c.kind == "stale" for c in full.concerns)


def test_gather_counts_days_where_the_register_is_kept(history):
    """04:00 in Shanghai is still yesterday in UTC: the notices must see Shanghai's day, as the checks do."""
    state, path = history
    cfg = Config.model_validate({"service": {"timezone": "Asia/Shanghai"}})
    cfg.path = path.parent / "config.toml"
    register = read(path)
    early = datetime(2026, 9, 21, 20, 0, tzinfo=timezone.utc)      # 2026-09-22 04:00 in Shanghai
    later = datetime(2026, 9, 22, 2, 0, tzinfo=timezone.utc)       # 2026-09-22 10:00 in Shanghai
    first = gather(state, cfg, register, now=early, lang="zh", history=False, report=Report())
    second = gather(state, cfg, register, now=later, lang="zh", history=False, report=first.report)
    assert repr(first.facts) == repr(second.facts) and repr(first.concerns) == repr(second.concerns)
    assert first.concerns                                         # SO-1 is due on the 22nd: there is something to see

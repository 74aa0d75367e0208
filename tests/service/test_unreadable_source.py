"""One unreadable cycle keeps memory (issue 15 item 5).

Good read, then a truncated save, then good again: the failure shows at once
(in the source's status and as a finding), the last good tables stand in for
the unreadable workbook meanwhile, so no reminder episode is closed and
reopened, no entry error is mailed again, no change is recorded and the people
sheet still says who to tell.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sync.config import load_config
from sync.demo.register import build_register
from sync.service.cycle import SourceCache, prepare_state, run_cycle
from sync.sources import open_path
from sync.state import State

T0 = datetime(2026, 11, 3, 2, 0, tzinfo=timezone.utc)   # 10:00 in Shanghai, a Tuesday
CONFIG = """
[service]
language = "en"
timezone = "Asia/Shanghai"
state = "state/ordersync.db"

[sources.register]
kind = "excel"
path = "register.xlsx"

[mail]
outbox = "outbox"
sender = "ordersync@demo.example.com"

[reminders]
send_after = "00:00"
entry_error_delay_minutes = 0
entry_error_batch_minutes = 0
unassigned_to = "赵敏"
workdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
"""


READ_FAILURES = ("source-unreadable", "sheet-missing")   # news of their own, told once


class Service:
    """The daemon's cycle, in process, on a clock the test moves."""

    def __init__(self, folder: Path) -> None:
        (folder / "config.toml").write_text(CONFIG, encoding="utf-8")
        self.config = load_config(folder / "config.toml")
        self.book = folder / "register.xlsx"
        self.cache = SourceCache(self.config, [open_path(self.book, name="register")])
        self.state = State(folder / "state" / "ordersync.db")
        prepare_state(self.state)
        self.outbox = folder / "outbox"

    def cycle(self, now: datetime):
        read, _ = self.cache.refresh(["register"], now)
        while not read and self.cache.status["register"].busy_retries:   # the daemon's quick retries
            read, _ = self.cache.refresh(["register"], now)
        return run_cycle(self.state, self.config, self.cache.register(), now=now, lang="en")

    def mails(self) -> list[str]:
        return sorted(p.name for p in self.outbox.glob("*.eml"))

    def memory(self, *, everything: bool = False) -> tuple[list[tuple], list[tuple]]:
        """Reminder episodes and entry errors (but the error that the workbook could not be read)."""
        db = self.state.db
        episodes = db.execute("SELECT id, kind, subject, recipient, first_seen, resolved_on FROM reminder_episodes "
                              "ORDER BY id").fetchall()
        errors = db.execute("SELECT person, fkey, first_seen, sent_at FROM entry_errors ORDER BY 1, 2").fetchall()
        return [tuple(r) for r in episodes], [tuple(r) for r in errors
                                              if everything or r[1].split("|")[0] not in READ_FAILURES]


def test_a_truncated_save_between_two_good_ones_changes_nothing_and_is_seen_at_once(tmp_path):
    build_register(tmp_path / "register.xlsx", orders=60, today=date(2026, 11, 3))
    service = Service(tmp_path)
    good = service.book.read_bytes()
    first = service.cycle(T0)
    sent, memory = service.mails(), service.memory()
    assert sent and memory[0] and any(e[3] for e in memory[1])      # reminders open, entry errors mailed

    service.book.write_bytes(good[: len(good) * 2 // 3])           # a save cut short
    service.cache.refresh(["register"], T0 + timedelta(minutes=1))
    status = service.cache.status["register"]
    assert status.result.startswith("busy (") and status.failing_since   # at once, before any retry
    broken = service.cycle(T0 + timedelta(minutes=2))
    assert "half-written" in status.result and status.failing_since and status.last_good
    unreadable = [f for f in broken.report.findings if f.rule == "source-unreadable"]
    assert len(unreadable) == 1 and str(service.book) in unreadable[0].message
    assert broken.changes == 0
    assert broken.report.tables == first.report.tables             # the last good tables stand in
    assert service.memory() == memory
    told = [e for e in service.memory(everything=True)[1] if e[1].startswith("source-unreadable")]
    assert [(e[0], bool(e[3])) for e in told] == [("赵敏", True)]  # the unreadable workbook is news: told once

    service.book.write_bytes(good)
    again = service.cycle(T0 + timedelta(minutes=3))
    assert again.changes == 0 and status.result == "ok" and status.failing_since is None
    assert service.memory() == memory                              # no episode closed, no error mailed again
    assert service.mails()[: len(sent)] == sent
    assert len(service.mails()) == len(sent) + 1                    # the one mail saying it could not be read


def test_a_renamed_pinned_tab_keeps_its_last_good_table(tmp_path):
    build_register(tmp_path / "register.xlsx", orders=60, today=date(2026, 11, 3))
    service = Service(tmp_path)
    text = CONFIG + "".join(f'\n[tables.{t}]\nsource = "register"\nsheet = "{s}"\n' for t, s in (
        ("orders", "订单登记"), ("qc", "质检记录"), ("shipping", "发货记录"), ("people", "人员")))
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    service.config = load_config(tmp_path / "config.toml")
    service.cache = SourceCache(service.config, [open_path(service.book, name="register")])
    service.cycle(T0)
    memory = service.memory()
    from openpyxl import load_workbook

    book = load_workbook(service.book)
    book["质检记录"].title = "质检"
    book.save(service.book)
    renamed = service.cycle(T0 + timedelta(minutes=1))
    missing = [f for f in renamed.report.findings if f.rule == "sheet-missing"]
    assert [(f.table, f.sheet) for f in missing] == [("qc", "质检记录")]
    assert sorted(service.cache.register().tables) == ["orders", "people", "qc", "shipping"]
    assert renamed.changes == 0 and service.memory() == memory

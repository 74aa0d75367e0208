"""A fault-injection run against the real daemon (issue 15, "How it is judged").

``FaultRun`` starts ``ordersync run`` as a subprocess on a demo register with a
real SMTP server (``tests.smtpserver``) and applies random operations, each
ending in a save that carries at least one real edit: plain edits (some make
entry errors, so notices flow), sorts of a tab, a tab renamed and named back,
corrupt saves (a truncated package) put right a moment later, ``kill -9`` of
the daemon and a restart, and SMTP faults (451 answers, a recipient refused
with 550, a transaction stalled at DATA for a while, shorter than the client's
timeout). After each operation it waits until the ledger has recorded the
edit. At the end it checks the daemon is still running, stops it, lets the
queue drain against a healthy server, and counts: real changes recorded once,
missed, recorded twice, phantom changes; notices queued, delivered, delivered
twice. State deletion and a full disk are the state side's (issue 15 items 8
and 9): ``extra_ops`` is where they plug in.

``tests/service/test_fault_injection.py`` runs a short version;
``bench/bench_faults.py`` the long one and prints the counts.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl

from sync.demo.register import build_register
from sync.tables.normalize import normalise_key
from tests.smtpserver import MAIL_SECTION, PASSWORD, USER, Gate, MailServer

CONFIG = """
[service]
language = "en"
timezone = "Asia/Shanghai"
state = "state/ordersync.db"
log_file = "state/ordersync.log"

[sources.register]
kind = "excel"
path = "register.xlsx"

""" + MAIL_SECTION + """
[watch]
debounce = 0.4
polling = false
rescan_seconds = 3600
notice_tick_seconds = 2

[reminders]
send_after = "00:00"
entry_error_delay_minutes = 0
entry_error_batch_minutes = 0
workdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
"""

#: tab -> the number columns an edit may change (header text)
EDITABLE = {"订单登记": ("订单数量",), "物料采购": ("需求数量", "到货数量"), "生产进度": ("完成数量",),
            "质检记录": ("检验数量", "合格数量"), "发货记录": ("发货数量",)}
TABLE_OF = {"订单登记": "orders", "物料采购": "materials", "生产进度": "production", "质检记录": "qc",
            "发货记录": "shipping"}
HEADER_ROW = {"订单登记": 3}
FIELD_OF = {"订单数量": "quantity", "需求数量": "required_qty", "到货数量": "arrived_qty", "完成数量": "completed_qty",
            "检验数量": "inspected_qty", "合格数量": "passed_qty", "发货数量": "shipped_qty"}


@dataclass
class Counts:
    ops: Counter = field(default_factory=Counter)
    edits: int = 0
    recorded_once: int = 0
    missed: int = 0
    recorded_twice: int = 0
    phantoms: int = 0
    notices: int = 0
    delivered: int = 0
    delivered_twice: int = 0
    undelivered: int = 0
    restarts: int = 0
    daemon_alive: bool = False
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"operations: {sum(self.ops.values())} ({', '.join(f'{k} {v}' for k, v in sorted(self.ops.items()))})",
                f"real changes: {self.edits} made, {self.recorded_once} recorded once, {self.missed} missed, "
                f"{self.recorded_twice} recorded twice; phantom changes: {self.phantoms}",
                f"notices: {self.notices} queued, {self.delivered} delivered once, {self.delivered_twice} twice, "
                f"{self.undelivered} not delivered",
                f"daemon: {self.restarts} kill -9 and restarts, running at the end: {self.daemon_alive}",
                f"took {self.seconds:.0f} s"] + [f"skipped: {s}" for s in self.skipped]


class FaultRun:
    def __init__(self, folder: Path, server: MailServer, *, seed: int = 15, orders: int = 60) -> None:
        self.folder, self.server = folder, server
        self.rng = random.Random(seed)
        self.book = folder / "register.xlsx"
        build_register(self.book, orders=orders, today=date.today(), seed=seed)
        (folder / "config.toml").write_text(CONFIG.format(port=server.port, user=USER, cafile=server.cafile),
                                            encoding="utf-8")
        self.state_path = folder / "state" / "ordersync.db"
        self.proc: subprocess.Popen | None = None
        self.counts = Counts()
        self.expected: Counter = Counter()
        self.renamed: dict[str, str] = {}       # original tab name -> its name now
        self.extra_ops: dict[str, Callable[[], None]] = {}

    # --- the daemon -------------------------------------------------------------------------

    def start(self) -> None:
        env = dict(os.environ, ORDERSYNC_SMTP_PASSWORD=PASSWORD)
        self.proc = subprocess.Popen([sys.executable, "-m", "sync", "run", "--config", str(self.folder / "config.toml")],
                                     cwd=self.folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    # --- the register -------------------------------------------------------------------------

    def _load(self) -> Any:
        return openpyxl.load_workbook(self.book)

    def _save(self, book: Any) -> None:
        """As Excel saves (aside, then renamed over) or as LibreOffice does (in place), at random."""
        aside = self.book.with_name("~edit.xlsx")
        book.save(aside)
        if self.rng.random() < 0.5:
            os.replace(aside, self.book)
        else:
            data = aside.read_bytes()
            aside.unlink()
            with self.book.open("r+b") as fh:
                fh.truncate(0)
                fh.write(data)

    def _rows(self, ws: Any, tab: str) -> list[int]:
        top = HEADER_ROW.get(tab, 1)
        return [r for r in range(top + 1, ws.max_row + 1)
                if str(ws.cell(r, 1).value or "").startswith("SO-")]

    def _edit(self, book: Any) -> tuple:
        """Change one number cell of a random tab; the change the ledger must record."""
        tab = self.rng.choice(sorted(EDITABLE))
        ws = book[self.renamed.get(tab, tab)]
        header = [c.value for c in ws[HEADER_ROW.get(tab, 1)]]
        column = self.rng.choice(EDITABLE[tab])
        col = header.index(column) + 1
        row = self.rng.choice(self._rows(ws, tab))
        old = ws.cell(row, col).value
        new = self.rng.choice([-1, 1]) * self.rng.randint(1, 99_999) if self.rng.random() < 0.2 else \
            self.rng.randint(1, 99_999)
        while str(new) == str(old).replace(".0", ""):
            new += 1
        ws.cell(row, col).value = new
        return TABLE_OF[tab], normalise_key(ws.cell(row, 1).value), FIELD_OF[column], str(new)

    def save_with_edit(self, change: Callable[[Any], None] | None = None, book: Any = None) -> tuple:
        book = book if book is not None else self._load()
        if change is not None:
            change(book)
        edit = self._edit(book)
        self._save(book)
        self.expected[edit] += 1
        self.counts.edits += 1
        return edit

    # --- the operations -------------------------------------------------------------------------

    def op_edit(self) -> None:
        self.wait_recorded(self.save_with_edit())

    def op_sort(self) -> None:
        def sort(book: Any) -> None:
            tab = self.rng.choice(sorted(EDITABLE))
            ws = book[self.renamed.get(tab, tab)]
            rows = self._rows(ws, tab)
            values = [[c.value for c in ws[r]] for r in rows]
            key = self.rng.randrange(len(values[0]))
            values.sort(key=lambda v: str(v[key]), reverse=self.rng.random() < 0.5)
            for r, v in zip(rows, values):
                for c, value in enumerate(v, start=1):
                    ws.cell(r, c).value = value
        self.wait_recorded(self.save_with_edit(sort))

    def op_rename(self) -> None:
        def rename(book: Any) -> None:
            tab = self.rng.choice([t for t in EDITABLE if t != "订单登记"])
            now = self.renamed.get(tab, tab)
            new = tab if now != tab else f"{tab}（副本）"
            book[now].title = new
            self.renamed[tab] = new
        self.wait_recorded(self.save_with_edit(rename))

    def op_corrupt(self) -> None:
        book = self._load()
        good = self.book.read_bytes()
        with self.book.open("r+b") as fh:       # a save cut short, put right a moment later
            fh.truncate(0)
            fh.write(good[: self.rng.randint(len(good) // 4, len(good) - 200)])
        time.sleep(self.rng.uniform(0.1, 3.0))
        self.wait_recorded(self.save_with_edit(book=book))

    def op_kill(self) -> None:
        self.kill()
        self.counts.restarts += 1
        edit = self.save_with_edit() if self.rng.random() < 0.5 else None
        self.start()
        self.wait_recorded(edit or self.save_with_edit())

    def op_smtp(self) -> None:
        fault = self.rng.choice(["451", "550", "stall", "heal"])
        self.counts.ops[f"smtp-{fault}"] += 1
        if fault == "451":
            self.server.busy = True
        elif fault == "550":
            self.server.refuse = {self._someone()}
        elif fault == "stall":
            gate = Gate("data")
            self.server.gate = gate
            threading.Timer(self.rng.uniform(0.5, 3.0), gate.release).start()
        else:
            self.server.busy, self.server.refuse, self.server.gate = False, set(), None
        self.wait_recorded(self.save_with_edit())

    def _someone(self) -> str:
        with self._db() as db:
            rows = db.execute("SELECT recipients FROM mail_queue ORDER BY random() LIMIT 1").fetchall()
        return rows[0][0].strip('[]"').split('"')[0] if rows else "nobody@example.com"

    # --- waiting and counting -------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.state_path}?mode=ro", uri=True, timeout=10)

    def ledger(self) -> Counter:
        try:
            with self._db() as db:
                return Counter((t, k, f, n) for t, k, f, n, kind in db.execute(
                    "SELECT tbl, order_key, field, new, kind FROM ledger_changes") if kind == "changed") + Counter(
                    ("phantom", kind, k, None) for t, k, f, n, kind in db.execute(
                        "SELECT tbl, order_key, field, new, kind FROM ledger_changes") if kind != "changed")
        except sqlite3.Error:
            return Counter()

    def wait_recorded(self, edit: tuple, timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ledger()[edit] >= self.expected[edit]:
                return True
            if self.proc is not None and self.proc.poll() is not None:
                return False
            time.sleep(0.1)
        return False

    def run(self, operations: int) -> Counts:
        started = time.monotonic()
        ops = {"edit": self.op_edit, "sort": self.op_sort, "rename": self.op_rename, "corrupt": self.op_corrupt,
               "kill": self.op_kill, "smtp": self.op_smtp, **self.extra_ops}
        weights = {"edit": 5, "sort": 2, "rename": 1, "corrupt": 1, "kill": 1, "smtp": 2}
        self.start()
        self._wait_first_cycle()
        for _ in range(operations):
            name = self.rng.choices(list(ops), [weights.get(n, 1) for n in ops])[0]
            if name != "smtp":          # SMTP faults are counted by kind
                self.counts.ops[name] += 1
            ops[name]()
        self.server.busy, self.server.refuse, self.server.gate = False, set(), None
        time.sleep(1.0)
        self.counts.daemon_alive = self.proc is not None and self.proc.poll() is None
        self.stop()
        self._drain()
        self._count()
        self.counts.seconds = time.monotonic() - started
        return self.counts

    def _wait_first_cycle(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.state_path.exists():
            time.sleep(0.1)
        while time.monotonic() < deadline:
            with self._db() as db:
                try:
                    if db.execute("SELECT count(*) FROM ledger_cycles").fetchone()[0]:
                        return
                except sqlite3.Error:
                    pass
            time.sleep(0.1)
        raise AssertionError("the daemon ran no first cycle")

    def _drain(self) -> None:
        """Deliver what waits (backoffs, refused mail put back by hand) against the healthy server."""
        from sync.delivery import MailQueue
        from sync.state import State

        with State(self.state_path) as state:
            MailQueue(state, "ordersync@factory.example").retry_failed()
        subprocess.run([sys.executable, "-m", "tests.smtpserver", "send", str(self.state_path), str(self.server.port),
                        str(self.server.cafile), "86400"], cwd=Path(__file__).resolve().parent.parent, check=True,
                       capture_output=True, timeout=300)

    def _count(self) -> None:
        seen = self.ledger()
        c = self.counts
        for edit, times in self.expected.items():
            got = seen.get(edit, 0)
            c.recorded_once += min(got, times)
            c.missed += max(0, times - got)
            c.recorded_twice += max(0, got - times)
        c.phantoms = sum(n for k, n in seen.items() if k not in self.expected)
        with self._db() as db:
            queued = {mid: status for mid, status in db.execute(
                "SELECT message_id, status FROM mail_queue WHERE status != 'held'")}
        received = self.server.by_message_id()
        c.notices = len(queued)
        c.delivered = sum(1 for mid in queued if received.get(mid, 0) == 1)
        c.delivered_twice = sum(1 for mid in queued if received.get(mid, 0) > 1)
        c.undelivered = sum(1 for mid in queued if mid not in received)

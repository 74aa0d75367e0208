"""State and mail faults under a running service: python bench/fault_state.py [--ops 200] [--seed 1]

Issue 15's fault-injection run for the state side (items 8, 9, 11): ``ordersync run``
as a real subprocess on a real register, its state on a small tmpfs of its own
(root and ``mount`` needed for the full-disk part; without them that part is
skipped and the reason printed), mail over SMTP to a local aiosmtpd server
(tests/smtpserver.py). ``--ops`` random operations, each followed by waiting
for the service to have seen it:

- edit: a remark cell gets a new, unique text (a real change);
- error: a quantity cell gets text (a real change and an entry-error mail);
- delete: the state file (and its -wal, -shm) is deleted while the service runs;
- full: the state's disk is filled, an edit is saved, then the space is freed;
- kill: ``kill -9`` of the service, an edit saved while it is down, a restart;
- stall: the mail server takes a message and never confirms it (kept as "maybe
  delivered", never sent twice by itself), or answers 421 to EHLO for a while.

At the end: every real change recorded exactly once, no phantom change, every
message received at most once per Message-ID (and each entry-error notice
once, the unsure ones retried by hand with ``ordersync queue --retry``), the
service still running. Prints the counts.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sync.demo.register import build_register                      # noqa: E402
from tests.service.test_service import edited, save_like_excel      # noqa: E402
from tests.smtpserver import PASSWORD, USER, Gate, MailServer       # noqa: E402

CONFIG = """
[service]
language = "en"
state = "state/ordersync.db"
log_file = "logs/ordersync.log"

[sources.register]
kind = "excel"
path = "register.xlsx"

[mail]
backend = "smtp"
host = "127.0.0.1"
port = {port}
username = "{user}"
password_env = "FAULT_PW"
cafile = "{cafile}"
timeout = 5
data_timeout = 2
sender = "ordersync <ordersync@factory.example>"

[watch]
debounce = 0.3
polling = false
rescan_seconds = 3600
notice_tick_seconds = 1

[reminders]
send_after = "00:00"
entry_error_delay_minutes = 0
entry_error_batch_minutes = 0
workdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
enabled = ["entry_errors"]
"""


class Run:
    def __init__(self, folder: Path, server: MailServer, mounted: bool) -> None:
        self.folder, self.server, self.mounted = folder, server, mounted
        self.register, self.state = folder / "register.xlsx", folder / "state"
        self.proc: subprocess.Popen | None = None
        self.expected: list[str] = []          # every new value saved, in order
        self.counts: Counter[str] = Counter()
        self.rows = _order_rows(self.register)    # rows that hold an order (a cell elsewhere is no order's change)

    def log(self) -> str:
        path = self.folder / "logs" / "ordersync.log"
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def start(self) -> None:
        env = dict(os.environ, FAULT_PW=PASSWORD, PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen([sys.executable, "-m", "sync", "run", "--config", str(self.folder / "config.toml")],
                                     cwd=self.folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def unsure(self) -> int:
        con = sqlite3.connect(self.state / "ordersync.db", timeout=30)
        try:
            return con.execute("SELECT count(*) FROM mail_queue WHERE status = 'failed' AND last_error LIKE "
                               "'%may have been delivered%'").fetchone()[0]
        finally:
            con.close()

    def changes(self) -> list[str]:
        db = self.state / "ordersync.db"
        if not db.exists():
            return []
        con = sqlite3.connect(db, timeout=30)
        try:
            return [r[0] for r in con.execute("SELECT new FROM ledger_changes ORDER BY id")]
        except sqlite3.Error:
            return []
        finally:
            con.close()

    def wait_recorded(self, value: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(_matches(new, value) for new in self.changes()):
                return
            time.sleep(0.2)
        raise SystemExit(f"FAIL: the change to {value!r} was never recorded; the log ends:\n{self.log()[-1500:]}")

    def save(self, cell: str, value: str) -> None:
        save_like_excel(self.register, edited(self.register, "订单登记", cell, value))
        self.expected.append(value)

    # --- the operations ---------------------------------------------------------------------

    def edit(self, i: int, rnd: random.Random) -> None:
        value = f"remark {i}"
        self.save(f"N{rnd.choice(self.rows)}", value)
        self.wait_recorded(value)

    def error(self, i: int, rnd: random.Random) -> None:
        """A delivery date before its order date: a real change and an entry-error mail."""
        day = date(2019, 1, 1) + timedelta(days=i)
        cell = f"J{rnd.choice(self.rows)}"
        print(f"   {cell} = {day}", flush=True) if "--verbose" in sys.argv else None
        save_like_excel(self.register, edited(self.register, "订单登记", cell, datetime(day.year, day.month, day.day)))
        self.expected.append(day.isoformat())
        self.wait_recorded(day.isoformat())

    def delete(self, i: int, rnd: random.Random) -> None:
        for part in ("", "-wal", "-shm"):
            Path(f"{self.state / 'ordersync.db'}{part}").unlink(missing_ok=True)
        self.edit(i, rnd)

    def full(self, i: int, rnd: random.Random) -> None:
        if not self.mounted:
            return self.edit(i, rnd)
        filler = self.state / "filler"
        try:
            with filler.open("wb") as fh:
                while True:
                    fh.write(b"\0" * 65536)
                    fh.flush()
        except OSError:
            pass
        if not filler.exists():
            sizes = {p.name: p.stat().st_size for p in self.state.iterdir()}
            raise SystemExit(f"FAIL: the state's disk was full before the filler: {sizes}")
        value = f"remark {i} on a full disk"
        seen = self.log().count("the disk is full")
        self.save(f"N{rnd.choice(self.rows)}", value)
        deadline = time.monotonic() + 60
        while self.log().count("the disk is full") == seen and time.monotonic() < deadline:
            time.sleep(0.2)
        filler.unlink()
        self.wait_recorded(value)

    def kill(self, i: int, rnd: random.Random) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        value = f"remark {i} while down"
        self.save(f"N{rnd.choice(self.rows)}", value)
        self.start()
        self.wait_recorded(value)

    def stall(self, i: int, rnd: random.Random) -> None:
        if rnd.random() < 0.5:
            self.server.gate = Gate("data")            # the next message is taken and never confirmed
            self.error(i, rnd)
            time.sleep(3)
            self.server.gate.release()
            self.server.gate = None
        else:
            self.server.ehlo_answer = "421 4.3.2 busy, try later"
            self.error(i, rnd)
            time.sleep(2)
            self.server.ehlo_answer = ""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ops", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="fault-state-"))
    build_register(folder / "register.xlsx", orders=60, mistakes=False, seed=7)
    (folder / "state").mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "fault-state", str(folder / "state")], capture_output=True).returncode == 0
    if not mounted:
        print("full-disk operations skipped: cannot mount a small tmpfs here (needs root and mount)")
    server = MailServer(folder / "certs").start()
    run = Run(folder, server, mounted)
    (folder / "config.toml").write_text(CONFIG.format(port=server.port, user=USER, cafile=server.cafile),
                                        encoding="utf-8")
    ops = ["edit"] * 4 + ["error"] * 2 + ["delete", "full", "kill", "stall"]
    started = time.monotonic()
    try:
        run.start()
        deadline = time.monotonic() + 60
        while " cycle read=" not in run.log() and time.monotonic() < deadline:
            time.sleep(0.2)
        for i in range(args.ops):
            op = rnd.choice(ops)
            if args.verbose:
                print(f"{i}: {op}", flush=True)
            getattr(run, op)(i, rnd)
            run.counts[op] += 1
        time.sleep(3)
        alive = run.proc is not None and run.proc.poll() is None
        unsure = run.unsure()
        retried = subprocess.run([sys.executable, "-m", "sync", "queue", "--retry", "--config",
                                  str(folder / "config.toml")], cwd=folder, capture_output=True, text=True,
                                 env=dict(os.environ, PYTHONPATH=str(ROOT)))
        time.sleep(5)
        return report(run, alive, unsure, retried.stdout.strip(), time.monotonic() - started)
    finally:
        if run.proc is not None and run.proc.poll() is None:
            run.proc.send_signal(signal.SIGTERM)
            run.proc.wait(timeout=30)
        server.stop()
        if mounted:
            subprocess.run(["umount", "-l", str(folder / "state")], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def _order_rows(path: Path) -> list[int]:
    import openpyxl

    sheet = openpyxl.load_workbook(path, read_only=True)["订单登记"]
    return [n for n, row in enumerate(sheet.iter_rows(values_only=True), 1)
            if row and isinstance(row[0], str) and row[0].startswith("SO-")]


def _value(new: str | None, expected: list[str]) -> str:
    """The value saved that this recorded change shows (dates are recorded with their time)."""
    return next((v for v in expected if _matches(new, v)), new or "")


def _matches(new: str | None, value: str) -> bool:
    """The recorded text is the value saved (a date may be recorded with its time: 2019-01-04 00:00:00)."""
    text = new or ""
    return text == value or text.startswith((value + " ", value + "T"))


def report(run: Run, alive: bool, unsure: int, retried: str, seconds: float) -> int:
    recorded = Counter(_value(new, run.expected) for new in run.changes())
    expected = Counter(run.expected)
    twice = {v: n for v, n in recorded.items() if v in expected and n > expected[v]}
    missing = [v for v in expected if recorded[v] < 1]
    phantom = {v: n for v, n in recorded.items() if v not in expected}
    by_id = run.server.by_message_id()
    duplicates = {m: n for m, n in by_id.items() if n > 1}
    print(f"operations: {dict(run.counts)} in {seconds:.0f} s")
    print(f"changes: {sum(expected.values())} made, {sum(recorded.values())} recorded, {len(missing)} missing, "
          f"{len(twice)} recorded twice, {len(phantom)} phantom")
    print(f"mail: {len(by_id)} messages received, {len(duplicates)} received twice; {unsure} kept as 'maybe "
          f"delivered' and retried by hand ({retried or '-'}): only those may arrive twice")
    print(f"service still running: {alive}")
    ok = alive and not missing and not twice and not phantom and len(duplicates) <= unsure
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""The daemon as users run it: a real subprocess watching a real folder.

Saves are made the way Excel (temp file, delete, rename, ~$ owner file) and
LibreOffice (in-place rewrite, .~lock file) make them; the log file tells how
many cycles ran and the outbox what was sent.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest

from sync.demo.register import build_register

CONFIG = """
[service]
language = "en"
timezone = "Asia/Shanghai"
state = "state/ordersync.db"
log_file = "state/ordersync.log"

[sources.register]
kind = "excel"
path = "register.xlsx"

[mail]
outbox = "outbox"
sender = "ordersync@demo.example.com"

[watch]
debounce = 0.4
polling = false
rescan_seconds = 3600

[reminders]
send_after = "00:00"
entry_error_delay_minutes = 0
workdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
enabled = ["entry_errors"]
"""


def cycles(folder: Path) -> list[str]:
    log = folder / "state" / "ordersync.log"
    if not log.exists():
        return []
    return [line for line in log.read_text(encoding="utf-8").splitlines() if " cycle read=" in line]


def mails(folder: Path) -> list[Path]:
    return sorted((folder / "outbox").glob("*.eml")) if (folder / "outbox").exists() else []


def wait_for(predicate, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def start(folder: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sync", "run", "--config", str(folder / "config.toml")],
                            cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop(proc: subprocess.Popen) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return proc.returncode, err


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    build_register(tmp_path / "register.xlsx", orders=60, mistakes=False, seed=7)
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


@pytest.fixture
def daemon(folder: Path):
    proc = start(folder)
    try:
        wait_for(lambda: cycles(folder), what="the first cycle")
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def edited(path: Path, sheet: str, cell: str, value) -> bytes:
    """The bytes of the workbook with one cell changed (written aside, as an editor would)."""
    book = openpyxl.load_workbook(path)
    book[sheet][cell] = value
    aside = path.with_name("edit-in-progress.xlsx")
    book.save(aside)
    data = aside.read_bytes()
    aside.unlink()
    return data


def save_like_excel(path: Path, data: bytes) -> None:
    owner = path.with_name("~$" + path.name)
    owner.write_bytes(b"\x07someone")
    temp = path.with_name("6C1F2A00")          # Excel's temporary files have no extension
    temp.write_bytes(data)
    os.remove(path)
    os.rename(temp, path)
    owner.unlink()


def save_like_libreoffice(path: Path, data: bytes, pause: float) -> None:
    lock = path.with_name(f".~lock.{path.name}#")
    lock.write_text("someone,host,01.01.2026 08:00,")
    with path.open("r+b") as fh:               # in place, and slowly: the daemon may look mid-way
        fh.truncate(0)
        fh.write(data[: len(data) // 2])
        fh.flush()
        time.sleep(pause)
        fh.write(data[len(data) // 2:])
    lock.unlink()


def test_each_save_is_one_cycle_and_errors_reach_the_follower(folder, daemon):
    register = folder / "register.xlsx"
    assert len(cycles(folder)) == 1
    assert mails(folder) == []  # a clean register mails nobody

    # Excel: a due date typed before the order date in row 10
    save_like_excel(register, edited(register, "订单登记", "J10", datetime(2020, 1, 1)))
    wait_for(lambda: len(cycles(folder)) == 2, what="a cycle after the Excel save")
    line = cycles(folder)[-1]   # what the operator reads: the source, and where the cycle's time went
    assert "read=register" in line and "changes=1" in line and "notices=1" in line
    assert re.search(r"steps=read:[\d.]+,check:[\d.]+,remember:[\d.]+,notify:[\d.]+,deliver:[\d.]+", line), line
    sent = mails(folder)  # delivered by the cycle itself, not by a later tick of the scheduler
    assert len(sent) == 1
    message = email.message_from_bytes(sent[0].read_bytes(), policy=email.policy.default)
    book = openpyxl.load_workbook(register)
    follower = book["订单登记"]["L10"].value
    address = next(row[1] for row in book["人员"].iter_rows(min_row=2, values_only=True) if row[0] == follower)
    assert address in message["To"]
    assert "J10" in message.get_body(("plain",)).get_content()

    # LibreOffice: rewritten in place, read mid-way by the daemon, still one cycle
    save_like_libreoffice(register, edited(register, "订单登记", "N11", "客户要求加急"), pause=1.2)
    wait_for(lambda: len(cycles(folder)) == 3, what="a cycle after the LibreOffice save")

    # the same bytes saved again cost nothing
    register.write_bytes(register.read_bytes())
    time.sleep(2.0)
    assert len(cycles(folder)) == 3
    assert len(mails(folder)) == 1  # and nothing was sent twice

    code, err = stop(daemon)
    assert code == 0, err
    assert "Traceback" not in err


def test_sigterm_exits_cleanly_and_a_second_instance_refuses(folder, daemon):
    second = subprocess.run([sys.executable, "-m", "sync", "run", "--config", str(folder / "config.toml")],
                            cwd=folder, capture_output=True, text=True, timeout=60)
    assert second.returncode == 2
    assert "already running" in second.stderr
    started = time.monotonic()
    code, err = stop(daemon)
    assert code == 0, err
    assert time.monotonic() - started < 10
    status = (folder / "state" / "service.json").read_text(encoding="utf-8")
    assert '"register"' in status and '"queue_length"' in status


def test_a_missed_digest_is_sent_once_after_restart(folder):
    config = folder / "config.toml"
    config.write_text(CONFIG + '\n[[digests]]\nname = "daily"\nto = ["manager"]\nat = "08:00"\n', encoding="utf-8")
    once = subprocess.run([sys.executable, "-m", "sync", "run", "--once", "--config", str(config)], cwd=folder,
                          capture_output=True, text=True, timeout=120)
    assert once.returncode == 0, once.stderr
    assert mails(folder) == []  # installed just now: this morning's digest is not owed
    # the service was installed three days ago and the machine was off since
    db = sqlite3.connect(folder / "state" / "ordersync.db")
    three_days_ago = (datetime.now(timezone.utc) - timedelta(days=3)).isoformat()
    db.execute("UPDATE schedule_runs SET first_seen = ?, last_slot = NULL WHERE job = 'digest:daily'", (three_days_ago,))
    db.commit()
    db.close()

    proc = start(folder)
    try:
        wait_for(lambda: cycles(folder), what="the first cycle")
        sent = wait_for(lambda: mails(folder), what="the missed digest")
        time.sleep(1.5)  # several schedule ticks: still one digest
        assert len(mails(folder)) == len(sent) == 1
    finally:
        assert stop(proc)[0] == 0
    proc = start(folder)
    try:
        wait_for(lambda: len(cycles(folder)) >= 3, what="the cycle after restart")
        time.sleep(1.5)
        assert len(mails(folder)) == 1  # and never twice
    finally:
        assert stop(proc)[0] == 0

"""The daemon outlives faults in its state (issue 15 items 8-10, 16): a real subprocess on a real folder.

State deleted while running: written back from the open database, the change made afterwards recorded,
nothing sent twice after a restart. State on a full disk (a small tmpfs) or in a folder turned read-only: the
daemon stays up, says so in the log and in `status --service`, and records the change once there is room.
Two configs on one state: the second is refused, naming both. A broken template: that digest waits, the
daemon runs on.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path

import pytest

from tests.service.test_service import (CONFIG, cycles, edited, mails, save_like_excel, start, stop,  # noqa: F401
                                        folder, wait_for)


def log_text(folder: Path) -> str:
    path = folder / "state" / "ordersync.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def changes(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT tbl, field, old, new FROM ledger_changes ORDER BY id").fetchall()
    finally:
        con.close()


def service_status(folder: Path, *more: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sync", "status", "--service", *more, "--config",
                           str(folder / "config.toml")], cwd=folder, capture_output=True, text=True, timeout=60)


def test_a_state_deleted_while_running_is_written_back_and_nothing_is_sent_twice(folder):
    register, db = folder / "register.xlsx", folder / "state" / "ordersync.db"
    proc = start(folder)
    try:
        wait_for(lambda: cycles(folder), what="the first cycle")
        save_like_excel(register, edited(register, "订单登记", "J10", datetime(2020, 1, 1)))
        wait_for(lambda: len(cycles(folder)) == 2, what="the cycle after the first save")
        assert len(mails(folder)) == 1
        for part in ("", "-wal", "-shm"):               # rm state/ordersync.db*: the service's file is gone
            Path(f"{db}{part}").unlink(missing_ok=True)
        save_like_excel(register, edited(register, "订单登记", "N11", "客户要求加急"))
        wait_for(lambda: len(cycles(folder)) == 3, what="the cycle after the state was deleted")
        assert db.exists()
        assert "was deleted while ordersync ran" in log_text(folder)
        code, err = stop(proc)
        assert code == 0 and "Traceback" not in err, err
    finally:
        if proc.poll() is None:
            proc.kill()
    recorded = changes(db)
    assert len(recorded) == 2 and recorded[-1][3] == "客户要求加急", recorded    # both edits, in the file
    proc = start(folder)                                 # a restart on the written-back state
    try:
        wait_for(lambda: len(cycles(folder)) == 4, what="the cycle after restart")
        assert len(mails(folder)) == 1                   # the entry-error mail was not sent again
        assert len(changes(db)) == 2                     # and nothing recorded twice
    finally:
        assert stop(proc)[0] == 0


@pytest.fixture
def mounted(folder):
    """folder/state as its own small tmpfs (4 MiB), so the test can fill it or make it read-only."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("cannot mount a small tmpfs here (needs root and mount): the full-disk and read-only-disk "
                    "parts are not run")
    where = folder / "state"
    where.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", f"ordersync-test-{uuid.uuid4().hex[:6]}",
                           str(where)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({made.stderr.strip()}): the full-disk part is not run")
    config = CONFIG.replace('log_file = "state/ordersync.log"', 'log_file = "logs/ordersync.log"')
    config = config.replace("rescan_seconds = 3600", "rescan_seconds = 3600\nnotice_tick_seconds = 1")
    (folder / "config.toml").write_text(config, encoding="utf-8")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def log_lines(folder: Path) -> str:
    path = folder / "logs" / "ordersync.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def fill(where: Path) -> Path:
    filler = where / "filler"
    with filler.open("wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_or_a_read_only_disk_keeps_the_daemon_up_and_loses_nothing(folder, mounted):
    register, db = folder / "register.xlsx", mounted / "ordersync.db"
    count = lambda: log_lines(folder).count(" cycle read=")          # noqa: E731
    proc = start(folder)
    try:
        wait_for(count, what="the first cycle")
        filler = fill(mounted)                                        # the disk is full
        save_like_excel(register, edited(register, "订单登记", "J10", datetime(2020, 1, 1)))
        wait_for(lambda: "the disk is full" in log_lines(folder), what="the full disk in the log")
        shown = service_status(folder)
        assert "disk is full" in shown.stdout + shown.stderr, shown
        assert proc.poll() is None                                    # still up
        filler.unlink()                                               # space comes back
        wait_for(lambda: changes(db), what="the change recorded once there is room")
        wait_for(lambda: mails(folder), what="the entry-error mail")

        code, err = stop(proc)
        assert code == 0 and "Traceback" not in err, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert len(changes(db)) == 1 and len(mails(folder)) == 1           # each once
    assert "working again" in log_lines(folder)

    # the folder turned read-only (a remount: root ignores permissions; an open file keeps a mount busy, so
    # between runs): one line naming the file and what to do, no traceback, exit 2
    subprocess.run(["mount", "-o", "remount,ro", str(mounted)], check=True)
    try:
        once = subprocess.run([sys.executable, "-m", "sync", "run", "--once", "--config", str(folder / "config.toml")],
                              cwd=folder, capture_output=True, text=True, timeout=120)
        assert once.returncode == 2 and "Traceback" not in once.stderr, once.stderr
        assert str(mounted) in once.stderr and "read-only" in once.stderr, once.stderr
        shown = service_status(folder)
        assert "read-only" in shown.stdout, shown
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(mounted)], check=True)


def test_a_corrupt_state_is_one_line_at_start(folder):
    (folder / "state").mkdir()
    (folder / "state" / "ordersync.db").write_bytes(b"this is not a database, it was overwritten" * 200)
    once = subprocess.run([sys.executable, "-m", "sync", "run", "--once", "--config", str(folder / "config.toml")],
                          cwd=folder, capture_output=True, text=True, timeout=120)
    assert once.returncode == 2 and "Traceback" not in once.stderr, once.stderr
    lines = [line for line in once.stderr.splitlines() if line.strip()]
    assert "ordersync.db: the state file is damaged" in lines[0] and "move ordersync.db aside" in once.stderr


def test_two_configs_on_one_state_the_second_is_refused_naming_both(folder, tmp_path_factory):
    once = [sys.executable, "-m", "sync", "run", "--once", "--config"]
    first = subprocess.run([*once, str(folder / "config.toml")], cwd=folder, capture_output=True, text=True,
                           timeout=120)
    assert first.returncode == 0, first.stderr
    other = tmp_path_factory.mktemp("other")
    shutil.copy(folder / "register.xlsx", other / "other-register.xlsx")
    state = folder / "state" / "ordersync.db"
    (other / "config.toml").write_text(CONFIG.replace('path = "register.xlsx"', 'path = "other-register.xlsx"')
                                       .replace('state = "state/ordersync.db"', f'state = "{state}"'),
                                       encoding="utf-8")
    second = subprocess.run([*once, str(other / "config.toml")], cwd=other, capture_output=True, text=True,
                            timeout=120)
    assert second.returncode == 2 and "Traceback" not in second.stderr, second.stderr
    assert str(folder / "config.toml") in second.stderr and str(other / "config.toml") in second.stderr
    assert "other-register.xlsx" in second.stderr and "belongs to" in second.stderr
    assert len(changes(state)) == 0                                  # nothing recorded about the other register


def test_a_broken_user_template_holds_its_digest_and_the_daemon_sends_everything_else(folder):
    config = folder / "config.toml"
    config.write_text(CONFIG.replace("rescan_seconds = 3600", "rescan_seconds = 3600\nschedule_tick_seconds = 1")
                      + '\n[[digests]]\nname = "daily"\nto = ["manager"]\nat = "08:00"\n', encoding="utf-8")
    once = subprocess.run([sys.executable, "-m", "sync", "run", "--once", "--config", str(config)], cwd=folder,
                          capture_output=True, text=True, timeout=120)
    assert once.returncode == 0, once.stderr
    db = sqlite3.connect(folder / "state" / "ordersync.db")      # installed three days ago: a digest is owed
    db.execute("UPDATE schedule_runs SET first_seen = '2020-01-01T00:00:00+00:00', last_slot = NULL")
    db.commit()
    db.close()
    (folder / "templates").mkdir()
    broken = folder / "templates" / "digest.html.j2"
    broken.write_text("<html>{% if d %}never closed</html>\n", encoding="utf-8")
    register = folder / "register.xlsx"
    proc = start(folder)
    try:
        wait_for(lambda: "digest:daily: mail template" in log_text(folder), what="the template error in the log")
        save_like_excel(register, edited(register, "订单登记", "J10", datetime(2020, 1, 1)))
        sent = wait_for(lambda: mails(folder), what="the entry-error mail, sent meanwhile")
        subject = email.message_from_bytes(sent[0].read_bytes(), policy=email.policy.default)["Subject"]
        assert subject.startswith("[Register]"), subject             # the entry-error mail, not the digest
        shown = service_status(folder)
        assert "digest:daily" in shown.stdout and "digest.html.j2" in shown.stdout, shown
        status = json.loads(service_status(folder, "--format", "json").stdout)
        assert [p["what"] for p in status["problems"]] == ["digest:daily"]
        assert proc.poll() is None                                     # still running
        assert log_text(folder).count("digest:daily: mail template") == 1   # said once, not every tick
        broken.unlink()                                                # mended: the digest goes, once
        wait_for(lambda: len(mails(folder)) == 2, what="the digest once the template is mended")
        wait_for(lambda: "digest:daily: working again" in log_text(folder), what="the all-clear")
        code, err = stop(proc)
        assert code == 0 and "Traceback" not in err, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert len(mails(folder)) == 2


def test_a_broken_reminder_template_holds_the_reminders_and_the_entry_errors_still_go(folder):
    config = folder / "config.toml"
    config.write_text(CONFIG.replace('enabled = ["entry_errors"]', 'enabled = ["entry_errors", "overdue"]'),
                      encoding="utf-8")
    register = folder / "register.xlsx"
    register.write_bytes(edited(register, "订单登记", "J10", datetime(2020, 1, 1)))   # overdue, and an entry error
    (folder / "templates").mkdir()
    broken = folder / "templates" / "reminder.html.j2"
    broken.write_text("{{ reminders | no_such_filter }}\n", encoding="utf-8")
    once = [sys.executable, "-m", "sync", "run", "--once", "--config", str(config)]
    first = subprocess.run(once, cwd=folder, capture_output=True, text=True, timeout=120)
    assert first.returncode == 1 and "Traceback" not in first.stderr, first.stderr
    assert "held" in first.stderr
    subjects = [email.message_from_bytes(m.read_bytes(), policy=email.policy.default)["Subject"] for m in mails(folder)]
    assert subjects and all(s.startswith("[Register]") for s in subjects), subjects      # entry errors went
    queue = subprocess.run([sys.executable, "-m", "sync", "queue", "--config", str(config)], cwd=folder,
                           capture_output=True, text=True, timeout=60)
    assert queue.returncode == 1 and "held" in queue.stdout and "reminder.html.j2" in queue.stdout, queue.stdout
    broken.unlink()                                                  # mended: the reminders go, once
    second = subprocess.run(once, cwd=folder, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    sent = [email.message_from_bytes(m.read_bytes(), policy=email.policy.default) for m in mails(folder)]
    assert sum(m["Subject"].startswith("[Orders]") for m in sent) >= 1
    assert len({m["Message-ID"] for m in sent}) == len(sent)                          # each notice once
    third = subprocess.run(once, cwd=folder, capture_output=True, text=True, timeout=120)
    assert third.returncode == 0 and len(mails(folder)) == len(sent)                   # and never twice

"""Killed between reading and committing (a real process, SIGKILL): the next run records each change once.

The child runs the real ``remember``; the test finds out where it is through
SQLite's own statement trace, which the child prints, never through a seam in
the product code. Two places to die: blocked on the write lock that the test
holds (after reading and planning), and frozen half-way through its writes.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import timedelta

from sync.changes.ledger import CHANGED, REMOVED, changes_since, remember
from sync.state import State
from tests.changes.test_ledger import ORDERS_HEADER, T0, order, orders, register_of, write

CHILD = r"""
import sys, time
from datetime import datetime, timezone
from sync.changes.ledger import remember
from sync.tables.register import load
from sync.sources import open_path
from sync.state import State

db, book, freeze_on = sys.argv[1:4]
state = State(db)

def trace(sql):
    print(sql[:60].replace("\n", " "), flush=True)
    if freeze_on and sql.startswith(freeze_on):
        print("FROZEN", flush=True)
        time.sleep(600)

register = load([open_path(book, name="register")])
state.db.set_trace_callback(trace)
remember(state, register, now=datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc))
print("COMMITTED", flush=True)
"""


def _prepare(tmp_path):
    """A baseline of six orders, then a version with one edit and one deletion waiting to be seen."""
    db, book = tmp_path / "state.db", tmp_path / "register.xlsx"
    write(book, {"订单": (ORDERS_HEADER, orders(6))})
    with State(db) as state:
        assert remember(state, register_of(book), now=T0).baselined == ["orders"]
    edited = orders(6)[1:]
    edited[0][5] = 2222                   # SO-002: 1002 -> 2222
    write(book, {"订单": (ORDERS_HEADER, edited)})
    return db, book


def _run_until(db, book, freeze_on: str, marker: str) -> list[str]:
    """Start the child, read its trace until ``marker``, then SIGKILL it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db), str(book), freeze_on],
                             stdout=subprocess.PIPE, text=True, env=env)
    guard = threading.Timer(60, child.kill)   # never hang the suite if the marker never comes
    guard.start()
    seen = []
    try:
        for line in child.stdout:
            seen.append(line.strip())
            if line.startswith(marker):
                break
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        guard.cancel()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL, seen
    assert "COMMITTED" not in seen
    return seen


def _assert_recorded_once(db, book):
    with State(db) as state:
        after = remember(state, register_of(book), now=T0 + timedelta(hours=2))
        assert sorted((c.kind, c.key) for c in after.changes) == [(CHANGED, "SO-002"), (REMOVED, "SO-001")]
        assert remember(state, register_of(book), now=T0 + timedelta(hours=3)).changes == []
        ledger = [(c.kind, c.key, c.field, c.old, c.new) for c in changes_since(state)]
        assert ledger == [(CHANGED, "SO-002", "quantity", "1002", "2222"), (REMOVED, "SO-001", None, ledger[1][3], None)]


def test_killed_while_waiting_to_commit(tmp_path):
    db, book = _prepare(tmp_path)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")         # the child plans, then blocks on this lock
    try:
        seen = _run_until(db, book, "", "BEGIN IMMEDIATE")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert any(s.startswith("SELECT keys, khashes, hashes, rows FROM ledger_index") for s in seen)   # it had read and planned
    _assert_recorded_once(db, book)


def test_killed_half_way_through_its_writes(tmp_path):
    db, book = _prepare(tmp_path)
    seen = _run_until(db, book, "INSERT INTO ledger_changes", "FROZEN")
    assert any(s.startswith("DELETE FROM ledger_rows") for s in seen)   # the snapshot was already being rewritten
    _assert_recorded_once(db, book)

"""A sender process killed (SIGKILL) in the middle of a batch: after a restart, nothing is lost and
nothing is sent twice, except a message whose "250 OK" the dead process never got to record, which
is sent again with the same Message-ID (the documented instant)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sync.delivery import MailQueue
from sync.state import State
from tests.smtpserver import SENDER, Gate, MailServer
from tests.delivery.test_delivery_smtp import NOW, digest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


def queue_three(path: Path) -> list[str]:
    with State(path) as state:
        queue = MailQueue(state, SENDER)
        for i in range(3):
            queue.enqueue(digest(f"reminder/overdue/PO-{i}/张伟/2026-11-26", subject=f"PO-{i} 逾期"), NOW)
        return [e.message_id for e in reversed(queue.entries())]


def sender(state: Path, server: MailServer, ahead: float = 0) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.smtpserver", "send", str(state), str(server.port),
                             str(server.cafile), str(ahead)], cwd=ROOT, stdout=subprocess.PIPE, text=True)


def kill_at(gate: Gate, proc: subprocess.Popen) -> None:
    assert gate.reached.wait(20), "the sender never got to the held step"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    gate.release()


def restart(state: Path, server: MailServer) -> str:
    proc = sender(state, server, ahead=601)      # past the lease: the dead process's claim is taken over
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    return out.strip()


def test_killed_before_the_server_accepted_a_message_sends_each_exactly_once(tmp_path):
    state = tmp_path / "state.db"
    ids = queue_three(state)
    with MailServer(tmp_path / "certs") as server:
        server.gate = Gate("rcpt", nth=3)          # message 2 of 3 (two recipients each): held at RCPT TO
        kill_at(server.gate, sender(state, server))
        assert server.by_message_id() == {ids[0]: 1}   # message 1 was accepted and recorded before moving on
        server.gate = None
        assert restart(state, server) == "sent=2 resent=1 deferred=0"
    assert server.by_message_id() == {ids[0]: 1, ids[1]: 1, ids[2]: 1}
    with State(state) as s:
        assert MailQueue(s, SENDER).counts()["sent"] == 3


def test_killed_after_the_server_took_the_data_resends_it_with_the_same_message_id(tmp_path):
    state = tmp_path / "state.db"
    ids = queue_three(state)
    with MailServer(tmp_path / "certs") as server:
        server.gate = Gate("data", nth=2)          # message 2 is in, its "250 OK" not yet answered
        kill_at(server.gate, sender(state, server))
        server.gate = None
        assert restart(state, server) == "sent=2 resent=1 deferred=0"
    assert server.by_message_id() == {ids[0]: 1, ids[1]: 2, ids[2]: 1}
    first, again = [r.raw for r in server.received if r.message_id == ids[1]]
    assert first == again                          # byte for byte: a receiver can tell it is the same mail
    with State(state) as s:
        row = s.db.execute("SELECT resends, status FROM mail_queue WHERE message_id = ?", (ids[1],)).fetchone()
        assert tuple(row) == (1, "sent")

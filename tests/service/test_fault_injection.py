"""The fault-injection run, short (issue 15, "How it is judged"): the real daemon, a real register, a real SMTP
server, random saves, sorts, renames, corrupt saves, kill -9 and SMTP faults; nothing lost, nothing twice.
The long run is ``bench/bench_faults.py``."""

from __future__ import annotations

from tests.faults import FaultRun
from tests.smtpserver import MailServer


def test_random_faults_lose_nothing_and_repeat_nothing(tmp_path):
    with MailServer(tmp_path / "smtp") as server:
        (tmp_path / "run").mkdir()
        counts = FaultRun(tmp_path / "run", server, seed=15).run(operations=10)
    print("\n".join(counts.lines()))
    assert counts.daemon_alive
    assert counts.edits and counts.recorded_once == counts.edits
    assert (counts.missed, counts.recorded_twice, counts.phantoms) == (0, 0, 0)
    assert counts.notices and counts.delivered == counts.notices
    assert (counts.delivered_twice, counts.undelivered) == (0, 0)

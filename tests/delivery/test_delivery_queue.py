"""The mail queue and the outbox: once per notice, delayed never lost, files a person can open."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy

import pytest

from sync.config import MailConfig
from sync.delivery import BadRecipient, MailQueue, OutboxBackend, RetryPolicy, SmtpBackend, make_backend
from sync.state import State
from tests.smtpserver import PASSWORD, SENDER, USER, MailServer, free_port
from tests.delivery.test_delivery_smtp import NOW, digest, png


@pytest.fixture
def state(tmp_path):
    with State(tmp_path / "state.db") as s:
        yield s


def smtp_to(port: int, cafile) -> SmtpBackend:
    return SmtpBackend("127.0.0.1", port, username=USER, password=PASSWORD, timeout=2, cafile=cafile,
                       local_hostname="ordersync.test")


def test_queueing_the_same_notice_twice_is_a_no_op_even_after_it_was_sent(tmp_path, state):
    queue = MailQueue(state, SENDER)
    assert queue.enqueue(digest(), NOW) is True
    assert queue.enqueue(digest(subject="changed"), NOW) is False
    assert queue.pending_count() == 1
    queue.deliver_due(OutboxBackend(tmp_path / "outbox"), NOW)
    assert queue.enqueue(digest(), NOW + timedelta(days=40)) is False
    queue.prune(NOW + timedelta(days=40))                       # bytes dropped, the record stays
    assert queue.raw(digest().dedupe_key) is None
    assert queue.enqueue(digest(), NOW + timedelta(days=41)) is False
    assert queue.counts() == {"pending": 0, "sending": 0, "sent": 1, "failed": 0}


def test_queueing_joins_the_callers_transaction(state):
    queue = MailQueue(state, SENDER)
    with pytest.raises(RuntimeError):
        with state.atomic():
            queue.enqueue(digest(), NOW)
            raise RuntimeError("the notice was not recorded either")
    assert queue.pending_count() == 0


def test_the_queue_survives_a_restart_of_the_process(tmp_path):
    with State(tmp_path / "s.db") as state:
        MailQueue(state, SENDER).enqueue(digest(), NOW)
    with State(tmp_path / "s.db") as state:
        queue = MailQueue(state, SENDER)
        assert queue.pending_count() == 1
        assert queue.deliver_due(OutboxBackend(tmp_path / "out"), NOW).sent == [digest().dedupe_key]


def test_mail_goes_only_to_known_people(state):
    queue = MailQueue(state, SENDER, allowed={"zhang@factory.example", "li@factory.example"})
    assert queue.enqueue(digest(), NOW)
    with pytest.raises(BadRecipient, match="evil@elsewhere.example"):
        queue.enqueue(digest("x", cc=[("Mallory", "evil@elsewhere.example")]), NOW)
    assert queue.pending_count() == 1


def test_deliver_due_refuses_to_run_inside_a_transaction(tmp_path, state):
    queue = MailQueue(state, SENDER)
    with pytest.raises(RuntimeError, match="sent"):
        with state.atomic():
            queue.deliver_due(OutboxBackend(tmp_path), NOW)


def test_outbox_writes_an_eml_and_a_preview_a_person_can_open(tmp_path, state):
    queue = MailQueue(state, SENDER)
    queue.enqueue(digest(subject='逾期 <script>alert(1)</script> "PO-1"'), NOW)
    backend = make_backend(MailConfig(outbox="outbox"), tmp_path)
    assert queue.deliver_due(backend, NOW).sent
    eml, = (tmp_path / "outbox").glob("*.eml")
    html, = (tmp_path / "outbox").glob("*.html")
    assert eml.name.startswith("20261126-083000-逾期-script-alert-1-script-PO-1-")
    assert eml.stem == html.stem and not list((tmp_path / "outbox").glob(".*"))     # no temp files left
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert msg["Message-ID"] == queue.entries()[0].message_id
    assert [p.get_filename() for p in msg.iter_attachments()] == ["逾期订单.csv"]
    page = html.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "zhang@factory.example" in page and "逾期订单.csv" in page
    assert '<iframe sandbox srcdoc="' in page and "data:image/png;base64," in page and "cid:trend" not in page


def test_delivering_the_same_message_to_the_outbox_again_overwrites_it(tmp_path, state):
    """The outbox side of the crash window: a resend lands on the same file, not beside it."""
    queue = MailQueue(state, SENDER)
    queue.enqueue(digest(), NOW)
    raw = queue.raw(digest().dedupe_key)
    backend = OutboxBackend(tmp_path / "outbox")
    backend.send(raw, "x", ["zhang@factory.example"])
    backend.send(raw, "x", ["zhang@factory.example"])
    assert len(list((tmp_path / "outbox").iterdir())) == 2          # one .eml, one .html


def test_an_unwritable_outbox_defers_and_keeps_the_mail(tmp_path, state):
    (tmp_path / "outbox").write_text("a file where the folder should be")
    queue = MailQueue(state, SENDER)
    queue.enqueue(digest(), NOW)
    result = queue.deliver_due(OutboxBackend(tmp_path / "outbox"), NOW)
    assert result.deferred and "outbox" in result.deferred[0].error
    assert queue.pending_count() == 1


def test_server_down_then_back_delivers_every_message_exactly_once(tmp_path, state):
    port = free_port()
    queue = MailQueue(state, SENDER)
    for i in range(3):
        queue.enqueue(digest(f"reminder/overdue/PO-{i}", subject=f"PO-{i} 逾期"), NOW)
    server = MailServer(tmp_path / "certs", port=port)
    down = queue.deliver_due(smtp_to(port, server.cafile), NOW)
    assert not down.sent and len(down.deferred) == 3
    assert "connection refused" in down.deferred[0].error
    assert queue.pending_count() == 3
    later = NOW
    with server:
        for minutes in (0, 0.5, 1, 2, 5):      # the daemon's ticks: nothing due before the backoff ends
            later = NOW + timedelta(minutes=minutes)
            queue.deliver_due(smtp_to(port, server.cafile), later)
        queue.deliver_due(smtp_to(port, server.cafile), later + timedelta(hours=3))
    assert sorted(r.message["Subject"] for r in server.received) == ["PO-0 逾期", "PO-1 逾期", "PO-2 逾期"]
    assert set(server.by_message_id().values()) == {1}
    assert queue.pending_count() == 0


def test_backoff_doubles_up_to_a_cap_and_a_server_that_is_down_never_fails_a_message(tmp_path, state):
    queue = MailQueue(state, SENDER, policy=RetryPolicy(first_delay=60, max_delay=240, max_refusals=3))
    queue.enqueue(digest(), NOW)
    dead = smtp_to(free_port(), None)
    waits, now = [], NOW
    for _ in range(40):                  # 40 tries: hours of outage
        queue.deliver_due(dead, now)
        entry = queue.entries()[0]
        retry_at = datetime.fromisoformat(entry.next_attempt).replace(tzinfo=timezone.utc)
        waits.append((retry_at - now).total_seconds())
        now = retry_at
    assert waits[:5] == [60, 120, 240, 240, 240]
    assert entry.status == "pending" and entry.attempts == 40 and "connection refused" in entry.last_error


def test_a_message_answered_try_later_too_often_fails_visibly_and_can_be_put_back(tmp_path, state):
    queue = MailQueue(state, SENDER, policy=RetryPolicy(first_delay=60, max_delay=240, max_refusals=3))
    queue.enqueue(digest(), NOW)
    now = NOW
    with MailServer(tmp_path / "certs") as server:
        server.busy = True
        for _ in range(3):
            result = queue.deliver_due(smtp_to(server.port, server.cafile), now)
            entry = queue.entries()[0]
            now = datetime.fromisoformat(entry.next_attempt).replace(tzinfo=timezone.utc)
        assert entry.status == "failed" and entry.attempts == 3 and "451" in entry.last_error
        assert result.failed and result.failed[0].final and "451" in result.summary("en")
        assert queue.pending_count() == 0 and queue.counts()["failed"] == 1
        server.busy = False
        assert queue.retry_failed(now=now) == 1
        assert queue.deliver_due(smtp_to(server.port, server.cafile), now).sent
    assert len(server.received) == 1


def test_a_claim_left_by_a_crash_is_taken_again_after_the_lease_with_the_same_message_id(tmp_path, state):
    queue = MailQueue(state, SENDER, policy=RetryPolicy(lease=600))
    queue.enqueue(digest(), NOW)
    row = state.db.execute("SELECT * FROM mail_queue").fetchone()
    assert queue._claim(row, NOW)                       # what a process does right before it dies mid-send
    outbox = OutboxBackend(tmp_path / "outbox")
    assert queue.deliver_due(outbox, NOW + timedelta(minutes=9)).sent == []      # it might still be sending
    result = queue.deliver_due(outbox, NOW + timedelta(minutes=10))
    assert result.sent == result.resent == [digest().dedupe_key]
    eml, = (tmp_path / "outbox").glob("*.eml")
    assert message_from_bytes(eml.read_bytes())["Message-ID"] == row["message_id"]

"""SMTP delivery against a real server on 127.0.0.1: TLS, AUTH, parts, errors."""

from __future__ import annotations

import struct
import threading
import zlib
from datetime import datetime, timedelta, timezone

import pytest

from sync.config import MailConfig
from sync.delivery import (AuthFailed, MailQueue, MailSetupError, Outgoing, Rejected, ServerUnavailable,
                           SmtpBackend, make_backend)
from sync.state import State
from tests.smtpserver import PASSWORD, SENDER, USER, Gate, MailServer, free_port

NOW = datetime(2026, 11, 26, 8, 30, tzinfo=timezone.utc)


def png() -> bytes:
    """A real 1x1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def digest(key: str = "digest:daily:2026-11-26:zhang@factory.example", **kw) -> Outgoing:
    values = dict(to=[("张伟", "zhang@factory.example")], cc=[("李娜 主管", "li@factory.example")],
                  subject="每日摘要 2026-11-26：3 单逾期", text="张伟，你好：\n3 单逾期。",
                  html='<p>张伟，你好：3 单逾期。</p><img src="cid:trend">', inline_images={"trend": png()},
                  attachments=[("逾期订单.csv", "订单号,交期\nPO-1,2026-11-20\n".encode("utf-8"), "text/csv")],
                  dedupe_key=key)
    values.update(kw)
    return Outgoing(**values)


def backend(server: MailServer, **kw) -> SmtpBackend:
    options = dict(security=server.tls, username=USER, password=PASSWORD, timeout=5, cafile=server.cafile,
                   local_hostname="ordersync.test")
    options.update(kw)
    return SmtpBackend("127.0.0.1", server.port, **options)


@pytest.fixture
def queue(tmp_path):
    with State(tmp_path / "state.db") as state:
        yield MailQueue(state, SENDER)


@pytest.mark.parametrize("tls", ["starttls", "tls"])
def test_a_digest_arrives_with_recipients_subject_and_every_part(tmp_path, queue, tls):
    with MailServer(tmp_path / "certs", tls=tls) as server:
        assert queue.enqueue(digest(), NOW)
        result = queue.deliver_due(backend(server), NOW)
    assert result.sent == [digest().dedupe_key] and not result.deferred
    [got] = server.received
    assert got.login == USER
    assert got.mail_from == "ordersync@factory.example"
    assert sorted(got.rcpt_tos) == ["li@factory.example", "zhang@factory.example"]
    msg = got.message
    assert msg["Subject"] == "每日摘要 2026-11-26：3 单逾期"
    assert msg["To"].addresses[0].display_name == "张伟"
    assert msg["Cc"].addresses[0].addr_spec == "li@factory.example"
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n").strip() == "张伟，你好：\n3 单逾期。"
    html = msg.get_body(("html",))
    assert 'src="cid:trend"' in html.get_content()
    [image] = [p for p in msg.walk() if p["Content-ID"] == "<trend>"]
    assert image.get_content_type() == "image/png" and image.get_content() == png()
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == "逾期订单.csv"
    assert attachment.get_content().startswith("订单号,交期")
    assert queue.pending_count() == 0 and queue.counts()["sent"] == 1


def test_make_backend_reads_mail_config_and_the_password_from_the_environment(tmp_path, queue):
    with MailServer(tmp_path / "certs") as server:
        mail = MailConfig(backend="smtp", host="127.0.0.1", port=server.port, username=USER,
                          password_env="TEST_SMTP_PW", cafile="certs/ca.pem", timeout=5)
        smtp = make_backend(mail, tmp_path, environ={"TEST_SMTP_PW": PASSWORD})
        queue.enqueue(digest(), NOW)
        assert queue.deliver_due(smtp, NOW).sent
    assert len(server.received) == 1


def test_a_missing_password_keeps_mail_queued_and_says_which_variable(tmp_path, queue):
    mail = MailConfig(backend="smtp", host="127.0.0.1", port=free_port(), username=USER, password_env="NO_SUCH_PW")
    queue.enqueue(digest(), NOW)
    result = queue.deliver_due(make_backend(mail, tmp_path, environ={}), NOW)
    [problem] = result.deferred
    assert "NO_SUCH_PW" in problem.error and not problem.final
    assert queue.pending_count() == 1


def test_a_wrong_password_is_reported_and_retried_slowly(tmp_path, queue):
    with MailServer(tmp_path / "certs") as server:
        queue.enqueue(digest(), NOW)
        result = queue.deliver_due(backend(server, password="wrong"), NOW)
        [problem] = result.deferred
        assert "login as 'robot' refused" in problem.error and "535" in problem.error
        assert "password" in problem.hint
        [entry] = queue.entries()
        assert entry.status == "pending" and entry.next_attempt == "2026-11-26T09:30:00"   # an hour later
        # the same settings again wait the hour (a mended password goes at once: see below)
        assert not queue.deliver_due(backend(server, password="wrong"), NOW + timedelta(minutes=59)).sent
        assert queue.deliver_due(backend(server), NOW + timedelta(hours=1)).sent
    assert len(server.received) == 1


def test_an_untrusted_certificate_is_refused(tmp_path, queue):
    with MailServer(tmp_path / "certs") as server:
        with pytest.raises(MailSetupError, match="certificate is not trusted"):
            backend(server, cafile=None).open()
        queue.enqueue(digest(), NOW)
        assert queue.deliver_due(backend(server, cafile=None), NOW).deferred
    assert server.received == []


def test_the_wrong_tls_mode_says_which_setting_to_change(tmp_path):
    with MailServer(tmp_path / "certs", tls="tls") as server:
        with pytest.raises(ServerUnavailable, match='security = "tls"'):
            backend(server, security="starttls", timeout=0.5).open()
    with MailServer(tmp_path / "certs2", tls="starttls") as server:
        with pytest.raises(MailSetupError, match='security = "tls", with 587 or 25 use "starttls"'):
            backend(server, security="tls").open()


def test_no_password_is_sent_over_a_plain_connection_to_another_host():
    with pytest.raises(MailSetupError, match="unencrypted"):
        SmtpBackend("mail.factory.example", 25, security="none", username=USER, password=PASSWORD).open()


def test_a_refused_recipient_is_permanent_and_visible(tmp_path, queue):
    with MailServer(tmp_path / "certs") as server:
        server.refuse = {"nobody@factory.example"}
        queue.enqueue(digest("a", to=[("Nobody", "nobody@factory.example")], cc=[]), NOW)
        queue.enqueue(digest("b", cc=[("Nobody", "nobody@factory.example")]), NOW)
        result = queue.deliver_due(backend(server), NOW)
    [failed] = result.failed
    assert failed.dedupe_key == "a" and failed.final and "550" in failed.error
    assert result.sent == ["b"] and result.refused == {"b": ["nobody@factory.example"]}
    assert [r.rcpt_tos for r in server.received] == [["zhang@factory.example"]]
    assert {e.dedupe_key: e.status for e in queue.entries()} == {"a": "failed", "b": "sent"}
    assert "nobody@factory.example" in queue.entries("sent")[0].last_error


def test_a_busy_server_451_defers_with_backoff(tmp_path, queue):
    with MailServer(tmp_path / "certs") as server:
        server.busy = True
        queue.enqueue(digest(), NOW)
        result = queue.deliver_due(backend(server), NOW)
        assert result.deferred and "451" in result.deferred[0].error
        server.busy = False
        assert not queue.deliver_due(backend(server), NOW + timedelta(seconds=59)).sent
        assert queue.deliver_due(backend(server), NOW + timedelta(seconds=60)).sent
    assert len(server.received) == 1


def test_one_connection_carries_a_batch(tmp_path, queue):
    with MailServer(tmp_path / "certs") as server:
        for i in range(5):
            queue.enqueue(digest(f"k{i}", subject=f"提醒 {i}"), NOW)
        result = queue.deliver_due(backend(server), NOW)
    assert len(result.sent) == 5
    assert sorted(r.message["Subject"] for r in server.received) == [f"提醒 {i}" for i in range(5)]


# --- issue 15 item 11: a slow end-of-data reply, 421 to EHLO, a password mended -----------------------

def test_a_slow_end_of_data_reply_is_waited_for_apart_from_the_step_timeout(tmp_path, queue):
    with MailServer(tmp_path / "certs") as server:
        server.gate = Gate("data")
        threading.Timer(1.5, server.gate.release).start()     # the 250 comes after 1.5 s: more than a step may take
        queue.enqueue(digest(), NOW)
        result = queue.deliver_due(backend(server, timeout=0.5, data_timeout=10), NOW)
    assert result.sent == [digest().dedupe_key] and not result.deferred and not result.failed
    assert len(server.received) == 1


def test_no_reply_after_the_whole_message_is_maybe_delivered_kept_and_never_resent_by_itself(tmp_path, queue):
    with MailServer(tmp_path / "certs") as server:
        server.gate = Gate("data")                           # the server took the data and says nothing
        queue.enqueue(digest(), NOW)
        queue.enqueue(digest("second", subject="第二封"), NOW)
        result = queue.deliver_due(backend(server, data_timeout=0.5), NOW)
        server.gate.release()
        [unsure] = result.failed
        assert "may have been delivered" in unsure.error and "queue --retry" in unsure.hint
        assert result.sent == ["second"]                      # the next message went on a new connection
        for later in (timedelta(minutes=1), timedelta(hours=2), timedelta(days=1)):
            assert not queue.deliver_due(backend(server), NOW + later).sent
        assert len(server.received) == 2                      # the unsure one was not sent twice by itself
        status = {e.dedupe_key: (e.status, e.last_error) for e in queue.entries()}
        assert status[digest().dedupe_key][0] == "failed" and "may have been" in status[digest().dedupe_key][1]
        server.gate = None
        [entry] = [e for e in queue.entries() if e.status == "failed"]
        assert queue.retry([entry.id], NOW + timedelta(days=1)) == 1   # a person decided: send it again
        assert queue.deliver_due(backend(server), NOW + timedelta(days=1)).sent == [digest().dedupe_key]
    assert len(server.received) == 3


def test_a_421_to_ehlo_is_try_later_not_a_setup_fault(tmp_path, queue):
    with MailServer(tmp_path / "certs") as server:
        server.ehlo_answer = "421 4.3.2 too busy, try later"
        with pytest.raises(ServerUnavailable, match="421"):
            backend(server).open()
        queue.enqueue(digest(), NOW)
        result = queue.deliver_due(backend(server), NOW)
        [problem] = result.deferred
        assert "421" in problem.error and not result.failed
        assert queue.entries()[0].next_attempt == "2026-11-26T08:31:00"      # a minute, not an hour
        server.ehlo_answer = ""
        assert queue.deliver_due(backend(server), NOW + timedelta(minutes=1)).sent
    assert len(server.received) == 1


def test_a_mended_password_is_tried_at_once_not_an_hour_later(tmp_path, queue):
    with MailServer(tmp_path / "certs") as server:
        queue.enqueue(digest(), NOW)
        assert queue.deliver_due(backend(server, password="wrong"), NOW).deferred
        soon = NOW + timedelta(minutes=2)
        assert not queue.deliver_due(backend(server, password="wrong"), soon).sent     # same settings: waits
        assert queue.deliver_due(backend(server), soon).sent                            # mended: goes now
    assert len(server.received) == 1


def test_the_password_from_a_changed_environment_changes_the_fingerprint(tmp_path):
    mail = MailConfig(backend="smtp", host="127.0.0.1", port=25, username=USER, password_env="PW")
    first = make_backend(mail, tmp_path, {"PW": "old"})
    assert first.fingerprint == make_backend(mail, tmp_path, {"PW": "old"}).fingerprint
    assert first.fingerprint != make_backend(mail, tmp_path, {"PW": "new"}).fingerprint
    assert first.fingerprint != make_backend(mail.model_copy(update={"port": 587}), tmp_path, {"PW": "old"}).fingerprint

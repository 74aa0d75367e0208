"""`ordersync queue` and `ordersync queue --retry`: failed and held mail is visible and can be sent again.

A real state file, a real SMTP server (aiosmtpd on 127.0.0.1) that refuses one recipient for good, the CLI
driven by its runner.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from typer.testing import CliRunner

from sync.cli import app
from sync.delivery import MailQueue
from sync.state import State
from tests.delivery.test_delivery_smtp import backend, digest
from tests.smtpserver import SENDER, MailServer

CONFIG = """
[service]
language = "en"
timezone = "Asia/Shanghai"
state = "state/ordersync.db"

[sources.register]
kind = "excel"
path = "register.xlsx"

[mail]
sender = "ordersync <ordersync@factory.example>"
"""


def invoke(tmp_path, *args):
    return CliRunner().invoke(app, ["queue", *args, "--config", str(tmp_path / "config.toml")])


def test_failed_mail_is_listed_with_who_what_why_and_since_when_and_can_be_retried(tmp_path):
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    now = datetime.now(timezone.utc) - timedelta(minutes=5)
    with MailServer(tmp_path / "certs") as server, State(tmp_path / "state" / "ordersync.db") as state:
        server.refuse = {"nobody@factory.example"}
        queue = MailQueue(state, SENDER)
        queue.enqueue(digest("gone", to=[("Nobody", "nobody@factory.example")], cc=[], subject="Daily digest"), now)
        queue.enqueue(digest("later", subject="Reminder: 3 orders"), now + timedelta(days=1))
        queue.deliver_due(backend(server), now)

    shown = invoke(tmp_path)
    assert shown.exit_code == 1, shown.output          # something failed: not a clean exit
    for seen in ("nobody@factory.example", "Daily digest", "550", "failed", "Reminder: 3 orders", "waiting",
                 "1 waiting, 0 sending, 0 held, 1 failed", "queue --retry"):
        assert seen in shown.output, seen
    listed = json.loads(invoke(tmp_path, "--format", "json").output)["messages"]
    failed = next(m for m in listed if m["status"] == "failed")
    assert failed["recipients"] == ["nobody@factory.example"] and "550" in failed["last_error"]
    assert failed["queued_at"].startswith(now.strftime("%Y-%m-%dT%H:%M"))

    unknown = invoke(tmp_path, "--retry", "999")
    assert unknown.exit_code == 2 and "999" in unknown.output and "Traceback" not in unknown.output
    retried = invoke(tmp_path, "--retry", str(failed["id"]))
    assert retried.exit_code == 0 and "re-queued 1" in retried.output
    with State(tmp_path / "state" / "ordersync.db") as state:
        status = {e.dedupe_key: e.status for e in MailQueue(state, SENDER).entries()}
    assert status == {"gone": "pending", "later": "pending"}
    assert invoke(tmp_path).exit_code == 0


def test_an_empty_queue_says_so(tmp_path):
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    State(tmp_path / "state" / "ordersync.db").close()
    shown = invoke(tmp_path)
    assert shown.exit_code == 0 and "the queue is empty" in shown.output

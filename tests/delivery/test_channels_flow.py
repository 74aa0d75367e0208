"""Group bots in the service: a cycle's reminders and change requests reach each group once, @-mentioning
the people by the ids in the people sheet; a bad key shows in doctor and status --service."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from sync.cli import app
from sync.config import load_config
from sync.delivery.channels import ChannelQueue
from sync.service.cycle import run_cycle
from sync.state import State
from tests.delivery.chatbots import Bots, ChatbotServer, Clock
from tests.noticekit import order, read, write_register

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)      # 10:00 in Shanghai, a Thursday
SECRET = "SEC0123456789abcdef0123456789"
runner = CliRunner()


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def server(clock: Clock) -> Iterator[ChatbotServer]:
    with ChatbotServer(Bots(clock, wecom_keys={"sales"}, dingtalk={"prod": SECRET})) as srv:
        yield srv


@pytest.fixture(autouse=True)
def env(monkeypatch, tmp_path):
    monkeypatch.delenv("ORDERSYNC_LANG", raising=False)
    monkeypatch.delenv("ORDERSYNC_CONFIG", raising=False)
    monkeypatch.setenv("DING_SECRET", SECRET)
    monkeypatch.chdir(tmp_path)


def register(path: Path, qty: int = 1000) -> Path:
    write_register(path, [order("SO-1", date(2026, 11, 20), qty=qty), order("SO-2", date(2026, 11, 18), "李娜"),
                          order("SO-3", date(2027, 3, 1))],
                   materials=[("SO-1", "面料", 1000, "华纺", date(2026, 11, 10), None, None)])
    wb = openpyxl.load_workbook(path)
    people = wb["人员"]
    people["E1"], people["F1"] = "手机", "企业微信"          # the optional columns group bots mention by
    for row, (mobile, wecom) in enumerate([("13800001111", "zhangwei"), (13900002222, None)], start=2):
        people.cell(row, 5, mobile)                           # a mobile typed as a number is the digits
        people.cell(row, 6, wecom)
    wb.save(path)
    return path


def config(tmp_path: Path, server: ChatbotServer, wecom_key: str = "sales") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"""
[service]
state = "state/ordersync.db"

[sources.register]
path = "register.xlsx"

[[channels]]
name = "sales"
kind = "wecom"
webhook = "{server.base}/wecom?key={wecom_key}"
notices = ["reminders", "change_requests"]
link = "http://status.lan:8765"

[[channels]]
name = "production"
kind = "dingtalk"
webhook = "{server.base}/dingtalk?access_token=prod"
secret_env = "DING_SECRET"
notices = ["change_requests"]
""", encoding="utf-8")
    return path


def cycle(tmp_path: Path, cfg: Path, now: datetime) -> None:
    conf = load_config(cfg)
    with State(conf.resolve(conf.service.state)) as state:
        run_cycle(state, conf, read(tmp_path / "register.xlsx"), now=now, lang="zh")


def test_reminders_go_to_the_group_once_per_order_with_mentions(tmp_path, server, clock):
    register(tmp_path / "register.xlsx")
    cfg = config(tmp_path, server)
    cycle(tmp_path, cfg, clock.now())
    cycle(tmp_path, cfg, clock.advance(60))                  # the next tick plans the same reminders: not again
    wecom = [r.body for r in server.bots.received if r.platform == "wecom"]
    texts = [json.dumps(b, ensure_ascii=False) for b in wecom]
    assert len(wecom) == 2, texts                               # SO-1 and SO-2; SO-3 is not due
    so1 = next(b for b in wecom if "SO-1" in json.dumps(b, ensure_ascii=False))
    content = so1["markdown"]["content"]
    assert "已逾期" in content and "物料未到" in content, "one card per order, all its concerns"
    assert "<@zhangwei>" in content and "http://status.lan:8765/order/SO-1" in content
    so2 = next(b for b in wecom if "SO-2" in json.dumps(b, ensure_ascii=False))
    assert so2["msgtype"] == "text" and so2["text"]["mentioned_mobile_list"] == ["13900002222"]
    assert not [r for r in server.bots.received if r.platform == "dingtalk"], "that group takes change requests only"


def test_a_change_request_reaches_the_groups_that_want_it(tmp_path, server, clock):
    book = register(tmp_path / "register.xlsx")
    cfg = config(tmp_path, server)
    cycle(tmp_path, cfg, clock.now())
    register(book, qty=1300)                                     # the customer wants 300 more of SO-1
    cycle(tmp_path, cfg, clock.advance(120))
    ding = [r.body for r in server.bots.received if r.platform == "dingtalk"]
    assert len(ding) == 1 and "SO-1" in ding[0]["markdown"]["title"] and "1300" in ding[0]["markdown"]["title"]
    assert ding[0]["at"]["atMobiles"] == ["13800001111"] and "@13800001111" in ding[0]["markdown"]["text"]
    assert sum("需求变更" in json.dumps(r.body, ensure_ascii=False) for r in server.bots.received) == 2


def test_a_bad_key_is_held_and_shown_by_doctor_and_status(tmp_path, server, clock):
    register(tmp_path / "register.xlsx")
    cfg = config(tmp_path, server, wecom_key="revoked")
    cycle(tmp_path, cfg, clock.now())
    conf = load_config(cfg)
    with State(conf.resolve(conf.service.state)) as state:
        report = ChannelQueue(state).report()
    assert "93000" in report["sales"]["problem"] and report["sales"]["counts"] == {"pending": 2}
    result = runner.invoke(app, ["doctor", "--config", str(cfg), "--lang", "en"], terminal_width=200)
    out = " ".join(result.output.split())
    assert result.exit_code == 1, out
    assert "✗ channel sales: held since" in out and "93000 invalid webhook url" in out and "config.toml" in out
    assert "key=revoked" not in out, "the webhook's key is never printed"
    status = {"pid": 0, "started": "", "sources": {}, "queue_length": 2, "next_runs": {}, "channels": report}
    (tmp_path / "state" / "service.json").write_text(json.dumps(status), encoding="utf-8")
    shown = runner.invoke(app, ["status", "--service", "--config", str(cfg), "--lang", "en"], terminal_width=200)
    text = " ".join(shown.output.split())
    assert "✗ channel sales: 2 waiting, 0 sent, 0 failed" in text and "93000" in text, text


def test_doctor_send_test_reaches_each_channel_and_recipient(tmp_path, server, clock):
    register(tmp_path / "register.xlsx")
    cfg = config(tmp_path, server)
    server.bots.clock = Clock(datetime.now(timezone.utc))      # doctor signs with the wall clock
    result = runner.invoke(app, ["doctor", "--send-test", "--config", str(cfg), "--lang", "en"], terminal_width=200)
    out = " ".join(result.output.split())
    assert result.exit_code == 0, out
    assert "✓ channel sales: test message sent" in out and "✓ channel production: test message sent" in out
    assert "✓ mail zhang.wei@example.com: test mail sent (outbox)" in out
    assert {r.platform for r in server.bots.received} == {"wecom", "dingtalk"}
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 6, "one test mail to each of the six people"


def test_doctor_names_the_empty_variable_of_a_webhook(tmp_path, server, monkeypatch):
    register(tmp_path / "register.xlsx")
    cfg = config(tmp_path, server)
    text = cfg.read_text(encoding="utf-8").replace(f'webhook = "{server.base}/wecom?key=sales"',
                                                   'webhook_env = "ORDERSYNC_WECOM_SALES"')
    cfg.write_text(text, encoding="utf-8")
    monkeypatch.delenv("ORDERSYNC_WECOM_SALES", raising=False)
    result = runner.invoke(app, ["doctor", "--config", str(cfg), "--lang", "en"], terminal_width=200)
    out = " ".join(result.output.split())
    assert result.exit_code == 1
    assert "✗ channel sales: the environment variable ORDERSYNC_WECOM_SALES (webhook_env) is empty" in out
    assert "✓ channel production (dingtalk)" in out

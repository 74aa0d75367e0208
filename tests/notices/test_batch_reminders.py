"""An order delivered in batches (第一批交期 / 第一批数量, 第二批 …) is reminded batch by batch: a batch whose date is
near is due soon, one past its date that the shipments do not cover is overdue, each with what is due by it;
the mail says so under the order's card, with the order's own due date on the card."""

from __future__ import annotations

import datetime as dt
import json
import re
from email import message_from_bytes, policy
from pathlib import Path

from typer.testing import CliRunner

from sync.calendar import calendar_from
from sync.cli import app
from sync.notices.chat import concern_detail
from sync.notices.reminders import find_concerns, settings_from
from sync.orders.facts import order_facts
from sync.orders.model import order_model
from tests.checks.test_batches import D, ZH, register as batch_register
from tests.noticekit import read

#: (order, quantity, first batch, second batch, status); the order's own due date (合同交期) is 2026-10-31
LINES = [("HT-1", 1000, (D(2026, 9, 10), 500), (D(2026, 10, 31), 500), "生产中"),   # batch 1 has shipped
         ("HT-2", 1000, (D(2026, 9, 10), 500), (D(2026, 10, 31), 500), "生产中"),   # batch 1 past, nothing shipped
         ("HT-3", 800, (D(2026, 9, 23), 300), (D(2026, 10, 31), 500), "生产中"),    # batch 1 in two working days
         ("HT-4", 800, (D(2026, 10, 15), 300), (D(2026, 10, 31), 500), "生产中")]   # batch 1 weeks away
MONDAY = dt.date(2026, 9, 21)


def register(path: Path, lines=LINES, shipped: list[tuple] | None = (("HT-1", D(2026, 9, 9), 500),)) -> Path:
    return batch_register(path, ZH, lines, shipped)


def concerns(path: Path, today: dt.date = MONDAY) -> dict[str, tuple[str, dict]]:
    """subject -> (kind, detail) of what the reminders find today."""
    register_ = read(path)
    settings = settings_from({})
    facts = order_facts(order_model(register_, today=today))
    return {c.subject: (c.kind, c.detail) for c in find_concerns(facts, register_, today, calendar_from(settings),
                                                                  settings)}


def test_each_batch_is_reminded_as_its_date_comes(tmp_path):
    found = concerns(register(tmp_path / "分批.xlsx"))
    assert sorted(found) == ["HT-2/第一批交期", "HT-3/第一批交期"]     # HT-1's first batch went; HT-4's is far off
    kind, late = found["HT-2/第一批交期"]
    assert kind == "overdue" and (late["days_late"], late["need"], late["shipped"]) == (11, 500, 0)
    assert late["due_date"] == dt.date(2026, 9, 10) and late["order_due"] == dt.date(2026, 10, 31)
    kind, soon = found["HT-3/第一批交期"]
    assert kind == "due_soon" and (soon["working_days_left"], soon["need"]) == (2, 300)

    # the last batch is the order's own due date: reminded once, as the order
    found = concerns(tmp_path / "分批.xlsx", today=dt.date(2026, 10, 28))
    assert found["HT-1"][0] == "due_soon" and not [s for s in found if s.startswith("HT-1/")]
    # once the order itself is overdue, its batches are not reminded on top of it
    found = concerns(tmp_path / "分批.xlsx", today=dt.date(2026, 11, 2))
    assert sorted(found) == ["HT-1", "HT-2", "HT-3", "HT-4"] and {k for k, _ in found.values()} == {"overdue"}


def test_a_batch_shipped_is_no_longer_reminded_and_the_next_one_is(tmp_path):
    path = register(tmp_path / "分批.xlsx", shipped=[("HT-1", D(2026, 9, 9), 500), ("HT-2", D(2026, 9, 21), 500)])
    found = concerns(path, today=dt.date(2026, 10, 27))
    assert "HT-2/第一批交期" not in found
    assert found["HT-2"] == ("due_soon", found["HT-2"][1])   # the second batch is the order's due date


def test_without_shipments_recorded_only_coming_batches_are_reminded(tmp_path):
    found = concerns(register(tmp_path / "分批.xlsx", shipped=None))
    assert sorted(found) == ["HT-3/第一批交期"]   # whether HT-2's first batch went is not known: no overdue


def test_an_order_over_several_lines_keeps_to_its_own_due_date(tmp_path):
    lines = [("HT-5", 500, (D(2026, 9, 10), 250), (D(2026, 10, 31), 250), "生产中"),
             ("HT-5", 500, (D(2026, 9, 12), 250), (D(2026, 10, 31), 250), "生产中")]
    assert concerns(register(tmp_path / "分批.xlsx", lines=lines, shipped=[])) == {}


def test_the_group_message_says_the_batch(tmp_path):
    found = {}
    register_ = read(register(tmp_path / "分批.xlsx"))
    settings = settings_from({})
    facts = order_facts(order_model(register_, today=MONDAY))
    for c in find_concerns(facts, register_, MONDAY, calendar_from(settings), settings):
        found[c.subject] = concern_detail(c, "en", str)
    assert found == {"HT-2/第一批交期": "第一批交期 2026-09-10, 11 days late (500 due by then, 0 shipped)",
                     "HT-3/第一批交期": "第一批交期 2026-09-23, 2 working days left (300 due by then)"}


def test_run_mails_the_follower_each_batch_with_the_order_due_date_on_its_card(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ORDERSYNC_NOW", "2026-09-21T01:30:00Z")   # Monday 09:30 in Shanghai
    register(tmp_path / "分批.xlsx")
    (tmp_path / "config.toml").write_text(
        '[service]\ntimezone = "Asia/Shanghai"\n\n[sources.book]\nkind = "excel"\npath = "分批.xlsx"\n\n'
        '[mail]\noutbox = "outbox"\n\n[reminders]\nsend_after = "00:00"\n\n'
        '[people."张伟"]\nemail = "zhang.wei@example.com"\nrole = "跟单"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["run", "--once", "--config", "config.toml"])
    assert result.exit_code in (0, 1), result.output
    (mail,) = sorted((tmp_path / "outbox").glob("*.eml"))
    message = message_from_bytes(mail.read_bytes(), policy=policy.default)
    assert message["To"] == "张伟 <zhang.wei@example.com>"
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "== HT-2 优衣库 · 已逾期 · 第 1 次提醒\n负责人: 张伟 · 交期 2026-10-31\n" \
           "- [已逾期] 第一批交期 2026-09-10，已逾期 11 天（到这一批共 500 件，已发货 0）" in text
    assert "== HT-3 优衣库 · 即将到期 · 第 1 次提醒\n负责人: 张伟 · 交期 2026-10-31\n" \
           "- [即将到期] 第一批交期 2026-09-23，还剩 2 个工作日（到这一批共 300 件）" in text
    assert "HT-1" not in text and "HT-4" not in text
    seen = re.sub(r"<[^>]+>", "", message.get_body(("html",)).get_content())    # the HTML part, as read
    assert "已逾期：第一批交期 2026-09-10，已逾期 11 天（到这一批共 500 件，已发货 0）" in seen


def test_the_order_timeline_lists_its_batches_on_their_cells(tmp_path):
    path = register(tmp_path / "分批.xlsx")
    out = CliRunner().invoke(app, ["status", "HT-2", str(path), "--today", MONDAY.isoformat(), "--format", "json"])
    assert out.exit_code == 0, out.output
    events = [(e["day"], e["kind"], e["label"], e["qty"], e["cell"]) for e in json.loads(out.stdout)["timeline"]]
    assert events[:4] == [("2026-08-01", "ordered", "", 1000.0, "E3"), ("2026-09-10", "batch", "第一批交期", 500.0, "G3"),
                          ("2026-10-31", "due", "", 1000.0, "F3"), ("2026-10-31", "batch", "第二批交期", 500.0, "I3")]
    shown = CliRunner().invoke(app, ["status", "HT-2", str(path), "--today", MONDAY.isoformat()],
                               env={"COLUMNS": "120"})
    assert "分批 第一批交期" in shown.output


def test_batches_by_the_dozen_are_reminded_in_the_pieces_shipped(tmp_path):
    """订单数量(打), batches in dozens, shipments in pieces: 300 pieces leave a first batch of 40 打 (480) overdue;
    500 pieces cover it."""
    header = [h if h != "订单数量" else "订单数量(打)" for h in ZH]
    lines = [("HT-1", 100, (D(2026, 9, 10), 40), (D(2026, 10, 31), 60), "生产中"),
             ("HT-2", 100, (D(2026, 9, 10), 40), (D(2026, 10, 31), 60), "生产中")]
    path = batch_register(tmp_path / "打.xlsx", header, lines,
                          [("HT-1", D(2026, 9, 9), 300), ("HT-2", D(2026, 9, 9), 500)])
    found = concerns(path)
    assert sorted(found) == ["HT-1/第一批交期"]
    kind, late = found["HT-1/第一批交期"]
    assert kind == "overdue" and (late["need"], late["batch_qty"], late["shipped"]) == (480, 480, 300)

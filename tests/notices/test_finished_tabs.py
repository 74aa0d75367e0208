"""Orders done are moved to a tab of their own (已完成, 历史订单, Completed) with no status column: they are finished,
not overdue. And an orders tab with nothing to say an order is still open (no status, no shipping tab, no
production figures) is a list of past orders as much as of late ones: ``run`` reminds none of them as overdue,
as ``check`` calls none of them late, while an order coming due is still reminded."""

from __future__ import annotations

import datetime as dt
import json
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from sync.cli import app
from sync.orders.view import FINISHED, Settings
from sync.tables.given import FINISHED_TABS, finished_tab

D = dt.datetime
HEADER = ["订单号", "客户", "款号", "数量", "下单日期", "交货日期", "跟单员"]


def register(path: Path, tabs: dict[str, list[tuple[str, dt.datetime]]], shipped: list[tuple] | None = None) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for tab, orders in tabs.items():
        ws = wb.create_sheet(tab)
        ws.append(HEADER)
        for no, due in orders:
            ws.append([no, "优衣库", "K1", 1000, D(2026, 6, 1), due, "张伟"])
    if shipped is not None:
        ship = wb.create_sheet("发货记录")
        ship.append(["订单号", "发货日期", "发货数量"])
        for row in shipped:
            ship.append(list(row))
    wb.save(path)
    return path


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), terminal_width=250)
    return result.exit_code, result.output


@pytest.mark.parametrize(("tab", "status"), [
    ("已完成", "完结"), ("已完成订单(2026)", "完结"), ("2026年9月已完成", "完结"), ("历史订单", "完结"), ("Completed Orders", "完结"),
    ("Archive 2025", "完结"), ("Closed POs", "完结"), ("2025已出货订单", "已出货"), ("Shipped", "已出货"), ("已取消", "已取消"),
    ("进行中", None), ("未完成", None), ("9月", None), ("Sheet1", None), ("订单", None), ("在制订单", None),
])
def test_which_tab_names_say_their_orders_are_finished(tab, status):
    assert finished_tab(tab) == status


def test_every_status_a_tab_gives_is_a_finished_one():
    settings = Settings()
    assert {settings.status_class(s) for s in FINISHED_TABS.values()} <= set(FINISHED)


def test_orders_in_a_finished_tab_are_closed_and_check_says_where_their_status_comes_from(tmp_path):
    path = register(tmp_path / "订单.xlsx", {"进行中": [("A-1", D(2026, 9, 30)), ("A-2", D(2026, 8, 20))],
                                           "已完成": [("B-1", D(2026, 7, 20)), ("B-2", D(2026, 7, 25))]}, shipped=[])
    code, out = invoke("check", str(path), "--format", "json", "--today", "2026-09-01", "--lang", "en")
    data = json.loads(out)
    said = {s["sheet"]: s["message"] for s in data["summary"]["sheets"]}
    assert said["已完成"] == "orders: header on row 1, key = A 订单号, status = 完结 (from the tab's name)"
    assert said["进行中"] == "orders: header on row 1, key = A 订单号"
    late = {f["order_no"] for f in data["findings"] if f["rule"] == "order-overdue"}
    assert late == {"A-2"}      # the shipping tab says what has gone: A-2 has not; B-1 and B-2 are done
    code, out = invoke("status", str(path), "--format", "json", "--today", "2026-09-01")
    assert [o["order_no"] for o in json.loads(out)["orders"]] == ["A-2", "A-1"]     # open orders only
    code, out = invoke("status", str(path), "--format", "json", "--today", "2026-09-01", "--all")
    closed = {o["order_no"]: (o["open"], o["status"], o["current_stage"]) for o in json.loads(out)["orders"]}
    assert closed["B-1"] == closed["B-2"] == (False, "完结", "shipped")


CONFIG = ('[service]\ntimezone = "Asia/Shanghai"\n\n[sources.book]\nkind = "excel"\npath = "订单.xlsx"\n\n'
          '[mail]\noutbox = "outbox"\n\n[reminders]\nsend_after = "00:00"\n\n'
          '[people."张伟"]\nemail = "zhang.wei@example.com"\nrole = "跟单"\n')


def reminded(tmp_path: Path, monkeypatch) -> str:
    """``run --once`` on Tuesday 2026-09-01, 09:30 in Shanghai: the text of the reminder mail ("" without one)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ORDERSYNC_NOW", "2026-09-01T01:30:00Z")
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    code, out = invoke("run", "--once", "--config", "config.toml")
    assert code in (0, 1), out
    mails = sorted((tmp_path / "outbox").glob("*.eml")) if (tmp_path / "outbox").exists() else []
    texts = [message_from_bytes(m.read_bytes(), policy=policy.default).get_body(("plain",)).get_content()
             for m in mails]
    return "\n".join(texts).replace("\r\n", "\n")


def test_run_reminds_the_open_tabs_late_orders_and_not_the_finished_tabs(tmp_path, monkeypatch):
    register(tmp_path / "订单.xlsx", {"进行中": [("A-1", D(2026, 9, 30)), ("A-2", D(2026, 8, 20))],
                                    "已完成": [("B-1", D(2026, 7, 20)), ("B-2", D(2026, 7, 25))]}, shipped=[])
    text = reminded(tmp_path, monkeypatch)
    assert "== A-2 优衣库 · 已逾期" in text and "B-1" not in text and "B-2" not in text


def test_a_list_of_orders_with_nothing_to_say_they_are_open_reminds_only_what_comes_due(tmp_path, monkeypatch):
    # no status, no shipping tab, no production figures: A-2 past its date may as well have shipped long ago
    register(tmp_path / "订单.xlsx", {"订单": [("A-1", D(2026, 9, 2)), ("A-2", D(2026, 8, 20)), ("A-3", D(2025, 3, 1))]})
    text = reminded(tmp_path, monkeypatch)
    assert "== A-1 优衣库 · 即将到期" in text
    assert "A-2" not in text and "A-3" not in text


def test_check_says_under_its_findings_what_the_tab_name_was_taken_to_say(tmp_path):
    path = register(tmp_path / "订单.xlsx", {"进行中": [("A-1", D(2026, 9, 30))], "已完成": [("B-1", D(2026, 7, 20))]})
    code, out = invoke("check", str(path), "--today", "2026-09-01", "--lang", "en")
    assert "• 订单.xlsx › 已完成: no status column: its orders are taken as finished (完结) from the tab's name" in out
    assert "› 进行中:" not in out

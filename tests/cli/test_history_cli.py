"""`ordersync history` and `ordersync changes`, driven by the CLI runner against a real state file."""

from __future__ import annotations

import json
from datetime import date

from typer.testing import CliRunner

from sync.cli import app
from tests.changes.test_ledger import ORDERS_HEADER, PRODUCTION_HEADER, Run, orders, production

CONFIG = """
[service]
language = "{lang}"
timezone = "Asia/Shanghai"
state = "state/ordersync.db"

[sources.register]
kind = "excel"
path = "register.xlsx"
"""


def _setup(tmp_path, lang="zh"):
    (tmp_path / "config.toml").write_text(CONFIG.format(lang=lang), encoding="utf-8")
    run = Run(tmp_path)     # the same state file the config names
    nos = [f"SO-{i:03d}" for i in range(1, 13)]
    run.see({"订单": (ORDERS_HEADER, orders(12)), "生产进度": (PRODUCTION_HEADER, production(nos))})
    edited = orders(12)
    edited[1][5] = 5000                                 # SO-002 quantity, cell F4
    prod = production(nos)
    prod[2][4] = 800                                    # SO-002 裁剪 completed
    run.see({"订单": (ORDERS_HEADER, edited), "生产进度": (PRODUCTION_HEADER, prod)})
    return run, edited, prod


def invoke(tmp_path, *args):
    return CliRunner().invoke(app, [*args, "--config", str(tmp_path / "config.toml")])


def test_history_shows_every_tab_with_time_field_values_and_cell(tmp_path):
    _setup(tmp_path)
    result = invoke(tmp_path, "history", "so-002")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "订单 so-002：首次见到 2026-11-02 17:00" in out          # 09:00 UTC in Shanghai
    assert "1002 → 5000" in out and "订单!F4" in out and "订单数量" in out
    assert "0 → 800" in out and "生产进度!E5" in out
    assert "2026-11-02 18:00" in out
    assert "需求变更" in out and "请通知" in out                      # the order is 生产中: a change request


def test_history_json_and_english(tmp_path):
    _setup(tmp_path, lang="en")
    result = invoke(tmp_path, "history", "SO-002", "--format", "json")
    data = json.loads(result.output)
    assert [(c["table"], c["field"], c["old"], c["new"], c["cell"]) for c in data["changes"]] == [
        ("orders", "quantity", "1002", "5000", "F4"), ("production", "completed_qty", "0", "800", "E5")]
    assert data["change_requests"][0]["departments"] == ["follower"]
    english = invoke(tmp_path, "history", "SO-002").output
    assert "first seen" in english and "1002 -> 5000" in english


def test_history_of_an_unknown_order_says_so(tmp_path):
    _setup(tmp_path)
    result = invoke(tmp_path, "history", "SO-999")
    assert result.exit_code == 2 and "账本中没有订单 SO-999" in result.output


def test_changes_since_and_by_table(tmp_path):
    _setup(tmp_path)
    everything = json.loads(invoke(tmp_path, "changes", "--since", "2026-11-01", "--format", "json").output)
    assert len(everything["changes"]) == 2 and everything["held"] == []
    only = json.loads(invoke(tmp_path, "changes", "--since", "2026-11-01", "--table", "production",
                             "--format", "json").output)
    assert [c["field"] for c in only["changes"]] == ["completed_qty"]
    later = json.loads(invoke(tmp_path, "changes", "--since", "2026-11-03", "--format", "json").output)
    assert later["changes"] == []
    table = invoke(tmp_path, "changes", "--since", "2026-11-01").output
    assert "SO-002" in table and "修改" in table


def test_bad_options_are_clear(tmp_path):
    _setup(tmp_path)
    assert "expected 1d, 2h" in invoke(tmp_path, "changes", "--since", "yesterday").output
    assert "没有名为 sales 的表" in invoke(tmp_path, "changes", "--table", "sales").output


def test_no_state_yet(tmp_path):
    (tmp_path / "config.toml").write_text(CONFIG.format(lang="zh"), encoding="utf-8")
    result = invoke(tmp_path, "changes")
    assert result.exit_code == 2 and "还没有状态文件" in result.output
    assert not (tmp_path / "state" / "ordersync.db").exists()


def test_a_held_tab_is_shown_and_confirmed_from_the_command_line(tmp_path):
    run, edited, prod = _setup(tmp_path)
    run.see({"订单": (ORDERS_HEADER, edited), "生产进度": (PRODUCTION_HEADER, prod[:2])})
    shown = invoke(tmp_path, "changes", "--since", "2026-11-01").output
    assert "“生产进度”工作表看起来被截断或改名了" in shown and "--confirm production" in shown
    confirmed = invoke(tmp_path, "changes", "--confirm", "production")
    assert confirmed.exit_code == 0 and "已确认" in confirmed.output
    not_held = invoke(tmp_path, "changes", "--confirm", "orders")
    assert not_held.exit_code == 2 and "没有被暂停" in not_held.output
    cycle = run.see({"订单": (ORDERS_HEADER, edited), "生产进度": (PRODUCTION_HEADER, prod[:2])})
    assert len(cycle.of("removed")) == 22 and cycle.findings == []


def test_sheet_text_in_square_brackets_is_shown_as_typed(tmp_path):
    """Rich markup must not swallow what users type: a colour '[red] 酒红' stays in the table."""
    run, edited, prod = _setup(tmp_path)
    again = [list(row) for row in edited]
    again[2][3] = "[red] 酒红"                            # SO-003 colour
    run.see({"订单": (ORDERS_HEADER, again), "生产进度": (PRODUCTION_HEADER, prod)})
    out = invoke(tmp_path, "history", "SO-003").output
    assert "[red] 酒红" in out

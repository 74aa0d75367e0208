"""Tables pinned by config.toml stand alone (issue 15 items 2 and 3).

A pinned sheet renamed is one finding for that table; every other table, the
people sheet among them, is still read. A pinned header row that no longer
holds the headers is found again (a warning) or reported (an error), never read
as an empty table with "0 errors".
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from typer.testing import CliRunner

from sync.checks.pipeline import check_register
from sync.cli import app
from sync.config import TableConfig
from sync.findings import ERROR, WARNING
from sync.sources import ExcelSource
from sync.tables.register import load

ORDERS = ["订单号", "客户", "款号", "颜色", "尺码", "订单数量", "交货日期", "跟单员", "状态"]
QC = ["订单号", "检验日期", "检验数量", "合格数量", "不合格数量"]
SHIPPING = ["订单号", "发货日期", "发货数量", "物流公司", "物流单号"]
PEOPLE = ["姓名", "邮箱", "角色", "上级"]


def sheets(qc_name: str = "质检记录") -> dict[str, list[list[Any]]]:
    return {
        "订单": [ORDERS] + [[f"SO-{i}", "优衣库", "ST-1", "黑", "M", 100, date(2027, 1, 10), "李娜", "生产中"]
                           for i in range(1, 6)],
        qc_name: [QC, ["SO-1", date(2026, 11, 1), 100, 99, 1]],
        "发货记录": [SHIPPING, ["SO-1", date(2026, 11, 3), 99, "顺丰", "SF123"]],
        "人员": [PEOPLE, ["李娜", "li.na@example.com", "跟单员", "赵敏"], ["赵敏", "zhao@example.com", "经理", ""]],
    }


def write(path: Path, book: dict[str, list[list[Any]]], top: list[list[Any]] | None = None) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in book.items():
        ws = wb.create_sheet(name)
        for row in (top or []) if name == "订单" else []:
            ws.append(row)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


PINNED = {"orders": "订单", "qc": "质检记录", "shipping": "发货记录", "people": "人员"}


def load_pinned(path: Path, **orders: Any):
    configured = {t: TableConfig(source="register", sheet=s, **(orders if t == "orders" else {}))
                  for t, s in PINNED.items()}
    return load([ExcelSource("register", path)], configured)


def test_a_renamed_pinned_tab_is_one_finding_and_every_other_tab_is_read(tmp_path):
    book = write(tmp_path / "register.xlsx", sheets(qc_name="质检记录2026"))
    register = load_pinned(book)
    assert sorted(register.tables) == ["orders", "people", "shipping"]     # shipping and people after it too
    (problem,) = register.problems
    assert (problem.rule, problem.table, problem.sheet) == ("sheet-missing", "qc", "质检记录")
    findings = [f for f in check_register(register, None, lang="en", today=date(2026, 11, 5)).findings
                if f.rule == "sheet-missing"]
    assert [(f.severity, f.table, f.sheet) for f in findings] == [(ERROR, "qc", "质检记录")]
    assert findings[0].message == (f"sheet 质检记录 (qc) not found in {book}; "
                                   "sheets there: 订单, 质检记录2026, 发货记录, 人员")


def test_the_tab_named_back_is_read_again(tmp_path):
    book = write(tmp_path / "register.xlsx", sheets())
    register = load_pinned(book)
    assert sorted(register.tables) == ["orders", "people", "qc", "shipping"] and register.problems == []


HEADER = {"header_row": 2, "columns": {"order_no": "订单号", "quantity": "订单数量", "due_date": "交货日期"}}


def test_a_pinned_header_moved_down_is_found_again_with_a_warning(tmp_path):
    book = write(tmp_path / "register.xlsx", sheets(), top=[["2026 订单"]])
    assert len(load_pinned(book, **HEADER).tables["orders"]) == 5
    write(book, sheets(), top=[["2026 订单"], [], []])                  # two rows inserted above the header
    register = load_pinned(book, **HEADER)
    assert len(register.tables["orders"]) == 5 and register.problems == []
    (warning,) = register.warnings
    assert (warning.rule, warning.severity, warning.values["row"]) == ("header-moved", WARNING, 4)
    found = check_register(register, None, lang="en", today=date(2026, 11, 5)).findings
    assert "the 订单 header is no longer on row 2; read it from row 4" in [f.message for f in found]


def test_a_pinned_header_that_is_gone_is_an_error_not_an_empty_table(tmp_path):
    gone = sheets()
    gone["订单"][0] = ["A", "B", "C", "D", "E", "F", "G", "H", "I"]
    book = write(tmp_path / "register.xlsx", gone, top=[["2026 订单"]])
    register = load_pinned(book, **HEADER)
    assert "orders" not in register.tables and "qc" in register.tables
    assert [(p.rule, p.table) for p in register.problems] == [("header-missing", "orders")]


def test_check_under_an_init_config_never_says_0_errors_for_a_header_it_lost(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ORDERSYNC_CONFIG", raising=False)
    book = write(tmp_path / "register.xlsx", sheets(), top=[["2026 订单"]])
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(book)], input="\n" * 20).exit_code == 0
    assert "header_row = 2" in (tmp_path / "config.toml").read_text()
    gone = sheets()
    gone["订单"][0] = [f"列{i}" for i in range(9)]
    write(book, gone, top=[["2026 订单"], [], []])
    result = runner.invoke(app, ["check", "--config", str(tmp_path / "config.toml"), "--lang", "en"],
                           terminal_width=200)
    assert result.exit_code != 0
    assert "does not hold the orders header" in result.output
    assert "1 error," in result.output.splitlines()[-1]                # the summary counts it

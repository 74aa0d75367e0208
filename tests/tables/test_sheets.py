"""Many sheets, many files, one table: monthly tabs, one register per follower.

Real workbooks written with openpyxl; read zero-config, through config.toml
(``sheets`` patterns, a path glob) and through the CLI. Every row keeps its
file, sheet and row, so findings and the ledger's keys stay exact.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from sync.changes.snapshot import snapshot
from sync.checks.pipeline import check_register
from sync.cli.app import app
from sync.cli.session import sources_from_config
from sync.config import load_config
from sync.errors import ConfigError
from sync.sources import open_paths
from sync.sources.excel import ExcelSource
from sync.tables.register import SheetMemo, load

HEAD = ["订单号", "客户", "产品", "数量", "单价", "金额", "交货日期"]
TODAY = dt.date(2026, 9, 1)


def orders(prefix: str, n: int, bad_at: int | None = None) -> list[list]:
    rows = []
    for i in range(n):
        qty = "12OO" if i == bad_at else 100 + i
        rows.append([f"{prefix}-{i + 1:03d}", "ACME", "T-01", qty, 10.0, 10.0 * (100 + i), dt.date(2026, 10, 1)])
    return rows


def book(path: Path, sheets: dict[str, list[list]], title: bool = False) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        if title:
            ws.append([f"{name} 订单"])
        ws.append(HEAD)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def errors(register) -> list[tuple[str, str, str, int, str]]:
    report = check_register(register, None, lang="en", today=TODAY)
    return sorted((f.rule, f.source or "", f.sheet or "", f.row or 0, f.cell or "")
                  for f in report.findings if f.severity == "error")


def test_monthly_tabs_of_one_layout_are_one_table(tmp_path):
    path = book(tmp_path / "2026.xlsx", {"8月": orders("A", 3), "9月": orders("B", 4, bad_at=2),
                                          "2026-10": orders("C", 2), "Sep 2026": orders("D", 1)})
    register = load([ExcelSource("2026.xlsx", path)])
    table = register.tables["orders"]
    assert len(table) == 10
    assert [table.sheet_at(i) for i in range(10)] == ["8月"] * 3 + ["9月"] * 4 + ["2026-10"] * 2 + ["Sep 2026"]
    assert table.data["_row"].tolist() == [2, 3, 4, 2, 3, 4, 5, 2, 3, 2]
    assert errors(register) == [("unreadable", "2026.xlsx", "9月", 4, "D4")]


def test_tabs_with_another_layout_stay_out(tmp_path):
    summary = [["客户", "数量", "订单号"], ["ACME", 500, "A-001"]]
    path = book(tmp_path / "book.xlsx", {"8月": orders("A", 3), "9月": orders("B", 2)})
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.create_sheet("汇总")
    for row in summary:
        ws.append(row)
    wb.save(path)
    table = load([ExcelSource("book.xlsx", path)]).tables["orders"]
    assert table.sheet == "8月, 9月" and len(table) == 5


def test_a_copy_of_a_tab_is_not_more_of_it(tmp_path):
    rows = orders("A", 6)
    path = book(tmp_path / "book.xlsx", {"Sheet": rows, "Sheet2": rows[1:], "Sheet3": orders("B", 2)})
    register = load([ExcelSource("book.xlsx", path)])
    assert register.tables["orders"].sheet == "Sheet, Sheet3" and len(register.tables["orders"]) == 8
    assert any("Sheet2" in note and "left out" in note for note in register.notes)


def test_the_same_order_number_in_two_tabs_has_two_ledger_keys(tmp_path):
    september = orders("A", 1)
    september[0][3] = 40                         # a second delivery of A-001, in September's tab
    path = book(tmp_path / "book.xlsx", {"8月": orders("A", 2), "9月": september})
    table = load([ExcelSource("book.xlsx", path)]).tables["orders"]
    assert snapshot(table).keys.tolist() == ["8月›A-001", "8月›A-002", "9月›A-001"]
    single = load([ExcelSource("one.xlsx", book(tmp_path / "one.xlsx", {"订单": orders("A", 2)}))])
    assert snapshot(single.tables["orders"]).keys.tolist() == ["A-001", "A-002"]   # one sheet: keys as before


def test_one_register_per_follower_is_one_table(tmp_path):
    folder = tmp_path / "registers"
    folder.mkdir()
    book(folder / "alice.xlsx", {"订单": orders("AL", 3)})
    book(folder / "bob.xlsx", {"订单": orders("BO", 2, bad_at=1)}, title=True)   # a title row: same columns
    sources = open_paths(folder / "*.xlsx")
    assert [s.name for s in sources] == ["alice.xlsx", "bob.xlsx"]
    register = load(sources)
    table = register.tables["orders"]
    assert len(table) == 5 and table.source == "alice.xlsx, bob.xlsx"
    assert [table.source_at(i) for i in (0, 2, 3, 4)] == ["alice.xlsx", "alice.xlsx", "bob.xlsx", "bob.xlsx"]
    assert errors(register) == [("unreadable", "bob.xlsx", "订单", 4, "D4")]
    assert snapshot(table).keys.tolist()[2:4] == ["alice.xlsx›订单›AL-003", "bob.xlsx›订单›BO-001"]


CONFIG = """
[sources.registers]
kind = "excel"
path = "registers/*.xlsx"

[tables.orders]
source = "registers"
sheets = ["*月", "订单*"]
"""


def test_config_sheet_patterns_and_a_path_glob(tmp_path):
    folder = tmp_path / "registers"
    folder.mkdir()
    book(folder / "alice.xlsx", {"8月": orders("AL", 2), "9月": orders("AM", 1), "备忘": [["x"]]})
    book(folder / "bob.xlsx", {"订单2026": orders("BO", 2, bad_at=0)})
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    config = load_config(tmp_path / "config.toml")
    sources = sources_from_config(config)
    assert [(s.name, s.group) for s in sources] == [("registers/alice.xlsx", "registers"),
                                                     ("registers/bob.xlsx", "registers")]
    register = load(sources, config.tables)
    table = register.tables["orders"]
    assert len(table) == 5 and table.sheet == "8月, 9月, 订单2026"
    assert errors(register) == [("unreadable", "registers/bob.xlsx", "订单2026", 2, "D2")]


def test_sheet_and_sheets_together_is_a_config_error(tmp_path):
    (tmp_path / "config.toml").write_text(CONFIG.replace('sheets = ', 'sheet = "8月"\nsheets = '), encoding="utf-8")
    with pytest.raises(ConfigError, match="sheet or sheets"):
        load_config(tmp_path / "config.toml")


def test_check_reads_a_folder_given_as_a_glob(tmp_path):
    folder = tmp_path / "registers"
    folder.mkdir()
    book(folder / "alice.xlsx", {"订单": orders("AL", 3, bad_at=1)})
    book(folder / "bob.xlsx", {"订单": orders("BO", 2)})
    result = CliRunner().invoke(app, ["check", str(folder / "*.xlsx"), "--format", "json"])
    out = json.loads(result.stdout)
    assert out["summary"]["tables"]["orders"] == 5
    wrong = [(f["source"], f["sheet"], f["cell"]) for f in out["findings"] if f["severity"] == "error"]
    assert wrong == [("alice.xlsx", "订单", "D3")]


def test_one_changed_tab_of_a_family_is_all_that_is_read_again(tmp_path):
    path = book(tmp_path / "book.xlsx", {"8月": orders("A", 3), "9月": orders("B", 3)})
    memos: dict[str, SheetMemo] = {}
    load([ExcelSource("book", path)], memos=memos)
    assert sorted(memos["book"].reread) == ["8月", "9月"]
    _edit_number(path, "xl/worksheets/sheet2.xml", "102", "777")          # 9月!D4: 102 -> 777
    kept = load([ExcelSource("book", path)], memos=memos)
    assert memos["book"].reread == ["9月"]
    fresh = load([ExcelSource("book", path)])
    assert kept.tables["orders"].data.equals(fresh.tables["orders"].data)
    assert kept.tables["orders"].data["quantity"].tolist() == [100, 101, 102, 100, 101, 777]


def _edit_number(path: Path, part: str, old: str, new: str) -> None:
    with zipfile.ZipFile(path) as package:
        members = {info.filename: package.read(info) for info in package.infolist()}
    xml = members[part].decode()
    assert xml.count(f"<v>{old}</v>") == 1
    members[part] = xml.replace(f"<v>{old}</v>", f"<v>{new}</v>").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)


@pytest.mark.parametrize(("tabs", "written"), [
    (("一厂", "二厂"), 'sheets = ["一厂", "二厂"]'),
    (("8月", "9月"), 'sheets = ["*月"]'),     # tabs named by month: next month's is read too
])
def test_init_writes_the_tabs_of_a_family_as_sheets(tmp_path, tabs, written):
    from sync.tables.scaffold import render_config

    path = book(tmp_path / "2026.xlsx", {tabs[0]: orders("A", 2), tabs[1]: orders("B", 2)})
    register = load([ExcelSource("book", path)])
    text = render_config([ExcelSource("book", path)], register, base_dir=tmp_path)
    assert written in text and "sheet = " not in text.replace("sheets = ", "")
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    config = load_config(tmp_path / "config.toml")
    again = load(sources_from_config(config), config.tables).tables["orders"]
    assert len(again) == 4 and again.sheet == ", ".join(tabs)


def test_monthly_tabs_naming_one_field_two_ways_are_one_table(tmp_path):
    """8月 heads its due date 客期, 9月 交貨期: both are the due date, so the tabs are one layout."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, due in (("8月", "客期"), ("9月", "交貨期")):
        ws = wb.create_sheet(name)
        ws.append([*HEAD[:-1], due])
        for row in orders(name[0], 3, bad_at=1 if name == "8月" else None):
            ws.append(row)
    wb.save(tmp_path / "生產單.xlsx")
    register = load([ExcelSource("生產單.xlsx", tmp_path / "生產單.xlsx")])
    table = register.tables["orders"]
    assert table.sheet == "8月, 9月" and len(table) == 6
    assert errors(register) == [("unreadable", "生產單.xlsx", "8月", 3, "D3")]


def test_tabs_whose_same_column_means_different_fields_stay_apart(tmp_path):
    wb = Workbook()
    wb.remove(wb.active)
    for name, last in (("8月", "交货日期"), ("9月", "下单日期")):
        ws = wb.create_sheet(name)
        ws.append([*HEAD[:-1], last])
        for row in orders(name[0], 3):
            ws.append(row)
    wb.save(tmp_path / "book.xlsx")
    table = load([ExcelSource("book.xlsx", tmp_path / "book.xlsx")]).tables["orders"]
    assert table.sheet in ("8月", "9月")


@pytest.mark.parametrize(("name", "shape"), [
    ("7月", "*月"), ("10月", "*月"), ("2026年9月订单", "*年*月订单"), ("Sep-Orders", "*-Orders"), ("W38", "W*"),
    ("第38周", "第*周"), ("9月物料", "*月物料"), ("2026.07", None), ("Jul", None), ("订单登记", None), ("2026-09", None),
])
def test_the_shape_of_a_tab_named_by_a_period(name, shape):
    from sync.tables.periods import sheet_template

    assert sheet_template(name) == shape

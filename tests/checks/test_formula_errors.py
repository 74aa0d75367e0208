"""A cell that shows a formula's error (#N/A, #REF!, #VALUE!) has no value anyone can read: `check` says so, on
its cells, with what they show, instead of calling them blank; a formula dragged down past the last order
(#N/A on rows with nothing else) adds no rows. Excel keeps such a cell as an error cell, a CSV file or a Google
Sheet as its text: both read the same."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import xlwt
from openpyxl import Workbook
from typer.testing import CliRunner

from sync.cli import app
from sync.sources.cell_errors import BIFF_CODES, ERROR_CODES
from sync.sources.excel import ExcelSource

D = dt.datetime
BIFF_NUMBERS = {text: code for code, text in BIFF_CODES.items()}
HEADER = ["订单号", "客户", "款号", "数量", "单价", "金额", "下单日期", "交货日期", "跟单员", "状态"]


def order_rows() -> list[list]:
    rows = [[f"SO-{i:03}", "华美", "T-1", 100 * i, 5.0, 500.0 * i, D(2026, 11, 1), D(2026, 12, 20), "张伟", "生产中"]
            for i in range(1, 9)]
    rows[1][5] = "#VALUE!"                       # F3: 金额 = 数量 × 单价 over a text price
    rows[3][7] = rows[4][7] = "#N/A"             # H5, H6: 交期 looked up from a plan that has no line for them
    rows[5][1] = "#REF!"                         # B7: 客户 from a sheet that was deleted
    return rows + [[""] * 7 + ["#N/A"] for _ in range(3)]   # rows 10-12: the 交期 lookup dragged down


def workbook(path: Path, tabs: dict[str, list[list]]) -> Path:
    """openpyxl writes a text that is an error code ("#N/A") as an error cell, as Excel saves a failed formula."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in tabs.items():
        ws = wb.create_sheet(name)
        ws.append(HEADER)
        for row in rows:
            ws.append([v if v != "" else None for v in row])
    wb.save(path)
    return path


def check(path: Path, *extra: str) -> dict:
    out = CliRunner().invoke(app, ["check", str(path), "--today", "2026-12-05", "--format", "json", *extra])
    assert out.exit_code in (0, 1), out.output   # warnings only: 0
    return json.loads(out.stdout)


def said(report: dict) -> list[tuple]:
    return sorted((f["rule"], f["severity"], f["sheet"], f["cell"], f["value"], f["message"])
                  for f in report["findings"] if f["rule"] == "formula-error")


def test_each_column_says_its_error_cells_and_what_they_show(tmp_path):
    report = check(workbook(tmp_path / "订单.xlsx", {"订单": order_rows()}))
    assert said(report) == [
        ("formula-error", "warning", "订单", "B7", "#REF!", "客户 有 1 格显示公式错误（#REF!），读不出值，按未填处理：B7"),
        ("formula-error", "warning", "订单", "F3", "#VALUE!",
         "金额 有 1 格显示公式错误（#VALUE!），读不出值，按未填处理：F3"),
        ("formula-error", "warning", "订单", "H5", "#N/A",
         "交货日期 有 2 格显示公式错误（#N/A ×2），读不出值，按未填处理：H5、H6")]
    hints = {f["cell"]: f["hint"] for f in report["findings"] if f["rule"] == "formula-error"}
    assert hints["H5"] == "请修正这些格的公式：#N/A 多是查找不到（VLOOKUP 等）"   # only the errors the column shows
    # not called blank as well: 客户 and 交期 are required, and these cells are not empty, they are unknown
    assert not [f for f in report["findings"] if f["rule"] == "required"]
    # the lookup dragged down to row 12 shows #N/A on rows with nothing else: those are no orders
    assert report["summary"]["tables"] == {"orders": 8}


def test_in_english(tmp_path):
    report = check(workbook(tmp_path / "orders.xlsx", {"订单": order_rows()}), "--lang", "en")
    found = {f["cell"]: (f["message"], f["hint"]) for f in report["findings"] if f["rule"] == "formula-error"}
    assert found["H5"] == ("交货日期: 2 cells show a formula error (#N/A ×2); their value is unknown, read as not "
                           "filled in: H5, H6", "fix these cells' formulas: #N/A is mostly a lookup that found "
                           "nothing (VLOOKUP)")


def test_a_csv_saved_from_excel_reads_the_same(tmp_path):
    path = tmp_path / "订单.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        csv.writer(fh).writerows([HEADER] + [[v.date().isoformat() if isinstance(v, D) else v for v in row]
                                             for row in order_rows()])
    assert [f[3:5] for f in said(check(path))] == [("B7", "#REF!"), ("F3", "#VALUE!"), ("H5", "#N/A")]


def test_monthly_tabs_name_the_tab_and_cell_of_each_error(tmp_path):
    tabs = {"10月": order_rows()[:4], "11月": order_rows()[:8]}
    tabs["10月"][2][1] = "#N/A"
    report = check(workbook(tmp_path / "月度.xlsx", tabs))
    # one finding per column, at its first cell; its cells listed with their tabs (F3 is on both)
    assert [f[2:6] for f in said(report)] == [
        ("10月", "B4", "#N/A", "客户 有 2 格显示公式错误（#N/A、#REF!），读不出值，按未填处理：10月!B4、11月!B7"),
        ("10月", "F3", "#VALUE!", "金额 有 2 格显示公式错误（#VALUE! ×2），读不出值，按未填处理：10月!F3、11月!F3"),
        ("10月", "H5", "#N/A", "交货日期 有 3 格显示公式错误（#N/A ×3），读不出值，按未填处理：10月!H5、11月!H5、11月!H6")]


def test_a_real_plan_whose_end_date_formula_fails(corpus):
    """qosi's machine plan: End Date (K55) adds the job's hours to its start, and the hours come out #VALUE!
    where the quantity is the text 'On KTR4-1'. The end date is unknown: a warning, not an error of entry."""
    report = check(corpus / "trackers" / "qosi__Production_Plan.xlsx")
    assert [f[:5] for f in said(report)] == [("formula-error", "warning", "EXT & KTR4 & Omso", "K55", "#VALUE!")]


def legacy_workbook(path: Path, tabs: dict[str, list[list]]) -> Path:
    """The same register as a legacy .xls (BIFF8), as Excel 97-2003 and WPS still save it: an error code is written
    as an error cell (a BOOLERR record), dates as dates."""
    book = xlwt.Workbook()
    day = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, rows in tabs.items():
        sheet = book.add_sheet(name)
        for c, label in enumerate(HEADER):
            sheet.write(0, c, label)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value in ERROR_CODES:   # by its BIFF code: xlwt's own text map has #VALUE! as #NUM!
                    sheet.row(r).set_cell_error(c, BIFF_NUMBERS[value])
                elif isinstance(value, D):
                    sheet.write(r, c, value, day)
                elif value != "":
                    sheet.write(r, c, value)
    book.save(str(path))
    return path


def test_a_legacy_xls_says_its_error_cells_as_an_xlsx_does(tmp_path):
    xlsx = check(workbook(tmp_path / "订单.xlsx", {"订单": order_rows()}))
    xls = check(legacy_workbook(tmp_path / "订单.xls", {"订单": order_rows()}))
    assert said(xls) == said(xlsx) and len(said(xls)) == 3
    assert not [f for f in xls["findings"] if f["rule"] == "required"]
    assert xls["summary"]["tables"] == {"orders": 8}


def test_a_real_xls_whose_lookups_fail_has_its_error_cells_placed(corpus):
    """poi's BOM (an Excel 97 file): its FORMULA records keep #N/A as their cached result on 14 cells, which
    calamine reads as blank; xlrd finds the same 14."""
    source = ExcelSource("bom", corpus / "edge" / "poi__19599-1_bom_header_row6.xls")
    grids = {grid.sheet: grid for grid in source.read()}
    shown = grids["adjusted syteline"].errors
    assert len(shown) == 14 and set(shown.values()) == {"#N/A"}
    assert {(10, 5), (10, 6), (101, 5)} <= set(shown)   # F11, G11, F102
    assert all(grids[name].rows[r][c] == "" for name in grids for r, c in grids[name].errors)
    assert not grids["customer"].errors and not grids["Sheet3"].errors

"""A wide tracker's stage and shipment cells are checked as a department tab's are, each on its own cell.

A 车缝 cell that shows #N/A, a 包装 figure typed as 进行中, a date column with 下周 in it, a figure below
zero: the rules of the production and shipping tabs say them at that cell, under that column's header, not
at the first stage's column, and a check no longer passes over them as "not done yet". What the order
model makes of the tracker stays as it was: a cell that reads as nothing is no progress, as before.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from typer.testing import CliRunner

from sync.checks.memo import PassMemo
from sync.checks.pipeline import check_register
from sync.cli import app
from sync.orders.model import order_model
from sync.sources import open_path
from sync.tables.register import Register, load
from tests.orders.test_wide_tracker import daily_register

D = datetime
TODAY = date(2026, 12, 5)
HEADER = ["订单号", "客户", "款号", "订单数量", "下单日期", "交货日期", "裁剪完成数", "车缝完成数", "车缝日期",
          "包装完成数", "出货数量", "出货日期"]
#: (order, cut, sewn, sewn on, packed, shipped, shipped on): rows 2-9, columns G-L
ORDERS = [
    ("PO-01", 1000, 1000, D(2026, 11, 20), 1000, 1000, D(2026, 11, 28)),
    ("PO-02", 1000, 800, None, None, None, None),
    ("PO-03", 1000, 600, None, 200, None, None),
    ("PO-04", 1000, 1000, D(2026, 11, 25), 900, None, None),
    ("PO-05", 1000, 500, None, None, None, None),
    ("PO-06", 1000, 1000, D(2026, 11, 22), 1000, 1000, D(2026, 12, 1)),
    ("PO-07", 1000, None, None, None, None, None),
    ("PO-08", 1000, 1000, D(2026, 11, 18), "✓", None, None),
]


def tracker(path: Path, edits: dict[str, object] | None = None) -> Path:
    """The orders as a wide tracker, header on row 1; ``edits``: cell -> value (openpyxl writes "#N/A" as an
    error cell, as Excel saves a formula that failed)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "跟单表"
    ws.append(HEADER)
    for no, cut, sewn, sewn_on, packed, shipped, shipped_on in ORDERS:
        ws.append([no, "华美", "T-1", 1000, D(2026, 10, 8), D(2026, 12, 20), cut, sewn, sewn_on, packed, shipped,
                   shipped_on])
    for cell, value in (edits or {}).items():
        ws[cell] = value
    wb.save(path)
    return path


def check(path: Path, lang: str = "zh") -> list[dict]:
    out = CliRunner().invoke(app, ["check", str(path), "--today", TODAY.isoformat(), "--format", "json",
                                   "--lang", lang])
    assert out.exit_code in (0, 1), out.output
    return json.loads(out.stdout)["findings"]


def on_cells(found: list[dict], *rules: str) -> list[tuple]:
    return sorted((f["rule"], f["severity"], f["table"], f["sheet"], f["cell"], f["column"], f["value"])
                  for f in found if f["rule"] in rules)


def read(path: Path) -> Register:
    return load([open_path(path)])


def test_formula_errors_in_stage_and_shipment_cells_are_said_on_their_cells(tmp_path: Path) -> None:
    found = check(tracker(tmp_path / "跟单.xlsx", {"H3": "#N/A", "J4": "#DIV/0!", "K5": "#REF!", "I6": "#N/A"}))
    assert on_cells(found, "formula-error") == [
        ("formula-error", "warning", "production", "跟单表", "H3", "车缝完成数", "#N/A"),
        ("formula-error", "warning", "production", "跟单表", "I6", "车缝日期", "#N/A"),
        ("formula-error", "warning", "production", "跟单表", "J4", "包装完成数", "#DIV/0!"),
        ("formula-error", "warning", "shipping", "跟单表", "K5", "出货数量", "#REF!"),
    ]
    messages = {f["cell"]: f["message"] for f in found if f["rule"] == "formula-error"}
    assert messages["H3"] == "车缝完成数 有 1 格显示公式错误（#N/A），读不出值，按未填处理：H3"
    assert messages["J4"] == "包装完成数 有 1 格显示公式错误（#DIV/0!），读不出值，按未填处理：J4"


def test_each_stage_column_says_its_own_error_cells(tmp_path: Path) -> None:
    found = check(tracker(tmp_path / "跟单.xlsx", {"H3": "#N/A", "H4": "#N/A", "J4": "#N/A", "J8": "#N/A"}), "en")
    said = sorted((f["cell"], f["message"]) for f in found if f["rule"] == "formula-error")
    assert said == [
        ("H3", "车缝完成数: 2 cells show a formula error (#N/A ×2); their value is unknown, read as not filled in: "
               "H3, H4"),
        ("J4", "包装完成数: 2 cells show a formula error (#N/A ×2); their value is unknown, read as not filled in: "
               "J4, J8"),
    ]


def test_text_where_a_stage_figure_or_date_goes_is_unreadable_on_its_cell(tmp_path: Path) -> None:
    found = check(tracker(tmp_path / "跟单.xlsx", {"J3": "进行中", "I4": "下周", "L7": "待定"}))
    assert on_cells(found, "unreadable") == [
        ("unreadable", "error", "production", "跟单表", "I4", "车缝日期", "下周"),
        ("unreadable", "error", "production", "跟单表", "J3", "包装完成数", "进行中"),
    ]
    unreadable = {f["cell"]: f["message"] for f in found if f["rule"] == "unreadable"}
    assert unreadable["J3"] == "包装完成数 的内容“进行中”无法识别为数字"
    # a placeholder is said as one: 待定 in a ship date is no date yet, not a mistake
    assert [f["cell"] for f in found if f["rule"] == "placeholder" and f["table"] == "shipping"] == ["L7"]
    # a tick says the stage is done (J9: ✓): nothing to say of it
    assert not [f for f in found if f["cell"] == "J9"]


def test_a_negative_figure_is_said_on_its_own_stages_cell(tmp_path: Path) -> None:
    found = check(tracker(tmp_path / "跟单.xlsx", {"J5": -5, "K7": -20}))
    assert on_cells(found, "completed-negative") == [
        ("completed-negative", "error", "production", "跟单表", "J5", "包装完成数", "-5")]
    # a shipment below zero is asked about as a return (an ERP's red-letter line), on its own cell
    assert [(f["severity"], f["cell"], f["message"]) for f in found if f["rule"] == "shipped-positive"] == [
        ("warning", "K7", "出货数量 为 -20，是负数：是退货（红字）吗？请确认")]


def test_the_order_model_reads_an_unreadable_cell_as_the_blank_it_read_before(tmp_path: Path) -> None:
    odd = order_model(read(tracker(tmp_path / "错.xlsx", {"H3": "#N/A", "J4": "进行中", "I4": "下周"})), None,
                      today=TODAY)
    blank = order_model(read(tracker(tmp_path / "空.xlsx", {"H3": None, "J4": None, "I4": None})), None, today=TODAY)
    for name in ("production", "shipping"):
        pd.testing.assert_frame_equal(odd.view.tables[name].data, blank.view.tables[name].data)
    assert odd.progress == blank.progress and odd.progress
    # rows to check: PO-02's 车缝 (H3) and PO-03's 包装 (J4); I4 is the date of PO-03's 车缝, a row already
    assert len(odd.view.wide["production"]) == len(blank.view.wide["production"]) + 2
    ours = {f.order_no: f.message for f in check_register(read(tmp_path / "错.xlsx"), None, today=TODAY).findings
            if f.rule.startswith("order-")}
    theirs = {f.order_no: f.message for f in check_register(read(tmp_path / "空.xlsx"), None, today=TODAY).findings
              if f.rule.startswith("order-")}
    assert ours == theirs and ours


def test_a_kept_pass_checks_an_edited_stage_cell_again(tmp_path: Path) -> None:
    """The service keeps the last pass's results: a stage cell edited between two passes is checked again, and a
    pass over the unchanged tracker reuses them; both as a pass from scratch says."""
    path = tracker(tmp_path / "跟单.xlsx", {"H3": "#N/A"})
    memo = PassMemo()

    def passes() -> tuple[list[tuple], list[tuple]]:
        register = read(path)
        kept = check_register(register, None, today=TODAY, memo=memo).findings
        fresh = check_register(read(path), None, today=TODAY).findings
        return ([(f.rule, f.cell, f.message) for f in kept], [(f.rule, f.cell, f.message) for f in fresh])

    kept, fresh = passes()
    assert kept == fresh and ("formula-error", "H3", "车缝完成数 有 1 格显示公式错误（#N/A），读不出值，按未填处理：H3") in kept
    kept, fresh = passes()
    assert kept == fresh and memo.reused
    tracker(path, {"J6": "#VALUE!"})   # H3 mended, J6 broken
    kept, fresh = passes()
    assert kept == fresh
    assert [c for r, c, _ in kept if r == "formula-error"] == ["J6"]


def test_a_daily_output_sheets_day_cells_are_checked_each_on_its_day(tmp_path: Path) -> None:
    """订单号 | 工序 | 9/1 … 9/6: a figure below zero, text where the day's figure goes and a formula's error are said
    on their day's cell; 休 and 停机 say nothing was made that day, on purpose, and 0 is nothing made."""
    path = tmp_path / "日产量.xlsx"
    daily_register(path, [["SO-1", "车缝", 1000, 100, "休", 0, 100, -50, 100],
                          ["SO-2", "车缝", 1000, 50, "停机", "约50", 50, "#N/A", None],
                          ["SO-3", "车缝", 1000, None, None, None, None, None, None]])
    found = check_register(read(path), None, lang="zh", today=date(2026, 9, 7)).findings
    said = sorted((f.rule, f.severity, f.table, f.cell, f.column, f.value) for f in found
                  if f.rule in ("completed-negative", "unreadable", "formula-error", "number-as-written"))
    assert said == [
        ("completed-negative", "error", "production", "H2", "2026-09-05", "-50"),
        ("formula-error", "warning", "production", "H3", "2026-09-05", "#N/A"),
        ("number-as-written", "info", "production", "F3", "2026-09-03", "约50"),
    ]
    assert not [f for f in found if f.sheet == "车缝日产量" and f.cell in ("E2", "E3", "F2")]   # 休, 停机, 0

"""An order's delivery planned in batches across its row (第一批交期 / 第一批数量 …), checked as a follower would."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from sync.orders.batches import batch_columns
from sync.cli import app

D = dt.datetime
ZH = ["合同号", "客户", "品名", "订单数量", "下单日期", "合同交期", "第一批交期", "第一批数量", "第二批交期", "第二批数量",
      "跟单员", "状态"]


def register(path: Path, header: list[str], lines: list[tuple], shipped: list[tuple] | None = ()) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "订单跟踪"
    ws.append(header)
    for no, qty, first, second, status in lines:
        ws.append([no, "优衣库", "T恤", qty, D(2026, 8, 1), D(2026, 10, 31), *first, *second, "张伟", status])
    if shipped is not None:   # a shipping tab, however empty, is where shipments are recorded
        ship = wb.create_sheet("发货记录")
        ship.append(["合同号", "发货日期", "发货数量"])
        for row in shipped:
            ship.append(list(row))
    wb.save(path)
    return path


def findings(path: Path, today: str = "2026-09-20") -> list[tuple[str, str, str, str | None]]:
    out = CliRunner().invoke(app, ["check", str(path), "--today", today, "--format", "json", "--lang", "en"])
    return [(f["rule"], f["cell"], f["severity"], f["order_no"]) for f in json.loads(out.stdout)["findings"]
            if f["rule"].startswith("batch-")]


def test_batches_are_checked_against_their_line_and_the_shipments(tmp_path: Path) -> None:
    lines = [("HT-1", 1000, (D(2026, 9, 10), 500), (D(2026, 10, 10), 500), "生产中"),   # batch 1 shipped: fine
             ("HT-2", 1000, (D(2026, 9, 10), 500), (D(2026, 10, 10), 500), "生产中"),   # batch 1 due, nothing shipped
             ("HT-3", 600, (D(2026, 9, 25), 300), (D(2026, 10, 10), 3000), "生产中"),   # 3000: a zero too many
             ("HT-4", 800, (D(2026, 9, 25), 300), (D(2026, 10, 10), 300), "生产中"),    # 200 with no date
             ("HT-5", 800, (D(2026, 7, 25), 400), (D(2026, 10, 10), 400), "生产中"),    # due before it was ordered
             ("HT-6", 800, (D(2026, 10, 25), 400), (D(2026, 10, 10), 400), "生产中"),   # second before first
             ("HT-7", 1000, (D(2026, 9, 10), 500), (D(2026, 10, 10), 500), "已出货")]   # shipped: nothing due
    path = register(tmp_path / "分批.xlsx", ZH, lines, shipped=[("HT-1", D(2026, 9, 9), 500)])
    assert findings(path) == [
        ("batch-overdue", "G3", "warning", "HT-2"),
        ("batch-over-ordered", "J4", "error", "HT-3"),
        ("batch-under-ordered", "J5", "warning", "HT-4"),
        ("batch-before-order", "G6", "error", "HT-5"),
        ("batch-out-of-order", "I7", "warning", "HT-6"),
    ]
    out = CliRunner().invoke(app, ["check", str(path), "--today", "2026-09-20", "--lang", "en"],
                             env={"COLUMNS": "120"})
    assert "order HT-2: 第一批交期 2026-09-10 has passed (500 due by then), 0 shipped" in out.output


def test_a_register_that_records_no_shipments_calls_no_batch_overdue(tmp_path: Path) -> None:
    lines = [("HT-1", 1000, (D(2026, 9, 10), 500), (D(2026, 10, 10), 500), "生产中")]
    assert findings(register(tmp_path / "a.xlsx", ZH, lines, shipped=None)) == []
    assert findings(register(tmp_path / "b.xlsx", ZH, lines)) == [("batch-overdue", "G2", "warning", "HT-1")]


@pytest.mark.parametrize("headers,batches", [
    (["第一批交期", "第一批数量", "第二批交期", "第二批数量"], [1, 2]),
    (["1st delivery date", "1st delivery qty", "2nd delivery date", "2nd delivery qty"], [1, 2]),
    (["交期1", "数量1", "交期2", "数量2", "交期3", "数量3"], [1, 2, 3]),
    (["批次1交期", "批次1数量", "批次2交期", "批次2数量"], [1, 2]),
    (["交期2"], []),                                     # a revised date, not a plan
    (["第一批出货日期", "第一批出货数量", "第二批出货日期", "第二批出货数量"], []),   # shipments made, not planned
])
def test_which_columns_plan_batches(headers: list[str], batches: list[int]) -> None:
    extra = {7 + i: (h, None) for i, h in enumerate(headers)}
    assert [b.number for b in batch_columns(extra)] == batches


def test_batches_by_the_dozen_against_shipments_by_the_piece(tmp_path: Path) -> None:
    """订单数量(打) planned in two batches of dozens, shipped by the piece: 300 pieces do not cover a first batch of
    40 打 (480 pieces); 500 do. Said in pieces, with how; the batches still add up to the order in dozens."""
    header = [h if h != "订单数量" else "订单数量(打)" for h in ZH]
    lines = [("HT-1", 100, (D(2026, 9, 10), 40), (D(2026, 10, 10), 60), "生产中"),
             ("HT-2", 100, (D(2026, 9, 10), 40), (D(2026, 10, 10), 60), "生产中")]
    path = register(tmp_path / "打.xlsx", header, lines,
                    shipped=[("HT-1", D(2026, 9, 9), 300), ("HT-2", D(2026, 9, 9), 500)])
    out = CliRunner().invoke(app, ["check", str(path), "--today", "2026-09-20", "--format", "json"])
    said = [(f["rule"], f["cell"], f["message"], f["hint"]) for f in json.loads(out.stdout)["findings"]
            if f["rule"].startswith("batch-")]
    assert said == [("batch-overdue", "G2", "订单 HT-1 第一批交期 2026-09-10 已过（到这一批共 480 件），已发货 300",
                     "与生产确认这一批的进度，必要时提前告知客户（数量按件比较：第一批数量 1 打 = 12 件）")]


def test_batch_cells_that_read_as_no_date_or_quantity_are_said_on_their_cells(tmp_path: Path) -> None:
    """下周 where a batch's date goes, 一半 where its quantity goes, #N/A from a lookup: each is said (the text on
    its cell, the errors once per column with their cells), where before the batch read as not planned; 待定 is
    no date yet, not a mistake."""
    lines = [("HT-1", 1000, (D(2026, 9, 10), 500), ("下周", 500), "生产中"),
             ("HT-2", 1000, (D(2026, 9, 10), "一半"), (D(2026, 10, 10), 500), "生产中"),
             ("HT-3", 1000, (D(2026, 9, 10), 500), ("#N/A", "#N/A"), "生产中"),
             ("HT-4", 1000, (D(2026, 9, 10), 500), ("#N/A", 500), "生产中"),
             ("HT-5", 1000, (D(2026, 9, 10), 500), ("待定", 500), "生产中")]
    path = register(tmp_path / "分批.xlsx", ZH, lines, shipped=[("HT-1", D(2026, 9, 9), 500)])
    out = CliRunner().invoke(app, ["check", str(path), "--today", "2026-09-20", "--format", "json"])
    said = sorted((f["rule"], f["severity"], f["cell"], f["column"], f["value"], f["order_no"], f["message"])
                  for f in json.loads(out.stdout)["findings"] if f["rule"] in ("unreadable", "formula-error"))
    assert said == [
        ("formula-error", "warning", "I4", "第二批交期", "#N/A", "HT-3",
         "第二批交期 有 2 格显示公式错误（#N/A ×2），读不出值，按未填处理：I4、I5"),
        ("formula-error", "warning", "J4", "第二批数量", "#N/A", "HT-3",
         "第二批数量 有 1 格显示公式错误（#N/A），读不出值，按未填处理：J4"),
        ("unreadable", "error", "H3", "第一批数量", "一半", "HT-2", "第一批数量 的内容“一半”无法识别为数字"),
        ("unreadable", "error", "I2", "第二批交期", "下周", "HT-1", "第二批交期 的内容“下周”无法识别为日期"),
    ]

"""A production plan carries some of its orders' own facts (the promised day, the brand): read them
when the sheet is a plan, never let them make an order register with operation lines into one.

Each test writes a real workbook with openpyxl and reads it as ``ordersync check`` does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from sync.sources.excel import ExcelSource
from sync.tables.register import load

MONDAY = dt.date(2026, 4, 20)


def write(path: Path, sheet: str, head: list[str], rows: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(head)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def letters(path: Path) -> dict[str, dict[str, str]]:
    register = load([ExcelSource(path.name, path)])
    return {name: {f: c.letter for f, c in t.columns.items()} for name, t in register.tables.items()}


def test_a_weekly_plan_reads_each_orders_etd_and_brand(tmp_path):
    head = ["NO.ORDER", "Date of Producing", "Product", "Qty", "Line", "Ngày Sản xuất hoàn thành",
            "Ngày giao hàng\nETD", "Out put", "Brand"]
    rows = [[f"F-2026-04-{n:03d}", MONDAY, f"Sheet 4mm #{n}", 10 * n, f"l{n % 3 + 1}",
             MONDAY + dt.timedelta(days=2), MONDAY + dt.timedelta(days=4), 5 * n, "ON RUNNING"] for n in range(1, 13)]
    read = letters(write(tmp_path / "Production_Plan_W17.xlsx", "W17-2026", head, rows))
    assert read["production"]["due_date"] == "G"
    assert read["production"]["actual_finish"] == "F"
    assert read["production"]["customer"] == "I"


def test_an_order_register_with_operation_lines_stays_an_orders_table(tmp_path):
    """工序 and 机床 on each line of a work order: the 交期 and 客户 a plan could carry do not make it a plan."""
    head = ["工单号", "客户", "工件名称", "数量", "工序", "机床", "下单日期", "交期"]
    rows = [[f"GD2609{n // 3:03d}", "恒力机械", "法兰盘", 200, "车铣磨"[n % 3], "CK6150", MONDAY,
             MONDAY + dt.timedelta(days=30)] for n in range(18)]
    read = letters(write(tmp_path / "机加工排产.xlsx", "排产", head, rows))
    assert set(read) == {"orders"}
    assert read["orders"]["due_date"] == "H"


def test_a_u8_production_order_report_reads_mrp_net_quantity_as_the_quantity(tmp_path):
    """U8 lists each production order with MRP净算量, the quantity MRP says to make."""
    head = ["生产订单号码", "行号", "物料编码", "物料名称", "开工日期", "完工日期", "MRP净算量", "检验数量", "入库数量"]
    rows = [["0000001234", n, f"9006{n:05d}", f"法兰{n}", MONDAY, MONDAY + dt.timedelta(days=5), 10 * n, 10 * n, 10 * n]
            for n in range(1, 13)]
    read = letters(write(tmp_path / "生产时效性统计表.xlsx", "生产时效性统计表", head, rows))
    assert read["production"]["quantity"] == "G"

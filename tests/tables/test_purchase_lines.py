"""A purchase-timeliness report (one PO over many lines, arrival blocks beside the order) read and
checked as ``ordersync check`` does: what the lines say, and what is not a mistake on them.

Each test writes a real workbook with openpyxl.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from sync.checks.pipeline import check_register
from sync.findings import ERROR, WARNING
from sync.sources.excel import ExcelSource
from sync.tables.register import load

TODAY = dt.date(2026, 11, 20)
HEAD = ["行号", "订单号", "订单日期", "供应商编码", "存货编码", "存货名称", "计划到货日期", "数量", "到货单号", "到货日期",
        "到货数量"]


def write(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "采购时效性统计表"
    ws.append(HEAD)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def line(n: int, arrived: float | None) -> list:
    """Line n of PO 000003736; ``arrived`` None leaves the arrival block blank (the line is still open)."""
    ordered = dt.date(2026, 10, 13)
    block = ["", None, None] if arrived is None else ["0000005464", ordered + dt.timedelta(days=9), arrived]
    return [n, "000003736", ordered, "921031", f"8880233{n:02d}", f"法兰毛坯{n}", ordered + dt.timedelta(days=12),
            5, *block]


def read(path: Path):
    register = load([ExcelSource(path.name, path)])
    return register, check_register(register, None, lang="en", today=TODAY)


def test_a_return_booked_as_a_negative_arrival_is_a_warning_not_an_error(tmp_path):
    """U8 books goods sent back to the supplier as an arrival of -5: a person looks, nothing was mistyped."""
    rows = [line(n, 5) for n in range(1, 9)] + [line(9, -5), line(10, None), line(11, None)]
    register, report = read(write(tmp_path / "purchase.xlsx", rows))
    assert "materials" in register.tables
    said = [(f.cell, f.severity) for f in report.findings if f.rule == "arrived-qty-negative"]
    assert said == [("K10", WARNING)]
    assert not [f for f in report.findings if f.severity == ERROR and f.row in (11, 12)]   # open lines


def test_a_purchase_line_keeps_its_order_date_and_names_its_material(tmp_path):
    """订单日期 on a purchase report is the PO's date; 存货名称 names the material bought, 存货编码 only codes it."""
    register, _ = read(write(tmp_path / "purchase.xlsx", [line(n, 5) for n in range(1, 9)]))
    table = register.tables["materials"]
    assert {f: table.columns[f].letter for f in ("order_no", "order_date", "material", "expected_date",
                                                  "required_qty", "arrived_qty")} == \
        {"order_no": "B", "order_date": "C", "material": "F", "expected_date": "G", "required_qty": "H",
         "arrived_qty": "K"}
    assert table.data["order_date"].dt.date.tolist() == [dt.date(2026, 10, 13)] * 8

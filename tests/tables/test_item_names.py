"""An ERP's item number codes a product; its item name is what a person reads as the product.

Each test writes a real workbook with openpyxl and reads it as ``ordersync check`` does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from sync.sources.excel import ExcelSource
from sync.tables.register import load

DUE = dt.date(2026, 12, 1)


def product_letter(tmp_path: Path, head: list[str], rows: list[list]) -> str:
    wb = Workbook()
    ws = wb.active
    ws.title = "Client Orders"
    ws.append(head)
    for row in rows:
        ws.append(row)
    path = tmp_path / "orders.xlsx"
    wb.save(path)
    register = load([ExcelSource(path.name, path)])
    return register.tables["orders"].columns["product"].letter


def test_the_item_name_beside_its_number_is_the_product(tmp_path):
    head = ["Item No.", "Item Name", "Customer", "Qty", "Order number", "Order deadline"]
    rows = [[1001010100 + n, f"T1160-127-{n}00g-HM-YG", "Almarai", 1000 * n, f"PO-{n:04d}", DUE] for n in range(1, 9)]
    assert product_letter(tmp_path, head, rows) == "B"


def test_an_item_number_alone_still_names_the_product(tmp_path):
    head = ["Item No.", "Customer", "Qty", "Order number", "Order deadline"]
    rows = [[1001010100 + n, "Almarai", 1000 * n, f"PO-{n:04d}", DUE] for n in range(1, 9)]
    assert product_letter(tmp_path, head, rows) == "A"


def test_an_item_code_with_no_name_beside_it_keeps_the_product(tmp_path):
    """Part No beside Part Name yields to it; Item code, named nowhere else, stays the product."""
    head = ["Item code", "Customer Name", "Part No", "Part Name", "Total Qty", "Order number", "Order deadline"]
    rows = [[f"BA{300 + n}", "Yamaha", f"P-{n}", f"Pipe {n}", 100 * n, f"PO-{n:04d}", DUE] for n in range(1, 9)]
    assert product_letter(tmp_path, head, rows) == "A"

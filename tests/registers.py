"""Build small multi-tab order registers as real .xlsx files, from Python lists.

    book = Book()
    r = book.order("SO-1", 1000, due="2026-05-30")      # r: the sheet row the order landed on
    book.prod("SO-1", "裁剪", 1000, updated="2026-04-10")
    reg = book.load(tmp_path)                           # written with openpyxl, read back through sync.tables.register

Every add returns the Excel row number, so a test can say which cell a finding must point at.
Dates may be given as 'YYYY-MM-DD' text or ``date``; they are written as real date cells.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from sync.tables.register import Register, load
from sync.sources import open_path

HEADERS: dict[str, tuple[str, list[str]]] = {
    "orders": ("订单登记", ["订单号", "下单日期", "客户", "款号", "订单数量", "交货日期", "跟单员", "状态"]),
    "materials": ("物料采购", ["订单号", "物料", "需求数量", "预计到货", "实际到货", "到货数量"]),
    "production": ("生产进度", ["订单号", "工序", "完成数量", "计划开始", "计划完成", "实际完成", "更新日期"]),
    "qc": ("质检记录", ["订单号", "检验日期", "检验数量", "合格数量", "不合格数量"]),
    "shipping": ("发货记录", ["订单号", "发货日期", "发货数量", "物流公司"]),
}


def day(value: Any) -> Any:
    """'2026-04-10' -> datetime (a real date cell); anything else unchanged."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return dt.datetime.fromisoformat(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


class Book:
    """A register under construction: tab -> header + rows."""

    def __init__(self, headers: dict[str, tuple[str, list[str]]] | None = None) -> None:
        self.tabs = {t: (sheet, list(cols), []) for t, (sheet, cols) in (headers or HEADERS).items()}
        self.extra: dict[str, list[list[Any]]] = {}

    def add(self, table: str, *values: Any) -> int:
        """Append a row to ``table``; returns its Excel row (header on row 1)."""
        sheet, cols, rows = self.tabs[table]
        rows.append([day(v) for v in values] + [None] * (len(cols) - len(values)))
        return len(rows) + 1

    def order(self, no: str, qty: Any, *, ordered: Any = "2026-03-01", due: Any = "2026-05-30",
              customer: str = "优衣库", follower: str = "张伟", status: str | None = "生产中",
              style: str = "UQ-T2601") -> int:
        return self.add("orders", no, ordered, customer, style, qty, due, follower, status)

    def material(self, no: str, name: str, required: Any, *, expected: Any = None, arrived: Any = None,
                 arrived_qty: Any = None) -> int:
        return self.add("materials", no, name, required, expected, arrived, arrived_qty)

    def prod(self, no: str, stage: str, done: Any, *, start: Any = None, finish: Any = None,
             actual: Any = None, updated: Any = None) -> int:
        return self.add("production", no, stage, done, start, finish, actual, updated)

    def qc(self, no: str, on: Any, inspected: Any, passed: Any, failed: Any = 0) -> int:
        return self.add("qc", no, on, inspected, passed, failed)

    def ship(self, no: str, on: Any, qty: Any, carrier: str = "顺丰") -> int:
        return self.add("shipping", no, on, qty, carrier)

    def cell(self, table: str, header: str, row: int) -> str:
        """The A1 address of ``header``'s column in ``row``."""
        return f"{chr(65 + self.tabs[table][1].index(header))}{row}"

    def write(self, path: Path) -> Path:
        wb = Workbook()
        wb.remove(wb.active)
        for sheet, cols, rows in self.tabs.values():
            if not rows:
                continue   # an empty tab is no department at all
            ws = wb.create_sheet(sheet)
            ws.append(cols)
            for r in rows:
                ws.append(r)
        for sheet, rows in self.extra.items():
            ws = wb.create_sheet(sheet)
            for r in rows:
                ws.append([day(v) for v in r])
        wb.save(path)
        return path

    def load(self, directory: Path, name: str = "register.xlsx") -> Register:
        return read(self.write(directory / name))


def read(path: Path) -> Register:
    return load([open_path(path)])

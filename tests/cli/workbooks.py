"""Small real workbooks for the CLI tests: written with openpyxl into tmp_path, one list of rows per sheet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

D = dt.datetime(2026, 4, 1)

#: an orders tab in Chinese: six clean orders
ORDERS_ZH = [["订单号", "下单日期", "客户", "款号", "订单数量", "单价", "金额", "交货日期", "跟单员"],
             *[[f"SO-2604-{i:03d}", D, "Muji HK", "MJ-T01", q, 10.0, q * 10.0, D + dt.timedelta(days=40), "张伟"]
               for i, q in enumerate([300, 450, 600, 500, 350, 400], start=1)]]
#: the same in English, with one quantity typed as text nobody can read
ORDERS_EN = [["PO No.", "Order Date", "Customer", "Style", "Qty", "Unit Price", "Amount", "Delivery Date"],
             *[[f"PO-{i:03d}", D, "ACME", "ST-1", q, 10.0, q * 10.0, D + dt.timedelta(days=40)]
               for i, q in enumerate([300, 450, 600, 500, 350, 400], start=1)],
             ["PO-007", D, "ACME", "ST-1", "lots", 10.0, 100.0, D + dt.timedelta(days=40)]]
#: a daily production log: date, worker, model, quantity, process; no order number, so only "probably production"
DAILY_LOG = [["日期", "人员", "型号", "数量", "工艺"],
             *[[f"6.{d}", "张三", "113-78", 100 + d, "喷涂"] for d in range(1, 8)]]
DAILY_LOG_EN = [["Date", "Operator", "Model", "Quantity", "Process"],
                *[[D + dt.timedelta(days=d), "Tom", "113-78", 100 + d, "Painting"] for d in range(1, 8)]]
#: a sheet of notes: no table at all
NOTES = [["本表由跟单部维护"], ["如有疑问请联系王芳"]]


def book(path: Path, sheets: dict[str, list[list]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path

"""A register kept in monthly tabs (7月 | 8月 | 9月) is one table; every finding about a row, and every line of an
order's timeline, names the tab that row is on, never all the tabs at once: F2 is on every tab."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from openpyxl import Workbook
from typer.testing import CliRunner

from sync.cli import app

D = dt.datetime


def monthly(path: Path) -> Path:
    """Three monthly orders tabs, three orders each, all in production; materials kept in monthly tabs too."""
    wb = Workbook()
    wb.remove(wb.active)
    for m in (7, 8, 9):
        ws = wb.create_sheet(f"{m}月")
        ws.append(["订单号", "客户", "款号", "数量", "下单日期", "交货日期", "跟单员", "状态"])
        for k in (1, 2, 3):
            ws.append([f"M{m}-{k}", "优衣库", "K1", 1000, D(2026, m, 1), D(2026, m, 20 + k), "张伟", "生产中"])
    for m in (8, 9):
        mat = wb.create_sheet(f"{m}月物料")
        mat.append(["订单号", "物料", "需求数量", "预计到货", "到货日期", "到货数量"])
        mat.append([f"M{m}-1", "拉链", 1000, D(2026, m, 25), None, None])
    prod = wb.create_sheet("生产")
    prod.append(["订单号", "工序", "计划开始", "完成数量"])
    for m in (8, 9):
        prod.append([f"M{m}-1", "裁剪", D(2026, m, 10), 0])
    wb.save(path)
    return path


def test_each_finding_names_the_tab_of_its_row(tmp_path):
    path = monthly(tmp_path / "月度.xlsx")
    out = CliRunner().invoke(app, ["check", str(path), "--today", "2026-09-05", "--format", "json", "--lang", "en"])
    found = [(f["rule"], f["order_no"], f["sheet"], f["cell"]) for f in json.loads(out.stdout)["findings"]
             if f["rule"] in ("order-overdue", "material-late")]
    assert sorted(found) == sorted(
        [("order-overdue", f"M7-{k}", "7月", f"F{k + 1}") for k in (1, 2, 3)]
        + [("order-overdue", f"M8-{k}", "8月", f"F{k + 1}") for k in (1, 2, 3)]
        + [("material-late", f"M{m}-1", f"{m}月物料", "D2") for m in (8, 9)])


def test_the_timeline_names_the_tab_of_the_orders_line(tmp_path):
    path = monthly(tmp_path / "月度.xlsx")
    out = CliRunner().invoke(app, ["status", "M8-2", str(path), "--today", "2026-09-05", "--format", "json"])
    assert {(e["kind"], e["sheet"], e["cell"]) for e in json.loads(out.stdout)["timeline"]} == {
        ("ordered", "8月", "E3"), ("due", "8月", "F3")}

"""A register whose status is a question ticked per order (是否出货 √ / ×, Shipped Y/N) instead of status words."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from sync.cli import app
from sync.sources.excel import ExcelSource
from sync.tables.answers import answered_status, asked
from sync.tables.columns import factorize
from sync.tables.register import load

D = datetime


def write(path: Path, head: list[str], answers: list) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "订单"
    ws.append(head)
    for n, answer in enumerate(answers, start=1):
        ws.append([f"DD-{n:03d}", "华为", "外壳", 2000, D(2026, 8, n), D(2026, 9, 10 + n), "王芳", answer])
    wb.save(path)
    return path


ZH = ["订单编号", "客户名称", "产品", "订单数量", "下单日期", "交货日期", "业务员", "是否完成"]


def test_ticked_orders_are_done_and_the_others_overdue_once_their_date_passed(tmp_path: Path) -> None:
    # √ / 是 done; × / 否 / blank not yet: DD-001 .. DD-006 are past due on 09-17, DD-007 and DD-008 are not
    path = write(tmp_path / "订单.xlsx", ZH, ["√", "", "×", "是", "否", None, "√", ""])
    out = CliRunner().invoke(app, ["check", str(path), "--today", "2026-09-17", "--format", "json"])
    late = {f["order_no"]: f["value"] for f in json.loads(out.output)["findings"] if f["rule"] == "order-overdue"}
    assert set(late) == {"DD-002", "DD-003", "DD-005", "DD-006"}
    orders = load([ExcelSource(path.name, path)]).tables["orders"]
    assert orders.data["status"].tolist()[:3] == ["完结", "未完成", "未完成"]
    assert orders.raw_text("status", 0) == "√" and orders.raw_text("status", 2) == "×"   # the cells as typed
    status = CliRunner().invoke(app, ["status", str(path), "--today", "2026-09-17", "--format", "json"])
    assert sorted(o["order_no"] for o in json.loads(status.output)["orders"]) == [
        "DD-002", "DD-003", "DD-005", "DD-006", "DD-008"]   # the open ones


def test_shipped_y_n_reads_as_shipped_and_not_shipped(tmp_path: Path) -> None:
    head = ["PO No.", "Customer", "Item", "Qty", "Order Date", "Ship Date", "Merchandiser", "Shipped (Y/N)"]
    path = write(tmp_path / "po.xlsx", head, ["Y", "N", "y", None])
    orders = load([ExcelSource(path.name, path)]).tables["orders"]
    assert orders.data["status"].tolist() == ["shipped", "not shipped", "shipped", "not shipped"]


@pytest.mark.parametrize("label,words", [
    ("是否出货", ("已出货", "未出货")), ("是否已完成", ("完结", "未完成")), ("出货否", ("已出货", "未出货")),
    ("Completed Y/N", ("closed", "not completed")), ("状态", None), ("是否急单", None), ("备注", None)])
def test_what_a_status_question_asks(label: str, words: tuple | None) -> None:
    assert asked(label) == words


def test_a_question_column_of_status_words_stays_as_written() -> None:
    words = factorize(np.array(["已出货", "生产中", "已出货"], dtype=object))
    assert answered_status("是否出货", words) is None
    mixed = answered_status("是否出货", factorize(np.array(["√", "部分出货", ""], dtype=object)))
    assert mixed.cells().tolist() == ["已出货", "部分出货", "未出货"]

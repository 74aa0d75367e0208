"""A US retail PO tracker: Units, X-Fty Date, and a Cancel Date the ex-factory date must not pass."""

from __future__ import annotations

import json
from datetime import datetime as D
from pathlib import Path

from openpyxl import Workbook
from typer.testing import CliRunner

from sync.cli import app
from sync.sources.excel import ExcelSource
from sync.tables.register import load

HEADER = ["PO#", "Style#", "Units", "FOB", "Buyer", "PO Date", "X-Fty Date", "Cancel Date", "ETD", "Merchandiser"]


def tracker(path: Path, header: list[str] = HEADER) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "WIP"
    ws.append(header)
    for no, fty, cancel in (("PO10001", D(2026, 9, 10), D(2026, 9, 25)), ("PO10002", D(2026, 9, 20), D(2026, 9, 15))):
        row = {"PO#": no, "Style#": "ST-1", "Units": 2400, "FOB": 8.5, "Buyer": "Kohl's", "PO Date": D(2026, 7, 1),
               "X-Fty Date": fty, "Cancel Date": cancel, "ETD": fty, "Merchandiser": "Amy"}
        ws.append([row[h] for h in header])
    wb.save(path)
    return path


def check(path: Path) -> list[dict]:
    out = CliRunner().invoke(app, ["check", str(path), "--today", "2026-09-01", "--format", "json", "--lang", "en"])
    return json.loads(out.stdout)["findings"]


def test_units_and_the_ex_factory_date_are_the_quantity_and_the_due_date(tmp_path: Path) -> None:
    orders = load([ExcelSource("wip.xlsx", tracker(tmp_path / "wip.xlsx"))]).tables["orders"]
    assert {f: orders.columns[f].header for f in ("quantity", "due_date", "cancel_date")} == {
        "quantity": "Units", "due_date": "X-Fty Date", "cancel_date": "Cancel Date"}


def test_an_ex_factory_date_after_the_cancel_date_is_an_error_on_it(tmp_path: Path) -> None:
    found = [f for f in check(tracker(tmp_path / "wip.xlsx")) if f["rule"] == "due-after-cancel"]
    assert [(f["order_no"], f["cell"], f["severity"]) for f in found] == [("PO10002", "G3", "error")]
    assert found[0]["message"].startswith("X-Fty Date 2026-09-20 is after Cancel Date 2026-09-15")


def test_a_register_without_a_cancel_date_is_not_told_it_lacks_one(tmp_path: Path) -> None:
    found = check(tracker(tmp_path / "wip.xlsx", [h for h in HEADER if h != "Cancel Date"]))
    assert not [f for f in found if f["rule"] == "rule-skipped" and "cancel" in f["message"].lower()]
    assert not [f for f in found if f["rule"] == "due-after-cancel"]

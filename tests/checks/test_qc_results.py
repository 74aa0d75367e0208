"""A QC tab that keeps each inspection's verdict (Pass / Fail, 合格 / 不合格, 复验) instead of passed quantities."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from sync.calendar import calendar_from
from sync.cli import app
from sync.notices.reminders import find_concerns, settings_from
from sync.orders.facts import failed_result, order_facts
from sync.orders.model import order_model
from sync.sources import open_path
from sync.tables.register import load

D = dt.datetime
TODAY = dt.date(2026, 9, 14)


def register(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "PO"
    ws.append(["PO#", "Buyer", "Item", "Qty", "PO Date", "ETD", "Merchandiser", "Status"])
    for n in range(1, 5):
        ws.append([f"PO-{n}", "Target", "Mug", 1200, D(2026, 8, 1), D(2026, 9, 20), "Amy", "In production"])
    qc = wb.create_sheet("QC")
    qc.append(["PO#", "Inspection Date", "Result", "AQL", "Defects", "Inspector"])
    qc.append(["PO-1", D(2026, 9, 5), "Pass", "2.5", None, "Lee"])
    qc.append(["PO-2", D(2026, 9, 6), "Fail", "2.5", "scratches", "Lee"])       # shipped anyway
    qc.append(["PO-3", D(2026, 9, 7), "Re-inspect", "2.5", "glaze", "Lee"])     # awaiting rework, not shipped
    qc.append(["PO-4", D(2026, 9, 2), "Fail", "2.5", "chips", "Lee"])           # failed, then passed
    qc.append(["PO-4", D(2026, 9, 8), "Pass", "2.5", None, "Lee"])
    ship = wb.create_sheet("Shipments")
    ship.append(["PO#", "Ship Date", "Container No.", "Shipped Qty"])
    ship.append(["PO-1", D(2026, 9, 8), "MSKU1234567", 1200])
    ship.append(["PO-2", D(2026, 9, 9), "MSKU1234568", 1200])
    ship.append(["PO-4", D(2026, 9, 10), "MSKU1234569", 1200])
    wb.save(path)
    return path


def test_a_shipment_after_a_failed_verdict_is_an_error_on_the_shipment(tmp_path: Path) -> None:
    path = register(tmp_path / "po.xlsx")
    out = CliRunner().invoke(app, ["check", str(path), "--today", TODAY.isoformat(), "--format", "json",
                                   "--lang", "en"])
    found = [f for f in json.loads(out.stdout)["findings"] if f["rule"] == "shipped-after-failed-qc"]
    assert [(f["order_no"], f["sheet"], f["cell"], f["severity"]) for f in found] == [("PO-2", "Shipments", "D3",
                                                                                       "error")]
    assert "the last inspection says 'Fail' (2026-09-06), yet it has shipped 1200" in found[0]["message"]


def test_failed_verdicts_not_inspected_again_are_qc_failed_reminders(tmp_path: Path) -> None:
    reg = load([open_path(register(tmp_path / "po.xlsx"))])
    facts = order_facts(order_model(reg, today=TODAY))
    settings = settings_from({})
    concerns = find_concerns(facts, reg, TODAY, calendar_from(settings), settings)
    # PO-2 has shipped in full: no longer open, its shipment is the check's error; PO-4 passed on re-inspection
    assert sorted(c.order_no for c in concerns if c.kind == "qc_failed") == ["PO-3"]


@pytest.mark.parametrize("said,failed", [("不合格", True), ("NG", True), ("Fail", True), ("Rejected", True),
                                         ("复验", True), ("re-inspect", True), ("合格", False), ("Pass", False),
                                         ("OK", False), (None, False)])
def test_what_reads_as_a_failed_verdict(said: str | None, failed: bool) -> None:
    assert failed_result(said) is failed

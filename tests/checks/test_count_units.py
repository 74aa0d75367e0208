"""Tabs that count pieces in different units: orders taken by the dozen (数量(打), Qty (dz), 100打 typed) or in
thousands (Qty (K pcs)), production and shipping counted by the piece. The counts are compared in pieces, and
each finding that compared one says how; a register that counts in one unit throughout reads as typed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from sync.cli import app
from sync.tables.quantities import header_unit

D = dt.date


def register(path: Path, ordered: str, qty: list, made: str, done: list, shipped: str, ships: list) -> Path:
    """Orders (header ``ordered``, quantities ``qty``), a sewing figure per order, shipments ``ships``
    ((order, quantity)); every order due 2026-12-20 and still in production."""
    wb = Workbook()
    ws = wb.active
    ws.title = "订单"
    ws.append(["订单号", "客户", "款号", ordered, "交货日期", "跟单员", "状态"])
    for i, q in enumerate(qty, start=1):
        ws.append([f"SO-{i:03}", "华美", "T-1", q, D(2026, 12, 20), "张伟", "生产中"])
    prod = wb.create_sheet("生产进度")
    prod.append(["订单号", "工序", made, "更新日期"])
    for i, d in enumerate(done, start=1):
        prod.append([f"SO-{i:03}", "车缝", d, D(2026, 12, 1)])
    ship = wb.create_sheet("发货")
    ship.append(["订单号", "发货日期", shipped])
    for no, q in ships:
        ship.append([no, D(2026, 12, 2), q])
    wb.save(path)
    return path


def findings(path: Path, lang: str = "zh") -> list[tuple[str, str, str, str]]:
    out = CliRunner().invoke(app, ["check", str(path), "--today", "2026-12-05", "--format", "json", "--lang", lang])
    return sorted((f["rule"], f["cell"], f["message"], f["hint"]) for f in json.loads(out.stdout)["findings"]
                  if f["rule"] not in ("rule-skipped",))


@pytest.mark.parametrize(("label", "said", "factor"), [
    ("数量(打)", "打", 12), ("数量（打）", "打", 12), ("Qty (dz)", "dz", 12), ("Qty/doz", "doz", 12),
    ("订单数量（千件）", "千件", 1000), ("Qty (K pcs)", "K pcs", 1000), ("Qty (K)", "K", 1000), ("数量(万件)", "万件", 10000),
    ("完成数量(件)", "件", 1), ("PO Qty(PCS)", "PCS", 1),
])
def test_the_unit_a_header_names(label, said, factor):
    unit = header_unit(label)
    assert unit is not None and (unit.label, unit.kind, unit.factor) == (said, "count", factor)


@pytest.mark.parametrize("label", ["数量", "数量(件/套)", "Style/款号", "交期(天)", "金额(万元)", "Qty"])
def test_a_header_that_names_no_count(label):
    unit = header_unit(label)
    assert unit is None or unit.kind != "count"


def test_orders_by_the_dozen_against_production_and_shipping_by_the_piece(tmp_path):
    """100 打 is 1,200 pieces: 1,150 sewn is not more than ordered; 1,300 shipped is, and says so in pieces."""
    path = register(tmp_path / "打.xlsx", "数量(打)", [100, 100, 100], "完成数量(件)", [1150, 1150, 1190],
                    "发货数量", [("SO-001", 1200), ("SO-002", 1300)])
    found = findings(path)
    assert [f[:3] for f in found] == [
        ("shipped-over-ordered", "C3", "订单 SO-002 已发货 1300，超过订单数量 1200（允许 +3%）"),
        ("status-open-all-shipped", "G2", "订单 SO-001 已全部发货（1200/1200），状态仍为「生产中」"),
        ("status-open-all-shipped", "G3", "订单 SO-002 已全部发货（1300/1200），状态仍为「生产中」")]
    # the rule's own hint, then how; a rule with no hint of its own says how alone
    assert [f[3] for f in found] == ["数量按件比较：数量(打) 1 打 = 12 件",
                                     "把状态改为已发货或结案（数量按件比较：数量(打) 1 打 = 12 件）",
                                     "把状态改为已发货或结案（数量按件比较：数量(打) 1 打 = 12 件）"]
    english = findings(path, "en")
    assert english[0][3] == "counts compared in pieces: 数量(打) 1 打 = 12 pieces"


def test_dozens_typed_in_the_cells(tmp_path):
    path = register(tmp_path / "typed.xlsx", "数量", ["100打", "100打", "50打"], "完成数量", [1150, 1150, 700],
                    "发货数量", [])
    assert [f[:2] for f in findings(path)] == [("stage-over-ordered", "C4")]   # 700 sewn of 50 打 = 600


def test_thousands_of_pieces_in_an_electronics_po(tmp_path):
    path = register(tmp_path / "k.xlsx", "Qty (K pcs)", [5, 10], "Done", [5000, 9800], "Shipped Qty",
                    [("SO-001", 5000), ("SO-002", 10500)])
    over = [f for f in findings(path, "en") if f[0] == "shipped-over-ordered"]
    assert [f[1:3] for f in over] == [("C3", "order SO-002: 10500 shipped, more than the 10000 ordered (+3% allowed)")]
    assert over[0][3] == "counts compared in pieces: Qty (K pcs) 1 K pcs = 1000 pieces"


def test_one_unit_throughout_reads_as_typed(tmp_path):
    """All in dozens: nothing converted; a figure over the order says it in dozens, with no word of pieces."""
    path = register(tmp_path / "all.xlsx", "数量(打)", [100, 100], "完成数量(打)", [98, 120], "发货数量(打)",
                    [("SO-001", 100)])
    found = findings(path)
    assert ("stage-over-ordered", "C3", "订单 SO-002 的车缝完成 120，超过订单数量 100（允许 +3%）") in [f[:3] for f in found]
    assert not [f for f in found if "按件比较" in f[3]]


def test_sets_and_pieces_do_not_convert(tmp_path):
    """A set is not a number of pieces: 套 beside 件 is compared as typed, as before."""
    path = register(tmp_path / "set.xlsx", "数量(套)", [100], "完成数量(件)", [200], "发货数量", [])
    found = findings(path)
    assert [f[:2] for f in found] == [("stage-over-ordered", "C2")] and "按件比较" not in found[0][3]

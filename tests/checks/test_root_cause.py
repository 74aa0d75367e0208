"""One root cause, one error: a figure wrong on its own cell is reported once, naming what else it affects.

Registers are real .xlsx files (``tests.registers.Book``, and the demo register with one more slip typed
into it with openpyxl); the whole checking pass runs, as ``ordersync check`` runs it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl

from sync.checks.pipeline import check_register
from sync.checks.roots import fold_into_roots, reach
from sync.config import Config
from sync.demo.register import build_register
from sync.findings import ERROR, WARNING, CellRef, Finding
from sync.tables.register import load
from sync.sources import open_path
from tests.registers import Book

TODAY = dt.date(2026, 4, 10)
QTYS = (1000, 1200, 900, 1100, 1000, 950, 1050)


def register(passed: object = 990, qty: object = 1000, sewn: object = 1000) -> tuple[Book, dict[str, int]]:
    """Seven orders of one customer and style (the history the quantity check needs), each cut, sewn,
    inspected and shipped in agreement; SO-1's figures are the ones given."""
    book = Book()
    rows: dict[str, int] = {}
    for i, usual in enumerate(QTYS, start=1):
        no, mine = f"SO-{i}", i == 1
        rows[f"order {no}"] = book.order(no, qty if mine else usual)
        book.prod(no, "裁剪", 1000 if mine else usual)
        rows[f"sewn {no}"] = book.prod(no, "车缝", sewn if mine else usual)
        rows[f"qc {no}"] = book.qc(no, "2026-04-06", 1000 if mine else usual, passed if mine else usual - 10, 10)
        rows[f"ship {no}"] = book.ship(no, "2026-04-07", 900 if mine else usual - 100)
    return book, rows


def errors(book: Book, tmp_path: Path, lang: str = "zh", config: Config | None = None) -> list[Finding]:
    report = check_register(book.load(tmp_path), config, lang=lang, today=TODAY)
    return [f for f in report.findings if f.severity == ERROR]


def test_a_healthy_register_has_no_errors(tmp_path: Path) -> None:
    book, _ = register()
    assert errors(book, tmp_path) == []


def test_a_passed_quantity_missing_a_zero_is_one_error_on_its_cell_naming_the_shipping_row(tmp_path: Path) -> None:
    book, rows = register(passed=99)                      # 990 passed, typed 99: the shipped 900 looks too many
    found = errors(book, tmp_path)
    assert [(f.rule, f.sheet, f.cell) for f in found] == [("qc-sum", "质检记录", f"D{rows['qc SO-1']}")]
    root = found[0]
    ship = f"C{rows['ship SO-1']}"
    assert [(a.rule, a.sheet, a.cell) for a in root.affects] == [("shipped-over-passed", "发货记录", ship)]
    assert root.message.endswith(f"另影响：发货记录 {ship} 发货数量 > 合格数量")


def test_a_passed_quantity_with_an_extra_zero_is_one_error(tmp_path: Path) -> None:
    book, rows = register(passed=9900)
    found = errors(book, tmp_path, lang="en")
    cell = f"D{rows['qc SO-1']}"
    assert [(f.rule, f.cell) for f in found] == [("passed-over-inspected", cell)]
    assert [(a.rule, a.cell) for a in found[0].affects] == [("qc-sum", cell)]
    assert found[0].message.endswith(f"also affects: 质检记录 {cell} 合格数量 + 不合格数量 ≠ 检验数量")


def test_an_unreadable_passed_quantity_carries_the_comparison_it_spoils(tmp_path: Path) -> None:
    book, rows = register(passed="99O")
    found = errors(book, tmp_path)
    assert [(f.rule, f.cell) for f in found] == [("unreadable", f"D{rows['qc SO-1']}")]
    assert [(a.rule, a.cell) for a in found[0].affects] == [("shipped-over-passed", f"C{rows['ship SO-1']}")]


def test_an_order_quantity_missing_a_zero_takes_in_every_comparison_against_it(tmp_path: Path) -> None:
    book, rows = register(qty=100)                        # 1000 ordered, typed 100: every tab looks over it
    report = check_register(book.load(tmp_path), None, lang="zh", today=TODAY)
    found = [f for f in report.findings if f.severity == ERROR]
    assert [(f.rule, f.cell) for f in found] == [("quantity-outlier", f"E{rows['order SO-1']}")]
    affected = {(a.rule, a.sheet, a.cell) for a in found[0].affects}
    assert {("stage-over-ordered", "生产进度", f"C{rows['sewn SO-1']}"),
            ("shipped-over-ordered", "发货记录", f"C{rows['ship SO-1']}")} <= affected
    assert ("status-open-all-shipped", "订单登记", f"H{rows['order SO-1']}") in affected   # a warning, on it too
    assert "，还有 1 处" in found[0].message                   # more than a message lists: JSON has them all
    # nothing is left saying the same thing elsewhere
    assert not [f for f in report.findings if f.order_no == "SO-1" and f is not found[0]
                and f.rule in {"stage-over-ordered", "shipped-over-ordered", "status-open-all-shipped"}]


def test_an_order_quantity_with_an_extra_zero_is_not_also_an_order_at_risk(tmp_path: Path) -> None:
    book, rows = register(qty=10000)                      # 1000 ordered, typed 10000: the order looks a tenth done
    report = check_register(book.load(tmp_path), None, lang="en", today=TODAY)
    said = [(f.severity, f.rule, f.cell) for f in report.findings if f.order_no == "SO-1"]
    assert said == [(ERROR, "quantity-outlier", f"E{rows['order SO-1']}")]
    root = next(f for f in report.findings if f.rule == "quantity-outlier")
    assert [(a.rule, a.cell) for a in root.affects] == [("order-at-risk", f"F{rows['order SO-1']}")]
    assert root.message.endswith(f"also affects: 订单登记 F{rows['order SO-1']} at risk")
    off = Config.model_validate({"rules": {"disable": ["quantity-outlier"]}})
    back = check_register(book.load(tmp_path), off, lang="en", today=TODAY)
    assert [f.rule for f in back.findings if f.order_no == "SO-1"] == ["order-at-risk"]


def test_switching_the_root_rule_off_brings_the_comparisons_back(tmp_path: Path) -> None:
    book, rows = register(qty=100)
    off = Config.model_validate({"rules": {"disable": ["quantity-outlier"]}})
    found = {(f.rule, f.cell) for f in errors(book, tmp_path, config=off)}
    assert ("stage-over-ordered", f"C{rows['sewn SO-1']}") in found
    assert ("shipped-over-ordered", f"C{rows['ship SO-1']}") in found
    assert all(not f.affects for f in errors(book, tmp_path, config=off))


def test_an_order_on_several_lines_is_compared_with_every_line(tmp_path: Path) -> None:
    book, rows = register()
    book.order("SO-8", 1000)                                   # one order, two colours of 1000
    line = book.order("SO-8", "1OOO")                          # the second typed with letters O: unreadable
    cut = book.prod("SO-8", "裁剪", 2000)                       # 2000 cut: more than the 1000 the lines can be read as
    # (a line typed 100 for 1000 is not flagged by itself: 1000 + 100 is a usual order, as split deliveries are)
    report = check_register(book.load(tmp_path), None, lang="zh", today=TODAY)
    found = [f for f in report.findings if f.severity == ERROR]
    assert [(f.rule, f.cell) for f in found] == [("unreadable", f"E{line}")]
    assert [(a.rule, a.cell) for a in found[0].affects] == [("stage-over-ordered", f"C{cut}")]


def test_two_comparisons_on_one_figure_are_one_error(tmp_path: Path) -> None:
    book, rows = register(sewn=10000)                     # 车缝 typed 10x: over the order and ahead of 裁剪
    found = errors(book, tmp_path)
    cell = f"C{rows['sewn SO-1']}"
    assert [(f.rule, f.cell) for f in found] == [("stage-over-ordered", cell)]
    assert [(a.rule, a.cell, a.gist) for a in found[0].affects] == [("stage-ahead", cell, "车缝 > 裁剪")]


def test_json_keeps_its_keys_and_lists_what_a_root_affects(tmp_path: Path) -> None:
    book, rows = register(passed=99)
    report = check_register(book.load(tmp_path), None, lang="en", today=TODAY)
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    contract = {"rule", "severity", "table", "source", "sheet", "row", "column", "cell", "field", "order_no",
                "value", "message", "hint"}
    assert all(contract <= set(f) and "compared" not in f for f in data["findings"])
    root = next(f for f in data["findings"] if f["rule"] == "qc-sum")
    assert [(a["rule"], a["sheet"], a["cell"]) for a in root["affects"]] == [
        ("shipped-over-passed", "发货记录", f"C{rows['ship SO-1']}")]
    assert root["affects"][0]["message"].startswith("order SO-1: 900 shipped, more than the 99 that passed QC")
    assert data["summary"]["errors"] == 1 and "shipped-over-passed" not in data["summary"]["rules"]


def test_the_demo_with_one_more_slip_still_finds_each_seeded_mistake_and_no_more(tmp_path: Path) -> None:
    manifest = build_register(tmp_path / "demo.xlsx", today=TODAY)
    seeded = {m.order_no for m in manifest.mistakes}
    qc_cell, ship_cells = _slip_a_passed_figure(manifest.path, seeded)
    report = check_register(load([open_path(manifest.path)]), None, lang="zh", today=TODAY)
    found = {(f.sheet, f.cell) for f in report.findings if f.severity == ERROR}
    assert found == {(m.sheet, m.cell) for m in manifest.mistakes} | {("质检记录", qc_cell)}
    root = next(f for f in report.findings if f.cell == qc_cell)
    assert {a.cell for a in root.affects} & ship_cells and {a.sheet for a in root.affects} == {"发货记录"}


def _slip_a_passed_figure(path: Path, seeded: set[str]) -> tuple[str, set[str]]:
    """Type a zero short in the passed figure of a shipped order no mistake is seeded on (the only QC row of
    an order whose passed figure is round); returns that cell and the order's shipped-quantity cells."""
    book = openpyxl.load_workbook(path)
    qc, ship = book["质检记录"], book["发货记录"]
    head = {c.value: c.column_letter for c in next(r for r in qc.iter_rows() if "合格数量" in [c.value for c in r])}
    shipped: dict[str, list[str]] = {}
    for row in ship.iter_rows(min_row=2):
        if isinstance(row[2].value, (int, float)) and row[2].value > 0:
            shipped.setdefault(str(row[0].value), []).append(row[2].coordinate)
    rows: dict[str, list] = {}
    for row in qc.iter_rows(min_row=2):
        rows.setdefault(str(row[0].value), []).append(row)
    for no, found in rows.items():
        passed = qc[f"{head['合格数量']}{found[0][0].row}"]
        if no in shipped and no not in seeded and len(found) == 1 and isinstance(passed.value, int) \
                and passed.value % 10 == 0 and passed.value >= 200:
            passed.value //= 10
            book.save(path)
            return passed.coordinate, set(shipped[no])
    raise AssertionError("the demo has no shipped order with one round QC row")


def test_reach_and_the_fold_on_findings_made_by_hand() -> None:
    def cell(table: str, row: int, field: str) -> CellRef:
        return CellRef(table, "book", table, row, field)

    def finding(rule: str, severity: str, at: CellRef, *compared: CellRef) -> Finding:
        return Finding(rule, severity, rule, table=at.table, source="book", sheet=at.sheet, row=at.row,
                       cell=f"C{at.row}", field=at.field, compared=(at, *compared) if compared else (), gist=rule)

    passed, failed, shipped = cell("qc", 5, "passed_qty"), cell("qc", 5, "failed_qty"), cell("shipping", 9, "qty")
    outlier = finding("outlier", ERROR, passed)
    in_row = finding("sum", ERROR, failed, passed)
    across = finding("over", ERROR, shipped, passed)
    later = finding("late", WARNING, cell("shipping", 10, "qty"), cell("orders", 2, "due"))
    assert [reach(f) for f in (outlier, in_row, across, later)] == [0, 1, 2, 2]
    # the cross-tab finding comes first in the list: it is still folded into the error on its cell's figure
    out = fold_into_roots([across, in_row, outlier, later], lang="en")
    assert [f.rule for f in out] == ["outlier", "late"]
    assert [a.rule for a in out[0].affects] == ["sum", "over"]
    # without the error on the passed figure, the row's sum is on another cell: nothing is folded
    assert [(f.rule, f.affects) for f in fold_into_roots([across, in_row, later])] == [
        ("over", []), ("sum", []), ("late", [])]
    # a warning is never a root
    doubt = finding("doubt", WARNING, passed)
    assert [f.rule for f in fold_into_roots([doubt, across])] == ["doubt", "over"]
    # two comparisons on one cell: the first keeps it, the second is folded into it
    again = finding("again", WARNING, shipped, cell("orders", 2, "due"))
    assert [(f.rule, [a.rule for a in f.affects]) for f in fold_into_roots([across, again])] == [("over", ["again"])]

"""Rows as people lay them out: merged keys, totals, footers, guidance, repeated headers, templates.

Each test writes a real workbook with openpyxl, reads it through the real reader
and checks it with the shipped rule packs: the data rows are the table (with
their sheet rows), the tricky rows are not, and get no finding, while a real
mistake among them is still found.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from sync.checks.pipeline import check_register
from sync.findings import ERROR
from sync.sources.base import Grid
from sync.sources.excel import ExcelSource
from sync.tables.columns import factorize
from sync.tables.register import load
from sync.tables.rows import fill_merged, is_footer_text, is_total_label

HEAD = ["序号", "订单号", "客户", "产品", "数量", "单价", "金额", "交货日期", "跟单员"]
DUE = dt.date(2026, 10, 15)
TODAY = dt.date(2026, 9, 1)


def line(n: int, no: str | None, qty: float = 100, price: float = 10.0, customer: str | None = "ACME",
         product: str = "T-01") -> list:
    return [n, no, customer, product, qty, price, qty * price, DUE, "张伟"]


def write(path: Path, rows: list[list], merges: list[str] = (), sheet: str = "订单") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for span in merges:
        ws.merge_cells(span)
    wb.save(path)
    return path


def read(path: Path):
    register = load([ExcelSource(path.name, path)])
    assert not register.problems
    return register, register.tables["orders"]


def findings_at(register, rows: set[int]) -> list:
    report = check_register(register, None, lang="en", today=TODAY)
    return [f for f in report.findings if f.table == "orders" and f.row in rows]


def test_merged_order_number_and_customer_fill_the_rows_they_cover_and_no_more(tmp_path):
    rows = [HEAD,
            line(1, "SO-1", product="T-01"), line(2, None, product="T-02", customer=None),
            line(3, None, product="T-03", customer=None),
            line(4, None, product="T-04", customer="ACME"),     # not merged: a real missing order number
            line(5, "SO-2", product="T-05")]
    register, orders = read(write(tmp_path / "merged.xlsx", rows, merges=["B2:B4", "C2:C4"]))
    assert orders.data["_row"].tolist() == [2, 3, 4, 5, 6]
    assert orders.data["order_no"].tolist()[:3] == ["SO-1"] * 3 and orders.data["order_no"].isna()[3]
    assert orders.data["customer"].tolist()[:3] == ["ACME"] * 3
    found = findings_at(register, {2, 3, 4, 5})
    # the lines of SO-1 are one order's lines (the duplicate rule's business); nothing says they lack a key
    assert not [f for f in found if f.row in (2, 3, 4) and f.rule != "duplicate-order" and f.severity == ERROR]
    assert [(f.rule, f.cell) for f in found if f.row == 5 and f.rule == "required"] == [("required", "B5")]


def test_an_order_written_on_its_first_line_only_gives_the_lines_under_it_its_number(tmp_path):
    """One order per block: number, customer, due date and follower on the first line, the colour lines under it
    left blank there (not merged). The lines are the order's, nothing says they lack a key, the cells stay blank
    as typed, and a line that names its customer but no order is still a missing order number."""
    head = ["订单号", "客户", "款号", "颜色", "数量", "单价", "金额", "交货日期", "跟单员"]
    rows = [head]
    for n in range(1, 5):
        rows.append([f"SO-{n}", "ACME", f"T-{n}", "红", 100, 10.0, 1000, DUE, "张伟"])
        rows += [[None, None, None, colour, 50, 10.0, 500, None, None] for colour in ("蓝", "黑")[:n % 3]]
    rows.append([None, "ACME", "T-9", "白", 70, 10.0, 700, DUE, "张伟"])   # a line of its own without its number
    register, orders = read(write(tmp_path / "ditto.xlsx", rows))
    assert orders.data["order_no"].tolist()[:6] == ["SO-1", "SO-1", "SO-2", "SO-2", "SO-2", "SO-3"]
    assert orders.data["customer"].tolist()[:3] == ["ACME"] * 3 and orders.data["color"].tolist()[:3] == ["红", "蓝", "红"]
    assert orders.data["due_date"].notna().all() and orders.data["order_no"].isna().tolist()[-1]
    assert orders.raw_text("order_no", 1) == ""                      # as typed: blank
    found = findings_at(register, set(range(2, len(rows) + 1)))
    assert [(f.rule, f.cell) for f in found if f.severity == ERROR] == [("required", f"A{len(rows)}")]
    assert any("first line only" in note for note in orders.notes)


def test_ditto_marks_read_as_the_line_above_and_stay_as_typed(tmp_path):
    """同上 / 〃 / a quote under a customer, a due date, a follower: the line above's value, a run of them the value
    above the run; the cells stay as typed, nobody is called 同上, no date is 'unreadable'. A mark on the first
    line has nothing above it: that one still cannot be read."""
    head = ["订单号", "客户", "款号", "数量", "单价", "金额", "交货日期", "跟单员"]
    rows = [head, ["SO-1", "〃", "T-1", 100, 10.0, 1000, "同上", "张伟"],
            ["SO-2", "ACME", "T-2", 100, 10.0, 1000, DUE, "李娜"],
            ["SO-3", "同上", "T-3", 100, 10.0, 1000, "〃", "同上"],
            ["SO-4", '"', "T-4", 100, 10.0, 1000, "〃", "  同上 "],
            ["SO-5", "Bolt", "T-5", 100, 10.0, 1000, dt.date(2026, 11, 1), "张伟"],
            ["SO-6", "ditto", "T-6", 100, 10.0, 1000, "〃", "〃"]]
    register, orders = read(write(tmp_path / "marks.xlsx", rows))
    assert orders.data["customer"].tolist()[1:] == ["ACME", "ACME", "ACME", "Bolt", "Bolt"]
    assert orders.data["follower"].tolist() == ["张伟", "李娜", "李娜", "李娜", "张伟", "张伟"]
    assert [d.date() for d in orders.data["due_date"].tolist()[1:]] == [DUE] * 3 + [dt.date(2026, 11, 1)] * 2
    assert orders.raw_text("customer", 2) == "同上" and orders.raw_text("due_date", 3) == "〃"
    found = findings_at(register, set(range(2, len(rows) + 1)))
    assert [(f.rule, f.cell) for f in found if f.severity == ERROR] == [("unreadable", "G2")]
    assert any("同上/〃 on 3 lines (rows 4, 5, 7)" in note for note in orders.notes)


def test_a_ditto_mark_in_the_order_number_makes_the_line_the_order_above(tmp_path):
    head = ["订单号", "客户", "颜色", "数量", "单价", "金额", "交货日期"]
    rows = [head, ["SO-1", "ACME", "红", 100, 10.0, 1000, DUE], ["同上", "同上", "蓝", 50, 10.0, 500, "同上"],
            ["SO-2", "ACME", "红", 80, 10.0, 800, DUE]]
    _, orders = read(write(tmp_path / "lines.xlsx", rows))
    assert orders.data["order_no"].tolist() == ["SO-1", "SO-1", "SO-2"]


def test_blank_order_numbers_that_are_no_sheet_habit_stay_blank(tmp_path):
    rows = [["订单号", "客户", "款号", "颜色", "数量", "单价", "金额", "交货日期", "跟单员"]]
    rows += [[f"SO-{n}", "ACME", "T", "红", 100, 10.0, 1000, DUE, "张伟"] for n in range(1, 8)]
    rows.insert(3, [None, None, None, "蓝", 50, 10.0, 500, None, None])     # one stray line: a slip, not a layout
    register, orders = read(write(tmp_path / "slip.xlsx", rows))
    assert orders.data["order_no"].isna().tolist()[2] and not any("first line only" in n for n in orders.notes)


def test_a_merge_down_a_number_column_is_not_counted_on_every_line(tmp_path):
    rows = [HEAD, line(1, "SO-1"), line(2, "SO-2"), line(3, "SO-3")]
    rows[2][4] = rows[3][4] = None
    register, orders = read(write(tmp_path / "qty.xlsx", rows, merges=["E2:E4"]))
    assert np.isnan(orders.data["quantity"].tolist()[1:]).all()


def test_fill_merged_keeps_to_the_merge():
    column = factorize(np.array(["SO-1", "", "", "", "SO-2", ""], dtype=object))
    # from sheet row 2 (0-based 1) on: a merge over rows 2-4, a banner across the top, one over rows 6-7
    filled = fill_merged(column, 1, 1, [(1, 1, 3, 1), (0, 0, 0, 5), (5, 1, 6, 1)])
    assert filled.cells().tolist() == ["SO-1", "SO-1", "SO-1", "", "SO-2", "SO-2"]
    assert fill_merged(column, 1, 2, [(1, 1, 3, 1)]) is column    # starts above the data: the header's


def test_totals_with_and_without_labels_are_not_orders(tmp_path):
    rows = [HEAD,
            line(1, "SO-1", 100), line(2, "SO-2", 200),
            [None, "合计", None, None, 300, None, 3000, None, None],            # labelled
            [],
            line(3, "SO-3", 50), line(4, "SO-4", 70),
            [None, None, None, None, 120, None, 1200, None, None],             # no label: the sum above
            [None, None, "USD", None, 120, None, 1200, None, None],            # a currency subtotal
            [],
            line(5, "SO-5", 10), line(6, "SO-6", 20),
            [None, "8月小计", None, None, 30, None, 300, None, None],
            [None, "Grand Total", None, None, 450, None, 4500, None, None],
            [None, None, "ACME", "T-09", 999, 10, 9990, DUE, "张伟"]]          # no key, not a sum: a mistake
    register, orders = read(write(tmp_path / "totals.xlsx", rows))
    assert orders.data["_row"].tolist() == [2, 3, 6, 7, 11, 12, 15]
    assert not findings_at(register, {4, 8, 9, 13, 14})
    assert ("required", "B15") in [(f.rule, f.cell) for f in findings_at(register, {15})]


def test_a_row_that_only_repeats_one_line_above_is_a_total_only_without_text(tmp_path):
    rows = [HEAD, line(1, "SO-1", 100),
            [None, None, None, None, 100, None, 1000, None, None],     # numbers only: a one-line subtotal
            [],
            line(2, "SO-2", 40),
            [None, None, "ACME", "T-02", 40, 10, 400, DUE, "张伟"]]    # a line without its order number
    _, orders = read(write(tmp_path / "one.xlsx", rows))
    assert orders.data["_row"].tolist() == [2, 5, 6]


def test_footers_guidance_repeated_headers_and_templates_are_not_data(tmp_path):
    rows = [["2026年9月订单登记表"], HEAD,
            ["填写说明：每单一行", "如：SO-2609-001", "客户全称", "款号", "件数", "人民币", "自动计算",
             "格式：2023.5.27", "姓名"],
            line(1, "SO-1"), [2, "SO-2", "ACME", "T-01", "12OO", 10.0, 1200, DUE, "张伟"],   # a real mistake
            line(3, "SO-3"),
            HEAD,                                                        # the header again (a second page)
            line(4, "SO-4"), line(5, "SO-5"),
            [6, None, None, None, None, None, 0, None, None],           # template rows: a number, a formula 0
            [7, None, None, None, None, None, 0, None, None],
            [8, None, None, None, None, None, "#DIV/0!", None, None],
            [],
            ["制表：张三", None, None, "审核：李四"],
            ["备注：以上价格含税"],
            [None, "合同号：HT-2026-009"],
            [None, "是否安装调试验收：是"],
            [None, None, None, None, None, None, None, "2026年9月30日"]]
    register, orders = read(write(tmp_path / "layout.xlsx", rows))
    assert orders.header_row == 2
    assert orders.data["_row"].tolist() == [4, 5, 6, 8, 9]
    found = findings_at(register, set(range(1, 20)))
    assert {f.row for f in found if f.severity == ERROR} == {5}
    assert ("unreadable", "E5") in [(f.rule, f.cell) for f in found]


def test_words_that_make_a_row_a_total_or_a_footer():
    assert all(map(is_total_label, ["合计", "小 计", "Total", "GRAND TOTAL", "Sum", "USD", "人民币", "9月合计",
                                    "SO-1 小计", "本页合计"]))
    assert not any(map(is_total_label, ["SO-1", "Total Care Ltd", "合计划部", "2026", "", None, 5.0]))
    assert all(map(is_footer_text, ["制表：张三", "审核人:", "签字", "备注：含税", "合同号：HT-1", "Prepared by: Li",
                                    "是否安装调试验收", "说明"]))
    assert not any(map(is_footer_text, ["SO-1", "说明书未到", "备注很多的客户", "审核中", "ACME", 3.0]))


def test_guidance_rows_are_only_skipped_above_the_data():
    from sync.tables.detect import find_header

    grid = Grid("订单", [HEAD, ["", "必填", "必填", "", "件数", "", "", "格式：2023.5.27", ""],
                         line(1, "SO-1"), [2, "SO-2", "Optional Co", "T-01", 5, 1.0, 5.0, DUE, "例：张三"]])
    match = find_header(grid, "orders")
    assert match.first_data == 2


def test_a_header_with_a_required_mark_is_still_a_header():
    from sync.tables.detect import find_header

    head = ["订单号（必填）", "客户", "数量", "交货日期"]
    grid = Grid("订单", [head, ["SO-1", "ACME", 5, DUE]])
    match = find_header(grid, "orders")
    assert match is not None and match.header_row == 0 and match.first_data == 1


def test_section_labels_spacer_rows_and_a_grand_total_over_them(tmp_path):
    rows = [HEAD, [None, None, None, "RELEASE 1"],
            line(1, "SO-1", 100), [None, None, None, None, None, None, 0],      # spacer: a formula 0
            line(2, "SO-2", 200), [None, None, None, None, None, None, 0],
            [None, None, None, "RELEASE 2"],
            line(3, "SO-3", 300),
            [None, None, None, None, 600, None, 6000]]                          # the grand total, unlabelled
    register, orders = read(write(tmp_path / "plan.xlsx", rows))
    assert orders.data["_row"].tolist() == [3, 5, 8]
    assert not findings_at(register, {2, 4, 6, 7, 9})


def test_an_unlabelled_total_whose_sum_is_off_is_still_no_order(tmp_path):
    """A line typed twice inside a block makes the subtotal under it (summed before the copy) miss the
    block's sum; numbers alone, above every line of the block, still make a total, and the grand total
    right under the last subtotal is one too."""
    rows = [HEAD, line(1, "SO-1", 100), line(2, "SO-2", 200), line(2, "SO-2", 200),   # SO-2 typed twice
            [None, None, None, None, 300, None, 3000, None, None],
            line(3, "SO-3", 50), line(4, "SO-4", 70),
            [None, None, None, None, 120, None, 1200, None, None],
            [None, None, None, None, 420, None, 4200, None, None],
            [],
            ["制表人签字：", None, None, "审核：", None, "日期："]]
    register, orders = read(write(tmp_path / "offsum.xlsx", rows))
    assert orders.data["_row"].tolist() == [2, 3, 4, 6, 7]
    assert not findings_at(register, {5, 8, 9, 11})
    assert [f.row for f in findings_at(register, {4}) if f.rule == "duplicate-order"] == [4]


def test_a_keyless_line_smaller_than_the_lines_above_is_still_checked(tmp_path):
    rows = [HEAD, line(1, "SO-1", 100), line(2, "SO-2", 200),
            [None, None, None, None, 150, None, 1500, None, None]]   # numbers only, but no bigger: not a total
    register, orders = read(write(tmp_path / "small.xlsx", rows))
    assert orders.data["_row"].tolist() == [2, 3, 4]


def test_signature_lines_of_two_words_are_footers():
    assert all(map(is_footer_text, ["制表人签字：", "审核人签名:", "经办人签字", "Prepared by:"]))
    assert not any(map(is_footer_text, ["签字笔 500支", "审核中的订单"]))


def test_a_delivery_part_of_a_split_order_is_not_a_zero_short(tmp_path):
    """ACME orders about 1000 of T-01; SO-20 comes in four deliveries of ~120: each part alone looks a
    zero short, the order as a whole is usual. A single order of 120 is still a zero short, and 12000
    an extra zero."""
    usual = [900, 1000, 1100, 1200, 1300, 950, 1050, 1150, 1250, 1000]
    rows = [HEAD] + [line(n, f"SO-{n}", q) for n, q in enumerate(usual, 1)]
    rows += [line(n, "SO-20", q) for n, q in zip(range(20, 24), (110, 120, 125, 130))]
    rows += [line(24, "SO-24", 120), line(25, "SO-25", 12000)]
    register, _ = read(write(tmp_path / "split.xlsx", rows))
    outliers = [(f.row, f.severity) for f in findings_at(register, set(range(1, 30)))
                if f.rule == "quantity-outlier"]
    assert outliers == [(16, ERROR), (17, ERROR)]


def test_an_order_repeated_on_its_operation_lines_counts_once_in_what_is_usual(tmp_path):
    """A machining schedule: each work order on one line per operation (车, 铣), the same quantity on
    each. Counted per line, drawing P-7's repeated 180s and 240s make a narrow baseline that hides
    5400 (540 with an extra zero); counted per order, P-7 has too few orders and the customer's
    orders (170-490) show the slip."""
    orders = [("P-7", 390, 1), ("P-7", 240, 2), ("P-7", 180, 2), ("P-7", 5400, 1), ("P-7", 270, 2),
              ("P-1", 280, 2), ("P-1", 310, 1), ("P-1", 170, 2), ("P-1", 360, 1), ("P-1", 490, 1), ("P-1", 200, 2)]
    rows = [HEAD]
    for n, (drawing, qty, ops) in enumerate(orders):
        rows += [line(len(rows), f"GD-{n}", qty, product=drawing) for _ in range(ops)]
    register, _ = read(write(tmp_path / "ops.xlsx", rows))
    outliers = [(f.row, f.value) for f in findings_at(register, set(range(1, 40))) if f.rule == "quantity-outlier"]
    assert outliers == [(7, "5400")]

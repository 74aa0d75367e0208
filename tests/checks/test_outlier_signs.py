"""A far-off quantity or price that the row itself vouches for is a warning to confirm, not an error.

Each case writes a real workbook: one customer's usual orders of about 1,000 pieces at 20.00,
then one far-off row with (or without) a sign that it is meant: an amount typed by hand that fits
it, nothing billed, a total of the row's period columns, a second quantity column, the customer's
earlier orders of that size, an order value in line, a price in another currency. An amount that
fits the figure corrected by the power of ten confirms the slip: that stays an error.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sync.checks.pipeline import check_register
from sync.findings import ERROR, WARNING, Finding
from sync.sources import open_path
from sync.tables.register import load
from tests.tables.sheetkit import write_book

TODAY = dt.date(2026, 11, 20)
HEAD = ["订单号", "下单日期", "客户", "款号", "数量", "单价", "金额", "交货日期"]
USUAL = [900, 1000, 1100, 950, 1200, 1050, 980, 1000]


def _row(no: str, qty: Any, *, price: Any = 20.0, amount: Any = "auto", customer: str = "恒通",
         product: str = "T恤") -> list[Any]:
    day = dt.datetime(2026, 9, 1)
    if amount == "auto":
        amount = round(qty * price, 2) if isinstance(qty, (int, float)) and isinstance(price, (int, float)) else None
    return [no, day, customer, product, qty, price, amount, day + dt.timedelta(days=45)]


def _usual(**kw: Any) -> list[list[Any]]:
    return [_row(f"SO-{i + 1:03d}", q, **kw) for i, q in enumerate(USUAL)]


def _check(tmp_path: Path, rows: list[list[Any]], head: list[str] = HEAD, lang: str = "zh") -> list[Finding]:
    path = write_book(tmp_path, {"订单登记": [head, *rows]})
    report = check_register(load([open_path(path)]), None, lang=lang, today=TODAY)
    return [f for f in report.findings if f.rule in ("quantity-outlier", "price-outlier")]


def _at(findings: list[Finding], row: int, field: str | None = None) -> Finding:
    hits = [f for f in findings if f.row == row and f.field == (field or f.field)]
    assert len(hits) == 1, [(f.row, f.severity, f.message) for f in findings]
    return hits[0]


def test_a_slip_with_no_sign_stays_an_error(tmp_path):
    f = _at(_check(tmp_path, [*_usual(), _row("SO-100", 10000, amount=None)]), 10)
    assert (f.severity, f.field, f.cell) == (ERROR, "quantity", "E10")
    assert "多打了一个 0" in f.message and "1,000" in f.hint


def test_an_amount_typed_by_hand_that_fits_vouches_for_the_quantity(tmp_path):
    # 10000 x 0.8 = 8000; 8190 was typed (freight added): the quantity is what was billed
    rows = [*_usual(price=0.8), _row("SO-100", 10000, price=0.8, amount=8190)]
    f = _at(_check(tmp_path, rows), 10)
    assert f.severity == WARNING
    assert "金额 8,190 与之相符" in f.message and "请确认" in f.message


def test_an_amount_that_fits_the_corrected_figure_confirms_the_slip(tmp_path):
    # 10000 typed, but the amount 20,000 is 1000 x 20: the classic extra zero
    rows = [*_usual(), _row("SO-100", 10000, amount=20000)]
    f = _at(_check(tmp_path, rows), 10)
    assert f.severity == ERROR
    assert "金额 20,000 也与 1,000 相符" in f.hint


def test_an_amount_computed_from_the_figure_is_no_sign(tmp_path):
    # amount = 10000 x 20 exactly: a formula (or a copy) of the slipped cell says nothing about it
    f = _at(_check(tmp_path, [*_usual(), _row("SO-100", 10000)]), 10)
    assert f.severity == ERROR


def test_nothing_billed_vouches_for_a_small_quantity(tmp_path):
    f = _at(_check(tmp_path, [*_usual(), _row("SO-100", 100, amount=0)]), 10)
    assert f.severity == WARNING and "尚未计费" in f.message


def test_an_amount_column_of_zeros_bills_nothing_yet_for_anyone(tmp_path):
    # amounts not filled in yet (0 everywhere): a zero says nothing about this row
    f = _at(_check(tmp_path, [*_usual(amount=0), _row("SO-100", 100, amount=0)]), 10)
    assert f.severity == ERROR


def test_the_customers_history_of_orders_that_size_vouches(tmp_path):
    # a split order of 5,000 + 5,000 earlier: an order of 10,000 is this customer's kind of order
    rows = [*_usual(), _row("SO-090", 5000, amount=None), _row("SO-090", 5000, amount=None),
            *[_row(f"SO-2{i}", q) for i, q in enumerate(USUAL)], _row("SO-100", 10000, amount=None)]
    findings = _check(tmp_path, rows)
    f = _at(findings, len(rows) + 1)
    assert f.severity == WARNING and "有过同样大小的订单（第 10 行）" in f.message


def test_two_slips_do_not_vouch_for_each_other(tmp_path):
    rows = [*_usual(), _row("SO-100", 10000, amount=None), _row("SO-101", 11000, amount=None)]
    findings = _check(tmp_path, rows)
    assert [f.severity for f in (_at(findings, 10), _at(findings, 11))] == [ERROR, ERROR]


def test_an_exact_copy_of_another_rows_figure_and_product_has_no_sign(tmp_path):
    rows = [*_usual(), _row("SO-100", 10000, amount=None), _row("SO-101", 10000, amount=None)]
    findings = _check(tmp_path, rows)
    assert {f.severity for f in findings} == {ERROR} and len(findings) == 2


def test_an_order_value_in_line_vouches_for_a_dear_item_in_small_numbers(tmp_path):
    # 100 rollers at 200.00 are the customer's usual order value (1,000 x 20)
    rows = [*_usual(), _row("SO-100", 100, price=200.0, amount=None, product="翻包机")]
    rows += [_row(f"SO-3{i}", q, product="翻包机", price=20.0, amount=None) for i, q in enumerate(USUAL)]
    f = _at(_check(tmp_path, rows), 10, "quantity")
    assert f.severity == WARNING and "其金额 20,000 与平常相当" in f.message


def test_a_price_far_off_the_other_way_is_another_kind_of_item(tmp_path):
    # 100 machines at 2,000.00 among parts at 20.00: the customer's usual quantities do not tell
    rows = [*_usual(amount=None), _row("SO-100", 100, price=2000.0, amount=None, product="翻包机")]
    f = _at(_check(tmp_path, rows), 10, "quantity")
    assert f.severity == WARNING and "单价 2000 与平常的 20 相差甚远，是另一类货品" in f.message


def test_a_price_far_off_the_same_way_is_no_sign(tmp_path):
    # 10,000 pieces at 2.00 would be cheap parts; 10,000 at 200.00 is a slipped zero and a dear price
    rows = [*_usual(amount=None), _row("SO-100", 10000, price=200.0, amount=None, product="翻包机")]
    assert _at(_check(tmp_path, rows), 10, "quantity").severity == ERROR


def test_a_second_quantity_column_that_agrees_vouches(tmp_path):
    head = [*HEAD, "数量(件)"]
    rows = [[*r, r[4]] for r in _usual()] + [[*_row("SO-100", 10000, amount=None), 10000]]
    f = _at(_check(tmp_path, rows, head), 10)
    assert f.severity == WARNING and "但数量 也是 10,000" in f.message


def test_a_total_of_the_rows_period_columns_is_no_typed_entry(tmp_path):
    head = [*HEAD[:4], "1 (Fri)", "2 (Sat)", "3 (Sun)", "Total Qty", *HEAD[5:]]
    rows = []
    for r in [*_usual(amount=None), _row("SO-100", 9000, amount=None)]:
        q = r[4]
        rows.append([*r[:4], q - 2 * (q // 3), q // 3, q // 3, q, *r[5:]])
    f = _at(_check(tmp_path, rows, head), 10)
    assert f.severity == WARNING and "3 个分期列之和" in f.message


def test_a_price_in_another_currency_vouches(tmp_path):
    head = [*HEAD, "货币"]
    rows = [[*_row(f"SO-{i}", 1000, price=12.0 + i / 10, amount=None), "EUR"] for i in range(6)]
    rows.append([*_row("SO-100", 1000, price=121.0, amount=None), "CNY"])
    cny = _at(_check(tmp_path, rows, head), 8)
    assert cny.severity == WARNING and cny.field == "unit_price"
    assert "币种为 CNY，不同于平常的 EUR" in cny.message


def test_english_messages(tmp_path):
    rows = [*_usual(price=0.8), _row("SO-100", 10000, price=0.8, amount=8190), _row("SO-101", 100, amount=0)]
    findings = _check(tmp_path, rows, lang="en")
    typed, unbilled = _at(findings, 10), _at(findings, 11)
    assert typed.message.startswith("数量 is 10000, far from the usual ")
    assert typed.message.endswith("for 恒通 / T恤, but the amount 8,190 agrees with it: please confirm")
    assert "nothing is billed for it (amount 0)" in unbilled.message
    assert "if a zero slipped, it is 1,000" in typed.hint


@pytest.mark.parametrize("key,severity", [("No", WARNING), ("订单号", ERROR)])
def test_customers_differing_under_a_guessed_key_are_a_warning(tmp_path, key, severity):
    head = [key, *HEAD[1:]]
    rows = [*_usual(), _row("SO-003", 1000, customer="华盛")]
    path = write_book(tmp_path, {"订单登记": [head, *rows]})
    report = check_register(load([open_path(path)]), None, lang="zh", today=TODAY)
    [f] = [f for f in report.findings if f.rule == "duplicate-order"]
    assert (f.severity, f.row) == (severity, 10)
    assert ("未必是订单号" in f.message) == (severity == WARNING)


SMALL = [3, 5, 4, 6, 2, 4, 5, 7, 3]   # a retail customer's usual counts (Superstore's Quantity)
WIDER = [3, 7, 4, 8, 5, 9, 3, 6, 8]


@pytest.mark.parametrize("counts,qty", [(SMALL, 1), (SMALL, 14), (WIDER, 1)],
                         ids=["one among 2-7", "fourteen among 2-7", "one among 3-9"])
def test_small_counts_a_slip_cannot_explain_are_not_slips(tmp_path, counts, qty):
    """1 among counts of 2-7 is nearer the usual than 10 would be (no zero went missing); 14 among whole
    counts cannot be 1.4 with a zero typed extra; 1 among counts of 3-9 would mean 10, more than the customer
    ever ordered. None is told as a slipped zero."""
    rows = [_row(f"SO-{i + 1:03d}", q, price=15.0) for i, q in enumerate(counts)]
    rows.append(_row("SO-100", qty, price=15.0, amount=None))
    assert [f for f in _check(tmp_path, rows) if f.row == len(rows) + 1] == []


def test_a_small_count_slipped_by_a_zero_is_still_one(tmp_path):
    """50 among counts of 4-6 (5 typed 50): corrected, it is the usual itself."""
    rows = [_row(f"SO-{i + 1:03d}", q, price=15.0) for i, q in enumerate([5, 4, 6, 5, 5, 4, 6, 5])]
    rows.append(_row("SO-100", 50, price=15.0, amount=None))
    f = _at(_check(tmp_path, rows), 10)
    assert (f.severity, f.hint) == (ERROR, "是否应为 5？")

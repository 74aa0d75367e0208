"""Values as people type them: a column's day/month order, year-less dates, zero dates, units, placeholders.

Unit tests on the normalising functions first, then registers written as real .xlsx files and read
through the real reader and ``check_register``: what the user would see, down to the cell.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sync.checks.pipeline import check_register
from sync.sources import open_path
from sync.tables.dates import YearHint, year_hint
from sync.tables.normalize import (APPROXIMATE, DAY_MONTH, MISSING_DATE, PLACEHOLDER, UNIT_MISMATCH, WEEK_DATE,
                                   YEARLESS, parse_dates, parse_numbers)
from sync.tables.quantities import number_and_unit
from sync.tables.register import Register, load
from tests.registers import Book

TODAY = dt.date(2026, 5, 20)


def cells(*values) -> np.ndarray:
    return np.array(values, dtype=object)


def days(parsed) -> list:
    return [None if pd.isna(v) else pd.Timestamp(v).date() for v in parsed.values]


def marked(parsed, kind: str) -> list[int]:
    return np.flatnonzero(parsed.marks.get(kind, np.zeros(len(parsed.bad), dtype=bool))).tolist()


# --- day/month order, decided per column ---------------------------------------

def test_one_day_first_value_makes_the_whole_column_day_first():
    parsed = parse_dates(cells("20.04.2021", "03.04.2021", "05/06/2021"))
    assert days(parsed) == [dt.date(2021, 4, 20), dt.date(2021, 4, 3), dt.date(2021, 6, 5)]
    assert not parsed.bad.any() and marked(parsed, DAY_MONTH) == []


def test_one_month_first_value_makes_the_whole_column_month_first():
    parsed = parse_dates(cells("4/30/2026", "03/04/2026", "03.04.2026"))
    assert days(parsed) == [dt.date(2026, 4, 30), dt.date(2026, 3, 4), dt.date(2026, 3, 4)]


def test_conflicting_evidence_marks_the_minority_by_rows():
    # three rows say month-first (4/30, 5/31 twice), one says day-first: that one is the finding
    parsed = parse_dates(cells("4/30/2026", "5/31/2026", "20/04/2026", "03/04/2026"), counts=np.array([1, 2, 1, 1]),
                         distinct=True)
    assert days(parsed)[2:] == [dt.date(2026, 4, 20), dt.date(2026, 3, 4)]
    assert marked(parsed, DAY_MONTH) == [2]


def test_the_setting_pins_the_order_and_wins():
    parsed = parse_dates(cells("4/30/2026", "03/04/2026"), day_first=True)
    assert days(parsed) == [dt.date(2026, 4, 30), dt.date(2026, 4, 3)]
    assert marked(parsed, DAY_MONTH) == [0]
    assert days(parse_dates(cells("20.04.2021", "03.04.2021"), day_first=False))[1] == dt.date(2021, 3, 4)


def test_unambiguous_forms_ignore_the_column_order():
    parsed = parse_dates(cells("20.04.2021", "2026-04-03", "2026年4月3日", "20260403", 46115.0, dt.datetime(2026, 4, 3)))
    assert days(parsed)[1:] == [dt.date(2026, 4, 3)] * 5
    parsed = parse_dates(cells(1.0 + 46114, 42653.0), date1904=True)
    assert days(parsed) == [dt.date(2030, 4, 4), dt.date(2020, 10, 11)]


# --- year-less dates -------------------------------------------------------------

@pytest.mark.parametrize("text,month,day", [("4月30", 4, 30), ("4月30日", 4, 30), ("4/30", 4, 30), ("6.1", 6, 1),
                                            ("30-Apr", 4, 30), ("Apr 30", 4, 30), ("12.25", 12, 25)])
def test_year_less_dates_take_the_hinted_year(text: str, month: int, day: int):
    parsed = parse_dates(cells(text), hint=YearHint(2026, 6))
    assert days(parsed) == [dt.date(2026 if month >= 3 else 2027, month, day)]
    assert marked(parsed, YEARLESS) == [0] and not parsed.bad.any()


@pytest.mark.parametrize("text,year,month,day", [
    ("9月上旬", 2026, 9, 10), ("9月中旬", 2026, 9, 20), ("9月下旬", 2026, 9, 30), ("10月底", 2026, 10, 31),
    ("11月末", 2026, 11, 30), ("9月初", 2026, 9, 10), ("9月中", 2026, 9, 15), ("2027年2月底", 2027, 2, 28),
    ("2028年2月底", 2028, 2, 29), ("end of Sep", 2026, 9, 30), ("mid-Oct", 2026, 10, 15), ("early Nov", 2026, 11, 10),
    ("Late December 2026", 2026, 12, 31), ("end Jan 2027", 2027, 1, 31)])
def test_a_part_of_a_month_reads_as_the_day_it_ends_on(text: str, year: int, month: int, day: int):
    parsed = parse_dates(cells(text), hint=YearHint(2026, 6))
    assert days(parsed) == [dt.date(year, month, day)]
    assert marked(parsed, APPROXIMATE) == [0] and not parsed.bad.any()


@pytest.mark.parametrize("text", ["9月前", "13月底", "9月上", "end of Foo", "mid"])
def test_what_is_no_part_of_a_month_stays_unreadable(text: str):
    assert parse_dates(cells(text), hint=YearHint(2026, 6)).bad.tolist() == [True]


@pytest.mark.parametrize("text", ["9月15日前", "9.15之前", "2026年9月15日以前", "before 15 Sep", "By Sep 15, 2026"])
def test_a_date_said_as_a_deadline_reads_as_that_day(text: str):
    parsed = parse_dates(cells(text), hint=YearHint(2026, 6))
    assert days(parsed) == [dt.date(2026, 9, 15)] and not parsed.bad.any()


@pytest.mark.parametrize("text,day", [
    ("W38", dt.date(2026, 9, 20)), ("KW 40", dt.date(2026, 10, 4)), ("wk42", dt.date(2026, 10, 18)),
    ("2026-W44", dt.date(2026, 11, 1)), ("W38/2027", dt.date(2027, 9, 26)), ("第46周", dt.date(2026, 11, 15)),
    ("2027年第1周", dt.date(2027, 1, 10)), ("week 53", dt.date(2027, 1, 3))])
def test_a_week_of_the_year_reads_as_its_sunday(text: str, day: dt.date):
    parsed = parse_dates(cells(text), hint=YearHint(2026, 0))
    assert days(parsed) == [day] and marked(parsed, WEEK_DATE) == [0] and not parsed.bad.any()


@pytest.mark.parametrize("text", ["W54", "W", "week", "2026-W", "第周", "wk 0"])
def test_what_is_no_week_stays_unreadable(text: str):
    assert parse_dates(cells(text), hint=YearHint(2026, 0)).bad.tolist() == [True]


@pytest.mark.parametrize("text", ["9/15(周二)", "9月15日（星期二）", "2026-09-15 周二", "9.15 礼拜二", "9/15(二)",
                                  "Tue 15 Sep 2026", "Tuesday, September 15, 2026", "9/15 Tue"])
def test_a_weekday_beside_a_date_is_read_past(text: str):
    parsed = parse_dates(cells(text), hint=YearHint(2026, 0))
    assert days(parsed) == [dt.date(2026, 9, 15)] and not parsed.bad.any()


def test_a_number_with_one_decimal_point_in_a_date_column_is_month_dot_day():
    parsed = parse_dates(cells(6.1, 12.25, 46115.0), hint=YearHint(2026))
    assert days(parsed) == [dt.date(2026, 6, 1), dt.date(2026, 12, 25), dt.date(2026, 4, 3)]


@pytest.mark.parametrize("sheet,title,hint", [
    ("2026-06", "", YearHint(2026, 6)), ("Sep 2026", "", YearHint(2026, 9)), ("6月", "", YearHint(None, 6)),
    ("订单", "2026年订单登记表", YearHint(2026, None)), ("8月", "2025年跟单表", YearHint(2025, 8)),
    ("Sheet1", "", YearHint()), ("2026.10", "", YearHint(2026, 10)),
])
def test_the_sheet_name_or_title_gives_a_year_hint(sheet: str, title: str, hint: YearHint):
    assert year_hint(sheet, title) == hint


# --- zero dates and placeholders ---------------------------------------------------

def test_zero_dates_are_missing_dates_not_1900():
    parsed = parse_dates(cells(0, 1.0, "1900-01-00", "0", dt.datetime(1899, 12, 30), dt.datetime(1900, 1, 1),
                               dt.datetime(1899, 12, 31), "2026-04-03"))
    assert days(parsed) == [None] * 7 + [dt.date(2026, 4, 3)]
    assert marked(parsed, MISSING_DATE) == list(range(7)) and not parsed.bad.any()


def test_days_of_the_epoch_year_and_bare_times_are_missing_dates_not_unreadable():
    """End Date = Start Date + hours on an empty Start Date shows 1900-01-07 07:54 or a bare time."""
    parsed = parse_dates(cells(dt.datetime(1900, 1, 7, 7, 54, 40), dt.time(4, 14, 23), dt.time(0, 0),
                               dt.datetime(1900, 3, 15), 5.0, dt.datetime(2026, 2, 1, 19, 3)))
    assert days(parsed) == [None] * 5 + [dt.date(2026, 2, 1)]
    assert marked(parsed, MISSING_DATE) == [0, 1, 2, 3, 4] and not parsed.bad.any()


def test_words_typed_again_and_again_in_a_number_column_are_placeholders_a_slip_is_not():
    parsed = parse_numbers(cells("On KTR4-2", "1O0", "很多", 5000.0), distinct=True, counts=np.array([7, 3, 1, 20]))
    assert marked(parsed, PLACEHOLDER) == [0]
    assert parsed.bad.tolist() == [False, True, True, False]   # a mistyped number, and words typed once


@pytest.mark.parametrize("text", ["TBD", "tbc", "will call", "??", "?", "待定", "待确认", "未定", "N/A", "-", "/", "—"])
def test_placeholders_count_as_missing_and_are_marked_not_bad(text: str):
    for parse in (parse_numbers, parse_dates):
        parsed = parse(cells(text, "garbage"))
        assert marked(parsed, PLACEHOLDER) == [0]
        assert parsed.bad.tolist() == [False, True]  # what cannot be understood is still bad
        assert pd.isna(parsed.values[0])


# --- quantities with units ------------------------------------------------------------

@pytest.mark.parametrize("text,value,unit", [
    ("800件", 800, "件"), ("600 pcs", 600, "pcs"), ("12.5kg", 12.5, "kg"), ("2 t", 2, "t"), ("3,000 M", 3000, "m"),
    ("1,200", 1200, None), ("５００ＰＣＳ", 500, "pcs"), ("¥35.50", 35.5, None), ("2 dozen", 2, "dozen"),
])
def test_the_unit_is_kept(text: str, value: float, unit: str | None):
    number, typed = number_and_unit(text)
    assert number == value and (typed.label if typed else None) == unit


def test_convertible_units_are_converted_to_the_column_majority():
    parsed = parse_numbers(cells("12.5kg", "2 t", "500 kg", "800 g", 40.0))
    assert parsed.values.tolist()[:4] == [12.5, 2000, 500, 0.8] and parsed.values[4] == 40
    assert parsed.units.tolist() == ["kg", "kg", "kg", "kg", None]
    metres = parse_numbers(cells("3,000 M", "50 cm", "1.5 km", "20 米"))
    assert metres.values.tolist() == [3000, 0.5, 1500, 20] and set(metres.units.tolist()) == {"m"}
    assert marked(parsed, UNIT_MISMATCH) == []


def test_non_convertible_units_are_marked_and_kept_as_typed():
    parsed = parse_numbers(cells("800件", "2 kg", "600 pcs", "3 箱"), counts=np.array([5, 1, 2, 1]), distinct=True)
    assert parsed.values.tolist() == [800, 2, 600, 3]
    assert parsed.units.tolist() == ["件", "kg", "件", "箱"]
    assert marked(parsed, UNIT_MISMATCH) == [1, 3]


# --- through the real reader and ``check`` -----------------------------------------------

def check(book: Book, tmp_path: Path, *, day_first: bool | None = None) -> tuple[Register, list]:
    reg = load([open_path(book.write(tmp_path / "register.xlsx"))], day_first=day_first)
    return reg, check_register(reg, None, lang="en", today=TODAY).sorted()


def where(findings, rule: str) -> list[str]:
    return [f.cell for f in findings if f.rule == rule]


def errors_on(findings, row: int) -> list:
    return [f for f in findings if f.severity == "error" and f.row == row]


def test_a_register_of_dotted_dates_reads_day_first_and_flags_the_odd_one(tmp_path):
    book = Book()
    book.order("SO-1", 1000, ordered="20.04.2026", due="05.06.2026")
    book.order("SO-2", 1000, ordered="03.04.2026", due="13.05.2026")
    odd = book.order("SO-3", 1000, ordered="04.03.2026", due="06.25.2026")  # typed month-first
    reg, found = check(book, tmp_path)
    orders = reg.get("orders").data
    assert orders["order_date"].dt.date.tolist() == [dt.date(2026, 4, 20), dt.date(2026, 4, 3), dt.date(2026, 3, 4)]
    assert orders["due_date"].dt.date.tolist()[:2] == [dt.date(2026, 6, 5), dt.date(2026, 5, 13)]
    assert where(found, "day-month-order") == [book.cell("orders", "交货日期", odd)]
    assert not [f for f in found if f.severity == "error"]


def test_the_config_pins_the_order(tmp_path):
    book = Book()
    book.order("SO-1", 1000, ordered="20.04.2026", due="03.05.2026")
    reg, _ = check(book, tmp_path, day_first=False)
    assert reg.get("orders").data["due_date"].dt.date.tolist() == [dt.date(2026, 3, 5)]


def test_year_less_dates_take_the_year_of_their_row(tmp_path):
    book = Book()
    late = book.order("SO-1", 1000, ordered="2026-11-20", due="1/15")
    book.order("SO-2", 1000, ordered="2026-04-02", due="4月30")
    book.order("SO-3", 1000, ordered="2026-04-10", due="6.1")
    book.order("SO-4", 1000, ordered="12/20", due="2027-01-31")  # dated against a later date: the year before
    reg, found = check(book, tmp_path)
    assert reg.get("orders").data["due_date"].dt.date.tolist() == [
        dt.date(2027, 1, 15), dt.date(2026, 4, 30), dt.date(2026, 6, 1), dt.date(2027, 1, 31)]
    assert reg.get("orders").data["order_date"].dt.date.tolist()[3] == dt.date(2026, 12, 20)
    assert where(found, "year-guessed") == [] and not errors_on(found, late)


def test_due_dates_promised_as_part_of_a_month_are_checked_against_its_last_day_and_said_once(tmp_path):
    book = Book()
    book.order("SO-1", 1000, ordered="2026-04-02", due="2026-05-30")
    first = book.order("SO-2", 1000, ordered="2026-04-02", due="9月上旬")
    book.order("SO-3", 1000, ordered="2027-12-02", due="2月底")          # the row's year is 2028, a leap year
    book.order("SO-4", 1000, ordered="2026-04-20", due="end of May")
    reg, found = check(book, tmp_path)
    assert reg.get("orders").data["due_date"].dt.date.tolist() == [
        dt.date(2026, 5, 30), dt.date(2026, 9, 10), dt.date(2028, 2, 29), dt.date(2026, 5, 31)]
    said = [f for f in found if f.rule == "month-part-date"]
    assert [(f.severity, f.cell) for f in said] == [("info", book.cell("orders", "交货日期", first))]
    assert "3 dates name part of a month (9月上旬 → 2026-09-10, 2月底 → 2028-02-29, end of May → 2026-05-31)" \
        in said[0].message
    assert not [f for f in found if f.severity == "error"] and where(found, "year-guessed") == []


def test_ship_weeks_take_their_rows_year_and_are_said_once(tmp_path):
    book = Book()
    book.order("SO-1", 1000, ordered="2026-08-03", due="2026-09-30")
    first = book.order("SO-2", 1000, ordered="2026-08-03", due="W38")
    book.order("SO-3", 1000, ordered="2026-11-20", due="KW 3")         # ordered in November: week 3 of 2027
    reg, found = check(book, tmp_path)
    assert reg.get("orders").data["due_date"].dt.date.tolist() == [
        dt.date(2026, 9, 30), dt.date(2026, 9, 20), dt.date(2027, 1, 24)]
    said = [f for f in found if f.rule == "week-date"]
    assert [(f.severity, f.cell) for f in said] == [("info", book.cell("orders", "交货日期", first))]
    assert "2 dates are given as a week (W38 → 2026-09-20, KW 3 → 2027-01-24)" in said[0].message
    assert not [f for f in found if f.severity == "error"] and where(found, "year-guessed") == []


def test_year_less_dates_without_a_row_year_take_the_sheets_and_say_so_once(tmp_path):
    tabs = {"orders": ("6月", ["订单号", "下单日期", "客户", "款号", "订单数量", "交货日期", "跟单员", "状态"])}
    book = Book(tabs)
    for i in range(5):
        book.order(f"SO-{i}", 1000, ordered="2026-06-02", due="2026-07-30")
    rows = [book.order(f"SO-{i}", 1000, ordered=None, due=f"7/{5 + i}") for i in range(5, 8)]
    reg, found = check(book, tmp_path)
    assert reg.get("orders").data["due_date"].dt.date.tolist()[5:] == [dt.date(2026, 7, d) for d in (10, 11, 12)]
    guessed = [f for f in found if f.rule == "year-guessed"]
    assert len(guessed) == 1 and guessed[0].severity == "warning"
    assert guessed[0].cell == book.cell("orders", "交货日期", rows[0]) and "3 dates have no year" in guessed[0].message
    assert "F8, F9" in guessed[0].message
    named = Book({"orders": ("2026-06", tabs["orders"][1])})
    named.order("SO-1", 1000, ordered=None, due="7/10")
    reg, found = check(named, tmp_path)
    assert reg.get("orders").data["due_date"].dt.date.tolist() == [dt.date(2026, 7, 10)]
    assert where(found, "year-guessed") == []  # the tab names the year: no guess


def test_zero_dates_are_reported_as_missing_not_as_1900(tmp_path):
    book = Book()
    book.order("SO-1", 1000)
    zero = book.order("SO-2", 1000, due=0)
    text = book.order("SO-3", 1000, due="1900/01/00")
    one = book.ship("SO-1", 1, 500)
    book.ship("SO-1", "2026-05-01", 500)
    reg, found = check(book, tmp_path)
    assert reg.get("orders").data["due_date"].isna().tolist() == [False, True, True]
    assert where(found, "zero-date") == [book.cell("shipping", "发货日期", one),  # 发货记录 sorts first
                                         book.cell("orders", "交货日期", zero), book.cell("orders", "交货日期", text)]
    assert not [f for f in found if f.field == "due_date" and "1900" in f.message and f.rule != "zero-date"]
    assert not errors_on(found, zero) and not errors_on(found, text)


def test_units_are_kept_converted_and_mismatches_named(tmp_path):
    book = Book()
    book.order("SO-1", "800件")
    book.order("SO-2", "600 件")
    odd = book.order("SO-3", "12 箱")
    book.material("SO-1", "面料", "12.5kg")
    book.material("SO-1", "辅料", "2 t")
    book.material("SO-2", "面料", "500 kg")
    reg, found = check(book, tmp_path)
    orders, materials = reg.get("orders"), reg.get("materials")
    assert orders.data["quantity"].tolist() == [800, 600, 12]
    assert orders.units["quantity"].tolist() == ["件", "件", "箱"]
    assert materials.data["required_qty"].tolist() == [12.5, 2000, 500]
    assert materials.units["required_qty"].tolist() == ["kg", "kg", "kg"]
    mismatch = [f for f in found if f.rule == "unit-mismatch"]
    assert [f.cell for f in mismatch] == [book.cell("orders", "订单数量", odd)]
    assert "箱" in mismatch[0].message and "件" in mismatch[0].message


def test_placeholders_are_one_quiet_finding_per_column(tmp_path):
    book = Book()
    book.order("SO-1", 1000)
    rows = [book.order(f"SO-{i}", 1000, due=text) for i, text in enumerate(["TBD", "待定", "will call", "??"], 2)]
    held = book.order("SO-9", "待确认")
    reg, found = check(book, tmp_path)
    quiet = [f for f in found if f.rule == "placeholder"]
    assert [(f.cell, f.severity) for f in quiet] == [(book.cell("orders", "交货日期", rows[0]), "info"),
                                                    (book.cell("orders", "订单数量", held), "info")]
    assert "4 cells hold a placeholder" in quiet[0].message
    assert not [f for r in [*rows, held] for f in errors_on(found, r)]
    assert reg.get("orders").data["due_date"].isna().sum() == 4


def test_a_sum_or_a_number_with_a_remark_reads_as_its_number_said_once(tmp_path):
    book = Book()
    book.order("SO-1", 1000)
    first = book.order("SO-2", "500+200")
    book.order("SO-3", "1000（含备品50）")
    book.order("SO-4", "800件(另补20)")
    reg, found = check(book, tmp_path)
    assert reg.get("orders").data["quantity"].tolist() == [1000, 700, 1000, 800]
    said = [f for f in found if f.rule == "number-as-written"]
    assert [(f.severity, f.cell) for f in said] == [("info", book.cell("orders", "订单数量", first))]
    assert "3 cells hold a sum or a number with a remark (500+200 → 700, 1000（含备品50） → 1000, 800件(另补20) → 800)" \
        in said[0].message
    assert not [f for f in found if f.severity == "error"]


def test_a_number_said_to_be_about_so_much_reads_as_it_said_once(tmp_path):
    """约500, 500左右, ~1200: about so much, read as the number (checked across the tabs as that) and said once; a
    range (500-600) or 'more than' (2000+) is no figure to check against: unreadable, as before."""
    book = Book()
    book.order("SO-1", 1000)
    first = book.order("SO-2", "约500")
    book.order("SO-3", "500左右")
    book.order("SO-4", "~1200")
    ranged = book.order("SO-5", "500-600")
    more = book.order("SO-6", "2000+")
    reg, found = check(book, tmp_path)
    assert reg.get("orders").data["quantity"].tolist()[:4] == [1000, 500, 500, 1200]
    said = [f for f in found if f.rule == "number-as-written"]
    assert [(f.severity, f.cell) for f in said] == [("info", book.cell("orders", "订单数量", first))]
    assert "3 cells hold a sum or a number with a remark (约500 → 500, 500左右 → 500, ~1200 → 1200)" in said[0].message
    assert [(f.rule, f.row) for f in found if f.severity == "error"] == [("unreadable", ranged), ("unreadable", more)]


def test_two_dotted_dates_split_by_a_slash_are_several_and_asap_is_no_date(tmp_path):
    book = Book()
    book.order("SO-1", 1000, ordered="2026-05-08", due="2026-11-30")
    row = book.order("SO-2", 1000, ordered="2026-05-08", due="9.15/9.30")
    asap = book.order("SO-3", 1000, ordered="2026-05-08", due="ASAP")
    reg, found = check(book, tmp_path)
    assert reg.get("orders").data["due_date"].dt.date.tolist()[1] == dt.date(2026, 9, 15)
    assert [f.rule for f in found if f.row == row] == ["several-dates"]
    assert [(f.rule, f.severity) for f in found if f.row == asap] == [("placeholder", "info")]


def test_a_weekday_that_is_not_the_dates_is_a_warning_on_its_cell(tmp_path):
    book = Book()
    book.order("SO-1", 1000, ordered="2026-08-01", due="9/15(周二)")            # right
    wrong = book.order("SO-2", 1000, ordered="2026-08-01", due="9/17(周五)")    # the 17th is a Thursday
    book.order("SO-3", 1000, ordered="2026-08-01", due="Tue 15 Sep 2026")        # right
    _, found = check(book, tmp_path)
    said = [f for f in found if f.rule == "weekday-mismatch"]
    assert [(f.severity, f.cell) for f in said] == [("warning", book.cell("orders", "交货日期", wrong))]
    assert "2026-09-17 is a Thursday, not a Friday" in said[0].message
    assert not [f for f in found if f.severity == "error"]


def test_what_cannot_be_understood_is_still_an_error_quoting_the_text(tmp_path):
    book = Book()
    book.order("SO-1", 1000)
    row = book.order("SO-2", "15OO件", due="soon-ish")
    _, found = check(book, tmp_path)
    bad = [(f.cell, f.value) for f in errors_on(found, row) if f.rule == "unreadable"]
    assert bad == [(book.cell("orders", "订单数量", row), "15OO件"), (book.cell("orders", "交货日期", row), "soon-ish")]


def test_several_dates_in_one_cell_use_the_first_and_say_so(tmp_path):
    book = Book()
    book.order("SO-1", 1000, ordered="2026-05-08", due="2026-11-30")
    row = book.order("SO-2", 1000, ordered="2026-05-08", due="11/22,12/25")
    reg, found = check(book, tmp_path)
    assert reg.get("orders").data["due_date"].dt.date.tolist()[1] == dt.date(2026, 11, 22)
    said = [f for f in found if f.row == row]
    assert [(f.rule, f.severity) for f in said] == [("several-dates", "warning")]
    assert "the first (2026-11-22)" in said[0].message


@pytest.mark.parametrize("span", ["22/11-25/11", "11.22~11.25", "11月22日至11月25日"])
def test_a_span_of_days_uses_its_first_day_and_says_so(tmp_path, span):
    book = Book()
    book.order("SO-1", 1000, ordered="2026-05-08", due="2026-11-30")
    row = book.order("SO-2", 1000, ordered="2026-05-08", due=span)
    reg, found = check(book, tmp_path)
    assert reg.get("orders").data["due_date"].dt.date.tolist()[1] == dt.date(2026, 11, 22)
    said = [f for f in found if f.row == row]
    assert [(f.rule, f.severity) for f in said] == [("several-dates", "warning")]
    assert "is a span of days; its first (2026-11-22) is checked" in said[0].message
    assert "split order" not in said[0].hint and "reminders count to its first day" in said[0].hint


def test_a_span_of_production_days_is_said_quietly_and_a_stray_quote_is_no_error(tmp_path):
    """'13/4-14/4' under NGÀY SX (made over two days, foamplan W16) is a span, not split deliveries: an info;
    '13/4-'14/4, with Excel's text prefix typed mid-cell, is the same span, not an unreadable date."""
    from tests.tables.sheetkit import write_book

    header = ["生产单号", "产品", "计划数量", "上线日期", "计划完成"]
    rows = [[f"F-{i}", "P", 100, f"{10 + i}/4/2026", f"{20 + i}/4/2026"] for i in range(5)]
    rows += [["F-8", "P", 100, "13/4-14/4", "24/4/2026"], ["F-9", "P", 100, "13/4-'14/4", "24/4/2026"]]
    path = write_book(tmp_path, {"排产": [header, *rows]})
    reg = load([open_path(path)])
    found = check_register(reg, None, lang="en", today=TODAY).sorted()
    said = [(f.cell, f.rule, f.severity) for f in found if f.row in (7, 8)]
    assert said == [("D7", "several-dates", "info"), ("D8", "several-dates", "info")], said
    assert reg.get("production").data["planned_start"].dt.date.tolist()[-2:] == [dt.date(2026, 4, 13)] * 2


def test_ordersync_check_shows_the_value_findings_with_their_cells(tmp_path):
    from typer.testing import CliRunner

    from sync.cli import app

    book = Book()
    book.order("SO-1", "800件", ordered="2026-04-02", due="TBD")
    book.order("SO-2", "3 箱", ordered="2026-04-02", due=0)
    book.order("SO-3", "600 件", ordered="2026-04-02")
    path = book.write(tmp_path / "register.xlsx")
    result = CliRunner().invoke(app, ["check", str(path), "--format", "json", "--lang", "en", "--today", "2026-05-20"])
    found = {(f["rule"], f["cell"], f["severity"]) for f in json.loads(result.stdout)["findings"]}
    assert {("placeholder", "F2", "info"), ("zero-date", "F3", "warning"), ("unit-mismatch", "E3", "warning")} <= found


@pytest.mark.parametrize("merged", [True, False], ids=["header merged over both", "number column unheaded"])
def test_a_quantity_typed_beside_its_unit_is_read_from_the_numbers(tmp_path: Path, merged: bool) -> None:
    """数量 over two columns, the unit (片, 件) in the first and the count in the second (gtbj's 资料接收清单):
    the numbers are the quantity, under the header's name; the unit column is no unreadable quantity."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "到货清单"
    ws.append(["到货时间", "合同号", "物资名称", "数量", None, "供货商名称", "请购单号"])
    if merged:
        ws.merge_cells("D1:E1")
    units = ["片", "件", "片", "套", "片", "件"]
    counts = ["9件", 721, "432片", 12, "94", 30]
    for n, (unit, count) in enumerate(zip(units, counts)):
        ws.append([dt.date(2026, 4, 1 + n), f"PO-30{n}", "法兰", unit, count, "山西管家营法兰", f"MP-R-{n}"])
    wb.save(tmp_path / "arrivals.xlsx")
    register = load([open_path(tmp_path / "arrivals.xlsx")])
    table = register.tables["materials"]
    assert table.columns["required_qty"].header == "数量"
    assert table.cell("required_qty", 2) == "E2"
    assert table.data["required_qty"].tolist() == [9.0, 721.0, 432.0, 12.0, 94.0, 30.0]
    report = check_register(register, None, lang="zh", today=TODAY)
    assert not [f for f in report.findings if f.rule == "unreadable"]


def test_a_zero_typed_on_many_lines_is_the_sheets_habit_said_once(tmp_path):
    """Qty 0 on every line not yet quantified (a tracker of work orders) is one warning naming the cells, not an
    error per line; a lone 0 among real quantities stays an error."""
    book = Book()
    for i in range(6):
        book.order(f"SO-{i}", 500 + 10 * i)
    zeros = [book.order(f"SO-Z{i}", 0) for i in range(6)]
    _, found = check(book, tmp_path)
    said = [f for f in found if f.rule == "quantity-positive"]
    assert [(f.severity, f.cell) for f in said] == [("warning", book.cell("orders", "订单数量", zeros[0]))]
    assert "is 0 on 6 rows" in said[0].message and book.cell("orders", "订单数量", zeros[-1]) in said[0].message

    lone = Book()
    for i in range(11):
        lone.order(f"SO-{i}", 500 + 10 * i)
    row = lone.order("SO-X", 0)
    _, found = check(lone, tmp_path)
    assert [(f.severity, f.cell) for f in found if f.rule == "quantity-positive"] == [
        ("error", lone.cell("orders", "订单数量", row))]


def test_a_computed_figure_next_to_a_whole_number_is_no_month_day():
    """6.1 in a date column is 1 June; 1.0000000000004 (a sum that is almost 1) shows no day at all and is no
    date, not a crash (Superstore's discount column read while looking for milestone dates)."""
    from sync.tables.dates import month_day_of_number

    assert month_day_of_number(6.1)[:3] == (0, 6, 1)
    assert month_day_of_number(1.0000000000004) is None
    parsed = parse_dates(cells(6.1, 1.0000000000004))
    assert pd.isna(parsed.values[1])


def test_a_serial_centuries_ahead_is_read_not_a_crash():
    """116531.84 (a sales figure in a column looked at for dates) is the serial of a day in 2219: read as that
    day, whose year the implausible-year rule questions, instead of overflowing nanosecond time."""
    parsed = parse_dates(cells(116531.84, 46000))
    assert [d.year for d in parsed.values] == [2219, 2025]

"""Messy but legal values parse right; garbage is marked bad with its raw text kept."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.tables.normalize import (fold_text, normalise_key, parse_column, parse_date_text, parse_dates, parse_number_text,
                            parse_numbers, parse_texts)


@pytest.mark.parametrize("text,value", [
    ("１２００", 1200), ("1,200", 1200), ("800件", 800), ("600 pcs", 600), ("1200套", 1200), ("300双", 300),
    ("300雙", 300), ("¥35.50", 35.5), ("￥35.5", 35.5), ("$12", 12), ("RMB 1,234.5", 1234.5), ("USD 3.20", 3.2),
    ("12,000.00", 12000), ("(100)", -100), ("1.2万", 12000), ("13%", 0.13), ("５００ＰＣＳ", 500), (" 42 ", 42),
    ("1.2k", 1200), ("12K pcs", 12000), ("5K", 5000),
])
def test_messy_numbers(text: str, value: float) -> None:
    assert parse_number_text(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["abc", "12-", "1.200,50", "约100", "TBD", "1,2,3", "k", "3kk", "10k%"])
def test_garbage_is_not_a_number(text: str) -> None:
    assert parse_number_text(text) is None


@pytest.mark.parametrize("text", [
    "2026/09/15", "2026.9.15", "2026-09-15", "2026年9月15日", "2026年9月15号", "15 Sep 2026", "15-Sep-2026",
    "Sep 15, 2026", "September 15 2026", "20260915", "２０２６／０９／１５",
])
def test_messy_dates(text: str) -> None:
    assert parse_date_text(text) == dt.datetime(2026, 9, 15)


@pytest.mark.parametrize("text", ["15-Sep-26", "15 Sep 26", "Sep 15, 26", "Sept 15, '26", "9/15/26", "15/9/26"])
def test_a_two_digit_year_after_day_and_month_is_this_centurys(text: str) -> None:
    assert parse_date_text(text) == dt.datetime(2026, 9, 15)


@pytest.mark.parametrize("text", ["26.09.15", "26-09-15", "15-Sepi-26", "15-Nove-26"])
def test_a_two_digit_year_where_the_year_may_come_first_or_the_month_is_misspelt_is_no_date(text: str) -> None:
    assert parse_date_text(text) is None


def test_date_with_time_and_single_digits() -> None:
    assert parse_date_text("2026-9-5") == dt.datetime(2026, 9, 5)
    assert parse_date_text("2026-04-14 09:30:32") == dt.datetime(2026, 4, 14, 9, 30, 32)


def test_ambiguous_day_month_follows_the_setting() -> None:
    assert parse_date_text("03/04/2026") == dt.datetime(2026, 3, 4)
    assert parse_date_text("03/04/2026", day_first=True) == dt.datetime(2026, 4, 3)
    assert parse_date_text("25/04/2026") == dt.datetime(2026, 4, 25)  # unambiguous either way


@pytest.mark.parametrize("text", ["2026..7", "2024.1", "9-Nove-07", "TBD", "2026-13-01", "2026-02-30", "下周"])
def test_garbage_is_not_a_date(text: str) -> None:
    assert parse_date_text(text) is None


def test_excel_serials_in_both_date_systems() -> None:
    cells = np.array([46280.0, 46280, None, ""], dtype=object)
    assert parse_dates(cells).values[0] == pd.Timestamp(2026, 9, 15)
    assert parse_dates(cells, date1904=True).values[1] == pd.Timestamp(2030, 9, 16)
    assert not parse_dates(cells).bad.any()


def test_bad_cells_are_marked_and_raw_kept() -> None:
    raw = np.array([1200.0, "1,300", "lots", None, "", "-", True], dtype=object)
    parsed = parse_numbers(raw)
    assert parsed.values[:2].tolist() == [1200, 1300]
    assert parsed.bad.tolist() == [False, False, True, False, False, False, True]
    assert np.isnan(parsed.values[2]) and raw[2] == "lots"  # the caller still has the text
    dates = parse_dates(np.array(["2026/9/15", "明天", dt.date(2026, 9, 1), 20260915], dtype=object))
    assert dates.bad.tolist() == [False, True, False, False]
    assert dates.values[3] == pd.Timestamp(2026, 9, 15)


def test_text_is_trimmed_and_spaces_folded() -> None:
    assert fold_text("\u3000 ACME\u00a0 Ltd \t") == "ACME Ltd"
    values = parse_texts(np.array([" a\u00a0 b ", "\u3000", 1200.0, None], dtype=object)).values
    assert values.tolist() == ["a b", None, "1200", None]


def test_keys_compare_after_normalising() -> None:
    assert normalise_key(" po-１２３ ") == normalise_key("PO-123") == "PO-123"
    assert normalise_key(1200.0) == normalise_key("1200")


def test_emails_are_checked() -> None:
    parsed = parse_column(np.array(["a@b.cn", "not mail", None], dtype=object), "email")
    assert parsed.bad.tolist() == [False, True, False]


_UNITS = st.sampled_from(["", "件", " pcs", "套", "双", " PCS", "个"])
_MONEY = st.sampled_from(["", "¥", "$", "RMB ", "￥"])


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=0, max_value=10**9), _UNITS, _MONEY, st.booleans(), st.booleans())
def test_numbers_round_trip_through_messy_forms(n: int, unit: str, money: str, grouped: bool, wide: bool) -> None:
    text = f"{money}{n:,}{unit}" if grouped else f"{money}{n}{unit}"
    if wide:
        text = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789,"})
    assert parse_number_text(text) == n


_FORMS = [
    lambda d: f"{d.year}/{d.month:02d}/{d.day:02d}", lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d.year}-{d.month}-{d.day}", lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: d.strftime("%d %b %Y"), lambda d: d.strftime("%b %d, %Y"), lambda d: d.strftime("%Y%m%d"),
]


@settings(max_examples=80, deadline=None)
@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)),
       st.sampled_from(range(len(_FORMS))), st.booleans())
def test_dates_round_trip_through_messy_forms(day: dt.date, form: int, day_first: bool) -> None:
    want = dt.datetime(day.year, day.month, day.day)
    assert parse_date_text(_FORMS[form](day), day_first=day_first) == want
    dmy = f"{day.day:02d}/{day.month:02d}/{day.year}" if day_first else f"{day.month:02d}/{day.day:02d}/{day.year}"
    assert parse_date_text(dmy, day_first=day_first) == want


@settings(max_examples=50, deadline=None)
@given(st.dates(min_value=dt.date(1905, 1, 1), max_value=dt.date(2099, 12, 31)), st.booleans())
def test_serials_round_trip(day: dt.date, date1904: bool) -> None:
    epoch = dt.date(1904, 1, 1) if date1904 else dt.date(1899, 12, 30)
    serial = float((day - epoch).days)
    assert parse_dates(np.array([serial], dtype=object), date1904=date1904).values[0] == pd.Timestamp(day)

"""The reader's fast paths give exactly what the plain per-cell definitions give.

Tables are built from factorised columns (sync.tables.columns) so each distinct value
is classified and parsed once; these tests pin that this changes nothing a user
sees: the same rows kept, the same values, the same raw text quoted.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import subprocess
import sys

import numpy as np
import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from sync.tables import columns
from sync.tables.columns import Factor, RawCells, compact, detached, factorize
from sync.tables.detect import find_header
from sync.tables.normalize import _NUM_CLEAN, _NUM_WORDS, _number_text, _texts_or_none, parse_number_text, text_of
from sync.tables.register import load
from sync.sources.base import Grid
from sync.sources.excel import ExcelSource
from sync.tables.rows import TOTAL_WORDS, _roles, is_footer_text, is_total_label
from sync.tables.table import _spread, _text_dtype, build_table

SPACES = " \t\n\u00a0\u3000\u2002\u200b\ufeff\u2028\x1c"
cells = st.one_of(
    st.sampled_from(["", " ", "-", "合计", "小 计", "Total", "SO-1", "SO-1 ", "1,200", "800件", "2026/09/15", 0, 0.0,
                     1, 1.0, True, False, None, float("nan"), 2.5, 46000.0, dt.date(2026, 1, 1),
                     dt.datetime(2026, 1, 1), pd.Timestamp("2026-01-01"), dt.time(8, 30)]),
    st.text(alphabet=st.sampled_from("aZ1-合计" + SPACES), max_size=6),
    st.floats(allow_nan=True, allow_infinity=False),
    st.integers(-3, 3),
)


def same(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)  # type: ignore[arg-type]
    return a == b


@given(st.lists(st.one_of(cells, st.text(alphabet=st.sampled_from("a\x00中\ud800 "), max_size=4)), max_size=12))
@settings(max_examples=200, deadline=None)
def test_detached_values_are_equal_new_objects(values):
    column = np.empty(len(values), dtype=object)
    column[:] = values
    copies = detached(column).tolist()
    assert len(copies) == len(values)
    assert all(same(a, b) and (a != 0 or math.copysign(1, a) == math.copysign(1, b))
               for a, b in zip(values, copies))


def test_a_big_sheet_keeps_copies_of_its_distinct_values_not_its_cells(monkeypatch):
    rows = [["SO-1", 1200.5, dt.date(2026, 9, 1), "note"], ["SO-2", 1200.5, dt.date(2026, 9, 1), 7.0]]
    grid = Grid("订单", [list(r) for r in rows])
    monkeypatch.setattr(columns, "DETACH_CELLS", 0)
    kept = compact(grid, range(4), 0)
    for c in range(4):
        assert all(same(a, b) for a, b in zip(kept.columns[c].cells(), [r[c] for r in rows]))
        assert not any(u is r[c] for u in kept.columns[c].uniques for r in rows)


@given(st.lists(cells, max_size=30))
@settings(max_examples=300, deadline=None)
def test_factorize_never_merges_values_of_different_types(values):
    column = np.empty(len(values), dtype=object)
    column[:] = values
    factor = factorize(column)
    back = factor.cells()
    assert all(same(a, b) or (a == 0.0 == b and type(a) is type(b)) for a, b in zip(values, back))
    assert factor.codes.dtype == np.int32


@given(st.lists(st.one_of(st.text(alphabet=st.sampled_from("ab中 -\x00" + SPACES), max_size=8), cells), max_size=12))
@settings(max_examples=200, deadline=None)
@example(["SO-1 ", " SO-2", "a\x00 ", " ", "", "  b", "c\u3000"])
def test_text_fast_path_folds_like_text_of(values):
    column = np.empty(len(values), dtype=object)
    column[:] = values
    got = _texts_or_none(column).tolist()
    assert all(same(g, text_of(v) or None) for g, v in zip(got, values)) and len(got) == len(values)


@given(st.one_of(st.text(alphabet=st.sampled_from("合计小总total TOTAL-12３" + SPACES), max_size=8),
                 st.sampled_from(sorted(TOTAL_WORDS))))
@settings(max_examples=500, deadline=None)
def test_totals_prefilter_agrees_with_is_total_label(text):
    column = np.empty(1, dtype=object)
    column[0] = text
    assert ((_roles(column) & 1) > 0).tolist() == [is_total_label(text)]


@given(st.lists(st.one_of(st.text(alphabet=st.sampled_from("合计小总total TOTAL-12３\ud800" + SPACES), max_size=8),
                          st.sampled_from(sorted(TOTAL_WORDS)), cells), max_size=12))
@settings(max_examples=200, deadline=None)
@example(["", "合计", "", "SO-1", "1", "", "小计", "Total", ""])
def test_totals_of_a_column_at_once_agree_with_each_alone(values):
    column = np.empty(len(values), dtype=object)
    column[:] = values
    roles = _roles(column).tolist()   # order numbers and codes are ruled out from their code points
    assert [bool(r & 1) for r in roles] == [is_total_label(v) for v in values]
    assert [bool(r & 2) for r in roles] == [is_footer_text(v) for v in values]


_DIGITS = "0123456789１２٣𝟕,.+-e ()%万\n"  # ASCII, full-width, Arabic-Indic and mathematical digits


@given(st.text(alphabet=st.sampled_from(_DIGITS), max_size=10) | st.text(alphabet=st.sampled_from(_DIGITS + "件pcs¥"),
                                                                         max_size=10))
@settings(max_examples=500, deadline=None)
def test_number_fast_paths_read_like_parse_number_text(text):
    assert _number_text(text) == parse_number_text(text)


@given(st.text(alphabet=st.sampled_from("12 .,KkSsPpCcMmRrBbUuYyDdEeHh\u212a\u017f$¥￥€£件个套人民币元美欧港公千吨"), max_size=10))
@settings(max_examples=500, deadline=None)
def test_units_cleaned_as_without_the_lookahead(text):
    plain = re.compile(rf"(?i)({_NUM_WORDS})")  # Kelvin sign and long s fold onto k and s
    assert _NUM_CLEAN.sub("", text) == plain.sub("", text)


@given(st.lists(st.sampled_from(["a", "b c", "合计", None]), min_size=1, max_size=5), st.data())
@settings(max_examples=200, deadline=None)
def test_text_columns_built_from_distinct_values_are_what_pandas_infers(texts, data):
    values = np.empty(len(texts), dtype=object)
    values[:] = texts
    codes = np.array(data.draw(st.lists(st.integers(0, len(texts) - 1), max_size=8)), dtype=np.int32)
    kept = Factor(codes, values)
    ours = pd.DataFrame({"t": _spread(kept, values, _text_dtype())})
    pd.testing.assert_frame_equal(ours, pd.DataFrame({"t": kept.spread(values)}))


def orders_grid(rows: list[list[object]]) -> Grid:
    return Grid("订单", [["订单号", "客户", "数量", "交货日期", "备注"], *rows])


def test_rows_kept_and_values_as_per_cell_parsing():
    grid = orders_grid([
        ["SO-1", "ACME", "1,200", "2026/09/15", ""],
        ["", "", "", "", ""],                      # blank: dropped
        ["", "", 0.0, "", ""],                     # a formula row of zeros: dropped
        ["合计", "", 5000.0, "", ""],              # totals: dropped
        [True, "ACME", 1.0, dt.date(2026, 9, 1), "x"],
        [1.0, "ACME", True, 46000.0, ""],
        ["SO-1", "ACME", "lots", "soon", ""],
    ])
    match = find_header(grid, "orders")
    table = build_table(grid, match, source="s", location="l")
    assert list(table.data["_row"]) == [2, 6, 7, 8]
    assert list(table.data["order_no"]) == ["SO-1", "TRUE", "1", "SO-1"]  # True and 1.0 are not one value
    assert table.data["quantity"].tolist()[:2] == [1200.0, 1.0]
    assert list(table.bad["quantity"]) == [False, False, True, True]  # a boolean, a word
    assert list(table.bad["due_date"]) == [False, False, False, True]
    assert table.raw_text("quantity", 3) == "lots" and table.raw_text("order_no", 1) == "TRUE"
    assert table.cell("quantity", 8) == "C8"


def test_raw_cells_give_back_the_cells_as_read():
    values = ["SO-1", 1.0, True, None, dt.date(2026, 1, 1), "SO-1"]
    raw = RawCells()
    raw["order_no"] = np.array(values, dtype=object)
    assert "order_no" in raw and list(raw) == ["order_no"] and len(raw) == 1
    assert all(same(a, b) for a, b in zip(raw["order_no"], values))
    assert raw.cell("order_no", 2) is True and raw.nbytes() > 0


def write_register(path, sheets: dict[str, int]) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for name, n in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(["订单号", "客户", "数量", "交货日期"])
        for i in range(n):
            ws.append([f"{name}-{i}", "ACME", 10 + i, dt.date(2026, 9, 1)])
    wb.save(path)


def test_biggest_sheet_is_read_first_but_rows_come_in_workbook_order(tmp_path):
    path = tmp_path / "book.xlsx"
    write_register(path, {"订单A": 3, "订单B": 400})
    sizes = ExcelSource("book", path).sheet_sizes()
    assert sizes["订单B"] > sizes["订单A"] > 0
    register = load([ExcelSource("book", path)])
    orders = register.tables["orders"]   # two tabs of one layout are one table (issue 14), first tab first
    assert orders.sheet == "订单A, 订单B" and len(orders) == 403
    assert orders.data["order_no"].tolist()[:4] == ["订单A-0", "订单A-1", "订单A-2", "订单B-0"]
    assert [orders.sheet_at(i) for i in (0, 2, 3, 402)] == ["订单A", "订单A", "订单B", "订单B"]


def test_sheet_sizes_is_only_a_hint(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"not a zip")
    assert ExcelSource("x", tmp_path / "x.xlsx").sheet_sizes() == {}


def test_reading_excel_does_not_import_the_google_backend():
    code = ("import sys, sync.tables.register, sync.sources; assert 'gspread' not in sys.modules; "
            "from sync.sources import GSheetsSource, backend; assert backend('gsheets') is GSheetsSource")
    subprocess.run([sys.executable, "-c", code], check=True)

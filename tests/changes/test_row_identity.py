"""Row identity (issue 15 item 1): a sort, a filter-and-resort or an inserted row records nothing;
a real edit records exactly that edit, even where rows share a key."""

from __future__ import annotations

import random
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from sync.changes.ledger import CHANGED, remember
from sync.demo.register import build_register
from sync.sources import ExcelSource, MemorySource, open_path
from sync.state import State
from sync.tables.fields import DATE, KEY, NUMBER, TABLES
from sync.tables.register import load

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 2)


def sort_sheet(path: Path, sheet: str, header_row: int, column: str, *, reverse: bool = False) -> None:
    """Sort a sheet's rows below its header by one column, as Excel's sort does (values move, nothing else)."""
    book = load_workbook(path)
    ws = book[sheet]
    header = [c.value for c in ws[header_row]]
    col = header.index(column)
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=header_row + 1)]
    rows = [r for r in rows if any(v is not None for v in r)]
    rows.sort(key=lambda r: str(r[col]), reverse=reverse)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            ws.cell(header_row + 1 + i, j + 1).value = value
    book.save(path)


class Ledger:
    """One state file; ``see`` reads the workbook (or in-memory sheets) as one cycle an hour after the last."""

    def __init__(self, folder: Path) -> None:
        self.state = State(folder / "ordersync.db")
        self.hour = 0

    def see(self, source: Any) -> Any:
        self.hour += 1
        return remember(self.state, load([source]), now=T0 + timedelta(hours=self.hour))


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "register.xlsx"
    build_register(path, orders=300, today=TODAY)
    return path


def test_demo_materials_sorted_by_supplier_records_nothing(demo, tmp_path):
    book = tmp_path / "register.xlsx"
    book.write_bytes(demo.read_bytes())
    ledger = Ledger(tmp_path)
    ledger.see(open_path(book, name="register"))
    sort_sheet(book, "物料采购", 1, "供应商")
    assert ledger.see(open_path(book, name="register")).changes == []
    sort_sheet(book, "物料采购", 1, "采购单号", reverse=True)    # and back another way
    assert ledger.see(open_path(book, name="register")).changes == []


PROGRESS = ["订单号", "工序", "产线", "计划完成", "完成数量", "更新日期"]


def progress_rows(orders: int = 40) -> list[list[Any]]:
    """Three dated progress rows per order and stage, as a daily 生产进度 log keeps them."""
    rows = []
    for i in range(orders):
        for s, stage in enumerate(("裁剪", "车缝", "整烫", "包装")):
            for day in range(3):
                rows.append([f"SO-{i:03d}", stage, "一线", date(2026, 11, 20), 100 * (day + 1) + s,
                             date(2026, 10, 1) + timedelta(days=i % 5 + day)])
    return rows


def write_progress(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "生产进度"
    ws.append(PROGRESS)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def test_progress_with_three_dated_rows_sorted_by_date_records_nothing(tmp_path):
    book = write_progress(tmp_path / "register.xlsx", progress_rows())
    ledger = Ledger(tmp_path)
    ledger.see(open_path(book, name="register"))
    sort_sheet(book, "生产进度", 1, "更新日期")
    assert ledger.see(open_path(book, name="register")).changes == []
    rows = progress_rows()
    random.Random(5).shuffle(rows)
    rows[7][4] = 999                                         # one real edit among the shuffled rows
    write_progress(book, rows)
    (change,) = ledger.see(open_path(book, name="register")).changes
    assert (change.kind, change.order_no, change.field, change.new) == (CHANGED, rows[7][0], "completed_qty", "999")
    assert change.cell == f"E{8 + 1}"                        # where the row sits now


def test_an_edited_date_that_tells_rows_apart_is_one_change(tmp_path):
    rows = progress_rows(5)
    book = write_progress(tmp_path / "register.xlsx", rows)
    ledger = Ledger(tmp_path)
    ledger.see(open_path(book, name="register"))
    rows[4][5] = date(2026, 10, 30)                          # the update date itself corrected
    rows.insert(2, ["SO-099", "裁剪", "一线", date(2026, 11, 20), 5, date(2026, 10, 2)])   # and a row inserted
    write_progress(book, rows)
    changes = ledger.see(open_path(book, name="register")).changes
    assert sorted((c.kind, c.order_no, c.field) for c in changes) == [
        ("added", "SO-099", None), (CHANGED, "SO-000", "updated_on")]


# --- the property: any permutation of any tab; plus one edited cell -------------------------------------

@pytest.fixture(scope="module")
def sheets(tmp_path_factory) -> dict[str, list[list[Any]]]:
    """The demo register's sheets as cells, read once from a real workbook."""
    path = tmp_path_factory.mktemp("demo60") / "register.xlsx"
    build_register(path, orders=60, today=TODAY)
    return {g.sheet: g.rows for g in ExcelSource("register.xlsx", path).read()}


def data_rows(rows: list[list[Any]]) -> list[int]:
    """The positions of a sheet's data rows: below the header, not blank, not the totals row."""
    top = next(i for i, r in enumerate(rows) if sum(1 for v in r if v not in ("", None)) >= 4)
    return [i for i in range(top + 1, len(rows)) if rows[i][0] not in ("", None, "合计")]


def edited_value(kind: str, old: Any) -> Any:
    new = {NUMBER: 987_654.0, DATE: date(2031, 1, 7), KEY: "EDIT-0001"}.get(kind, "改过的值")
    return new if new != old else "另一个值"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_any_permutation_records_nothing_and_one_edit_records_one_change(sheets, data):
    sheet = data.draw(st.sampled_from(sorted(sheets)))
    rows = [list(r) for r in sheets[sheet]]
    positions = data_rows(rows)
    order = data.draw(st.permutations(positions))
    permuted = [list(r) for r in rows]
    for at, source in zip(positions, order):
        permuted[at] = list(rows[source])
    with tempfile.TemporaryDirectory() as folder:
        ledger = Ledger(Path(folder))
        ledger.see(MemorySource("register.xlsx", sheets))
        assert ledger.see(MemorySource("register.xlsx", {**sheets, sheet: permuted})).changes == []
        table = next(t for t in load([MemorySource("register.xlsx", sheets)]).tables.values() if t.sheet == sheet)
        name = data.draw(st.sampled_from(sorted(table.columns)))
        row = data.draw(st.sampled_from(positions))
        col = table.columns[name].index
        permuted[row][col] = edited_value(TABLES[table.name].fields[name].type, permuted[row][col])
        changes = ledger.see(MemorySource("register.xlsx", {**sheets, sheet: permuted})).changes
        assert [(c.kind, c.table, c.field, c.row) for c in changes] == [(CHANGED, table.name, name, row + 1)]

"""Reading again only the tabs a save changed: the result is the register a full read gives.

The daemon keeps, per workbook, each sheet's match and table under a token
taken from the package directory (the sheet's XML, the shared strings, the
styles, the date system). These tests save real workbooks the ways users do
and compare the kept-and-reread register with a read from scratch.
"""

from __future__ import annotations

import html
import re
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from sync.demo import build_register
from sync.register import Register, SheetMemo, load
from sync.sources.csv import CsvSource
from sync.sources.excel import ExcelSource

ALL_TABS = {"订单登记", "物料采购", "生产进度", "质检记录", "发货记录", "客户资料", "人员"}


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("memo") / "register.xlsx"
    build_register(path, orders=60, mistakes=True, seed=11)   # openpyxl-written: shared strings, styles
    return path


@pytest.fixture
def book(tmp_path: Path, original: Path) -> Path:
    return Path(shutil.copy(original, tmp_path / "register.xlsx"))


def assert_same(kept: Register, fresh: Register) -> None:
    assert kept.tables.keys() == fresh.tables.keys()
    for name, table in fresh.tables.items():
        other = kept.tables[name]
        assert (other.sheet, other.header_row, other.unmapped) == (table.sheet, table.header_row, table.unmapped)
        assert {f: (c.index, c.header) for f, c in other.columns.items()} == \
            {f: (c.index, c.header) for f, c in table.columns.items()}
        pd.testing.assert_frame_equal(other.data, table.data)
        for f in table.columns:
            assert list(other.raw[f]) == list(table.raw[f]), (name, f)
        assert {f: np.asarray(b).tolist() for f, b in other.bad.items()} == \
            {f: np.asarray(b).tolist() for f, b in table.bad.items()}
    assert kept.problems == fresh.problems


SST = "xl/sharedStrings.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
INLINE = re.compile(r'<c r="([A-Z]+\d+)"([^>]*?) t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>', re.S)


def rewrite(path: Path, parts: dict[str, bytes]) -> None:
    """The package with some parts replaced or added, written the way a spreadsheet program saves."""
    with zipfile.ZipFile(path) as old:
        members = {info.filename: old.read(info) for info in old.infolist()}
    members.update(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in members.items():
            new.writestr(name, data)


def with_shared_strings(path: Path) -> list[str]:
    """Turn the demo's inline strings into a shared-strings table, as Excel writes workbooks."""
    strings: dict[str, int] = {}
    with zipfile.ZipFile(path) as package:
        sheets = {n: package.read(n).decode() for n in package.namelist() if n.startswith("xl/worksheets/")}
        rels = package.read("xl/_rels/workbook.xml.rels").decode()
        types = package.read("[Content_Types].xml").decode()

    def shared(m: re.Match) -> str:
        index = strings.setdefault(html.unescape(m[3]), len(strings))
        return f'<c r="{m[1]}"{m[2]} t="s"><v>{index}</v></c>'

    parts = {name: INLINE.sub(shared, xml).encode() for name, xml in sheets.items()}
    parts[SST] = sst(list(strings))
    parts["xl/_rels/workbook.xml.rels"] = rels.replace("</Relationships>", (
        '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        'Target="sharedStrings.xml" Id="rIdSst" /></Relationships>')).encode()
    parts["[Content_Types].xml"] = types.replace("</Types>", (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')).encode()
    rewrite(path, parts)
    return list(strings)


def sst(strings: list[str]) -> bytes:
    items = "".join(f"<si><t>{html.escape(s, quote=False)}</t></si>" for s in strings)
    return f'<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'.encode()


def edit(path: Path, sheet: str, cell: str, value) -> None:
    book = openpyxl.load_workbook(path)
    book[sheet][cell] = value
    book.save(path)


def test_a_save_that_changes_one_tab_reads_only_that_tab(book):
    memos: dict[str, SheetMemo] = {}
    first = load([ExcelSource("register", book)], memos=memos)
    assert set(memos["register"].reread) == ALL_TABS
    edit(book, "生产进度", "E5", 777)                      # a number: the shared strings stay as they were
    kept = load([ExcelSource("register", book)], memos=memos)
    assert memos["register"].reread == ["生产进度"]
    assert_same(kept, load([ExcelSource("register", book)]))
    assert kept.tables["orders"] is first.tables["orders"]
    assert kept.tables["production"] is not first.tables["production"]


def test_new_text_changes_the_shared_strings_and_every_tab_is_read(book):
    strings = with_shared_strings(book)
    memos: dict[str, SheetMemo] = {}
    first = load([ExcelSource("register", book)], memos=memos)
    assert set(memos["register"].reread) == ALL_TABS
    load([ExcelSource("register", book)], memos=memos)
    assert memos["register"].reread == []

    # a note nobody had typed before: appended to the shared strings, and used in the orders tab
    with zipfile.ZipFile(book) as package:
        orders = package.read("xl/worksheets/sheet1.xml").decode()
    cell = re.search(r'<c r="A5"[^>]*><v>(\d+)</v></c>', orders)
    assert cell, "A5 holds a shared string"
    orders = orders.replace(cell[0], cell[0].replace(f"<v>{cell[1]}</v>", f"<v>{len(strings)}</v>"))
    rewrite(book, {"xl/worksheets/sheet1.xml": orders.encode(), SST: sst(strings + ["SO-NEW-0001"])})
    kept = load([ExcelSource("register", book)], memos=memos)
    assert set(memos["register"].reread) == ALL_TABS     # every tab reads its text through the changed table
    assert_same(kept, load([ExcelSource("register", book)]))
    assert "SO-NEW-0001" in set(kept.tables["orders"].data["order_no"])
    assert len(kept.tables["orders"]) == len(first.tables["orders"])


def test_same_bytes_read_nothing_and_give_the_same_tables(book):
    memos: dict[str, SheetMemo] = {}
    first = load([ExcelSource("register", book)], memos=memos)
    kept = load([ExcelSource("register", book)], memos=memos)
    assert memos["register"].reread == []
    assert_same(kept, first)


def test_a_renamed_or_hidden_tab_is_taken_as_it_is_now(book):
    memos: dict[str, SheetMemo] = {}
    load([ExcelSource("register", book)], memos=memos)
    wb = openpyxl.load_workbook(book)
    wb["发货记录"].title = "出货记录"
    wb["质检记录"].sheet_state = "hidden"
    wb.save(book)
    kept = load([ExcelSource("register", book)], memos=memos)
    fresh = load([ExcelSource("register", book)])
    assert_same(kept, fresh)
    assert kept.tables["shipping"].sheet == "出货记录" and "qc" not in kept.tables
    assert "质检记录" not in memos["register"].found


def test_a_tab_that_becomes_a_table_later_is_read_then(book):
    """Two tabs look like orders; the better one goes: the kept runner-up must be read to become the table."""
    wb = openpyxl.load_workbook(book)
    copy = wb.copy_worksheet(wb["订单登记"])
    copy.title = "订单登记 (旧)"
    copy.delete_rows(10, 40)                               # fewer rows: it loses to the real one on ties
    wb.save(book)
    memos: dict[str, SheetMemo] = {}
    first = load([ExcelSource("register", book)], memos=memos)
    chosen = first.tables["orders"].sheet
    wb = openpyxl.load_workbook(book)
    del wb[chosen]
    wb.save(book)
    kept = load([ExcelSource("register", book)], memos=memos)
    assert memos["register"].reread == [kept.tables["orders"].sheet]   # kept as a runner-up, read now
    assert_same(kept, load([ExcelSource("register", book)]))
    assert kept.tables["orders"].sheet != chosen


def test_sources_without_sheet_tokens_are_read_whole(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("订单号,客户,订单数量,交货日期\nSO-1,安踏,1200,2026-12-01\n", encoding="utf-8")
    memos: dict[str, SheetMemo] = {}
    for _ in range(2):
        register = load([CsvSource("orders", path)], memos=memos)
        assert len(register.tables["orders"]) == 1
        assert memos["orders"].reread == [register.tables["orders"].sheet]


def test_the_daemon_path_gives_the_same_findings_after_a_one_tab_save(book):
    """End to end through the service's cache: findings equal a fresh check's."""
    from sync.pipeline import check_register

    memos: dict[str, SheetMemo] = {}
    load([ExcelSource("register", book)], memos=memos)
    edit(book, "订单登记", "J12", datetime(2020, 1, 1))    # a due date before the order date
    kept = load([ExcelSource("register", book)], memos=memos)
    assert memos["register"].reread == ["订单登记"]
    today = datetime(2026, 11, 27).date()
    ours = [f.to_dict() for f in check_register(kept, None, today=today).findings]
    theirs = [f.to_dict() for f in check_register(load([ExcelSource("register", book)]), None, today=today).findings]
    assert ours == theirs
    assert any(f["cell"] == "J12" for f in ours)

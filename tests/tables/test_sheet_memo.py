"""Reading again only the tabs a save changed: the result is the register a full read gives.

The daemon keeps, per workbook, each sheet's match and table under a token of
the sheet's XML, the lineage of the shared strings and styles (unchanged while
a save only adds to them, as Excel does: ``sync.sources.lineage``) and the
date system. These tests save real workbooks the ways users do and compare
the kept-and-reread register with a read from scratch.
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

from sync.demo.data import SHEETS
from sync.demo.register import build_register
from sync.config import TableConfig
from sync.tables.register import Register, SheetMemo, load
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
        assert {f: e.tolist() for f, e in other.errors.items()} == {f: e.tolist() for f, e in table.errors.items()}
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


def shared_string_cell(path: Path, sheet_part: str, cell: str) -> tuple[str, int]:
    with zipfile.ZipFile(path) as package:
        xml = package.read(sheet_part).decode()
    found = re.search(rf'<c r="{cell}"[^>]*><v>(\d+)</v></c>', xml)
    assert found, f"{cell} holds a shared string"
    return xml, int(found[1])


def test_new_text_is_added_to_the_shared_strings_and_only_its_tab_is_read(book):
    """Excel gives a text nobody had typed before the next index: the other tabs read as they did."""
    strings = with_shared_strings(book)
    memos: dict[str, SheetMemo] = {}
    first = load([ExcelSource("register", book)], memos=memos)
    assert set(memos["register"].reread) == ALL_TABS
    load([ExcelSource("register", book)], memos=memos)
    assert memos["register"].reread == []

    orders, index = shared_string_cell(book, "xl/worksheets/sheet1.xml", "A5")
    cell = re.search(r'<c r="A5"[^>]*><v>\d+</v></c>', orders)[0]
    orders = orders.replace(cell, cell.replace(f"<v>{index}</v>", f"<v>{len(strings)}</v>"))
    rewrite(book, {"xl/worksheets/sheet1.xml": orders.encode(), SST: sst(strings + ["SO-NEW-0001"])})
    kept = load([ExcelSource("register", book)], memos=memos)
    assert memos["register"].reread == ["订单登记"]
    assert_same(kept, load([ExcelSource("register", book)]))
    assert "SO-NEW-0001" in set(kept.tables["orders"].data["order_no"])
    assert len(kept.tables["orders"]) == len(first.tables["orders"])
    assert kept.tables["shipping"] is first.tables["shipping"]


def test_shared_strings_changed_in_place_read_every_tab(book):
    """A program that renumbers or rewrites its strings: no sheet's XML moved, yet their text did."""
    strings = with_shared_strings(book)
    memos: dict[str, SheetMemo] = {}
    first = load([ExcelSource("register", book)], memos=memos)
    _, index = shared_string_cell(book, "xl/worksheets/sheet1.xml", "A5")
    renamed = strings[index] + "-B"
    rewrite(book, {SST: sst([renamed if i == index else s for i, s in enumerate(strings)])})
    kept = load([ExcelSource("register", book)], memos=memos)
    assert set(memos["register"].reread) == ALL_TABS
    assert_same(kept, load([ExcelSource("register", book)]))
    assert renamed in set(kept.tables["orders"].data["order_no"])
    assert strings[index] not in set(kept.tables["orders"].data["order_no"])
    # every tab was read; the tabs the order number is not on read as before and keep their tables
    assert set(memos["register"].same) == {"客户资料", "人员"}
    assert kept.tables["orders"] is not first.tables["orders"]
    assert kept.tables["shipping"] is not first.tables["shipping"]
    assert kept.tables["customers"] is first.tables["customers"]


def renumbered(path: Path, strings: list[str]) -> dict[str, bytes]:
    """Every part that names a shared string, with the strings in reverse order: what a program that writes its
    own string table does. Every tab's XML changes; no cell does."""
    last = len(strings) - 1
    with zipfile.ZipFile(path) as package:
        sheets = {n: package.read(n).decode() for n in package.namelist() if n.startswith("xl/worksheets/sheet")}
    flip = re.compile(r'(<c r="[A-Z]+\d+"[^>]*? t="s"[^>]*><v>)(\d+)(</v>)')
    parts = {name: flip.sub(lambda m: f"{m[1]}{last - int(m[2])}{m[3]}", xml).encode() for name, xml in sheets.items()}
    parts[SST] = sst(strings[::-1])
    return parts


def test_every_tab_rewritten_with_the_same_cells_keeps_every_table(book):
    """A save that renumbers the shared strings: every tab is read, none is worked out again."""
    strings = with_shared_strings(book)
    memos: dict[str, SheetMemo] = {}
    first = load([ExcelSource("register", book)], memos=memos)
    rewrite(book, renumbered(book, strings))
    kept = load([ExcelSource("register", book)], memos=memos)
    assert set(memos["register"].reread) == ALL_TABS
    assert set(memos["register"].same) == ALL_TABS
    assert_same(kept, load([ExcelSource("register", book)]))
    assert all(kept.tables[name] is table for name, table in first.tables.items())
    # and the next save that leaves those tokens alone reads nothing
    load([ExcelSource("register", book)], memos=memos)
    assert memos["register"].reread == []


def test_a_cell_typed_otherwise_is_not_the_same_cell(book):
    """A quantity typed again as text ('450' for 450), in a save that also renumbers every string: the
    cell reads otherwise now, so that tab, and only that one, is worked out again."""
    strings = with_shared_strings(book)
    memos: dict[str, SheetMemo] = {}
    first = load([ExcelSource("register", book)], memos=memos)
    parts = renumbered(book, strings)
    orders = parts["xl/worksheets/sheet1.xml"].decode()
    number = re.search(r'<c r="(G\d+)"( s="\d+")? t="n"><v>(\d+)</v></c>', orders)
    assert number, "a quantity typed as a number in the orders tab"
    cell, value = number[1], number[3]
    parts["xl/worksheets/sheet1.xml"] = orders.replace(
        number[0], f'<c r="{cell}"{number[2] or ""} t="inlineStr"><is><t>{value}</t></is></c>').encode()
    rewrite(book, parts)
    kept = load([ExcelSource("register", book)], memos=memos)
    assert set(memos["register"].same) == ALL_TABS - {"订单登记"}
    assert_same(kept, load([ExcelSource("register", book)]))
    assert kept.tables["orders"] is not first.tables["orders"]
    assert kept.tables["production"] is first.tables["production"]


def test_a_cell_showing_another_formula_error_is_not_the_same_cell(book):
    """A due date whose lookup showed #N/A shows #REF! after a save that also renumbers every string: every cell
    reads "" as before, but what it shows moved, so that tab is worked out again and says the new error."""
    strings = with_shared_strings(book)
    orders = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(book) as package:
        xml = package.read(orders).decode()
    due = re.search(r'<c r="(J[4-9])"( s="\d+")?( t="\w+")?>.*?</c>', xml)   # 交货日期: J, under the header on row 3
    assert due, "a due date on the orders tab"
    rewrite(book, {orders: xml.replace(due[0], f'<c r="{due[1]}"{due[2] or ""} t="e"><v>#N/A</v></c>').encode()})
    memos: dict[str, SheetMemo] = {}
    first = load([ExcelSource("register", book)], memos=memos)
    assert [e for e in first.tables["orders"].errors["due_date"].tolist() if e] == ["#N/A"]
    parts = renumbered(book, strings)
    parts[orders] = parts[orders].replace(b"<v>#N/A</v>", b"<v>#REF!</v>")
    rewrite(book, parts)
    kept = load([ExcelSource("register", book)], memos=memos)
    assert set(memos["register"].same) == ALL_TABS - {"订单登记"}
    assert_same(kept, load([ExcelSource("register", book)]))
    assert [e for e in kept.tables["orders"].errors["due_date"].tolist() if e] == ["#REF!"]


def test_a_workbook_put_back_from_a_copy_reads_every_tab(book, tmp_path):
    """Strings added, then the older file copied back over it: not an addition to what was last seen."""
    strings = with_shared_strings(book)
    older = Path(shutil.copy(book, tmp_path / "older.xlsx"))
    memos: dict[str, SheetMemo] = {}
    load([ExcelSource("register", book)], memos=memos)
    rewrite(book, {SST: sst(strings + ["SO-NEW-0001"])})
    load([ExcelSource("register", book)], memos=memos)
    assert memos["register"].reread == []        # added, and no sheet uses it yet
    shutil.copy(older, book)
    kept = load([ExcelSource("register", book)], memos=memos)
    assert set(memos["register"].reread) == ALL_TABS
    assert_same(kept, load([ExcelSource("register", book)]))


STYLES = "xl/styles.xml"


def test_a_new_cell_style_reads_only_the_tab_that_uses_it(book):
    """Excel adds a style for a cell formatted in a new way; the other tabs' styles keep their formats."""
    memos: dict[str, SheetMemo] = {}
    first = load([ExcelSource("register", book)], memos=memos)
    with zipfile.ZipFile(book) as package:
        styles = package.read(STYLES).decode()
        production = package.read("xl/worksheets/sheet3.xml").decode()
    count = int(re.search(r'<cellXfs count="(\d+)"', styles)[1])
    styles = styles.replace(f'<cellXfs count="{count}"', f'<cellXfs count="{count + 1}"').replace(
        "</cellXfs>", '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" applyNumberFormat="1" /></cellXfs>')
    production = re.sub(r'<c r="E5"( s="\d+")?', f'<c r="E5" s="{count}"', production, count=1)
    rewrite(book, {STYLES: styles.encode(), "xl/worksheets/sheet3.xml": production.encode()})
    kept = load([ExcelSource("register", book)], memos=memos)
    assert memos["register"].reread == ["生产进度"]
    assert_same(kept, load([ExcelSource("register", book)]))
    assert kept.tables["orders"] is first.tables["orders"]


def test_a_number_format_changed_in_place_reads_every_tab(book):
    """The date style turned into a plain number format: every tab's dates read differently now."""
    memos: dict[str, SheetMemo] = {}
    first = load([ExcelSource("register", book)], memos=memos)
    with zipfile.ZipFile(book) as package:
        styles = package.read(STYLES).decode()
    assert 'numFmtId="164"' in styles
    rewrite(book, {STYLES: styles.replace('<xf numFmtId="164"', '<xf numFmtId="1"').encode()})
    kept = load([ExcelSource("register", book)], memos=memos)
    assert set(memos["register"].reread) == ALL_TABS
    fresh = load([ExcelSource("register", book)])
    assert_same(kept, fresh)
    # the same dates, now typed as serial numbers: what the cells hold changed, so nothing could be kept
    assert list(kept.tables["orders"].raw["order_date"]) != list(first.tables["orders"].raw["order_date"])


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
    """Two tabs look like orders; the better one goes: the kept runner-up must be read to become the table.

    The old tab lacks the remarks column: a tab of the same layout would be part of the table (issue 14)."""
    wb = openpyxl.load_workbook(book)
    copy = wb.copy_worksheet(wb["订单登记"])
    copy.title = "订单登记 (旧)"
    copy.delete_rows(10, 40)
    copy.delete_cols(copy.max_column)                      # one column fewer: it loses to the real one
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
    from sync.checks.pipeline import check_register

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


# --- tables config.toml pins (what `ordersync init` writes) --------------------------------------------------

PINNED = SHEETS["zh"]   # table -> the demo's tab


def pinned(**orders) -> dict[str, TableConfig]:
    return {t: TableConfig(source="register", sheet=s, **(orders if t == "orders" else {})) for t, s in PINNED.items()}


def test_pinned_tables_read_only_the_tab_a_save_changed(book):
    memos: dict[str, SheetMemo] = {}
    first = load([ExcelSource("register", book)], pinned(), memos=memos)
    assert set(memos["register"].reread) == ALL_TABS
    again = load([ExcelSource("register", book)], pinned(), memos=memos)
    assert memos["register"].reread == []
    assert all(again.tables[name] is table for name, table in first.tables.items())
    edit(book, "生产进度", "E5", 777)
    kept = load([ExcelSource("register", book)], pinned(), memos=memos)
    assert memos["register"].reread == ["生产进度"]
    assert_same(kept, load([ExcelSource("register", book)], pinned()))
    assert kept.tables["orders"] is first.tables["orders"]
    assert kept.tables["production"] is not first.tables["production"]


def test_pinned_tables_keep_what_was_said_of_a_kept_tab(book):
    """A header pinned to the wrong row is found elsewhere, with a warning: the tab kept from the last read
    still says so, in its place among the others."""
    memos: dict[str, SheetMemo] = {}
    wrong = pinned(header_row=1)          # the demo's orders header is on row 3
    first = load([ExcelSource("register", book)], wrong, memos=memos)
    assert [w.rule for w in first.warnings] == ["header-moved"]
    edit(book, "发货记录", "C3", 5)
    kept = load([ExcelSource("register", book)], wrong, memos=memos)
    assert memos["register"].reread == ["发货记录"]
    fresh = load([ExcelSource("register", book)], wrong)
    assert_same(kept, fresh)
    assert kept.warnings == fresh.warnings == first.warnings


def test_pinned_tables_every_tab_rewritten_with_the_same_cells(book):
    strings = with_shared_strings(book)
    memos: dict[str, SheetMemo] = {}
    first = load([ExcelSource("register", book)], pinned(), memos=memos)
    rewrite(book, renumbered(book, strings))
    kept = load([ExcelSource("register", book)], pinned(), memos=memos)
    assert set(memos["register"].reread) == set(memos["register"].same) == ALL_TABS
    assert_same(kept, load([ExcelSource("register", book)], pinned()))
    assert all(kept.tables[name] is table for name, table in first.tables.items())


def test_a_pinned_tab_renamed_is_said_as_without_a_memo(book):
    """A sheet config names is gone: the read is the one without a memo, its problem in its place."""
    memos: dict[str, SheetMemo] = {}
    load([ExcelSource("register", book)], pinned(), memos=memos)
    wb = openpyxl.load_workbook(book)
    wb["质检记录"].title = "质检记录2026"
    wb.save(book)
    kept = load([ExcelSource("register", book)], pinned(), memos=memos)
    fresh = load([ExcelSource("register", book)], pinned())
    assert_same(kept, fresh)
    assert [p.rule for p in kept.problems] == ["sheet-missing"] and "qc" not in kept.tables
    wb = openpyxl.load_workbook(book)
    wb["质检记录2026"].title = "质检记录"
    wb.save(book)
    back = load([ExcelSource("register", book)], pinned(), memos=memos)
    assert_same(back, load([ExcelSource("register", book)], pinned()))
    assert "qc" in back.tables and back.problems == []

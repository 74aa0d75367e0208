"""The daemon's join of one register per follower makes the decisions ``Register.add`` makes one file at a time.

``Merger`` decides for all the files of a folder at once when no table shares
most of its rows with the others, and file by file otherwise; either way each
table must join exactly the tables the pairwise rule joins (the first of a
name, then every same-layout table that is not a copy of those before it), in
the same order. The folders are real workbooks: followers of their own, a
backup copy of one, a register that took in a few of another's rows and one
that took in most of them.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from sync.demo.register import build_register
from sync.changes.snapshot import snapshot, snapshot_of
from sync.service.merge import Merger
from sync.sources import open_path
from sync.tables.register import Register, load
from sync.tables.table import concat_tables, is_copy, layout

TODAY = date(2026, 11, 27)


def pairwise(registers: list[Register]) -> dict[str, list[int]]:
    """Table name -> the ids of the tables it joins, one file after the other, as ``Register.add`` decides."""
    return {name: [id(t) for t in tables] for name, tables in pairwise_members(registers).items()}


def pairwise_members(registers: list[Register]) -> dict[str, list]:
    """Table name -> the tables it joins: the first of the name, then each same-layout table that is not a copy
    of those joined before it."""
    members: dict[str, list] = {}
    for register in registers:
        for table in register.tables.values():
            current = members.get(table.name)
            if current is None:
                members[table.name] = [table]
            elif layout(current[0]) == layout(table) and not is_copy(table, [concat_tables(current)]):
                current.append(table)
    return members


def take_rows(book: Path, donor: Path, share: float, rng: random.Random) -> None:
    """Overwrite ``share`` of the orders rows of ``book`` with rows of the same sheet of ``donor``."""
    wb, other = openpyxl.load_workbook(book), openpyxl.load_workbook(donor)
    ws, src = wb.worksheets[0], other.worksheets[0]
    rows = list(range(2, min(ws.max_row, src.max_row) + 1))
    for r in rng.sample(rows, int(len(rows) * share)):
        for c in range(1, ws.max_column + 1):
            ws.cell(r, c).value = src.cell(r, c).value
    wb.save(book)


def folder(tmp_path: Path, seed: int, extra: str) -> list[Path]:
    rng = random.Random(seed)
    books = []
    for n in range(3):
        books.append(tmp_path / f"follower-{n}.xlsx")
        build_register(books[-1], orders=60, seed=seed * 10 + n, today=TODAY)
    if extra == "backup":          # a copy of one follower's register beside it: every table a copy
        books.insert(2, tmp_path / "follower-0-copy.xlsx")
        books[2].write_bytes(books[0].read_bytes())
    elif extra in ("some", "most"):     # a register that took in a few (or most) of another's order lines
        books.append(tmp_path / f"follower-{extra}.xlsx")
        build_register(books[-1], orders=60, seed=seed * 10 + 7, today=TODAY)
        take_rows(books[-1], books[1], 0.3 if extra == "some" else 0.8, rng)
    return books


@pytest.mark.parametrize("extra", ["none", "backup", "some", "most"])
@pytest.mark.parametrize("seed", [1, 2])
def test_the_merge_joins_what_the_pairwise_rule_joins(tmp_path, seed, extra):
    books = folder(tmp_path, seed, extra)
    registers = [load([open_path(b, name=b.name)]) for b in books]
    merger = Merger()
    merged = merger.merge(registers)
    want = pairwise(registers)
    assert {n: [id(t) for t in ts] for n, ts in merger.members.items()} == want
    for name, tables in merger.members.items():
        assert merged.tables[name].data.equals(concat_tables(tables).data)
    if extra == "backup":
        assert any(len(ids) < len(books) for ids in want.values())   # the copy was left out
    # the next merge, one file read again (a new Table for each of its tabs), decides the same way
    registers[0] = load([open_path(books[0], name=books[0].name)])
    again = merger.merge(registers)
    assert {n: [id(t) for t in ts] for n, ts in merger.members.items()} == pairwise(registers)
    assert set(again.tables) == set(merged.tables)


def blank_remarks(book: Path) -> None:
    """A register whose remarks and payment terms are blank on every order: those columns read with another
    dtype than the others' (nothing but blanks), so its rows hash unlike the same cells of theirs."""
    wb = openpyxl.load_workbook(book)
    ws = wb.worksheets[0]
    header = next(r for r in range(1, 10) if any(c.value == "订单号" for c in ws[r]))
    for c in range(1, ws.max_column + 1):
        if ws.cell(header, c).value in ("备注", "付款方式"):
            for r in range(header + 1, ws.max_row + 1):
                ws.cell(r, c).value = None
    wb.save(book)


def assert_same_table(one, other) -> None:
    """Cell for cell and row for row: the frame, the cells as read, what was noted of them, where each row is."""
    assert one.data.equals(other.data), one.name
    assert [one.source, one.location, one.sheet, one.parts, one.notes, one.given] == \
        [other.source, other.location, other.sheet, other.parts, other.notes, other.given], one.name
    assert list(one.raw) == list(other.raw)
    for f in one.raw:
        assert one.raw.factor(f).codes.tolist() == other.raw.factor(f).codes.tolist(), (one.name, f)
        assert one.raw.factor(f).uniques.tolist() == other.raw.factor(f).uniques.tolist(), (one.name, f)
    for mine, theirs in ((one.bad, other.bad), (one.units, other.units), (one.errors, other.errors)):
        assert {f: a.tolist() for f, a in mine.items()} == {f: a.tolist() for f, a in theirs.items()}, one.name
    assert {f: {k: m.tolist() for k, m in by.items()} for f, by in one.marks.items()} == \
        {f: {k: m.tolist() for k, m in by.items()} for f, by in other.marks.items()}, one.name
    assert {c: (label, f.codes.tolist(), f.uniques.tolist()) for c, (label, f) in one.extra.items()} == \
        {c: (label, f.codes.tolist(), f.uniques.tolist()) for c, (label, f) in other.extra.items()}, one.name


@pytest.mark.parametrize("extra", ["none", "backup", "some", "most", "blank"])
def test_one_load_of_every_file_joins_what_the_pairwise_rule_joins(tmp_path, extra):
    """``ordersync check`` of a folder reads every file into one register, ``Register.add`` joining them one
    by one with the row hashes of what it has joined kept as it grows: the tables are the pairwise rule's."""
    books = folder(tmp_path, 4, "none" if extra == "blank" else extra)
    if extra == "blank":
        blank_remarks(books[1])
    registers = [load([open_path(b, name=b.name)]) for b in books]
    at_once = load([open_path(b, name=b.name) for b in books])
    members = pairwise_members(registers)
    assert set(at_once.tables) == set(members)
    for name, tables in members.items():
        assert_same_table(at_once.tables[name], concat_tables(tables))
    if extra in ("backup", "most"):
        assert any(len(tables) < len(books) for tables in members.values())   # a copy left out
        assert any("also looks like" in note for note in at_once.notes)
    else:   # each follower's own orders, whatever else they share (one list of customers, of people)
        assert len(members["orders"]) == len(books)


SNAPSHOT_ARRAYS = ("keys", "bases", "idents", "order_keys", "hashes", "rows")


def assert_snapshots_as_whole(register: Register) -> None:
    """The ledger's snapshot of each joined table, put together from its members', is the whole's."""
    for table in register.tables.values():
        pieced, whole = snapshot_of(table), snapshot(table)
        assert pieced.fields == whole.fields
        for name in SNAPSHOT_ARRAYS:
            assert getattr(pieced, name).tolist() == getattr(whole, name).tolist(), (table.name, name)
        every = range(len(whole))
        assert pieced.order_nos_at(every) == whole.order_nos_at(every), table.name


@pytest.mark.parametrize("extra", ["none", "some"])
def test_a_joined_table_is_snapshotted_from_its_members(tmp_path, extra):
    """Followers' registers share order numbers here (and, with ``some``, whole rows): keys stay apart by file.
    A save to one file snapshots that file's rows only; the others' pieces are kept."""
    books = folder(tmp_path, 3, extra)
    registers = [load([open_path(b, name=b.name)]) for b in books]
    merger = Merger()
    merged = merger.merge(registers)
    assert "orders" in merger.members and len(merger.members["orders"]) > 1
    assert_snapshots_as_whole(merged)
    pieces = {id(t): vars(t)["_piece"][1] for ts in merger.members.values() for t in ts if "_piece" in vars(t)}
    wb = openpyxl.load_workbook(books[0])
    wb.worksheets[0]["G12"] = 999                                          # a quantity
    wb.save(books[0])
    registers[0] = load([open_path(books[0], name=books[0].name)])
    again = merger.merge(registers)
    assert_snapshots_as_whole(again)
    orders = merger.members["orders"]
    assert vars(orders[1])["_piece"][1] is pieces[id(orders[1])]          # an unchanged file: its piece kept
    assert id(orders[0]) not in pieces

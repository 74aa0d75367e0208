"""The one test class every source backend passes (vdirsyncer's StorageTests pattern).

A backend's test module subclasses ``SourceContract`` and says how to build a
source holding given sheets (``make_source``) and how to change it
(``rewrite``). Everything else is shared.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sync.errors import SheetNotFound
from sync.sources.base import Grid, Source

SHEETS: dict[str, list[list[Any]]] = {
    "订单": [
        ["订单登记表 2026", "", "", ""],
        ["", "", "", ""],
        ["订单号", "客户", "数量", "交期"],
        ["SO-001", "Muji HK", 300, dt.datetime(2026, 9, 15)],
        ["SO-002", "无印良品", 1200.5, dt.datetime(2026, 10, 1)],
        ["", "", "", ""],
        ["合计", "", 1500.5, ""],
    ],
    "生产进度": [
        ["", "", ""],
        ["", "订单号", "完成数量"],
        ["", "SO-001", 120],
    ],
    "Shipping": [["Order No", "Shipped Qty"], ["SO-001", 100]],
}


def as_text(value: Any) -> str:
    """How a person reads a cell: numbers without a trailing .0, dates as ISO."""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class SourceContract:
    #: does the backend keep cell types (numbers, dates)? CSV does not.
    typed: bool = True
    #: can one source hold several sheets? CSV cannot.
    multi_sheet: bool = True

    def make_source(self, tmp_path, sheets: dict[str, list[list[Any]]]) -> Source:
        raise NotImplementedError

    def rewrite(self, source: Source, tmp_path, sheets: dict[str, list[list[Any]]]) -> None:
        """Change the content behind ``source`` in place."""
        raise NotImplementedError

    @pytest.fixture
    def sheets(self) -> dict[str, list[list[Any]]]:
        return SHEETS if self.multi_sheet else {"订单": SHEETS["订单"]}

    @pytest.fixture
    def source(self, tmp_path, sheets) -> Source:
        return self.make_source(tmp_path, sheets)

    def test_lists_sheets_in_order(self, source, sheets):
        assert [s.name for s in source.sheets()] == list(sheets)

    def test_grid_is_anchored_at_a1(self, source, sheets):
        grids = {g.sheet: g for g in source.read()}
        assert set(grids) == set(sheets)
        for name, rows in sheets.items():
            self.assert_same_cells(grids[name], rows)

    def test_reads_asked_sheets_in_asked_order(self, source, sheets):
        names = list(sheets)[::-1]
        assert [g.sheet for g in source.read(names)] == names

    def test_unknown_sheet_is_a_clear_error(self, source):
        with pytest.raises(SheetNotFound) as err:
            list(source.read(["没有这个表"]))
        assert "没有这个表" in str(err.value)
        assert source.location in str(err.value)

    def test_values_keep_their_type(self, source):
        grid = next(source.read(["订单"]))
        qty, due = grid.rows[3][2], grid.rows[3][3]
        if self.typed:
            assert isinstance(qty, (int, float)) and qty == 300
            assert isinstance(due, (dt.date, dt.datetime, float, int))
        else:
            assert as_text(qty) == "300"

    def test_fingerprint_follows_content(self, source, tmp_path, sheets):
        before = source.fingerprint()
        assert before == source.fingerprint()
        changed = {k: [list(r) for r in v] for k, v in sheets.items()}
        changed["订单"][3][2] = 3000
        self.rewrite(source, tmp_path, changed)
        assert source.fingerprint() != before
        grid = next(source.read(["订单"]))
        assert as_text(grid.rows[3][2]) == "3000"

    def test_formula_errors_read_as_unknown(self, tmp_path):
        """A cell showing a formula's error reads as "" and is named in ``Grid.errors`` with what it shows. Excel
        keeps it as an error cell (openpyxl writes "#N/A" as one), a CSV file and Google Sheets as its text; text
        that only starts with # is text."""
        rows = [["订单号", "交期", "备注"], ["SO-001", "#N/A", "#3 车间"], ["SO-002", "#REF!", ""], ["", "#N/A", ""]]
        folder = tmp_path / "errors"
        folder.mkdir()
        grid = next(self.make_source(folder, {"订单": rows}).read(["订单"]))
        assert grid.errors == {(1, 1): "#N/A", (2, 1): "#REF!", (3, 1): "#N/A"}
        assert [[as_text(v) for v in r[:3]] for r in grid.rows[1:4]] == [
            ["SO-001", "", "#3 车间"], ["SO-002", "", ""], ["", "", ""]]

    def assert_same_cells(self, grid: Grid, rows: list[list[Any]]) -> None:
        got = [[as_text(v) for v in r] for r in grid.rows]
        want = [[as_text(v) for v in r] for r in rows]
        # trailing empty rows/cells are not data: compare the used area
        width = max(len(r) for r in want)
        def trim(table):
            table = [(r + [""] * width)[:width] for r in table]
            while table and not any(table[-1]):
                table.pop()
            return table
        assert trim(got) == trim(want)

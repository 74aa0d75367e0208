"""Saying what each sheet is after a load reads no sheet a second time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sync.sources import MemorySource
from sync.sources.base import Grid
from sync.tables.reading import read_sheet, read_sources
from sync.tables.register import load

ORDERS = [["订单号", "客户", "款号", "数量", "交货日期"],
          *[[f"SO-{i}", "ACME", "ST-1", 100 + i, "2026-10-01"] for i in range(1, 8)]]
PLAN = [["Date", "QTY", "Part No", "Size"], *[["2026-01-20", 40, f"P-{i}", "M8"] for i in range(1, 8)]]
NOTES = [["这里是说明"], ["每周五更新"]]


class CountingSource(MemorySource):
    """A memory workbook that remembers which sheets were read, and how often."""

    def __init__(self, name: str, sheets: dict) -> None:
        super().__init__(name, sheets)
        self.reads: list[str] = []

    def read(self, names: Iterable[str] | None = None) -> Iterator[Grid]:
        for grid in super().read(names):
            self.reads.append(grid.sheet)
            yield grid


def test_what_the_load_saw_says_what_each_sheet_is_without_reading_it_again():
    book = CountingSource("book.xlsx", {"订单": ORDERS, "Plan 1": PLAN, "说明": NOTES})
    register = load([book])
    assert sorted(book.reads) == ["Plan 1", "订单", "说明"]
    readings = read_sources([book], register)
    assert sorted(book.reads) == ["Plan 1", "订单", "说明"]          # nothing read twice
    verdicts = {r.sheet: (r.verdict, r.match.table if r.match else None) for r in readings}
    assert verdicts == {"订单": ("recognised", "orders"), "Plan 1": ("probable", "production"),
                        "说明": ("none", None)}
    # and it is the verdict a fresh read of each sheet gives
    for grid in MemorySource("again", {"Plan 1": PLAN, "说明": NOTES}).read():
        fresh = read_sheet(grid, "book")
        assert (fresh.verdict, fresh.language) == next((r.verdict, r.language) for r in readings
                                                       if r.sheet == grid.sheet)

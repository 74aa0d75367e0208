"""A recognised header: which table a sheet is, where its header and data start, which column is which field.

``sync.tables.detect`` finds it; the table builder and the row roles
(``sync.tables.rows``) read by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sync.tables.labels import language_of


@dataclass
class HeaderMatch:
    table: str
    header_row: int                 # 0-based index of the (last) header row
    first_data: int                 # 0-based index of the first data row
    labels: list[str]               # header text per column, as the user sees it
    mapping: dict[str, int]         # canonical field -> 0-based column
    score: float
    notes: list[str] = field(default_factory=list)
    status: str = "recognised"      # "recognised" | "probable" (see the module docstring)
    key: list[str] = field(default_factory=list)       # the fields that identify a row
    composite: bool = False         # ``key`` is several columns chosen because no single one names a row
    missing: list[str] = field(default_factory=list)   # expected fields not found, the key first
    plan: bool = False              # a plan without an order number: ``key`` was found from its rows (a guess)
    stop: int | None = None
    borrowed: str = ""              # a sheet without a header row, read with this sheet's header (a guess)
    block: int = 0                  # 0: the sheet's top table; n: the n-th table stacked under it
    below: list[HeaderMatch] = field(default_factory=list)   # the top table's: the tables stacked under it         # 0-based row where another table stacked under this one starts (None: none)

    @property
    def header_row_1based(self) -> int:
        return self.header_row + 1

    @property
    def language(self) -> str | None:
        return language_of(self.labels)

    @property
    def recognised(self) -> bool:
        return self.status == "recognised"

"""An in-memory source: sheets given as lists of rows. For tests and the demo."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sync.errors import SheetNotFound
from sync.sources.base import Grid, SheetInfo, Source, register
from sync.sources.cell_errors import text_errors


@register
class MemorySource(Source):
    kind = "memory"

    def __init__(self, name: str, sheets: dict[str, list[list[Any]]], *, hidden: Iterable[str] = (),
                 date1904: bool = False) -> None:
        super().__init__(name, f"memory:{name}")
        self._sheets = {k: [list(r) for r in v] for k, v in sheets.items()}
        self._hidden = set(hidden)
        self._date1904 = date1904

    def sheets(self) -> list[SheetInfo]:
        return [SheetInfo(n, n in self._hidden) for n in self._sheets]

    def read(self, names: Iterable[str] | None = None) -> Iterator[Grid]:
        for name in self._sheets if names is None else list(names):
            if name not in self._sheets:
                raise SheetNotFound(self.location, f"no sheet named {name!r}")
            rows = [list(r) for r in self._sheets[name]]
            yield Grid(name, rows, date1904=self._date1904, errors=text_errors(rows))   # "#N/A" as a sheet shows it

    def fingerprint(self) -> str:
        return str(hash(repr(self._sheets)))

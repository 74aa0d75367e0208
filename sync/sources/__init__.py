"""Sources: where grids of cells come from. ``open_path`` picks the backend by file name."""

from __future__ import annotations

from pathlib import Path

from sync.errors import SourceUnreadable
from sync.sources import csv as _csv
from sync.sources import excel as _excel
from sync.sources import memory as _memory
from sync.sources.base import Grid, SheetInfo, Source, backend, register

CsvSource = _csv.CsvSource
ExcelSource = _excel.ExcelSource
MemorySource = _memory.MemorySource


def __getattr__(name: str) -> object:
    """``GSheetsSource`` is imported on first use (see ``base._LAZY``): reading Excel files never pays for it."""
    if name == "GSheetsSource":
        from sync.sources.gsheets import GSheetsSource

        return GSheetsSource
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_path(path: str | Path, name: str | None = None) -> Source:
    """A source for a workbook path given on the command line."""
    p = Path(path)
    suffix = p.suffix.lower()
    label = name or p.name
    if suffix in (".csv", ".tsv", ".txt"):
        return CsvSource(label, p)
    if suffix in _excel.EXTENSIONS:
        return ExcelSource(label, p)
    raise SourceUnreadable(str(p), f"not a spreadsheet file type ({suffix or 'no extension'}); "
                                   f"expected .xlsx, .xlsm, .xls, .ods or .csv")


__all__ = ["Grid", "SheetInfo", "Source", "CsvSource", "ExcelSource", "GSheetsSource", "MemorySource",
           "backend", "register", "open_path"]

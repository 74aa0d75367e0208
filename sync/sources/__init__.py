"""Sources: where grids of cells come from. ``open_path`` picks the backend by file name."""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

from sync.config import LimitsConfig
from sync.errors import SourceUnreadable
from sync.sources import csv as _csv
from sync.sources import excel as _excel
from sync.sources import memory as _memory
from sync.sources.base import Grid, SheetInfo, Source, backend, register
from sync.sources.google_addresses import is_google_url, spreadsheet_key

CsvSource = _csv.CsvSource
ExcelSource = _excel.ExcelSource
MemorySource = _memory.MemorySource


def __getattr__(name: str) -> object:
    """``GSheetsSource`` is imported on first use (see ``base._LAZY``): reading Excel files never pays for it."""
    if name == "GSheetsSource":
        from sync.sources.gsheets import GSheetsSource

        return GSheetsSource
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_path(path: str | Path, name: str | None = None, limits: LimitsConfig | None = None) -> Source:
    """A source for a workbook path (or a Google Sheets URL) given on the command line."""
    if is_google_url(str(path)):   # credentials from the environment, as zero-config promises
        url = str(path)
        return backend("gsheets").from_config(name or spreadsheet_key(url), {"key": url}, Path.cwd())
    p = Path(path)
    suffix = p.suffix.lower()
    label = name or p.name
    if suffix in (".csv", ".tsv", ".txt"):
        return CsvSource(label, p)
    if suffix in _excel.EXTENSIONS:
        return ExcelSource(label, p, limits)
    raise SourceUnreadable(str(p), f"not a spreadsheet file type ({suffix or 'no extension'}); "
                                   f"expected .xlsx, .xlsm, .xls, .ods or .csv")


def is_glob(path: str | Path) -> bool:
    return glob.has_magic(str(path))


def lock_files(path: Path) -> list[Path]:
    """The owner/lock files Excel and LibreOffice keep beside an open workbook."""
    return [path.with_name(f"~${path.name}"), path.with_name(f".~lock.{path.name}#")]


def is_open_elsewhere(path: Path) -> bool:
    """The workbook is open in Excel or LibreOffice (or being saved): its owner file is there."""
    return any(p.exists() for p in lock_files(path))


def is_lock_file(path: str | Path) -> bool:
    """An owner file Excel keeps beside an open workbook (``~$NAME.xlsx``) or LibreOffice's lock file."""
    return Path(path).name.startswith(("~$", ".~lock."))


def matching(pattern: str | Path) -> list[str]:
    """The workbooks a glob matches, by name: without the owner files of those open in Excel, which
    ``*.xlsx`` matches too (``~$follower-1.xlsx``, a few bytes naming who has it open)."""
    return sorted(p for p in glob.glob(str(pattern)) if not is_lock_file(p))


def open_paths(path: str | Path, limits: LimitsConfig | None = None) -> list[Source]:
    """``open_path`` for each workbook a glob (``registers/*.xlsx``) matches; a path without one, or a
    glob matching nothing, opens as itself (so a missing file says so)."""
    found = matching(path) if is_glob(path) else []
    return [open_path(p, limits=limits) for p in found] or [open_path(path, limits=limits)]


def from_config(name: str, kind: str, options: dict[str, Any], base_dir: Path,
                limits: LimitsConfig | None = None) -> list[Source]:
    """The sources of one ``[sources.NAME]``: one, or one per workbook its ``path`` glob matches
    (each named ``NAME/file`` and answering to NAME in ``[tables.*] source``), each held to ``limits``."""
    make = backend(kind).from_config
    options = dict(options)
    follower = options.pop("follower", None)   # whose register it is: no backend's business
    path = options.get("path")
    found = matching(base_dir / str(path)) if path and is_glob(path) else []
    if not found:
        out = [make(name, options, base_dir)]
    else:
        out = []
        for each in found:
            source = make(f"{name}/{Path(each).name}", dict(options, path=each), base_dir)
            source.group = name
            out.append(source)
    for source in out:
        source.follower = follower
        if limits is not None:
            source.set_limits(limits)
    return out


__all__ = ["Grid", "SheetInfo", "Source", "CsvSource", "ExcelSource", "GSheetsSource", "MemorySource",
           "backend", "register", "open_path",
           "open_paths", "from_config", "is_glob", "is_lock_file", "is_open_elsewhere", "lock_files", "matching"]

"""Excel workbooks (.xlsx, .xlsm, .xls, .ods) through python-calamine.

calamine reads every format in one fast pass and never trusts a declared
``<dimension>``; the bytes are first checked by ``sync.sources.safety``.
"""

from __future__ import annotations

import gc
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import defusedxml.ElementTree as ElementTree
import python_calamine as calamine

from sync.errors import SheetNotFound, SourceBusy, SourceUnreadable
from sync.sources.base import Grid, SheetInfo, Source, register
from sync.sources.lineage import shared_token
from sync.sources.safety import file_token, inspect

EXTENSIONS = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xla", ".ods")


@register
class ExcelSource(Source):
    kind = "excel"

    @classmethod
    def from_config(cls, name: str, options: dict, base_dir: Path) -> Source:
        return cls(name, base_dir / str(options["path"]))

    def __init__(self, name: str, path: str | Path) -> None:
        self.path = Path(path)
        super().__init__(name, str(self.path))

    def _open(self) -> tuple[calamine.CalamineWorkbook, bool]:
        checked = inspect(self.path)
        try:
            return calamine.CalamineWorkbook.from_path(str(self.path)), checked.date1904
        except calamine.PasswordError as exc:
            raise SourceUnreadable(self.location, "the workbook is password-protected (encrypted)") from exc
        except BaseException as exc:  # calamine panics surface as a BaseException
            raise self._translate(exc) from exc

    def _translate(self, exc: BaseException) -> Exception:
        if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
            return exc  # type: ignore[return-value]
        if isinstance(exc, OSError):
            return SourceBusy(self.location, f"cannot read the file ({exc})")
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return SourceUnreadable(self.location, f"corrupt or unsupported workbook ({text})")

    def sheets(self) -> list[SheetInfo]:
        book, _ = self._open()
        try:
            return [SheetInfo(m.name, m.visible != calamine.SheetVisibleEnum.Visible)
                    for m in book.sheets_metadata if m.typ == calamine.SheetTypeEnum.WorkSheet]
        finally:
            book.close()

    def read(self, names: Iterable[str] | None = None) -> Iterator[Grid]:
        book, date1904 = self._open()
        try:
            wanted = list(book.sheet_names if names is None else names)
            for name in wanted:
                if name not in book.sheet_names:
                    raise SheetNotFound(self.location, f"no sheet named {name!r}",
                                        hint=f"Sheets in the workbook: {', '.join(book.sheet_names)}")
                yield self._read_sheet(book, name, date1904)
        finally:
            book.close()

    def _read_sheet(self, book: calamine.CalamineWorkbook, name: str, date1904: bool) -> Grid:
        # to_python makes one list per row, millions of new containers and no cycles: the cyclic
        # collector running over and over while they are made costs more than the conversion itself
        collecting = gc.isenabled()
        gc.disable()
        try:
            sheet = book.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
        except BaseException as exc:
            raise self._translate(exc) from exc
        finally:
            if collecting:
                gc.enable()
        return Grid(name, rows, date1904=date1904, merged=merged)

    def sheet_sizes(self) -> dict[str, int]:
        """Uncompressed bytes of each worksheet's XML (.xlsx/.xlsm), a cheap hint of its size; {} otherwise."""
        try:
            with zipfile.ZipFile(self.path) as package:
                names = _sheet_parts(package)
                return {name: package.getinfo(part).file_size for name, part in names.items()
                        if part in package.NameToInfo}
        except (OSError, KeyError, ValueError, zipfile.BadZipFile, ElementTree.ParseError):
            return {}

    def sheet_tokens(self) -> dict[str, str]:
        """Sheet name -> a token of what its cells read as.

        The CRC and size of the sheet's own XML (from the package directory), the
        lineage of the parts every sheet is read through (shared strings, styles:
        ``sync.sources.lineage``, which stays put while Excel only adds to them)
        and the date system: a save that changes one tab leaves the other tabs'
        tokens as they were, so they need not be read again, even when it added
        new text. {} where that cannot be told (.xls, .ods, an odd package).
        """
        try:
            with zipfile.ZipFile(self.path) as package:
                parts = _sheet_parts(package)
                if not parts:
                    return {}
                where = str(self.path.resolve())
                shared = "|".join(shared_token(where, package, part, kind)
                                  for kind, part in _shared_parts(package))
                book = package.read("xl/workbook.xml")
                date1904 = b'date1904="1"' in book or b'date1904="true"' in book
                return {name: f"{_crc(package, part)}|{shared}|{int(date1904)}"
                        for name, part in parts.items() if part in package.NameToInfo}
        except (OSError, KeyError, ValueError, EOFError, zlib.error, zipfile.BadZipFile, ElementTree.ParseError):
            return {}

    def fingerprint(self) -> str:
        try:
            return file_token(self.path)
        except OSError:
            return ""


_HINT_LIMIT = 4_000_000
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _crc(package: zipfile.ZipFile, part: str) -> str:
    info = package.NameToInfo.get(part)
    return f"{info.CRC:08x}:{info.file_size}" if info is not None else "-"


def _shared_parts(package: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(kind, part) of the shared strings and styles, which every sheet's cells are read through."""
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    kinds = {"sharedStrings": "strings", "styles": "styles"}
    out = []
    for rel in rels.iter(f"{_RELS}Relationship"):
        kind = kinds.get(rel.get("Type", "").rsplit("/", 1)[-1])
        if kind:
            target = rel.get("Target", "")
            out.append((kind, target.lstrip("/") if target.startswith("/") else f"xl/{target}"))
    return sorted(out)


def _sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the package, from xl/workbook.xml and its relationships."""
    wanted = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
    if any(n not in package.NameToInfo or package.getinfo(n).file_size > _HINT_LIMIT for n in wanted):
        return {}  # a hint is not worth unpacking anything big before the safety checks have run
    book = ElementTree.fromstring(package.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_RELS}Relationship")}
    parts = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(_REL_ID), "")
        parts[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return parts

"""Excel workbooks (.xlsx, .xlsm, .xls, .ods) through python-calamine.

calamine reads every format in one fast pass and never trusts a declared
``<dimension>``; the bytes are first checked by ``sync.sources.safety``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import python_calamine as calamine

from sync.errors import SheetNotFound, SourceBusy, SourceUnreadable
from sync.sources.base import Grid, SheetInfo, Source, register
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
        try:
            sheet = book.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
        except BaseException as exc:
            raise self._translate(exc) from exc
        return Grid(name, rows, date1904=date1904, merged=merged)

    def fingerprint(self) -> str:
        try:
            return file_token(self.path)
        except OSError:
            return ""

"""CSV files: one sheet, named after the file. Encoding sniffed (UTF-8, UTF-8 with BOM, GB18030)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

from sync.errors import SheetNotFound, SourceUnreadable
from sync.sources.base import Grid, SheetInfo, Source, register
from sync.sources.cell_errors import text_errors
from sync.sources.safety import file_token

ENCODINGS = ("utf-8-sig", "gb18030")
MAX_BYTES = 256 * 1024**2


@register
class CsvSource(Source):
    kind = "csv"

    @classmethod
    def from_config(cls, name: str, options: dict, base_dir: Path) -> Source:
        return cls(name, base_dir / str(options["path"]), encoding=options.get("encoding"))

    def __init__(self, name: str, path: str | Path, *, encoding: str | None = None) -> None:
        self.path = Path(path)
        self.encoding = encoding
        super().__init__(name, str(self.path))

    @property
    def sheet_name(self) -> str:
        return self.path.stem

    def sheets(self) -> list[SheetInfo]:
        return [SheetInfo(self.sheet_name)]

    def read(self, names: Iterable[str] | None = None) -> Iterator[Grid]:
        for name in [self.sheet_name] if names is None else list(names):
            if name != self.sheet_name:
                raise SheetNotFound(self.location, f"no sheet named {name!r} (a CSV file has one: {self.sheet_name!r})")
            rows, hashed = self._rows()
            yield Grid(name, rows, errors=text_errors(rows) if hashed else {})   # #N/A as Excel saved it

    def _rows(self) -> tuple[list[list[str]], bool]:
        """The rows, and whether any cell may hold a # (a formula's error, as Excel writes it out)."""
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise SourceUnreadable(self.location, f"cannot read the file ({exc.strerror})") from exc
        if len(data) > MAX_BYTES:
            raise SourceUnreadable(self.location, "too large for a CSV register")
        if b"\x00" in data[:4096]:
            raise SourceUnreadable(self.location, "not a text CSV file (binary content)")
        text = self._decode(data)
        try:
            dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        return [row for row in csv.reader(io.StringIO(text, newline=""), dialect)], "#" in text

    def _decode(self, data: bytes) -> str:
        for enc in (self.encoding,) if self.encoding else ENCODINGS:
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                continue
        raise SourceUnreadable(self.location, f"cannot decode the text (tried {', '.join(ENCODINGS)})",
                               hint="Save the CSV as UTF-8, or set encoding in config.toml.")

    def fingerprint(self) -> str:
        try:
            return file_token(self.path)
        except OSError:
            return ""

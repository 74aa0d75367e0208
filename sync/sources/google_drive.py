"""Excel files kept in Google Drive: which Drive types are spreadsheets, and their bytes kept until the next version.

An .xlsx uploaded to Drive and opened in Sheets' Office-compatibility mode keeps
its Office ``mimeType``; the Sheets API refuses it (400 FAILED_PRECONDITION),
Drive hands out its bytes (``files/{id}?alt=media``), and ``sync.sources.excel``
reads them like any workbook on a disk.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path

NATIVE = "application/vnd.google-apps.spreadsheet"
EXCEL_TYPES = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
               "application/vnd.ms-excel.sheet.macroEnabled.12": ".xlsm",
               "application/vnd.ms-excel": ".xls",
               "application/vnd.oasis.opendocument.spreadsheet": ".ods"}


@dataclass
class Download:
    """The bytes of one Drive file at one version, in a private temporary folder."""

    folder: Path
    path: Path
    token: str | None

    @classmethod
    def save(cls, old: Download | None, filename: str, content: bytes, token: str | None) -> Download:
        """Keep ``content`` (replacing the last version's file, in the same folder)."""
        folder = old.folder if old else Path(tempfile.mkdtemp(prefix="ordersync-drive-"))
        if old is None:   # the folder goes when the process ends
            weakref.finalize(Download, shutil.rmtree, folder, True)
        path = folder / filename
        part = path.with_name(path.name + ".part")
        part.write_bytes(content)
        os.replace(part, path)   # a reader still holding the last version keeps its open file
        return cls(folder, path, token)

"""Look at a workbook's bytes before any parser does.

Refuses, in well under a second and without decompressing anything, what would
hang or explode a reader: zip bombs (huge uncompressed sizes or ratios), XML
entity bombs (a DOCTYPE in any part), encrypted packages, files that are not
spreadsheets at all. A zip without its central directory is most often a file
in the middle of being saved: that is ``SourceBusy``, which callers retry.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sync.errors import SourceBusy, SourceUnreadable

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

MAX_FILE_BYTES = 512 * 1024**2
MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
MAX_MEMBER_RATIO = 200          # only checked for members that inflate beyond:
RATIO_FLOOR_BYTES = 32 * 1024**2
XML_HEAD_BYTES = 4096           # a DOCTYPE must come before the root element

_DATE1904 = re.compile(rb"date1904\s*=\s*[\"'](1|true)[\"']")


@dataclass(frozen=True)
class Inspection:
    container: str   # "zip" (xlsx, xlsm, ods) or "ole" (xls)
    date1904: bool = False


def inspect(path: Path) -> Inspection:
    """Check a workbook file; raise ``SourceUnreadable`` / ``SourceBusy`` with the reason."""
    where = str(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise SourceUnreadable(where, "file not found") from None
    except PermissionError as exc:
        raise SourceBusy(where, f"cannot open the file ({exc.strerror}); it may be locked") from exc
    except OSError as exc:
        raise SourceUnreadable(where, f"cannot read the file ({exc.strerror})") from exc
    if size == 0:
        raise SourceBusy(where, "the file is empty (a save may be under way)")
    if size > MAX_FILE_BYTES:
        raise SourceUnreadable(where, f"too large ({size // 1024**2} MiB > {MAX_FILE_BYTES // 1024**2} MiB)")
    if head.startswith(OLE_MAGIC):
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xltx", ".xltm"):
            raise SourceUnreadable(where, "the workbook is password-protected (encrypted)",
                                   hint="Save a copy without a password to open, or remove the password.")
        return Inspection("ole")
    if not head.startswith(ZIP_MAGIC):
        raise SourceUnreadable(where, "not a spreadsheet (neither an Excel/ODS package nor a legacy .xls file)")
    return Inspection("zip", date1904=_inspect_zip(path))


def _inspect_zip(path: Path) -> bool:
    where = str(path)
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        # A package starts with a local header and ends with the central directory;
        # with the start and no end, the writer has not finished yet.
        raise SourceBusy(where, "the file looks half-written (incomplete zip package)") from exc
    except OSError as exc:
        raise SourceBusy(where, f"cannot read the file ({exc})") from exc
    with zf:
        infos = zf.infolist()
        if any(i.flag_bits & 0x1 for i in infos):
            raise SourceUnreadable(where, "the package is encrypted")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise SourceUnreadable(where, f"refused: it would inflate to {total // 1024**2} MiB (zip bomb?)")
        for info in infos:
            if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_MEMBER_RATIO * max(info.compress_size, 1):
                raise SourceUnreadable(where, f"refused: part {info.filename} inflates {info.file_size // max(info.compress_size, 1)}x (zip bomb?)")
        date1904 = False
        for info in infos:
            if not info.filename.endswith((".xml", ".rels")):
                continue
            try:
                with zf.open(info) as part:
                    head = part.read(XML_HEAD_BYTES)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise SourceUnreadable(where, f"corrupt package: part {info.filename} ({exc})") from exc
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise SourceUnreadable(where, f"refused: part {info.filename} declares XML entities (XML bomb?)")
            if info.filename.endswith("workbook.xml") and _DATE1904.search(head):
                date1904 = True
        return date1904


def file_token(path: Path) -> str:
    """size and mtime: changes on every save, costs one stat call."""
    st = os.stat(path)
    return f"{st.st_size}:{st.st_mtime_ns}"

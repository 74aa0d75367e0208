"""Look at a workbook's bytes before any parser does.

Refuses, in well under a second and without decompressing the sheets, what
would hang, explode or abort a reader: zip bombs (huge uncompressed sizes or
ratios), XML entity bombs (a DOCTYPE in any part), encrypted packages, files
that are not spreadsheets at all, packages over the ``[limits]`` budget, and
broken packages (a part whose deflate stream or stored bytes are corrupt, no
``xl/workbook.xml``). A zip without its central directory is most often a file
in the middle of being saved: that is ``SourceBusy``, which callers retry,
unless the file has stayed as it is for ``SETTLED_S``: then it is truncated.
"""

from __future__ import annotations

import os
import re
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from sync.config import LimitsConfig
from sync.errors import SourceBusy, SourceTooBig, SourceUnreadable
from sync.sources.extent import check_sheet

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

MAX_FILE_BYTES = 512 * 1024**2
MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
MAX_MEMBER_RATIO = 200          # only checked for members that inflate beyond:
RATIO_FLOOR_BYTES = 32 * 1024**2
XML_HEAD_BYTES = 4096           # a DOCTYPE must come before the root element
SETTLED_S = 2.0                 # a package that ends early and has not moved for this long is truncated
STORED_CHECK_BYTES = 64 * 1024**2   # stored (uncompressed) parts up to this size have their CRC checked
ZIP_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")

_DATE1904 = re.compile(rb"date1904\s*=\s*[\"'](1|true)[\"']")


@dataclass(frozen=True)
class Inspection:
    container: str   # "zip" (xlsx, xlsm, ods) or "ole" (xls)
    date1904: bool = False


def inspect(path: Path, limits: LimitsConfig | None = None) -> Inspection:
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
    return _inspect_zip(path, limits or LimitsConfig())


def _inspect_zip(path: Path, limits: LimitsConfig) -> Inspection:
    where = str(path)
    zf = _open_zip(path)
    with zf:
        infos = zf.infolist()
        if any(i.flag_bits & 0x1 for i in infos):
            raise SourceUnreadable(where, "the package is encrypted")
        total = sum(i.file_size for i in infos)
        _check_sizes(where, infos, total, limits)
        _check_workbook_part(path, zf)
        date1904 = False
        for info in infos:
            if not info.filename.endswith((".xml", ".rels")):
                continue
            head = _head(where, zf, info)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise SourceUnreadable(where, f"refused: part {info.filename} declares XML entities (XML bomb?)")
            if info.filename.endswith("workbook.xml") and _DATE1904.search(head):
                date1904 = True
            if info.compress_type == zipfile.ZIP_STORED and info.file_size <= STORED_CHECK_BYTES:
                _check_stored(where, zf, info)
            if "worksheets/" in info.filename:
                check_sheet(where, zf, info, head, limits.max_sheet_cells)
        return Inspection("zip", date1904=date1904)


def _open_zip(path: Path) -> zipfile.ZipFile:
    where = str(path)
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        # A package starts with a local header and ends with the central directory; with the
        # start and no end, the writer has not finished yet, or never will: a file that stays so
        # is truncated (a copy cut short, a disk that filled up), and waiting will not mend it.
        if _settled(path):
            raise SourceUnreadable(where, "truncated or corrupt: the zip package has no central directory "
                                          "(the file ends early)",
                                   hint="Open it in Excel to repair it, or restore the last good copy.") from exc
        raise SourceBusy(where, "the file looks half-written (incomplete zip package)") from exc
    except OSError as exc:
        raise SourceBusy(where, f"cannot read the file ({exc})") from exc


def _settled(path: Path) -> bool:
    """Nothing has written to the file for ``SETTLED_S``.

    The inode's change time counts too: a copy that keeps the original's modification time
    (Explorer, ``cp -p``) still moves it with every block written, and no one can set it back.
    """
    try:
        st = path.stat()
    except OSError:
        return False
    return time.time() - max(st.st_mtime, st.st_ctime) >= SETTLED_S


def _check_sizes(where: str, infos: list[zipfile.ZipInfo], total: int, limits: LimitsConfig) -> None:
    if total > MAX_UNCOMPRESSED_BYTES:
        raise SourceUnreadable(where, f"refused: it would inflate to {total // 1024**2} MiB (zip bomb?)")
    for info in infos:
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_MEMBER_RATIO * max(info.compress_size, 1):
            raise SourceUnreadable(where, f"refused: part {info.filename} inflates {info.file_size // max(info.compress_size, 1)}x (zip bomb?)")
    xml = sum(i.file_size for i in infos if i.filename.endswith((".xml", ".rels")))   # pictures are not read
    if xml > limits.max_workbook_mib * 1024**2:
        raise SourceTooBig(where, f"too big to read: {xml / 1024**2:.0f} MiB of sheet data once unpacked, "
                                  f"over the budget of {limits.max_workbook_mib:g} MiB",
                           hint="Raise [limits] max_workbook_mib in config.toml to read it "
                                "(it takes about that much memory and more), or split the register.")


def _check_workbook_part(path: Path, zf: zipfile.ZipFile) -> None:
    """An Excel package without xl/workbook.xml has no sheets to read: a reader would say 'empty'."""
    names = zf.NameToInfo
    if "xl/workbook.xml" in names or "content.xml" in names:   # content.xml: an OpenDocument sheet
        return
    what = "an Excel workbook" if path.suffix.lower() in ZIP_SUFFIXES else "a spreadsheet"
    raise SourceUnreadable(str(path), f"not {what}: the zip package has no xl/workbook.xml (damaged, or another "
                                      "kind of file renamed)",
                           hint="Open it in Excel and save it again as .xlsx, or restore the last good copy.")


def _head(where: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        with zf.open(info) as part:
            return part.read(XML_HEAD_BYTES)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError, NotImplementedError) as exc:
        raise _corrupt(where, info, exc) from exc


def _check_stored(where: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """A stored part has no deflate stream to break on damage: only its CRC tells (zipfile checks it at the end)."""
    try:
        with zf.open(info) as part:
            while part.read(1024**2):
                pass
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise _corrupt(where, info, exc) from exc


def _corrupt(where: str, info: zipfile.ZipInfo, exc: BaseException) -> SourceUnreadable:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return SourceUnreadable(where, f"corrupt package: part {info.filename} cannot be unpacked ({text})",
                            hint="Open it in Excel to repair it, or restore the last good copy.")


def file_token(path: Path) -> str:
    """size and mtime: changes on every save, costs one stat call."""
    st = os.stat(path)
    return f"{st.st_size}:{st.st_mtime_ns}"

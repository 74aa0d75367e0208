"""The real extent of a sheet whose XML declares a huge used range, found before a reader sizes its grid.

Older Excel files declare ``<dimension ref="A1:XFD1048574"/>``: the whole
sheet. The Rust reader builds a dense grid from the first to the last cell that
holds a value, so a declaration alone costs nothing, but one value far out
(a stray space typed in XFD1048574) would make it allocate gigabytes and abort
the process. When a sheet declares more cells than ``[limits]
max_sheet_cells``, its XML is streamed once here (inflated in chunks, never
whole) to find the last row and column that hold a value; a sheet whose data
really reaches that far is refused, with the far cell named, instead of read.
"""

from __future__ import annotations

import re
import zipfile
import zlib

from sync.errors import SourceTooBig, SourceUnreadable

CHUNK_BYTES = 4 * 1024**2
#: a sheet that declares no used range is looked through for far cells when its XML is at most this big
QUICK_SCAN_BYTES = 4 * 1024**2   # about 20 ms at most
# a reference in column AAA or beyond, or in row 1,000,000 or beyond: rare enough to look closer
_FAR_REFERENCE = re.compile(rb' r="(?:[A-Z]{3}\d|[A-Z]{1,3}\d{7})')   # a literal start: searched fast
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')
# a cell with a value (<v> or an inline string), whatever its attributes and formula
_VALUE_CELL = re.compile(rb'<c\s+r="([A-Z]{1,3})(\d{1,7})"[^>]*?(?<!/)>(?:(?!</c>).){0,4096}?<(?:v|is)[\s>]',
                         re.DOTALL)


def column_number(letters: bytes | str) -> int:
    """'A' -> 1, 'XFD' -> 16384."""
    out = 0
    for ch in letters if isinstance(letters, str) else letters.decode():
        out = out * 26 + ord(ch) - 64
    return out


def declared_cells(head: bytes) -> int | None:
    """Rows x columns of the used range a sheet's XML declares in its first bytes; None when it declares none."""
    found = _DIMENSION.search(head)
    if not found:
        return None
    if not found.group(3):
        return 1
    first_col, first_row, last_col, last_row = found.groups()
    rows = int(last_row) - int(first_row or 1) + 1
    cols = column_number(last_col) - column_number(first_col or b"A") + 1
    return max(rows, 0) * max(cols, 0)


def value_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int, str]:
    """(last row, last column, the cell that widened the extent last) over the cells that hold a value."""
    last_row = last_col = 0
    far, carry = "", b""
    with zf.open(info) as part:
        while True:
            chunk = part.read(CHUNK_BYTES)
            buf = carry + chunk
            cut = _cut(buf) if chunk else len(buf)
            for match in _VALUE_CELL.finditer(buf, 0, cut):
                row, col = int(match.group(2)), column_number(match.group(1))
                if row > last_row or col > last_col:
                    far = f"{match.group(1).decode()}{row}"
                    last_row, last_col = max(last_row, row), max(last_col, col)
            carry = buf[cut:]
            if not chunk:
                return last_row, last_col, far


def _cut(buf: bytes) -> int:
    """Where the last, maybe unfinished, cell of ``buf`` starts: it is scanned with the next chunk."""
    cut = buf.rfind(b"<c ")
    if cut <= 0:   # no cell starts here (a long stretch of other XML): keep only a tail that may hold one
        return max(len(buf) - 8192, 0)
    return cut


def check_sheet(where: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo, head: bytes, max_cells: int) -> None:
    """Refuse a sheet part whose data would make the reader's grid bigger than ``max_cells``.

    A declared range over the budget is checked against the cells themselves; a sheet that declares
    none (written by a tool, not by Excel) is looked through quickly for references far out when it
    is small enough for that to cost little, and checked closely only when one turns up.
    """
    declared = declared_cells(head)
    if declared is not None and declared > max_cells:
        check_extent(where, zf, info, max_cells)
    elif declared is None and info.file_size <= QUICK_SCAN_BYTES and _has_far_reference(zf, info):
        check_extent(where, zf, info, max_cells)


def _has_far_reference(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    try:
        with zf.open(info) as part:
            return _FAR_REFERENCE.search(part.read()) is not None
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise SourceUnreadable(where_of(zf), f"corrupt package: part {info.filename} cannot be unpacked "
                                             f"({exc})") from exc


def where_of(zf: zipfile.ZipFile) -> str:
    return str(zf.filename or "workbook")


def check_extent(where: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo, max_cells: int) -> None:
    """Refuse a sheet whose cells with values span more than ``max_cells``; say which cell is far out."""
    try:
        rows, cols, far = value_extent(zf, info)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise SourceUnreadable(where, f"corrupt package: part {info.filename} cannot be unpacked ({exc})") from exc
    if rows * cols > max_cells:
        raise SourceTooBig(where, f"{info.filename}: its data reaches cell {far} ({rows:,} rows x {cols:,} columns, "
                                  f"{rows * cols:,} cells), over the budget of {max_cells:,} cells",
                           hint=f"If {far} holds a stray value, clear it (and save); otherwise raise "
                                "[limits] max_sheet_cells in config.toml.")

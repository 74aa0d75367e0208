"""Cells that show a formula's error (#N/A, #REF!, #VALUE! ...).

Every backend hands such a cell over as ``""`` and names it in ``Grid.errors``: its value is
unknown, not blank, and the checks say so (``sync.checks.values``, kind ``formula-error``)
instead of calling the cell empty. A row holding nothing but errors stays a blank row: a
formula dragged down past the last order shows #N/A there, and that is no order.

python-calamine reads an error cell as ``""`` and does not say it was one, so for .xlsx the
worksheet's XML is scanned for cells of type ``e``: the part is inflated again, in pieces, and
only a piece that holds such a cell is searched further (0.6 s of one core for the 300 MiB of
XML of the 100k-order bench register, run in the thread that parses the sheet). A legacy .xls
workbook keeps its cells as BIFF records in the compound file's Workbook stream: an error cell is
a BOOLERR record with its error flag set, or a FORMULA record whose cached result is an error;
the stream is searched for either first, and walked record by record only when one turns up
(``biff_errors``). Google Sheets (``UNFORMATTED_VALUE``), CSV files and in-memory sheets hand over
the error's text, which is taken out the same way (``text_errors``). An .ods workbook's error
cells still read as blank.
"""

from __future__ import annotations

import re
import struct
import zipfile
from typing import Any

import olefile

#: what Excel, LibreOffice, WPS and Google Sheets show for a formula that failed
ERROR_CODES = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!",
    "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#EXTERNAL!", "#PYTHON!", "#ERROR!"})

_PIECE = 4 * 1024 * 1024
_CELL = re.compile(rb"<(?:\w+:)?c\s([^>]*?)(/?)>")
_TYPE_E = re.compile(rb"""\bt\s*=\s*["']e["']""")
_REF = re.compile(rb"""\br\s*=\s*["']([A-Z]{1,3})([0-9]{1,7})["']""")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")


def xml_errors(path: str, part: str) -> dict[tuple[int, int], str]:
    """(0-based row, 0-based column) -> the error shown, for each error cell of the worksheet ``part``
    in the package at ``path``; a cell without its own address is left out (it cannot be placed)."""
    found: dict[tuple[int, int], str] = {}
    with zipfile.ZipFile(path) as package, package.open(part) as stream:
        tail, mark = b"", b""
        while piece := stream.read(_PIECE):
            text = tail + piece
            mark = mark or (b"t='e'" if b"<c r='" in text or b":c r='" in text else b't="e"')
            cut = text.rfind(b"row>") + 4   # after a row's tag: no cell is cut in two
            if cut < 4:     # a row longer than a piece: wait for its end
                tail = text
                continue
            _scan(text, cut, mark, found)
            tail = text[cut:]
        _scan(tail, len(tail), mark, found)
    return found


def _scan(text: bytes, end: int, mark: bytes, found: dict[tuple[int, int], str]) -> None:
    """The error cells whose type attribute (``mark``) lies before ``end``."""
    at = text.find(mark, 0, end)
    while at >= 0:
        cell = _CELL.match(text, text.rfind(b"<", 0, at))
        at = text.find(mark, at + 1, end)
        if cell is None or not _TYPE_E.search(attributes := cell.group(1)) or not (ref := _REF.search(attributes)):
            continue
        close = None if cell.group(2) else _CELL_END.search(text, cell.end())
        value = _VALUE.search(text, cell.end(), close.start()) if close else None
        code = value.group(1).decode("utf-8", "replace").strip() if value else ""
        found[int(ref.group(2)) - 1, _column(ref.group(1))] = code or "#N/A"


def _column(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


#: BIFF's error codes (BOOLERR, and a FORMULA's cached result)
BIFF_CODES = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
              0x2A: "#N/A", 0x2B: "#GETTING_DATA"}
_BOF, _EOF, _BOUNDSHEET, _FILEPASS, _BOOLERR, _FORMULA = 0x0809, 0x000A, 0x0085, 0x002F, 0x0205, 0x0006
_ERROR_BYTES = b"[" + b"".join(re.escape(bytes([c])) for c in BIFF_CODES) + b"]"
#: a BOOLERR record that holds an error, or a FORMULA's cached error result: if neither is anywhere in the
#: stream, no cell shows an error and it is not walked (the walk is Python, one step a record)
_ANY_ERROR = re.compile(rb"\x05\x02\x08\x00.{6}" + _ERROR_BYTES + rb"\x01|\x02." + _ERROR_BYTES + rb"...\xff\xff",
                        re.DOTALL)   # (a result's reserved bytes are zero as Excel writes them, not as all do)


def biff_errors(path: str) -> dict[str, dict[tuple[int, int], str]]:
    """Sheet name -> (0-based row, 0-based column) -> the error shown, for each error cell of the legacy .xls
    workbook at ``path`` (BIFF8, and BIFF5's sheet names as Latin-1); {} where it has none, or is encrypted."""
    with olefile.OleFileIO(path) as ole:
        name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
        if name is None:
            return {}
        stream = ole.openstream(name).read()
    if _ANY_ERROR.search(stream) is None:
        return {}
    sheets: dict[int, str] = {}    # stream offset of a sheet's BOF -> its name
    found: dict[str, dict[tuple[int, int], str]] = {}
    at, current, end = 0, None, len(stream) - 4
    while at <= end:
        kind, size = struct.unpack_from("<HH", stream, at)
        body = at + 4
        if kind == _BOF:
            current = found.setdefault(sheets[at], {}) if at in sheets else None
        elif kind == _EOF:
            current = None
        elif kind == _FILEPASS:
            return {}
        elif kind == _BOUNDSHEET and size >= 8:
            sheets[struct.unpack_from("<I", stream, body)[0]] = _sheet_name(stream[body + 6:body + size])
        elif current is not None and kind == _BOOLERR and size >= 8 and stream[body + 7] == 1:
            row, col = struct.unpack_from("<HH", stream, body)
            current[row, col] = BIFF_CODES.get(stream[body + 6], "#N/A")
        elif current is not None and kind == _FORMULA and size >= 14 and stream[body + 6] == 2 \
                and stream[body + 12:body + 14] == b"\xff\xff":
            row, col = struct.unpack_from("<HH", stream, body)
            current[row, col] = BIFF_CODES.get(stream[body + 8], "#N/A")
        at = body + size
    return {sheet: cells for sheet, cells in found.items() if cells}


def _sheet_name(field: bytes) -> str:
    """A BOUNDSHEET's name: BIFF8's ShortXLUnicodeString (length, flags, UTF-16 or Latin-1), else BIFF5's bytes."""
    if len(field) >= 2 and field[1] in (0, 1) and len(field) >= 2 + field[0] * (field[1] + 1):
        chars = field[2:2 + field[0] * (field[1] + 1)]
        return chars.decode("utf-16-le" if field[1] else "latin-1")
    return field[1:1 + field[0]].decode("latin-1")


def text_errors(rows: list[list[Any]]) -> dict[tuple[int, int], str]:
    """The cells of ``rows`` whose text is exactly an error code, blanked in place: (row, column) -> the code."""
    found: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value.__class__ is str and value[:1] == "#" and value.strip() in ERROR_CODES:
                found[r, c] = value.strip()
                row[c] = ""
    return found


__all__ = ["BIFF_CODES", "ERROR_CODES", "biff_errors", "text_errors", "xml_errors"]

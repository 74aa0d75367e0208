"""Cells that show a formula's error (#N/A, #REF!, #VALUE! ...).

Every backend hands such a cell over as ``""`` and names it in ``Grid.errors``: its value is
unknown, not blank, and the checks say so (``sync.checks.values``, kind ``formula-error``)
instead of calling the cell empty. A row holding nothing but errors stays a blank row: a
formula dragged down past the last order shows #N/A there, and that is no order.

python-calamine reads an error cell as ``""`` and does not say it was one, so for .xlsx the
worksheet's XML is scanned for cells of type ``e``: the part is inflated again, in pieces, and
only a piece that holds such a cell is searched further (0.6 s of one core for the 300 MiB of
XML of the 100k-order bench register, run in the thread that parses the sheet). Google Sheets
(``UNFORMATTED_VALUE``), CSV files and in-memory sheets hand over the error's text, which is taken
out the same way (``text_errors``). An .xls or .ods workbook has no such XML to scan: its error
cells still read as blank.
"""

from __future__ import annotations

import re
import zipfile
from typing import Any

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


def text_errors(rows: list[list[Any]]) -> dict[tuple[int, int], str]:
    """The cells of ``rows`` whose text is exactly an error code, blanked in place: (row, column) -> the code."""
    found: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value.__class__ is str and value[:1] == "#" and value.strip() in ERROR_CODES:
                found[r, c] = value.strip()
                row[c] = ""
    return found


__all__ = ["ERROR_CODES", "text_errors", "xml_errors"]

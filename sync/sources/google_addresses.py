"""Where a Google spreadsheet is: its key from any URL users paste, and A1 ranges inside it.

Users paste what their browser shows: ``/spreadsheets/d/KEY/edit#gid=0``, the
same under ``/u/0/`` (a second signed-in account), ``open?id=KEY`` and
``/file/d/KEY/view`` (Drive links, the usual form of an uploaded Excel file),
``ccc?key=KEY`` (old links), with or without ``usp=sharing``. The key is the
only part that names the file; ``#gid=`` names a tab and is kept for links.
"""

from __future__ import annotations

import re
from typing import Any

from sync.errors import ConfigError

_KEY = r"([A-Za-z0-9_-]{10,})"
_PATH_KEY = re.compile(r"/d/" + _KEY)                    # /spreadsheets/d/KEY, /u/0/d/KEY, /file/d/KEY
_QUERY_KEY = re.compile(r"[?&#](?:id|key)=" + _KEY)      # open?id=KEY, ccc?key=KEY
_GID = re.compile(r"[#?&]gid=(\d+)")
#: a URL as a command line hands it over after ``pathlib.Path`` folded its ``//``
_GOOGLE_URL = re.compile(r"^(?:https?:/+)?(?:docs|drive|sheets)\.google\.com/", re.IGNORECASE)
_CELL = re.compile(r"^([A-Za-z]*)(\d*)$")


def is_google_url(text: str) -> bool:
    """True for a docs/drive.google.com address (also in the ``https:/docs…`` form ``Path`` makes of it)."""
    return bool(_GOOGLE_URL.match(text.strip()))


def spreadsheet_key(key_or_url: str) -> str:
    """The file's key from a bare key or any Google Sheets or Drive URL."""
    text = key_or_url.strip()
    if "/" not in text and "=" not in text:
        return text
    match = _PATH_KEY.search(text) or _QUERY_KEY.search(text)
    if match is None:
        raise ConfigError(f"no spreadsheet key in {text!r}",
                          hint="Give the key (the long id between /d/ and /edit) or the sheet's full URL.")
    return match.group(1)


def tab_id(url: str) -> int | None:
    """The ``gid`` (tab id) a URL points at, when it names one."""
    match = _GID.search(url)
    return int(match.group(1)) if match else None


def column_letters(index: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def column_index(letters: str) -> int:
    """A -> 1, AA -> 27."""
    out = 0
    for ch in letters.upper():
        out = out * 26 + ord(ch) - 64
    return out


def quote_sheet(name: str) -> str:
    """A tab name as A1 notation needs it: always quoted, inner quotes doubled."""
    return "'" + name.replace("'", "''") + "'"


def row_range(name: str, first: int, last: int, columns: int) -> str:
    """Rows ``first``..``last`` (1-based, inclusive) of a tab, columns A up to its last one."""
    return f"{quote_sheet(name)}!A{first}:{column_letters(max(columns, 1))}{last}"


def range_origin(a1: str) -> tuple[int, int]:
    """0-based (row, column) of the first cell of a response range such as ``'订单'!B3:F9``."""
    cells = a1.rpartition("!")[2] if "!" in a1 else ""
    match = _CELL.match(cells.split(":")[0])
    if not match:
        return 0, 0
    letters, digits = match.groups()
    return (int(digits) - 1 if digits else 0), (column_index(letters) - 1 if letters else 0)


def anchor(value_range: dict[str, Any]) -> list[list[Any]]:
    """Rows of a ValueRange re-anchored at A1 and made rectangular; empty cells are ``""``."""
    return stitch([value_range])


def stitch(parts: list[dict[str, Any]]) -> list[list[Any]]:
    """One tab's answers (whole, or row ranges in row order) as one grid anchored at A1.

    The values API leaves out trailing empty cells and rows, and sends an empty cell
    between values as ``""``; rows are padded to one width here, in one pass.
    """
    rows: list[list[Any]] = []
    for part in parts:
        values = part.get("values") or []
        if not values:
            continue
        top, left = range_origin(str(part.get("range", "")))
        rows.extend([] for _ in range(top - len(rows)))
        pad = [""] * left
        rows.extend((pad + r if left else r) for r in values)
    width = max(map(len, rows), default=0)
    return [r if len(r) == width else r + [""] * (width - len(r)) for r in rows]

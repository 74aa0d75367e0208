"""Tables stacked in one sheet: where the table under a header ends because another one starts.

A planner keeps one block per machine (or per quarter) in one sheet: a label
row ("KTR4-1"), a header, the rows, a blank or a TOTAL row, then the next label,
header and rows. Read as one table, the lower headers become data rows with
every value in the wrong column. A table ends where another header row starts:
after a break (a blank row, a totals row, a lone label), a row that reads as a
header of the same kind of table (two of its cells are that table's column
names, or one is and others name periods: Product … Oct … Nov … Dec), and does
not repeat the top header (a header repeated for printing is
``rows.repeated_header``'s, and its table goes on).

``table_end`` says where the table under a header stops (0-based, exclusive); the
label row over the next header is left out with it. Only the first
``STACK_SCAN`` rows under a header are looked at: stacked blocks are small, and a
100k-row register costs no more than that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sync.sources.base import Grid
from sync.tables.fields import header_key
from sync.tables.header import HeaderMatch
from sync.tables.rows import is_total_label

STACK_SCAN = 500
#: how many tables may stack under the top one
MAX_BLOCKS = 20
#: a row repeating this share of the top header's labels, column for column, is the same header again
REPEAT_SHARE = 0.6
#: cells of a row that must read as header cells, one of them a column name of the table
HEADER_CELLS = 2


def table_end(rows: list[list[Any]], header: int, first: int, labels: list[str],
              names: frozenset[str], periods: Any = None) -> int | None:
    """The row (0-based) where the next stacked table starts, or None when the table runs to the end.

    ``names`` are the header keys of the table's column names (``fields.alias_index``'s strong keys);
    ``periods(cell)`` says whether a cell names a period (a plan's month or week).
    """
    top = [header_key(label) for label in labels]
    seen_data = broke = False
    label_at = -1
    for r in range(first, min(len(rows), first + STACK_SCAN)):
        row = rows[r]
        filled = _filled(row)
        if not filled:
            broke = True
            continue
        if seen_data and (broke or _totals(rows[r - 1])) and _header_row(row, names, periods) \
                and not _repeats(row, top):
            return label_at if label_at == r - 1 else r
        lone = filled == 1 and isinstance(next(v for v in row if v is not None and v != ""), str)
        if lone and (broke or (r > first and _totals(rows[r - 1]))):
            label_at, broke = r, True   # a section label after a break: the next table's
            continue
        seen_data, broke = True, False
    return None


def _filled(row: list[Any]) -> int:
    """How many cells hold something (counted in C: this runs on every row under a header)."""
    return len(row) - row.count(None) - row.count("")


def _totals(row: list[Any]) -> bool:
    return any(isinstance(v, str) and len(v) <= 20 and is_total_label(v) for v in row[:4])


def _header_row(row: list[Any], names: frozenset[str], periods: Any) -> bool:
    texts = [v for v in row if isinstance(v, str) and v.strip()]
    named = sum(1 for v in texts if header_key(v) in names)
    timed = sum(1 for v in texts if periods is not None and periods(v))
    return named >= 1 and named + timed >= HEADER_CELLS


def _repeats(row: list[Any], top: list[str]) -> bool:
    filled = [(c, k) for c, k in enumerate(top) if k]
    same = sum(1 for c, k in filled if c < len(row) and isinstance(row[c], str) and header_key(row[c]) == k)
    return bool(filled) and same >= REPEAT_SHARE * len(filled)


def blocks(grid: Grid, top: HeaderMatch, find: Callable[[Grid], HeaderMatch | None]) -> list[HeaderMatch]:
    """The tables stacked under ``top`` in ``grid``, each as ``find`` reads the rows from where it starts
    (a label row, then its header), in sheet rows. Each scores below the top one: the sheet's first
    table is the one it is named after."""
    out: list[HeaderMatch] = []
    start = top.stop
    while start is not None and len(out) < MAX_BLOCKS:
        rows = grid.rows[start:]
        merged = [(r0 - start, c0, r1 - start, c1) for r0, c0, r1, c1 in grid.merged if r0 >= start]
        found = find(Grid(grid.sheet, rows, grid.date1904, merged))
        if found is None or found.header_row > 2:   # its header is right under the label, or it is no table
            break
        out.append(replace(found, header_row=found.header_row + start, first_data=found.first_data + start,
                           stop=None if found.stop is None else found.stop + start, block=len(out) + 1,
                           score=min(found.score, top.score) - 0.01 * (len(out) + 1)))
        start = out[-1].stop
    return out

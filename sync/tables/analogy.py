"""A sheet without a header row, read with the header of a sheet it is laid out like.

People copy rows out of a tracker into another tab ("Closed WO", "Archive") and
leave the header behind: the data start on row 1. Nothing in such a sheet names
its columns, but its columns line up with another sheet's of the same workbook:
the same number of them (give or take a column cut off at the left, a row
counter), and column for column the same kind of value (number, date, text).
Then that sheet's header reads it too (``borrow``). It is always a guess, and
said so (``HeaderMatch.borrowed``).

``shape`` is what is compared: per column, the kind of value most of its first
rows hold.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import replace
from typing import Any

from sync.tables.header import HeaderMatch
from sync.tables.rows import blank_cell

SAMPLE = 40
#: columns that must agree, and the share of typed columns that must
MIN_TYPED = 4
AGREE = 0.9
#: how many columns a copy may have lost (or gained) at its left
MAX_SHIFT = 2
#: a borrowed reading scores below any sheet that shows its own header
BORROWED_SCORE = 1.0

NUMBER, DATE, TEXT = "n", "d", "t"


def _kind(value: Any) -> str:
    if blank_cell(value):
        return ""
    if isinstance(value, bool):
        return TEXT
    if isinstance(value, (int, float)):
        return NUMBER
    if isinstance(value, (dt.date, dt.datetime)):
        return DATE
    return TEXT


def shape(rows: list[list[Any]], first: int) -> tuple[str, ...]:
    """Per column, the kind of value most of the rows from ``first`` hold ("" where none is most)."""
    sample = rows[first: first + SAMPLE]
    width = max((len(r) for r in sample), default=0)
    out = []
    for c in range(width):
        kinds = Counter(k for row in sample if c < len(row) and (k := _kind(row[c])))
        kind, n = kinds.most_common(1)[0] if kinds else ("", 0)
        out.append(kind if n >= 0.6 * sum(kinds.values()) else "")
    return tuple(out)


_CODE = re.compile(r"\d{4,}")


def headerless(rows: list[list[Any]]) -> bool:
    """The first row is data: it holds numbers, dates or codes (BN-SO-2526-0021), and no more words than those."""
    first = rows[0] if rows else []
    filled = [v for v in first if _kind(v)]
    values = sum(1 for v in filled if _kind(v) != TEXT or _CODE.search(str(v)))
    return values >= 2 and values >= len(filled) - values


def borrow(own: tuple[str, ...], others: list[tuple[str, HeaderMatch, tuple[str, ...]]]) -> HeaderMatch | None:
    """The reading of a headerless sheet of shape ``own`` with the header of the best-agreeing other sheet
    (sheet, its match, its shape), shifted by the columns the copy lost or gained at its left; None when
    no sheet agrees well enough."""
    best: tuple[float, int, str, HeaderMatch] | None = None
    for sheet, match, theirs in others:
        for shift in range(-MAX_SHIFT, MAX_SHIFT + 1):
            agreed = _agreement(own, theirs, shift)
            if agreed is not None and (best is None or agreed > best[0]):
                best = (agreed, shift, sheet, match)
    if best is None:
        return None
    _, shift, sheet, match = best
    return _shifted(match, shift, sheet, len(own))


def _agreement(own: tuple[str, ...], theirs: tuple[str, ...], shift: int) -> float | None:
    """The share of typed columns that agree when column c here is column c + shift there; None when the
    widths do not line up or too few agree."""
    if abs(len(theirs) - (len(own) + shift)) > 1:   # a blank last column may be cut off
        return None
    pairs = [(k, theirs[c + shift]) for c, k in enumerate(own) if k and 0 <= c + shift < len(theirs)]
    typed = [(a, b) for a, b in pairs if b]
    if len(typed) < MIN_TYPED:
        return None
    share = sum(a == b for a, b in typed) / len(typed)
    return share if share >= AGREE else None


def _shifted(match: HeaderMatch, shift: int, sheet: str, width: int) -> HeaderMatch | None:
    mapping = {f: c - shift for f, c in match.mapping.items() if 0 <= c - shift < width}
    if not any(f in mapping for f in match.key):
        return None
    labels = [match.labels[c + shift] if 0 <= c + shift < len(match.labels) else "" for c in range(width)]
    note = f"no header row: read with the header of {sheet} (a guess: its columns line up with it)"
    return replace(match, header_row=-1, first_data=0, labels=labels, mapping=mapping, score=BORROWED_SCORE,
                   notes=[note], key=[f for f in match.key if f in mapping], stop=None, borrowed=sheet)


def borrowed(lone: dict[str, tuple[str, ...]], shapes: dict[str, tuple[str, ...]],
             matches: list[tuple[float, str, HeaderMatch]]) -> list[tuple[float, str, HeaderMatch]]:
    """(score, sheet, match) for each sheet without a header row (``lone``: sheet -> shape) that lines up with a
    sheet recognised by its own header (``matches``, whose shapes are ``shapes``)."""
    own = {sheet: m for _, sheet, m in matches if not m.borrowed and sheet in shapes}
    out = []
    for sheet, kinds in lone.items():
        match = borrow(kinds, [(s, m, shapes[s]) for s, m in own.items()])
        if match is not None:
            out.append((match.score, sheet, match))
    return out

"""Find the tables in a workbook: which sheet is which table, where its header is.

Headers are found by alias wherever they are: title banners, notes, blank rows
and legends above them are normal, and so are two-row headers (a merged group
label over the column labels). Scoring a row only uses dictionary lookups, so
scanning the top of every sheet of a 67-sheet workbook stays cheap; the slower
substring matching runs once, on the chosen row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sync.fields import TABLES, AliasIndex, TableSpec, alias_index, header_key, header_variants
from sync.normalize import fold_text, parse_date_text, parse_number_text
from sync.sources.base import Grid

SCAN_ROWS = 30
MIN_FIELDS = 2
TOTAL_WORDS = frozenset({"合计", "小计", "总计", "总合计", "合計", "小計", "總計", "total", "totals", "subtotal",
                         "grandtotal", "sum", "本页合计", "累计"})


@dataclass
class HeaderMatch:
    table: str
    header_row: int                 # 0-based index of the (last) header row
    first_data: int                 # 0-based index of the first data row
    labels: list[str]               # header text per column, as the user sees it
    mapping: dict[str, int]         # canonical field -> 0-based column
    score: float
    notes: list[str] = field(default_factory=list)

    @property
    def header_row_1based(self) -> int:
        return self.header_row + 1


@lru_cache(maxsize=None)
def _index(table: str, extra: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> AliasIndex:
    return alias_index(TABLES[table], {k: list(v) for k, v in extra})


@lru_cache(maxsize=65536)
def _variants(label: str) -> tuple[str, ...]:
    return tuple(header_variants(label))


def cell_label(value: Any) -> str:
    return fold_text(value) if isinstance(value, str) else ""


def map_labels(labels: list[str], spec: TableSpec, index: AliasIndex, *, fuzzy: bool) -> dict[str, tuple[int, float]]:
    """field -> (column, strength). Greedy: the strongest claims first, each column and field once."""
    candidates: list[tuple[float, int, str]] = []
    for col, label in enumerate(labels):
        if not label:
            continue
        variants = _variants(label)
        for rank, v in enumerate(variants):
            if v in index.strong:
                candidates.append((3.0 if rank == 0 else 2.0, col, index.strong[v]))
            elif v in index.weak:
                candidates.append((1.0, col, index.weak[v]))
        if fuzzy and variants:
            whole = variants[0]
            for alias, name in index.strong.items():
                if len(alias) >= (4 if alias.isascii() else 2) and alias in whole and len(whole) - len(alias) <= 4:
                    candidates.append((0.5, col, name))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    mapping: dict[str, tuple[int, float]] = {}
    used: set[int] = set()
    for strength, col, name in candidates:
        if name not in mapping and col not in used:
            mapping[name] = (col, strength)
            used.add(col)
    return mapping


def score_mapping(spec: TableSpec, mapping: dict[str, tuple[int, float]], sheet: str) -> float:
    strong = {f for f, (_, s) in mapping.items() if s >= 2}
    signature = strong & set(spec.signature)
    name_hit = sheet_name_hits(spec, sheet)
    if len(mapping) < MIN_FIELDS or not (signature or (name_hit and strong)):
        return 0.0
    score = sum(3.0 if f == spec.key[0] else 2.0 if f in spec.signature else 1.0
                for f, (_, s) in mapping.items() if s >= 2)
    score += 0.5 * sum(1 for _, s in mapping.values() if s < 2)
    return score + (3.0 if name_hit else 0.0)


def sheet_name_hits(spec: TableSpec, sheet: str) -> bool:
    key = header_key(sheet)
    return any(header_key(w) in key for w in spec.sheet_words if len(header_key(w)) >= 2) or key in spec.sheet_words


def _row_labels(rows: list[list[Any]], r: int, width: int) -> list[str]:
    row = rows[r] if r < len(rows) else []
    return [cell_label(row[c]) if c < len(row) else "" for c in range(width)]


def _two_row_labels(upper: list[str], lower: list[str]) -> list[str]:
    filled, last = [], ""
    for u in upper:  # a merged group label covers the columns to its right
        last = u or last
        filled.append(last)
    return [f"{u}/{l}" if u and l and u != l else (l or u) for u, l in zip(filled, lower)]


def find_header(grid: Grid, table: str, *, header_row: int | None = None,
                aliases: dict[str, list[str]] | None = None) -> HeaderMatch | None:
    """The best header for ``table`` in the top of ``grid`` (or at a pinned 1-based row)."""
    spec = TABLES[table]
    index = _index(table, tuple(sorted((k, tuple(v)) for k, v in (aliases or {}).items())))
    rows, width = grid.rows, grid.width
    if header_row is not None:
        candidates = [(header_row - 1, _row_labels(rows, header_row - 1, width))]
    else:
        candidates = []
        for r in range(min(SCAN_ROWS, len(rows))):
            labels = _row_labels(rows, r, width)
            if sum(1 for x in labels if x) < MIN_FIELDS:
                continue
            candidates.append((r, labels))
            if r + 1 < len(rows):
                candidates.append((r + 1, _two_row_labels(labels, _row_labels(rows, r + 1, width))))
    best: tuple[float, int, list[str]] | None = None
    for r, labels in candidates:
        score = score_mapping(spec, map_labels(labels, spec, index, fuzzy=False), grid.sheet)
        if header_row is not None or (score > 0 and (best is None or score > best[0])):
            best = (score, r, labels)
    if best is None:
        return None
    _, r, labels = best
    mapping = map_labels(labels, spec, index, fuzzy=True)
    score = score_mapping(spec, mapping, grid.sheet)
    if score <= 0 and header_row is None:
        return None
    cols = {f: c for f, (c, _) in mapping.items()}
    r = _skip_repeated_header(rows, r, cols)
    first, notes = _first_data_row(rows, r, cols, spec)
    return HeaderMatch(table, r, first, labels, cols, score, notes)


def _skip_repeated_header(rows: list[list[Any]], r: int, cols: dict[str, int]) -> int:
    """A header repeated a few rows down (after instructions and a marker row) is the real one."""
    want = {c: header_key(cell_label(rows[r][c])) for c in cols.values() if c < len(rows[r])}
    for k in range(r + 1, min(r + 5, len(rows))):
        row = rows[k]
        same = sum(1 for c, w in want.items() if c < len(row) and header_key(cell_label(row[c])) == w)
        if want and same >= 0.6 * len(want):
            return k
    return r


def _first_data_row(rows: list[list[Any]], r: int, cols: dict[str, int], spec: TableSpec) -> tuple[int, list[str]]:
    """Skip guidance rows under the header: all text, where numbers or dates belong."""
    notes = []
    typed = [c for f, c in cols.items() if spec.fields[f].type in ("number", "date")]
    k = r + 1
    while k < min(r + 3, len(rows)) and typed:
        row = rows[k]
        cells = [row[c] for c in cols.values() if c < len(row) and row[c] not in ("", None)]
        texts = [row[c] for c in typed if c < len(row) and isinstance(row[c], str) and row[c].strip()]
        if cells and all(isinstance(v, str) for v in cells) and texts and not any(_parses(t) for t in texts):
            notes.append(f"row {k + 1} looks like instructions under the header; skipped")
            k += 1
            continue
        break
    return k, notes


def _parses(text: str) -> bool:
    return parse_number_text(text) is not None or parse_date_text(text) is not None


def is_total_label(value: Any) -> bool:
    return isinstance(value, str) and header_key(value) in TOTAL_WORDS


_ORDERISH = re.compile(r"\d")


def recognise(grid: Grid) -> list[HeaderMatch]:
    """Every table this sheet could be, best first."""
    found = [m for t in TABLES if (m := find_header(grid, t)) is not None]
    return sorted(found, key=lambda m: -m.score)

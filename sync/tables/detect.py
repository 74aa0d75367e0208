"""Find the tables in a workbook: which sheet is which table, where its header is.

Headers are found by alias wherever they are: title banners, notes, blank rows
and legends above them are normal, and so are two-row headers (a merged group
label over the column labels). Every lookup is a dictionary probe (whole label,
its parts, a few suffixes), so scanning the top of every sheet of a 67-sheet
workbook stays cheap.

Precision matters more than recall: a sheet taken for the wrong table sends
people false alarms. So a table needs the column that identifies its rows
(``TableSpec.needs``), columns that belong to another kind of document lower
its score (``TableSpec.against``), a row of numbers is never a header, and a
master list (customers, people) must list each entity once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sync.tables.fields import MASTERS, TABLES, AliasIndex, TableSpec, alias_index, header_key, header_variants
from sync.tables.normalize import fold_text, text_of
from sync.tables.rows import TOTAL_WORDS, _first_data_row, _skip_repeated_header, is_guidance, is_total_label  # noqa: F401
from sync.sources.base import Grid

SCAN_ROWS = 30
MIN_FIELDS = 2
AGAINST_PENALTY = 3.0
AGAINST_MAX = 3
SHEET_NAME_BONUS = 3.0
FILE_NAME_BONUS = 1.5           # a workbook's name says less than a sheet's
#: how many characters a label may add in front of an alias ("客户订单号" ends with "订单号")
FUZZY_PREFIX = 4
#: what may follow an alias without changing its meaning ("金额RMB", "数量件")
QUALIFIERS = ("rmb", "usd", "cny", "hkd", "eur", "pcs", "pc", "元", "件", "原币", "本币", "人民币", "美元")
MASTER_SAMPLE = 500
MASTER_DISTINCT = 0.9
#: a label that is really a value: a code or a number ("2300-202504220005", "SZA08C023101", "42000")
_DATA_LIKE = re.compile(r"\d{4,}|^[+-]?\d+(\.\d+)?$")
_GENERIC_SHEET = re.compile(r"^(sheet|工作表|feuil|hoja|tabelle|foglio|planilha|лист)\d*$")


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


@dataclass(frozen=True)
class Candidate:
    row: int                        # 0-based index of the (last) header row
    labels: list[str]


@lru_cache(maxsize=None)
def _index(table: str, extra: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> AliasIndex:
    return alias_index(TABLES[table], {k: list(v) for k, v in extra})


@lru_cache(maxsize=65536)
def _variants(label: str) -> tuple[str, ...]:
    return tuple(header_variants(label))


def cell_label(value: Any) -> str:
    return fold_text(value) if isinstance(value, str) else ""


@lru_cache(maxsize=262144)
def _claims(label: str, table: str, extra: tuple = ()) -> tuple[tuple[float, str], ...]:
    """(strength, field) for one label: 3 whole label, 2 a part of it, 1 weak alias, 0.5 alias at its end."""
    index = _index(table, extra)
    variants = _variants(label)
    out: list[tuple[float, str]] = []
    for rank, v in enumerate(variants):
        if v in index.strong:
            out.append((3.0 if rank == 0 else 2.0, index.strong[v]))
        elif v in index.weak:
            out.append((1.0, index.weak[v]))
    if variants and (name := _fuzzy(variants[0], index.strong)):
        out.append((0.5, name))
    return tuple(out)


def _fuzzy(whole: str, strong: dict[str, str]) -> str | None:
    """An alias at the end of the label (Chinese and English nouns put the head last), or followed by a unit."""
    return next((strong[k] for k in _fuzzy_keys(whole) if k in strong), None)


@lru_cache(maxsize=65536)
def _fuzzy_keys(whole: str) -> tuple[str, ...]:
    """What ``_fuzzy`` looks up for a label, in order: its tails, then its heads before a unit
    (worked out once per label, not once per table)."""
    keys = []
    for k in range(1, FUZZY_PREFIX + 1):
        tail = whole[k:]
        if len(tail) >= (4 if tail.isascii() else 2):
            keys.append(tail)
    if whole.endswith(QUALIFIERS):  # one C call rules out most labels
        for q in QUALIFIERS:
            head = whole[: -len(q)]
            if whole.endswith(q) and len(head) >= 2:
                keys.append(head)
    return tuple(keys)


@lru_cache(maxsize=65536)
def _against(label: str, table: str, extra: tuple = ()) -> str | None:
    index = _index(table, extra)
    return next((index.against[v] for v in _variants(label) if v in index.against), None)


def map_labels(labels: list[str], table: str, extra: tuple = ()) -> dict[str, tuple[int, float]]:
    """field -> (column, strength). Greedy: the strongest claims first, each column and field once."""
    candidates = [(s, col, name) for col, label in enumerate(labels) if label
                  for s, name in _claims(label, table, extra)]
    candidates.sort(key=lambda c: (-c[0], c[1]))
    mapping: dict[str, tuple[int, float]] = {}
    used: set[int] = set()
    for strength, col, name in candidates:
        if name not in mapping and col not in used:
            mapping[name] = (col, strength)
            used.add(col)
    return mapping


def score_mapping(spec: TableSpec, mapping: dict[str, tuple[int, float]], name_hit: float,
                  against: int = 0) -> float:
    strong = {f for f, (_, s) in mapping.items() if s >= 2}
    signature = strong & set(spec.signature)
    if len(mapping) < MIN_FIELDS or not any(f in mapping for f in spec.needs):
        return 0.0
    if not (signature or (name_hit and strong)):
        return 0.0
    score = sum(3.0 if f == spec.key[0] else 2.0 if f in spec.signature else 1.0 for f in strong)
    score += 0.5 * sum(1 for _, s in mapping.values() if s < 2)
    score += name_hit
    return max(score - AGAINST_PENALTY * min(against, AGAINST_MAX), 0.0)


def sheet_name_hits(spec: TableSpec, sheet: str, hint: str = "") -> float:
    """Bonus when the sheet name suggests the table; a generic name ("Sheet1") defers to the file name ``hint``."""
    key = header_key(sheet)
    if _GENERIC_SHEET.match(key):
        return FILE_NAME_BONUS if hint and _names(spec, header_key(hint)) else 0.0
    return SHEET_NAME_BONUS if _names(spec, key) else 0.0


def _names(spec: TableSpec, key: str) -> bool:
    return any(w in key for w in _word_keys(spec.sheet_words)) or key in spec.sheet_words


@lru_cache(maxsize=None)
def _word_keys(words: tuple[str, ...]) -> tuple[str, ...]:
    """The keys of a table's sheet words, those long enough to be looked for inside a sheet name."""
    return tuple(k for w in words if len(k := header_key(w)) >= 2)


def _row_labels(rows: list[list[Any]], r: int, width: int) -> list[str]:
    row = rows[r] if r < len(rows) else []
    return [cell_label(row[c]) if c < len(row) else "" for c in range(width)]


def _header_like(row: list[Any], labels: list[str]) -> bool:
    """Enough labels, and more labels than values (numbers, dates, codes): a row of data is not a header."""
    texts = sum(1 for x in labels if x and not _DATA_LIKE.search(x))
    values = sum(1 for v in row if v not in ("", None) and (not isinstance(v, str) or _DATA_LIKE.search(v)))
    return texts >= MIN_FIELDS and texts > values


def _two_row_labels(upper: list[str], lower: list[str], spans: list[tuple[int, int]] | None) -> list[str]:
    """A group label covers the columns it is merged across (without merge facts: those to its right)."""
    if spans is None:
        filled, last = [], ""
        for u in upper:
            last = u or last
            filled.append(last)
    else:
        filled = list(upper)
        for c0, c1 in spans:
            for c in range(c0 + 1, min(c1 + 1, len(filled))):
                filled[c] = filled[c] or upper[c0]
    return [f"{u}/{l}" if u and l and u != l else (l or u) for u, l in zip(filled, lower)]


def header_candidates(grid: Grid) -> list[Candidate]:
    """Rows near the top that could be a header, each alone and with the row above as a group header."""
    rows, width = grid.rows, grid.width
    spans = _merged_spans(grid)
    out: list[Candidate] = []
    above: list[str] | None = None
    for r in range(min(SCAN_ROWS, len(rows))):
        labels = _row_labels(rows, r, width)
        if not _header_like(rows[r], labels) or is_guidance(labels):   # instructions are not a header row
            above = None
            continue
        out.append(Candidate(r, labels))  # before the two-row reading: on a tie, one row wins
        if above is not None:
            out.append(Candidate(r, _two_row_labels(above, labels, None if spans is None else spans.get(r - 1, []))))
        above = labels
    return out


def _merged_spans(grid: Grid) -> dict[int, list[tuple[int, int]]] | None:
    if not grid.merged:
        return None
    spans: dict[int, list[tuple[int, int]]] = {}
    for r0, c0, r1, c1 in grid.merged:
        if c1 > c0 and r0 < SCAN_ROWS:
            for r in range(r0, min(r1, SCAN_ROWS) + 1):
                spans.setdefault(r, []).append((c0, c1))
    return spans


def _extra(aliases: dict[str, list[str]] | None) -> tuple:
    return tuple(sorted((k, tuple(v)) for k, v in (aliases or {}).items()))


def _against_count(labels: list[str], used: set[int], table: str, extra: tuple) -> int:
    return sum(1 for c, lab in enumerate(labels) if lab and c not in used and _against(lab, table, extra))


def _score(cand: Candidate, table: str, extra: tuple, name_hit: float) -> tuple[float, dict[str, tuple[int, float]]]:
    mapping = map_labels(cand.labels, table, extra)
    used = {c for c, _ in mapping.values()}
    against = _against_count(cand.labels, used, table, extra) if TABLES[table].against else 0
    return score_mapping(TABLES[table], mapping, name_hit, against), mapping


def find_header(grid: Grid, table: str, *, header_row: int | None = None,
                aliases: dict[str, list[str]] | None = None, hint: str = "",
                candidates: list[Candidate] | None = None) -> HeaderMatch | None:
    """The best header for ``table`` in the top of ``grid`` (or at a pinned 1-based row)."""
    spec = TABLES[table]
    extra = _extra(aliases)
    name_hit = sheet_name_hits(spec, grid.sheet, hint)
    if header_row is not None:
        candidates = [Candidate(header_row - 1, _row_labels(grid.rows, header_row - 1, grid.width))]
    elif candidates is None:
        candidates = header_candidates(grid)
    best: tuple[float, Candidate, dict[str, tuple[int, float]]] | None = None
    for cand in candidates:
        score, mapping = _score(cand, table, extra, name_hit)
        if header_row is not None or (score > 0 and (best is None or score > best[0])):
            best = (score, cand, mapping)
    if best is None:
        return None
    score, cand, mapping = best
    cols = {f: c for f, (c, _) in mapping.items()}
    r = _skip_repeated_header(grid.rows, cand.row, cols)
    first, notes = _first_data_row(grid.rows, r, cols, spec)
    match = HeaderMatch(table, r, first, cand.labels, cols, score, notes)
    if header_row is None and table in MASTERS and not _lists_each_once(grid.rows, match, spec):
        return None
    return match


def _lists_each_once(rows: list[list[Any]], match: HeaderMatch, spec: TableSpec) -> bool:
    """A master list names each customer or person once; a sheet of transactions repeats them."""
    col = next((match.mapping[f] for f in spec.key if f in match.mapping), None)
    if col is None:
        return False
    sample = rows[match.first_data: match.first_data + MASTER_SAMPLE]
    values = [k for row in sample if col < len(row) and (k := text_of(row[col]))]
    return len(values) < 5 or len(set(values)) >= MASTER_DISTINCT * len(values)


def recognise(grid: Grid, hint: str = "") -> list[HeaderMatch]:
    """Every table this sheet could be, best first; ``hint`` names the workbook (for sheets named "Sheet1")."""
    candidates = header_candidates(grid)
    if not candidates:
        return []
    found = [m for t in TABLES if (m := find_header(grid, t, hint=hint, candidates=candidates)) is not None]
    return sorted(found, key=lambda m: -m.score)

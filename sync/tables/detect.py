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

The key need not be called 订单号: any of its aliases (合同号, 生产单号, PO,
Job No., Work Order …) is the key, and where the register has none, a set of
columns that together name a row (``TableSpec.composite``: style + customer,
machine + product) is, when the rest of the sheet is clearly that kind of
table. A line number (行号, 项次, Item, PO Line) is its own field, ``line_no``,
and a row counter (序号, No., #) is never a key, unless it holds codes rather
than counts on a sheet without a key column ('|0200226010|38.10|…' under "No").
A column headed "Order" that repeats the quantity row for row is no key either.

What ``recognise`` says about a sheet (``HeaderMatch``):

- ``status``: ``"recognised"`` (loaded as a table) or ``"probable"`` (it looks
  like that table, but something it needs is missing; only returned with
  ``unsure=True``, never loaded). No match at all: not a table.
- ``score``: how well the header fits; ``missing``: the fields a person expects
  of that table (``TableSpec.core``) that were not found, the key first.
- ``key``: the fields that identify a row (``["order_no", "line_no"]``, or a
  composite such as ``["product", "customer"]``); ``composite`` says which.
- ``language``: "zh" or "en", from the header labels (``language_of``).

``sync.tables.reading`` gives the verdict on a sheet in words, and the language
of a workbook.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sync.tables.fields import (MASTERS, NUMBER, ROW_COUNTERS, TABLES, AliasIndex, TableSpec, alias_index, header_key,
                                header_variants)
from sync.tables.header import HeaderMatch
from sync.tables.normalize import fold_text, text_of
from sync.tables.periods import is_period
from sync.tables.plans import find_plan, pinned_key
from sync.tables.quantities import beside_its_unit
from sync.tables.rows import first_data_row, skip_repeated_header, is_guidance
from sync.tables.stacked import table_end
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
#: a composite key is a guess until the sheet shows enough of the table around it
COMPOSITE_PENALTY = 1.0
COMPOSITE_MIN_SIGNATURE = 2
#: below this, a sheet that lacks its key does not even look like the table
PROBABLE_MIN_SCORE = 4.0
MASTER_SAMPLE = 500
FILL_SAMPLE = 300
MASTER_DISTINCT = 0.9
#: a production reading with this many milestone date columns beside it is an order tracker (``_tracker_first``)
MILESTONES = 3
MILESTONE_MIN_FILLED = 3
MILESTONE_SHARE = 0.6
#: a label that is really a value: a code or a number ("2300-202504220005", "SZA08C023101", "42000")
_DATA_LIKE = re.compile(r"\d{4,}|^[+-]?\d+(\.\d+)?$")
_GENERIC_SHEET = re.compile(r"^(sheet|工作表|feuil|hoja|tabelle|foglio|planilha|лист)\d*$")


@dataclass(frozen=True)
class Candidate:
    row: int                        # 0-based index of the (last) header row
    labels: list[str]
    #: for a two-row header, the group label over each column ("" where none), as in ``texts``
    groups: tuple[str, ...] | None = None
    #: the labels as matched: line breaks kept ('SL⏎Sheet' is read line by line); None: as ``labels``
    texts: tuple[str, ...] | None = None

    @property
    def matched(self) -> list[str]:
        return list(self.texts) if self.texts is not None else self.labels


@lru_cache(maxsize=None)
def _index(table: str, extra: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> AliasIndex:
    return alias_index(TABLES[table], {k: list(v) for k, v in extra})


@lru_cache(maxsize=65536)
def _variants(label: str) -> tuple[str, ...]:
    return tuple(header_variants(label))


def cell_label(value: Any) -> str:
    return fold_text(value) if isinstance(value, str) else ""


def cell_text(value: Any) -> str:
    """A header cell for matching: each line folded, the line breaks kept."""
    if not isinstance(value, str):
        return ""
    if "\n" not in value and "\r" not in value:
        return fold_text(value)
    return "\n".join(line for part in value.splitlines() if (line := fold_text(part)))


@lru_cache(maxsize=262144)
def _claims(label: str, table: str, extra: tuple = ()) -> tuple[tuple[float, str], ...]:
    """(strength, field) for one label: 3 whole label, 2 a part of it, 1 weak alias, 0.5 alias at its end."""
    index = _index(table, extra)
    variants = _variants(label)
    out: list[tuple[float, str]] = []
    if variants and variants[0] in ROW_COUNTERS and variants[0] not in index.strong:
        return ()   # 序号 / No. / # count rows; they name nothing
    for rank, v in enumerate(variants):
        if v in index.strong:
            out.append((3.0 if rank == 0 else 2.0, index.strong[v]))
        elif v in index.weak:
            out.append((1.0, index.weak[v]))
    if variants and (name := _fuzzy(variants[0], index.strong)):
        out.append((0.5, name))
    return tuple(out)


def _fuzzy(whole: str, strong: dict[str, str]) -> str | None:
    """An alias at the end of the label (Chinese and English nouns put the head last), or followed by a unit.

    Never a line number: 'UNIT_ITEM' ends in 'item' but numbers no line; a line column is headed as one."""
    return next((strong[k] for k in _fuzzy_keys(whole) if k in strong and strong[k] != "line_no"), None)


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


@lru_cache(maxsize=65536)
def _group_claims(group: str, leaf: str, table: str, extra: tuple = ()) -> tuple[tuple[float, str], ...]:
    """A leaf label under a group label: the two read together first (检验 + 数量 = 检验数量), then the leaf alone.

    The group alone claims nothing: 生产订单 over 数量 does not make the quantity an order number.
    """
    if not leaf:
        return _claims(group, table, extra)
    index = _index(table, extra)
    whole = header_key(group + leaf)
    out = [(3.0, index.strong[whole])] if whole in index.strong else []
    return tuple(out) + _claims(leaf, table, extra)


def map_labels(labels: list[str], table: str, extra: tuple = (),
               groups: tuple[str, ...] | None = None) -> dict[str, tuple[int, float]]:
    """field -> (column, strength). Greedy: the strongest claims first, each column and field once.

    With ``groups`` (a two-row header), each label is "group/leaf" as shown and is read by ``_group_claims``.
    """
    def claims(col: int, label: str) -> tuple[tuple[float, str], ...]:
        if groups is None or not groups[col]:
            return _claims(label, table, extra)
        leaf = label[len(groups[col]) + 1:] if label.startswith(groups[col] + "/") else ""
        return _group_claims(groups[col], leaf, table, extra)

    candidates = [(s, col, name) for col, label in enumerate(labels) if label for s, name in claims(col, label)]
    coded = _coded(tuple(labels))
    candidates.sort(key=lambda c: (-c[0], c[1] in coded, c[1]))
    mapping: dict[str, tuple[int, float]] = {}
    used: set[int] = set()
    for strength, col, name in candidates:
        if name not in mapping and col not in used:
            mapping[name] = (col, strength)
            used.add(col)
    return mapping


_CODE = re.compile(r"^(.+?)(no|number|code|id|#|编号|编码|代码)$")


@lru_cache(maxsize=65536)
def _coded(labels: tuple[str, ...]) -> frozenset[int]:
    """Columns that code a thing whose name is a column too (Item No. beside Item Name, 存货编码 beside
    存货名称): on a tie the name claims first, as it is what a person reads."""
    keys = {header_key(label) for label in labels if label}
    out = set()
    for col, label in enumerate(labels):
        m = _CODE.match(header_key(label)) if label else None
        if m and ({m[1] + "name", m[1] + "名称", m[1] + "名"} & keys):
            out.add(col)
    return frozenset(out)


def identity(spec: TableSpec, mapping: dict[str, tuple[int, float]]) -> tuple[list[str], bool] | None:
    """(the fields that identify a row, whether they are a composite), or None when nothing does.

    The table's key column (with its line number, where the sheet has one) comes first; without one,
    a composite key counts only on a sheet that shows enough of the table around it.
    """
    need = next((f for f in spec.needs if f in mapping), None)
    if need is not None:
        return [need] + (["line_no"] if "line_no" in mapping and need == spec.key[0] else []), False
    strong = {f for f, (_, s) in mapping.items() if s >= 2}
    for combo in spec.composite:
        around = (strong & set(spec.signature)) - set(combo)
        if set(combo) <= strong and len(around) >= COMPOSITE_MIN_SIGNATURE:
            return list(combo), True
    return None


def score_mapping(spec: TableSpec, mapping: dict[str, tuple[int, float]], name_hit: float,
                  against: int = 0, *, unsure: bool = False) -> float:
    """How well a header fits ``spec``; 0 when it is not that table. ``unsure`` scores the shape alone
    (a sheet without any key still scores), for saying what a sheet looks like."""
    mapping = {f: v for f, v in mapping.items() if f not in spec.riders}
    strong = {f for f, (_, s) in mapping.items() if s >= 2}
    signature = strong & set(spec.signature)
    ident = identity(spec, mapping)
    if len(mapping) < MIN_FIELDS or (ident is None and not unsure):
        return 0.0
    if spec.substance and not unsure and not any(f in mapping for f in spec.substance):
        return 0.0
    if not (signature or (name_hit and strong)):
        return 0.0
    score = sum(3.0 if f == spec.key[0] else 2.0 if f in spec.signature else 1.0 for f in strong)
    score += 0.5 * sum(1 for _, s in mapping.values() if s < 2)
    score += name_hit - (COMPOSITE_PENALTY if ident is not None and ident[1] else 0.0)
    return max(score - AGAINST_PENALTY * min(against, AGAINST_MAX), 0.0)


def sheet_name_hits(spec: TableSpec, sheet: str, hint: str = "") -> float:
    """Bonus when the sheet name suggests the table; a name that suggests no table ("Sheet1", "W17-2026")
    defers to the file name ``hint`` ("Production_Plan_W17")."""
    key = header_key(sheet)
    if _GENERIC_SHEET.match(key) or not any(_names(t, key) for t in TABLES.values()):
        return FILE_NAME_BONUS if hint and _names(spec, header_key(hint)) else 0.0
    return SHEET_NAME_BONUS if _names(spec, key) else 0.0


def _names(spec: TableSpec, key: str) -> bool:
    return any(w in key for w in _word_keys(spec.sheet_words)) or key in spec.sheet_words


@lru_cache(maxsize=None)
def _word_keys(words: tuple[str, ...]) -> tuple[str, ...]:
    """The keys of a table's sheet words, those long enough to be looked for inside a sheet name."""
    return tuple(k for w in words if len(k := header_key(w)) >= 2)


def _row_labels(rows: list[list[Any]], r: int, width: int, read: Any = cell_label) -> list[str]:
    row = rows[r] if r < len(rows) else []
    return [read(row[c]) if c < len(row) else "" for c in range(width)]


def _row_candidate(rows: list[list[Any]], r: int, width: int) -> Candidate:
    labels = _row_labels(rows, r, width)
    texts = _row_labels(rows, r, width, cell_text)
    return Candidate(r, labels, texts=None if texts == labels else tuple(texts))


def _header_like(row: list[Any], labels: list[str]) -> bool:
    """Enough labels, and more labels than values (numbers, dates, codes): a row of data is not a header. A run
    of days or weeks across the row (9/1, 9/2, 9/3 …: a daily output sheet's columns) is labels, not values."""
    texts = sum(1 for x in labels if x and not _DATA_LIKE.search(x))
    calendar = _calendar_run(row)
    values = sum(1 for c, v in enumerate(row) if v not in ("", None) and c not in calendar
                 and (not isinstance(v, str) or _DATA_LIKE.search(v)))
    return texts >= MIN_FIELDS and texts > values


def _calendar_labels(row: list[Any], labels: list[str]) -> list[str]:
    """A daily output sheet's days across its header, labelled as dates (2026-09-01): columns of their own, each
    a day's figures (``sync.orders.wide.daily_rows``), where a date cell has no label otherwise."""
    days = _calendar_run(row)
    return [_day(row[c]).isoformat() if c in days and not label else label for c, label in enumerate(labels)]


def _day(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


#: a row of dates is a calendar header when this many of them stand side by side, a day or a week apart
CALENDAR_MIN = 3


def _calendar_run(row: list[Any]) -> set[int]:
    """The columns of the longest run of adjacent date cells that step by one day or one week, if it is long
    enough to be a header's calendar; a row of data holds a few unrelated dates, not a calendar."""
    best: list[int] = []
    run: list[int] = []
    step: int | None = None
    for c, v in enumerate(row):
        day = _day(v) if isinstance(v, dt.date) else None
        if day is None:
            run, step = [], None
            continue
        if run:
            gap = (day - _day(row[run[-1]])).days
            if gap in (1, 7) and step in (None, gap):
                run.append(c)
                step = gap
            else:
                run, step = [c], None
        else:
            run = [c]
        best = run if len(run) > len(best) else best
    return set(best) if len(best) >= CALENDAR_MIN else set()


def _two_row(upper: Candidate, lower: Candidate, spans: list[tuple[int, int]] | None) -> Candidate:
    """The two rows read as one header: each leaf label under the group label over it."""
    labels = _two_row_labels(upper.labels, lower.labels, spans)
    texts = _two_row_labels(upper.matched, lower.matched, spans)
    return Candidate(lower.row, labels.labels, texts.groups, tuple(texts.labels))


def _two_row_labels(upper: list[str], lower: list[str], spans: list[tuple[int, int]] | None) -> Candidate:
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
    labels = [f"{u}/{l}" if u and l and u != l else (l or u) for u, l in zip(filled, lower)]
    groups = tuple(u if u and l and u != l else "" for u, l in zip(filled, lower))
    return Candidate(-1, labels, groups)


def header_candidates(grid: Grid) -> list[Candidate]:
    """Rows near the top that could be a header, each alone and with the row above as a group header."""
    rows, width = grid.rows, grid.width
    spans = _merged_spans(grid)
    out: list[Candidate] = []
    above: Candidate | None = None
    for r in range(min(SCAN_ROWS, len(rows))):
        cand = _row_candidate(rows, r, width)
        if not _header_like(rows[r], cand.labels) or is_guidance(cand.labels):   # instructions are not a header row
            above = None
            continue
        out.append(cand)  # before the two-row reading: on a tie, one row wins
        if above is not None:
            out.append(_two_row(above, cand, None if spans is None else spans.get(r - 1, [])))
        above = cand
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


def column_names(table: str, extra: tuple = ()) -> frozenset[str]:
    """The header keys that name a column of ``table`` (whole labels): what a stacked header shows."""
    return frozenset(_index(table, extra).strong)


def _extra(aliases: dict[str, list[str]] | None) -> tuple:
    return tuple(sorted((k, tuple(v)) for k, v in (aliases or {}).items()))


def _against_count(labels: list[str], used: set[int], table: str, extra: tuple) -> int:
    return sum(1 for c, lab in enumerate(labels) if lab and c not in used and _against(lab, table, extra))


def _score(cand: Candidate, table: str, extra: tuple, name_hit: float,
           unsure: bool = False) -> tuple[float, dict[str, tuple[int, float]]]:
    texts = cand.matched
    mapping = map_labels(texts, table, extra, cand.groups)
    used = {c for c, _ in mapping.values()}
    against = _against_count(texts, used, table, extra) if TABLES[table].against else 0
    return score_mapping(TABLES[table], mapping, name_hit, against, unsure=unsure), mapping


def find_header(grid: Grid, table: str, *, header_row: int | None = None,
                aliases: dict[str, list[str]] | None = None, hint: str = "",
                candidates: list[Candidate] | None = None, unsure: bool = False) -> HeaderMatch | None:
    """The best header for ``table`` in the top of ``grid`` (or at a pinned 1-based row).

    With ``unsure``, a sheet that is not surely ``table`` but looks like it comes back as "probable".
    """
    spec = TABLES[table]
    extra = _extra(aliases)
    name_hit = sheet_name_hits(spec, grid.sheet, hint)
    if header_row is not None:
        candidates = [_row_candidate(grid.rows, header_row - 1, grid.width)]
    elif candidates is None:
        candidates = header_candidates(grid)
    best = _best(candidates, table, extra, name_hit, pinned=header_row is not None)
    status, planned = "recognised", None
    if best is None and table == "production" and header_row is None:
        def read(cand: Candidate) -> dict[str, tuple[int, float]]:
            return map_labels(cand.matched, "production", extra, cand.groups)

        if (found := find_plan(grid, candidates, read, column_names("production", extra))) is not None:
            score, cand, mapping, planned = found
            best = (score, cand, mapping)
    if best is None and unsure and header_row is None:
        best, status = _best(candidates, table, extra, name_hit, unsure=True), "probable"
    if best is None:
        return None
    score, cand, mapping = best
    mapping = _without_echoed_key(grid.rows, cand.row, mapping)
    mapping, labels = beside_its_unit(grid.rows, cand.row + 1, cand.labels, mapping,
                                      {f for f, s in spec.fields.items() if s.type == NUMBER}, FILL_SAMPLE)
    if status == "recognised" and not any(f in mapping for f in spec.needs):
        mapping = _counter_of_codes(grid.rows, cand, mapping, spec)
    if table == "production" and "completed_qty" not in mapping:
        labels = _calendar_labels(grid.rows[cand.row], labels)
    cols = {f: c for f, (c, _) in mapping.items()}
    r = skip_repeated_header(grid.rows, cand.row, cols)
    first, notes = first_data_row(grid.rows, r, cols, spec)
    stop = table_end(grid.rows, r, first, labels, column_names(table, extra), is_period)
    if planned is None and header_row is not None and table == "production" and identity(spec, mapping) is None:
        planned = pinned_key(grid, cand, first, cols, stop)   # config pins a plan: its rows still key it
    ident = identity(spec, mapping) if planned is None else (planned, True)
    key, composite = ident if ident is not None else ([], False)
    missing = [f for f in dict.fromkeys((*([] if key else spec.needs[:1]), *spec.core)) if f not in cols]
    match = HeaderMatch(table, r, first, labels, cols, score, notes, status, key, composite, missing,
                        planned is not None, stop)
    if header_row is None and table in MASTERS and not _lists_each_once(grid.rows, match, spec):
        return None
    if header_row is None and match.recognised and not _rows_fill_it(grid.rows, match):
        if not unsure:
            return None
        match.status = "probable"
        match.notes.append("the rows under the header fill none of its columns: a blank template")
    return match


def _without_echoed_key(rows: list[list[Any]], header: int, mapping: dict[str, tuple[int, float]]
                        ) -> dict[str, tuple[int, float]]:
    """Drop an order-number column whose numbers repeat another mapped column's, row for row: a column
    headed "Order" that holds the ordered quantity (100000 beside a quantity of 100000) names no order."""
    if "order_no" not in mapping:
        return mapping
    key = mapping["order_no"][0]
    others = [c for f, (c, _) in mapping.items() if f != "order_no"]
    pairs = [(row[key], row) for row in rows[header + 1: header + 1 + FILL_SAMPLE] if key < len(row)]
    numeric = [(v, row) for v, row in pairs if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if len(numeric) < 0.8 * sum(1 for v, _ in pairs if v not in ("", None)):
        return mapping
    numbers = [(v, row) for v, row in numeric if v]   # a zero repeats anything
    if len(numbers) < 3:
        return mapping
    for col in others:
        same = sum(1 for v, row in numbers if col < len(row) and row[col] == v)
        if same >= 0.8 * len(numbers):
            return {f: m for f, m in mapping.items() if f != "order_no"}
    return mapping


def _counter_of_codes(rows: list[list[Any]], cand: Candidate, mapping: dict[str, tuple[int, float]],
                      spec: TableSpec) -> dict[str, tuple[int, float]]:
    """A column headed like a row counter ("No", 序号) that holds codes, not counts, names the rows: on a sheet
    with no key column it is the key ('|0200226010|38.10|…' under "No" in a delivery plan keyed by item)."""
    used = {c for c, _ in mapping.values()}
    for col, label in enumerate(cand.labels):
        if col in used or not label or (_variants(label)[:1] or ("",))[0] not in ROW_COUNTERS:
            continue
        cells = [row[col] for row in rows[cand.row + 1: cand.row + 1 + FILL_SAMPLE] if col < len(row)]
        values = [v.strip() for v in cells if isinstance(v, str) and v.strip()]
        filled = sum(1 for v in cells if v not in ("", None))
        codes = [v for v in values if re.search(r"\d", v) and re.search(r"[^\d\s.]", v)]
        if len(codes) >= 5 and len(codes) >= 0.8 * filled and len(set(codes)) >= 0.5 * len(codes):
            return {**mapping, spec.key[0]: (col, 1.0)}
    return mapping


def _rows_fill_it(rows: list[list[Any]], match: HeaderMatch) -> bool:
    """Some row under the header has two of the table's columns filled, or there are no rows at all
    (an empty register is still a register; a form of zero-formula rows is not)."""
    cols = [c for f, c in match.mapping.items() if f != "remarks"]
    seen = False
    for row in rows[match.first_data: match.first_data + FILL_SAMPLE]:
        values = [row[c] for c in cols if c < len(row) and row[c] not in ("", None) and row[c] != 0]
        if len(values) >= 2:
            return True
        seen = seen or any(v not in ("", None) for v in row)
    return not seen


def _best(candidates: list[Candidate], table: str, extra: tuple, name_hit: float, *, pinned: bool = False,
          unsure: bool = False) -> tuple[float, Candidate, dict[str, tuple[int, float]]] | None:
    """The highest-scoring candidate (on a tie, the first: one row before its two-row reading)."""
    best: tuple[float, Candidate, dict[str, tuple[int, float]]] | None = None
    floor = PROBABLE_MIN_SCORE if unsure else 0.0
    for cand in candidates:
        score, mapping = _score(cand, table, extra, name_hit, unsure=unsure)
        if pinned or (score > floor and (best is None or score > best[0])):
            best = (score, cand, mapping)
    return best


def _lists_each_once(rows: list[list[Any]], match: HeaderMatch, spec: TableSpec) -> bool:
    """A master list names each customer or person once; a sheet of transactions repeats them."""
    col = next((match.mapping[f] for f in spec.key if f in match.mapping), None)
    if col is None:
        return False
    sample = rows[match.first_data: match.first_data + MASTER_SAMPLE]
    values = [k for row in sample if col < len(row) and (k := text_of(row[col]))]
    return len(values) < 5 or len(set(values)) >= MASTER_DISTINCT * len(values)


def first_labels(grid: Grid) -> list[str]:
    """The labels of the first row that looks like a header (what a sheet that is no table shows)."""
    return [lab for cand in header_candidates(grid)[:1] for lab in cand.labels]


def recognise(grid: Grid, hint: str = "", *, unsure: bool = False) -> list[HeaderMatch]:
    """Every table this sheet could be, best first; ``hint`` names the workbook (for sheets named "Sheet1").

    Only recognised tables, unless ``unsure``: then also the tables the sheet probably is, after them.
    """
    candidates = header_candidates(grid)
    if not candidates:
        return []
    found = [m for t in TABLES
             if (m := find_header(grid, t, hint=hint, candidates=candidates, unsure=unsure)) is not None]
    found = sorted(found, key=lambda m: (not m.recognised, -m.score))
    return _tracker_first(grid.rows, found)


def _tracker_first(rows: list[list[Any]], found: list[HeaderMatch]) -> list[HeaderMatch]:
    """A sheet read best as production but with one row per order and a date column per milestone (sales
    request, drawing release, costing sign-off, PO, FG start) is an order tracker, not a plan: the orders
    reading goes first. A plan has its stage or line column, or one start and one finish, not a row of
    milestones."""
    if len(found) < 2 or found[0].table != "production" or not found[0].recognised:
        return found
    plan = found[0]
    orders = next((m for m in found if m.table == "orders" and m.recognised), None)
    if (orders is None or plan.plan or plan.composite or {"stage", "line"} & plan.mapping.keys()
            or orders.header_row != plan.header_row or orders.mapping.get("order_no") != plan.mapping.get("order_no")
            or orders.mapping.get("order_no") is None):
        return found
    taken = set(plan.mapping.values()) | set(orders.mapping.values())
    sample = rows[plan.first_data: plan.first_data + FILL_SAMPLE]
    milestones = [c for c in range(len(plan.labels)) if c not in taken and _dated(sample, c)]
    if len(milestones) < MILESTONES:
        return found
    orders.score = max(orders.score, plan.score)
    orders.notes.append(f"read as an order tracker: {len(milestones)} milestone date columns "
                        f"({', '.join(plan.labels[c] for c in milestones[:4])}{' …' if len(milestones) > 4 else ''})")
    return [orders, *(m for m in found if m is not orders)]


def _dated(sample: list[list[Any]], col: int) -> bool:
    """Most filled cells of column ``col`` are dates (typed as dates: a milestone column is kept by hand)."""
    return mostly_dates([row[col] for row in sample if col < len(row)])


def mostly_dates(cells: Iterable[Any], least: int = MILESTONE_MIN_FILLED) -> bool:
    """Of ``cells``, ``least`` or more are filled and ``MILESTONE_SHARE`` of those are dates typed as dates; no
    cell is parsed to ask (``sync.orders.wide`` finds a tracker's milestone columns by it too)."""
    filled = [v for v in cells if v is not None and v != ""]
    dates = sum(1 for v in filled if isinstance(v, dt.date))   # datetime and pandas' Timestamp are dates too
    return len(filled) >= least and dates >= MILESTONE_SHARE * len(filled)

"""Which rows under a header hold data: every row's role, decided once per sheet.

A register kept by hand carries more than orders under its header: instructions
and per-column guidance right below it, the header again (printed pages, pasted
blocks), totals and subtotals (labelled 合计/Total, a currency code alone, or no
label at all: numbers that are the sums of the rows above), numbered template
rows waiting to be filled, formula rows that show 0, and footers after the data
(signatures, notes, 合同号：…, a date line). None of them is an order, so none
of them gets a finding. Cells merged down a column (one order number over its
lines) are filled down over exactly the rows the merge covers.

Each test runs once per distinct value of a column (``Factor.mask``) or with
numpy over whole columns; the per-row Python work is limited to the few rows
that are candidates (rows without a key), so a 100k-row sheet costs a few
column passes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from sync.tables.columns import Factor, Kinds
from sync.tables.fields import NUMBER, TABLES, TableSpec, header_key
from sync.tables.header import HeaderMatch
from sync.tables.normalize import fold_text, parse_column, parse_date_text, parse_number_text

TOTAL_WORDS = frozenset({"合计", "小计", "总计", "总合计", "合計", "小計", "總計", "total", "totals", "subtotal",
                         "grandtotal", "sum", "本页合计", "累计"})
#: a label that ends in one of these is a total whatever comes first ("8月合计", "SO-1小计", "本月合計")
TOTAL_ENDINGS = ("合计", "小计", "总计", "合計", "小計", "總計")
#: how long a label ending in a total word may be (a longer text is a sentence, not a label)
TOTAL_LABEL_MAX = 16
#: a currency code alone in a label column: the subtotal of the lines in that currency
CURRENCY_WORDS = frozenset({"usd", "cny", "rmb", "hkd", "eur", "gbp", "jpy", "美元", "人民币", "港币", "欧元",
                            "美金", "日元"})
#: a column where most rows hold a currency code is a currency column, not a place for labels
CURRENCY_COLUMN_SHARE = 0.5
#: footer lines after the data: a signature or note word (or two: 制表人签字), then a colon (or alone)
_FOOTER_WORD = (r"(制表|制单|製表|审核|審核|审批|批准|核准|复核|签字|簽字|签名|签收|签章|盖章|经办|主管|经理|填表|填报|填写|"
                r"备注|備註|说明|說明|注|附注|合同号|合同編號|合同编号|日期|打印日期|制表日期|"
                r"prepared\s*by|checked\s*by|approved\s*by|signed\s*by|signature|note|notes|remarks?|date)")
_FOOTER = re.compile(rf"^\s*(?:{_FOOTER_WORD}\s*(人|者)?\s*){{1,3}}([:：].*)?$", re.I | re.S)
#: words that make a row a footer wherever they stand in its label cells
_FOOTER_PHRASES = ("是否安装调试验收", "是否安裝調試驗收", "以上数据", "以上資料", "以上资料",
                   # a plan's completion line under its totals ("% of completion", 达成率)
                   "% of completion", "% of achievement", "% completion", "达成率", "達成率", "完成率")
#: instructions under a header: a row naming itself, or per-column guidance ("格式：2023.5.27", "必填")
_GUIDANCE = re.compile(r"填写说明|填寫說明|填表说明|填写要求|格式\s*[:：]|例\s*[:：如]|示例|样例|如\s*[:：]|必填|选填|"
                       r"请填写|請填寫|请输入|^\s*(e\.g\.|for example|example|format|required|optional)\b", re.I)
_INSTRUCTIONS = re.compile(r"填写说明|填寫說明|填表说明|填写要求|填寫要求|使用说明|instructions", re.I)
GUIDANCE_ROWS = 4
#: formula results that mean "nothing yet" in a template row
_FORMULA_ERRORS = frozenset({"#div/0!", "#n/a", "#value!", "#ref!", "#num!", "#name?", "#null!"})
#: a column is a counter (序号 1..N) when this share of its steps is +1
COUNTER_SHARE = 0.9
COUNTER_MIN = 3
#: how close a row's number must be to the sum above it (relative) to be its total
SUM_TOLERANCE = 1e-6


# --- labels ---------------------------------------------------------------------------

def is_total_label(value: Any) -> bool:
    """合计/小计/Total…, alone or ending a short label ("8月合计"), or a currency code alone."""
    if not isinstance(value, str):
        return False
    key = header_key(value)
    return (key in TOTAL_WORDS or key in CURRENCY_WORDS
            or (len(key) <= TOTAL_LABEL_MAX and key.endswith(TOTAL_ENDINGS)))


#: characters a total or footer label may hold beside digits ("8月合计", "合同号：HT-1", "是否…验收 1")
_MARKERS = np.array([ord(ch) for ch in "计計:：是以#"], dtype=np.uint32)


def _ordinary(texts: list[str]) -> np.ndarray:
    """Texts with a digit and none of ``_MARKERS``: an order number or code, never a total or footer label.

    Decided from the code points of all texts at once, so a column of 100k order numbers costs no
    Python call per value."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    joined = "".join(texts)
    if not joined:
        return np.zeros(len(texts), dtype=bool)
    points = (np.frombuffer(joined.encode("ascii"), dtype=np.uint8).astype(np.uint32) if joined.isascii()
              else np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4"))
    digit = np.append((points >= 48) & (points <= 57), False)   # the False: empty texts at the end
    marker = np.zeros(len(points) + 1, dtype=bool)
    for m in _MARKERS.tolist() if points.max(initial=0) >= 35 else ():   # '#' is the smallest marker
        marker[:-1] |= points == m
    starts = np.cumsum(lengths) - lengths
    has_digit = np.logical_or.reduceat(digit, starts)
    has_marker = np.logical_or.reduceat(marker, starts)
    empty = lengths == 0   # reduceat gives an empty span the point at its start
    return has_digit & ~has_marker & ~empty


def is_currency_label(value: Any) -> bool:
    return isinstance(value, str) and header_key(value) in CURRENCY_WORDS


def is_footer_text(value: Any) -> bool:
    """A signature, note, 合同号：… or date line: never the label of an order."""
    if not isinstance(value, str) or len(value) > 200:
        return False
    return bool(_FOOTER.match(value)) or any(p in value for p in _FOOTER_PHRASES)


# --- cells ----------------------------------------------------------------------------

def blank_cell(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not fold_text(value))


def meaningful_cell(value: Any) -> bool:
    """Neither blank nor what an unfilled formula shows (0, an error, the zero date)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value == value and value != 0
    if isinstance(value, str):
        text = fold_text(value)
        return bool(text) and text.lower() not in _FORMULA_ERRORS
    if isinstance(value, dt.date):   # serial 0 shown as a date: 1899-12-30/31
        return value.year >= 1900
    return value is not None


# --- merged cells ---------------------------------------------------------------------

def fill_merged(factor: Factor, col: int, first: int, merged: list[tuple[int, int, int, int]]) -> Factor:
    """``factor`` (column ``col`` from sheet row ``first``) with each merge down it filled from its top cell.

    Only merges that start at or below ``first`` count (one over the header is the header's own), and
    only the cells they cover are filled, and only where they are blank (as Excel keeps them).
    """
    codes: np.ndarray | None = None
    n = len(factor)
    for r0, c0, r1, c1 in merged:
        top, bottom = r0 - first, min(r1 - first, n - 1)
        if not (c0 <= col <= c1) or r1 <= r0 or top < 0 or top >= bottom:
            continue
        codes = factor.codes.copy() if codes is None else codes
        span = codes[top + 1: bottom + 1]
        blank = np.fromiter((blank_cell(v) for v in factor.uniques[span].tolist()), dtype=bool, count=len(span))
        span[blank] = codes[top]
    return factor if codes is None else Factor(codes, factor.uniques)


# --- ditto marks -------------------------------------------------------------------------

#: what people type for "the same as the line above": 同上, the ditto mark 〃 (or a quote that stands in for it)
DITTO_MARKS = frozenset({"同上", "仝上", "同前", "同左上", "〃", "〃〃", "″", '"', "“", "”", "''", "ditto", "ditto.",
                         "do.", "dto."})
_DITTO_LONGEST = max(map(len, DITTO_MARKS))


def is_ditto_mark(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > _DITTO_LONGEST + 4:
        return False
    return value.strip().lower() in DITTO_MARKS


def ditto_marks(factor: Factor) -> tuple[Factor, np.ndarray] | None:
    """``factor`` (a column's data rows, in order) with each 同上 / 〃 read as the value of the line above it
    (a run of them as the line above the run), and the positions read so; None when it has none.

    A mark on the first line has nothing above it and stays as typed (the check says it cannot be read).
    """
    said = np.fromiter((is_ditto_mark(u) for u in factor.uniques.tolist()), dtype=bool, count=len(factor.uniques))
    if not said.any():
        return None
    mark = said[factor.codes]
    at = np.arange(len(mark))
    source = np.maximum.accumulate(np.where(mark, -1, at))   # the last line above that is no mark
    source = np.where(source < 0, at, source)
    filled = np.flatnonzero(source != at)
    if not len(filled):
        return None
    return Factor(factor.codes[source], factor.uniques), filled


# --- orders written on their first line only -------------------------------------------

#: an order's own columns are filled on this share of the lines that carry its number, at least ...
DITTO_HEAD_SHARE = 0.8
#: ... and on this share of the lines without one, at most
DITTO_LINE_SHARE = 0.3
#: the lines that follow an order's first line, at least, and the orders that have them
DITTO_MIN_LINES, DITTO_MIN_ORDERS = 3, 2


def ditto_lines(data: dict[str, Any], key: str, once: list[str],
                evidence: list[str]) -> tuple[np.ndarray, list[str]] | None:
    """A register that writes an order's number (customer, dates, ...) on its first line only and leaves them
    blank on the colour or size lines under it: for each row of ``data`` (field -> its values, read), the row
    whose values it takes (itself, or its order's first line), and the fields it takes them in (the key
    first); None when the sheet does not work so.

    ``key`` is the order number's field; ``once`` the fields that may be written once per order (customer,
    dates; not the figures, nor a remark: those on the first line are that line's). An order's own fields are
    those of ``once`` filled on the lines with a number and left blank on most lines without; the lines that
    take their order's are those with no number, none of those fields and something in a field the other
    lines fill, each right under its order's first line or another such line. One of the order's own fields
    must be of ``evidence`` (customer, dates, follower: a line with all but its number lacks its number), and
    such lines must be the sheet's way (most of its lines without a number), not a slip.
    """
    named = np.asarray(pd.notna(data[key]), dtype=bool)
    bare = ~named
    if bare.sum() < DITTO_MIN_LINES or named.sum() < DITTO_MIN_ORDERS:   # most registers: every line has its
        return None                                                        # number, and nothing more is looked at
    filled = {f: np.asarray(pd.notna(v), dtype=bool) for f, v in data.items() if f != key}
    heads = [f for f in once if f in filled and filled[f][named].mean() >= DITTO_HEAD_SHARE
             and filled[f][bare].mean() <= DITTO_LINE_SHARE]
    lines = [f for f in filled if f not in once and filled[f][bare].mean() >= 0.5]
    if not set(heads) & set(evidence) or not lines:
        return None
    follows = bare & np.logical_or.reduce([filled[f] for f in lines])
    follows &= ~np.logical_or.reduce([filled[f] for f in heads])
    # a line follows the order above it only if every line between them does too
    order = np.cumsum(named)
    broken = np.cumsum(bare & ~follows)
    start = np.zeros(int(order[-1]) + 1, dtype=np.int64)
    np.maximum.at(start, order, np.where(named, broken, 0))
    follows &= (order > 0) & (broken == start[order])
    if follows.sum() < DITTO_MIN_LINES or follows.sum() < 0.8 * bare.sum() \
            or len(np.unique(order[follows])) < DITTO_MIN_ORDERS:
        return None
    head = np.flatnonzero(named)[np.maximum(order - 1, 0)]
    return np.where(follows, head, np.arange(len(named))), [key, *heads]


# --- the rows under a header ----------------------------------------------------------

def data_rows(cells: dict[int, Factor], match: HeaderMatch, column: Callable[[int], Factor], height: int,
              width: int) -> np.ndarray:
    """True for the rows that hold data, in the ``height`` rows from ``match.first_data`` on.

    ``cells`` are the mapped columns (merges filled), ``column(c)`` any of the first three
    columns, where totals and footers put their labels.
    """
    if height == 0:
        return np.zeros(0, dtype=bool)
    spec = TABLES[match.table]
    meaningful = _any(cells, meaningful_cell, np.ones(height, dtype=bool))
    key = _key_column(match, spec)
    labels = sorted({c for f, c in match.mapping.items() if f in ("order_no", "customer", "product")}
                    | set(range(min(3, width))) | ({key} if key is not None else set()))
    roles = {c: _roles_of(column(c), meaningful) for c in labels}
    # a key is a meaningful value that is not a total or footer label standing in the key column
    keyed = meaningful & (roles[key] == 0) if key is not None else meaningful.copy()
    totals = np.zeros(height, dtype=bool)
    footers = np.zeros(height, dtype=bool)
    for c in labels:
        labelled = (roles[c] & _IS_TOTAL) > 0
        if labelled.any():   # a currency column (USD on every line) labels nothing
            currency = column(c).mask(is_currency_label, labelled)
            if currency.sum() > CURRENCY_COLUMN_SHARE * max(int(meaningful.sum()), 1):
                labelled &= ~currency
        totals |= labelled
        footers |= (roles[c] & _IS_FOOTER) > 0
    footers &= ~keyed   # a real key keeps its row, whatever a label column beside it says
    keyed &= ~totals
    again = repeated_header(cells, match, meaningful)
    keep = meaningful & ~totals & ~footers & ~again & ~_labels_over(again, cells, meaningful)
    keep &= ~template_rows(cells, match, keep, height)
    keep &= ~unlabelled_totals(cells, match, keep, keyed)
    keep &= ~lone_texts(cells, keep, keyed)
    return keep


_IS_TOTAL, _IS_FOOTER, _IS_EMPTY = 1, 2, 4


def _roles_of(factor: Factor, rows: np.ndarray) -> np.ndarray:
    """Per row (among ``rows``): ``_IS_TOTAL`` | ``_IS_FOOTER`` | ``_IS_EMPTY`` of its cell, 0 for a plain value."""
    flags = np.zeros(len(factor.uniques), dtype=np.int8)
    present = factor.present(rows)
    if len(present):
        flags[present] = _roles(factor.uniques[present])
    return flags[factor.codes]


def _roles(values: np.ndarray) -> np.ndarray:
    """``_roles_of`` for distinct values: order numbers and codes (``_ordinary``) take no Python call each."""
    out = np.zeros(len(values), dtype=np.int8)
    plain = Kinds(values).mask(str)
    texts = np.flatnonzero(plain)
    asked = np.concatenate([texts[~_ordinary(values[texts].tolist())], np.flatnonzero(~plain)]) \
        if len(texts) else np.flatnonzero(~plain)
    out[asked] = [_role(v) for v in values[asked].tolist()]
    return out


def _role(value: Any) -> int:
    return (_IS_TOTAL * is_total_label(value) | _IS_FOOTER * is_footer_text(value)
            | _IS_EMPTY * (not meaningful_cell(value)))


def _any(cells: dict[int, Factor], test: Callable[[Any], bool], rows: np.ndarray) -> np.ndarray:
    """Rows (among ``rows``) where some column passes ``test``; the columns with few values are asked
    first and each next one only about the rows still undecided."""
    found = np.zeros(len(rows), dtype=bool)
    for c in sorted(cells, key=lambda c: (len(cells[c].uniques), c)):
        pending = rows & ~found
        if not pending.any():
            break
        found |= cells[c].mask(test, pending) & pending
    return found


def _key_column(match: HeaderMatch, spec: TableSpec) -> int | None:
    for f in ("order_no", *spec.key, *(match.key if match.plan else ())):   # a plan's: found from its rows
        if f in match.mapping:
            return match.mapping[f]
    return None


def repeated_header(cells: dict[int, Factor], match: HeaderMatch, rows: np.ndarray) -> np.ndarray:
    """Rows where most mapped cells read as their column's header again."""
    want = {c: _label_keys(match.labels[c]) for c in cells if c < len(match.labels) and match.labels[c]}
    if len(want) < 2:
        return np.zeros(len(rows), dtype=bool)
    cheap = sorted(want, key=lambda c: len(cells[c].uniques))[:2]   # a header row repeats these too
    candidates = rows.copy()
    for c in cheap:
        candidates &= cells[c].mask(lambda v, keys=want[c]: _reads_as(v, keys), candidates)
    if not candidates.any():
        return candidates
    same = sum(cells[c].mask(lambda v, keys=keys: _reads_as(v, keys), candidates).astype(int)
               for c, keys in want.items())
    return candidates & (same >= 0.6 * len(want))


def _labels_over(again: np.ndarray, cells: dict[int, Factor], rows: np.ndarray) -> np.ndarray:
    """Rows of one lone value right above a repeated header: the label of the block under it ("2号机")."""
    above = np.zeros(len(again), dtype=bool)
    above[:-1] = again[1:]
    asked = rows & above
    if not asked.any():
        return asked
    count = sum(f.mask(meaningful_cell, asked).astype(int) for f in cells.values())
    return asked & (count == 1)


def _label_keys(label: str) -> frozenset[str]:
    """A header label's key, and its lower part's under a group label ("交货/日期" -> also "日期")."""
    keys = {header_key(label)}
    if "/" in label:
        keys.add(header_key(label.rsplit("/", 1)[1]))
    return frozenset(k for k in keys if k)


def _reads_as(value: Any, keys: frozenset[str]) -> bool:
    return isinstance(value, str) and len(value) < 60 and header_key(value) in keys


def template_rows(cells: dict[int, Factor], match: HeaderMatch, rows: np.ndarray, height: int) -> np.ndarray:
    """Rows whose only content is a running number (序号 1..N of a template not filled yet)."""
    key = _key_column(match, TABLES[match.table])
    counters = [c for c in cells if c != key and _is_counter(cells[c], rows)]
    if not counters:
        return np.zeros(height, dtype=bool)
    others = {c: f for c, f in cells.items() if c not in counters}
    return rows & ~_any(others, meaningful_cell, rows.copy())


def _is_counter(factor: Factor, rows: np.ndarray) -> bool:
    first = factor.uniques[factor.codes[np.flatnonzero(rows)[:COUNTER_MIN]]].tolist()
    if len(first) < COUNTER_MIN or not all(type(v) in (int, float) for v in first):
        return False   # a counter counts from the first rows on
    numeric = Kinds(factor.uniques).mask(int, float)
    at = np.flatnonzero(rows & numeric[factor.codes])
    if len(at) < COUNTER_MIN:
        return False
    values = np.asarray(factor.uniques[factor.codes[at]], dtype=float)
    return bool(np.mean(np.diff(values) == 1) >= COUNTER_SHARE)


def unlabelled_totals(cells: dict[int, Factor], match: HeaderMatch, rows: np.ndarray,
                      keyed: np.ndarray) -> np.ndarray:
    """Rows without a key whose numbers are each the sum of their column over the rows above them,
    back to the last blank, total or non-data row: totals nobody labelled."""
    out = np.zeros(len(rows), dtype=bool)
    spec = TABLES[match.table]
    numbers = [c for f, c in match.mapping.items() if spec.fields[f].type == NUMBER and c in cells]
    keyless = rows & ~keyed
    candidates = np.flatnonzero(keyless)
    if not numbers or not len(candidates):
        return out
    values = {c: _numbers(cells[c]) for c in numbers}
    texts = _any({c: f for c, f in cells.items() if c not in numbers}, meaningful_cell, keyless)
    counted = rows.astype(np.int64).cumsum()
    sums = {c: np.where(rows & ~np.isnan(v), v, 0.0).cumsum() for c, v in values.items()}
    breaks = np.flatnonzero(~rows)
    last_total = -1
    for at in candidates.tolist():
        before = int(np.searchsorted(breaks, at))
        start = max(last_total, int(breaks[before - 1]) if before else -1) + 1
        lines = int(counted[at - 1] - (counted[start - 1] if start else 0)) if at else 0
        if lines < (1 if not texts[at] else 2):
            # right under a subtotal: the grand total, above every line and subtotal before it
            if at and out[at - 1] and not texts[at] and _tops(values, rows, 0, at):
                out[at] = True
                last_total = at
            continue
        # the sum of the block above (back to a blank row), or a grand total of all since the last total
        grand = start > last_total + 1 and _sums_above(values, sums, last_total + 1, at)
        if grand or _sums_above(values, sums, start, at) or (not texts[at] and _tops(values, rows, last_total + 1, at)):
            out[at] = True
            last_total = at
    return out


def _numbers(factor: Factor) -> np.ndarray:
    parsed = np.asarray(parse_column(factor.uniques, NUMBER, distinct=True).values, dtype=float)
    return parsed[factor.codes]


def _sums_above(values: dict[int, np.ndarray], sums: dict[int, np.ndarray], start: int, at: int) -> bool:
    matched = False
    for c, v in values.items():
        if np.isnan(v[at]):
            continue
        above = sums[c][at - 1] - (sums[c][start - 1] if start else 0.0)
        if abs(v[at] - above) > SUM_TOLERANCE * max(1.0, abs(above)):
            return False
        matched = matched or above != 0
    return matched


def _tops(values: dict[int, np.ndarray], rows: np.ndarray, start: int, at: int) -> bool:
    """Only numbers, each above every line since the last total: a total whose sum is off (a line typed
    twice, a formula range not stretched), still no order. An order line has a key or words."""
    shown = [c for c, v in values.items() if not np.isnan(v[at])]
    if not shown:
        return False
    for c in shown:
        above = values[c][start:at][rows[start:at]]
        above = above[~np.isnan(above)]
        if len(above) < 2 or values[c][at] <= above.max():
            return False
    return True


def lone_texts(cells: dict[int, Factor], rows: np.ndarray, keyed: np.ndarray) -> np.ndarray:
    """Rows without a key holding one lone text or date: a section label ("RELEASE 1"), a note, the date
    line under the data. An order line has more than one thing in it."""
    asked = rows & ~keyed
    if not asked.any():
        return asked
    count = sum(f.mask(meaningful_cell, asked).astype(int) for f in cells.values())
    number = _any(cells, lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v != 0, asked)
    return asked & (count == 1) & ~number


# --- the top of the data --------------------------------------------------------------

def _cell_label(value: Any) -> str:
    return fold_text(value) if isinstance(value, str) else ""


def skip_repeated_header(rows: list[list[Any]], r: int, cols: dict[str, int]) -> int:
    """A header repeated a few rows down (after instructions and a marker row) is the real one."""
    want = {c: header_key(_cell_label(rows[r][c])) for c in cols.values() if c < len(rows[r])}
    for k in range(r + 1, min(r + 5, len(rows))):
        row = rows[k]
        same = sum(1 for c, w in want.items() if c < len(row) and header_key(_cell_label(row[c])) == w)
        if want and same >= 0.6 * len(want):
            return k
    return r


def first_data_row(rows: list[list[Any]], r: int, cols: dict[str, int], spec: TableSpec) -> tuple[int, list[str]]:
    """Skip guidance rows under the header: all text where numbers or dates belong, or words of instruction."""
    notes = []
    typed = [c for f, c in cols.items() if spec.fields[f].type in ("number", "date")]
    k = r + 1
    while k < min(r + 1 + GUIDANCE_ROWS, len(rows)):
        if not _guidance_row(rows[k], cols, typed, spec):
            break
        notes.append(f"row {k + 1} looks like instructions under the header; skipped")
        k += 1
    return k, notes


def _guidance_row(row: list[Any], cols: dict[str, int], typed: list[int], spec: TableSpec) -> bool:
    """All text, none of it a number or date where those belong; and words of instruction, or no order number."""
    cells = [row[c] for c in cols.values() if c < len(row) and row[c] not in ("", None)]
    if not cells or not all(isinstance(v, str) for v in cells):
        return False
    texts = [row[c] for c in typed if c < len(row) and isinstance(row[c], str) and row[c].strip()]
    if any(_parses(t) for t in texts):
        return False
    key = _cell_label(row[cols[spec.key[0]]]) if cols.get(spec.key[0], len(row)) < len(row) else ""
    # an order number has digits; "必填" has none, "如：SO-001" says what it is
    keyless = not any(ch.isdigit() for ch in key) or bool(_GUIDANCE.search(key))
    return keyless and (bool(texts) or any(_GUIDANCE.search(v) for v in cells))


def is_guidance(labels: list[str]) -> bool:
    """A row of instructions: one that says so ("填写说明"), or guidance under most columns ("格式：2023.5.27",
    "如：SO-001"); a header with a "(必填)" here and there stays a header."""
    filled = [label for label in labels if label]
    if any(_INSTRUCTIONS.search(label) for label in filled):
        return True
    return len(filled) >= 2 and sum(1 for label in filled if _GUIDANCE.search(label)) * 2 >= len(filled)


def _parses(text: str) -> bool:
    return parse_number_text(text) is not None or parse_date_text(text) is not None

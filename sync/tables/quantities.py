"""How people type numbers: the text grammar, and the unit a quantity is typed in (800件, 12.5kg, 2 t).

A unit is kept, not thrown away: a column's cells in kg and t are one quantity in two units and are
converted to the unit most of the column uses; kg and pcs are not, and are left as typed for the
caller to report.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

import numpy as np

_SPACES = re.compile(r"[\s\u00a0\u3000\u2000-\u200b\ufeff]+")

_NUM_WORDS = (
    r"人民币|rmb|cny|usd|us\$|hk\$|eur|hkd|元|美元|港币|欧元|[¥￥$€£]|"
    r"pcs?|pieces?|sets?|prs?|pairs?|units?|dozens?|doz|kgs?|kg|meters?|mtrs?|yds?|yards?|"
    r"件|个|套|双|条|只|箱|包|米|码|公斤|千克|吨|打|张|卷|支|片|台|粒|对|個|雙|條|隻|張|捲|對|噸"
)


def _first_letters(words: str) -> str:
    """The characters a match of the alternatives ``words`` can start with, as a class body."""
    first = set()
    for word in words.split("|"):
        first.update(word[1:word.index("]")] if word[0] == "[" else word[word[0] == "\\"])
    return "".join(re.escape(c) for c in sorted(first))


#: the look-ahead lets the engine skip, with one class test, every position no word can start at
_NUM_CLEAN = re.compile(rf"(?i)(?=[{_first_letters(_NUM_WORDS)}])({_NUM_WORDS})")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number_text(text: str) -> float | None:
    """'1,200' '800件' '600 pcs' '¥35.50' '１２００' '(100)' '1.2万' '1.2k' '13%' -> float; None if not a number."""
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        return None
    negative = s.startswith("(") and s.endswith(")")
    if negative:
        s = s[1:-1]
    scale = 1.0
    if s.endswith("%"):
        s, scale = s[:-1], 0.01
    if s.endswith("万"):
        s, scale = s[:-1], 10_000.0
    s = _SPACES.sub("", _NUM_CLEAN.sub("", s))
    if s[-1:] in ("k", "K") and scale == 1.0:   # 1.2k, 12K pcs: thousands
        s, scale = s[:-1], 1000.0
    if _GROUPED.match(s):
        s = s.replace(",", "")
    if not _NUMBER.match(s):
        return None
    value = float(s) * scale
    return -value if negative else value


def number_text(text: str) -> float | None:
    """``parse_number_text``; plain or grouped digits (what most typed numbers are) skip the unit
    and width folding, which leaves them as they are (``float`` reads any decimal digit itself)."""
    if _NUMBER.match(text):
        return float(text)
    if _GROUPED.match(text):
        return float(text.replace(",", ""))
    return parse_number_text(text)


# --- units -------------------------------------------------------------------

class Unit(NamedTuple):
    label: str      # as messages show it: 件, pcs, kg
    kind: str       # units of one kind convert into each other
    factor: float   # in the kind's base unit (pcs, kg, m)


def _units() -> dict[str, Unit]:
    table: dict[str, Unit] = {}
    groups = [
        ("count", 1.0, "pcs", "pcs pc piece pieces unit units ea"), ("count", 1.0, None, "件 个 個 只 隻 支 片 粒"),
        ("count", 12.0, "dozen", "dozen dozens doz dz 打"),
        ("mass", 0.001, "g", "g gram grams 克"), ("mass", 1.0, "kg", "kg kgs kilo kilos 公斤 千克"),
        ("mass", 1000.0, "t", "t ton tons tonne tonnes mt 吨 噸"), ("mass", 0.45359237, "lb", "lb lbs"),
        ("length", 0.001, "mm", "mm 毫米"), ("length", 0.01, "cm", "cm 厘米"),
        ("length", 1.0, "m", "m meter meters metre metres mtr mtrs 米"), ("length", 1000.0, "km", "km 公里"),
        ("length", 0.9144, "yd", "yd yds yard yards 码 碼"),
        ("set", 1.0, None, "套 set sets"), ("pair", 1.0, None, "双 雙 对 對 pair pairs pr prs"),
        ("box", 1.0, None, "箱 ctn ctns carton cartons"), ("pack", 1.0, None, "包"), ("roll", 1.0, None, "卷 捲 roll rolls"),
        ("sheet", 1.0, None, "张 張"), ("strip", 1.0, None, "条 條"), ("machine", 1.0, None, "台"),
    ]
    for kind, factor, label, spellings in groups:
        for word in spellings.split():
            table[word] = Unit(label or word, kind, factor)
    return table


UNITS = _units()
_UNIT_WORDS = "|".join(re.escape(w) for w in sorted(UNITS, key=len, reverse=True))
#: a number (as ``parse_number_text`` reads it) followed by a unit word and nothing else
_WITH_UNIT = re.compile(rf"(?i)^(.*?[\d.)])\s*({_UNIT_WORDS})\.?$")
#: what most typed quantities with a unit look like (800件, 1,200 pcs): read without the word list
_PLAIN_UNIT = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*([^\d\s.,]+)$")


def number_and_unit(text: str) -> tuple[float, Unit | None] | None:
    """'800件' -> (800, 件); '12.5kg' -> (12.5, kg); '1,200' -> (1200, None); None if not a number."""
    if _NUMBER.match(text):
        return float(text), None
    if _GROUPED.match(text):
        return float(text.replace(",", "")), None
    if (m := _PLAIN_UNIT.match(text)) and (unit := UNITS.get(m[3].lower())):
        return float(m[1].replace(",", "") + (m[2] or "")), unit
    s = unicodedata.normalize("NFKC", text).strip()
    if m := _WITH_UNIT.match(s):
        value = parse_number_text(m[1])
        if value is not None:
            return value, UNITS[m[2].lower()]
    value = parse_number_text(text)
    return None if value is None else (value, None)


#: a sum typed as text, each term a plain number: 500+200, 1,200 + 300
_SUM = re.compile(r"^\s*(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s*\+\s*(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)+\s*$")
#: a number (with or without its unit) and a remark in brackets after it: 1000（含备品50）, 800件(另补20)
_REMARKED = re.compile(r"^\s*([^()\[\]]*?\d[^()\[\]]*?)\s*[(\[][^()\[\]]*[)\]]\s*$")
#: a number said to be about that much: 约500, 大约 1,200件, 500左右, ~500, approx. 500 (not 500+ or 500多: "more
#: than" is no figure to check against)
_ABOUT = re.compile(r"(?i)^\s*(?:约|大约|大概|预计|估计|~|≈|about|approx\.?|ca\.)\s*(\d[^~≈]*?)\s*$"
                    r"|^\s*(\d[^~≈]*?)\s*(?:左右|上下)\s*$")


def written_number(text: str) -> tuple[float, Unit | None] | None:
    """A quantity typed with more than its number: '500+200' -> 700 (the sum), '1000（含备品50）' -> 1000 (the number
    before a bracketed remark, which may say what it includes), '约500' and '500左右' -> 500 (about so much); None
    for anything else."""
    s = unicodedata.normalize("NFKC", text)
    if _SUM.match(s):
        return sum(float(t.replace(",", "")) for t in s.split("+")), None
    if (m := _REMARKED.match(s)) is not None:
        return number_and_unit(m[1].strip())
    if (m := _ABOUT.match(s)) is not None:
        return number_and_unit((m[1] or m[2]).strip())
    return None


def settle_units(values: np.ndarray, units: list[Unit | None], weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convert, in place, each value in a unit of the kind most rows use into that unit.

    Returns each value's unit label after conversion (None where it had none) and the mask of values
    in a unit that does not convert (pcs in a column of kg).
    """
    counted: dict[Unit, float] = {}
    for unit, weight in zip(units, weights.tolist()):
        if unit is not None:
            counted[unit] = counted.get(unit, 0) + weight
    labels = np.array([u.label if u else None for u in units], dtype=object)
    odd = np.zeros(len(units), dtype=bool)
    if not counted:
        return labels, odd
    kinds: dict[str, float] = {}
    for unit, weight in counted.items():
        kinds[unit.kind] = kinds.get(unit.kind, 0) + weight
    kind = max(kinds, key=lambda k: kinds[k])
    target = max((u for u in counted if u.kind == kind), key=lambda u: counted[u])
    for i, unit in enumerate(units):
        if unit is None or unit.label == target.label:
            continue
        if unit.kind == kind:
            values[i] = values[i] * unit.factor / target.factor
            labels[i] = target.label
        else:
            odd[i] = True
    return labels, odd


# --- the unit a header names -------------------------------------------------

#: a unit a header names at its end, in brackets or after a slash: 数量(打), Qty (dz), 订单数量（千件）, Qty/K pcs
_HEADER_UNIT = re.compile(r"(?:\(\s*([^()]{1,12}?)\s*\)|/\s*([^/()]{1,12}?))\s*$")
#: what a count's unit may start with: 千件, 万件, K pcs, Kpcs; alone (数量(千), Qty (K)) it counts pieces
_TIMES = {"千": 1000.0, "万": 10000.0, "k": 1000.0}


def header_unit(label: str) -> Unit | None:
    """The unit a column's numbers are in, as its header says at its end: 数量(打) -> dozen (12 pieces), Qty (K pcs)
    and 数量（千件） -> thousands of pieces, 完成数量(件) -> pieces, Weight (kg) -> kg; None where it says none."""
    m = _HEADER_UNIT.search(unicodedata.normalize("NFKC", label).replace("[", "(").replace("]", ")"))
    if m is None:
        return None
    said = (m[1] or m[2]).strip()
    word = said.lower()
    if (unit := UNITS.get(word)) is not None:
        return Unit(said, unit.kind, unit.factor)
    for start, times in _TIMES.items():
        base = UNITS.get(word[len(start):].strip() or "pcs") if word.startswith(start) else None
        if base is not None and base.kind == "count":
            return Unit(said, "count", base.factor * times)
    return None


def count_unit(*units: Unit | None) -> Unit | None:
    """The first of ``units`` that counts pieces (打, 千件, pcs: they convert into each other); None if none does."""
    return next((u for u in units if u is not None and u.kind == "count"), None)


# --- a unit column beside its numbers ---------------------------------------

#: share of a column's filled cells that must be unit words (片, pcs) for it to be a unit column
UNIT_COLUMN_SHARE = 0.8


def is_unit_word(value: object) -> bool:
    """'片', 'pcs', ' KG ': a unit and nothing else."""
    return isinstance(value, str) and value.strip().lower() in UNITS


def beside_its_unit(rows: list[list[object]], first: int, labels: list[str], mapping: dict[str, tuple[int, float]],
                    numbers: set[str], sample: int = 300) -> tuple[dict[str, tuple[int, float]], list[str]]:
    """A number field mapped to a column of unit words (数量 over 片, 件, 套) whose numbers are in the next
    column, under no header of its own (a header merged over unit and number, or left blank): mapped to the
    numbers instead, which take the header's label; the unit column stays as typed. Returns the mapping and
    the labels."""
    out, labels = dict(mapping), list(labels)
    used = {c for c, _ in mapping.values()}
    for name, (col, strength) in mapping.items():
        nxt = col + 1
        if name not in numbers or nxt in used or nxt >= len(labels) or labels[nxt]:
            continue
        pairs = [(row[col] if col < len(row) else None, row[nxt] if nxt < len(row) else None)
                 for row in rows[first: first + sample]]
        units = [u for u, _ in pairs if u not in ("", None)]
        if len(units) < 3 or sum(map(is_unit_word, units)) < UNIT_COLUMN_SHARE * len(units):
            continue
        figures = [v for _, v in pairs if v not in ("", None)]
        readable = sum(1 for v in figures if isinstance(v, (int, float)) and not isinstance(v, bool)
                       or isinstance(v, str) and number_and_unit(v.strip()) is not None)
        if len(figures) >= 3 and readable >= UNIT_COLUMN_SHARE * len(figures):
            out[name] = (nxt, strength)
            labels[nxt] = labels[col]
    return out, labels

"""How a header label is folded before it is compared with an alias, and what language labels are in.

People type headers every way: Traditional or Simplified characters, spaces
inside a word (生 產 單 号), full-width spaces and brackets, line breaks
('訂單編號⏎(已勾測料)', 'SL⏎Sheet'), units and notes in brackets
('數量(Pcs)', '单价(USD)'), abbreviations and typos ('Del. Date', "Q'ty",
'Unite Price'). ``header_key`` folds all of that away so one alias matches every
spelling; ``header_variants`` adds the parts of a label (each line, the label
without its brackets) so a bilingual or annotated header still matches on one
of its parts.

Traditional -> Simplified folding uses OpenCC (a maintained conversion table),
built once on first use; ASCII labels never reach it. Header cells are few,
and every fold is cached.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

_PUNCT = re.compile(r"[\s\u3000\u00a0_\-–—.:：#№/\\,，、;；'\"“”‘’`´*（）()\[\]【】<>《》?？!！]+")
_PAREN = re.compile(r"[(\[][^)\]]*[)\]]")
_LINES = re.compile(r"[\n\r/|]")
_WORD = re.compile(r"[a-z]+")
_QTY = re.compile(r"\bq\W?ty\b")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f\u1e00-\u1eff]")

#: English abbreviations and common misspellings in headers, folded to the word the aliases use
ABBREVIATIONS = {
    "dt": "date", "dte": "date", "del": "delivery", "deli": "delivery", "deliv": "delivery", "dlv": "delivery",
    "dely": "delivery", "dlvy": "delivery", "delv": "delivery", "delivey": "delivery", "delievery": "delivery",
    "unite": "unit", "qnty": "qty", "qtty": "qty", "quantiy": "quantity", "quatity": "quantity",
    "amt": "amount", "cust": "customer", "custmer": "customer", "costumer": "customer", "desc": "description",
    "descr": "description", "shpt": "shipment", "shp": "ship", "ord": "order", "oder": "order",
    "nbr": "no", "num": "no", "nr": "no", "reqd": "required", "req": "required", "rec'd": "received",
    "recd": "received", "rcvd": "received", "qlty": "quality", "insp": "inspection", "mat": "material",
    "matl": "material", "mtrl": "material", "suppl": "supplier", "prod": "production", "pcs.": "pcs",
}


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional -> Simplified Chinese (ASCII text is returned as it is)."""
    if text.isascii():
        return text
    try:
        return _t2s().convert(text)
    except UnicodeError:    # a lone surrogate from a damaged file: nothing to fold
        return text


def _expand(text: str) -> str:
    """Abbreviations to whole words, word by word ('del. dt' -> 'delivery date')."""
    if not text.isascii() and not _WORD.search(text):
        return text
    text = _QTY.sub("qty", text)
    return _WORD.sub(lambda m: ABBREVIATIONS.get(m.group(0), m.group(0)), text)


@lru_cache(maxsize=65536)
def header_key(text: object) -> str:
    """How a header label is compared with aliases: NFKC (full-width to half-width), lower case,
    Traditional folded to Simplified, English abbreviations expanded, spaces and punctuation removed."""
    s = unicodedata.normalize("NFKC", str(text)).lower()
    return _PUNCT.sub("", _expand(to_simplified(s)))


def header_variants(text: object) -> list[str]:
    """The label as a whole, without its bracketed parts, each bracketed part, and each line or part alone.

    '訂單編號\\n(已勾測料)' -> ['订单编号已勾测料', '订单编号', '已勾测料'];
    '数量（Quantity）' -> ['数量quantity', '数量', 'quantity']; 'Ngày giao hàng\\nETD' -> [..., 'etd'].
    """
    raw = unicodedata.normalize("NFKC", str(text))
    out = [header_key(raw), header_key(_PAREN.sub(" ", raw))]
    out += [header_key(p) for p in _PAREN.findall(raw)]
    out += [header_key(_PAREN.sub(" ", p)) for p in _LINES.split(raw) if p.strip()]
    seen: list[str] = []
    for v in out:
        if v and v not in seen:
            seen.append(v)
    return seen


def language_of(labels: Iterable[object]) -> str | None:
    """'zh' when most labels are Chinese, 'en' when most are in Latin letters, None when there are none.

    A bilingual label ('数量 Qty') counts as Chinese: a Chinese reader wrote it.
    """
    zh = latin = 0
    for label in labels:
        text = str(label or "")
        if _CJK.search(text):
            zh += 1
        elif _LATIN.search(text):
            latin += 1
    if not zh and not latin:
        return None
    return "zh" if zh >= latin else "en"

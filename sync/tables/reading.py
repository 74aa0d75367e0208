"""What a sheet is, said plainly: "recognised", "probably X (missing: …)" or "not a table".

``read_sheet`` gives the verdict on one sheet with its best match (from
``detect.recognise`` with ``unsure=True``) and the language of its headers;
``workbook_language`` tells a workbook's language from its sheets, so a
command can speak English to an English register when the config does not
say; ``describe`` puts a verdict in words for ``check`` and ``init``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sync.i18n import say
from sync.sources.base import Grid
from sync.tables.detect import header_candidates, recognise
from sync.tables.header import HeaderMatch
from sync.tables.fields import TABLES, TableSpec
from sync.tables.labels import language_of
from sync.tables.table import column_letter


@dataclass
class SheetReading:
    """What one sheet is: "recognised" (a table), "probable" (looks like one, not sure) or "none"."""

    sheet: str
    verdict: str
    match: HeaderMatch | None
    others: list[HeaderMatch] = field(default_factory=list)
    language: str | None = None


def read_sheet(grid: Grid, hint: str = "") -> SheetReading:
    """The verdict on one sheet, with its best match and the language of its headers."""
    found = recognise(grid, hint, unsure=True)
    if found:
        best = found[0]
        return SheetReading(grid.sheet, best.status, best, found[1:], best.language)
    labels = [lab for cand in header_candidates(grid)[:1] for lab in cand.labels]
    return SheetReading(grid.sheet, "none", None, [], language_of(labels))


def workbook_language(readings: list[SheetReading]) -> str | None:
    """The language most of a workbook's tables (or, without any, its sheets) are headed in."""
    chosen = [r for r in readings if r.verdict == "recognised"] or readings
    votes = [r.language for r in chosen if r.language]
    return max(("zh", "en"), key=votes.count) if votes else None


def describe(reading: SheetReading, lang: str = "zh") -> str:
    """'订单 (第 2 行表头, 键 = D 订单号)' / 'probably orders (missing: due date)' / 'not a table'."""
    m = reading.match
    if m is None:
        return say("看不出是哪种表", "not a table", lang)
    spec = TABLES[m.table]
    name = spec.en if lang == "en" else spec.zh
    missing = ", ".join(_field_word(spec, f, lang) for f in m.missing)
    if not m.recognised:
        return say("可能是{name}表 (缺: {missing})", "probably {name} (missing: {missing})", lang,
                   name=name, missing=missing)
    key = " + ".join(f"{column_letter(m.mapping[f])} {m.labels[m.mapping[f]]}" for f in m.key)
    text = say("{name}表: 第 {row} 行表头, 键 = {key}", "{name}: header on row {row}, key = {key}", lang,
               name=name, row=m.header_row_1based, key=key)
    if m.composite:
        text += say(" (组合键)", " (composite key)", lang)
    return text + (say(" (缺: {missing})", " (missing: {missing})", lang, missing=missing) if missing else "")


def _field_word(spec: TableSpec, name: str, lang: str) -> str:
    """A field as a person calls it: its first Chinese alias (交货日期), or its name in words (due date)."""
    if lang == "en":
        return name.replace("_no", " no.").replace("_qty", " qty").replace("_", " ")
    return next((a for a in spec.fields[name].aliases if not a.isascii()), name)

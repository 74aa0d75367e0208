"""What a sheet is, said plainly: "recognised", "probably X (missing: …)" or "not a table".

``read_sheet`` gives the verdict on one sheet with its best match (from
``detect.recognise`` with ``unsure=True``) and the language of its headers;
``read_sources`` gives it for every sheet of some workbooks after a load (from
the tables the register made and what the load saw of the other sheets: a
sheet is read again only when the load did not read it); ``workbook_language`` tells a workbook's language from its sheets,
so a command can speak English to an English register when the config does not
say; ``describe`` puts a verdict in words for ``check``, ``init`` and ``doctor``;
``doubts`` says why a reading is only a guess, so ``init`` knows what to ask: a table
read with no column that tells its rows apart (its key column refused, none in the
sheet) is a guess as much as a probable one is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sync.errors import SourceError
from sync.i18n import say
from sync.sources.base import Grid, Source
from sync.tables.detect import first_labels, identity, map_labels, recognise
from sync.tables.fields import ROW_COUNTERS, TABLES, field_word, header_key
from sync.tables.given import CONFIG, FILE, TAB
from sync.tables.header import HeaderMatch
from sync.tables.labels import language_of
from sync.tables.table import Table, column_letter

if TYPE_CHECKING:
    from sync.tables.register import Register

#: the reasons a reading is a guess (``doubts``); NO_KEY: recognised, but no column tells its rows apart
PROBABLE, COMPOSITE, WEAK_KEY, NO_KEY = "probable", "composite", "weak-key", "no-key"
#: read with another sheet's header: the sheet has none of its own (``sync.tables.analogy``)
BORROWED = "borrowed"


@dataclass
class SheetReading:
    """What one sheet is: "recognised" (a table), "probable" (looks like one, not sure) or "none"."""

    sheet: str
    verdict: str
    match: HeaderMatch | None
    others: list[HeaderMatch] = field(default_factory=list)
    language: str | None = None
    source: str = ""                #: the workbook it is in (the source's name), when read by ``read_sources``
    table: str | None = None        #: the register's table its rows were read into; None: not read
    #: a sheet read as no table whose first header names an order number (订单号, PO No.): that column's label,
    #: for the verdict to say the sheet holds orders' rows nothing read
    keyed_by: str = ""
    #: what a name gives its rows, by field (``Table.given``): (the value, FILE or TAB), as the follower of
    #: 张丽.xlsx, the status of a tab of finished orders (已完成)
    given: dict[str, tuple[str, str]] = field(default_factory=dict)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """The verdict for ``check --format json`` (``summary.sheets``)."""
        m = self.match
        return {"source": self.source or None, "sheet": self.sheet, "verdict": self.verdict,
                "table": m.table if m else None, "read": self.table is not None,
                "header_row": m.header_row_1based if m else None,
                "key": [column_letter(m.mapping[f]) for f in m.key] if m else [],
                "missing": list(m.missing) if m else [], "guess": doubts(m) if m else [],
                "message": describe(self, lang)}


def read_sheet(grid: Grid, hint: str = "") -> SheetReading:
    """The verdict on one sheet, with its best match and the language of its headers."""
    found = recognise(grid, hint, unsure=True)
    return reading_of(grid.sheet, found, [] if found else first_labels(grid))


def reading_of(sheet: str, found: list[HeaderMatch], labels: list[str]) -> SheetReading:
    """The verdict from what detection found on a sheet (best first) and its first header row's labels."""
    if found:
        best = found[0]
        return SheetReading(sheet, best.status, best, found[1:], best.language)
    key = map_labels(labels, "orders").get("order_no")
    keyed_by = labels[key[0]] if key is not None and key[1] >= 2 else ""
    return SheetReading(sheet, "none", None, [], language_of(labels), keyed_by=keyed_by)


def read_sources(sources: list[Source], register: Register, *, others: bool = True) -> list[SheetReading]:
    """Every visible sheet of ``sources`` in workbook order: those ``register`` read, described from their
    tables (nothing is read again); with ``others``, the rest read again and given their verdict.

    A workbook the load could not read is left out: its problem is already in ``register.problems``.
    """
    taken: dict[tuple[str, str], tuple[Table, int, tuple[str, ...], dict[str, tuple[str, str]]]] = {}
    for table in register.tables.values():   # a sheet of stacked tables is said as its top one
        for where, row, key, given in _parts(table):
            taken.setdefault(where, (table, row, key, given))
    broken = {p.source for p in register.problems if p.table is None}   # a table-level problem: the rest was read
    out: list[SheetReading] = []
    for source in sources:
        if source.name in broken:
            continue
        try:
            visible = [s.name for s in source.sheets() if not s.hidden]
            rest = [s for s in visible if (source.name, s) not in taken] if others else []
            # what the load saw of a sheet says what it is; only a sheet it did not read is read again
            fresh = {s: reading_of(s, *register.seen[source.name, s]) for s in rest if (source.name, s) in register.seen}
            unseen = [s for s in rest if s not in fresh]
            hint = source.name.rsplit(".", 1)[0]
            fresh |= {g.sheet: read_sheet(g, hint) for g in source.read(unseen)} if unseen else {}
        except SourceError:
            continue    # changed or gone since the load; the next run says so
        for sheet in visible:
            if (source.name, sheet) in taken:
                out.append(reading_of_table(*taken[source.name, sheet], sheet=sheet, source=source.name))
            elif sheet in fresh:
                fresh[sheet].source = source.name
                out.append(fresh[sheet])
    return out


def _parts(table: Table) -> list[tuple[tuple[str, str], int, tuple[str, ...], dict[str, tuple[str, str]]]]:
    """((source, sheet), header row, a plan's key there, what the names give its rows) of each sheet a table's
    rows come from."""
    return [((p.source, p.sheet), p.header_row, p.key or table.key, _given(table, at)) for p, at in table.places()]


def _given(table: Table, position: int) -> dict[str, tuple[str, str]]:
    """What the names give the sheet whose rows start at ``position`` (its first row's, as every row's)."""
    if position >= len(table):
        return {}
    values = {name: (table.data[name].iloc[position], by) for name, by in table.given.items()}
    return {name: (value, by) for name, (value, by) in values.items() if isinstance(value, str)}


def reading_of_table(table: Table, header_row: int, plan_key: tuple[str, ...] = (),
                     given: dict[str, tuple[str, str]] | None = None, *, sheet: str, source: str) -> SheetReading:
    """A sheet the register read, as a reading: its table's columns, key (a plan's as found in that sheet's
    rows) and what it lacks."""
    width = max((c.index for c in table.columns.values()), default=-1) + 1
    labels = [""] * width
    for col in table.columns.values():
        labels[col.index] = col.header
    mapping = {f: c.index for f, c in table.columns.items()}
    spec = TABLES[table.kind]
    found = (list(plan_key), True) if plan_key else identity(spec, {f: (c, 3.0) for f, c in mapping.items()})
    key, composite = found if found is not None else ([], False)
    missing = [f for f in dict.fromkeys((*([] if key else spec.needs[:1]), *spec.core)) if f not in mapping]
    match = HeaderMatch(table.kind, header_row - 1, header_row, labels, mapping, 0.0, [], "recognised", key,
                        composite, missing, plan=bool(plan_key), borrowed=table.borrowed)
    language = language_of([*labels, *table.unmapped])
    return SheetReading(sheet, "recognised", match, [], language, source, table.name, given=dict(given or {}))


def workbook_language(readings: list[SheetReading]) -> str | None:
    """The language most of a workbook's tables (or, without any, its sheets) are headed in."""
    chosen = [r for r in readings if r.verdict == "recognised"] or readings
    votes = [r.language for r in chosen if r.language]
    return max(("zh", "en"), key=votes.count) if votes else None


def doubts(match: HeaderMatch) -> list[str]:
    """Why a reading is only a guess: it is probable (something it needs is missing), it was read with no
    key at all, its key is a composite of columns, or its key column is named by a weak alias (编号).
    Empty when it is sure."""
    out = [PROBABLE] if not match.recognised else []
    if match.borrowed:
        out.append(BORROWED)
    if match.recognised and not match.key:
        out.append(NO_KEY)
    elif match.composite:
        out.append(COMPOSITE)
    elif match.key and weak_key(match):
        out.append(WEAK_KEY)
    return out


def weak_key(match: HeaderMatch) -> bool:
    """The key column is named only by a weak alias (编号 numbers rows as often as it names orders), or it is
    headed as a row counter ("No") and was taken for the codes it holds."""
    name = match.key[0]
    col = match.mapping.get(name)
    label = match.labels[col] if col is not None and col < len(match.labels) else ""
    claim = map_labels([label], match.table).get(name) if label else None
    return (claim is not None and claim[1] < 2) or (bool(label) and claim is None and header_key(label) in ROW_COUNTERS)


def describe(reading: SheetReading, lang: str = "zh") -> str:
    """'订单表: 第 2 行表头, 键 = D 订单号' / 'probably orders (missing: due date)' / 'not a table'."""
    m = reading.match
    if m is None and reading.keyed_by:
        return say("有“{label}”列，但看不出是哪种表（`ordersync init` 可指定它是哪张表）",
                   "has a '{label}' column but reads as no table (`ordersync init` can say which it is)",
                   lang, label=reading.keyed_by)
    if m is None:
        return say("看不出是哪种表", "not a table", lang)
    name = table_word(m.table, lang)
    if not m.recognised:
        return say("可能是{name}表 (缺: {missing})", "probably {name} (missing: {missing})", lang,
                   name=name, missing=missing_words(m, lang))
    said = say("{name}表: {details}", "{name}: {details}", lang, name=name, details=details(m, lang))
    if "follower" in reading.given:
        who, by = reading.given["follower"]
        said += {TAB: say("，跟单员 = {who}（取自工作表名）", ", follower = {who} (from the tab's name)", lang, who=who),
                 FILE: say("，跟单员 = {who}（取自文件名）", ", follower = {who} (from the file name)", lang, who=who),
                 CONFIG: say("，跟单员 = {who}（config.toml 指定）", ", follower = {who} (as config.toml says)", lang,
                             who=who)}[by]
    if "status" in reading.given:
        said += say("，状态 = {s}（取自工作表名）", ", status = {s} (from the tab's name)", lang,
                    s=reading.given["status"][0])
    return said


def details(m: HeaderMatch, lang: str = "zh") -> str:
    """'header on row 2, key = D 订单号 (missing: due date)': a recognised match, without its table's name."""
    key = " + ".join(f"{column_letter(m.mapping[f])} {m.labels[m.mapping[f]]}" for f in m.key)
    if not key:
        key = say("无（没有能区分各行的列）", "none (no column tells its rows apart)", lang)
    text = say("第 {row} 行表头, 键 = {key}", "header on row {row}, key = {key}", lang, row=m.header_row_1based, key=key)
    if m.composite:
        text += say(" (组合键)", " (composite key)", lang)
    missing = missing_words(m, lang)
    return text + (say(" (缺: {missing})", " (missing: {missing})", lang, missing=missing) if missing else "")


def missing_words(m: HeaderMatch, lang: str = "zh") -> str:
    spec = TABLES[m.table]
    return ", ".join(field_word(spec, f, lang) for f in m.missing)


def table_word(table: str, lang: str) -> str:
    """'订单' / 'orders'."""
    spec = TABLES[table]
    return spec.en if lang == "en" else spec.zh

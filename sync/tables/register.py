"""Read a register: sources -> recognised (or configured) tables.

``load`` never raises for one bad workbook: it records a ``SourceProblem`` and
carries on with the others, so one broken file cannot silence the rest.

A table may span sheets and workbooks: the tabs of one workbook that look like
the same table with the same header over the same columns (monthly tabs, one
tab per customer), the workbooks of one layout given together (one register
per follower), or the tabs config names by pattern (``sheets = ["*月"]``). A
tab that repeats most rows of another is a copy and is left out. Each sheet is
still read, remembered and re-read on its own (``SheetMemo``); the table joins
them with each row's file and sheet (``Table.parts``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from sync.tables.columns import ColumnGrid, compact
from sync.tables.detect import find_header, first_labels, recognise
from sync.tables.header import HeaderMatch
from sync.errors import SourceError
from sync.tables.fields import TABLES, header_key, layout_label
from sync.gcpause import collection_paused
from sync.sources.base import Grid, Source
from sync.tables.table import Table, build_table, concat_tables, is_copy, layout, table_columns

if TYPE_CHECKING:
    from sync.config import TableConfig


@dataclass
class SourceProblem:
    source: str
    location: str
    message: str
    retryable: bool = False
    hint: str = ""


@dataclass
class Register:
    tables: dict[str, Table] = field(default_factory=dict)
    problems: list[SourceProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: (source, sheet) -> what each sheet read this time looked like: every match, the probable ones too,
    #: and its first header row's labels; so saying what a sheet is needs no second read
    seen: dict[tuple[str, str], tuple[list[HeaderMatch], list[str]]] = field(default_factory=dict)

    def get(self, name: str) -> Table | None:
        return self.tables.get(name)

    def add(self, table: Table, score: float, scores: dict[str, float]) -> None:
        """Keep the better of two sheets that look like one table, or both when they share a layout
        (one register per follower: the same header over the same columns)."""
        current = self.tables.get(table.name)
        if current is not None and layout(current) == layout(table) and not is_copy(table, [current]):
            self.tables[table.name] = concat_tables([current, table])
            scores[table.name] = max(score, scores.get(table.name, 0))
        elif current is None or score > scores.get(table.name, 0):
            if current is not None:
                self.notes.append(f"{current.describe()} also looks like {table.name}; using {table.describe()}")
            self.tables[table.name] = table
            scores[table.name] = score
        else:
            self.notes.append(f"{table.describe()} also looks like {table.name}; using {current.describe()}")


@dataclass
class SheetMemo:
    """What the last read of one source found in each sheet, under the sheet's content token.

    A source that can tell its sheets' tokens without reading them (``sheet_tokens``:
    .xlsx from the package directory, and from the shared strings and styles when
    those moved) has only the sheets whose token moved read again; the others keep
    their match and their table. The daemon keeps one per source: a save that
    changes one tab costs the read of that tab.
    """

    found: dict[str, tuple[str, HeaderMatch | None]] = field(default_factory=dict)   # sheet -> (token, match)
    tables: dict[str, tuple[str, Table]] = field(default_factory=dict)               # sheet -> (token, table)
    reread: list[str] = field(default_factory=list)                                  # read by the last load

    def fresh(self, sheet: str, tokens: dict[str, str]) -> bool:
        return sheet in tokens and sheet in self.found and self.found[sheet][0] == tokens[sheet]

    def table(self, sheet: str, tokens: dict[str, str], match: HeaderMatch) -> Table | None:
        token, table = self.tables.get(sheet, ("", None))
        fresh = table is not None and sheet in tokens and token == tokens[sheet]
        return table if fresh and table.name == match.table else None

    def keep_only(self, sheets: list[str]) -> None:
        for gone in (self.found.keys() | self.tables.keys()) - set(sheets):
            self.found.pop(gone, None)
            self.tables.pop(gone, None)


def load(sources: list[Source], configured: dict[str, TableConfig] | None = None, *,
         day_first: bool | None = None, memos: dict[str, SheetMemo] | None = None) -> Register:
    """Read every source; with ``configured`` tables pinned to sources, read only those sheets.

    ``memos`` (source name -> ``SheetMemo``) lets a source's unchanged sheets be taken
    from its last read instead of read again (detected tables only).
    """
    register = Register()
    scores: dict[str, float] = {}
    for source in sources:
        # a source opened from a path glob answers to the name of the [sources.NAME] it came from
        wanted = {n: c for n, c in (configured or {}).items() if c.source in (source.name, source.group)}
        try:
            if wanted:
                _load_configured(source, wanted, register, scores, day_first)
            elif not configured:
                memo = memos.setdefault(source.name, SheetMemo()) if memos is not None else None
                _load_detected(source, register, scores, day_first, memo)
        except SourceError as exc:
            if memos is not None:
                memos.pop(source.name, None)
            register.problems.append(SourceProblem(source.name, source.location, str(exc), exc.retryable, exc.hint))
    return register


def _load_detected(source: Source, register: Register, scores: dict[str, float], day_first: bool | None,
                   memo: SheetMemo | None = None) -> None:
    visible = [s.name for s in source.sheets() if not s.hidden]
    tokens: dict[str, str] = getattr(source, "sheet_tokens", dict)() if memo is not None else {}
    memo = memo if memo is not None else SheetMemo()
    memo.keep_only(visible)
    matches: list[tuple[float, str, HeaderMatch]] = [
        (m.score, sheet, m) for sheet in visible if memo.fresh(sheet, tokens) for m in [memo.found[sheet][1]] if m]
    grids: dict[str, ColumnGrid] = {}
    hint = source.name.rsplit(".", 1)[0]  # the workbook's name speaks for sheets called "Sheet1"
    sizes = getattr(source, "sheet_sizes", dict)()
    memo.reread = [name for name in visible if not memo.fresh(name, tokens)]
    # the biggest sheet first, while nothing else is held: its cells are the peak of the whole read
    with collection_paused():
        for grid in source.read(sorted(memo.reread, key=lambda name: -sizes.get(name, 0))):
            seen = recognise(grid, hint, unsure=True)
            register.seen[source.name, grid.sheet] = (seen, [] if seen else first_labels(grid))
            found = [m for m in seen if m.recognised]
            memo.found[grid.sheet] = (tokens.get(grid.sheet, ""), found[0] if found else None)
            if found:  # a sheet is only ever what it looks like most (a copy of shipments is not orders)
                # keep only the columns the table needs, factorised, and let the sheet's rows go now:
                # holding every sheet's cells until all are read would need the whole workbook in memory
                grids[grid.sheet] = compact(grid, table_columns(found[0]), found[0].first_data)
                matches.append((found[0].score, grid.sheet, found[0]))
            del grid
    taken_sheets: set[str] = set()
    families: dict[str, list[tuple[str, Table]]] = {}   # table -> its sheets: the best, then same-layout ones
    shapes: dict[str, tuple] = {}
    best: dict[str, float] = {}
    for score, sheet, match in sorted(matches, key=lambda m: (-m[0], visible.index(m[1]))):
        if sheet in taken_sheets or shapes.setdefault(match.table, match_layout(match)) != match_layout(match):
            continue
        taken_sheets.add(sheet)
        best.setdefault(match.table, score)
        table = memo.table(sheet, tokens, match)
        if table is None:
            if sheet not in grids:   # kept from the last read, but not made a table then: read it now
                with collection_paused():
                    grid = next(iter(source.read([sheet])))
                    grids[sheet] = compact(grid, table_columns(match), match.first_data)
                    del grid
                memo.reread.append(sheet)
            table = build_table(grids.pop(sheet), match, source=source.name, location=source.location,
                                day_first=day_first)
        memo.tables[sheet] = (tokens.get(sheet, ""), table)
        family = families.setdefault(match.table, [])
        if family and is_copy(table, [t for _, t in family]):
            register.notes.append(f"{table.describe()} repeats the rows of {family[0][1].describe()}; left out")
            continue
        family.append((sheet, table))
    for name, members in families.items():   # monthly tabs, one tab per customer: in workbook order
        members.sort(key=lambda m: visible.index(m[0]))
        register.add(concat_tables([t for _, t in members]), best[name], scores)
    for sheet in memo.tables.keys() - taken_sheets:
        del memo.tables[sheet]
    if tokens and getattr(source, "sheet_tokens", dict)() != tokens:
        memo.found.clear()       # the workbook was saved again while it was read: trust nothing kept
        memo.tables.clear()
    if not families:
        register.notes.append(f"{source.location}: no order register tables recognised "
                              f"(sheets: {', '.join(visible) or 'none'})")


def match_layout(match: HeaderMatch) -> tuple:
    """``table.layout`` of the table a match would build: sheets alike in it are one table."""
    labels = match.labels
    return match.table, tuple(sorted((f, c, layout_label(match.table, f, labels[c] if c < len(labels) else ""))
                                     for f, c in match.mapping.items()))


def _load_configured(source: Source, wanted: dict[str, TableConfig], register: Register,
                     scores: dict[str, float], day_first: bool | None) -> None:
    plan, auto = _configured_sheets(source, wanted, register)
    sheets = list(dict.fromkeys(s for names in plan.values() for s in names))
    if auto:
        sheets = [s.name for s in source.sheets() if not s.hidden]
    built: dict[str, list[tuple[float, Table]]] = {}
    with collection_paused():
        for grid in source.read(sheets):
            names = [n for n, s in plan.items() if grid.sheet in s]
            names += [n for n in auto if n not in register.tables and n not in built]
            for name in names:
                cfg = wanted[name]
                match = find_header(grid, name, header_row=cfg.header_row, aliases=cfg.aliases)
                if match is None:
                    if name in plan:
                        register.notes.append(f"{source.location} › {grid.sheet}: no {name} header found")
                    continue
                _apply_columns(match, grid, cfg)
                built.setdefault(name, []).append((match.score, build_table(
                    grid, match, source=source.name, location=source.location, day_first=day_first)))
    for name, found in built.items():
        tables = [t for _, t in found if layout(t) == layout(found[0][1])]
        for _, other in found:
            if layout(other) != layout(found[0][1]):
                register.notes.append(f"{other.describe()}: its columns differ from {found[0][1].sheet}'s; "
                                      f"not read as part of {name}")
        register.add(concat_tables(tables), max(s for s, _ in found), scores)


def _configured_sheets(source: Source, wanted: dict[str, TableConfig],
                       register: Register) -> tuple[dict[str, list[str]], list[str]]:
    """Table -> the sheets config names for it (``sheet``, or the ``sheets`` patterns), and the tables
    config leaves to be found in any sheet."""
    plan: dict[str, list[str]] = {}
    auto: list[str] = []
    visible: list[str] | None = None
    for name, cfg in wanted.items():
        patterns = getattr(cfg, "sheets", None)
        if cfg.sheet:
            plan[name] = [cfg.sheet]
        elif patterns:
            visible = visible if visible is not None else [s.name for s in source.sheets() if not s.hidden]
            plan[name] = [s for s in visible if any(fnmatchcase(s, p) for p in patterns)]
            if not plan[name]:
                register.notes.append(f"{source.location}: no sheet matches {', '.join(patterns)} for {name}")
        else:
            auto.append(name)
    return plan, auto


def _apply_columns(match: HeaderMatch, grid: Grid, cfg: TableConfig) -> None:
    """config.toml pins a column by its header text or its letter."""
    from sync.tables.table import column_letter

    for fieldname, ref in (cfg.columns or {}).items():
        if fieldname not in TABLES[match.table].fields:
            continue
        for c, label in enumerate(match.labels):
            if column_letter(c) == ref.upper() or (label and header_key(label) == header_key(ref)):
                match.mapping = {f: col for f, col in match.mapping.items() if col != c}
                match.mapping[fieldname] = c
                break

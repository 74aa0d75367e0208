"""Read a register: sources -> recognised (or configured) tables.

``load`` never raises for one bad workbook: it records a ``SourceProblem`` and
carries on with the others, so one broken file cannot silence the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sync.tables.columns import ColumnGrid, compact
from sync.tables.detect import HeaderMatch, find_header, recognise
from sync.errors import SourceError
from sync.tables.fields import TABLES
from sync.gcpause import collection_paused
from sync.sources.base import Grid, Source
from sync.tables.table import Table, build_table, table_columns

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

    def get(self, name: str) -> Table | None:
        return self.tables.get(name)

    def add(self, table: Table, score: float, scores: dict[str, float]) -> None:
        current = self.tables.get(table.name)
        if current is None or score > scores.get(table.name, 0):
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
        wanted = {n: c for n, c in (configured or {}).items() if c.source == source.name}
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
            found = recognise(grid, hint)
            memo.found[grid.sheet] = (tokens.get(grid.sheet, ""), found[0] if found else None)
            if found:  # a sheet is only ever what it looks like most (a copy of shipments is not orders)
                # keep only the columns the table needs, factorised, and let the sheet's rows go now:
                # holding every sheet's cells until all are read would need the whole workbook in memory
                grids[grid.sheet] = compact(grid, table_columns(found[0]), found[0].first_data)
                matches.append((found[0].score, grid.sheet, found[0]))
            del grid
    taken_tables: set[str] = set()
    taken_sheets: set[str] = set()
    for score, sheet, match in sorted(matches, key=lambda m: (-m[0], visible.index(m[1]))):
        if match.table in taken_tables or sheet in taken_sheets:
            continue
        taken_tables.add(match.table)
        taken_sheets.add(sheet)
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
        register.add(table, score, scores)
    for sheet in memo.tables.keys() - taken_sheets:
        del memo.tables[sheet]
    if tokens and getattr(source, "sheet_tokens", dict)() != tokens:
        memo.found.clear()       # the workbook was saved again while it was read: trust nothing kept
        memo.tables.clear()
    if not taken_tables:
        register.notes.append(f"{source.location}: no order register tables recognised "
                              f"(sheets: {', '.join(visible) or 'none'})")


def _load_configured(source: Source, wanted: dict[str, TableConfig], register: Register,
                     scores: dict[str, float], day_first: bool | None) -> None:
    by_sheet: dict[str, list[str]] = {}
    auto: list[str] = []
    for name, cfg in wanted.items():
        (by_sheet.setdefault(cfg.sheet, []) if cfg.sheet else auto).append(name)
    sheets = list(by_sheet) if not auto else [s.name for s in source.sheets() if not s.hidden]
    with collection_paused():
        for grid in source.read(sheets):
            names = by_sheet.get(grid.sheet, []) + [n for n in auto if n not in register.tables]
            for name in names:
                cfg = wanted[name]
                match = find_header(grid, name, header_row=cfg.header_row, aliases=cfg.aliases)
                if match is None:
                    if cfg.sheet:
                        register.notes.append(f"{source.location} › {grid.sheet}: no {name} header found")
                    continue
                _apply_columns(match, grid, cfg)
                register.add(build_table(grid, match, source=source.name, location=source.location,
                                         day_first=day_first), match.score, scores)


def _apply_columns(match: HeaderMatch, grid: Grid, cfg: TableConfig) -> None:
    """config.toml pins a column by its header text or its letter."""
    from sync.tables.fields import header_key
    from sync.tables.table import column_letter

    for fieldname, ref in (cfg.columns or {}).items():
        if fieldname not in TABLES[match.table].fields:
            continue
        for c, label in enumerate(match.labels):
            if column_letter(c) == ref.upper() or (label and header_key(label) == header_key(ref)):
                match.mapping = {f: col for f, col in match.mapping.items() if col != c}
                match.mapping[fieldname] = c
                break

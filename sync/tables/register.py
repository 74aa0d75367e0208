"""Read a register: sources -> recognised (or configured) tables.

``load`` never raises for one bad workbook: it records a ``SourceProblem`` and
carries on with the others, so one broken file cannot silence the rest. Each
configured table stands alone too: a pinned sheet that is gone (renamed,
deleted) is one problem for that table while the other sheets of the workbook
are still read, and a pinned header row that no longer holds the table's
headers is found again where it moved (a warning) or reported (an error),
never read as an empty table.

A table may span sheets and workbooks: the tabs of one workbook that look like
the same table with the same header over the same columns (monthly tabs, one
tab per customer), the workbooks of one layout given together (one register
per follower), or the tabs config names by pattern (``sheets = ["*月"]``). A
tab that repeats most rows of another is a copy and is left out. Each sheet is
still read, remembered and re-read on its own (``SheetMemo``); the table joins
them with each row's file and sheet (``Table.parts``).

Sheets of one kind with different layouts are different tables of that kind
(``sync.tables.kinds``): the best keeps the kind's name, the others are named
after their sheet (``production_inputs_2``); config names them the same way,
with ``kind =``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from sync.tables.analogy import borrowed, headerless, shape
from sync.tables.columns import ColumnGrid, compact
from sync.tables.periods import sheet_template
from sync.tables.plans import stacked_match
from sync.tables.stacked import blocks
from sync.tables.detect import find_header, first_labels, identity, recognise
from sync.tables.header import HeaderMatch
from sync.errors import SheetNotFound, SourceError
from sync.findings import ERROR, WARNING
from sync.i18n import Text
from sync.tables.fields import TABLES, field_word, header_key
from sync.tables.kinds import families, match_layout  # noqa: F401 (match_layout re-exported)
from sync.gcpause import collection_paused
from sync.sources.base import Grid, Source, biggest_first
from sync.sources.docprops import SaveInfo, save_info
from sync.sources.heap import release_free_memory
from sync.tables.table import (RowsSeen, Table, build_table, column_number, concat_tables, is_copy, layout,
                               row_hashes, table_columns)

if TYPE_CHECKING:
    import numpy as np

    from sync.config import TableConfig


@dataclass
class SourceProblem:
    """A workbook, or one table of it, that could not be read as configured; a finding in every check."""

    source: str
    location: str
    message: str                  # in English, for the log and ``status --service``
    retryable: bool = False
    hint: str = ""
    rule: str = "source-unreadable"
    severity: str = ERROR
    table: str | None = None      # the one table it concerns; None: the whole workbook
    sheet: str | None = None
    text: Text | None = None      # the finding's message in both languages, formatted with ``values``
    values: dict[str, Any] = field(default_factory=dict)
    hint_text: Text | None = None


@dataclass
class Register:
    tables: dict[str, Table] = field(default_factory=dict)
    problems: list[SourceProblem] = field(default_factory=list)
    #: what was read, but not quite as configured (a pinned header found on another row): warnings
    warnings: list[SourceProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: (source, sheet) -> what each sheet read this time looked like: every match, the probable ones too,
    #: and its first header row's labels; so saying what a sheet is needs no second read
    seen: dict[tuple[str, str], tuple[list[HeaderMatch], list[str]]] = field(default_factory=dict)
    #: source -> who saved the workbook read, and when, where the file says (``sync.sources.docprops``)
    saved: dict[str, SaveInfo] = field(default_factory=dict)
    #: table name -> the tables ``add`` joins under it, until ``finish`` joins them into one
    _joining: dict[str, _Joining] = field(default_factory=dict, repr=False, compare=False)

    def get(self, name: str) -> Table | None:
        return self.tables.get(name)

    def add(self, table: Table, score: float, scores: dict[str, float]) -> None:
        """Keep the better of two sheets that look like one table, or both when they share a layout
        (one register per follower: the same header over the same columns). Tables joined are put together
        once, by ``finish``: fifty registers of one follower each, joined one at a time, copied the rows
        joined before over and over (``load`` finishes what it adds)."""
        current = self.tables.get(table.name)
        joinable = current is not None and layout(current) == layout(table)
        hashes = row_hashes(table, sorted(table.columns)) if joinable else None   # hashed once: checked, then kept
        if hashes is not None and not self._copied(table, hashes):
            self._join(table, hashes)
            scores[table.name] = max(score, scores.get(table.name, 0))
        elif current is None or score > scores.get(table.name, 0):
            if current is not None:
                self.notes.append(f"{self._whole(table.name).describe()} also looks like {table.name}; "
                                  f"using {table.describe()}")
            self._joining.pop(table.name, None)
            self.tables[table.name] = table
            scores[table.name] = score
        else:
            self.notes.append(f"{table.describe()} also looks like {table.name}; "
                              f"using {self._whole(table.name).describe()}")

    def finish(self) -> None:
        """Every table ``add`` joined from several, put together."""
        if not self._joining:
            return
        for name in list(self._joining):
            self._whole(name)
        self._joining.clear()
        release_free_memory()   # the members' memory, freed now they are one: back to the system

    def _copied(self, table: Table, hashes: np.ndarray) -> bool:
        """``is_copy(table, [what is joined under its name])``, from the hashes of the rows joined, kept as the
        join grew: not hashed again for every workbook joined (half of a `check` of fifty registers). ``hashes``:
        ``table``'s rows' (``row_hashes``)."""
        return bool(len(table)) and self._joining_of(table.name).seen.copied(hashes)

    def _joining_of(self, name: str) -> _Joining:
        joining = self._joining.get(name)
        if joining is None:
            joining = self._joining[name] = _Joining.of(self.tables[name])
        return joining

    def _join(self, table: Table, hashes: np.ndarray) -> None:
        joining = self._joining_of(table.name)
        if _kinds(table) == joining.kinds:   # the join hashes its rows as each member does
            joining.members.append(table)
            joining.seen.grow(hashes)
        else:   # columns of other dtypes: the join's may be neither's, and its rows hash as the join reads
            whole = self.tables[table.name] = concat_tables([*joining.members, table])
            self._joining[table.name] = _Joining.of(whole)

    def _whole(self, name: str) -> Table:
        """The table joined under ``name`` so far, put together."""
        joining = self._joining.get(name)
        if joining is not None and len(joining.members) > 1:
            self.tables[name] = concat_tables(joining.members)
            joining.members = [self.tables[name]]
        return self.tables[name]


@dataclass
class _Joining:
    """The tables ``Register.add`` joins under one name (the first is the register's until they are put together),
    the dtypes of their columns (all the same) and the hashes of all their rows, sorted: ``add``'s copy check."""

    members: list[Table]
    kinds: list[Any]
    seen: RowsSeen

    @classmethod
    def of(cls, table: Table) -> _Joining:
        return cls([table], _kinds(table), RowsSeen(row_hashes(table, sorted(table.columns))))


def _kinds(table: Table) -> list[Any]:
    return [table.data[f].dtype for f in sorted(table.columns)]


@dataclass
class SheetMemo:
    """What the last read of one source found in each sheet, under the sheet's content token.

    A source that can tell its sheets' tokens without reading them (``sheet_tokens``:
    .xlsx from the package directory, and from the shared strings and styles when
    those moved) has only the sheets whose token moved read again; the others keep
    their match and their table. The daemon keeps one per source: a save that
    changes one tab costs the read of that tab. A sheet read again whose cells
    read exactly as last time (``same_cells``) keeps its match and table too.
    """

    found: dict[str, tuple[str, HeaderMatch | None]] = field(default_factory=dict)   # sheet -> (token, match)
    tables: dict[str, tuple[str, Table]] = field(default_factory=dict)               # sheet -> (token, table)
    reread: list[str] = field(default_factory=list)                                  # read by the last load
    same: list[str] = field(default_factory=list)      # ... of those, the ones whose cells read as before
    cells: dict[str, str] = field(default_factory=dict)                              # sheet -> ``cells_digest``
    #: configured tables (``_load_configured``): sheet -> (token, what reading it gave)
    outcomes: dict[str, tuple[str, SheetOutcome]] = field(default_factory=dict)

    def fresh(self, sheet: str, tokens: dict[str, str], held: dict[str, tuple[str, Any]] | None = None) -> bool:
        """``held``: where the sheet's last read is kept (``found``: detected tables; ``outcomes``: configured)."""
        held = self.found if held is None else held
        return sheet in tokens and sheet in held and held[sheet][0] == tokens[sheet]

    def same_cells(self, grid: Grid, tokens: dict[str, str], held: dict[str, tuple[str, Any]] | None = None) -> bool:
        """Whether ``grid`` (read because its token moved) holds what the last read of its sheet held, value for
        value and type for type. A program that renumbers the shared strings rewrites every tab's XML without
        changing a cell: such a tab then keeps its match and its table under the new token, as an untouched tab
        does, and nothing made from it is worked out again."""
        if grid.sheet not in tokens:
            return False
        digest = cells_digest(grid)
        kept, self.cells[grid.sheet] = self.cells.get(grid.sheet), digest
        if kept != digest or grid.sheet not in (self.found if held is None else held):
            return False
        token = tokens[grid.sheet]
        for each in (self.found, self.tables, self.outcomes):
            if grid.sheet in each:
                each[grid.sheet] = (token, each[grid.sheet][1])
        return True

    def table(self, sheet: str, tokens: dict[str, str], match: HeaderMatch) -> Table | None:
        token, table = self.tables.get(sheet, ("", None))
        fresh = table is not None and sheet in tokens and token == tokens[sheet]
        return table if fresh and table.kind == match.table else None

    def keep_only(self, sheets: list[str]) -> None:
        for gone in (self.found.keys() | self.tables.keys() | self.cells.keys() | self.outcomes.keys()) - set(sheets):
            for each in (self.found, self.tables, self.cells, self.outcomes):
                each.pop(gone, None)

    def forget(self) -> None:
        for each in (self.found, self.tables, self.cells, self.outcomes):
            each.clear()


@dataclass
class SheetOutcome:
    """What reading one sheet for the configured tables gave: the tables built from it, in order, and what
    was said about it (a header not found, or found on another row than config pins)."""

    built: list[tuple[str, float, Table]] = field(default_factory=list)   # (table name, score, table)
    notes: list[str] = field(default_factory=list)
    warnings: list[SourceProblem] = field(default_factory=list)
    problems: list[SourceProblem] = field(default_factory=list)

    def into(self, register: Register, built: dict[str, list[tuple[float, Table]]]) -> None:
        register.notes += self.notes
        register.warnings += self.warnings
        register.problems += self.problems
        for name, score, table in self.built:
            built.setdefault(name, []).append((score, table))


#: rows written out at a time for ``cells_digest`` (never the whole sheet's bytes at once)
DIGEST_ROWS = 2000


def cells_digest(grid: Grid) -> str:
    """A digest of every cell of ``grid`` as read, its merged ranges, error cells and date system: equal digests, equal
    tables. Through ``repr``, which tells every type a cell is read as apart (1, 1.0, True, '1'; a date and a
    datetime) and writes floats exactly, in half the time pickle takes over dates."""
    said = (grid.date1904, grid.merged, sorted(grid.errors.items())) if grid.errors else (grid.date1904, grid.merged)
    digest = hashlib.blake2b(repr(said).encode(), digest_size=16)
    rows = grid.rows
    for at in range(0, len(rows), DIGEST_ROWS):
        digest.update(repr(rows[at:at + DIGEST_ROWS]).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def load(sources: list[Source], configured: dict[str, TableConfig] | None = None, *,
         day_first: bool | None = None, memos: dict[str, SheetMemo] | None = None) -> Register:
    """Read every source; with ``configured`` tables pinned to sources, read only those sheets.

    ``memos`` (source name -> ``SheetMemo``) lets a source's unchanged sheets be taken
    from its last read instead of read again.
    """
    register = Register()
    scores: dict[str, float] = {}
    for source in sources:
        # a source opened from a path glob answers to the name of the [sources.NAME] it came from
        wanted = {n: c for n, c in (configured or {}).items() if c.source in (source.name, source.group)}
        saved = save_info(source)   # before the read: a save landing meanwhile is read again next time
        if saved is not None:
            register.saved[source.name] = saved
        memo = memos.setdefault(source.name, SheetMemo()) if memos is not None and (wanted or not configured) else None
        try:
            if wanted:
                _load_configured(source, wanted, register, scores, day_first, memo)
            elif not configured:
                _load_detected(source, register, scores, day_first, memo)
        except SourceError as exc:
            if memos is not None:
                memos.pop(source.name, None)
            register.problems.append(SourceProblem(source.name, source.location, str(exc), exc.retryable, exc.hint))
    register.finish()
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
    memo.same = []
    shapes: dict[str, tuple[str, ...]] = {}     # what the columns of each sheet read hold
    lone: dict[str, tuple[str, ...]] = {}       # ... of each sheet read that has no header row
    with collection_paused():
        for grid in source.read(biggest_first(memo.reread, sizes)):
            if tokens and memo.same_cells(grid, tokens):
                memo.same.append(grid.sheet)
                kept = memo.found[grid.sheet][1]
                if kept is not None:   # as an unchanged sheet's (above)
                    matches.append((kept.score, grid.sheet, kept))
                del grid
                continue
            seen = recognise(grid, hint, unsure=True)
            register.seen[source.name, grid.sheet] = (seen, [] if seen else first_labels(grid))
            found = [m for m in seen if m.recognised]
            memo.found[grid.sheet] = (tokens.get(grid.sheet, ""), found[0] if found else None)
            if found:  # a sheet is only ever what it looks like most (a copy of shipments is not orders)
                top = found[0]
                top.below = blocks(grid, top, lambda g, kind=top.table: stacked_match(g, kind, find_header))
                # keep only the columns the table needs, factorised, and let the sheet's rows go now:
                # holding every sheet's cells until all are read would need the whole workbook in memory
                wanted = set().union(*(table_columns(m) for m in (top, *top.below)))
                grids[grid.sheet] = compact(grid, wanted, top.first_data)
                matches.append((top.score, grid.sheet, top))
                shapes[grid.sheet] = shape(grid.rows, found[0].first_data)
            elif headerless(grid.rows):
                lone[grid.sheet] = shape(grid.rows, 0)
            del grid
    for _, sheet, match in (copied := borrowed(lone, shapes, matches)):
        memo.found[sheet] = (tokens.get(sheet, ""), match)
    matches += copied
    matches += [(m.score, sheet, m) for _, sheet, top in list(matches) for m in top.below]   # stacked tables
    taken_sheets: set[str] = set()
    for family in families(matches, visible):
        tables: list[Table] = []
        for sheet, match in family.members:
            taken_sheets.add(sheet)
            table = _sheet_table(source, sheet, match, family.name, grids, memo, tokens, day_first)
            if tables and is_copy(table, tables):
                register.notes.append(f"{table.describe()} repeats the rows of {tables[0].describe()}; left out")
                continue
            tables.append(table)
        tables.sort(key=lambda t: visible.index(t.sheet))   # monthly tabs, one tab per customer: in workbook order
        register.add(concat_tables(tables), family.members[0][1].score, scores)
    for sheet in memo.tables.keys() - taken_sheets:
        del memo.tables[sheet]
    if tokens and getattr(source, "sheet_tokens", dict)() != tokens:
        memo.forget()       # the workbook was saved again while it was read: trust nothing kept
    if not taken_sheets:
        register.notes.append(f"{source.location}: no order register tables recognised "
                              f"(sheets: {', '.join(visible) or 'none'})")


def _sheet_table(source: Source, sheet: str, match: HeaderMatch, name: str, grids: dict[str, ColumnGrid],
                 memo: SheetMemo, tokens: dict[str, str], day_first: bool | None) -> Table:
    """The table ``match`` reads in ``sheet``, named ``name``: kept from the last read when the sheet is unchanged,
    else built from its grid (read again when the load kept only its match)."""
    table = memo.table(sheet, tokens, match) if not match.block else None
    if table is None:
        if sheet not in grids or not _holds(grids[sheet], match):
            with collection_paused():   # kept from the last read, or read as another kind: read it now
                grid = next(iter(source.read([sheet])))
                grids[sheet] = compact(grid, table_columns(match), match.first_data)
                del grid
            memo.reread.append(sheet)
        # a sheet of stacked tables keeps its cells until each of its tables is built
        cells = grids[sheet] if match.block or match.below else grids.pop(sheet)
        table = build_table(cells, match, source=source.name, location=source.location, day_first=day_first,
                            named=name, follower=source.follower)
    elif table.name != name:
        table = replace(table, name=name)
    if not match.block:
        memo.tables[sheet] = (tokens.get(sheet, ""), table)
    return table


def _holds(grid: ColumnGrid, match: HeaderMatch) -> bool:
    """The kept part of a sheet has what ``match`` reads (a sheet read as another kind than its best may not)."""
    return grid.start <= match.first_data and all(c in grid.columns or c >= grid.width for c in table_columns(match))


def _load_configured(source: Source, wanted: dict[str, TableConfig], register: Register,
                     scores: dict[str, float], day_first: bool | None, memo: SheetMemo | None = None) -> None:
    """The tables config.toml names, from their sheets. With ``memo`` (the daemon's), a sheet whose token did not
    move, or whose cells read as before, gives what it gave last time without being worked out again, as for
    detected tables; only while config pins every table to its sheets and those sheets are all there (else a
    missing sheet's problem would not be said in its place)."""
    plan, auto = _configured_sheets(source, wanted, register)
    sheets = list(dict.fromkeys(s for names in plan.values() for s in names))
    if auto:
        sheets = [s.name for s in source.sheets() if not s.hidden]
    tokens: dict[str, str] = getattr(source, "sheet_tokens", dict)() if memo is not None and not auto else {}
    if not all(s in tokens for s in sheets):
        tokens = {}
    built: dict[str, list[tuple[float, Table]]] = {}
    with collection_paused():
        if tokens:
            assert memo is not None
            _configured_kept(source, wanted, plan, sheets, tokens, memo, day_first, register, built)
        else:
            if memo is not None:
                memo.forget()
            for grid in _read_present(source, sheets, plan, register):
                names = [n for n, s in plan.items() if grid.sheet in s]
                names += [n for n in auto if n not in register.tables and n not in built]
                _configured_sheet(source, grid, names, wanted, plan, day_first).into(register, built)
    for name, found in built.items():
        tables = [t for _, t in found if layout(t) == layout(found[0][1])]
        for _, other in found:
            if layout(other) != layout(found[0][1]):
                register.notes.append(f"{other.describe()}: its columns differ from {found[0][1].sheet}'s; "
                                      f"not read as part of {name}")
        register.add(concat_tables(tables), max(s for s, _ in found), scores)


def _configured_kept(source: Source, wanted: dict[str, TableConfig], plan: dict[str, list[str]], sheets: list[str],
                     tokens: dict[str, str], memo: SheetMemo, day_first: bool | None, register: Register,
                     built: dict[str, list[tuple[float, Table]]]) -> None:
    """``_load_configured`` with the daemon's memo: only the sheets whose token moved are read, and what each sheet
    gave is put into the register in the order of ``sheets``, as a read of them all would put it."""
    memo.keep_only(list(tokens))
    memo.reread = [s for s in sheets if not memo.fresh(s, tokens, memo.outcomes)]
    memo.same = []
    outcomes = {s: memo.outcomes[s][1] for s in sheets if s not in memo.reread}
    for grid in _read_present(source, memo.reread, plan, register) if memo.reread else ():
        if memo.same_cells(grid, tokens, memo.outcomes):
            memo.same.append(grid.sheet)
        else:
            names = [n for n, s in plan.items() if grid.sheet in s]
            memo.outcomes[grid.sheet] = (tokens[grid.sheet],
                                         _configured_sheet(source, grid, names, wanted, plan, day_first))
        outcomes[grid.sheet] = memo.outcomes[grid.sheet][1]
        del grid
    for sheet in sheets:
        if sheet in outcomes:   # not: a sheet the package lists that the reader does not (said by _read_present)
            outcomes[sheet].into(register, built)
    if getattr(source, "sheet_tokens", dict)() != tokens:
        memo.forget()       # the workbook was saved again while it was read: trust nothing kept


def _configured_sheet(source: Source, grid: Grid, names: list[str], wanted: dict[str, TableConfig],
                      plan: dict[str, list[str]], day_first: bool | None) -> SheetOutcome:
    """The tables ``names`` read from ``grid`` as config.toml says, and what was said of them."""
    said, out = Register(), SheetOutcome()
    for name in names:
        match = _configured_header(source, grid, name, wanted[name], said, pinned=name in plan)
        if match is not None:
            out.built.append((name, match.score, build_table(
                grid, match, source=source.name, location=source.location, day_first=day_first, named=name,
                follower=source.follower)))
    out.notes, out.warnings, out.problems = said.notes, said.warnings, said.problems
    return out


def _read_present(source: Source, sheets: list[str], plan: dict[str, list[str]], register: Register):
    """The grids of ``sheets``; a sheet the workbook no longer has is one problem for each table pinned to it,
    and the other sheets are read all the same."""
    pending, done = list(sheets), set()
    for attempt in range(2):
        try:
            for grid in source.read(pending):
                done.add(grid.sheet)
                yield grid
            return
        except SheetNotFound:
            if attempt:
                raise
            present = [s.name for s in source.sheets()]
            for sheet in [s for s in pending if s not in present]:
                for name in [n for n, names in plan.items() if sheet in names]:
                    register.problems.append(_sheet_missing(source, name, sheet, present))
            pending = [s for s in pending if s in present and s not in done]


def _sheet_missing(source: Source, table: str, sheet: str, present: list[str]) -> SourceProblem:
    listed = ", ".join(present) or "-"
    return SourceProblem(
        source.name, source.location, f"sheet {sheet!r} not found in {source.location}; sheets there: {listed}",
        rule="sheet-missing", table=table, sheet=sheet,
        text=Text("{file} 中没有工作表“{sheet}”（{table} 表）；现有工作表：{sheets}",
                  "sheet {sheet} ({table}) not found in {file}; sheets there: {sheets}"),
        values={"file": source.location, "sheet": sheet, "table": table, "sheets": listed},
        hint_text=Text("工作表改名了？请改回原名，或把 config.toml 中 [tables.{table}] sheet 改成新名字",
                       "Was the sheet renamed? Name it back, or set sheet in [tables.{table}] of config.toml to "
                       "the new name."))


def _configured_header(source: Source, grid: Grid, name: str, cfg: TableConfig, register: Register, *,
                       pinned: bool) -> HeaderMatch | None:
    """The header of table ``name`` in ``grid`` as config.toml says; a pinned ``header_row`` that no longer holds
    the table's headers is looked for again, and found (a warning) or reported (an error), never read as empty."""
    kind = cfg.kind or name   # [tables.production_inputs_2] kind = "production"
    if cfg.header_row == 0:
        return _headerless_match(source, grid, name, kind, cfg, register)
    match = find_header(grid, kind, header_row=cfg.header_row, aliases=cfg.aliases)
    if cfg.header_row is None or _holds_header(match, grid, cfg):
        if match is None and pinned:
            register.notes.append(f"{source.location} › {grid.sheet}: no {name} header found")
        if match is not None:
            _apply_columns(match, grid, cfg)
        return match
    if not pinned:
        return None
    moved = find_header(grid, kind, aliases=cfg.aliases)
    values = {"file": source.location, "sheet": grid.sheet, "table": name, "pinned": cfg.header_row}
    if moved is not None and _holds_header(moved, grid, cfg):
        _apply_columns(moved, grid, cfg)
        if moved.header_row_1based == cfg.header_row:
            return moved
        register.warnings.append(SourceProblem(
            source.name, source.location, f"{grid.sheet}: the {name} header is no longer on row {cfg.header_row}; "
            f"read it from row {moved.header_row_1based}", rule="header-moved", severity=WARNING, table=name,
            sheet=grid.sheet, text=Text("“{sheet}”的表头不在第 {pinned} 行了，已按第 {row} 行的表头读取",
                                        "the {sheet} header is no longer on row {pinned}; read it from row {row}"),
            values=values | {"row": moved.header_row_1based},
            hint_text=Text("把 config.toml 中 [tables.{table}] header_row 改为 {row}",
                           "Set header_row = {row} in [tables.{table}] of config.toml.")))
        return moved
    register.problems.append(SourceProblem(
        source.name, source.location, f"{grid.sheet}: no {name} header on row {cfg.header_row} nor elsewhere",
        rule="header-missing", table=name, sheet=grid.sheet,
        text=Text("“{sheet}”第 {pinned} 行不是{table}表的表头，别处也没有找到；该表未读取",
                  "row {pinned} of {sheet} does not hold the {table} header, nor does any other row; "
                  "the table was not read"), values=values,
        hint_text=Text("检查表头是否被删改，或更新 config.toml 中 [tables.{table}] 的 header_row 和 columns",
                       "Check whether the header was changed, or update header_row and columns in "
                       "[tables.{table}] of config.toml.")))
    return None


_LETTERS = re.compile(r"[A-Za-z]{1,3}")


def _headerless_match(source: Source, grid: Grid, name: str, kind: str, cfg: TableConfig,
                      register: Register) -> HeaderMatch | None:
    """``header_row = 0``: the sheet has no header row (rows copied into an archive tab), its data start on row 1
    and config names each column by its letter. The columns are called by their fields' words."""
    spec = TABLES[kind]
    mapping = {f: column_number(ref) for f, ref in (cfg.columns or {}).items()
               if f in spec.fields and _LETTERS.fullmatch(ref)}
    named = [f"{f} = {ref!r}" for f, ref in (cfg.columns or {}).items() if not _LETTERS.fullmatch(ref)]
    values = {"file": source.location, "sheet": grid.sheet, "table": name}
    if named or not mapping:
        register.problems.append(SourceProblem(
            source.name, source.location, f"{grid.sheet}: header_row = 0 (no header row) names its columns by "
            f"letter; {', '.join(named) or 'no column is named'}", rule="header-missing", table=name, sheet=grid.sheet,
            text=Text("“{sheet}”设为没有表头（header_row = 0），列只能用字母指定：{named}",
                      "{sheet} has no header row (header_row = 0): name its columns by letter: {named}"),
            values=values | {"named": ", ".join(named) or "-"},
            hint_text=Text("在 config.toml 的 [tables.{table}.columns] 写 order_no = \"A\" 这样的列字母",
                           "Write column letters such as order_no = \"A\" under [tables.{table}.columns] of config.toml.")))
        return None
    width = max(grid.width, max(mapping.values()) + 1)
    words = {c: field_word(spec, f, "zh") for f, c in mapping.items()}
    labels = [words.get(c, "") for c in range(width)]
    ident = identity(spec, {f: (c, 3.0) for f, c in mapping.items()})
    key, composite = ident if ident is not None else ([], False)
    missing = [f for f in dict.fromkeys((*([] if key else spec.needs[:1]), *spec.core)) if f not in mapping]
    return HeaderMatch(kind, -1, 0, labels, mapping, 1.0, ["no header row (header_row = 0): columns by letter"],
                       "recognised", key, composite, missing)


def _holds_header(match: HeaderMatch | None, grid: Grid, cfg: TableConfig) -> bool:
    """The row holds the table's headers: most columns config names by header text are on it (without any,
    at least two of the table's headers are)."""
    if match is None:
        return False
    labels = {header_key(label) for label in match.labels if label}
    named = [ref for ref in (cfg.columns or {}).values() if not _LETTERS.fullmatch(ref) or header_key(ref) in labels]
    if named:
        return 2 * sum(1 for ref in named if header_key(ref) in labels) >= len(named)
    return len(match.mapping) >= 2


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
    if plan and source.kind == "excel":   # a local workbook lists its sheets for free; a Google Sheet would not
        visible = visible if visible is not None else [s.name for s in source.sheets() if not s.hidden]
        register.warnings += _unread_alike(source, plan, visible)
    return plan, auto


def _unread_alike(source: Source, plan: dict[str, list[str]], visible: list[str]) -> list[SourceProblem]:
    """A sheet no table reads, named like the sheets a table does (10月 beside 7月, 8月, 9月: next month's tab,
    added after config.toml named the months there were): said, never passed over in silence."""
    read = {s for names in plan.values() for s in names}
    out = []
    for name, sheets in plan.items():
        shapes = {shape for s in sheets if (shape := sheet_template(s)) is not None}
        for sheet in [s for s in visible if s not in read and sheet_template(s) in shapes]:
            pattern = sheet_template(sheet)
            out.append(SourceProblem(
                source.name, source.location, f"sheet {sheet!r} is named like {', '.join(sheets)} ({name}) but "
                f"config.toml does not read it", rule="sheet-not-read", severity=WARNING, table=name, sheet=sheet,
                text=Text("工作表“{sheet}”与 {like} 同样命名（{table} 表），但 config.toml 没有读取它",
                          "sheet {sheet} is named like {like} ({table}) but config.toml does not read it"),
                values={"sheet": sheet, "like": ", ".join(sheets[:3]), "table": name, "pattern": pattern},
                hint_text=Text("在 config.toml 的 [tables.{table}] 写 sheets = [\"{pattern}\"]，以后新加的工作表也会"
                               "读取", "set sheets = [\"{pattern}\"] under [tables.{table}] in config.toml: tabs added "
                               "later are read too")))
    return out


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

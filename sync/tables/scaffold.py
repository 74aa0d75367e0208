"""Write a commented config.toml from what was recognised in the workbooks, saying what is a guess.

A table is a guess when its sheet only probably is that table (its key column is
missing), when it was read with no column that tells its rows apart, when its rows
are told apart by several columns together, or when its key column is named by a
weak alias (``sync.tables.reading.doubts``). ``guesses`` lists them; ``init`` asks a
person about each on a terminal (``Guess.answer``, ``Guess.key_column``) and
``render_config`` writes what was said: a confirmed or answered table as sure, an
unanswered one with a comment saying it is a guess, and a probable or keyless table
nobody gave a key for commented out, so the config never reads rows it cannot tell apart.

Every table the register read is written, two of one kind too: the second under its
own name with its ``kind`` (``[tables.production_inputs_2] kind = "production"``).
"""

from __future__ import annotations

import glob
import json
import os
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from sync.errors import SourceError
from sync.tables.detect import identity, recognise
from sync.tables.fields import TABLES
from sync.tables.header import HeaderMatch
from sync.tables.periods import is_period, sheet_template
from sync.tables.reading import (BORROWED, COMPOSITE, NO_KEY, PROBABLE, WEAK_KEY, SheetReading, doubts,
                                 reading_of_table)
from sync.tables.register import Register
from sync.tables.table import Table, column_letter
from sync.sources import Source, matching

HEADER = """\
# ordersync configuration. Written by `ordersync {how}`; edit freely.
# Every key is explained in README.md; secrets (SMTP password, Google
# credentials) come from the environment, never from this file.

[service]
language = "{lang}"              # zh | en: messages, mails, reports
timezone = "Asia/Shanghai"
state = "state/ordersync.db"   # SQLite: snapshots, change ledger, what was sent
# day_first = true             # pin 03/04/2026 to 3 April (true) or 4 March (false); unset: each date column decides
"""

MAIL = """
[mail]
backend = "outbox"             # outbox: .eml + .html files in a folder | smtp
outbox = "outbox"
sender = "ordersync@example.com"
# backend = "smtp"
# host = "smtp.example.com"
# port = 587
# security = "starttls"        # starttls | tls | none
# username = "ordersync@example.com"
# password_env = "ORDERSYNC_SMTP_PASSWORD"

[rules]
paths = ["rules"]              # rule packs: rules/*.toml and rules/*.py
disable = []                   # rule ids to switch off
"""


def q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


@dataclass
class Guess:
    """A table ``init`` is not sure of, and what a person said about it."""

    source: str
    match: HeaderMatch              # the sheet's reading: its labels (every column), mapping and key
    sheet: str
    doubts: list[str]               # PROBABLE, NO_KEY, COMPOSITE, WEAK_KEY
    loaded: bool                    # the register read it (a guessed key); False: probable, not read
    answer: str = ""                # "yes" | "no" | "" (not asked, or no answer)
    key_column: int | None = None   # the column a person named as the key
    name: str = ""                  # its name in the register and config ("": its kind)

    def __post_init__(self) -> None:
        self.name = self.name or self.match.table

    @property
    def table(self) -> str:
        """The kind of table it is (orders, production, ...)."""
        return self.match.table

    @property
    def keyless(self) -> bool:
        """Nothing tells its rows apart until a person names a column: a probable or keyless table."""
        return PROBABLE in self.doubts or NO_KEY in self.doubts

    @property
    def settled(self) -> bool:
        """A person confirmed it, or named its key column."""
        return self.key_column is not None or (self.answer == "yes" and not self.keyless)

    @property
    def dropped(self) -> bool:
        """Written commented out: a table without a key, or a guess a person said is wrong."""
        # a sheet without a header row: config cannot pin one, so its block is written for a person to finish
        return not self.settled and (not self.loaded or self.answer == "no" or self.keyless or BORROWED in self.doubts)


def guesses(sources: list[Source], register: Register, readings: list[SheetReading]) -> list[Guess]:
    """The tables that are guesses: those read on a doubtful key, then the best probable sheet of each
    table nothing was recognised as (its sheet re-read for every label, so a person can name any column)."""
    out: list[Guess] = []
    by_name = {s.name: s for s in sources}
    for r in readings:
        m = r.match
        if r.table is None or m is None or not doubts(m) or any(g.name == r.table for g in out):
            continue
        full = _full_match(by_name.get(r.source), r.sheet, m.table) or m
        if NO_KEY in doubts(m):   # the reading without the key column it refused: nothing tells its rows apart
            full.key, full.composite = [], False
        out.append(Guess(r.source, full, r.sheet, doubts(m) if NO_KEY in doubts(m) else doubts(full) or doubts(m),
                         True, name=r.table))
    said = {r.table for r in readings if r.table is not None}
    for table in register.tables.values():   # a table stacked under another in its sheet has no reading of its own
        if table.name in said or any(g.name == table.name for g in out):
            continue
        m = reading_of_table(table, table.header_row, table.key, sheet=table.sheet, source=table.source).match
        if m is not None and doubts(m):
            out.append(Guess(table.source, m, table.sheet, doubts(m), True, name=table.name))
    probable = sorted((r for r in readings if r.verdict == "probable" and r.table is None and r.match),
                      key=lambda r: -r.match.score)
    kinds = {t.kind for t in register.tables.values()}
    for r in probable:
        if r.match.table not in kinds and not any(g.table == r.match.table for g in out):
            out.append(Guess(r.source, r.match, r.sheet, doubts(r.match), False))
    return out


def _full_match(source: Source | None, sheet: str, table: str) -> HeaderMatch | None:
    if source is None:
        return None
    try:
        for grid in source.read([sheet]):
            return next((m for m in recognise(grid, source.name.rsplit(".", 1)[0]) if m.table == table), None)
    except SourceError:
        return None
    return None


def render_config(sources: list[Source], register: Register, *, lang: str = "zh", how: str = "init",
                  base_dir: Path | None = None, extra: str = "", guessed: list[Guess] | None = None,
                  loose: frozenset[str] = frozenset()) -> str:
    """The config text; ``guessed`` (from ``guesses``, maybe answered) says which tables are guesses;
    ``loose`` names tables whose header row is left to be found (pinned, it would read other labels)."""
    guessed = guessed or []
    out = [HEADER.format(how=how, lang=lang)]
    grouped = glob_group(sources, register)
    rename = {name: group for name, (group, _) in grouped.items()}
    tabs = _visible(sources)
    written: set[str] = set()
    for source in sources:
        name, path = rename.get(source.name, source.name), getattr(source, "path", None)
        if name in written:
            continue
        written.add(name)
        out.append(f"\n[sources.{toml_key(name)}]")
        if source.name in grouped:
            out.append("# one register per workbook, in one layout: the glob reads every one of them, and a "
                       "workbook added later too")
            path = grouped[source.name][1]
        if path is not None:
            shown = _relative(Path(path), base_dir)
            out.append(f'kind = "{source.kind}"\npath = {q(shown)}')
        if source.name not in grouped and _nobody_follows(register, source):   # a glob's files are each someone's
            out.append('# follower = "张丽"   # 没有跟单员列：一人一本的登记表写上是谁的，提醒才有人收' if lang == "zh" else
                       '# follower = "Anna"   # no follower column: say whose register this is, so its reminders '
                       'reach someone')
    for name in _table_names(register, guessed):
        table = register.get(name)
        guess = next((g for g in guessed if g.name == name), None)
        if table is not None and guess is None:
            out += _table_block(name, table, name in loose, rename, tabs)
        elif guess is not None:
            block = _guess_block(guess, table, name in loose, rename, tabs)
            out += [_commented(line) for line in block] if guess.dropped else block
    kinds = {t.kind for n, t in register.tables.items() if not any(g.name == n and g.dropped for g in guessed)}
    absent = [n for n in TABLES if n not in kinds and not any(g.table == n and not g.dropped for g in guessed)]
    if absent:
        out.append(f"\n# No sheet was recognised as: {', '.join(absent)}.")
        out.append("# Add [tables.NAME] with source and sheet to pin one.")
    out.append(MAIL)
    if extra:
        out.append(extra)
    return "\n".join(out) + "\n"


def _nobody_follows(register: Register, source: Source) -> bool:
    """The orders table has rows from ``source``, and neither a column nor a name says who follows them."""
    orders = register.get("orders")
    return orders is not None and not orders.holds("follower") and \
        any(part.source == source.name for part, _ in orders.places())


def _visible(sources: list[Source]) -> dict[str, list[str]]:
    """Each source's visible sheets (a workbook that cannot be listed: none)."""
    out: dict[str, list[str]] = {}
    for source in sources:
        try:
            out[source.name] = [s.name for s in source.sheets() if not s.hidden]
        except SourceError:
            out[source.name] = []
    return out


def _period_pattern(table: Table, tabs: dict[str, list[str]]) -> str | None:
    """The sheet pattern of a table kept in tabs named by periods (7月 | 8月 | 9月: ``*月``), when every one of
    its tabs has that shape and no other tab of its workbooks does; a lone tab only when its name is a period
    (9月, not Sheet1). None: its tabs are named otherwise, and are pinned by name."""
    places = [(p.source, p.sheet) for p in table.parts] or [(table.source, table.sheet)]
    shapes = {sheet_template(sheet) for _, sheet in places}
    if len(shapes) != 1 or None in shapes or (len(places) == 1 and not is_period(places[0][1])):
        return None
    pattern = str(shapes.pop())
    mine = set(places)
    others = [(src, s) for src in dict.fromkeys(src for src, _ in places) for s in tabs.get(src, [])
              if (src, s) not in mine]
    return None if any(fnmatchcase(s, pattern) for _, s in others) else pattern


def glob_group(sources: list[Source], register: Register) -> dict[str, tuple[str, str]]:
    """Workbooks that keep one register between them, one each (one per follower: every table read from any of
    them is read from all of them, in one layout), as one source with a path glob: source name -> (the glob
    source's name, the glob). Only when a glob in their folder matches them and nothing else (``*.xlsx``, or
    ``follower-*.xlsx`` for names that begin alike); else {} and each workbook stays a source of its own."""
    paths = {s.name: Path(s.path) for s in sources if getattr(s, "path", None) is not None}
    spans = [frozenset(p.source for p in t.parts) or frozenset({t.source}) for t in register.tables.values()]
    group = frozenset().union(*(s for s in spans if len(s) > 1))
    if len(group) < 2 or not group <= paths.keys() or any(s & group and s != group for s in spans):
        return {}
    files = [paths[n].resolve() for n in sorted(group)]
    if len({f.parent for f in files}) > 1 or len({f.suffix.lower() for f in files}) > 1:
        return {}
    folder, suffix, wanted = files[0].parent, files[0].suffix, set(map(str, files))
    prefix = os.path.commonprefix([f.stem for f in files])
    for pattern in dict.fromkeys([f"*{suffix}", f"{glob.escape(prefix)}*{suffix}"]):
        if {str(Path(p).resolve()) for p in matching(folder / pattern)} == wanted:
            taken = {s.name for s in sources} - group
            name = next(n for n in (_ident(folder.name), "registers", *(f"registers_{i}" for i in range(2, 99)))
                        if n and n not in taken)
            return {n: (name, str(folder / pattern)) for n in group}
    return {}


def _table_names(register: Register, guessed: list[Guess]) -> list[str]:
    """The tables to write, kind by kind in flow order: each kind's own name first, then its other tables."""
    names = list(dict.fromkeys([*register.tables, *(g.name for g in guessed)]))
    kind = {n: register.tables[n].kind if n in register.tables else next(g.table for g in guessed if g.name == n)
            for n in names}
    order = list(TABLES)
    return sorted(names, key=lambda n: (order.index(kind[n]) if kind[n] in order else len(order), n != kind[n]))


def _kind_line(name: str, kind: str) -> list[str]:
    """``kind = "production"`` under a table whose name is not its kind (a workbook's second production table)."""
    return [] if name == kind else [f'kind = "{kind}"   # a second {kind} table of the workbook, in another layout']


def _table_block(name: str, table: Table, loose: bool = False, rename: dict[str, str] | None = None,
                 tabs: dict[str, list[str]] | None = None) -> list[str]:
    spec = TABLES[table.kind]
    out = [f"\n[tables.{toml_key(name)}]   # {spec.zh} / {spec.en}: {len(table)} rows", *_kind_line(name, table.kind),
           _where(table, loose, rename or {}, tabs or {}), key_comment(table),
           f"[tables.{toml_key(name)}.columns]   # field = header text (or a column letter)"]
    out += [f"{fieldname} = {q(col.header)}   # column {col.letter}" for fieldname, col in table.columns.items()]
    missing = [f for f in spec.fields if f not in table.columns]
    if missing:
        out.append(f"# not found in this sheet: {', '.join(missing)}")
    if table.unmapped:
        out.append(f"# columns not used: {', '.join(table.unmapped[:30])}")
    return out


def _guess_block(guess: Guess, table: Table | None, loose: bool = False,
                 rename: dict[str, str] | None = None, tabs: dict[str, list[str]] | None = None) -> list[str]:
    """A guessed table: as read (or, probable, as it looks), with what a person said, and comments saying
    what is still a guess. A key column a person named is written by its letter: unambiguous."""
    m, spec, name = guess.match, TABLES[guess.table], toml_key(guess.name)
    rows = f": {len(table)} rows" if table is not None else ""
    out = [f"\n[tables.{name}]   # {spec.zh} / {spec.en}{rows}", *_guess_comments(guess),
           *_kind_line(guess.name, guess.table)]
    # a table that was read is found again by its header (all its tabs); a probable one needs its row pinned
    source = (rename or {}).get(guess.source, guess.source)
    out.append(_where(table, loose, rename or {}, tabs or {}) if table is not None
               else f"source = {q(source)}\nsheet = {q(guess.sheet)}\nheader_row = {m.header_row_1based}")
    out.append(f"[tables.{name}.columns]   # field = header text (or a column letter)")
    mapping = dict(m.mapping)
    if guess.key_column is not None:
        mapping = {f: c for f, c in mapping.items() if c != guess.key_column and f != spec.key[0]}
        label = m.labels[guess.key_column] if guess.key_column < len(m.labels) else ""
        out.append(f"{spec.key[0]} = {q(column_letter(guess.key_column))}   # {label} (named at init)")
    if guess.key_column is None and guess.loaded and not m.borrowed:
        out += [f"{f} = {q(m.labels[c])}   # column {column_letter(c)}" for f, c in mapping.items() if m.labels[c]]
    else:   # the header row is pinned: letters say the columns whatever rows their labels span
        out += [f"{f} = {q(column_letter(c))}   # {m.labels[c]}" for f, c in mapping.items()]
    missing = [f for f in spec.fields if f not in mapping and f != spec.key[0]]
    if missing:
        out.append(f"# not found in this sheet: {', '.join(missing)}")
    return out


def _guess_comments(guess: Guess) -> list[str]:
    m, key = guess.match, TABLES[guess.table].key[0]
    cols = " + ".join(f"{column_letter(m.mapping[f])} {m.labels[m.mapping[f]]}" for f in m.key)
    if guess.key_column is not None:
        return [f"# {key} is column {column_letter(guess.key_column)}: a person said so at init"]
    if guess.answer == "yes":
        return [f"# rows are identified by {cols}: a person confirmed it at init"]
    if guess.dropped and guess.answer == "no":
        return [f"# A GUESS a person said is wrong at init: {guess.sheet} as {guess.table}, rows identified by "
                f"{cols}.", f"# Map {key} below and uncomment this table to read it."]
    if guess.dropped and BORROWED in guess.doubts:
        return [f"# A GUESS, not read with this config: {guess.sheet} has no header row; its columns were read as "
                f"{m.borrowed}'s, which they line up with.", "# Check the column letters below and uncomment this "
                "table to read it (header_row = 0: no header row, data from row 1)."]
    if guess.dropped and NO_KEY in guess.doubts:
        return [f"# A GUESS, not read: {guess.sheet} reads as {guess.table}, but no column tells its rows apart "
                f"(no {key} column).", f"# Uncomment this table and map {key} below (a header or a column letter) "
                "to read it."]
    if guess.dropped:
        return [f"# A GUESS, not read: {guess.sheet} looks like {guess.table}, but no column is its {key}.",
                f"# Uncomment this table and map {key} below (a header or a column letter) to read it."]
    why = {BORROWED: f"no header row: read with the header of {m.borrowed}, whose columns it lines up with",
           COMPOSITE: f"no {key} column: rows are identified by {cols} together",
           WEAK_KEY: f"{cols} is taken as the {key} from a header that often just numbers rows"}
    return [f"# A GUESS: {why[d]}." for d in guess.doubts if d in why] + [
        f"# Check it; map {key} below if the sheet has another column for it (`ordersync init` on a terminal asks)."]


def _commented(block: str) -> str:
    return "\n".join(line if line.startswith("#") or not line else "# " + line for line in block.split("\n"))


def key_comment(table: Table) -> str:
    """Say which columns identify a row, and say so plainly when that is a guess."""
    spec = TABLES[table.kind]
    found = identity(spec, {f: (c.index, 3.0) for f, c in table.columns.items()})
    if found is None:
        return f"# no column identifies a row: map {spec.key[0]} below to the column that does"
    fields, composite = found
    cols = " + ".join(f"{table.columns[f].letter} {table.columns[f].header}" for f in fields)
    if composite:
        return (f"# no {spec.key[0]} column: rows are identified by {cols} together (a guess;"
                f" map {spec.key[0]} below if the sheet has one)")
    return f"# rows are identified by {cols}"


def toml_key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else q(name)


def _ident(name: str) -> str:
    """A TOML bare key from a file name: 'register 2026.xlsx' -> 'register_2026'."""
    stem = Path(name).stem if "." in name else name
    key = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stem).strip("_")
    return key or "register"


def _relative(path: Path, base: Path | None) -> str:
    if base is None:
        return str(path)
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path.resolve())


def _where(table: Table, loose: bool = False, rename: dict[str, str] | None = None,
           tabs: dict[str, list[str]] | None = None) -> str:
    """source, sheet (or the ``sheets`` of a table over several tabs) and header row of a table
    (``loose``: commented out, for a header whose labels span rows: pinned, it would read other labels;
    ``rename``: a source's name -> the glob source that reads it, ``glob_group``; ``tabs``: each source's
    visible sheets, for a pattern that reads next month's tab too, ``_period_pattern``)."""
    where = _where_pinned(table, rename or {}, tabs or {})
    if not loose:
        return where
    return where.replace(f"header_row = {table.header_row}", f"# header_row = {table.header_row}   "
                         "# not pinned: the labels below are found over more than one row")


def _where_pinned(table: Table, rename: dict[str, str], tabs: dict[str, list[str]]) -> str:
    source = rename.get(table.source, table.source)
    if table.borrowed:   # no header row: its columns by letter, as the other sheet's header names them
        return (f"source = {q(source)}\nsheet = {q(table.sheet)}\nheader_row = 0   # no header row: columns "
                f"by letter, as {table.borrowed}'s header names them (a guess)")
    pattern = _period_pattern(table, tabs)
    if not table.parts and pattern is None:
        return f"source = {q(source)}\nsheet = {q(table.sheet)}\nheader_row = {table.header_row}"
    named = list(dict.fromkeys(p.sheet for p in table.parts)) or [table.sheet]
    sheets = q(pattern) if pattern else ", ".join(q(glob.escape(s)) for s in named)
    first = rename.get(table.parts[0].source, table.parts[0].source) if table.parts else source
    lines = [f"source = {q(first)}", f"sheets = [{sheets}]" + (
        f"   # every tab named like {', '.join(named[:3])}, those added later too" if pattern else "")]
    if len({p.header_row for p in table.parts} or {table.header_row}) == 1:
        lines.append(f"header_row = {table.header_row}")
    others = list(dict.fromkeys(name for p in table.parts[1:] if (name := rename.get(p.source, p.source)) != first))
    if others:
        lines.append(f"# also in {', '.join(others)}: one [sources] path glob (registers/*.xlsx) reads them all")
    return "\n".join(lines)


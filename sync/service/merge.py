"""The service's one register from its sources' registers: same-layout tables of several files are one table.

Teams keep one register per follower (``[sources.registers] path =
"registers/*.xlsx"``): fifty workbooks are fifty sources, read and re-read one
by one, and their same-layout tables are one table for the checks, as ``load``
makes them when it reads the files together (``Register.add``: a table whose
rows are mostly already there is a copy, a table of another layout is noted
and left out).

Done pairwise, as ``Register.add`` does it, each file's table is joined to
the whole so far and its rows looked up among all rows so far: quadratic in
the number of files, seconds at fifty. ``merge`` makes the same decisions
from each file's own tables (the row hashes, column kinds and layout of a
table are worked out once, while its file is unchanged), joins each table
once, and hands back the joined table of the last merge when its members are
the very same tables, so what no save touched keeps its identity (and its
fingerprint, ``sync.checks.memo``) from cycle to cycle. The ledger's snapshot
of a joined table is put together from its members' (``in_pieces``), so a
save costs the snapshot of its own file's rows.

Followers do not share rows, so the usual answer is "every same-layout table
is more of the table": when no table shares more than ``COPY_SHARE`` of its
rows with all the other tables of its name together, no table can share that
much with those before it, and the answer is found with one count over
every row hash (``_none_copied``) instead of table by table. Either answer is
kept per table name while its tables are the very same (``_members``): a save
changes one workbook's tables, and the names it did not touch cost nothing.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable

import numpy as np
import pandas as pd

from sync.changes.snapshot import in_pieces
from sync.tables.register import Register
from sync.tables.table import COPY_SHARE, RowsSeen, Table, concat_tables, layout


def same_objects(held: list[weakref.ref], objects: list) -> bool:
    """``held`` refers to the very ``objects``, in order (what was worked out from them still stands)."""
    return len(held) == len(objects) and all(r() is o for r, o in zip(held, objects))


class Merger:
    """Merges registers; remembers row hashes per table and the joined tables of the last merge."""

    def __init__(self) -> None:
        self._hashes: dict[int, tuple[weakref.ref, tuple, np.ndarray]] = {}
        #: per table (while it lives): its layout and the kinds of its columns, by field name
        self._shapes: dict[int, tuple[weakref.ref, tuple, tuple]] = {}
        self._joined: dict[str, tuple[list[weakref.ref], Table]] = {}
        #: table name -> its tables at the last merge, the places of those that joined, the notes on the others
        self._decided: dict[str, tuple[list[weakref.ref], list[int], list[str]]] = {}
        self._seen: dict[str, RowsSeen] = {}
        #: table name -> the tables it was joined from, in row order (``PassMemo`` fingerprints by them)
        self.members: dict[str, list[Table]] = {}

    def merge(self, registers: Iterable[Register]) -> Register:
        merged = Register()
        named: dict[str, list[Table]] = {}
        for reg in registers:
            for table in reg.tables.values():
                named.setdefault(table.name, []).append(table)
            merged.problems += reg.problems
            merged.warnings += reg.warnings
            merged.notes += reg.notes
            merged.saved.update(reg.saved)
            merged.seen.update(reg.seen)
        members: dict[str, list[Table]] = {}
        for name, tables in named.items():
            members[name], notes = self._members(name, tables)
            merged.notes += notes
            merged.tables[name] = self._join(name, members[name])
        live = {id(t) for tables in named.values() for t in tables}
        self._hashes = {k: v for k, v in self._hashes.items() if k in live}
        self._shapes = {k: v for k, v in self._shapes.items() if k in live}
        self._joined = {k: v for k, v in self._joined.items() if k in members}
        self._decided = {k: v for k, v in self._decided.items() if k in members}
        self.members = members
        return merged

    def _members(self, name: str, tables: list[Table]) -> tuple[list[Table], list[str]]:
        """The tables of one name that join, and a note for each left out; the last merge's answer while they
        are the very same tables (a save changes one workbook's: the other names are not looked at again)."""
        held = self._decided.get(name)
        if held is not None and same_objects(held[0], tables):
            return [tables[i] for i in held[1]], held[2]
        if len({self._shape(t) for t in tables}) == 1 and self._none_copied(tables):
            kept, notes = list(tables), []   # the usual answer, found with one count (``_none_copied``)
        else:
            kept, notes = [], []
            self._seen = {}    # table -> the row hashes of its members so far
            for table in tables:
                self._add(kept, notes, table)
        place = {id(t): i for i, t in enumerate(tables)}
        self._decided[name] = ([weakref.ref(t) for t in tables], [place[id(t)] for t in kept], notes)
        return kept, notes

    def _none_copied(self, tables: list[Table]) -> bool:
        if len(tables) == 1:
            return True
        fields = sorted(tables[0].columns)
        hashes = [self._row_hashes(t, fields) for t in tables]
        every, counts = np.unique(np.concatenate([np.unique(h) for h in hashes]), return_counts=True)
        shared = every[counts > 1]    # a row hash found in more than one table
        return all(not len(h) or float(np.isin(h, shared).mean()) <= COPY_SHARE for h in hashes)

    def _shape(self, table: Table) -> tuple:
        held = self._shapes.get(id(table))
        if held is None or held[0]() is not table:
            kinds = tuple((f, table.data[f].dtype) for f in sorted(table.columns))
            held = (weakref.ref(table), layout(table), kinds)
            self._shapes[id(table)] = held
        return held[1], held[2]

    def _add(self, current: list[Table], notes: list[str], table: Table) -> None:
        """``Register.add`` with score 0: the first table of a name, then same-layout tables that are not copies."""
        if not current:
            current.append(table)
            self._seen[table.name] = RowsSeen(self._row_hashes(table, sorted(table.columns)))
        elif self._shape(current[0])[0] == self._shape(table)[0] and not self._is_copy(table, current):
            current.append(table)
            self._seen[table.name].grow(self._row_hashes(table, sorted(table.columns)))
        else:
            notes.append(f"{table.describe()} also looks like {table.name}; "
                         f"using {self._join(table.name, current).describe()}")

    def _join(self, name: str, tables: list[Table]) -> Table:
        kept = self._joined.get(name)
        if kept is not None and same_objects(kept[0], tables):
            return kept[1]
        joined = concat_tables(tables)
        in_pieces(joined, tables)   # the ledger's snapshot of it: from each file's own, kept while it is unchanged
        self._joined[name] = ([weakref.ref(t) for t in tables], joined)
        return joined

    def _is_copy(self, table: Table, of: list[Table]) -> bool:
        """``is_copy(table, [concat_tables(of)])``, from each table's own row hashes."""
        if not len(table):
            return False
        fields = sorted(table.columns)
        if len({self._shape(t)[1] for t in (table, *of)}) > 1:   # mixed kinds hash as the joined column: join them
            seen = self._row_hashes(concat_tables(of), fields, cache=False)
            return float(np.isin(self._row_hashes(table, fields), seen).mean()) > COPY_SHARE
        return self._seen[table.name].copied(self._row_hashes(table, fields))   # grown member by member

    def _row_hashes(self, table: Table, fields: list[str], *, cache: bool = True) -> np.ndarray:
        held = self._hashes.get(id(table))
        if held is not None and held[0]() is table and held[1] == tuple(fields):
            return held[2]
        value = pd.util.hash_pandas_object(table.data[fields], index=False).to_numpy()
        if cache:
            self._hashes[id(table)] = (weakref.ref(table), tuple(fields), value)
        return value

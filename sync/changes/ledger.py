"""The change ledger: what every row looked like, and every change seen since.

Each cycle compares the register just read with the stored snapshot, table by
table and key by key (``sync.changes.snapshot`` says what a key is), and yields rows
added, fields changed (old -> new, with sheet and cell) and rows removed. It
plans first, touching nothing, then applies the plan in one ``atomic()``
block: a crash anywhere leaves the previous snapshot intact, and the next
cycle sees the same changes again and records them exactly once.

The safety brake: a tab that vanished (sheet renamed or deleted, header lost),
came back empty, or lost more than half of its rows records no deletions. The
missing rows stay in the snapshot, so nothing is recorded twice when the tab
recovers; until then, or until someone confirms with
``ordersync changes --confirm TABLE``, each cycle carries one
``sheet-truncated`` finding naming the sheet.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from sync.changes.requests import (REQUEST_MIGRATIONS, ChangeRequest, ProjectedFinish, classify,
                                  store_requests)
from sync.findings import WARNING, Finding
from sync.i18n import say
from sync.orders.model import OrderModel
from sync.tables.register import Register
from sync.changes.change import Change
from sync.changes.history import cell_savers, changes_since, first_seen, history   # noqa: F401 - the ledger's API
from sync.changes.matching import match_exact, pair_closest
from sync.changes.schema import LEDGER_MIGRATIONS
from sync.changes.snapshot import Index, Snapshot, snapshot_of
from sync.state import State

ADDED, CHANGED, REMOVED = "added", "changed", "removed"
#: a tab that lost more than this share of its rows is held, not believed
BRAKE_SHARE = 0.5
#: ... once it had at least this many rows (removing 1 of 2 rows is ordinary editing)
BRAKE_MIN_ROWS = 10
_CHUNK = 500  # SQLite host parameters per IN (...)

@dataclass
class Brake:
    table: str
    source: str | None
    sheet: str | None
    reason: str                   # missing | empty | truncated
    previous: int
    current: int


@dataclass
class TablePlan:
    table: str
    meta: tuple | None = None                          # the ledger_tables row to store
    changes: list[Change] = field(default_factory=list)
    upserts: list[tuple] = field(default_factory=list)  # (key, order_key, order_no, vals)
    deletes: list[str] = field(default_factory=list)
    index: Index | None = None                          # the table's new index, when it moved
    brake: Brake | None = None
    release: bool = False
    baseline: bool = False


@dataclass
class CyclePlan:
    seen_at: str
    based_on: int                     # the last cycle committed when this plan was made
    tables: list[TablePlan]

    @property
    def changes(self) -> list[Change]:
        return [c for t in self.tables for c in t.changes]


@dataclass
class CycleChanges:
    """What one committed cycle saw."""

    cycle: int
    seen_at: str
    changes: list[Change]
    findings: list[Finding] = field(default_factory=list)
    requests: list[ChangeRequest] = field(default_factory=list)
    baselined: list[str] = field(default_factory=list)   # tables seen for the first time

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]


# --- planning ------------------------------------------------------------------

def plan_cycle(db: sqlite3.Connection, register: Register, seen_at: str,
               unchanged: frozenset[str] = frozenset()) -> CyclePlan:
    """Compare the register with the stored snapshot; read-only.

    ``unchanged``: tables whose content is what the last committed cycle stored (the caller knows by
    their fingerprints): they are not compared again, unless a brake is held on them."""
    based_on = last_cycle(db)
    known = [r[0] for r in db.execute("SELECT tbl FROM ledger_tables ORDER BY tbl")]
    braked = {r[0] for r in db.execute("SELECT tbl FROM ledger_brakes")}
    names = [n for n in register.tables if n not in unchanged or n in braked or n not in known]
    names += [n for n in known if n not in register.tables]
    plans = [p for p in (plan_table(db, n, register, seen_at) for n in names) if p is not None]
    for change in (c for p in plans for c in p.changes):
        saved = register.saved.get(change.source or "")
        if saved is not None:
            change.saved_by, change.saved_at = saved.by, saved.at
    return CyclePlan(seen_at, based_on, plans)


def plan_table(db: sqlite3.Connection, name: str, register: Register, seen_at: str) -> TablePlan | None:
    meta = db.execute("SELECT * FROM ledger_tables WHERE tbl = ?", (name,)).fetchone()
    held = db.execute("SELECT confirmed FROM ledger_brakes WHERE tbl = ?", (name,)).fetchone()
    confirmed = bool(held and held[0])
    table = register.tables.get(name)
    if table is None:
        return _plan_missing(db, name, meta, register, confirmed, seen_at)
    snap = snapshot_of(table)
    new_meta = (name, table.source, table.location, table.sheet, len(snap), json.dumps(snap.fields),
                json.dumps({f: c.letter for f, c in table.columns.items()}, ensure_ascii=False))
    if meta is None:
        return TablePlan(name, new_meta, upserts=_rows(snap, snap.keys, np.arange(len(snap))), index=snap.index(),
                         baseline=True)
    plan = TablePlan(name, new_meta)
    here = _Where(table.source, table.sheet, {f: c.letter for f, c in table.columns.items()})
    _diff(db, snap, plan, meta, here, confirmed, seen_at)
    return plan


def _plan_missing(db: sqlite3.Connection, name: str, meta: sqlite3.Row | None, register: Register,
                  confirmed: bool, seen_at: str) -> TablePlan | None:
    if meta is None or meta["rows"] == 0:
        return None
    if any(p.retryable and p.source == meta["source"] for p in register.problems):
        return None  # being saved right now: no news either way
    plan = TablePlan(name)
    if not confirmed:
        plan.brake = Brake(name, meta["source"], meta["sheet"], "missing", meta["rows"], 0)
        return plan
    old = _stored(db, name)
    plan.deletes = old.keys.tolist()
    plan.changes = _removals(db, name, old, _where(meta), seen_at)
    plan.index = Index.empty()
    plan.meta = tuple(meta[k] for k in ("tbl", "source", "location", "sheet")) + (0, meta["fields"], meta["columns"])
    plan.release = True
    return plan


def _diff(db: sqlite3.Connection, snap: Snapshot, plan: TablePlan, meta: sqlite3.Row, where: _Where,
          confirmed: bool, seen_at: str) -> None:
    old, new = _stored(db, snap.table), snap.index()
    at = match_exact(old.khashes, old.hashes, new.khashes, new.hashes)   # each new row's old position, or -1
    _match_closest(db, snap, old, at)
    new = Index(_labels(snap, old, at), new.khashes, new.hashes, new.rows)
    added, kept = np.flatnonzero(at < 0), np.flatnonzero(at >= 0)
    edited = kept[new.hashes[kept] != old.hashes[at[kept]]]
    moved = not _same_index(old, new)
    gone = np.ones(len(old), dtype=bool)
    gone[at[kept]] = False
    removed = old.take(np.flatnonzero(gone))
    plan.changes += _additions(snap, new.keys, added, where, seen_at)
    plan.changes += _edits(db, snap, new.keys, edited.tolist(), where, seen_at)
    plan.upserts = _rows(snap, new.keys, np.concatenate([added, edited]))
    if len(removed) and _looks_truncated(len(old), len(snap), len(removed)) and not confirmed:
        plan.brake = Brake(snap.table, meta["source"], meta["sheet"], "empty" if len(snap) == 0 else "truncated",
                           len(old), len(snap))
        plan.index = new.plus(removed) if moved else None  # the missing rows stay
        return
    plan.release = True
    plan.deletes = removed.keys.tolist()
    plan.changes += _removals(db, snap.table, removed, _where(meta), seen_at)
    plan.index = new if moved else None


def _match_closest(db: sqlite3.Connection, snap: Snapshot, old: Index, at: np.ndarray) -> None:
    """The rows identity and content left unpaired, paired by how alike they are (``pair_closest``)."""
    free_new = np.flatnonzero(at < 0)
    taken = np.zeros(len(old), dtype=bool)
    taken[at[at >= 0]] = True
    free_old = np.flatnonzero(~taken)
    if not len(free_new) or not len(free_old):
        return
    stored = {r["key"]: r for r in _fetch(db, snap.table, old.keys[free_old].tolist())}
    rows = [stored.get(k) for k in old.keys[free_old].tolist()]
    old_vals = [json.loads(r["vals"]) if r is not None else {} for r in rows]
    old_groups = [(r["order_key"] or "") if r is not None else "" for r in rows]
    new_vals = snap.values_at(free_new).to_dict("records")
    for i, j in pair_closest(old_vals, old_groups, new_vals, snap.order_keys[free_new].tolist()):
        at[free_new[j]] = free_old[i]


def _labels(snap: Snapshot, old: Index, at: np.ndarray) -> np.ndarray:
    """The key each row is filed under: a matched row keeps its own; a new row gets the first name of its key
    (``SO-1``, ``SO-1#2``, ...) that no stored row has."""
    labels = snap.keys.copy()
    kept = at >= 0
    labels[kept] = old.keys[at[kept]]
    added = np.flatnonzero(~kept)
    if len(added):
        taken = set(old.keys.tolist()) | set(labels[kept].tolist())
        for p in added:
            base, n = snap.bases[p], 1
            label = base
            while label in taken:
                n += 1
                label = f"{base}#{n}"
            labels[p] = label
            taken.add(label)
    return labels


def _same_index(old: Index, new: Index) -> bool:
    return len(old) == len(new) and all(
        (a == b).all() for a, b in ((old.keys, new.keys), (old.khashes, new.khashes), (old.hashes, new.hashes),
                                   (old.rows, new.rows)))


def _looks_truncated(before: int, after: int, removed: int) -> bool:
    return after == 0 or (before >= BRAKE_MIN_ROWS and removed > before * BRAKE_SHARE)


def _stored(db: sqlite3.Connection, name: str) -> Index:
    row = db.execute("SELECT keys, khashes, hashes, rows FROM ledger_index WHERE tbl = ?", (name,)).fetchone()
    return Index.unpack(*row) if row else Index.empty()


@dataclass
class _Where:
    source: str | None
    sheet: str | None
    letters: dict[str, str]

    def cell(self, name: str | None, row: int | None) -> str | None:
        return f"{self.letters[name]}{row}" if name in self.letters and row else None


def _where(meta: sqlite3.Row) -> _Where:
    """Where a stored row was last seen."""
    return _Where(meta["source"], meta["sheet"], json.loads(meta["columns"]))


def _rows(snap: Snapshot, keys: np.ndarray, positions: np.ndarray) -> list[tuple]:
    if len(positions) == 0:
        return []
    texts = json_records(snap.values_at(positions))
    return [(keys[p], snap.order_keys[p], no, vals)
            for p, no, vals in zip(positions, snap.order_nos_at(positions), texts)]


def json_records(frame: pd.DataFrame) -> list[str]:
    """Each row of ``frame`` as its JSON object, as ``to_json(orient="records", lines=True)`` writes them, without
    its line splitting (a character-by-character Python loop: seconds for a first snapshot of 100,000 orders).

    The array's objects are cut where one ends and the next begins with the first column: ``},{"name":``. A string
    cannot hold that: its quotes are written ``\\"``, and the one that closes it is followed by ``,`` or ``}``,
    which no column name here starts with. Should the cut not give one object per row, the lines are split."""
    first = json.dumps(str(frame.columns[0]), ensure_ascii=False) if len(frame.columns) else ""
    if frame.empty or not first or first[1:2] in (",", "}", '"'):
        return frame.to_json(orient="records", lines=True, force_ascii=False).splitlines()
    whole = frame.to_json(orient="records", force_ascii=False)        # [{"a":1,...},{"a":2,...}]
    parts = whole[2:-2].split("},{" + first + ":")
    records = ["{" + parts[0] + "}", *("{" + first + ":" + p + "}" for p in parts[1:])]
    if len(records) != len(frame):
        return frame.to_json(orient="records", lines=True, force_ascii=False).splitlines()
    return records


def _additions(snap: Snapshot, keys: np.ndarray, positions: np.ndarray, where: _Where,
               seen_at: str) -> list[Change]:
    rows = snap.values_at(positions).to_dict("records") if len(positions) else []
    return [Change(ADDED, snap.table, keys[p], snap.order_keys[p], no,
                   new=json.dumps({k: v for k, v in values.items() if v is not None}, ensure_ascii=False),
                   source=snap.source.source_at(p), sheet=snap.source.sheet_at(p), row=int(snap.rows[p]),
                   seen_at=seen_at)
            for p, no, values in zip(positions, snap.order_nos_at(positions), rows)]


def _edits(db: sqlite3.Connection, snap: Snapshot, keys: np.ndarray, positions: list[int], where: _Where,
           seen_at: str) -> list[Change]:
    """Field by field, for the rows whose hash moved; fields only one side has are a layout change, not news."""
    before = {r["key"]: json.loads(r["vals"]) for r in _fetch(db, snap.table, [keys[p] for p in positions])}
    out = []
    now = snap.values_at(positions).to_dict("records") if positions else []   # one call, not one per row
    for pos, no, current in zip(positions, snap.order_nos_at(positions), now):
        old, key, row = before[keys[pos]], keys[pos], int(snap.rows[pos])
        for name, value in current.items():
            if name in old and old[name] != value:
                out.append(Change(CHANGED, snap.table, key, snap.order_keys[pos], no,
                                  name, old[name], value, snap.source.source_at(pos), snap.source.sheet_at(pos),
                                  row, where.cell(name, row),
                                  seen_at))
    return out


def _removals(db: sqlite3.Connection, name: str, removed: Index, where: _Where, seen_at: str) -> list[Change]:
    """Each removed row with its last values, at the sheet row where it was last seen."""
    last_row = dict(zip(removed.keys.tolist(), removed.rows.tolist()))
    return [Change(REMOVED, name, r["key"], r["order_key"] or "", r["order_no"] or "",
                   old=json.dumps({k: v for k, v in json.loads(r["vals"]).items() if v is not None},
                                  ensure_ascii=False),
                   source=where.source, sheet=where.sheet, row=last_row[r["key"]], seen_at=seen_at)
            for r in _fetch(db, name, removed.keys.tolist())]


def _fetch(db: sqlite3.Connection, name: str, keys: list[str]) -> Iterator[sqlite3.Row]:
    for i in range(0, len(keys), _CHUNK):
        chunk = keys[i:i + _CHUNK]
        marks = ",".join("?" * len(chunk))
        yield from db.execute(f"SELECT * FROM ledger_rows WHERE tbl = ? AND key IN ({marks})", (name, *chunk))


# --- acting --------------------------------------------------------------------

def apply_plan(db: sqlite3.Connection, plan: CyclePlan) -> int:
    """Write the plan; the caller holds the transaction. Returns the new cycle's id."""
    counts = [sum(1 for c in plan.changes if c.kind == k) for k in (ADDED, CHANGED, REMOVED)]
    cycle = db.execute("INSERT INTO ledger_cycles (seen_at, added, changed, removed) VALUES (?, ?, ?, ?)",
                       (plan.seen_at, *counts)).lastrowid
    for tp in plan.tables:
        _apply_table(db, tp, cycle, plan.seen_at)
    return cycle


def _apply_table(db: sqlite3.Connection, tp: TablePlan, cycle: int, seen_at: str) -> None:
    db.executemany(
        "INSERT INTO ledger_rows (tbl, key, order_key, order_no, vals, first_cycle) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (tbl, key) DO UPDATE SET order_key = excluded.order_key, order_no = excluded.order_no, "
        "vals = excluded.vals", ((tp.table, *u, cycle) for u in tp.upserts))
    if tp.index is not None:
        db.execute("INSERT OR REPLACE INTO ledger_index VALUES (?, ?, ?, ?, ?)", (tp.table, *tp.index.pack()))
    db.executemany("DELETE FROM ledger_rows WHERE tbl = ? AND key = ?", ((tp.table, k) for k in tp.deletes))
    db.executemany(
        "INSERT INTO ledger_changes (cycle, seen_at, tbl, key, order_key, order_no, kind, field, old, new, "
        "source, sheet, row, cell, saved_by, saved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ((cycle, seen_at, c.table, c.key, c.order_key, c.order_no, c.kind, c.field, c.old, c.new, c.source,
          c.sheet, c.row, c.cell, c.saved_by, c.saved_at) for c in tp.changes))
    if tp.meta:
        db.execute("INSERT OR REPLACE INTO ledger_tables VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (*tp.meta, cycle))
    if tp.brake:
        b = tp.brake
        db.execute("INSERT INTO ledger_brakes (tbl, source, sheet, reason, since, previous, current) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tbl) DO UPDATE SET reason = excluded.reason, "
                   "current = excluded.current",  # keeps a confirmation made while this cycle was planned
                   (b.table, b.source, b.sheet, b.reason, seen_at, b.previous, b.current))
    elif tp.release:
        db.execute("DELETE FROM ledger_brakes WHERE tbl = ?", (tp.table,))


# --- the cycle -------------------------------------------------------------------

def remember(state: State, register: Register, *, now: datetime, lang: str = "zh",
             projected_finish: ProjectedFinish | None = None, orders: OrderModel | None = None,
             unchanged: frozenset[str] = frozenset()) -> CycleChanges:
    """One cycle: plan (diff + change requests), then apply it all in one transaction.

    ``unchanged``: tables known to hold what the last committed cycle stored; not diffed again."""
    state.migrate(LEDGER_MIGRATIONS)
    state.migrate(REQUEST_MIGRATIONS)
    when = iso(now)

    def planned(db: sqlite3.Connection, unchanged: frozenset[str]) -> tuple[CyclePlan, list[ChangeRequest]]:
        plan = plan_cycle(db, register, when, unchanged)
        return plan, classify(plan.changes, register, today=now.date(), projected_finish=projected_finish,
                               orders=orders)

    plan, requests = planned(state.db, unchanged)
    with state.atomic() as db:
        if last_cycle(db) != plan.based_on:  # another run committed meanwhile: plan again, in full, under the lock
            plan, requests = planned(db, frozenset())
        cycle = apply_plan(db, plan)
        store_requests(db, cycle, when, requests)
    findings = brake_findings(state, lang) + [r.finding(lang) for r in requests]
    return CycleChanges(cycle, when, plan.changes, findings, requests, [t.table for t in plan.tables if t.baseline])


def last_cycle(db: sqlite3.Connection) -> int:
    return db.execute("SELECT coalesce(max(id), 0) FROM ledger_cycles").fetchone()[0]


def iso(when: datetime | str) -> str:
    if isinstance(when, str):
        return when
    return when.astimezone(timezone.utc).isoformat(timespec="seconds")


# --- the brake, asked and answered -----------------------------------------------

def brake_findings(state: State, lang: str = "zh") -> list[Finding]:
    rows = state.db.execute("SELECT * FROM ledger_brakes WHERE confirmed = 0 ORDER BY tbl").fetchall()
    return [Finding("sheet-truncated", WARNING, say(
        "“{sheet}”工作表看起来被截断或改名了（上次 {prev} 行，现在 {cur} 行），未记录任何删除",
        "the {sheet} sheet looks truncated or renamed ({prev} rows before, {cur} now); no deletions recorded",
        lang, sheet=r["sheet"], prev=r["previous"], cur=r["current"]),
        table=r["tbl"], source=r["source"], sheet=r["sheet"], hint=say(
        "恢复该工作表即可；若这些行确实已删除，运行 ordersync changes --confirm {t}",
        "Restore the sheet; if the rows really were deleted, run `ordersync changes --confirm {t}`.",
        lang, t=r["tbl"])) for r in rows]


def confirm_brake(state: State, table: str) -> bool:
    """Accept a held tab's loss: the next cycle records its deletions. False if nothing was held."""
    state.migrate(LEDGER_MIGRATIONS)
    with state.atomic() as db:
        return db.execute("UPDATE ledger_brakes SET confirmed = 1 WHERE tbl = ?", (table,)).rowcount > 0

"""Reading the ledger: one order's history, the changes since a time, and who saved a cell."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from sync.changes.change import Change
from sync.changes.schema import LEDGER_MIGRATIONS
from sync.state import State

ADDED = "added"
_CHUNK = 500  # SQLite host parameters per IN (...)


def history(state: State, order_key: str) -> list[Change]:
    state.migrate(LEDGER_MIGRATIONS)
    return _changes(state.db.execute("SELECT * FROM ledger_changes WHERE order_key = ? ORDER BY id", (order_key,)))


def changes_since(state: State, since: str | None = None, table: str | None = None) -> list[Change]:
    state.migrate(LEDGER_MIGRATIONS)
    sql, args = "SELECT * FROM ledger_changes WHERE seen_at >= ?", [since or ""]
    if table:
        sql, args = sql + " AND tbl = ?", [*args, table]
    return _changes(state.db.execute(sql + " ORDER BY id", args))


def first_seen(state: State, order_key: str) -> str | None:
    state.migrate(LEDGER_MIGRATIONS)
    row = state.db.execute("SELECT min(c.seen_at) FROM ledger_rows r JOIN ledger_cycles c ON c.id = r.first_cycle "
                           "WHERE r.order_key = ?", (order_key,)).fetchone()
    return row[0] if row else None


def _changes(rows: Iterable[sqlite3.Row]) -> list[Change]:
    return [Change(r["kind"], r["tbl"], r["key"], r["order_key"] or "", r["order_no"] or "", r["field"], r["old"],
                   r["new"], r["source"], r["sheet"], r["row"], r["cell"], r["seen_at"], r["saved_by"],
                   r["saved_at"]) for r in rows]


def cell_savers(state: State, cells: Iterable[tuple[str, str, str | None, int | None]]) -> dict[tuple, str]:
    """Who saved each cell, as far as the ledger knows: for each (table, order key, field, sheet row), the name
    filed with the latest change to that field of that order (or the row's addition); the same sheet row first,
    since an order can have several rows. Cells it has no name for are left out."""
    state.migrate(LEDGER_MIGRATIONS)
    wanted = list(dict.fromkeys(cells))
    keys = sorted({order_key for _, order_key, _, _ in wanted if order_key})
    found: dict[tuple[str, str], list[sqlite3.Row]] = {}
    for i in range(0, len(keys), _CHUNK):
        chunk = keys[i:i + _CHUNK]
        for r in state.db.execute(
                f"SELECT tbl, order_key, field, kind, row, saved_by FROM ledger_changes WHERE saved_by IS NOT NULL "
                f"AND kind != 'removed' AND order_key IN ({','.join('?' * len(chunk))}) ORDER BY id DESC", chunk):
            found.setdefault((r["tbl"], r["order_key"]), []).append(r)
    out = {}
    for cell in wanted:
        table, order_key, name, row = cell
        mine = [r for r in found.get((table, order_key), []) if r["kind"] == ADDED or r["field"] == name]
        best = next((r for r in mine if r["row"] == row), mine[0] if mine else None)
        if best is not None:
            out[cell] = best["saved_by"]
    return out

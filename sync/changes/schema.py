"""The ledger's tables in the state file, as named, ordered migrations."""

from __future__ import annotations

from sync.state import Migration

LEDGER_MIGRATIONS = [Migration("ledger-001-snapshots", """
CREATE TABLE ledger_cycles (id INTEGER PRIMARY KEY, seen_at TEXT NOT NULL,
    added INTEGER NOT NULL, changed INTEGER NOT NULL, removed INTEGER NOT NULL);
CREATE TABLE ledger_tables (tbl TEXT PRIMARY KEY, source TEXT, location TEXT, sheet TEXT,
    rows INTEGER NOT NULL, fields TEXT NOT NULL, columns TEXT NOT NULL, cycle INTEGER NOT NULL);
CREATE TABLE ledger_index (tbl TEXT PRIMARY KEY, keys BLOB NOT NULL, khashes BLOB NOT NULL,
    hashes BLOB NOT NULL, rows BLOB NOT NULL);
CREATE TABLE ledger_rows (tbl TEXT NOT NULL, key TEXT NOT NULL, order_key TEXT, order_no TEXT,
    vals TEXT NOT NULL, first_cycle INTEGER NOT NULL, PRIMARY KEY (tbl, key)) WITHOUT ROWID;
CREATE INDEX ledger_rows_order ON ledger_rows (order_key);
CREATE TABLE ledger_changes (id INTEGER PRIMARY KEY, cycle INTEGER NOT NULL REFERENCES ledger_cycles (id),
    seen_at TEXT NOT NULL, tbl TEXT NOT NULL, key TEXT NOT NULL, order_key TEXT, order_no TEXT,
    kind TEXT NOT NULL, field TEXT, old TEXT, new TEXT, source TEXT, sheet TEXT, row INTEGER, cell TEXT);
CREATE INDEX ledger_changes_order ON ledger_changes (order_key);
CREATE INDEX ledger_changes_seen ON ledger_changes (seen_at);
CREATE TABLE ledger_brakes (tbl TEXT PRIMARY KEY, source TEXT, sheet TEXT, reason TEXT NOT NULL,
    since TEXT NOT NULL, previous INTEGER NOT NULL, current INTEGER NOT NULL,
    confirmed INTEGER NOT NULL DEFAULT 0);
"""), Migration("ledger-002-saved-by", """
ALTER TABLE ledger_changes ADD COLUMN saved_by TEXT;
ALTER TABLE ledger_changes ADD COLUMN saved_at TEXT;
""")]

"""The state: one SQLite file that remembers snapshots, changes, what was sent.

Schema changes are named, ordered migrations, each applied in its own
transaction and recorded in ``migrations``; each part of the service (the
ledger, the mail queue, the reminders) owns its list and applies it with
``State.migrate``. A name is applied once, forever: never edit a shipped
migration, add a new one.

Every write batch runs inside ``with state.atomic():`` — one transaction, so a
crash at any point leaves the previous state intact.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sync.errors import UserError


@dataclass(frozen=True)
class Migration:
    name: str                                   # e.g. "ledger-001-snapshots"; unique across the service
    apply: str | Callable[[sqlite3.Connection], None]


class State:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
        except sqlite3.Error as exc:
            raise UserError(f"cannot open the state database {path}: {exc}") from exc
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._lock = threading.RLock()
        self._depth = 0
        self.db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> State:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """One transaction; nested blocks join the outer one."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self.db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self.db
            except BaseException:
                self._depth -= 1
                if outer:
                    self.db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self.db.execute("COMMIT")

    def applied(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT name FROM migrations")}

    def migrate(self, migrations: Sequence[Migration]) -> list[str]:
        """Apply, in order, the migrations not applied yet; return their names."""
        done = self.applied()
        ran = []
        for m in migrations:
            if m.name in done:
                continue
            with self.atomic() as db:
                if callable(m.apply):
                    m.apply(db)
                else:
                    for statement in _statements(m.apply):
                        db.execute(statement)
                db.execute("INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (m.name, now_iso()))
            ran.append(m.name)
        return ran


def _statements(script: str) -> list[str]:
    """Split a migration script on ';' (executescript would commit our transaction)."""
    parts, buf = [], ""
    for piece in script.split(";"):
        buf += piece + ";"
        if sqlite3.complete_statement(buf):
            parts.append(buf.strip())
            buf = ""
    if buf.strip(" \n\t;"):
        parts.append(buf.strip())
    return [p for p in parts if p.strip(" \n\t;")]


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")

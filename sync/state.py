"""The state: one SQLite file that remembers snapshots, changes, what was sent.

Schema changes are named, ordered migrations, each applied in its own
transaction and recorded in ``migrations``; each part of the service (the
ledger, the mail queue, the reminders) owns its list and applies it with
``State.migrate``. A name is applied once, forever: never edit a shipped
migration, add a new one.

Every write batch runs inside ``with state.atomic():`` — one transaction, so a
crash at any point leaves the previous state intact.

The file can go wrong under a running service: SQLite errors are translated
into ``StateError`` (one sentence naming the file and what to do: corrupt,
read-only, disk full), so the daemon says it and retries instead of dying.
``moved`` notices when the path no longer names the open file (deleted or
replaced); ``restore`` writes the open database back to a deleted path, so the
record of what was sent survives. ``claim`` ties a state to the sources it
was made for (``state_meta``), so another config cannot use it by mistake.
"""

from __future__ import annotations

import json
import os
import shutil
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


class StateError(UserError):
    """The state file cannot be used as it is: corrupt, read-only, on a full disk, deleted, or another's."""


META = "CREATE TABLE IF NOT EXISTS state_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


class State:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.memory = str(path) == ":memory:"
        self._lock = threading.RLock()
        self._depth = 0
        if not self.memory:
            _prepare_folder(self.path)
        self.db = self._connect()
        self.opened = self._stat()

    def _connect(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False, timeout=30)
        except sqlite3.Error as exc:
            raise explain(self.path, exc) from exc
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            db.execute(META)
        except sqlite3.Error as exc:
            db.close()
            raise explain(self.path, exc) from exc
        return db

    def close(self) -> None:
        self.db.close()

    # -- the file under the open database ----------------------------------------------------

    def _stat(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def moved(self) -> str:
        """'' while the path names the open file; else 'deleted' or 'replaced'."""
        if self.memory or self.opened is None:
            return ""
        now = self._stat()
        return "deleted" if now is None else "" if now == self.opened else "replaced"

    def restore(self) -> None:
        """Write the open database (everything committed) back to its deleted path and go on with that file."""
        aside = self.path.with_name(self.path.name + ".restoring")
        try:
            aside.unlink(missing_ok=True)
            copy = sqlite3.connect(str(aside))
            try:
                with self._lock:
                    self.db.backup(copy)
            finally:
                copy.close()
            with self._lock:
                self.db.close()          # also removes the deleted file's -wal and -shm
                os.replace(aside, self.path)
                self.db = self._connect()
                self.opened = self._stat()
        except (OSError, sqlite3.Error) as exc:
            raise StateError(f"{self.path}: the state file was deleted while ordersync ran and could not be "
                             f"written back ({exc})", hint=_FOLDER_HINT.format(folder=self.path.parent)) from exc

    # -- whose state this is ------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM state_meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str | None) -> None:
        with self.atomic() as db:
            if value is None:
                db.execute("DELETE FROM state_meta WHERE key = ?", (key,))
            else:
                db.execute("INSERT INTO state_meta (key, value) VALUES (?, ?) ON CONFLICT (key) "
                           "DO UPDATE SET value = excluded.value", (key, value))

    def claim(self, owner: str, sources: list[str]) -> None:
        """Tie the state to ``owner`` and its ``sources`` (the first time); refuse another config none of whose
        sources is the state's own. ``owner``: the config file; ``sources``: where its sources read."""
        refused = self.claimed_by_another(owner, sources)
        if refused:
            raise StateError(refused, hint="Give each config its own [service] state; using another's would record "
                                           "its register as deleted and mail about the wrong orders.")
        with self.atomic():
            self.set_meta("sources", json.dumps(sorted(sources), ensure_ascii=False))
            self.set_meta("config", owner)

    def claimed_by_another(self, owner: str, sources: list[str]) -> str:
        """Why ``claim`` would refuse, or ''. The same config, edited, may move its sources: still its own."""
        known, config = self.meta("sources"), self.meta("config")
        if not known or config == owner:
            return ""
        theirs = json.loads(known)
        if not sources or not theirs or set(theirs) & set(sources):
            return ""
        return (f"{self.path}: this state belongs to {config or 'another config'} (sources: {', '.join(theirs)}), "
                f"not to {owner} (sources: {', '.join(sources)})")

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
                self._begin()
            self._depth += 1
            try:
                yield self.db
            except BaseException as exc:
                self._depth -= 1
                if outer:
                    self._rollback()
                if isinstance(exc, sqlite3.DatabaseError) and outer and environmental(exc):
                    raise explain(self.path, exc) from exc
                raise
            self._depth -= 1
            if outer:
                self._commit()

    def _begin(self) -> None:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise explain(self.path, exc) from exc

    def _commit(self) -> None:
        try:
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise explain(self.path, exc) from exc

    def _rollback(self) -> None:
        try:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
        except sqlite3.Error:
            pass            # SQLite rolled back already (a full disk does that): nothing was written

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


_FOLDER_HINT = ("Give the user running ordersync write access to {folder} (and room on its disk), or set "
                "[service] state to a writable place; ordersync retries meanwhile.")


_ENVIRONMENT = ("not a database", "malformed", "corrupt", "full", "readonly", "read-only", "unable to open",
                "permission", "disk i/o", "locked", "busy")


def environmental(exc: sqlite3.Error) -> bool:
    """The file or the disk is at fault, not the SQL: the user can mend it, the service waits and retries."""
    return any(word in str(exc).lower() for word in _ENVIRONMENT)


def explain(path: Path, exc: sqlite3.Error) -> StateError:
    """SQLite's complaint as one sentence naming the file, with what to do."""
    text = str(exc).lower()
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StateError(f"{path}: the state file is damaged or not an ordersync state ({exc})",
                          hint=f"Stop ordersync, move {path.name} aside (keep it), and start again: a new state "
                               "is made. Its history and the record of sent mail start afresh.")
    if "full" in text:
        return StateError(f"{path}: the disk is full; nothing more can be recorded",
                          hint="Free some space on that disk; ordersync retries and loses nothing meanwhile.")
    if "readonly" in text or "read-only" in text or "unable to open" in text or "permission" in text:
        return StateError(f"{path}: the state cannot be written (a read-only file or folder)",
                          hint=_FOLDER_HINT.format(folder=path.parent))
    if "locked" in text or "busy" in text:
        return StateError(f"{path}: the state is locked by another program ({exc})",
                          hint="Close whatever has the state file open (a database browser?); ordersync retries.")
    return StateError(f"{path}: the state cannot be used ({exc})", hint=_FOLDER_HINT.format(folder=path.parent))


def unwritable(path: Path, exc: OSError) -> StateError:
    """A file beside the state (its lock, the status file) cannot be made: why, as for the state itself."""
    if exc.errno == 28:     # ENOSPC
        return StateError(f"{path}: the disk is full", hint="Free some space on that disk.")
    return StateError(f"{path}: the state cannot be written (a read-only file or folder: {exc.strerror or exc})",
                      hint=_FOLDER_HINT.format(folder=path.parent))


MIN_FREE = 16 * 1024 * 1024    # below this, a cycle's snapshot may not fit


def disk_problems(path: Path) -> list[str]:
    """What is wrong, right now, with the disk under the state ``path``: read-only, full (for status and doctor)."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    out = []
    try:
        flags = os.statvfs(folder).f_flag if hasattr(os, "statvfs") else 0
        readonly = bool(flags & getattr(os, "ST_RDONLY", 0)) or not os.access(folder, os.W_OK)
        if path.exists() and not os.access(path, os.W_OK):
            readonly = True
        if readonly:
            out.append(f"{path}: the state cannot be written (a read-only file or folder); "
                       f"give ordersync write access to {folder}")
        free = shutil.disk_usage(folder).free
        if free < MIN_FREE:
            out.append(f"{path}: the disk is full ({free // 1024} KiB free); free some space on it")
    except OSError as exc:
        out.append(f"{path}: cannot look at its folder ({exc.strerror or exc})")
    return out


def _prepare_folder(path: Path) -> None:
    if path.is_dir():
        raise StateError(f"{path}: [service] state names a folder, not a file",
                         hint=f"Name a file in it, e.g. {path / 'ordersync.db'}.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StateError(f"{path.parent}: cannot make the state folder ({exc.strerror or exc})",
                         hint=_FOLDER_HINT.format(folder=path.parent)) from exc


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

"""What the last pass found, kept by the content it was found in, so the next pass redoes only what changed.

The daemon checks the register again after every save. Most saves change one
tab, and some (a program that renumbers the shared strings) rewrite every tab
without changing a value. A pass with a ``PassMemo`` fingerprints each table
by its content (every value as read and as typed, its provenance and header)
and reuses:

- a rule's findings while the table it reads, who follows each order (the
  follower named on each finding comes from the orders table) and the day are
  unchanged; a rule that may look at other tables is keyed by every table;
- the order model, the cross-tab findings and the people findings while every
  table they join is unchanged.

A reused result is exactly what running the rule again would give (the rules
are functions of their tables, the day and the config); tests compare
memoised passes with fresh ones over random edit sequences. A memo belongs to
one config: a pass with another config object starts it afresh.
"""

from __future__ import annotations

import hashlib
import pickle
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sync.findings import Finding
from sync.tables.register import Register
from sync.tables.table import Table

T = TypeVar("T")

#: rule types that read only their own table (and the orders table, for each finding's follower); any
#: other type (reference, custom, a pack's own Python) may read any table, so it is keyed by all of them
OWN_TABLE_TYPES = frozenset({"compare", "formula", "order-lines", "values", "required", "type", "range", "allowed",
                             "pattern", "unique", "date-year", "date-future", "outlier"})


def fingerprint(table: Table) -> str:
    """A digest of everything a rule can see of ``table``."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(pickle.dumps((
        table.name, table.kind, table.source, table.location, table.sheet, table.header_row, table.columns, table.data,
        dict(table.raw), table.bad, table.marks, table.units, table.parts, table.extra, table.unmapped,
        table.notes, table.errors, table.extra_errors), protocol=5))
    return digest.hexdigest()


@dataclass
class PassMemo:
    """Results of the last pass by (what, content key); counts what was reused, for the log and the tests."""

    results: dict[str, tuple[tuple, Any]] = field(default_factory=dict)
    reused: int = 0
    computed: int = 0
    _config_id: int | None = None
    #: table -> its fingerprint when the ledger last committed it (``remembered``)
    _stored: dict[str, str] = field(default_factory=dict)
    # a table kept from an unchanged sheet is the same object next pass: its digest is not taken twice
    _digests: dict[int, tuple[weakref.ref, str]] = field(default_factory=dict)
    _follow: tuple[str | None, str | None] = (None, None)   # the orders fingerprint -> ``followers`` of it

    def begin(self, register: Register, config: Any, today: date,
              parts: dict[str, list[Table]] | None = None) -> Keys:
        """Start a pass: forget everything if the config is another one; fingerprint the tables.

        ``parts``: table -> the tables it was joined from (``concat_tables``; the daemon's one register per
        follower); such a table's fingerprint is taken from theirs, so a save costs the digest of its own file's
        tables, not of every file's."""
        if self._config_id != id(config):
            self.results.clear()
            self._stored.clear()
            self._config_id = id(config)
        self.reused = self.computed = 0
        parts = parts or {}
        prints = {name: self._joined_digest(parts[name]) if len(parts.get(name, ())) > 1 else self._digest(table)
                  for name, table in register.tables.items()}
        live = {id(t) for t in register.tables.values()} | {id(t) for ts in parts.values() for t in ts}
        self._digests = {k: v for k, v in self._digests.items() if k in live}
        if self._follow[0] != prints.get("orders"):   # who follows what can only move with the orders table
            self._follow = (prints.get("orders"), followers(register.tables.get("orders")))
        return Keys(prints, today, self._follow[1])

    def unchanged_since_stored(self, keys: Keys) -> frozenset[str]:
        """The tables whose content the ledger committed last time (so there is nothing to diff)."""
        return frozenset(n for n, p in keys.prints.items() if self._stored.get(n) == p)

    def stored(self, keys: Keys) -> None:
        """The ledger committed this pass's tables."""
        self._stored = dict(keys.prints)

    def forget_stored(self) -> None:
        """The ledger may hold something else now (another process wrote, a cycle failed)."""
        self._stored.clear()

    def _joined_digest(self, tables: list[Table]) -> str:
        """The fingerprint of ``concat_tables(tables)``: a function of what it is joined from, in order."""
        return hashlib.blake2b("|".join(self._digest(t) for t in tables).encode(), digest_size=16).hexdigest()

    def _digest(self, table: Table) -> str:
        held = self._digests.get(id(table))
        if held is not None and held[0]() is table:
            return held[1]
        value = fingerprint(table)
        self._digests[id(table)] = (weakref.ref(table), value)
        return value

    def get(self, what: str, key: tuple, work: Callable[[], T]) -> T:
        """``work()``'s result, or the one kept for ``what`` when its key is the same."""
        kept = self.results.get(what)
        if kept is not None and kept[0] == key:
            self.reused += 1
            return kept[1]
        value = work()
        self.results[what] = (key, value)
        self.computed += 1
        return value

    def findings(self, what: str, key: tuple, work: Callable[[], list[Finding]]) -> list[Finding]:
        """Like ``get``, for findings: each pass gets its own copies (later steps may fold them)."""
        return [f.copied() for f in self.get(what, key, work)]


def followers(orders: Table | None) -> str | None:
    """A digest of who follows which order: all a rule on another table takes from the orders table."""
    if orders is None or not orders.holds("follower") or not orders.has("order_no"):
        return None
    frame = orders.data[["order_no", "follower"]]
    return hashlib.blake2b(pickle.dumps(frame, protocol=5), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Keys:
    """The content keys of one pass."""

    prints: dict[str, str]
    today: date
    follow: str | None = None

    def rule(self, rule: Any, table: str | None = None) -> tuple:
        """What a rule's findings on ``table`` (default: the table its kind names) depend on: that table and
        who follows each order, or everything."""
        if type(rule).type in OWN_TABLE_TYPES:
            name = table or rule.table
            return (self.today, name, self.prints.get(name), self.follow)
        return self.register()

    def table(self, name: str) -> tuple:
        return (self.today, name, self.prints.get(name))

    def register(self) -> tuple:
        return (self.today, tuple(sorted(self.prints.items())))

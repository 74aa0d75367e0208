"""A value must exist in another table: the customer in the customer master, a tab's order in the orders.

Near misses get a "did you mean": letters typed for digits (SO-2603-l08 for
SO-2603-108) are folded first, then the closest spelling is looked for.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from sync.checks.base import Check, Context, text_key
from sync.findings import Finding
from sync.i18n import Text
from sync.tables.table import Table

_LOOKALIKE = str.maketrans("OolIiSZB", "00111528")
#: suggestions are looked up for at most this many distinct unknown values per rule
MAX_SUGGESTIONS = 200


class Reference(Check):
    """``field`` must match one of ``ref_fields`` in ``ref_table`` (width, case and spaces folded).

    A value close to a known one is reported with ``severity`` and a suggestion;
    one that matches nothing at all (a new customer not yet in the master) with
    ``unmatched_severity``. Without ``ref_table`` in the register the rule is quiet.
    """

    type = "reference"
    MESSAGE = Text("{column}“{value}”不在{ref_sheet}中", "{column} '{value}' is not in {ref_sheet}")
    HINT = Text("是否应为“{suggestion}”？", "did you mean '{suggestion}'?")
    #: hint when nothing is close
    HINT_NONE: ClassVar[Text] = Text("请核对，或先在{ref_sheet}中登记", "check it, or add it to {ref_sheet} first")
    PLACEHOLDERS = frozenset({"suggestion", "ref_sheet"})
    field: str
    ref_table: str
    ref_fields: list[str] = Field(min_length=1)
    unmatched_severity: Literal["error", "warning", "info"] = "warning"

    def fields_needed(self) -> list[str]:
        return [self.field]

    def run(self, table: Table, ctx: Context) -> Iterator[Finding]:
        ref = ctx.register.get(self.ref_table)
        present = [f for f in self.ref_fields if ref is not None and ref.has(f)]
        if ref is None or not present:
            return
        known = {k: v for f in present for k, v in zip(text_key(ref.data[f]), ref.data[f]) if k}
        keys = text_key(table.data[self.field])
        missing = keys.notna().to_numpy() & ~keys.isin(set(known)).to_numpy()
        if not missing.any():
            return
        guesses = _suggest(pd.unique(keys[missing]), known)
        positions = np.flatnonzero(missing)
        near = np.array([guesses.get(keys.iat[p]) is not None for p in positions], dtype=bool)
        where = f"{ref.sheet}"
        for subset, severity, hinted in ((positions[near], self.severity, True),
                                         (positions[~near], self.unmatched_severity, False)):
            if len(subset):
                yield from self._report(table, ctx, subset, severity, hinted, guesses, keys, where)

    def _report(self, table: Table, ctx: Context, positions: np.ndarray, severity: str, hinted: bool,
                guesses: dict[str, str], keys: pd.Series, where: str) -> Iterator[Finding]:
        yield from self.flag_at(table, ctx, positions, self.field, {
            "suggestion": [guesses.get(keys.iat[p]) or "" for p in positions],
            "ref_sheet": [where] * len(positions)}, severity=severity, hint=None if hinted else self.HINT_NONE)


def _suggest(unknown: np.ndarray, known: dict[str, str]) -> dict[str, str]:
    """Unknown key -> the known value it most likely meant, for near misses only."""
    folded: dict[str, str] = {}
    for k, v in known.items():
        folded.setdefault(k.translate(_LOOKALIKE), v)
    pool = list(known)
    out: dict[str, str] = {}
    for key in unknown[:MAX_SUGGESTIONS]:
        if hit := folded.get(key.translate(_LOOKALIKE)):
            out[key] = hit
            continue
        near = [k for k in pool if abs(len(k) - len(key)) <= 2] if len(pool) > 2000 else pool
        close = difflib.get_close_matches(key, near, n=1, cutoff=0.8)
        if close:
            out[key] = known[close[0]]
    return out

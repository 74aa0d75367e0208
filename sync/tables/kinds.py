"""Which table each recognised sheet of a workbook becomes, and the names of several tables of one kind.

Sheets that read as the same kind with the same header over the same columns
(``match_layout``: monthly tabs, one tab per customer) are one table. Sheets of
one kind with different layouts are different tables: a workbook may keep a wide
stage tracker and a weekly plan, both production-like, or its orders beside a
sample-orders tab. The best-scoring family of a kind takes the kind's name
(``production``); each other one is named after its first sheet
(``production_inputs_2``), which is what ``init`` writes as ``[tables.NAME]``
with ``kind = "production"``. A sheet is only ever the kind it looks like most.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sync.tables.fields import layout_label
from sync.tables.header import HeaderMatch


@dataclass
class Family:
    """Sheets read as one table: the best first, then the same-layout ones, in the order they scored."""

    name: str
    members: list[tuple[str, HeaderMatch]] = field(default_factory=list)   # (sheet, match)

    @property
    def kind(self) -> str:
        return self.members[0][1].table


def match_layout(match: HeaderMatch) -> tuple:
    """``table.layout`` of the table a match would build: sheets alike in it are one table."""
    labels = match.labels
    return match.table, tuple(sorted((f, c, layout_label(match.table, f, labels[c] if c < len(labels) else ""))
                                     for f, c in match.mapping.items()))


def families(found: list[tuple[float, str, HeaderMatch]], order: list[str]) -> list[Family]:
    """The tables of one workbook: ``found`` holds (score, sheet, best match) for each recognised sheet,
    ``order`` the sheets in workbook order (it breaks ties)."""
    grouped: dict[tuple, list[tuple[str, HeaderMatch]]] = {}
    for _, sheet, match in sorted(found, key=lambda m: (-m[0], order.index(m[1]))):
        grouped.setdefault(match_layout(match), []).append((sheet, match))
    return _named(list(grouped.values()))


def _named(groups: list[list[tuple[str, HeaderMatch]]]) -> list[Family]:
    out: list[Family] = []
    taken: set[str] = set()
    for members in groups:
        kind = members[0][1].table
        name = kind if kind not in taken else second_name(kind, members[0][0], taken)
        taken.add(name)
        out.append(Family(name, members))
    return out


def second_name(kind: str, sheet: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """The name of another table of ``kind``, after its sheet: production + 'Inputs (2)' -> production_inputs_2
    (letters of any script kept: orders + 样品单 -> orders_样品单)."""
    slug = re.sub(r"[^\w]+", "_", sheet.strip().lower()).strip("_") or "sheet"
    name, n = f"{kind}_{slug}", 2
    while name in taken:
        name, n = f"{kind}_{slug}_{n}", n + 1
    return name


def kind_of(name: str | None, kinds: dict[str, str] | None = None) -> str:
    """The kind of the table named ``name``: as the register says (``kinds``: name -> kind), else read off
    the name a second table of a kind gets (production_inputs_2 -> production); any other name is its own."""
    if not name:
        return ""
    if kinds and name in kinds:
        return kinds[name]
    from sync.tables.fields import TABLES

    if name in TABLES:
        return name
    return next((k for k in sorted(TABLES, key=len, reverse=True) if name.startswith(f"{k}_")), name)


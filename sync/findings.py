"""Findings: what checks report. Data collected into a report, never exceptions.

The JSON shape is the contract in DESIGN.md: ``row`` is the 1-based row the user
sees, ``cell`` the A1 address, ``value`` the raw text the cell held.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from dataclasses import field as member   # Finding has a field called field
from typing import Any, NamedTuple

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)
_RANK = {ERROR: 0, WARNING: 1, INFO: 2}


class CellRef(NamedTuple):
    """One cell a finding looked at: the table, where it was read, its sheet row and its field."""

    table: str | None
    source: str | None
    sheet: str | None
    row: int
    field: str


@dataclass
class Finding:
    rule: str
    severity: str
    message: str
    table: str | None = None
    source: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None       # the header text as the user sees it
    cell: str | None = None
    field: str | None = None
    order_no: str | None = None
    value: str | None = None
    hint: str = ""
    #: who should hear about it (the follower's name), when known
    follower: str | None = None
    #: the cells whose values a comparison used (its own among them); empty for a finding about its cell alone
    compared: tuple[CellRef, ...] = ()
    #: the comparison in a few words ("发货数量 > 合格数量"), for the root finding that lists what it affects
    gist: str = ""
    #: the findings that only follow from this one (they compared its wrong value), folded into it
    affects: list[Finding] = member(default_factory=list)

    def copied(self) -> Finding:
        """A copy with a list of its own in ``affects`` (a later step may fold findings into it); as
        ``dataclasses.replace`` makes it, without going through ``__init__`` for each of thousands of findings."""
        new = object.__new__(Finding)
        new.__dict__.update(self.__dict__)
        new.affects = list(self.affects)
        return new

    @property
    def where(self) -> CellRef | None:
        """This finding's own cell, when it points at one."""
        if not self.cell or self.row is None or self.field is None:
            return None
        return CellRef(self.table, self.source, self.sheet, self.row, self.field)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's keys, and ``affects``: where each folded finding was and what it said."""
        out = {k: getattr(self, k) for k in _PUBLIC}
        out["affects"] = [{k: getattr(a, k) for k in _AFFECTS} for a in self.affects] if self.affects else []
        return out

    @property
    def sort_key(self) -> tuple:
        return (self.source or "", self.sheet or "", self.row or 0, self.cell or "", _RANK[self.severity], self.rule)


#: what the checking pass keeps for itself, out of the JSON
_INTERNAL = frozenset({"compared", "gist", "affects"})
#: the JSON keys of a finding, in the order of its fields (a report of many findings asks for them once)
_PUBLIC = tuple(f.name for f in fields(Finding) if f.name not in _INTERNAL)
#: what JSON says of each finding a root affects
_AFFECTS = ("rule", "severity", "table", "sheet", "row", "cell", "order_no", "message")


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)   # table -> row count

    def extend(self, findings) -> None:
        self.findings.extend(findings)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def sorted(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: f.sort_key)

    def to_dict(self) -> dict[str, Any]:
        return {"findings": [f.to_dict() for f in self.sorted()], "summary": self.summary()}

    def summary(self) -> dict[str, Any]:
        """The counts of the JSON contract: rows per table, findings per severity and per rule."""
        severities = Counter(f.severity for f in self.findings)
        return {"tables": dict(self.tables), "errors": severities[ERROR], "warnings": severities[WARNING],
                "info": severities[INFO], "rules": dict(Counter(f.rule for f in self.findings))}

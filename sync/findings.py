"""Findings: what checks report. Data collected into a report, never exceptions.

The JSON shape is the contract in DESIGN.md: ``row`` is the 1-based row the user
sees, ``cell`` the A1 address, ``value`` the raw text the cell held.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)
_RANK = {ERROR: 0, WARNING: 1, INFO: 2}


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def sort_key(self) -> tuple:
        return (self.source or "", self.sheet or "", self.row or 0, self.cell or "", _RANK[self.severity], self.rule)


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
        by_rule = Counter(f.rule for f in self.findings)
        return {
            "findings": [f.to_dict() for f in self.sorted()],
            "summary": {"tables": dict(self.tables), "errors": self.count(ERROR),
                        "warnings": self.count(WARNING), "info": self.count(INFO), "rules": dict(by_rule)},
        }

"""Scoring a reading of a register against what is known about it (generated layouts and corpus truth).

The reading is what ``ordersync check FILE`` does: ``load`` the workbooks zero-config,
then ``check_register``. What counts:

- a table is recognised when some table the reader made, of an accepted kind, holds
  rows from each expected (file, sheet) and maps the key column at the expected letter;
- an injected mistake is found when some finding (error or warning) names its cell,
  or its row and field, in its sheet and file;
- a false error is an error-severity finding on any row that holds no injected mistake
  (a finding with no row at all counts too: these workbooks are all readable).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sync.checks.pipeline import check_register
from sync.findings import ERROR, Finding, Report
from sync.sources import open_path
from sync.tables.detect import identity
from sync.tables.register import Register, load
from sync.tables.table import Table
from tests.layouts import LAYOUTS, build
from tests.tables.sheetkit import TODAY, Expected, Injected, Layout

#: the share of injected mistakes a layout must have found
FOUND_SHARE = 0.95
#: fields that may stand for the key column (a purchase list keys its rows by PO number)
KEY_FIELDS = ("order_no", "po_no")


def read(paths: list[Path]) -> tuple[Register, Report]:
    """What ``ordersync check PATH...`` reads and reports, zero-config (sync/cli/check.py)."""
    register = load([open_path(p) for p in paths])
    return register, check_register(register, None, lang="zh", today=TODAY)


def table_parts(table: Table) -> set[tuple[str, str]]:
    """(file, sheet) pairs a table's rows come from: its ``parts`` when it spans several sheets or files."""
    return {(p.source, p.sheet) for p in table.parts} or {(table.source, table.sheet)}


def key_letter(table: Table) -> str | None:
    """The key column's letter; without an order number, the first column of the key (a plan's, found from its
    rows, or a composite such as machine + product)."""
    found = next((table.columns[f].letter for f in KEY_FIELDS if f in table.columns), None)
    if found or table.key:
        return found or table.columns[table.key[0]].letter
    ident = identity(table.spec, {f: (c.index, 3.0) for f, c in table.columns.items()})
    return table.columns[ident[0][0]].letter if ident and ident[1] else None


def describe(table: Table) -> str:
    cols = " ".join(f"{f}={c.letter}" for f, c in table.columns.items())
    return f"{table.name}@{table.sheet}!r{table.header_row} [{cols}]"


def recognised(expected: Expected, tables: list[Table]) -> tuple[bool, str]:
    """Every (file, sheet) of ``expected`` read as one of its kinds, with the key at its letter."""
    missing = []
    for file in expected.files:
        for sheet in expected.sheets:
            hits = [t for t in tables if (file, sheet) in table_parts(t)]
            good = [t for t in hits if t.kind in expected.kinds and key_letter(t) == expected.key]
            if not good:
                seen = ", ".join(describe(t) for t in hits) or "nothing"
                missing.append(f"{file}›{sheet}: want {'/'.join(expected.kinds)} key={expected.key}, read {seen}")
    return not missing, "; ".join(missing)


def names(f: Finding, inj: Injected) -> bool:
    if f.sheet != inj.sheet or f.source != inj.file:
        return False
    return f.cell == inj.cell or (f.row == inj.row and f.field == inj.field)


@dataclass
class LayoutScore:
    layout: Layout
    tables: list[tuple[Expected, bool, str]]
    injected: list[Injected]
    missed: list[Injected]
    false: list[Finding]
    notes: list[str] = field(default_factory=list)

    @property
    def found(self) -> int:
        return len(self.injected) - len(self.missed)

    @property
    def share(self) -> float:
        return self.found / len(self.injected) if self.injected else 1.0

    def verdict(self, check: str) -> tuple[bool, str]:
        """``tables`` / ``errors`` / ``false-errors``: passed?, and what went wrong."""
        if check == "tables":
            bad = [detail for _, ok, detail in self.tables if not ok]
            return not bad, "; ".join(bad)
        if check == "errors":
            missed = ", ".join(f"{m.file}›{m.sheet}!{m.cell} {m.kind}" for m in self.missed[:12])
            return self.share >= FOUND_SHARE, f"found {self.found}/{len(self.injected)}; missed {missed}"
        shown = ", ".join(f"{f.sheet}!{f.cell or f.row} {f.rule}" for f in self.false[:12])
        return not self.false, f"{len(self.false)} false errors: {shown}"


def score_layout(layout: Layout, readings: list[tuple[Register, Report]]) -> LayoutScore:
    """Score ``layout`` on its readings: one of all its workbooks, or one per workbook (``layout.apart``)."""
    tables = [t for register, _ in readings for t in register.tables.values()]
    findings = [f for _, report in readings for f in report.findings]
    verdicts = [(e, *recognised(e, tables)) for e in layout.tables]
    missed = [inj for inj in layout.errors if not any(names(f, inj) for f in findings)]
    wrong_rows = {(i.file, i.sheet, r) for i in layout.errors for r in (i.row, *i.related)}
    false = [f for f in findings if f.severity == ERROR and (f.source, f.sheet, f.row) not in wrong_rows]
    return LayoutScore(layout, verdicts, layout.errors, missed, false,
                       [n for register, _ in readings for n in register.notes])


LAYOUT_CHECKS = ("tables", "errors", "false-errors")
_scores: dict[str, LayoutScore] = {}
_folder: list[Path] = []


def layout_score(name: str, folder: Path | None = None) -> LayoutScore:
    """Build layout ``name`` (once per process, under ``folder`` or a temporary one), read it, score it."""
    if name not in _scores:
        if not _folder:
            _folder.append(folder or Path(tempfile.mkdtemp(prefix="ordersync-layouts-")))
        layout = build(name, _folder[0] / name)
        readings = [read([p]) for p in layout.paths] if layout.apart else [read(layout.paths)]
        _scores[name] = score_layout(layout, readings)
    return _scores[name]


def all_layouts() -> list[str]:
    return list(LAYOUTS)


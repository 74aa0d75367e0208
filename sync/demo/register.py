"""The demo and bench register: a garment factory's order workbook, generated.

``build_register`` writes one .xlsx with seven tabs (orders, materials,
production, qc, shipping, customers, people) that tells a live story relative
to ``today``: orders from the last ~90 days, some shipped, some overdue, some
at risk. Values come in the messy but legal forms real registers use
('1,200', '800件', '¥35.50', '2026年9月15日', stray spaces), and, unless
``mistakes=False``, exactly one of each common data-entry mistake is seeded
and recorded in the returned manifest so the checks can be tested against it.

The plan: draw the orders, derive each department's rows from how far each
order has got, seed the mistakes, roughen the formats, then lay out and write.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from sync.demo import data as D
from sync.demo.generator import Generator
from sync.demo.mistakes import MISTAKES

ORDERS_HEADER_ROW = 3


@dataclass
class SeededMistake:
    kind: str          # e.g. "extra-zero", "orphan" (see MISTAKE_KINDS)
    sheet: str
    cell: str          # A1 of the wrong cell as the user sees it
    row: int
    field: str         # canonical field (sync.tables.fields)
    order_no: str      # the order number as written on that row
    value: str         # the wrong value as shown by show_value ("" for a blank)
    description: str


@dataclass
class DemoManifest:
    path: Path
    orders: int
    sheets: dict[str, str]  # table -> sheet name
    mistakes: list[SeededMistake] = field(default_factory=list)


def show_value(value: Any) -> str:
    """A cell value as the manifest records it: dates ISO, whole floats without '.0', blank as ''."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def build_register(path: Path, *, orders: int = 300, seed: int = 2611, today: date | None = None,
                   lang: str = "zh", mistakes: bool = True, fast: bool = False) -> DemoManifest:
    """Write a demo register to `path`; `fast` streams it (no styling) for bench-sized registers."""
    if lang not in D.SHEETS:
        raise ValueError(f"lang must be one of {sorted(D.SHEETS)}, not {lang!r}")
    if mistakes and orders < 60:
        raise ValueError("seeding every kind of mistake needs at least 60 orders")
    g = Generator(random.Random(seed), today or date.today(), lang)
    g.plan_orders(orders)
    g.fill_departments()
    seeded = g.seed_mistakes(MISTAKES) if mistakes else []
    g.roughen()
    sheets = D.SHEETS[lang]
    numbered = _write(Path(path), g, fast)
    found = [_record(kind, sheets[t], row, (t, f), numbered, desc) for (kind, row, (t, f), desc) in seeded]
    return DemoManifest(Path(path), orders, dict(sheets), found)


MISTAKE_KINDS = tuple(kind for kind, *_ in MISTAKES)


def _write(path: Path, g: Generator, fast: bool) -> dict[int, int]:
    """Write the workbook; returns id(row) -> Excel row number for every data row."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=fast)
    if not fast:
        wb.remove(wb.active)
    numbered: dict[int, int] = {}
    for table in D.TABLES:
        ws = wb.create_sheet(D.SHEETS[g.lang][table])
        headers = list(D.HEADERS[g.lang][table].values())
        rows = g.rows[table]
        top = ORDERS_HEADER_ROW if table == "orders" else 1
        if table == "orders":
            ws.append([g.w["title"].format(year=g.today.year)])
            ws.append([g.w["note"].format(today=g.today.isoformat())])
        ws.append(headers)
        gap = len(rows) // 2 if table == "orders" else -1
        n = top + 1
        for i, row in enumerate(rows):
            if i == gap:
                ws.append([])
                n += 1
            numbered[id(row)] = n
            ws.append(row[:-1])
            n += 1
        if table == "orders":
            total = [g.w["total"]] + [None] * (len(headers) - 1)
            for name in ("quantity", "amount"):
                c = get_column_letter(g.cols[table].index(name) + 1)
                total[g.cols[table].index(name)] = f"=SUM({c}{top + 1}:{c}{n - 1})"
            ws.append(total)
        if not fast:
            _style(ws, table, len(headers), top)
    wb.save(path)
    return numbered


def _style(ws: Any, table: str, width: int, top: int) -> None:
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[top]:
        cell.font, cell.fill = bold, fill
    for i in range(1, width + 1):
        ws.column_dimensions[get_column_letter(i)].width = 14
    ws.freeze_panes = f"A{top + 1}"
    if table == "orders":
        last = get_column_letter(width)
        ws.merge_cells(f"A1:{last}1")
        ws["A1"].font = Font(bold=True, size=14)
        ws["A1"].alignment = Alignment(horizontal="center")
        ws[f"A{ws.max_row}"].font = bold


def _record(kind: str, sheet: str, row: list[Any], where: tuple[str, str], numbered: dict[int, int],
            description: str) -> SeededMistake:
    table, name = where
    col = D.HEADERS["zh"][table]
    i = list(col).index(name)
    n = numbered[id(row)]
    return SeededMistake(kind, sheet, f"{get_column_letter(i + 1)}{n}", n, name, str(row[0]).strip(),
                         show_value(row[i]), description)

"""The parts the generated layouts share: what a layout expects, a sheet writer, orders, injected mistakes.

A layout is built as rows of Python values; every data line remembers the Excel
row it landed on, so each injected mistake is known by its cell and each tricky
row by its number. Mistakes are put on plain lines only (never on a split
delivery or a tricky row), so a finding on any other row is a false one.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter

#: the day the generated registers are checked on (dates are generated around it)
TODAY = dt.date(2026, 11, 20)
#: the kinds of data-entry mistake injected, each named by the field whose cell is wrong
MISTAKES = ("extra_zero", "due_before_order", "text_in_number", "duplicate_line", "year_2062", "shipped_over")


@dataclass(frozen=True)
class Expected:
    """A table the reader must find zero-config: its kind, its key column, the sheets and files it spans."""

    kinds: tuple[str, ...]
    key: str
    sheets: tuple[str, ...]
    files: tuple[str, ...]


@dataclass(frozen=True)
class Injected:
    file: str
    sheet: str
    cell: str
    field: str
    kind: str
    #: other rows a finding about this mistake may rightly name (the first line of a duplicated pair)
    related: tuple[int, ...] = ()

    @property
    def row(self) -> int:
        return int(re.sub(r"^[A-Z]+", "", self.cell))


@dataclass(frozen=True)
class Tricky:
    file: str
    sheet: str
    rows: tuple[int, ...]
    what: str


@dataclass
class Layout:
    name: str
    what: str
    paths: list[Path]
    tables: list[Expected]
    errors: list[Injected] = field(default_factory=list)
    tricky: list[Tricky] = field(default_factory=list)
    orders: set[str] = field(default_factory=set)     # the order numbers written
    #: the workbooks are separate registers, each checked on its own (not one table across files)
    apart: bool = False


class Sheet:
    """One worksheet under construction; ``line`` writes a row by header label and returns its Excel row."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows: list[list[Any]] = []
        self.merges: list[str] = []
        self.labels: list[str] = []

    @property
    def next_row(self) -> int:
        return len(self.rows) + 1

    def raw(self, *values: Any) -> int:
        self.rows.append(list(values))
        return len(self.rows)

    def header(self, labels: list[str]) -> int:
        self.labels = list(labels)
        return self.raw(*labels)

    def col(self, label: str) -> str:
        return get_column_letter(self.labels.index(label) + 1)

    def line(self, values: dict[str, Any]) -> int:
        return self.raw(*[values.get(label) for label in self.labels])

    def set(self, row: int, label: str, value: Any) -> None:
        cells = self.rows[row - 1]
        i = self.labels.index(label)
        cells.extend([None] * (i + 1 - len(cells)))
        cells[i] = value

    def merge_down(self, label: str, first: int, last: int) -> None:
        if last > first:
            letter = self.col(label)
            self.merges.append(f"{letter}{first}:{letter}{last}")
            for r in range(first + 1, last + 1):
                self.set(r, label, None)


def save(path: Path, sheets: list[Sheet]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        for values in sheet.rows:
            ws.append([_cell(v) for v in values])
        for span in sheet.merges:
            ws.merge_cells(span)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _cell(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


# customers with what they buy and how many they usually order: an extra zero stands out of their history
CUSTOMERS = {
    "迪卡侬": (("T恤", "卫衣", "运动裤"), 1200), "优衣库": (("衬衫", "POLO衫"), 3000),
    "H&M": (("连衣裙", "半身裙"), 800), "ZARA": (("外套", "夹克"), 500),
    "安踏": (("运动裤", "T恤"), 2000), "李宁": (("卫衣", "短裤"), 1500),
}
COLORS = ("黑", "白", "藏青", "灰", "红", "米")
FOLLOWERS = ("张丽", "王芳", "李娜")


def make_lines(rng: random.Random, n: int, prefix: str, *, month: int = 9, split: float = 0.15,
               customers: dict[str, tuple[tuple[str, ...], int]] | None = None) -> list[dict[str, Any]]:
    """``n`` orders as lines (canonical field -> value); about ``split`` of them are delivered in 2-3 parts."""
    pool = customers or CUSTOMERS
    names = sorted(pool)
    out: list[dict[str, Any]] = []
    for i in range(n):
        customer = names[i % len(names)]
        products, usual = pool[customer]
        ordered = dt.date(2026, month, 1) + dt.timedelta(days=rng.randrange(0, 28))
        base = {"order_no": f"{prefix}{i + 1:03d}", "customer": customer, "product": rng.choice(products),
                "color": rng.choice(COLORS), "order_date": ordered, "price": round(rng.uniform(20, 90), 1),
                "follower": FOLLOWERS[i % len(FOLLOWERS)], "split": False}
        parts = rng.choice((2, 3)) if rng.random() < split else 1
        for part in range(parts):
            qty = int(round(usual * rng.uniform(0.7, 1.4) / parts, -1))
            due = ordered + dt.timedelta(days=35 + 12 * part + rng.randrange(0, 20))
            out.append({**base, "qty": qty, "due": due, "line": part + 1, "split": parts > 1,
                        "amount": round(qty * base["price"], 2)})
    return out


def plan_mistakes(rng: random.Random, lines: list[dict[str, Any]], kinds: list[str]) -> None:
    """Put one mistake of each kind on a distinct plain line (``line["mistake"]``), changing its values."""
    plain = [ln for ln in lines if not ln["split"] and "mistake" not in ln]
    for kind, ln in zip(kinds, rng.sample(plain, len(kinds))):
        ln["mistake"] = kind
        if kind == "extra_zero":
            ln["qty"] *= 10
            ln["amount"] = round(ln["qty"] * ln["price"], 2)
        elif kind == "text_in_number":
            ln["qty"] = f"{ln['qty'] // 100}O0"       # a letter O typed for a zero
        elif kind == "due_before_order":
            ln["due"] = ln["order_date"] - dt.timedelta(days=rng.randrange(5, 20))
        elif kind == "year_2062":
            ln["due"] = ln["due"].replace(year=2062)
        elif kind == "shipped_over":
            ln["shipped_over"] = True


#: the field each mistake is reported on
MISTAKE_FIELD = {"extra_zero": "quantity", "text_in_number": "quantity", "due_before_order": "due_date",
                 "year_2062": "due_date", "duplicate_line": "order_no", "shipped_over": "shipped_qty"}


def write_lines(sheet: Sheet, lines: list[dict[str, Any]], columns: dict[str, str], file: str,
                layout: Layout) -> list[int]:
    """Append ``lines`` (``columns``: line key -> header label); record each mistake by cell.

    A line marked ``duplicate_line`` is written twice, the copy right after it: the copy is the mistake.
    """
    labels = {"quantity": columns.get("qty"), "due_date": columns.get("due"), "order_no": columns.get("order_no"),
              "shipped_qty": columns.get("shipped_qty")}
    rows = []
    for ln in lines:
        row = sheet.line({label: ln.get(key) for key, label in columns.items()})
        ln["row"] = row
        rows.append(row)
        layout.orders.add(ln["order_no"])
        kind = ln.get("mistake")
        if kind == "duplicate_line":
            copy = sheet.line({label: ln.get(key) for key, label in columns.items()})
            rows.append(copy)
            layout.errors.append(Injected(file, sheet.name, f"{sheet.col(labels['order_no'])}{copy}", "order_no",
                                          kind, related=(row,)))
        elif kind:
            name = MISTAKE_FIELD[kind]
            layout.errors.append(Injected(file, sheet.name, f"{sheet.col(labels[name])}{row}", name, kind))
    return rows


def mistakes(n: int, *, shipping: bool = False, start: int = 0) -> list[str]:
    """``n`` mistakes, the kinds taken in turn from the ``start``-th (shipped-over only where there are
    shipping columns)."""
    kinds = [k for k in MISTAKES if shipping or k != "shipped_over"]
    return [kinds[(start + i) % len(kinds)] for i in range(n)]


def write_book(tmp_path: Path, sheets: dict[str, list[list]], name: str = "register.xlsx", merges: dict | None = None,
          styled_tail: int = 0) -> Path:
    """A workbook of plain sheets (rows as lists), with merges and a tail of formatted, never-filled rows."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for rng in (merges or {}).get(title, []):
            ws.merge_cells(rng)
        for r in range(ws.max_row + 1, ws.max_row + 1 + styled_tail):  # formatted, never filled
            for c in range(1, 7):
                ws.cell(r, c).fill = PatternFill("solid", fgColor="FFFF00")
    path = tmp_path / name
    wb.save(path)
    return path

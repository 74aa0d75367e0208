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
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from sync.demo import data as D
from sync.demo.data import DONE, PARTIAL, PENDING, PRODUCING, SHIPPED
from sync.demo.mistakes import MISTAKES

ORDERS_HEADER_ROW = 3
QTY_FIELDS = {"quantity", "required_qty", "arrived_qty", "completed_qty", "inspected_qty", "passed_qty",
              "failed_qty", "shipped_qty"}
DATE_FIELDS = {"order_date", "due_date", "expected_date", "arrived_date", "planned_start", "planned_finish",
               "actual_finish", "updated_on", "inspected_on", "shipped_on", "eta", "delivered_on"}
MESSY_RATE, SPACE_RATE = 0.06, 0.04
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


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


@dataclass
class _Order:
    idx: int
    no: str
    ordered: date
    due: date
    customer: D.Customer
    style: str
    size: str
    price: float
    qty: int
    lead: int
    speed: float
    status: str
    follower: D.Person

    def when(self, progress: float, today: date) -> date:
        """The day this order reached `progress` (1.0 = shipped), never after today."""
        return min(today, self.ordered + timedelta(days=round(progress * self.lead / self.speed)))


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
    g = _Generator(random.Random(seed), today or date.today(), lang)
    g.plan_orders(orders)
    g.fill_departments()
    seeded = g.seed_mistakes() if mistakes else []
    g.roughen()
    sheets = D.SHEETS[lang]
    numbered = _write(Path(path), g, fast)
    found = [_record(kind, sheets[t], row, (t, f), numbered, desc) for (kind, row, (t, f), desc) in seeded]
    return DemoManifest(Path(path), orders, dict(sheets), found)


MISTAKE_KINDS = tuple(kind for kind, *_ in MISTAKES)


class _Generator:
    def __init__(self, rng: random.Random, today: date, lang: str) -> None:
        self.rng, self.today, self.lang = rng, today, lang
        self.w, self.status_text = D.WORDS[lang], D.STATUSES[lang]
        self.cols = {t: list(D.HEADERS["zh"][t]) for t in D.TABLES}
        self.rows: dict[str, list[list[Any]]] = {t: [] for t in D.TABLES}
        self.by_order: dict[str, dict[int, list[list[Any]]]] = {t: {} for t in D.TABLES}
        self.orders: list[_Order] = []
        self.used: set[int] = set()  # orders that carry a seeded mistake (or are its duplicate's twin)

    def add(self, table: str, owner: int, **values: Any) -> list[Any]:
        """A row in column order, with its order's index riding along as the last element."""
        row = [values.get(f) for f in self.cols[table]] + [owner]
        self.rows[table].append(row)
        if owner >= 0:
            self.by_order[table].setdefault(owner, []).append(row)
        return row

    def set(self, row: list[Any], table: str, name: str, value: Any) -> None:
        row[self.cols[table].index(name)] = value

    def get(self, row: list[Any], table: str, name: str) -> Any:
        return row[self.cols[table].index(name)]

    # --- orders ----------------------------------------------------------------

    def plan_orders(self, n: int) -> None:
        rng, today = self.rng, self.today
        styles = {c.code: self._styles(c) for c in D.CUSTOMERS}
        days = sorted(rng.randint(0, 90) for _ in range(n))
        counters: dict[str, int] = {}
        for idx, back in enumerate(reversed(days)):
            ordered = today - timedelta(days=back)
            month = ordered.strftime("%y%m")
            counters[month] = counters.get(month, 0) + 1
            customer = rng.choice(D.CUSTOMERS)
            style, base, size = rng.choice(styles[customer.code])
            lo, hi = customer.band
            step = 100 if hi > 3000 else 50
            lead = rng.randint(25, 75)
            due = min(ordered + timedelta(days=lead), today + timedelta(days=60))
            lead = (due - ordered).days
            speed = rng.uniform(0.45, 0.75) if rng.random() < 0.1 else rng.uniform(0.9, 1.25)
            o = _Order(idx, f"SO-{month}-{counters[month]:03d}", ordered, due, customer, style, size,
                       round(base * rng.uniform(0.98, 1.02), 1), rng.randint(lo // step, hi // step) * step,
                       lead, speed, "", D.FOLLOWERS[int(customer.code[1:]) % len(D.FOLLOWERS)])
            o.status = self._status(o)
            self.orders.append(o)
            self._order_row(o)

    def _styles(self, c: D.Customer) -> list[tuple[str, float, str]]:
        out = []
        for _ in range(self.rng.randint(4, 8)):
            kind, lo, hi = self.rng.choice(D.GARMENTS)
            yy = (self.today.year - self.rng.randint(0, 3)) % 100
            out.append((f"{c.prefix}-{kind}{yy:02d}{self.rng.randint(1, 60):02d}",
                        round(self.rng.uniform(lo, hi), 1), self.rng.choice(D.SIZES)))
        return out

    def _status(self, o: _Order) -> str:
        p = (self.today - o.ordered).days / max(o.lead, 1) * o.speed
        if p < 0.2:
            return PENDING
        if p < 0.85:
            return PRODUCING
        if p < 0.95:
            return DONE
        if p < 1.25 and self.rng.random() < 0.3:
            return PARTIAL
        return SHIPPED if p >= 1.0 else DONE

    def _order_row(self, o: _Order) -> None:
        rng = self.rng
        remark = rng.choice(self.w["remarks"]) if rng.random() < 0.12 else None
        self.add("orders", o.idx, order_no=o.no, order_date=o.ordered, customer=o.customer.name, product=o.style,
                 color=rng.choice(D.COLORS[self.lang]), size=o.size, quantity=o.qty, unit_price=o.price,
                 amount=round(o.qty * o.price, 2), due_date=o.due, payment_terms=rng.choice(self.w["payment"]),
                 follower=getattr(o.follower, self.lang), status=self.status_text[o.status], remarks=remark)

    # --- departments -----------------------------------------------------------

    def fill_departments(self) -> None:
        for o in self.orders:
            self._materials(o)
            finals = self._production(o)
            passed = self._qc(o, finals[-1]) if o.status in (DONE, PARTIAL, SHIPPED) else []
            if o.status in (PARTIAL, SHIPPED):
                self._shipping(o, passed)
        self._masters()

    def _materials(self, o: _Order) -> None:
        rng, today = self.rng, self.today
        names = [self.w["materials"][0]] + rng.sample(self.w["materials"][1:], rng.randint(0, 2))
        for i, name in enumerate(names):
            need = round(o.qty * (rng.uniform(1.1, 1.6) if i == 0 else rng.choice((1, 1, 2, 6))))
            expected = o.ordered + timedelta(days=rng.randint(7, 20))
            arrived = min(today, expected + timedelta(days=rng.randint(-3, 5)))
            late = o.speed < 0.8 and o.status in (PENDING, PRODUCING) and rng.random() < 0.3
            came = expected <= today and not (late and o.status == PENDING)
            self.add("materials", o.idx, order_no=o.no, material=name, required_qty=need,
                     supplier=rng.choice(D.SUPPLIERS), po_no=f"PO-{o.ordered:%y%m%d}-{rng.randint(1, 99):02d}",
                     expected_date=expected, arrived_date=arrived if came else None,
                     arrived_qty=(round(need * 0.9) if late else need) if came else None)

    def _production(self, o: _Order) -> list[int]:
        """One row per started stage; returns the finished quantity of each stage (non-increasing)."""
        rng, today = self.rng, self.today
        finals = [round(o.qty * (1 + rng.uniform(0.004, 0.03)))]
        for _ in range(3):
            finals.append(max(o.qty, finals[-1] - rng.randint(0, max(1, o.qty // 200))))
        if o.status == PENDING:
            return finals
        p = (today - o.ordered).days / max(o.lead, 1) * o.speed
        pp = min(1.0, (p - 0.2) / 0.65) if o.status == PRODUCING else 1.0
        stages, lines = self.w["stages"], self.w["lines"]
        for i, stage in enumerate(stages):
            frac = min(1.0, max(0.0, 1.6 * pp - 0.2 * i))
            if frac <= 0:
                break
            start = o.ordered + timedelta(days=round(o.lead * (0.2 + 0.15 * i)))
            finish = start + timedelta(days=round(o.lead * 0.25))
            done = o.when(0.2 + 0.65 * (1 + 0.2 * i) / 1.6, today) if frac >= 1 else None
            self.add("production", o.idx, order_no=o.no, stage=stage,
                     line=lines[3 + rng.randint(0, 1)] if i == 0 else lines[rng.randint(0, 2)] if i == 1
                     else lines[5 + rng.randint(0, 1)], planned_start=start, planned_finish=finish,
                     completed_qty=round(finals[i] * frac), actual_finish=done,
                     updated_on=min(today, done + timedelta(days=rng.randint(0, 2))) if done
                     else today - timedelta(days=rng.randint(0, 3)))
        return finals

    def _qc(self, o: _Order, packed: int) -> list[int]:
        rng = self.rng
        if o.status == PARTIAL:
            lots = [round(packed * rng.uniform(0.4, 0.7))]
        elif rng.random() < 0.3:
            first = round(packed * rng.uniform(0.4, 0.6))
            lots = [first, packed - first]
        else:
            lots = [packed]
        passed = []
        for n, lot in enumerate(lots):
            failed = round(lot * rng.uniform(0, 0.015))
            self.add("qc", o.idx, order_no=o.no, inspected_on=o.when(0.87 + 0.05 * n, self.today),
                     inspected_qty=lot, passed_qty=lot - failed, failed_qty=failed,
                     defect=rng.choice(self.w["defects"]) if failed else None,
                     action=rng.choice(self.w["actions"]) if failed else None)
            passed.append(lot - failed)
        return passed

    def _shipping(self, o: _Order, passed: list[int]) -> None:
        rng = self.rng
        if o.status == PARTIAL:
            lots = [passed[0] - rng.randint(0, passed[0] // 50)]
        else:
            total = min(sum(passed), round(o.qty * rng.uniform(0.985, 1.02)))
            first = round(total * rng.uniform(0.4, 0.6)) if rng.random() < 0.3 else total
            lots = [first, total - first] if first < total else [total]
        for n, lot in enumerate(lots):
            carrier, prefix = rng.choice(D.CARRIERS)
            shipped = min(self.today, o.when(0.97 + 0.03 * n, self.today) + timedelta(days=3 * n))
            eta = shipped + timedelta(days=rng.randint(15, 30) if prefix in ("COSU", "MAEU") else rng.randint(1, 5))
            arrived = eta + timedelta(days=rng.randint(-1, 2))
            self.add("shipping", o.idx, order_no=o.no, shipped_on=shipped, shipped_qty=lot, carrier=carrier,
                     tracking_no=f"{prefix}{rng.randint(10 ** 9, 10 ** 10 - 1)}", eta=eta,
                     delivered_on=arrived if arrived <= self.today else None)

    def _masters(self) -> None:
        for c in D.CUSTOMERS:
            follower = D.FOLLOWERS[int(c.code[1:]) % len(D.FOLLOWERS)]
            self.add("customers", -1, customer_code=c.code, customer=c.name, contact=c.contact, email=c.email,
                     follower=getattr(follower, self.lang))
        names = {p.email: getattr(p, self.lang) for p in D.PEOPLE}
        for p in D.PEOPLE:
            self.add("people", -1, name=getattr(p, self.lang), email=p.email,
                     role=D.ROLES[p.role][self.lang == "en"], supervisor=names.get(p.supervisor))

    # --- mistakes and messy formats --------------------------------------------

    def seed_mistakes(self) -> list[tuple[str, list[Any], tuple[str, str], str]]:
        """Exactly one of each kind, each on its own order: (kind, row, (table, field), description)."""
        seeded = []
        for kind, statuses, fits, make in MISTAKES:
            o = self._pick(kind, statuses, lambda o: fits(self, o))
            self.used.add(o.idx)
            row, where, desc = make(self, o)
            seeded.append((kind, row, where, desc))
        return seeded

    def _pick(self, kind: str, statuses: tuple[str, ...], fits: Callable[[_Order], bool]) -> _Order:
        free = [o for o in self.orders if o.idx not in self.used and fits(o)]
        preferred = [o for o in free if o.status in statuses]
        if not (preferred or free):
            raise ValueError(f"no order fits the seeded mistake {kind!r}; use more orders or another seed")
        return self.rng.choice(preferred or free)

    def roughen(self) -> None:
        """Rewrite ~6% of number and date cells in legal but messy forms; mistake orders stay as seeded."""
        rng, pcs = self.rng, self.w["pcs"]
        for table in ("orders", "materials", "production", "qc", "shipping"):
            cols = self.cols[table]
            qty = [i for i, f in enumerate(cols) if f in QTY_FIELDS]
            dates = [i for i, f in enumerate(cols) if f in DATE_FIELDS]
            price = [i for i, f in enumerate(cols) if f == "unit_price"]
            spaced = table != "orders"
            for row in self.rows[table]:
                if row[-1] in self.used:
                    continue
                for i in qty:
                    if row[i] is not None and rng.random() < MESSY_RATE:
                        row[i] = _messy_qty(rng, row[i], pcs)
                for i in dates:
                    if row[i] is not None and rng.random() < MESSY_RATE:
                        row[i] = _messy_date(rng, row[i])
                for i in price:
                    if rng.random() < MESSY_RATE:
                        row[i] = f"¥{row[i]:.2f}" if rng.random() < 0.6 else f"RMB {row[i]:g}"
                if spaced and rng.random() < SPACE_RATE:
                    row[0] = rng.choice((f"{row[0]} ", f" {row[0]}", f"{row[0]}  "))


def _messy_qty(rng: random.Random, value: int, pcs: str) -> str:
    r = rng.random()
    if value >= 1000 and r < 0.4:
        return f"{value:,}"
    if r < 0.6:
        return f"{value}{pcs}" if pcs == "件" else f"{value} {pcs}"
    if r < 0.8:
        return f"{value} pcs"
    return str(value).translate(_FULL_WIDTH)


def _messy_date(rng: random.Random, d: date) -> str:
    return rng.choice((f"{d:%Y/%m/%d}", f"{d.year}.{d.month}.{d.day}", f"{d.year}年{d.month}月{d.day}日",
                       f"{d.day} {d:%b} {d.year}"))


# --- layout and writing --------------------------------------------------------

def _write(path: Path, g: _Generator, fast: bool) -> dict[int, int]:
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

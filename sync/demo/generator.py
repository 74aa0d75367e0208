"""The demo's story generator: orders drawn at random, each department's rows derived from them.

``Generator`` plans the orders, fills the department tabs from how far each
order has got, seeds the mistakes it is given (``sync.demo.mistakes``) and
roughens the formats; ``sync.demo.register`` lays the result out in a workbook.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable

from sync.demo import data as D
from sync.demo.data import DONE, PARTIAL, PENDING, PRODUCING, SHIPPED

#: one kind of seeded mistake: (kind, preferred statuses, does an order suit it, make it)
Mistake = tuple[str, tuple[str, ...], Callable[["Generator", "Order"], bool], Callable[..., Any]]

QTY_FIELDS = {"quantity", "required_qty", "arrived_qty", "completed_qty", "inspected_qty", "passed_qty",
              "failed_qty", "shipped_qty"}
DATE_FIELDS = {"order_date", "due_date", "expected_date", "arrived_date", "planned_start", "planned_finish",
               "actual_finish", "updated_on", "inspected_on", "shipped_on", "eta", "delivered_on"}
MESSY_RATE, SPACE_RATE = 0.06, 0.04
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass
class Order:
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


class Generator:
    def __init__(self, rng: random.Random, today: date, lang: str) -> None:
        self.rng, self.today, self.lang = rng, today, lang
        self.w, self.status_text = D.WORDS[lang], D.STATUSES[lang]
        self.cols = {t: list(D.HEADERS["zh"][t]) for t in D.TABLES}
        self.rows: dict[str, list[list[Any]]] = {t: [] for t in D.TABLES}
        self.by_order: dict[str, dict[int, list[list[Any]]]] = {t: {} for t in D.TABLES}
        self.orders: list[Order] = []
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
            o = Order(idx, f"SO-{month}-{counters[month]:03d}", ordered, due, customer, style, size,
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

    def _status(self, o: Order) -> str:
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

    def _order_row(self, o: Order) -> None:
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

    def _materials(self, o: Order) -> None:
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

    def _production(self, o: Order) -> list[int]:
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

    def _qc(self, o: Order, packed: int) -> list[int]:
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

    def _shipping(self, o: Order, passed: list[int]) -> None:
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
        for i, p in enumerate(D.PEOPLE):   # a mobile number: how a group bot @-mentions them
            self.add("people", -1, name=getattr(p, self.lang), email=p.email,
                     role=D.ROLES[p.role][self.lang == "en"], supervisor=names.get(p.supervisor),
                     mobile=f"1380013{i:04d}")

    # --- mistakes and messy formats --------------------------------------------

    def seed_mistakes(self, mistakes: Iterable[Mistake]) -> list[tuple[str, list[Any], tuple[str, str], str]]:
        """Exactly one of each kind, each on its own order: (kind, row, (table, field), description)."""
        seeded = []
        for kind, statuses, fits, make in mistakes:
            o = self._pick(kind, statuses, lambda o: fits(self, o))
            self.used.add(o.idx)
            row, where, desc = make(self, o)
            seeded.append((kind, row, where, desc))
        return seeded

    def _pick(self, kind: str, statuses: tuple[str, ...], fits: Callable[[Order], bool]) -> Order:
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

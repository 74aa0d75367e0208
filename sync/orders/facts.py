"""What the notices know about each order and each person, read from the register.

Reminders and digests need the same few facts per order (who follows it, when
it is due, whether it has shipped, what stage it is in, whether it is at risk)
and the people master (name -> email, role, supervisor). They are gathered here
once, from the register tables, and from ``sync.orders.progress`` when it is given:
progress knows projections (projected finish, at risk); without it the facts
still carry what the tables say directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

import numpy as np

from sync.config import PersonConfig
from sync.tables.cells import Keys, day, keyed, rows_at, text
from sync.tables.normalize import fold_text
from sync.tables.register import Register

#: status words that close an order (compared after fold_text: lower case, no spaces)
CLOSED_WORDS = {"已发货", "已出货", "已出运", "已交货", "已签收", "已结案", "结案", "已关闭", "关闭", "取消", "已取消",
                "shipped", "delivered", "closed", "cancelled", "canceled", "complete shipped", "done shipped"}
#: QC actions after which a failure no longer waits for rework
SETTLED_ACTIONS = ("让步", "报废", "接收", "concession", "scrap", "accept")
DEPARTMENTS = {"production": "production", "qc": "qc", "shipping": "shipping", "procurement": "materials"}
#: role words (after fold_text) -> what the person is: follower, a department, or manager
ROLE_WORDS = (
    ("manager", ("经理", "总监", "厂长", "老板", "主管经理", "manager", "director", "management", "gm")),
    ("follower", ("跟单", "业务", "merchandiser", "follower", "sales")),
    ("production", ("生产", "车间", "计划", "production", "planner", "planning")),
    ("qc", ("质检", "品质", "品检", "qc", "qa", "quality", "inspector")),
    ("shipping", ("仓", "发货", "物流", "船务", "warehouse", "shipping", "logistics")),
    ("procurement", ("采购", "物料", "purchas", "procurement", "buyer")),
)


@dataclass
class Person:
    name: str
    email: str | None = None
    role: str = ""            # as written in the people sheet
    kind: str = "follower"    # follower | production | qc | shipping | procurement | manager
    supervisor: str | None = None   # the supervisor's name or email, as written


@dataclass
class Directory:
    """The people master: who someone is, how to mail them, who their supervisor is."""

    people: dict[str, Person] = field(default_factory=dict)   # by fold_text(name)

    def find(self, who: str | None) -> Person | None:
        if not who:
            return None
        key = fold_text(str(who))
        if key in self.people:
            return self.people[key]
        return next((p for p in self.people.values() if p.email and fold_text(p.email) == key), None)

    def supervisor_of(self, who: str | None) -> Person | None:
        person = self.find(who)
        return self.find(person.supervisor) if person and person.supervisor else None

    def of_kind(self, kind: str) -> list[Person]:
        return [p for p in self.people.values() if p.kind == kind]


def role_kind(role: str) -> str:
    folded = fold_text(role or "")
    for kind, words in ROLE_WORDS:
        if any(w in folded for w in words):
            return kind
    return "follower"


def directory_from(register: Register, extra: Mapping[str, PersonConfig | dict[str, Any]] | None = None) -> Directory:
    """From the people sheet; ``extra`` ([people] in config.toml) adds or overrides by name."""
    d = Directory()
    table = register.get("people")
    if table is not None and "name" in table.data:
        for rec in table.data.to_dict("records"):
            name = text(rec.get("name"))
            if name:
                role = text(rec.get("role")) or ""
                d.people[fold_text(name)] = Person(name, text(rec.get("email")), role, role_kind(role),
                                                   text(rec.get("supervisor")))
    for name, values in (extra or {}).items():
        p = PersonConfig.model_validate(values)   # [people] NAME = {email, role, kind, supervisor}
        d.people[fold_text(name)] = Person(name, p.email, p.role, p.kind or role_kind(p.role), p.supervisor)
    return d


@dataclass
class OrderFacts:
    key: str                      # normalise_key(order_no): how orders are joined
    order_no: str
    customer: str | None = None
    product: str | None = None
    follower: str | None = None
    quantity: float | None = None
    order_date: date | None = None
    due_date: date | None = None
    status: str | None = None
    shipped_qty: float = 0.0
    last_shipped: date | None = None
    closed: bool = False          # shipped in full, or closed/cancelled by its status
    stage: str | None = None
    at_risk: bool = False
    projected_finish: date | None = None
    material_risk: bool = False
    sheet: str | None = None
    row: int | None = None

    def days_late(self, today: date) -> int:
        """Calendar days past due: until today while open, until the last shipment once closed."""
        if self.due_date is None:
            return 0
        end = self.last_shipped if self.closed and self.last_shipped else today
        return max(0, (end - self.due_date).days)


def order_facts(register: Register, progress: dict[str, Any] | None = None) -> dict[str, OrderFacts]:
    orders = register.get("orders")
    if orders is None or "order_no" not in orders.data:
        return {}
    keys = Keys()
    found = keyed(orders, keys, trimmed=True)
    cols = found.cols
    _, first = np.unique(found.codes, return_index=True)   # an order's first row; ids run in that order
    at = found.rows[first].tolist()
    nos, customer, product, follower, status = (_taken(cols.texts(n), at) for n in
                                                 ("order_no", "customer", "product", "follower", "status"))
    quantity = _taken(cols.numbers("quantity"), at)
    ordered, due = (_taken(cols.days(n), at) for n in ("order_date", "due_date"))
    rows = _taken(cols.raw("_row"), at) if "_row" in orders.data else [_missing("_row") for _ in at]
    out: dict[str, OrderFacts] = {}
    for i, key in enumerate(found.keys):
        out[key] = OrderFacts(key, nos[i], customer[i], product[i], follower[i], quantity[i], ordered[i], due[i],
                              status[i], sheet=orders.sheet, row=int(rows[i]))
    _add_shipping(register, out, keys)
    _add_stages(register, out, keys)
    for key, p in (progress or {}).items():
        f = out.get(keys.of(key))
        if f is not None:
            _merge_progress(f, p)
    return out


def _taken(values: list[Any], at: list[int]) -> list[Any]:
    return [values[i] for i in at]


def _add_shipping(register: Register, out: dict[str, OrderFacts], keys: Keys) -> None:
    found = keyed(register.get("shipping"), keys)
    if found:
        qty, shipped_on = found.cols.numbers("shipped_qty"), found.cols.days("shipped_on")
        facts = [out.get(k) for k in found.keys]
        for i, code in zip(found.rows.tolist(), found.codes.tolist()):
            f = facts[code]
            if f is None:
                continue
            f.shipped_qty += qty[i] or 0.0
            day = shipped_on[i]
            if day and (f.last_shipped is None or day > f.last_shipped):
                f.last_shipped = day
    closing: dict[str, bool] = {}   # per status as written: a register has a handful
    for f in out.values():
        full = bool(f.quantity) and f.shipped_qty >= f.quantity  # type: ignore[operator]
        status = f.status or ""
        if status not in closing:
            closing[status] = fold_text(status) in CLOSED_WORDS
        f.closed = full or closing[status]


def _add_stages(register: Register, out: dict[str, OrderFacts], keys: Keys) -> None:
    """The first stage (in sheet order) not finished yet; none left means production is done."""
    found = keyed(register.get("production"), keys)
    if not found:
        return
    facts = [out.get(k) for k in found.keys]
    known = np.array([f is not None for f in facts])
    limit = np.array([(f.quantity or float("inf")) if f is not None else np.nan for f in facts], dtype=np.float64)
    _, unfinished = found.cols.day_array("actual_finish")
    done, blank = found.cols.number_array("completed_qty")
    rows, codes = found.rows, found.codes
    done = np.where(blank, 0.0, done)[rows]       # (completed or 0); a text 'nan' stays NaN and is never short
    open_ = known[codes] & unfinished[rows] & (done < limit[codes])
    for f in facts:
        if f is not None:
            f.stage = "qc"   # stage ids as in sync.orders.progress: production done, unless a stage is open
    ids, first = np.unique(codes[open_], return_index=True)
    stages = found.cols.texts("stage")
    for code, row in zip(ids.tolist(), rows[open_][first].tolist()):
        facts[code].stage = stages[row]   # type: ignore[union-attr]


def _merge_progress(f: OrderFacts, p: Any) -> None:
    """Take what sync.orders.progress knows better: current stage, projection, risk."""
    f.stage = getattr(p, "stage", None) or getattr(p, "current_stage", None) or f.stage
    f.projected_finish = day(getattr(p, "projected_finish", None)) or f.projected_finish
    f.at_risk = bool(getattr(p, "at_risk", False))
    f.material_risk = bool(getattr(p, "material_risk", False))
    if hasattr(p, "open"):
        f.closed = not p.open


def qc_awaiting_rework(register: Register, only: Callable[[str], bool] | None = None) -> dict[str, dict[str, Any]]:
    """Orders whose latest inspection failed and was not settled: order key -> that QC row.

    ``only``: of the orders it accepts (by key), so no row is made for the others.
    """
    table = register.get("qc")
    found = keyed(table, Keys())
    if not found:
        return {}
    ordinals, blank = found.cols.day_array("inspected_on")
    rows, codes = found.rows, found.codes
    inspected = np.where(blank, date.min.toordinal(), ordinals)[rows]
    order = np.lexsort((rows, inspected, codes))        # by order, then day, then sheet row
    last = np.flatnonzero(np.append(codes[order][1:] != codes[order][:-1], True))
    latest = rows[order][last].tolist()     # per order, by id: its latest inspection, the later row of a tie
    failed, action = found.cols.numbers("failed_qty"), found.cols.texts("action")
    settled: dict[str, bool] = {}
    waiting = {}
    for code, i in enumerate(latest):
        if (failed[i] or 0) > 0:
            what = action[i] or ""
            if what not in settled:
                settled[what] = any(w in fold_text(what) for w in SETTLED_ACTIONS)
            if not settled[what] and (only is None or only(found.keys[code])):
                waiting[found.keys[code]] = i
    return dict(zip(waiting, rows_at(table, list(waiting.values()))))


def materials_late(register: Register, today: date, only: Callable[[str], bool] | None = None) -> list[dict[str, Any]]:
    """Material rows expected before today that have not (fully) arrived; ``only``: of the orders it accepts."""
    table = register.get("materials")
    found = keyed(table, Keys())
    if not found:
        return []
    cols, rows = found.cols, found.rows
    expected, undated = cols.day_array("expected_date")
    _, unarrived = cols.day_array("arrived_date")
    required, unknown = cols.number_array("required_qty")
    arrived, blank = cols.number_array("arrived_qty")
    short = unarrived | (~unknown & (np.where(blank, 0.0, arrived) < required))
    chosen = (~undated & (expected < today.toordinal()) & short)[rows]
    if only is not None:
        chosen &= np.array([only(k) for k in found.keys], dtype=bool)[found.codes]
    late = rows[chosen]
    dates = cols.days("expected_date")
    return [dict(rec, expected=dates[i]) for i, rec in zip(late.tolist(), rows_at(table, late))]


def _missing(name: str) -> Any:
    raise KeyError(name)

"""What the notices know about each order and each person, read from the register.

Reminders and digests need the same few facts per order (who follows it, when
it is due, whether it has shipped, what stage it is in, whether it is at risk)
and the people master (name -> email, role, supervisor). They are gathered here
once, from the register tables, and from ``sync.progress`` when it is given:
progress knows projections (projected finish, at risk); without it the facts
still carry what the tables say directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd

from sync.normalize import fold_text, normalise_key
from sync.register import Register

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


def directory_from(register: Register, extra: dict[str, dict[str, Any]] | None = None) -> Directory:
    """From the people sheet; ``extra`` ([people] in config.toml) adds or overrides by name."""
    d = Directory()
    table = register.get("people")
    if table is not None and "name" in table.data:
        for rec in table.data.to_dict("records"):
            name = _text(rec.get("name"))
            if name:
                role = _text(rec.get("role")) or ""
                d.people[fold_text(name)] = Person(name, _text(rec.get("email")), role, role_kind(role),
                                                   _text(rec.get("supervisor")))
    for name, values in (extra or {}).items():
        role = str(values.get("role", ""))
        d.people[fold_text(name)] = Person(name, values.get("email"), role, values.get("kind") or role_kind(role),
                                           values.get("supervisor"))
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
    out: dict[str, OrderFacts] = {}
    for rec in orders.data.to_dict("records"):
        no = _text(rec.get("order_no"))
        if not no or normalise_key(no) in out:
            continue
        f = OrderFacts(normalise_key(no), no, _text(rec.get("customer")), _text(rec.get("product")),
                       _text(rec.get("follower")), _num(rec.get("quantity")), _day(rec.get("order_date")),
                       _day(rec.get("due_date")), _text(rec.get("status")), sheet=orders.sheet, row=int(rec["_row"]))
        out[f.key] = f
    _add_shipping(register, out)
    _add_stages(register, out)
    for key, p in (progress or {}).items():
        if normalise_key(key) in out:
            _merge_progress(out[normalise_key(key)], p)
    return out


def _add_shipping(register: Register, out: dict[str, OrderFacts]) -> None:
    table = register.get("shipping")
    for rec in _records(table, "order_no"):
        f = out.get(normalise_key(rec["order_no"]))
        if f is None:
            continue
        f.shipped_qty += _num(rec.get("shipped_qty")) or 0.0
        day = _day(rec.get("shipped_on"))
        if day and (f.last_shipped is None or day > f.last_shipped):
            f.last_shipped = day
    for f in out.values():
        full = bool(f.quantity) and f.shipped_qty >= f.quantity  # type: ignore[operator]
        f.closed = full or fold_text(f.status or "") in CLOSED_WORDS


def _add_stages(register: Register, out: dict[str, OrderFacts]) -> None:
    """The first stage (in sheet order) not finished yet; none left means production is done."""
    table = register.get("production")
    rows: dict[str, list[dict[str, Any]]] = {}
    for rec in _records(table, "order_no"):
        rows.setdefault(normalise_key(rec["order_no"]), []).append(rec)
    for key, recs in rows.items():
        f = out.get(key)
        if f is None:
            continue
        open_stages = [r for r in recs if _day(r.get("actual_finish")) is None
                       and (_num(r.get("completed_qty")) or 0) < (f.quantity or float("inf"))]
        f.stage = _text(open_stages[0].get("stage")) if open_stages else "qc"   # stage ids as in sync.progress


def _merge_progress(f: OrderFacts, p: Any) -> None:
    """Take what sync.progress knows better: current stage, projection, risk."""
    f.stage = getattr(p, "stage", None) or getattr(p, "current_stage", None) or f.stage
    f.projected_finish = _day(getattr(p, "projected_finish", None)) or f.projected_finish
    f.at_risk = bool(getattr(p, "at_risk", False))
    f.material_risk = bool(getattr(p, "material_risk", False))
    if hasattr(p, "open"):
        f.closed = not p.open


def qc_awaiting_rework(register: Register) -> dict[str, dict[str, Any]]:
    """Orders whose latest inspection failed and was not settled: order key -> that QC row."""
    latest: dict[str, dict[str, Any]] = {}
    for rec in _records(register.get("qc"), "order_no"):
        key = normalise_key(rec["order_no"])
        day = _day(rec.get("inspected_on")) or date.min
        if key not in latest or day >= (_day(latest[key].get("inspected_on")) or date.min):
            latest[key] = rec
    return {k: r for k, r in latest.items() if (_num(r.get("failed_qty")) or 0) > 0
            and not any(w in fold_text(_text(r.get("action")) or "") for w in SETTLED_ACTIONS)}


def materials_late(register: Register, today: date) -> list[dict[str, Any]]:
    """Material rows expected before today that have not (fully) arrived."""
    late = []
    for rec in _records(register.get("materials"), "order_no"):
        expected = _day(rec.get("expected_date"))
        required, arrived = _num(rec.get("required_qty")), _num(rec.get("arrived_qty")) or 0.0
        short = _day(rec.get("arrived_date")) is None or (required is not None and arrived < required)
        if expected and expected < today and short:
            late.append(dict(rec, expected=expected))
    return late


def _records(table: Any, need: str) -> list[dict[str, Any]]:
    if table is None or need not in table.data:
        return []
    return [dict(r, _sheet=table.sheet) for r in table.data.to_dict("records") if _text(r.get(need))]


def _text(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    s = str(v).strip()
    return s or None


def _num(v: Any) -> float | None:
    try:
        return None if v is None or pd.isna(v) else float(v)
    except (TypeError, ValueError):
        return None


def _day(v: Any) -> date | None:
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, datetime):   # pandas Timestamps included
        return None if pd.isna(v) else v.date()
    if isinstance(v, date):
        return v
    return None

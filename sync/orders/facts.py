"""What the notices know about each order, derived from the one order model.

Reminders and digests need a few facts per order (who follows it, when it is
due, whether it is still open, what stage it is in, whether it is at risk).
They are read off the cycle's ``sync.orders.model.OrderModel`` (the joined
view and each order's progress): no second join of the tabs, no second
reading of the status words. QC failures awaiting rework and late materials
are read from their tabs here, a column at a time (``sync.tables.cells``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from sync.orders.batches import PlannedBatch, factors_of, in_pieces, planned_batches, read_batch_plan
from sync.orders.model import OrderModel, first_of
from sync.orders.progress import said_open
from sync.orders.view import POS
from sync.tables.cells import Keys, keyed, rows_at
from sync.tables.labels import header_key
from sync.tables.normalize import fold_text
from sync.tables.register import Register
from sync.tables.table import ROW

#: QC actions after which a failure no longer waits for rework
SETTLED_ACTIONS = ("让步", "报废", "接收", "concession", "scrap", "accept")
#: an inspection's verdict that it failed (or must be inspected again), folded (``header_key``)
FAILED_RESULTS = frozenset(header_key(w) for w in (
    "不合格", "不通过", "未通过", "判退", "拒收", "退货", "ng", "n g", "fail", "failed", "reject", "rejected", "复验", "重验",
    "待复验", "返工", "reinspect", "re-inspect", "re-inspection", "reinspection", "hold", "on hold"))


def failed_result(value: Any) -> bool:
    """An inspection result that says it failed: 不合格, NG, Fail, Rejected, 复验 (inspected again after rework)."""
    return isinstance(value, str) and header_key(value) in FAILED_RESULTS
#: a person's kind -> the table their department keeps
DEPARTMENTS = {"production": "production", "qc": "qc", "shipping": "shipping", "procurement": "materials"}


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
    closed: bool = False          # not open by its progress: shipped in full, or finished by its status
    stage: str | None = None      # the progress's current stage (sync.orders.progress)
    at_risk: bool = False
    projected_finish: date | None = None
    material_risk: bool = False
    sheet: str | None = None
    row: int | None = None
    #: the stage is read from figures the register keeps per stage; False: from the order's status alone
    #: (a register without a production tab or stage columns), which tells no day-to-day progress to go stale
    figures: bool = True
    #: its delivery batches (第一批交期 / 第一批数量, ...: ``sync.orders.batches``), for an order on one line
    batches: tuple[PlannedBatch, ...] = ()
    #: the register records shipments: ``shipped_qty`` says which batches have gone
    shipments_kept: bool = False

    @property
    def known_open(self) -> bool:
        """Open, and the register says so (``sync.orders.progress.said_open``)."""
        return not self.closed and said_open(self.status, self.shipments_kept, self.projected_finish)

    def days_late(self, today: date) -> int:
        """Calendar days past due: until today while open, until the last shipment once closed."""
        if self.due_date is None:
            return 0
        end = self.last_shipped if self.closed and self.last_shipped else today
        return max(0, (end - self.due_date).days)


def order_facts(orders: OrderModel) -> dict[str, OrderFacts]:
    """Each order's facts, by order key, from the model's progress and view; worked out once per model (the
    notices between saves ask again), and for registers kept apart, once per register (``OrderModel.lanes``):
    an order's facts are its own register's. Callers read the mapping, and never change it."""
    if orders.lanes:
        return orders.kept("facts", lambda: first_of(order_facts(m) for m in orders.lanes))
    return orders.kept("facts", lambda: _facts(orders))


def _facts(orders: OrderModel) -> dict[str, OrderFacts]:
    view = orders.view
    table = view.tables.get("orders")
    frame = view.orders
    if table is None or frame.empty:
        return {}
    keys = frame.index.tolist()
    products = _column(frame, "product", keys, _text)
    ordered = _column(frame, "order_date", keys, _day)
    rows = _column(frame, ROW, keys, int)
    shipped = _per_order(view, "shipped", keys)
    last = _last_shipped(orders, keys)
    out: dict[str, OrderFacts] = {}
    figures = view.keeps_figures
    kept = "shipping" in view.parts and "shipped" in view.totals
    batches = _batches(view, table, keys, ordered)
    for i, key in enumerate(keys):
        p = orders.progress.get(key)
        if p is None:
            continue
        out[key] = OrderFacts(key, p.order_no, p.customer, products[i], p.follower, p.quantity, ordered[i],
                              p.due_date, p.status, shipped[i], last[i], not p.open, p.current_stage, p.at_risk,
                              p.projected_finish, bool(p.material_risk), table.sheet, rows[i], figures, batches[i],
                              kept)
    return out


def _batches(view: Any, table: Any, keys: list[str], ordered: list[date | None]) -> list[tuple[PlannedBatch, ...]]:
    """Each order's delivery batches, from its line; none for an order over several lines (each line plans its
    own part: the check says each line's, the reminders keep to the order's due date)."""
    plan = read_batch_plan(table)
    if plan is None or POS not in view.orders:
        return [()] * len(keys)
    lines = view.orders["lines"].tolist() if "lines" in view.orders else [1] * len(keys)
    places = view.orders[POS].tolist()
    factors = factors_of(in_pieces(plan, table, view.scaled))
    return [planned_batches(plan, int(at), day, factors) if n == 1 else ()
            for at, n, day in zip(places, lines, ordered)]


def _column(frame: pd.DataFrame, name: str, keys: list[str], read: Callable[[Any], Any]) -> list[Any]:
    if name not in frame:
        return [None] * len(keys)
    if read is _day and _naive_times(frame[name]):
        return _days(frame[name])
    return [None if v is None or v is pd.NaT or (isinstance(v, float) and v != v) else read(v)
            for v in frame[name].tolist()]


def _per_order(view: Any, name: str, keys: list[str]) -> list[float]:
    """A total of ``view.totals`` per order, 0 where nothing is recorded."""
    if name not in view.totals:
        return [0.0] * len(keys)
    values = view.totals[name]
    if not values.index.is_unique:
        values = values[~values.index.duplicated(keep="last")]
    return [float(v) for v in values.reindex(keys).fillna(0.0).tolist()]


def _last_shipped(orders: OrderModel, keys: list[str]) -> list[date | None]:
    view = orders.view
    ship = view.parts.get("shipping")
    if ship is None or "shipped_on" not in ship:
        return [None] * len(keys)
    last = view.by_order("shipping").agg("shipped_on", "max")
    if not last.index.is_unique:
        last = last[~last.index.duplicated(keep="last")]
    last = last.reindex(keys)
    return _days(last) if _naive_times(last) else [_day(v) for v in last.tolist()]


def _naive_times(values: pd.Series) -> bool:
    return isinstance(values.dtype, np.dtype) and values.dtype.kind == "M"


def _days(values: pd.Series) -> list[date | None]:
    """``_day`` of each value of a column of times without a zone, all at once (NaT: None)."""
    return values.to_numpy(dtype="datetime64[D]").astype(object).tolist()


def _text(v: Any) -> str | None:
    s = str(v).strip()
    return s or None


def _day(v: Any) -> date | None:
    return None if v is None or pd.isna(v) else pd.Timestamp(v).date()


def qc_awaiting_rework(register: Register, only: Callable[[str], bool] | None = None) -> dict[str, dict[str, Any]]:
    """Orders whose latest inspection failed and was not settled: order key -> that QC row.

    ``only``: of the orders it accepts (by key), so no row is made for the others.
    """
    return awaiting_rework(register.get("qc"), only)


def awaiting_rework(table: Any, only: Callable[[str], bool] | None = None) -> dict[str, dict[str, Any]]:
    """``qc_awaiting_rework`` of one QC table (None: no table, no orders)."""
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
    result = found.cols.texts("result")
    settled: dict[str, bool] = {}
    waiting = {}
    for code, i in enumerate(latest):
        if (failed[i] or 0) > 0 or failed_result(result[i]):
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

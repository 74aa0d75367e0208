"""One order's timeline: what each tab says happened (or is planned) to it, day by day.

``ordersync status ORDER_NO`` shows it: the orders row's dates and the
delivery batches planned on it, then every materials, production, QC and
shipping row of the order, each with the cell a reader goes to check (a wide
tracker's figure names its own stage column).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sync.orders.batches import read_batch_plan
from sync.orders.view import KEY, POS, OrderView
from sync.tables.table import ROW, Table, column_letter


@dataclass
class Event:
    """One line of an order's timeline: what a tab says happened (or is planned) on a day."""

    day: dt.date | None
    kind: str          # ordered, due, batch, material, stage, inspected, shipped
    table: str
    sheet: str
    row: int
    cell: str | None
    label: str = ""    # the stage, the material, the carrier
    qty: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in ("kind", "table", "sheet", "row", "cell", "label", "qty")}
        return {"day": self.day.isoformat() if self.day else None, **out, **self.extra}


#: per table: event kind, the date fields in order of preference, the quantity field, the label field
TIMELINE = {
    "materials": ("material", ("arrived_date", "expected_date"), "arrived_qty", "material"),
    "production": ("stage", ("actual_finish", "updated_on", "planned_finish"), "completed_qty", "stage"),
    "qc": ("inspected", ("inspected_on",), "inspected_qty", "defect"),
    "shipping": ("shipped", ("shipped_on",), "shipped_qty", "carrier"),
}


def timeline(view: OrderView, key: str) -> list[Event]:
    """Everything the tabs say about one order, in date order (undated rows last)."""
    events: list[Event] = []
    orders = view.tables.get("orders")
    if orders is not None and key in view.orders.index:
        o = view.orders.loc[key]
        row, sheet = int(o[ROW]), orders.sheet_at(int(o[POS]))
        for kind, f in (("ordered", "order_date"), ("due", "due_date")):
            if orders.has(f):
                events.append(Event(_day(o[f]), kind, "orders", sheet, row, orders.cell(f, row),
                                    qty=_num(o.get("quantity"))))
        events += _batches(view, orders, key, sheet, row)
    for table, (kind, dates, qty, label) in TIMELINE.items():
        rows = view.parts.get(table)
        if rows is None:
            continue
        t = view.tables[table]
        for _, r in rows[rows[KEY] == key].iterrows():
            f = next((d for d in dates if d in r and pd.notna(r[d])), None)
            extra = {k: _num(r[k]) for k in ("passed_qty", "failed_qty", "required_qty") if k in r}
            extra = {k.removesuffix("_qty"): v for k, v in extra.items() if v is not None}
            if f:
                extra["date_field"] = f
            where = qty if t.has(qty) else f   # the figure is what a reader goes to check
            events.append(Event(_day(r[f]) if f else None, kind, table, t.sheet, int(r[ROW]),
                                t.cell_at(where, int(r[POS]), int(r[ROW])) if where and t.has(where) else None,
                                str(r.get(label) or ""), _num(r.get(qty)), extra))
    return sorted(events, key=lambda e: (e.day is None, e.day or dt.date.min))


def _batches(view: OrderView, orders: Table, key: str, sheet: str, row: int) -> list[Event]:
    """The delivery batches planned on the order's line (第一批交期 / 第一批数量), each on its due-date cell."""
    plan = read_batch_plan(orders)
    if plan is None or int(view.orders.at[key, "lines"] if "lines" in view.orders else 1) != 1:
        return []
    at = int(view.orders.at[key, POS])
    out = []
    for b, batch in enumerate(plan.batches):
        due, qty = plan.dues[b, at], plan.qtys[b, at]
        if pd.isna(due) and pd.isna(qty):
            continue
        out.append(Event(_day(due), "batch", "orders", sheet, row, f"{column_letter(batch.due[0])}{row}",
                         batch.due[1], None if pd.isna(qty) else float(qty)))
    return out


def _day(v: Any) -> dt.date | None:
    return pd.Timestamp(v).date() if v is not None and pd.notna(v) else None


def _num(v: Any) -> float | None:
    return float(v) if v is not None and pd.notna(v) else None

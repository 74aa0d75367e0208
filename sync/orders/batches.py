"""Orders delivered in planned batches across the row: 第一批交期 / 第一批数量, 第二批 …, 1st delivery date / qty.

A register that splits an order's delivery writes each batch's due date and
quantity in columns of their own, which no canonical field maps: they are read
from the orders table's other columns (``Table.extra``). ``read_batch_plan`` gives
the plan as arrays, batch by row, for the checks (``sync.checks.reconcile.batches``:
batches adding up to more than the line, dated before the order, past their
date while the shipments do not cover them); ``planned_batches`` gives each
order's batches with the pieces due by each, for the reminders (a batch due
soon, or past its date and not shipped, is reminded like the order's own due date).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from sync.orders.view import declared_unit
from sync.orders.wide import day_values, is_shipping, ordinal
from sync.tables.fields import NUMBER, header_key
from sync.tables.normalize import parse_column
from sync.tables.quantities import Unit, count_unit, header_unit
from sync.tables.table import Table

#: which batch a header is about, after its words: 交期2 / 数量2 (before them: ``wide.ordinal``)
_SUFFIX = re.compile(r"^(\D+?)(\d{1,2})$")
_DUE = frozenset(header_key(w) for w in ("交期", "交货期", "交货日期", "货期", "船期", "交货", "etd", "delivery",
                                          "deliverydate", "delivery date", "duedate", "due date", "due"))
_QTY = frozenset(header_key(w) for w in ("数量", "交货数量", "件数", "数", "qty", "quantity", "pcs", "deliveryqty",
                                          "delivery qty", "delivery quantity"))
#: at least this many batches make a plan
MIN_BATCHES = 2


@dataclass
class Batch:
    number: int
    due: tuple[int, str]    # (0-based column, header)
    qty: tuple[int, str]


@dataclass
class BatchPlan:
    """The batch columns of an orders table and what each row plans in them."""

    batches: list[Batch]
    cells: dict[int, np.ndarray]    # 0-based column -> its cells, per row
    dues: np.ndarray                # batch x row: datetime64[ns], NaT where no date
    qtys: np.ndarray                # batch x row: float, NaN where no quantity


@dataclass(frozen=True)
class PlannedBatch:
    """One batch of an order, as the reminders see it."""

    label: str                      # the batch's due-date header: 第二批交期
    due: date
    qty: float | None
    need: float                     # the pieces due by this batch, the batches before it included


def batch_columns(extra: dict[int, tuple[str, object]]) -> list[Batch]:
    """The planned batches among an orders table's other columns, in batch order: each with a due-date and a
    quantity column; [] unless there are at least two (a lone 交期2 is a revised date, not a plan)."""
    found: dict[int, dict[str, tuple[int, str]]] = {}
    for index, (header, _) in sorted(extra.items()):
        if is_shipping(str(header)):   # 第一批出货数量: a shipment made, read as shipping
            continue
        key = header_key(header)
        if (led := ordinal(key)) is not None and led.number:   # 第一批交期, 批次3数量, 1st delivery date
            number, rest = led.number, led.rest
        elif (m := _SUFFIX.match(key)) is not None:
            number, rest = int(m.group(2)), m.group(1)
        else:
            continue
        kind = "due" if rest in _DUE else "qty" if rest in _QTY else None
        if kind is not None:
            found.setdefault(number, {}).setdefault(kind, (index, str(header)))
    batches = [Batch(n, cols["due"], cols["qty"]) for n, cols in sorted(found.items()) if len(cols) == 2]
    return batches if len(batches) >= MIN_BATCHES else []


def read_batch_plan(orders: Table | None) -> BatchPlan | None:
    """The orders table's batch plan; None without one (fewer than two batches, or no order numbers)."""
    if orders is None or not orders.extra or not orders.has("order_no"):
        return None
    batches = batch_columns(orders.extra)
    if not batches:
        return None
    cells = {c: orders.extra[c][1].cells() for b in batches for c in (b.due[0], b.qty[0])}
    dues = np.stack([pd.to_datetime(pd.Series(day_values(cells[b.due[0]]))).to_numpy() for b in batches])
    qtys = np.stack([pd.to_numeric(pd.Series(parse_column(cells[b.qty[0]], NUMBER).values),
                                   errors="coerce").to_numpy(dtype=float) for b in batches])
    return BatchPlan(batches, cells, dues, qtys)


def in_pieces(plan: BatchPlan, orders: Table, scaled: dict[tuple[str, str], dict[str, float]]) -> list[Unit | None]:
    """Per batch, the unit its quantities are in, where the order view compares counts in pieces (``scaled``:
    ``OrderView.scaled`` has the orders' quantity) and it is not pieces: the one its own header names
    (第一批数量(件)), else the one the order's quantity header names (数量(打)); None where nothing is converted."""
    if ("orders", "quantity") not in scaled:
        return [None] * len(plan.batches)
    ordered = declared_unit(orders, "quantity")
    units = [count_unit(header_unit(batch.qty[1]), ordered) for batch in plan.batches]
    return [unit if unit is not None and unit.factor != 1 else None for unit in units]


def factors_of(units: list[Unit | None]) -> np.ndarray:
    """Each batch's factor to pieces (``in_pieces``)."""
    return np.array([1.0 if unit is None else unit.factor for unit in units])


def planned_batches(plan: BatchPlan, position: int, ordered: date | None = None,
                    factors: np.ndarray | None = None) -> tuple[PlannedBatch, ...]:
    """The dated batches of the orders row at ``position``, in batch order, each with the pieces due by it
    (``factors``: ``in_pieces``). A batch dated before the order was placed is a mistake the check reports, not a
    date to remind."""
    out, need = [], 0.0
    for b, batch in enumerate(plan.batches):
        qty = plan.qtys[b, position] * (1.0 if factors is None else factors[b])
        need += 0.0 if np.isnan(qty) else float(qty)
        due = plan.dues[b, position]
        if np.isnat(due):
            continue
        day = pd.Timestamp(due).date()
        if ordered is None or day >= ordered:
            out.append(PlannedBatch(batch.due[1], day, None if np.isnan(qty) else float(qty), need))
    return tuple(out)

"""Orders delivered in planned batches across the row: 第一批交期 / 第一批数量, 第二批 …, 1st delivery date / qty.

A register that splits an order's delivery writes each batch's due date and
quantity in columns of their own. Read by ``sync.orders.batches``, the plan is
checked against the line it is on: batches adding up to more than the line's
quantity (a zero too many, or a batch planned twice), or to less (pieces with
no date), a batch due before the order was placed or before the batch ahead of
it, and, where the register records shipments, a batch whose date has passed
while what has shipped does not yet cover it. The
order's own due date goes on driving the overdue and at-risk warnings; the
reminders remind each batch as its date comes (``sync.notices.reminders``).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from sync.checks.base import cell_list
from sync.checks.library import Type, expected_of
from sync.checks.reconcile.context import SLACK, Ctx
from sync.checks.values import formula_error_text, formula_errors
from sync.findings import ERROR, WARNING, Finding
from sync.orders.batches import Batch, BatchPlan, factors_of, in_pieces, read_batch_plan
from sync.orders.view import FINISHED, POS
from sync.tables.fields import DATE, NUMBER
from sync.tables.normalize import normalise_key, parse_column, text_of
from sync.tables.table import ROW, Table, column_letter


def batch_plan(ctx: Ctx) -> Iterator[Finding]:
    orders = ctx.view.tables.get("orders")
    plan = read_batch_plan(orders)
    if orders is None or plan is None:
        return
    batches, cells, dues, qtys = plan.batches, plan.cells, plan.dues, plan.qtys
    rows = orders.data[ROW].to_numpy()
    quantity = orders.data["quantity"].to_numpy(dtype=float, na_value=np.nan) if orders.has("quantity") \
        else np.full(len(rows), np.nan)
    ordered = pd.to_datetime(orders.data["order_date"]).to_numpy() if orders.has("order_date") \
        else np.full(len(rows), np.datetime64("NaT"))
    planned = np.nansum(qtys, axis=0)
    filled = ~np.isnan(qtys)
    tolerance = 1 + ctx.s.over_tolerance
    for i in np.flatnonzero(filled.any(axis=0) & ~np.isnan(quantity)).tolist():
        last = int(np.flatnonzero(filled[:, i])[-1])
        if planned[i] > np.floor(quantity[i] * tolerance + SLACK):
            yield _at(ctx, orders, i, rows[i], batches[last].qty, cells[batches[last].qty[0]][i], ERROR,
                      "batch-over-ordered", ctx.say(
                          "分批数量合计 {s}，超过本行订单数量 {q}", "the batches add up to {s}, more than the {q} ordered on "
                          "this line", s=_num(planned[i]), q=_num(quantity[i])),
                      ctx.say("核对各批数量（多打了一个 0？同一批写了两次？）",
                              "check the batch quantities (a zero too many? a batch written twice?)"))
        elif planned[i] < quantity[i] - SLACK and filled[:, i].all():   # every batch has a figure: the rest has none
            yield _at(ctx, orders, i, rows[i], batches[last].qty, cells[batches[last].qty[0]][i], WARNING,
                      "batch-under-ordered", ctx.say(
                          "分批数量合计 {s}，少于本行订单数量 {q}：还有 {d} 件没有排交期",
                          "the batches add up to {s}, less than the {q} ordered: {d} have no delivery date",
                          s=_num(planned[i]), q=_num(quantity[i]), d=_num(quantity[i] - planned[i])),
                      ctx.say("补上其余数量的交期，或核对各批数量", "date the rest, or check the batch quantities"))
    for b, batch in enumerate(batches):
        early = ~np.isnat(dues[b]) & ~np.isnat(ordered) & (dues[b] < ordered)
        before = np.zeros(len(rows), dtype=bool)
        if b:
            prior = np.fmax.reduce(np.where(np.isnat(dues[:b]), np.datetime64("NaT"), dues[:b]), axis=0)
            before = ~np.isnat(dues[b]) & ~np.isnat(prior) & (dues[b] < prior) & ~early
        for i in np.flatnonzero(early).tolist():
            yield _at(ctx, orders, i, rows[i], batch.due, cells[batch.due[0]][i], ERROR, "batch-before-order",
                      ctx.say("{h} {d} 早于下单日期 {o}", "{h} {d} is before the order date {o}", h=batch.due[1],
                              d=_day(dues[b][i]), o=_day(ordered[i])),
                      ctx.say("核对这一批的交期", "check this batch's due date"))
        for i in np.flatnonzero(before).tolist():
            yield _at(ctx, orders, i, rows[i], batch.due, cells[batch.due[0]][i], WARNING, "batch-out-of-order",
                      ctx.say("{h} {d} 早于前一批的交期", "{h} {d} is before an earlier batch's date", h=batch.due[1],
                              d=_day(dues[b][i])),
                      ctx.say("核对各批交期的先后", "check the order of the batch dates"))
    yield from _unread(ctx, orders, plan)
    # a batch due before its order was placed is a mistake said above, not a batch running late
    units = in_pieces(plan, orders, ctx.view.scaled)
    yield from _overdue(ctx, orders, batches, np.where(dues < ordered, np.datetime64("NaT"), dues),
                        qtys * factors_of(units)[:, None], cells, units)


def _unread(ctx: Ctx, orders: Table, plan: BatchPlan) -> Iterator[Finding]:
    """The batch cells that hold what no date or quantity reads from, as a department tab's are said: text, each on
    its cell (``unreadable``: 第二批交期 下周), and a formula's error, once per column (``formula-error``): neither
    is a batch planned, and neither is blank."""
    rows = orders.data[ROW].to_numpy()
    for batch in plan.batches:
        for (index, header), kind in ((batch.due, DATE), (batch.qty, NUMBER)):
            cells = plan.cells[index]
            shown = orders.extra_errors.get(index)
            errors = pd.notna(shown) if shown is not None else np.zeros(len(cells), dtype=bool)
            expected = expected_of(kind, ctx.lang)   # said as the type rule says a tab's cell
            bad = parse_column(np.asarray(cells, dtype=object), kind).bad & ~errors
            for i in np.flatnonzero(bad).tolist():
                text = text_of(cells[i])   # as the cell shows it: 500, not 500.0
                yield _at(ctx, orders, i, rows[i], (index, header), text, ERROR, "unreadable",
                          Type.MESSAGE.format(ctx.lang, column=header, value=text, **expected),
                          Type.HINT.format(ctx.lang, **expected))
            if errors.any():
                at = np.flatnonzero(errors)
                cells_said = cell_list([f"{column_letter(index)}{int(rows[i])}" for i in at.tolist()], ctx.lang)
                fill = formula_errors([str(shown[i]) for i in at.tolist()], ctx.lang)
                message, hint = formula_error_text(ctx.lang, column=header, count=len(at), cells=cells_said, **fill)
                yield _at(ctx, orders, int(at[0]), rows[at[0]], (index, header), fill["value"], WARNING,
                          "formula-error", message, hint)


def _overdue(ctx: Ctx, orders: Table, batches: list[Batch], dues: np.ndarray, qtys: np.ndarray,
             cells: dict[int, np.ndarray], units: list) -> Iterator[Finding]:
    """The first batch of each open order whose date has passed while the shipments do not cover it (only where
    the register records shipments: without them, what has gone is not known). ``qtys`` in the pieces the
    shipments are weighed in, converted from ``units`` (``in_pieces``), which the hint then says."""
    view = ctx.view
    if "shipping" not in view.parts or "shipped" not in view.totals or len(orders.data) != len(view.orders):
        return   # an order over several lines plans each line's batches: said per line above, not here
    pos = view.orders[POS].to_numpy(dtype=int)   # each order's line
    keys = view.orders.index
    shipped = view.totals["shipped"].reindex(keys).fillna(0).to_numpy(dtype=float)
    closed = view.orders["status_class"].isin(FINISHED).to_numpy() if "status_class" in view.orders \
        else np.zeros(len(keys), dtype=bool)
    due, qty = dues[:, pos], qtys[:, pos]                              # batch x order
    need = np.cumsum(np.nan_to_num(qty), axis=0)                      # pieces due by each batch
    late = ~np.isnat(due) & ~np.isnan(qty) & (due < np.datetime64(ctx.today.date(), "ns"))
    late &= (shipped + SLACK < need) & ~closed
    lines = orders.data[ROW].to_numpy()
    for k in np.flatnonzero(late.any(axis=0)).tolist():
        b = int(np.argmax(late[:, k]))                                 # its first batch running late
        batch, at = batches[b], int(pos[k])
        yield _at(ctx, orders, at, int(lines[at]), batch.due, cells[batch.due[0]][at], WARNING, "batch-overdue",
                  ctx.say("订单 {no} {h} {d} 已过（到这一批共 {n} 件），已发货 {s}",
                          "order {no}: {h} {d} has passed ({n} due by then), {s} shipped", no=keys[k], h=batch.due[1],
                          d=_day(due[b, k]), n=_num(need[b, k]), s=_num(shipped[k])),
                  ctx.with_pieces(ctx.say("与生产确认这一批的进度，必要时提前告知客户", "confirm this batch with production "
                                          "and tell the customer early if needed"),
                                  [(batches[c].qty[1], unit.label, unit.factor)
                                   for c, unit in enumerate(units[:b + 1]) if unit is not None]), key=keys[k])


def _at(ctx: Ctx, orders: Table, pos: int, line: int, column: tuple[int, str], value: object, severity: str,
        rule: str, message: str, hint: str, key: str | None = None) -> Finding:
    """A finding on a batch column's cell of the orders row at ``pos`` (sheet row ``line``)."""
    index, header = column
    text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
    key = key if key is not None else _key(orders, pos)
    return Finding(rule, severity, message, table="orders", source=orders.source_at(pos), sheet=orders.sheet_at(pos),
                   row=int(line), column=header, cell=f"{column_letter(index)}{int(line)}",
                   order_no=orders.raw_text("order_no", pos) or None, value=text or None, hint=hint,
                   follower=ctx.follower(key))


def _key(orders: Table, pos: int) -> str | None:
    return normalise_key(orders.data["order_no"].iloc[pos]) or None


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _day(value: np.datetime64) -> str:
    return str(np.datetime_as_string(value, unit="D"))


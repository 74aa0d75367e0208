"""Do the department dates fit the order's: plans after the due date, shipments before the order or
its inspection, actual dates still to come."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from sync.checks.reconcile.context import Ctx, day, order_no, rows_of
from sync.findings import ERROR, WARNING, Finding
from sync.orders.view import FINISHED, KEY, POS
from sync.tables.table import ROW


def planned_after_due(ctx: Ctx) -> Iterator[Finding]:
    prod = ctx.view.parts.get("production")
    if prod is None or "planned_finish" not in prod:
        return
    orders = ctx.view.orders
    sane = ((orders["due_date"] >= orders["order_date"]) | orders["order_date"].isna()) & \
        ~orders["status_class"].isin(FINISHED)
    due = ctx.view.orders_on_rows("production", orders["due_date"].where(sane))   # each row's order's, if it is kept
    is_late = (prod["planned_finish"] > due).to_numpy()
    late = prod[is_late]
    stages = late["stage"].tolist() if "stage" in late else [None] * len(late)
    gist = f"{ctx.header('production', 'planned_finish')} > {ctx.header('orders', 'due_date')}"
    for (key, pos, line, planned), due, stage in zip(rows_of(late, KEY, POS, ROW, "planned_finish"),
                                                     due[is_late].tolist(), stages):
        yield ctx.at("planned-after-due", WARNING, "production", pos, line, "planned_finish", ctx.say(
            "订单 {no} 计划 {pf} 完成{stage}，晚于交期 {due}", "order {no}: {stage} planned to finish {pf}, after "
            "the due date {due}", no=order_no(ctx, key), pf=day(planned), due=day(due), stage=stage or ""),
            ctx.say("与生产协调提前，或与客户商量交期", "bring the plan forward, or agree a new date with the customer"),
            key=key, compared=ctx.order_cells(key, "due_date"), gist=gist)


def shipped_early(ctx: Ctx) -> Iterator[Finding]:
    """Shipped before the order was placed, or before its first inspection."""
    ship = ctx.view.parts.get("shipping")
    if ship is None or "shipped_on" not in ship:
        return
    # per shipping row: its order's date, and its order's first inspection (if QC keeps dates)
    ordered = ctx.view.orders_on_rows("shipping", ctx.view.orders["order_date"])
    qc = ctx.view.parts.get("qc")
    first_qc = ctx.view.on_rows("shipping", ctx.view.by_order("qc").agg("inspected_on", "min", labelled=False)) \
        if qc is not None and "inspected_on" in qc else pd.Series(pd.NaT, index=ship.index)
    before_order = (ship["shipped_on"] < ordered).to_numpy()
    flagged = (ship["shipped_on"].notna() & (before_order | (ship["shipped_on"] < first_qc))).to_numpy()
    sent = ctx.header("shipping", "shipped_on")
    for (key, pos, line, shipped), ordered_on, inspected, first in zip(
            rows_of(ship[flagged], KEY, POS, ROW, "shipped_on"), ordered[flagged].tolist(),
            first_qc[flagged].tolist(), before_order[flagged]):
        if first:
            yield ctx.at("shipped-before-order", ERROR, "shipping", pos, line, "shipped_on", ctx.say(
                "订单 {no} 发货日期 {s} 早于下单日期 {o}", "order {no} shipped on {s}, before it was ordered on {o}",
                no=order_no(ctx, key), s=day(shipped), o=day(ordered_on)),
                ctx.say("核对发货日期", "check the shipping date"), key=key,
                compared=ctx.order_cells(key, "order_date"), gist=f"{sent} < {ctx.header('orders', 'order_date')}")
        else:
            yield ctx.at("shipped-before-inspection", WARNING, "shipping", pos, line, "shipped_on", ctx.say(
                "订单 {no} 发货日期 {s} 早于首次检验 {q}", "order {no} shipped on {s}, before its first inspection "
                "on {q}", no=order_no(ctx, key), s=day(shipped), q=day(inspected)),
                ctx.say("核对发货日期和检验日期", "check the shipping and inspection dates"), key=key,
                compared=ctx.key_cells("qc", key, "inspected_on"),
                gist=f"{sent} < {ctx.header('qc', 'inspected_on')}")


ACTUAL_DATES = {"materials": ("arrived_date",), "production": ("actual_finish", "updated_on"),
                "qc": ("inspected_on",), "shipping": ("shipped_on", "delivered_on")}


def date_in_future(ctx: Ctx) -> Iterator[Finding]:
    """A date of something done that has not come yet: wrong on its own cell, so it names no other."""
    for table, fields in ACTUAL_DATES.items():
        rows = ctx.view.parts.get(table)
        for f in fields:
            if rows is None or f not in rows:
                continue
            for key, pos, line, when in rows_of(rows[rows[f].dt.normalize() > ctx.today], KEY, POS, ROW, f):
                yield ctx.at("date-in-future", ERROR, table, pos, line, f, ctx.say(
                    "实际日期 {d} 还没到（今天 {t}）", "the actual date {d} is in the future (today is {t})",
                    d=day(when), t=day(ctx.today)), ctx.say("计划日期请填在计划列", "put planned dates in a plan column"),
                    key=key)

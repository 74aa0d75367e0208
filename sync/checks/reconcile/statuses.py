"""Does the orders tab's status agree with the shipping tab; and which cells the at-risk warnings of
``sync.orders.progress`` rest on, so a wrong quantity or due date is not also an order at risk."""

from __future__ import annotations

from collections.abc import Iterator
from sync.checks.reconcile.context import SLACK, Ctx, num, rows_of
from sync.findings import ERROR, WARNING, CellRef, Finding
from sync.orders.view import FINISHED, PARTIAL, POS, SHIPPED
from sync.tables.normalize import remembered_key
from sync.tables.table import ROW


def status_contradictions(ctx: Ctx) -> Iterator[Finding]:
    view = ctx.view
    if "shipping" not in view.parts or "status" not in view.tables["orders"].columns:
        return
    shipped = view.by_order("shipping").agg("shipped_qty", "sum") if "shipped_qty" in view.parts["shipping"] \
        else view.by_order("shipping").agg(None, "size").astype(float)
    orders = view.orders.join(shipped.rename("shipped_total"), how="left")
    says = orders["status_class"].isin([SHIPPED, PARTIAL])
    gist = ctx.say("状态与「{sheet}」不符", "status vs {sheet}", sheet=ctx.sheet("shipping"))
    for key, pos, line, no, status in rows_of(orders[says & ~(orders["shipped_total"] > 0)], None, POS, ROW,
                                              "order_no", "status"):
        yield ctx.at("status-shipped-nothing-shipped", ERROR, "orders", pos, line, "status", ctx.say(
            "订单 {no} 状态为「{st}」，但发货记录里没有发货", "order {no} says {st}, but nothing is shipped in {sheet}",
            no=no, st=status, sheet=ctx.sheet("shipping")),
            ctx.say("补录发货记录，或更正状态", "record the shipment, or correct the status"), key=key,
            compared=_shipments(ctx, key), gist=gist)
    full = orders["shipped_total"] >= orders["quantity"] * (1 - ctx.s.short_tolerance) - SLACK
    still = orders["status"].notna() & ~orders["status_class"].isin(FINISHED)
    for key, pos, line, no, status, sent, qty in rows_of(orders[full & still], None, POS, ROW, "order_no",
                                                         "status", "shipped_total", "quantity"):
        yield ctx.at("status-open-all-shipped", WARNING, "orders", pos, line, "status", ctx.say(
            "订单 {no} 已全部发货（{s}/{q}），状态仍为「{st}」", "order {no} is fully shipped ({s} of {q}) but still "
            "says {st}", no=no, s=num(sent), q=num(qty), st=status),
            ctx.say("把状态改为已发货或结案", "mark it shipped or closed"), key=key,
            compared=[*_shipments(ctx, key), *ctx.order_cells(key, "quantity")], gist=gist)



def _shipments(ctx: Ctx, key: str) -> list[CellRef]:
    return ctx.key_cells("shipping", key, "shipped_qty")


#: the warnings of ``sync.orders.progress`` that rest on the order's own figures: its pace is measured against
#: its quantity and due date (a material due late rests on the production plan, and names no cell of it)
_RESTS_ON_ORDER = {"order-at-risk": "at risk", "order-overdue": "overdue"}


def risk_inputs(ctx: Ctx, findings: list[Finding]) -> list[Finding]:
    """The at-risk warnings (fresh from ``risk_findings``), each made to name the order's quantity and due
    date cells, so a quantity or due date wrong on its own cell is not also an order at risk."""
    gists = {"order-at-risk": ctx.say("延期风险", "at risk"), "order-overdue": ctx.say("逾期", "overdue")}
    for f in findings:
        own = f.where
        if f.rule not in _RESTS_ON_ORDER or own is None:
            continue
        place = ctx.order_place(remembered_key(f.order_no))
        if place is None:
            continue
        if place[2] == 1 and own.row == place[1]:   # one line, as a rule: the quantity is on the due date's row
            f.compared = (own, CellRef(own.table, own.source, own.sheet, own.row, "quantity"))
        else:
            key = remembered_key(f.order_no)
            f.compared = (own, *(c for c in ctx.order_cells(key, "quantity", "due_date") if c != own))
        f.gist = gists[f.rule]
    return findings

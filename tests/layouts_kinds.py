"""Registers that keep two tables of one kind in another layout each (issue 14), generated like tests/layouts.py.

(l) an orders tab, a wide stage tracker (a column per stage) and a weekly plan: two production tables;
(m) an orders tab and a sample-orders tab of another layout: two orders tables. Each is read zero-config as
two tables of the kind; mistakes are injected into both, and their legitimate rows carry none.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from tests.tables.sheetkit import (Expected, Injected, Layout, Sheet, Tricky, make_lines, mistakes, plan_mistakes,
                                   save, write_lines)

ORDER_COLS = {"order_no": "订单号", "order_date": "下单日期", "customer": "客户", "product": "款号", "qty": "数量",
              "price": "单价", "amount": "金额", "due": "交货日期", "follower": "跟单员"}
TRACKER = ("订单号", "款号", "订单数量", "计划开始", "裁剪", "车缝", "整烫", "包装", "计划完成", "实际完成")
STAGES = TRACKER[4:8]
WEEKS = ("第45周", "第46周", "第47周", "第48周")
PLAN = ("订单号", "款号", "产线", "计划数量", "计划开始", "计划完成", "完成数量", *WEEKS, "备注")
SAMPLES = ("样品单号", "下单日期", "客户", "款号", "颜色", "数量", "要求交期", "打样状态", "备注")


def _orders(rng: random.Random, layout: Layout, file: str, n: int,
            prefix: str) -> tuple[Sheet, list[dict[str, Any]]]:
    """The orders tab and its lines, with mistakes of the orders table on plain lines."""
    sheet = Sheet("订单")
    sheet.header(list(ORDER_COLS.values()))
    lines = make_lines(rng, n, prefix, split=0.1)
    plan_mistakes(rng, lines, mistakes(4))
    write_lines(sheet, lines, ORDER_COLS, file, layout)
    split = tuple(ln["row"] for ln in lines if ln["split"])
    layout.tricky.append(Tricky(file, sheet.name, split, "split deliveries: one order on several lines"))
    return sheet, lines


def _one_per_order(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each order once, with its whole quantity (a mistaken quantity is the orders tab's, not the plan's)."""
    out: dict[str, dict[str, Any]] = {}
    for ln in lines:
        qty = ln["qty"] if isinstance(ln["qty"], int) and "mistake" not in ln else 1000
        if ln["order_no"] in out:
            out[ln["order_no"]]["qty"] += qty
        else:
            out[ln["order_no"]] = {**ln, "qty": qty}
    return list(out.values())


def two_plans(folder: Path) -> Layout:
    """(l) Orders, a wide stage tracker (裁剪 车缝 整烫 包装 per order) and a weekly plan: two production tables."""
    rng = random.Random("two-plans")
    name = "生产跟单2026.xlsx"
    layout = Layout("l-two-plans", "", [], [Expected(("orders",), "A", ("订单",), (name,)),
                                            Expected(("production",), "A", ("生产进度",), (name,)),
                                            Expected(("production",), "A", ("周计划",), (name,))])
    first, lines = _orders(rng, layout, name, 60, "SO-2609-")
    orders = _one_per_order(lines)
    tracker, plan = Sheet("生产进度"), Sheet("周计划")
    tracker.header(list(TRACKER))
    plan.raw("2026年第45-48周 生产计划")
    plan.header(list(PLAN))
    # what the production rules catch: text in a number, a plan finishing before it starts, a negative figure
    picked = rng.sample(range(len(orders)), 8)
    on_tracker = dict(zip(picked[:3], ("text", "before", "before")))
    on_plan = dict(zip(picked[3:], ("text", "before", "negative", "before", "text")))
    for i, order in enumerate(orders):
        _tracker_row(tracker, order, rng, on_tracker.get(i), name, layout)
        _plan_row(plan, order, rng, i, on_plan.get(i), name, layout)
    # the same orders on both plans, and a split order once with its whole quantity: none of it is a mistake
    wrong = {(i.sheet, i.row) for i in layout.errors}
    layout.tricky += [Tricky(name, tracker.name, tuple(r for r in range(2, tracker.next_row)
                                                       if (tracker.name, r) not in wrong),
                             "orders whose later stages are not reached yet (blank stage cells)"),
                      Tricky(name, plan.name, tuple(r for r in range(3, plan.next_row) if (r - 3) % 9 == 0
                                                    and r - 3 not in on_plan), "a remark on a plan line")]
    layout.paths.append(save(folder / name, [first, tracker, plan]))
    return layout


def _tracker_row(sheet: Sheet, order: dict[str, Any], rng: random.Random, mistake: str | None, file: str,
                 layout: Layout) -> None:
    qty, reached = order["qty"], rng.randrange(0, 5)
    finish = order["due"] - dt.timedelta(days=7)
    start = finish - dt.timedelta(days=20)
    values = {"订单号": order["order_no"], "款号": order["product"], "订单数量": qty, "计划开始": start,
              "计划完成": finish}
    values |= {stage: qty for stage in STAGES[:reached]}
    if reached == 4:
        values["实际完成"] = finish - dt.timedelta(days=rng.randrange(0, 4))
    if mistake == "before":
        values["计划完成"] = start - dt.timedelta(days=rng.randrange(3, 9))
    elif mistake == "text":
        values["订单数量"] = f"{qty // 100}O0"      # a letter O typed for a zero
    row = sheet.line(values)
    if mistake:
        label, field = ("订单数量", "quantity") if mistake == "text" else ("计划完成", "planned_finish")
        layout.errors.append(Injected(file, sheet.name, f"{sheet.col(label)}{row}", field, mistake))


def _plan_row(sheet: Sheet, order: dict[str, Any], rng: random.Random, i: int, mistake: str | None, file: str,
              layout: Layout) -> None:
    qty, start = order["qty"], dt.date(2026, 11, 2) + dt.timedelta(days=rng.randrange(0, 14))
    done = int(qty * rng.choice((0, 0.25, 0.5, 1)))
    values = {"订单号": order["order_no"], "款号": order["product"], "产线": f"{i % 4 + 1}号线", "计划数量": qty,
              "计划开始": start, "计划完成": start + dt.timedelta(days=10), "完成数量": done}
    values |= {week: qty // 4 for week in WEEKS}
    if i % 9 == 0:
        values["备注"] = "客户改色，待确认"
    if mistake == "before":
        values["计划完成"] = start - dt.timedelta(days=rng.randrange(3, 9))
    elif mistake == "text":
        values["完成数量"] = f"{max(done, 100) // 100}O0"
    elif mistake == "negative":
        values["完成数量"] = -max(done, 50)
    row = sheet.line(values)
    if mistake:
        label, field = ("计划完成", "planned_finish") if mistake == "before" else ("完成数量", "completed_qty")
        layout.errors.append(Injected(file, sheet.name, f"{sheet.col(label)}{row}", field, mistake))


def sample_orders(folder: Path) -> Layout:
    """(m) Orders and a sample-orders tab (样品单号, 样品数量, 要求交期) of another layout: two orders tables."""
    rng = random.Random("samples")
    name = "订单与样品2026.xlsx"
    layout = Layout("m-sample-orders", "", [], [Expected(("orders",), "A", ("订单",), (name,)),
                                                Expected(("orders",), "A", ("样品单",), (name,))])
    first, orders = _orders(rng, layout, name, 50, "SO-2610-")
    sheet = Sheet("样品单")
    sheet.header(list(SAMPLES))
    wrong = dict(zip(rng.sample(range(40), 4), ("year", "text", "duplicate", "year")))
    for i in range(40):
        order = orders[i % len(orders)]
        due = order["order_date"] + dt.timedelta(days=rng.randrange(5, 15))
        values = {"样品单号": f"SP-2610-{i + 1:03d}", "下单日期": order["order_date"], "客户": order["customer"],
                  "款号": order["product"], "颜色": order["color"], "数量": rng.randrange(3, 13), "要求交期": due,
                  "打样状态": rng.choice(("打样中", "已寄出", "已确认"))}
        mistake = wrong.get(i)
        if mistake == "year":
            values["要求交期"] = due.replace(year=2062)
        elif mistake == "text":
            values["数量"] = "1O"
        row = sheet.line(values)
        if mistake == "duplicate":
            row = sheet.line(values)
            layout.errors.append(Injected(name, sheet.name, f"{sheet.col('样品单号')}{row}", "order_no", mistake,
                                          related=(row - 1,)))
        elif mistake:
            label, field = ("要求交期", "due_date") if mistake == "year" else ("数量", "quantity")
            layout.errors.append(Injected(name, sheet.name, f"{sheet.col(label)}{row}", field, mistake))
    layout.paths.append(save(folder / name, [first, sheet]))
    return layout

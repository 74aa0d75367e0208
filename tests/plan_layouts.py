"""Production plans without an order number (issue 14), generated like tests/layouts.py.

(r) a weekly plan keyed by product under a two-row header (weeks over target/actual), a TOTAL row and a
footer under it; (s) a machine schedule: one block per machine stacked in one sheet (label row, the same
header, rows), keyed by machine + product, with a summary table of another layout stacked under them;
(t) a day-by-day plan per part and size, the date only on a day's first line, blank rows between days.
Each is read zero-config as a production table keyed by what its rows say (a guess); mistakes are
injected on plain lines, and the tricky rows carry none.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from tests.tables.sheetkit import Expected, Injected, Layout, Sheet, Tricky, save

WEEKS = ("W45", "W46", "W47", "W48")
START = dt.date(2026, 11, 2)


def _wrong(rng: random.Random, n: int, kinds: tuple[str, ...]) -> dict[int, str]:
    return dict(zip(rng.sample(range(n), len(kinds)), kinds))


def _inject(layout: Layout, file: str, sheet: Sheet, row: int, label: str, field: str, kind: str) -> None:
    layout.errors.append(Injected(file, sheet.name, f"{sheet.col(label)}{row}", field, kind))


def weekly_plan(folder: Path) -> Layout:
    """(r) A weekly plan by product: weeks over target/actual (two-row header), TOTAL row and a footer."""
    rng = random.Random("weekly-plan")
    name = "周计划2026.xlsx"
    layout = Layout("r-weekly-plan", "", [], [Expected(("production",), "A", ("周计划与达成",), (name,))])
    sheet = Sheet("周计划与达成")
    leaf = ["款号", "计划数量", "计划开始", "计划完成", "完成数量"] + [w for _ in WEEKS for w in ("目标", "实际")]
    sheet.raw(*([""] * 5 + [w for week in WEEKS for w in (week, "")]))
    sheet.header(leaf)
    sheet.labels = ["款号", "计划数量", "计划开始", "计划完成", "完成数量"] + [f"{w}{k}" for w in WEEKS for k in "目实"]
    wrong = _wrong(rng, 48, ("text", "text", "negative", "negative", "before", "before"))
    total = 0
    for i in range(48):
        product, qty = f"ST-26{i + 1:03d}", rng.randrange(4, 40) * 50
        start = START + dt.timedelta(days=rng.randrange(0, 14))
        done = int(qty * rng.choice((0, 0.25, 0.5, 1)))
        values = {"款号": product, "计划数量": qty, "计划开始": start, "计划完成": start + dt.timedelta(days=10),
                  "完成数量": done, **{f"{w}目": qty // 4 for w in WEEKS}, **{f"{w}实": done // 4 for w in WEEKS}}
        kind = wrong.get(i)
        if kind == "text":
            values["计划数量"] = f"{qty // 100}O0"
        elif kind == "negative":
            values["完成数量"] = -max(done, 50)
        elif kind == "before":
            values["计划完成"] = start - dt.timedelta(days=rng.randrange(3, 9))
        total += qty if kind != "text" else 0
        row = sheet.line(values)
        layout.orders.add(product)
        if kind:
            label, field = {"text": ("计划数量", "quantity"), "negative": ("完成数量", "completed_qty"),
                            "before": ("计划完成", "planned_finish")}[kind]
            _inject(layout, name, sheet, row, label, field, kind)
    at = sheet.line({"款号": "TOTAL", "计划数量": total})
    sheet.raw()
    footer = sheet.raw("% of completion", "", "", "", 0.46)
    layout.tricky.append(Tricky(name, sheet.name, (at, footer), "a TOTAL row and a completion footer"))
    layout.paths.append(save(folder / name, [sheet]))
    return layout


MACHINE_COLS = ["机台", "产品", "计划数量", "开始日期", "计划完成", "完成数量", "备注"]


def machine_schedule(folder: Path) -> Layout:
    """(s) A machine schedule: a block per machine stacked in one sheet, a summary table stacked under them."""
    rng = random.Random("machine-schedule")
    name = "注塑排产.xlsx"
    layout = Layout("s-machine-schedule", "", [], [Expected(("production",), "A", ("排产计划",), (name,))])
    sheet = Sheet("排产计划")
    products = [f"LID-{d}mm" for d in range(100, 112)]
    wrong = _wrong(rng, 48, ("text", "text", "text", "negative", "negative", "negative", "before", "before"))
    labels = []
    for m in range(4):
        machine = f"{m + 1}号机"
        labels.append(sheet.raw(machine))
        sheet.header(MACHINE_COLS)
        for j, product in enumerate(products):
            i, qty = m * len(products) + j, rng.randrange(10, 90) * 1000
            start = START + dt.timedelta(days=j)
            done = int(qty * rng.choice((0, 0.5, 1)))
            values = {"机台": machine, "产品": product, "计划数量": qty, "开始日期": start,
                      "计划完成": start + dt.timedelta(days=3), "完成数量": done}
            kind = wrong.get(i)
            if kind == "text":
                values["计划数量"] = f"{qty // 1000}O00"
            elif kind == "negative":
                values["完成数量"] = -max(done, 500)
            elif kind == "before":
                values["计划完成"] = start - dt.timedelta(days=2)
            row = sheet.line(values)
            layout.orders.add(f"{machine}/{product}")
            if kind:
                label, field = {"text": ("计划数量", "quantity"), "negative": ("完成数量", "completed_qty"),
                                "before": ("计划完成", "planned_finish")}[kind]
                _inject(layout, name, sheet, row, label, field, kind)
        sheet.raw()
    summary = [sheet.raw("汇总"), sheet.raw("产品", "合计", "Nov", "Dec", "备注")]
    for product in products:   # another layout: its numbers stand where the dates of the blocks above are
        summary.append(sheet.raw(product, rng.randrange(50, 300) * 1000, "已排", -1, "见上"))
    layout.tricky.append(Tricky(name, sheet.name, tuple(labels), "machine label rows over each block"))
    layout.tricky.append(Tricky(name, sheet.name, tuple(summary), "a summary table of another layout stacked below"))
    layout.paths.append(save(folder / name, [sheet]))
    return layout


def part_plan(folder: Path) -> Layout:
    """(t) A day-by-day plan per part and size: the date on each day's first line only, blank rows between days."""
    rng = random.Random("part-plan")
    name = "零件生产计划.xlsx"
    layout = Layout("t-part-plan", "", [], [Expected(("production",), "A", ("生产计划",), (name,))])
    sheet = Sheet("生产计划")
    sheet.raw("库存", "16号", 45000, "17号", 55000)
    sheet.raw()
    sheet.header(["日期", "零件号", "规格", "计划数量", "实际产量", "备注"])
    wrong = _wrong(rng, 50, ("text", "text", "text", "text", "negative", "negative", "negative", "negative"))
    continued, i = [], 0
    for d in range(10):
        day = START + dt.timedelta(days=d)
        for k, (part, size) in enumerate(rng.sample([(p, s) for p in ("16号", "17号", "18号", "19号")
                                                     for s in ("70-75", "75-80", "china")], 5)):
            qty = rng.randrange(1, 12) * 5000
            values = {"日期": day if k == 0 else None, "零件号": part, "规格": size, "计划数量": qty,
                      "实际产量": int(qty * rng.choice((0, 0.5, 1)))}
            kind = wrong.get(i)
            if kind == "text":
                values["计划数量"] = f"{qty // 1000}O00"
            elif kind == "negative":
                values["实际产量"] = -max(values["实际产量"], 500)
            row = sheet.line(values)
            layout.orders.add(f"{day}/{part}/{size}")
            if k and not kind:
                continued.append(row)
            if kind:
                label, field = ("计划数量", "quantity") if kind == "text" else ("实际产量", "completed_qty")
                _inject(layout, name, sheet, row, label, field, kind)
            i += 1
        sheet.raw()
    layout.tricky.append(Tricky(name, sheet.name, tuple(continued), "a day's continuation lines (date left blank)"))
    layout.tricky.append(Tricky(name, sheet.name, (1, 2), "a stock panel above the header"))
    layout.paths.append(save(folder / name, [sheet]))
    return layout

"""Order registers of other industries than garments, generated like tests/layouts.py (issue 14, "any industry").

(n) plastic injection moulding, in Chinese: an orders tab and a production tab whose stages are 注塑, 修边,
    丝印, 检验, 包装; (o) an SMT electronics tracker in English, one row per order with a column per stage
    (SMT Done, Reflow Done, AOI Done, Test Done, Packing Done) and the shipment; (p) a furniture tracker in
    Chinese, wide (开料完成, 封边完成, 打孔完成, 油漆完成, 组装完成, 包装完成, 出货); (q) a food maker's
    order book in English with a production tab (Mixing, Baking, Cooling, Packing).

Each has data-entry mistakes injected on plain lines and legitimate rows that look odd: a big order whose
amount was typed with a mould fee added, a sample at no charge, a pallet order of a dear item.
The stages are the register's: none of them is a garment's 裁剪 → 车缝.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from tests.tables.sheetkit import Expected, Layout, Sheet, Tricky, make_lines, mistakes, plan_mistakes, save, write_lines

ORDERS = ("orders",)
PLAN = ("orders", "production")

MOULDING = {"美的电器": (("空调面板", "遥控器外壳"), 5000), "比亚迪": (("灯罩", "卡扣"), 20000),
            "小熊电器": (("水箱", "底座"), 3000), "九阳": (("杯盖", "手柄"), 8000)}
MOULDING_STAGES = ("注塑", "修边", "丝印", "检验", "包装")
SMT = {"Flex Ltd": (("PCBA-CTRL-01", "PCBA-PWR-02"), 2000), "Sanmina": (("PCBA-LED-07", "PCBA-IO-03"), 5000),
       "Kimball": (("PCBA-MCU-11", "PCBA-DRV-05"), 800), "Benchmark": (("PCBA-RF-02", "PCBA-SNS-09"), 1500)}
SMT_STAGES = ("SMT Done", "Reflow Done", "AOI Done", "Test Done", "Packing Done")
FURNITURE = {"宜家": (("餐桌", "书柜"), 300), "红星美凯龙": (("衣柜", "床头柜"), 120),
             "居然之家": (("茶几", "电视柜"), 200), "林氏木业": (("餐椅", "鞋柜"), 500)}
FURNITURE_STAGES = ("开料完成", "封边完成", "打孔完成", "油漆完成", "组装完成", "包装完成")
FOOD = {"FreshMart": (("Whole Wheat Bread", "Butter Croissant"), 600), "GreenGrocer": (("Oat Cookies", "Rye Loaf"), 400),
        "CityDeli": (("Bagels", "Muffins"), 250), "Harbor Foods": (("Sourdough", "Baguette"), 900)}
FOOD_STAGES = ("Mixing", "Baking", "Cooling", "Packing")


def _legit(rng: random.Random, lines: list[dict[str, Any]], amount: bool) -> dict[str, dict[str, Any]]:
    """Two plain lines made odd but right: a big order (ten times the usual) whose amount was typed with a
    one-off charge added, and a sample of a few pieces at no charge."""
    plain = [ln for ln in lines if not ln["split"] and "mistake" not in ln]
    big, sample = rng.sample(plain, 2)
    big["qty"] *= 10
    big["amount"] = round(big["qty"] * big["price"] + 850, 2) if amount else None
    sample["qty"] = max(10, sample["qty"] // 20)
    sample["amount"] = 0 if amount else None
    big["legit"], sample["legit"] = "big order, amount typed with a one-off charge", "sample at no charge"
    return {"big": big, "sample": sample}


def _tricky(layout: Layout, file: str, sheet: Sheet, lines: list[dict[str, Any]]) -> None:
    for ln in lines:
        if "legit" in ln:
            layout.tricky.append(Tricky(file, sheet.name, (ln["row"],), ln["legit"]))
    split = tuple(ln["row"] for ln in lines if ln["split"])
    if split:
        layout.tricky.append(Tricky(file, sheet.name, split, "split deliveries: one order on several lines"))


def _progress_tab(sheet: Sheet, lines: list[dict[str, Any]], stages: tuple[str, ...], rng: random.Random,
                  labels: tuple[str, str, str, str]) -> None:
    """A production tab: per order, a row for each stage reached, in the order the work flows."""
    no, stage_label, done, updated = labels
    seen: set[str] = set()
    for ln in lines:
        if ln["order_no"] in seen or "mistake" in ln or not isinstance(ln["qty"], int):
            continue
        seen.add(ln["order_no"])
        day = ln["order_date"] + dt.timedelta(days=5)
        for stage in stages[:rng.randrange(1, len(stages) + 1)]:
            day += dt.timedelta(days=rng.randrange(1, 4))
            sheet.line({no: ln["order_no"], stage_label: stage, done: ln["qty"], updated: day})


def _wide_progress(ln: dict[str, Any], stages: tuple[str, ...], rng: random.Random) -> None:
    """How far a tracker row got: each stage reached holds the order's quantity; shipped when all are done."""
    qty = ln["qty"] if isinstance(ln["qty"], int) else 1000
    reached = rng.randrange(0, len(stages) + 2)
    for i, stage in enumerate(stages):
        ln[stage] = qty if i < reached else None
    if reached > len(stages) or ln.get("shipped_over"):
        ln["shipped_qty"] = qty + rng.choice((120, 300, 500)) if ln.get("shipped_over") else qty
        for stage in stages:
            ln[stage] = max(qty, ln["shipped_qty"])
        ln["shipped_on"] = ln["order_date"] + dt.timedelta(days=40)


def moulding(folder: Path) -> Layout:
    """(n) Plastic injection moulding (zh): orders with mould fees and samples, a production tab 注塑 → 包装."""
    rng = random.Random("moulding")
    name = "注塑订单2026.xlsx"
    cols = {"order_no": "订单号", "order_date": "下单日期", "customer": "客户", "product": "产品名称", "qty": "数量",
            "price": "单价", "amount": "金额", "due": "交货日期", "follower": "跟单员"}
    layout = Layout("n-moulding", "", [], [Expected(ORDERS, "A", ("订单",), (name,)),
                                           Expected(("production",), "A", ("生产进度",), (name,))])
    orders, prod = Sheet("订单"), Sheet("生产进度")
    orders.header([*cols.values(), "模具编号", "备注"])
    lines = make_lines(rng, 60, "ZS2609-", split=0.15, customers=MOULDING)
    for ln in lines:
        ln["price"] = round(ln["price"] / 20, 2)
        ln["amount"] = round(ln["qty"] * ln["price"], 2)
    plan_mistakes(rng, lines, mistakes(6))
    _legit(rng, lines, amount=True)
    write_lines(orders, lines, cols, name, layout)
    _tricky(layout, name, orders, lines)
    prod.header(["订单号", "工序", "完成数量", "更新日期"])
    _progress_tab(prod, lines, MOULDING_STAGES, rng, ("订单号", "工序", "完成数量", "更新日期"))
    layout.paths.append(save(folder / name, [orders, prod]))
    return layout


def smt(folder: Path) -> Layout:
    """(o) SMT electronics (en): one row per PO with a column per stage done and the shipment."""
    rng = random.Random("smt")
    name = "SMT Order Tracker.xlsx"
    cols = {"order_no": "PO No", "customer": "Customer", "product": "Part No", "order_date": "Order Date",
            "qty": "Qty", "price": "Unit Price", "amount": "Amount", "due": "Due Date",
            **{s: s for s in SMT_STAGES}, "shipped_on": "Ship Date", "shipped_qty": "Shipped Qty"}
    layout = Layout("o-smt", "", [], [Expected(PLAN, "A", ("Tracker",), (name,))])
    sheet = Sheet("Tracker")
    sheet.raw("SMT ORDER TRACKER - one row per PO")
    sheet.header([*cols.values(), "Remark"])
    lines = make_lines(rng, 70, "PO-77", split=0.0, customers=SMT)
    plan_mistakes(rng, lines, mistakes(8, shipping=True))
    _legit(rng, lines, amount=True)
    for ln in lines:
        _wide_progress(ln, SMT_STAGES, rng)
    write_lines(sheet, lines, cols, name, layout)
    _tricky(layout, name, sheet, lines)
    layout.paths.append(save(folder / name, [sheet]))
    return layout


def furniture(folder: Path) -> Layout:
    """(p) Furniture (zh), wide: 合同号 per row, 开料完成 … 包装完成, 出货日期 / 出货数量."""
    rng = random.Random("furniture")
    name = "家具订单跟踪.xlsx"
    cols = {"order_no": "合同号", "customer": "客户", "product": "产品", "order_date": "签订日期", "qty": "数量",
            "price": "单价", "due": "交货日期", **{s: s for s in FURNITURE_STAGES}, "shipped_on": "出货日期",
            "shipped_qty": "出货数量"}
    layout = Layout("p-furniture", "", [], [Expected(PLAN, "A", ("订单进度",), (name,))])
    sheet = Sheet("订单进度")
    sheet.raw("2026年 家具订单生产跟踪表")
    sheet.header([*cols.values(), "备注"])
    lines = make_lines(rng, 60, "HT-JJ-", split=0.0, customers=FURNITURE)
    for ln in lines:
        ln["price"] = round(ln["price"] * 20, 0)
    plan_mistakes(rng, lines, mistakes(8, shipping=True))
    for ln in lines:
        _wide_progress(ln, FURNITURE_STAGES, rng)
    write_lines(sheet, lines, cols, name, layout)
    _tricky(layout, name, sheet, lines)
    layout.paths.append(save(folder / name, [sheet]))
    return layout


def food(folder: Path) -> Layout:
    """(q) A bakery's order book (en) with a production tab: Mixing → Baking → Cooling → Packing."""
    rng = random.Random("food")
    name = "Bakery Orders.xlsx"
    cols = {"order_no": "Order No", "order_date": "Order Date", "customer": "Customer", "product": "Product",
            "qty": "Qty (cases)", "price": "Unit Price", "amount": "Amount", "due": "Delivery Date"}
    layout = Layout("q-food", "", [], [Expected(ORDERS, "A", ("Orders",), (name,)),
                                       Expected(("production",), "A", ("Production",), (name,))])
    orders, prod = Sheet("Orders"), Sheet("Production")
    orders.header([*cols.values(), "Remarks"])
    lines = make_lines(rng, 60, "BK-26", split=0.0, customers=FOOD)
    for ln in lines:
        ln["price"] = round(ln["price"] / 4, 2)
        ln["amount"] = round(ln["qty"] * ln["price"], 2)
    plan_mistakes(rng, lines, mistakes(6))
    _legit(rng, lines, amount=True)
    write_lines(orders, lines, cols, name, layout)
    _tricky(layout, name, orders, lines)
    prod.header(["Order No", "Stage", "Completed Qty", "Updated"])
    _progress_tab(prod, lines, FOOD_STAGES, rng, ("Order No", "Stage", "Completed Qty", "Updated"))
    layout.paths.append(save(folder / name, [orders, prod]))
    return layout


INDUSTRIES = {"n-moulding": moulding, "o-smt": smt, "p-furniture": furniture, "q-food": food}
#: the stages each register uses, as the reader must report them (in the register's own words)
STAGES = {"n-moulding": list(MOULDING_STAGES), "o-smt": [s.removesuffix(" Done") for s in SMT_STAGES],
          "p-furniture": [s.removesuffix("完成") for s in FURNITURE_STAGES], "q-food": list(FOOD_STAGES)}
LANGUAGE = {"n-moulding": "zh", "o-smt": "en", "p-furniture": "zh", "q-food": "en"}

"""Order registers in the layouts people really keep, generated with openpyxl: one builder per layout.

Each builder writes its workbook(s) into a folder and returns a ``Layout``: the
tables the reader must find zero-config (kind, key column, sheets, files), the
data-entry mistakes injected (by cell), and the legitimate tricky rows. Data is
random but seeded, so a cell named here is the same cell on every run.
The machinery they share is in tests/tables/sheetkit.py.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.industries import INDUSTRIES
from tests.layouts_kinds import sample_orders, two_plans
from tests.plan_layouts import machine_schedule, part_plan, weekly_plan
from tests.tables.sheetkit import (Expected, Layout, Sheet, Tricky, make_lines, mistakes, plan_mistakes, save,
                                   write_lines)

ORDERS = ("orders",)
#: a production plan or stage tracker keyed by order is also accepted as the orders table
PLAN = ("orders", "production")


def _subtotal(lines: list[dict[str, Any]], key: str) -> float:
    return sum(ln[key] for ln in lines if isinstance(ln.get(key), (int, float)))


def monthly_tabs(folder: Path) -> Layout:
    """(a) One tab per month (8月, 9月, 10月) of one layout: split deliveries, a 合计 row, numbered blank rows."""
    rng = random.Random("monthly")
    name = "跟单登记2026.xlsx"
    cols = {"order_no": "订单号", "order_date": "下单日期", "customer": "客户", "product": "款号", "color": "颜色",
            "qty": "数量", "price": "单价", "amount": "金额", "due": "交货日期", "follower": "跟单员"}
    layout = Layout("a-monthly-tabs", "", [], [Expected(ORDERS, "B", ("8月", "9月", "10月"), (name,))])
    sheets = []
    for month in (8, 9, 10):
        sheet = Sheet(f"{month}月")
        sheet.raw(f"2026年{month}月 订单登记表")
        sheet.header(["序号", *cols.values(), "备注"])
        lines = make_lines(rng, 40, f"SO-26{month:02d}-", month=month)
        plan_mistakes(rng, lines, mistakes(2 if month < 10 else 3, start=month))
        rows = write_lines(sheet, lines, cols, name, layout)
        for i, r in enumerate(rows):
            sheet.set(r, "序号", i + 1)
        _tricky_split(layout, name, sheet, lines)
        total = sheet.line({"序号": "合计", "数量": _subtotal(lines, "qty"), "金额": _subtotal(lines, "amount")})
        blanks = [sheet.line({"序号": len(rows) + k}) for k in range(1, 6)]
        layout.tricky += [Tricky(name, sheet.name, (total,), "合计 totals row"),
                          Tricky(name, sheet.name, tuple(blanks), "numbered blank template rows")]
        sheets.append(sheet)
    layout.paths.append(save(folder / name, sheets))
    return layout


def _tricky_split(layout: Layout, file: str, sheet: Sheet, lines: list[dict[str, Any]]) -> None:
    rows = tuple(ln["row"] for ln in lines if ln["split"])
    if rows:
        layout.tricky.append(Tricky(file, sheet.name, rows, "split deliveries: one order on several lines"))


def po_lines(folder: Path) -> Layout:
    """(b) Customer POs with line numbers: several lines per PO, each with its own due date."""
    rng = random.Random("po-lines")
    name = "PO register.xlsx"
    cols = {"order_no": "PO No", "line": "Line", "customer": "Customer", "product": "Item", "color": "Colour",
            "qty": "Qty", "price": "Unit Price", "amount": "Amount", "order_date": "PO Date", "due": "Delivery Date"}
    layout = Layout("b-po-lines", "", [], [Expected(ORDERS, "A", ("PO Lines",), (name,))])
    sheet = Sheet("PO Lines")
    sheet.header([*cols.values(), "Status"])
    lines = make_lines(rng, 60, "4500012", split=0.6)
    plan_mistakes(rng, lines, mistakes(6))
    write_lines(sheet, lines, cols, name, layout)
    _tricky_split(layout, name, sheet, lines)
    layout.paths.append(save(folder / name, [sheet]))
    return layout


def merged_keys(folder: Path) -> Layout:
    """(c) Order number, customer and order date merged down over the colour lines of each order."""
    name = "订单颜色明细.xlsx"
    cols = {"order_no": "订单号", "customer": "客户", "order_date": "下单日期", "product": "款号", "color": "颜色",
            "qty": "数量", "due": "交货日期"}
    layout = Layout("c-merged-keys", "", [], [Expected(ORDERS, "A", ("订单",), (name,))])
    sheet = Sheet("订单")
    for rows in _colour_lines(random.Random("merged"), sheet, cols, name, layout, "HT26-"):
        for label in ("订单号", "客户", "下单日期"):
            sheet.merge_down(label, rows[0], rows[-1])
        layout.tricky.append(Tricky(name, sheet.name, tuple(rows), "order no./customer merged down over its lines"))
    layout.paths.append(save(folder / name, [sheet]))
    return layout


def ditto_lines(folder: Path) -> Layout:
    """(v) Order number, customer and dates written on each order's first line only, left blank on its colour lines."""
    return _first_line_orders(folder, "大货订单明细.xlsx", "v-ditto-lines", "DH26-", lambda n, label: None,
                              "order fields on the first of its lines only")


def ditto_marks(folder: Path) -> Layout:
    """(w) Colour lines under each order's first line say 同上 / 〃 for its number, customer, dates and follower."""
    return _first_line_orders(folder, "订单明细(同上).xlsx", "w-ditto-marks", "DM26-",
                              lambda n, label: "同上" if (n + len(label)) % 2 else "〃",
                              "同上 / 〃 under the order's first line")


#: what an order's colour lines leave to its first line
_ORDER_LABELS = ("订单号", "客户", "下单日期", "交货日期", "跟单员")


def _first_line_orders(folder: Path, name: str, layout_name: str, prefix: str,
                       under: Callable[[int, str], Any], why: str) -> Layout:
    """Orders on colour lines whose order fields are written on the first line only; ``under(n, label)`` is what
    the n-th line under it holds in that column instead. The same orders whatever the habit (one seed)."""
    cols = {"order_no": "订单号", "customer": "客户", "order_date": "下单日期", "product": "款号", "color": "颜色",
            "qty": "数量", "price": "单价", "amount": "金额", "due": "交货日期", "follower": "跟单员"}
    layout = Layout(layout_name, "", [], [Expected(ORDERS, "A", ("明细",), (name,))])
    sheet = Sheet("明细")
    for rows in _colour_lines(random.Random("ditto"), sheet, cols, name, layout, prefix):
        for n, row in enumerate(rows[1:]):
            for label in _ORDER_LABELS:
                sheet.set(row, label, under(n, label))
        layout.tricky.append(Tricky(name, sheet.name, tuple(rows), why))
    layout.paths.append(save(folder / name, [sheet]))
    return layout


def _colour_lines(rng: random.Random, sheet: Sheet, cols: dict[str, str], name: str, layout: Layout,
                  prefix: str) -> list[list[int]]:
    """Fifty orders written under ``sheet``'s header, half of them on two or three colour lines due together, six
    mistakes among the others; the sheet rows of each order on several lines."""
    sheet.header(list(cols.values()))
    lines = make_lines(rng, 50, prefix, split=0.5)
    plan_mistakes(rng, lines, mistakes(6))
    for ln in lines:  # the parts of an order are its colours here, due together
        ln["color"] = ("黑", "白", "灰")[ln["line"] - 1]
    write_lines(sheet, lines, cols, name, layout)
    return [[ln["row"] for ln in lines if ln["order_no"] == order]
            for order in sorted({ln["order_no"] for ln in lines if ln["split"]})]


def totals_and_footers(folder: Path) -> Layout:
    """(d) Unlabeled subtotal rows every 20 lines, an unlabeled grand total, then footer rows."""
    rng = random.Random("footers")
    name = "销售合同台账.xlsx"
    cols = {"order_no": "合同号", "order_date": "签订日期", "customer": "客户名称", "product": "产品名称",
            "color": "规格型号", "qty": "数量", "price": "单价", "amount": "金额", "due": "交货日期"}
    layout = Layout("d-totals-footers", "", [], [Expected(ORDERS, "A", ("合同台账",), (name,))])
    sheet = Sheet("合同台账")
    sheet.raw("2026年销售合同台账")
    sheet.raw("单位：元")
    sheet.header([*cols.values(), "备注"])
    lines = make_lines(rng, 80, "HT-2026-", split=0.1)
    plan_mistakes(rng, lines, mistakes(8))
    for start in range(0, len(lines), 20):
        chunk = lines[start:start + 20]
        write_lines(sheet, chunk, cols, name, layout)
        r = sheet.line({"数量": _subtotal(chunk, "qty"), "金额": _subtotal(chunk, "amount")})
        layout.tricky.append(Tricky(name, sheet.name, (r,), "unlabeled subtotal row"))
    total = sheet.line({"数量": _subtotal(lines, "qty"), "金额": _subtotal(lines, "amount")})
    footer = [sheet.raw(None), sheet.raw("备注：以上价格均含13%增值税"), sheet.raw("合同号：HT-2026-附件一"),
              sheet.raw("是否安装调试验收", None, "是"), sheet.raw("制表人签字：", None, None, "审核：", None, "日期：")]
    _tricky_split(layout, name, sheet, lines)
    layout.tricky += [Tricky(name, sheet.name, (total,), "unlabeled grand total"),
                      Tricky(name, sheet.name, tuple(footer), "footer rows: notes, 合同号：…, 是否安装调试验收, signatures")]
    layout.paths.append(save(folder / name, [sheet]))
    return layout


#: (file, sheet, key header, other headers): registers whose key is not called 订单号
KEYS = (
    ("项目登记.xlsx", "项目", "项目号", ["客户", "产品名称", "数量", "下单日期", "交货日期"]),
    ("生产单.xlsx", "生产单", "生产单号", ["客户", "款号", "数量", "下单日期", "交期"]),
    ("工单台账.xlsx", "工单", "工单号", ["客户", "产品", "数量", "开单日期", "交货日期"]),
    ("jobs.xlsx", "Jobs", "Job No.", ["Customer", "Part", "Qty", "Order Date", "Due Date"]),
    ("ME2N export.xlsx", "Sheet1", "Purchasing Document", ["Customer", "Material", "Order Quantity",
                                                           "Document Date", "Delivery Date"]),
)


def other_keys(folder: Path) -> Layout:
    """(e) Keys not named 订单号: 项目号, 生产单号, 工单号, Job No., Purchasing Document (one workbook each)."""
    rng = random.Random("keys")
    layout = Layout("e-other-keys", "", [], [], apart=True)
    for i, (name, tab, key, rest) in enumerate(KEYS):
        cols = dict(zip(("order_no", "customer", "product", "qty", "order_date", "due"), [key, *rest]))
        sheet = Sheet(tab)
        sheet.header(["序号" if i < 3 else "No.", *cols.values()])
        lines = make_lines(rng, 40, ("XM", "SC", "GD", "J", "45000")[i] + f"{i}-", split=0.1)
        plan_mistakes(rng, lines, mistakes(2, start=2 * i))
        rows = write_lines(sheet, lines, cols, name, layout)
        for n, r in enumerate(rows):
            sheet.set(r, sheet.labels[0], n + 1)
        _tricky_split(layout, name, sheet, lines)
        layout.tables.append(Expected(ORDERS if i < 4 else ("orders", "materials"), "B", (tab,), (name,)))
        layout.paths.append(save(folder / name, [sheet]))
    return layout


def traditional_headers(folder: Path) -> Layout:
    """(f) Traditional Chinese headers with spaces, full-width spaces and line breaks; a guidance row under them."""
    rng = random.Random("traditional")
    name = "生產單.xlsx"
    layout = Layout("f-traditional", "", [], [Expected(ORDERS, "B", ("8月", "9月"), (name,))])
    sheets = []
    for month, due_label in ((8, "客期"), (9, "交貨期")):
        cols = {"order_no": "生 產 單 号", "customer": "客　戶", "product": "產品\n型號", "qty": "數量(Pcs)",
                "price": "單價\n(USD)", "order_date": "下單\n日期", "due": due_label}
        sheet = Sheet(f"{month}月")
        sheet.raw(f"{month}月份 生產訂單")
        sheet.header(["序 號", *cols.values(), "備 註"])
        guide = sheet.raw("", "必填", "必填", "型號", "件", "美元", "年/月/日", "年/月/日", "")
        lines = make_lines(rng, 45, f"PO{month}", month=month)
        plan_mistakes(rng, lines, mistakes(3, start=3 * month))
        rows = write_lines(sheet, lines, cols, name, layout)
        for n, r in enumerate(rows):
            sheet.set(r, "序 號", n + 1)
        _tricky_split(layout, name, sheet, lines)
        layout.tricky.append(Tricky(name, sheet.name, (guide,), "guidance row under the header"))
        sheets.append(sheet)
    layout.paths.append(save(folder / name, sheets))
    return layout


def dotted_dates(folder: Path) -> Layout:
    """(g) Order dates typed 20.04.2026 (day first, decided by the column), year-less due dates (6.1, 6月30)."""
    rng = random.Random("dotted")
    name = "出货计划.xlsx"
    cols = {"order_no": "单号", "customer": "客户", "product": "产品", "qty": "数量", "order_date": "下单日期",
            "due": "交货日期"}
    layout = Layout("g-dotted-dates", "", [], [Expected(ORDERS, "A", ("6月",), (name,))])
    sheet = Sheet("6月")
    sheet.header(list(cols.values()))
    lines = make_lines(rng, 60, "D26-", month=5, split=0.1)
    for ln in lines:  # due in June (and early July), as the tab says
        ln["due"] = dt.date(2026, 6, 1) + dt.timedelta(days=rng.randrange(0, 40))
    plan_mistakes(rng, lines, mistakes(5))
    either = [ln for ln in lines if ln["order_date"].day <= 12 and "mistake" not in ln]
    for ln in lines:
        ln["order_date"], ln["due"] = _dotted(ln["order_date"]), _yearless(ln["due"], rng)
    write_lines(sheet, lines, cols, name, layout)
    _tricky_split(layout, name, sheet, lines)
    layout.tricky.append(Tricky(name, sheet.name, tuple(ln["row"] for ln in either),
                                "order date that reads either way (05.06.2026): the column's 20.05.2026 decide"))
    layout.paths.append(save(folder / name, [sheet]))
    return layout


def _dotted(day: dt.date) -> str:
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


def _yearless(day: dt.date, rng: random.Random) -> Any:
    """As people type a date without its year: 6.15 (a number), 6月30, or the full date when the year is wrong."""
    if day.year != 2026 or day.day % 10 == 0:  # 6.10 would be the number 6.1: people type those as text
        return f"{day.year}年{day.month}月{day.day}日" if day.year != 2026 else f"{day.month}月{day.day}"
    return float(f"{day.month}.{day.day}") if rng.random() < 0.6 else f"{day.month}月{day.day}"


def wide_tracker(folder: Path) -> Layout:
    """(h) One row per order with a column per stage, and shipping columns: shipped more than ordered is a mistake."""
    rng = random.Random("wide")
    name = "生产跟踪表.xlsx"
    cols = {"order_no": "订单号", "customer": "客户", "product": "款号", "order_date": "下单日期", "qty": "订单数量",
            "due": "交货日期", "cut": "裁剪完成数", "sewn": "车缝完成", "packed": "包装", "shipped_on": "出货日期",
            "shipped_qty": "出货数量"}
    layout = Layout("h-wide-tracker", "", [], [Expected(PLAN, "A", ("生产跟踪",), (name,))])
    sheet = Sheet("生产跟踪")
    sheet.raw("大货生产跟踪表（每单一行）")
    sheet.header([*cols.values(), "备注"])
    lines = make_lines(rng, 80, "SO-2609-", split=0.0)
    plan_mistakes(rng, lines, mistakes(10, shipping=True))
    for ln in lines:
        _progress(ln, rng)
    write_lines(sheet, lines, cols, name, layout)
    layout.paths.append(save(folder / name, [sheet]))
    return layout


def _progress(ln: dict[str, Any], rng: random.Random) -> None:
    """How far an order got: cut >= sewn >= packed >= shipped, each a share of the order."""
    qty = ln["qty"] if isinstance(ln["qty"], int) else 1000
    stage = rng.randrange(0, 5)
    done = [qty if s < stage else None for s in range(4)]
    ln["cut"], ln["sewn"], ln["packed"], shipped = done
    if shipped is not None or ln.get("shipped_over"):
        ln["shipped_qty"] = qty + rng.choice((120, 300, 500)) if ln.get("shipped_over") else qty
        ln["cut"] = ln["sewn"] = ln["packed"] = max(qty, ln["shipped_qty"])
        ln["shipped_on"] = ln["order_date"] + dt.timedelta(days=40)


FOLLOWER_FILES = ("张丽.xlsx", "王芳.xlsx", "李娜.xlsx")


def follower_files(folder: Path) -> Layout:
    """(i) One register per follower in a folder, same layout: one orders table from three workbooks."""
    rng = random.Random("followers")
    cols = {"order_no": "订单号", "order_date": "下单日期", "customer": "客户", "product": "款号", "qty": "订单数量",
            "price": "单价", "due": "交货日期"}
    layout = Layout("i-follower-files", "", [],
                    [Expected(ORDERS, "A", ("订单登记",), FOLLOWER_FILES)])
    for i, name in enumerate(FOLLOWER_FILES):
        sheet = Sheet("订单登记")
        sheet.header([*cols.values(), "备注"])
        lines = make_lines(rng, 40, f"F{i + 1}-2609-")
        plan_mistakes(rng, lines, mistakes(3, start=3 * i))
        write_lines(sheet, lines, cols, name, layout)
        _tricky_split(layout, name, sheet, lines)
        layout.paths.append(save(folder / "registers" / name, [sheet]))
    return layout


MACHINING = {"恒力机械": (("法兰盘", "传动轴"), 200), "华东泵业": (("泵壳", "叶轮"), 120),
             "中信重工": (("齿轮箱体", "端盖"), 60), "三一配套": (("销轴", "轴套"), 400)}


def machining(folder: Path) -> Layout:
    """(j) A machining shop's schedule: 工单号, 工件, 图号, one row per 工序 on its 机床."""
    rng = random.Random("machining")
    name = "机加工排产.xlsx"
    cols = {"order_no": "工单号", "customer": "客户", "product": "工件名称", "drawing": "图号", "qty": "数量",
            "stage": "工序", "machine": "机床", "order_date": "下单日期", "due": "交期"}
    layout = Layout("j-machining", "", [], [Expected(PLAN, "B", ("排产",), (name,))])
    sheet = Sheet("排产")
    sheet.header(["序号", *cols.values(), "备注"])
    lines = make_lines(rng, 45, "GD2609", split=0.5, customers=MACHINING)
    for ln in lines:  # the lines of a work order are its operations, same quantity, one due date
        ln["stage"], ln["machine"] = (("车", "CK6150"), ("铣", "XK714"), ("磨", "M1432"))[ln["line"] - 1]
        ln["drawing"] = f"DWG-{zlib.crc32(ln['product'].encode()) % 9000 + 1000}"
    _same_for_order(lines, ("qty", "due"))
    plan_mistakes(rng, lines, mistakes(6))
    rows = write_lines(sheet, lines, cols, name, layout)
    for n, r in enumerate(rows):
        sheet.set(r, "序号", n + 1)
    _tricky_split(layout, name, sheet, lines)
    layout.paths.append(save(folder / name, [sheet]))
    return layout


def _same_for_order(lines: list[dict[str, Any]], keys: tuple[str, ...]) -> None:
    first: dict[str, dict[str, Any]] = {}
    for ln in lines:
        head = first.setdefault(ln["order_no"], ln)
        for k in keys:
            ln[k] = head[k]


ELECTRONICS = {"Flextronics": (("MCU-32F103", "LDO-3V3"), 5000), "Jabil": (("CAP-100uF", "RES-10K"), 20000),
               "Foxconn": (("USB-C-24P", "XTAL-8M"), 8000), "Celestica": (("FET-N30V", "DIODE-S1M"), 12000)}


def electronics(folder: Path) -> Layout:
    """(k) An electronics PO book in English: PO#/Part No/Qty/Unit Price/ETD, currency subtotal rows,
    the header repeated where a page was pasted in."""
    rng = random.Random("electronics")
    name = "Open PO.xlsx"
    cols = {"order_no": "PO#", "line": "Item", "customer": "Customer", "product": "Part No", "qty": "Qty",
            "price": "Unit Price", "amount": "Amount", "currency": "Currency", "order_date": "PO Date", "due": "ETD"}
    layout = Layout("k-electronics", "", [], [Expected(ORDERS, "A", ("Open PO",), (name,))])
    sheet = Sheet("Open PO")
    sheet.raw("OPEN PO STATUS - updated weekly")
    sheet.header([*cols.values(), "Remark"])
    lines = make_lines(rng, 70, "PO26", split=0.3, customers=ELECTRONICS)
    plan_mistakes(rng, lines, mistakes(8))
    for ln in lines:
        ln["currency"] = "USD" if ln["customer"] in ("Flextronics", "Jabil") else "CNY"
        ln["price"] = round(ln["price"] / 100, 4)
        ln["amount"] = round(ln["qty"] * ln["price"], 2) if isinstance(ln["qty"], int) else None
    for currency in ("USD", "CNY"):
        block = [ln for ln in lines if ln["currency"] == currency]
        half = len(block) // 2
        write_lines(sheet, block[:half], cols, name, layout)
        if currency == "CNY":
            again = sheet.raw(*sheet.labels)
            layout.tricky.append(Tricky(name, sheet.name, (again,), "header repeated inside the data"))
        write_lines(sheet, block[half:], cols, name, layout)
        r = sheet.line({"Currency": currency, "Amount": _subtotal(block, "amount")})
        layout.tricky.append(Tricky(name, sheet.name, (r,), f"{currency} subtotal row"))
    _tricky_split(layout, name, sheet, lines)
    layout.paths.append(save(folder / name, [sheet]))
    return layout


#: a kitchen-appliance maker's customers, what they take and how many at a time
KITCHEN = {"Reliance Retail": (("Arista 60", "Arista 90"), 300), "Croma": (("Zyra 4 Burner", "Solaria 3B"), 500),
           "Vijay Sales": (("Eris 60cm", "Eris 90cm"), 200), "Amazon IN": (("Dorado 3B", "Dorado 4B"), 800)}
MILESTONES = ("WO Creation", "DRG Release Date", "Costing Sign Off", "PO Completion", "FG Start")


def milestone_tracker(folder: Path) -> Layout:
    """(u) A work-order tracker in English, one row per WO line with a date column per milestone (WO creation,
    drawing release, costing sign-off, PO, FG start), Completed/Pending beside the quantity: no customer column,
    Qty 0 on lines not yet quantified, formula milestones on blank inputs showing 1900 dates."""
    rng = random.Random("milestones")
    name = "Production_War_Room.xlsx"
    cols = {"order_no": "Work Order", "product": "Product", "qty": "Qty", "completed": "Completed",
            "pending": "Pending", "order_date": "Sales Request", "due": "Delivery Date"}
    cols.update({m: m for m in MILESTONES})
    layout = Layout("u-milestone-tracker", "", [], [Expected(ORDERS, "B", ("Inputs",), (name,))])
    sheet = Sheet("Inputs")
    sheet.header(["Sl. No", *cols.values(), "Remarks"])
    lines = make_lines(rng, 80, "BN-SO-2526-", split=0.2, customers=KITCHEN)   # each model with history
    plan_mistakes(rng, lines, mistakes(8))
    for ln in lines:
        qty = ln["qty"] if isinstance(ln["qty"], int) else 500
        reached = rng.randrange(0, len(MILESTONES) + 1)
        day = ln["order_date"]
        for m in MILESTONES[:reached]:
            day += dt.timedelta(days=rng.randrange(3, 12))
            ln[m] = day
        ln["completed"] = qty if reached == len(MILESTONES) else 0
        ln["pending"] = qty - ln["completed"]
    rows = write_lines(sheet, lines, cols, name, layout)
    _tricky_split(layout, name, sheet, lines)
    zero = []   # lines not quantified yet: Qty, Completed, Pending all 0, milestones computed from blanks
    for i in range(6):
        row = sheet.line({"Work Order": f"BN-SO-2526-{190 + i:03d}", "Product": rng.choice(("Orion", "Auriga 3B")),
                          "Qty": 0, "Completed": 0, "Pending": 0, "Sales Request": dt.date(2026, 9, 20),
                          "FG Start": dt.datetime(1900, 3, 15)})
        zero.append(row)
    layout.tricky.append(Tricky(name, sheet.name, tuple(zero), "Qty 0 on lines not yet quantified; FG Start a 1900 "
                                "date computed from blank inputs"))
    for n, r in enumerate([*rows, *zero]):
        sheet.set(r, "Sl. No", n + 1)
    layout.paths.append(save(folder / name, [sheet]))
    return layout


LAYOUTS: dict[str, Callable[[Path], Layout]] = {
    "a-monthly-tabs": monthly_tabs, "b-po-lines": po_lines, "c-merged-keys": merged_keys,
    "d-totals-footers": totals_and_footers, "e-other-keys": other_keys, "f-traditional": traditional_headers,
    "g-dotted-dates": dotted_dates, "h-wide-tracker": wide_tracker, "i-follower-files": follower_files,
    "j-machining": machining, "k-electronics": electronics,
    "l-two-plans": two_plans, "m-sample-orders": sample_orders,   # two tables of one kind (tests/layouts_kinds.py)
    "r-weekly-plan": weekly_plan, "s-machine-schedule": machine_schedule, "t-part-plan": part_plan,  # tests/plan_layouts.py
    "u-milestone-tracker": milestone_tracker, "v-ditto-lines": ditto_lines, "w-ditto-marks": ditto_marks,
    **INDUSTRIES,                                                 # other industries (tests/industries.py)
}


def build(name: str, folder: Path) -> Layout:
    """The layout ``name`` written into ``folder``; its ``what`` is the builder's first doc line."""
    layout = LAYOUTS[name](folder)
    layout.what = (LAYOUTS[name].__doc__ or "").strip().splitlines()[0]
    return layout

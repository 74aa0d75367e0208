"""The wide tracker: one row per order, a column per stage, then the shipment — read as progress and shipping.

Reconciliation names the very cell that is wrong (the 车缝 figure of that
order's row), status says how far each order got, and the digests count open
orders by the tracker's own stages, as they do for department tabs.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from sync.checks.pipeline import check_register
from sync.cli import app
from sync.config import Config
from sync.findings import Report
from sync.notices.plan import gather, plan_digest
from sync.orders.model import order_model
from sync.orders.wide import stage_columns
from sync.sources import open_path
from sync.state import State
from sync.tables.register import Register, load
from tests.noticekit import PEOPLE

D = datetime
TODAY = D(2026, 9, 16).date()
ZH = ["订单号", "客户", "款号", "下单日期", "订单数量", "交货日期", "跟单员", "裁剪完成数", "车缝完成", "整烫",
      "包装数量", "出货日期", "出货数量", "备注"]
EN = ["PO No", "Customer", "Style", "Order Date", "Qty", "Delivery Date", "Merchandiser", "Cut qty", "Sewn",
      "Pressed", "Packed", "Ship date", "Shipped qty", "Remarks"]
#: (order, quantity, cut, sewn, pressed, packed, shipped on, shipped): row 3 on
ORDERS = [
    ("SO-2609-001", 1000, 1000, 1000, 1000, 1000, D(2026, 9, 10), 1000),   # shipped
    ("SO-2609-002", 800, 800, 300, None, None, None, None),               # at sewing
    ("SO-2609-003", 500, 1500, None, None, None, None, None),             # cut: more than ordered
    ("SO-2609-004", 600, None, None, None, None, None, None),             # not started
    ("SO-2609-005", 1200, 1200, 1200, 1200, 1200, D(2026, 9, 12), 1900),  # shipped more than ordered
    ("SO-2609-006", 400, 400, 380, 400, None, None, None),                # pressed more than sewn
]


def write_tracker(path: Path, header: list[str], *, people: bool = False) -> Path:
    """The orders as a wide tracker under a title row (header on row 2, orders from row 3)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "生产跟踪"
    ws.append(["大货生产跟踪表（每单一行）"])
    ws.append(header)
    for no, qty, cut, sewn, pressed, packed, shipped_on, shipped in ORDERS:
        ws.append([no, "优衣库", "UQ-T2601", D(2026, 8, 1), qty, D(2026, 9, 30), "张伟", cut, sewn, pressed, packed,
                   shipped_on, shipped, None])
    if people:
        sheet = wb.create_sheet("人员")
        for line in PEOPLE:
            sheet.append(list(line))
    wb.save(path)
    return path


def read(path: Path) -> Register:
    return load([open_path(path)])


def findings(path: Path, lang: str = "zh") -> list:
    return check_register(read(path), None, lang=lang, today=TODAY).findings


def test_a_stage_over_the_ordered_quantity_is_found_on_its_cell(tmp_path: Path) -> None:
    found = findings(write_tracker(tmp_path / "跟踪.xlsx", ZH))
    over = [f for f in found if f.rule == "stage-over-ordered"]
    assert [(f.severity, f.sheet, f.row, f.cell, f.column, f.value, f.order_no) for f in over] == [
        ("error", "生产跟踪", 5, "H5", "裁剪完成数", "1500", "SO-2609-003")]
    assert over[0].message.startswith("订单 SO-2609-003 的裁剪完成 1500，超过订单数量 500")
    shipped = [f for f in found if f.rule == "shipped-over-ordered"]
    assert [(f.cell, f.column, f.value, f.order_no) for f in shipped] == [("M7", "出货数量", "1900", "SO-2609-005")]
    ahead = [(f.cell, f.order_no) for f in found if f.rule == "stage-ahead"]
    assert ahead == [("J8", "SO-2609-006")]
    assert not [f for f in found if f.rule in ("orphan-row", "unknown-stage", "tabs-not-joined",
                                               "shipped-before-order", "date-in-future")]
    # the clean orders' rows have no error at all
    assert {f.row for f in found if f.severity == "error"} == {5, 7, 8}


def test_status_shows_the_stage_each_order_reached(tmp_path: Path) -> None:
    model = order_model(read(write_tracker(tmp_path / "跟踪.xlsx", ZH)), today=TODAY)
    assert model.view.stages == ["裁剪", "车缝", "整烫", "包装"]
    reached = {k: p.current_stage for k, p in model.progress.items()}
    assert reached == {"SO-2609-001": "shipped", "SO-2609-002": "车缝", "SO-2609-003": "车缝",
                       "SO-2609-004": "not-started", "SO-2609-005": "shipped", "SO-2609-006": "车缝"}
    assert model.progress["SO-2609-002"].percent == {"裁剪": 100.0, "车缝": 37.5}


def test_the_status_command_reads_the_tracker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_tracker(tmp_path / "跟踪.xlsx", ZH)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ORDERSYNC_CONFIG", raising=False)
    runner = CliRunner()
    out = runner.invoke(app, ["status", str(path), "--today", "2026-09-16", "--format", "json"])
    assert out.exit_code == 0, out.output
    stages = {o["order_no"]: o["current_stage"] for o in json.loads(out.output)["orders"]}
    assert stages["SO-2609-002"] == "车缝" and "SO-2609-001" not in stages   # shipped: not open
    one = runner.invoke(app, ["status", str(path), "SO-2609-002", "--today", "2026-09-16"], env={"COLUMNS": "120"})
    assert "裁剪 100%  →  车缝 38%  →  整烫 —  →  包装 —" in one.output
    assert "生产跟踪!I4" in one.output                   # the timeline names the 车缝 cell


@pytest.mark.parametrize("shipments", [["出货日期1", "出货数量1", "出货日期2", "出货数量2", "出货合计"],
                                       ["第一次出货日期", "第一次出货数量", "第二次出货日期", "第二次出货数量", "累计出货"],
                                       ["1st shipment date", "1st shipment qty", "2nd shipment date",
                                        "2nd shipment qty", "Total shipped"]])
def test_an_order_shipped_in_parts_counts_every_shipment_and_not_their_total(tmp_path: Path,
                                                                             shipments: list[str]) -> None:
    """出货日期1 / 出货数量1, 出货日期2 / 出货数量2 and a 出货合计 over them: each shipment is one, named by its own
    cells; the total is not a third shipment."""
    wb = Workbook()
    ws = wb.active
    ws.title = "订单跟踪"
    ws.append(["订单号", "客户", "款号", "订单数量", "下单日期", "交货日期", "跟单员", *shipments])
    for no, first, second in (("SO-1", (D(2026, 9, 5), 600), (D(2026, 9, 9), 400)),     # all shipped, in two
                              ("SO-2", (D(2026, 9, 5), 600), (None, None)),              # 400 still to ship
                              ("SO-3", (D(2026, 9, 5), 700), (D(2026, 9, 9), 500))):     # 200 over
        total = (first[1] or 0) + (second[1] or 0)
        ws.append([no, "优衣库", "K1", 1000, D(2026, 8, 1), D(2026, 9, 10), "张伟", *first, *second, total])
    wb.save(tmp_path / "跟踪.xlsx")
    found = findings(tmp_path / "跟踪.xlsx")
    over = [f for f in found if f.severity == "error"]   # on its largest shipment, as with a shipping tab
    assert [(f.rule, f.order_no, f.cell, f.value) for f in over] == [("shipped-over-ordered", "SO-3", "I4", "700")]
    assert "1200" in over[0].message
    assert sorted(f.order_no for f in found if f.rule == "order-overdue") == ["SO-2"]   # SO-1 is shipped
    timeline = CliRunner().invoke(app, ["status", str(tmp_path / "跟踪.xlsx"), "SO-1", "--today", "2026-09-16"],
                                  env={"COLUMNS": "120"})
    assert "订单跟踪!I2" in timeline.output and "订单跟踪!K2" in timeline.output and "发货 100%" in timeline.output


def test_an_english_tracker_reads_the_same(tmp_path: Path) -> None:
    path = write_tracker(tmp_path / "tracker.xlsx", EN)
    found = findings(path, lang="en")
    over = [f for f in found if f.rule == "stage-over-ordered"]
    assert [(f.cell, f.column, f.order_no) for f in over] == [("H5", "Cut qty", "SO-2609-003")]
    assert over[0].message.startswith("order SO-2609-003: Cut completed 1500, more than the 500 ordered")
    assert [(f.cell, f.rule) for f in found if f.rule in ("shipped-over-ordered", "stage-ahead")] == [
        ("J8", "stage-ahead"), ("M7", "shipped-over-ordered")]
    assert {f.row for f in found if f.severity == "error"} == {5, 7, 8}
    model = order_model(read(path), today=TODAY)
    assert model.view.stages == ["Cut", "Sewn", "Pressed", "Packed"]
    assert {k: p.current_stage for k, p in model.progress.items()} == {
        "SO-2609-001": "shipped", "SO-2609-002": "Sewn", "SO-2609-003": "Sewn", "SO-2609-004": "not-started",
        "SO-2609-005": "shipped", "SO-2609-006": "Sewn"}


def test_a_digest_counts_open_orders_by_the_trackers_stages(tmp_path: Path) -> None:
    reg = read(write_tracker(tmp_path / "跟踪.xlsx", ZH, people=True))
    cfg = Config.model_validate({"digests": [{"name": "daily", "to": ["manager"], "charts": False}]})
    cfg.path = tmp_path / "config.toml"
    now = datetime(2026, 9, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with State(tmp_path / "state.db") as state:
        inputs = gather(state, cfg, reg, now=now, lang="zh", report=Report([]))
        mail = plan_digest(state, cfg, "daily", inputs, now=now, lang="zh").outgoing[0]
    line = next(ln for ln in mail.text.splitlines() if ln.startswith("各工序未完成订单"))
    assert line.endswith("未开始 1, 车缝 3")


def test_a_machine_shops_tracker_of_dates_says_which_stage_each_part_is_at(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "生产进度"
    ws.append(["工单号", "零件名称", "数量", "交期", "下料", "车削", "铣削", "热处理", "检验", "入库"])
    day = [D(2026, 9, d) for d in range(1, 7)]
    ws.append(["WO-101", "轴", 200, D(2026, 9, 30), *day[:3], None, None, None])
    ws.append(["WO-102", "法兰", 120, D(2026, 9, 30), *day[:6]])
    ws.append(["WO-103", "模板", 60, D(2026, 9, 30), day[0], None, day[2], None, None, None])   # milled, not turned
    ws.append(["WO-104", "端盖", 80, D(2026, 9, 30), None, None, None, None, None, None])
    wb.save(tmp_path / "jobs.xlsx")
    model = order_model(read(tmp_path / "jobs.xlsx"), today=TODAY)
    assert model.view.stages == ["下料", "车削", "铣削", "热处理", "检验", "入库"]
    reached = {k: p.current_stage for k, p in model.progress.items()}
    assert reached == {"WO-101": "热处理", "WO-102": "qc", "WO-103": "热处理", "WO-104": "not-started"}


def test_a_work_order_tracker_of_milestone_dates_says_which_milestone_each_order_reached(tmp_path: Path) -> None:
    """No stage words at all (a kitchen-appliance maker's WO tracker): a date column per milestone is the stages,
    in column order; an order with no milestone dated yet has not started, it lacks no department's rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Inputs"
    ws.append(["Sl. No", "Work Order", "Product", "Qty", "Completed", "Pending", "Sales Request", "Delivery Date",
               "WO Creation", "DRG Release Date", "Costing Sign Off", "PO Completion"])
    day = [D(2026, 7, d) for d in (20, 25, 28, 30)]
    ws.append([1, "BN-SO-2526-0001", "Arista 60", 300, 0, 300, D(2026, 7, 1), D(2026, 10, 30), *day[:2], None, None])
    ws.append([2, "BN-SO-2526-0002", "Zyra 4 Burner", 290, 260, 30, D(2026, 7, 1), D(2026, 10, 30), *day])
    ws.append([3, "BN-SO-2526-0003", "Solaria 3B", 350, 0, 350, D(2026, 7, 2), D(2026, 10, 30), day[0], None, None,
               None])
    ws.append([4, "BN-SO-2526-0004", "Eris 60", 200, 0, 200, D(2026, 7, 3), D(2026, 10, 30), None, None, None, None])
    wb.save(tmp_path / "war_room.xlsx")
    register = read(tmp_path / "war_room.xlsx")
    assert list(register.tables) == ["orders"]
    model = order_model(register, today=TODAY)
    assert model.view.stages == ["WO Creation", "DRG Release", "Costing Sign Off", "PO Completion"]
    reached = {k: p.current_stage for k, p in model.progress.items()}
    assert reached == {"BN-SO-2526-0001": "Costing Sign Off", "BN-SO-2526-0002": "qc",
                       "BN-SO-2526-0003": "DRG Release", "BN-SO-2526-0004": "not-started"}
    found = check_register(register, None, lang="en", today=TODAY).findings
    assert not [f for f in found if f.rule == "missing-department-rows"]


def test_a_register_with_its_own_production_tab_is_not_read_twice(tmp_path: Path) -> None:
    path = write_tracker(tmp_path / "跟踪.xlsx", ZH)
    from openpyxl import load_workbook
    wb = load_workbook(path)
    prod = wb.create_sheet("生产进度")
    prod.append(["订单号", "工序", "完成数量", "更新日期"])
    prod.append(["SO-2609-002", "裁剪", 800, D(2026, 9, 1)])
    wb.save(path)
    model = order_model(read(path), today=TODAY)
    assert model.view.tables["production"].sheet == "生产进度"
    assert model.progress["SO-2609-002"].percent.get("车缝") is None


def test_text_columns_that_look_like_stages_or_shipping_are_left_alone(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "订单"
    ws.append(["订单号", "订单数量", "交货日期", "发货方式", "包装方式", "车缝", "出货数量"])
    ws.append(["SO-1", 100, D(2026, 9, 30), "海运", "纸箱", 100, 100])
    ws.append(["SO-2", 200, D(2026, 9, 30), "空运", "胶袋", 150, 260])
    wb.save(tmp_path / "r.xlsx")
    found = findings(tmp_path / "r.xlsx")
    assert [(f.rule, f.cell) for f in found if f.severity == "error"] == [("shipped-over-ordered", "G3")]
    model = order_model(read(tmp_path / "r.xlsx"), today=TODAY)
    assert model.view.stages == ["车缝"] and model.progress["SO-2"].percent["车缝"] == 75.0


@pytest.mark.parametrize("header,stage,kind", [
    ("裁剪完成数", "裁剪", "qty"), ("车缝完成", "车缝", "qty"), ("整烫", "整烫", "qty"), ("包装数量", "包装", "qty"),
    ("Cut qty", "Cut", "qty"), ("Sewn", "Sewn", "qty"), ("Inspection", "Inspection", "qty"),
    ("Inspection date", "Inspection", "date"), ("热处理日期", "热处理", "date"), ("硫化（完成数）", "硫化", "qty"),
    ("車縫完成", "車縫", "qty")])
def test_a_stage_column_is_a_stage_word_and_what_it_counts(header: str, stage: str, kind: str) -> None:
    [column] = stage_columns({7: (header, np.array([100, None], dtype=object))}, [])
    assert (column.stage, column.kind, column.index) == (stage, kind, 7)


@pytest.mark.parametrize("header", ["备注", "包装方式", "出货数量", "完成数量", "Qty", "Remarks", "生产完成日期"])
def test_other_columns_are_no_stage(header: str) -> None:
    assert stage_columns({7: (header, np.array([100, None], dtype=object))}, []) == []


def test_a_lone_yes_no_column_named_for_a_process_says_what_an_order_needs_not_a_stage(tmp_path: Path) -> None:
    # an export trader's order book: 电镀 是/否 beside 图号 and LOGO asks whether the part is plated
    wb = Workbook()
    ws = wb.active
    ws.title = "订单登记表"
    ws.append(["状态", "订单日期", "客户", "订单号", "交货日期", "产品名称", "图号", "电镀", "LOGO", "单价", "数量"])
    ws.append(["已出货", D(2026, 6, 18), "Perm Machine", "16231", D(2026, 8, 20), "管子-电镀", "LTG-1085", "是",
               "PERM", 17.4, 3500])
    ws.append(["已出货", D(2026, 7, 28), "Hebenstreit", "08215047", D(2026, 9, 1), "结构件", "23 items", "否", "无",
               1, 1800])
    ws.append(["待出货", D(2026, 8, 2), "KBA-MetalPrint", "2507851", D(2026, 9, 10), "管子-电镀", "LTG-1200", "是",
               "KBA", 16.2, 1750])
    ws.append(["生产中", D(2026, 8, 9), "KBA-MetalPrint", "2507852", D(2026, 9, 30), "槽钢-不电镀", "CH-12", "否",
               "KBA", 11.9, 600])
    wb.save(tmp_path / "订单表.xlsx")
    model = order_model(read(tmp_path / "订单表.xlsx"), today=TODAY)
    assert model.view.stages == [] and "production" not in model.view.parts
    # no figures per stage: the status column says how far each open order got
    assert {k: p.current_stage for k, p in model.progress.items() if p.open} == {
        "2507851": "shipping", "2507852": "produced"}


@pytest.mark.parametrize("cells,stage", [
    (["是", "否", None, "是"], False),       # yes and no: a question's answers
    (["Y", "N", "Y"], False),
    (["是", None, "✓"], True),               # ticks only: the stage is done where ticked
    (["是", "否", 300], True),                # a figure among them: progress
])
def test_a_single_process_column_of_answers_is_no_stage(cells: list, stage: bool) -> None:
    found = stage_columns({7: ("电镀", np.array(cells, dtype=object))}, [])
    assert bool(found) is stage
    # beside another stage column the same answers are marks of done and not done
    two = stage_columns({7: ("电镀", np.array(cells, dtype=object)), 8: ("包装", np.array(cells, dtype=object))}, [])
    assert [c.stage for c in two] == ["电镀", "包装"]


def test_a_column_of_overall_progress_in_percent_is_how_far_production_got(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "订单跟踪"
    ws.append(["订单号", "客户", "数量", "下单日期", "交货日期", "跟单员", "生产进度", "状态"])
    for no, qty, done, status in (("SO-1", 1000, "80%", "生产中"), ("SO-2", 800, 0.3, "生产中"),
                                  ("SO-3", 500, "100%", "待出货"), ("SO-4", 600, None, "待生产")):
        ws.append([no, "优衣库", qty, D(2026, 8, 1), D(2026, 9, 30), "张伟", done, status])
    wb.save(tmp_path / "跟踪.xlsx")
    model = order_model(read(tmp_path / "跟踪.xlsx"), today=TODAY)
    got = {k: (p.current_stage, p.percent.get("produced")) for k, p in model.progress.items()}
    assert got == {"SO-1": ("produced", 80.0), "SO-2": ("produced", 30.0), "SO-3": ("qc", 100.0),
                   "SO-4": ("not-started", None)}


@pytest.mark.parametrize("cells", [["裁剪中", "80%"], ["80%", "见备注"], [None, None]])
def test_a_progress_column_of_anything_but_percentages_is_no_stage(cells: list) -> None:
    assert stage_columns({7: ("生产进度", np.array(cells, dtype=object))}, []) == []


def daily_register(path: Path, lines: list[list]) -> Workbook:
    """Orders SO-1 … SO-3 (1000 pieces each, due 9/30) and a daily output sheet, 车缝日产量: 订单号 | 工序 | 计划数 |
    9/1 … 9/6, a row of ``lines`` each; saved at ``path``, and returned to be edited."""
    wb = Workbook()
    ws = wb.active
    ws.title = "订单"
    ws.append(["订单号", "客户", "款号", "订单数量", "下单日期", "交货日期", "跟单员", "状态"])
    for no in ("SO-1", "SO-2", "SO-3"):
        ws.append([no, "优衣库", "K1", 1000, D(2026, 8, 1), D(2026, 9, 30), "张伟", "生产中"])
    daily = wb.create_sheet("车缝日产量")
    daily.append(["订单号", "工序", "计划数", *[D(2026, 9, d) for d in range(1, 7)]])
    for line in lines:
        daily.append(line)
    wb.save(path)
    return wb


def test_a_daily_output_sheet_reads_each_days_figure_on_its_own_cell(tmp_path: Path) -> None:
    """订单号 | 工序 | 计划数 | 9/1 … 9/6, no total column: each day's figure is that day's output, the order's
    progress is their sum, the day typed with a zero too many is the cell the error names, and the pace of the
    days gives the projection."""
    wb = daily_register(tmp_path / "日产量.xlsx", [
        ["SO-1", "车缝", 1000, 100, 100, 0, 100, 100, 100],
        ["SO-2", "车缝", 1000, 50, 50, 500, 50, None, None],       # 500: a zero too many on 9/3
        ["SO-3", "车缝", 1000, None, None, None, None, None, None]])  # not started
    daily = wb["车缝日产量"]
    register = read(tmp_path / "日产量.xlsx")
    model = order_model(register, today=D(2026, 9, 7).date())
    done = {k: p.percent.get("车缝") for k, p in model.progress.items()}
    assert done == {"SO-1": 50.0, "SO-2": 65.0, "SO-3": 0.0}
    assert model.progress["SO-1"].projected_finish is not None
    found = check_register(register, None, lang="zh", today=D(2026, 9, 7).date()).findings
    assert [(f.rule, f.cell, f.value) for f in found if f.severity == "error"] == []
    daily.cell(row=3, column=6).value = 5000    # now over the order: named on its own day's cell
    wb.save(tmp_path / "日产量.xlsx")
    found = check_register(read(tmp_path / "日产量.xlsx"), None, lang="zh", today=D(2026, 9, 7).date()).findings
    assert [(f.rule, f.cell, f.value) for f in found if f.severity == "error"] == [("stage-over-ordered", "F3", "5000")]


def test_a_garment_trackers_departments_are_its_stages() -> None:
    # 裁床 | 车间 | 尾部: the cutting room, the sewing floor and finishing, in that order
    cells = np.array([3000, 1200, None], dtype=object)
    found = stage_columns({7: ("裁床", cells), 8: ("车间", cells), 9: ("尾部", cells)}, [])
    assert [c.stage for c in found] == ["裁床", "车间", "尾部"]


def test_a_stage_column_without_dates_is_not_timed_from_the_order_date(tmp_path: Path) -> None:
    """Cut 2400, Sewn 2000, Packed 800 of 2400, 75 days after the order and no dates anywhere: each stage is
    timed from the order date, though sewing and packing began only once there was work to hand on. Read so,
    packing's 800 in 75 days projected February; each undated stage keeps at least the pace of the stage
    before it (cutting's 32 a day), so the order is projected for November."""
    wb = Workbook()
    ws = wb.active
    ws.title = "WIP"
    ws.append(["PO#", "Style#", "Units", "PO Date", "X-Fty Date", "Merchandiser", "Status", "Cut", "Sewn", "Packed"])
    ws.append(["PO-1", "ST-1", 2400, D(2026, 7, 1), D(2026, 11, 30), "Amy", "In Work", 2400, 2000, 800])
    wb.save(tmp_path / "wip.xlsx")
    p = order_model(read(tmp_path / "wip.xlsx"), today=D(2026, 9, 14).date()).progress["PO-1"]
    assert (p.current_stage, p.rate, p.projected_finish, p.at_risk) == ("Sewn", 32.0, D(2026, 11, 6).date(), False)

"""Progress and risk: an order moving through its stages, its projected finish, and the warnings it earns."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from sync.config import Config
from sync.orders.view import build_view, settings_from
from sync.orders.progress import progress, progress_of_view, risk_findings
from tests.noticekit import order, read, write_register
from tests.registers import Book
from tests.tables.sheetkit import write_book

D = dt.date


def moving_order(stage: str) -> Book:
    """One order of 1000, due 30 April, as its tabs look at three moments."""
    book = Book()
    book.order("SO-1", 1000, ordered="2026-03-01", due="2026-04-30", follower="李娜",
               status="待生产" if stage == "new" else "生产中")
    book.material("SO-1", "面料", 1500, expected="2026-03-08", arrived="2026-03-08", arrived_qty=1500)
    if stage in ("cutting", "sewing", "shipped"):
        done = 500 if stage == "cutting" else 1000
        book.prod("SO-1", "裁剪", done, start="2026-03-10", finish="2026-03-30",
                  actual="2026-03-30" if done == 1000 else None, updated="2026-03-20")
    if stage == "sewing":
        book.prod("SO-1", "车缝", 300, start="2026-03-25", updated="2026-04-10")
    if stage == "shipped":
        for s, day in (("车缝", "2026-04-12"), ("整烫", "2026-04-14"), ("包装", "2026-04-16")):
            book.prod("SO-1", s, 1000, actual=day)
        book.qc("SO-1", "2026-04-17", 1000, 990, 10)
        book.ship("SO-1", "2026-04-18", 600)
        book.ship("SO-1", "2026-04-20", 380)              # 980 of 1000: within the -3% tolerance
    return book


def test_an_order_moving_through_its_stages(tmp_path: Path) -> None:
    p = progress(moving_order("new").load(tmp_path, "a.xlsx"), today=D(2026, 3, 5))["SO-1"]
    assert (p.current_stage, p.projected_finish, p.at_risk, p.open) == ("not-started", None, False, True)

    # cutting 500 in the 10 days since 10 March: 50 a day, 10 more days, then 3 stages x 2 days, 3 to ship
    p = progress(moving_order("cutting").load(tmp_path, "b.xlsx"), today=D(2026, 3, 20))["SO-1"]
    assert (p.current_stage, p.percent["裁剪"], p.rate) == ("裁剪", 50.0, 50.0)
    assert (p.projected_finish, p.days_late, p.at_risk) == (D(2026, 4, 8), -22, False)

    # sewing only 300 in 16 days: 700 more at 18.75 a day = 38 days, then 2 stages x 2 and shipping 3
    p = progress(moving_order("sewing").load(tmp_path, "c.xlsx"), today=D(2026, 4, 10))["SO-1"]
    assert (p.current_stage, p.percent["车缝"]) == ("车缝", 30.0)
    assert (p.projected_finish, p.days_late, p.at_risk) == (D(2026, 5, 25), 25, True)

    p = progress(moving_order("shipped").load(tmp_path, "d.xlsx"), today=D(2026, 4, 21))["SO-1"]
    assert (p.current_stage, p.open, p.at_risk, p.percent["shipped"]) == ("shipped", False, False, 98.0)


def test_without_production_figures_the_status_says_how_far_an_order_got(tmp_path: Path) -> None:
    book = Book()
    for no, status in (("SO-1", "待生产"), ("SO-2", "生产中"), ("SO-3", "待出货"), ("SO-4", "已出货"), ("SO-5", None)):
        book.order(no, 1000, due="2026-04-30", status=status)
    got = progress(book.load(tmp_path, "a.xlsx"), today=D(2026, 3, 5))
    assert {k: p.current_stage for k, p in got.items()} == {
        "SO-1": "not-started", "SO-2": "produced", "SO-3": "shipping", "SO-4": "shipped", "SO-5": "not-started"}

    # with a production tab, its figures say it: an order with none has not started, whatever its status
    book.prod("SO-2", "裁剪", 200, start="2026-03-02", updated="2026-03-04")
    got = progress(book.load(tmp_path, "b.xlsx"), today=D(2026, 3, 5))
    assert {k: p.current_stage for k, p in got.items()} == {
        "SO-1": "not-started", "SO-2": "裁剪", "SO-3": "not-started", "SO-4": "not-started", "SO-5": "not-started"}


def test_a_production_tab_with_its_header_only_keeps_no_figures_yet(tmp_path: Path) -> None:
    # the register has a 生产进度 tab nobody has filled in: the status still says how far each order got
    path = write_register(tmp_path / "r.xlsx", [order("SO-1", D(2026, 4, 30), status="待出货"),
                                                 order("SO-2", D(2026, 4, 30), status="生产中")])
    got = progress(read(path), today=D(2026, 3, 5))
    assert {k: p.current_stage for k, p in got.items()} == {"SO-1": "shipping", "SO-2": "裁剪"}   # the first stage


def test_a_production_tab_of_plans_alone_keeps_no_figures_either(tmp_path: Path) -> None:
    # 生产计划: each order's planned start and finish, nothing done yet recorded: the status says how far it got
    orders = [["订单号", "客户", "款号", "订单数量", "下单日期", "交货日期", "跟单员", "状态"],
              ["SO-1", "优衣库", "K1", 1000, dt.datetime(2026, 3, 1), dt.datetime(2026, 4, 30), "张伟", "待出货"]]
    plan = [["订单号", "工序", "计划开始", "计划完成"], ["SO-1", "车缝", dt.datetime(2026, 3, 2), dt.datetime(2026, 3, 20)]]
    got = progress(read(write_book(tmp_path, {"订单": orders, "生产计划": plan})), today=D(2026, 3, 5))
    assert got["SO-1"].current_stage == "shipping"


def test_an_order_with_shipments_and_no_production_figures_is_being_shipped(tmp_path: Path) -> None:
    path = write_register(tmp_path / "r.xlsx", [order("SO-1", D(2026, 4, 30), status=None),
                                                 order("SO-2", D(2026, 4, 30), status=None)],
                          shipping=[("SO-1", D(2026, 3, 3), 600, "顺丰")])
    got = progress(read(path), today=D(2026, 3, 5))
    assert {k: p.current_stage for k, p in got.items()} == {"SO-1": "shipping", "SO-2": "not-started"}


def test_at_risk_is_a_warning_before_the_due_date_with_the_followers_name(tmp_path: Path) -> None:
    view = build_view(moving_order("sewing").load(tmp_path), settings_from(None))
    found = risk_findings(progress_of_view(view, today=D(2026, 4, 10)), view, lang="en")
    assert len(found) == 1
    f = found[0]
    assert (f.rule, f.severity, f.follower, f.sheet, f.cell) == ("order-at-risk", "warning", "李娜", "订单登记", "F2")
    assert f.message.startswith("order SO-1 at risk, about 25 days late")
    zh = risk_findings(progress_of_view(view, today=D(2026, 4, 10)), view)[0].message
    assert "预计晚约 25 天" in zh


def test_an_overdue_order_without_a_pace_is_late_by_the_days_passed(tmp_path: Path) -> None:
    book = Book()
    book.order("SO-1", 1000, due="2026-04-01", status="待生产")
    book.order("SO-2", 1000, due="2026-04-01", status=None)    # no status, no shipping tab: nothing says open
    p = progress(book.load(tmp_path), today=D(2026, 4, 10))
    assert (p["SO-1"].at_risk, p["SO-1"].days_late, p["SO-1"].projected_finish) == (True, 9, None)
    assert p["SO-2"].at_risk is False


def test_a_stage_just_started_gives_no_pace_and_the_plan_stands_in(tmp_path: Path) -> None:
    book = Book()
    book.order("SO-1", 1000, due="2026-04-30")
    book.prod("SO-1", "裁剪", 10, start="2026-04-09", finish="2026-04-20", updated="2026-04-10")
    book.prod("SO-1", "包装", 0, finish="2026-04-28")
    p = progress(book.load(tmp_path), today=D(2026, 4, 10))["SO-1"]
    assert p.projected_finish == D(2026, 5, 1)                 # the plan's 28 April + 3 days to ship
    assert (p.days_late, p.at_risk) == (1, True)


def test_a_daily_output_log_uses_the_recent_pace(tmp_path: Path) -> None:
    book = Book()
    book.order("SO-1", 1000, due="2026-04-30")
    for day, qty in (("2026-04-01", 200), ("2026-04-02", 200), ("2026-04-03", 50), ("2026-04-04", 50),
                     ("2026-04-05", 50)):
        book.prod("SO-1", "裁剪", qty, start="2026-04-01", updated=day)
    reg = book.load(tmp_path)
    # the whole run: 550 in 5 days = 110 a day, 450 left = 5 days -> 10 April, 3 stages x 2, 3 to ship
    assert progress(reg, today=D(2026, 4, 5))["SO-1"].projected_finish == D(2026, 4, 19)
    # the last 3 days: 50 a day, 450 left = 9 days -> 14 April
    slow = Config.model_validate({"reconcile": {"rate_window_days": 3}})
    assert progress(reg, slow, today=D(2026, 4, 5))["SO-1"].projected_finish == D(2026, 4, 23)


def test_a_cumulative_column_is_not_added_up(tmp_path: Path) -> None:
    book = Book()
    book.tabs["production"][1][2] = "累计完成"
    book.order("SO-1", 1000)
    book.prod("SO-1", "裁剪", 300, updated="2026-03-20")
    book.prod("SO-1", "裁剪", 600, updated="2026-03-25")
    p = progress(book.load(tmp_path), today=D(2026, 3, 25))["SO-1"]
    assert p.percent["裁剪"] == 60.0


def test_materials_expected_after_production_starts_are_a_shortage_risk(tmp_path: Path) -> None:
    book = Book()
    book.order("SO-1", 1000, due="2026-06-30", follower="王芳")
    late = book.material("SO-1", "拉链", 1000, expected="2026-04-20")
    book.material("SO-1", "面料", 1500, expected="2026-04-25", arrived="2026-04-01", arrived_qty=1500)
    book.material("SO-1", "纽扣", 1500, expected="2026-04-05")
    book.prod("SO-1", "裁剪", 0, start="2026-04-15")
    reg = book.load(tmp_path)
    view = build_view(reg, settings_from(None))
    progs = progress_of_view(view, today=D(2026, 4, 10))
    assert [(m.material, m.cell) for m in progs["SO-1"].material_risk] == [("拉链", f"D{late}")]
    found = [f for f in risk_findings(progs, view) if f.rule == "material-late"]
    assert [(f.cell, f.follower) for f in found] == [(f"D{late}", "王芳")]


def test_closed_and_cancelled_orders_carry_no_risk(tmp_path: Path) -> None:
    book = Book()
    book.order("SO-1", 1000, due="2026-03-01", status="已取消")
    book.order("SO-2", 1000, due="2026-03-01", status="结案")
    p = progress(book.load(tmp_path), today=D(2026, 4, 10))
    assert not p["SO-1"].open and not p["SO-2"].open
    assert not p["SO-1"].at_risk and not p["SO-2"].at_risk


def test_the_percents_read_as_the_dict_they_stand_for(tmp_path: Path) -> None:
    """Each order's percents come from one array all the orders share; they behave as a dict of the stages
    with a figure: looked up, listed, compared, written out as JSON."""
    book = moving_order("sewing")
    book.order("SO-2", 400, ordered="2026-03-01", due="2026-05-30", follower="李娜")
    book.prod("SO-2", "裁剪", 100, start="2026-03-20", updated="2026-04-01")
    got = progress(book.load(tmp_path), today=D(2026, 4, 10))
    sewing, cutting = got["SO-1"].percent, got["SO-2"].percent
    assert dict(sewing) == {"裁剪": 100.0, "车缝": 30.0} and sewing == {"裁剪": 100.0, "车缝": 30.0}
    assert dict(cutting) == {"裁剪": 25.0}   # no sewing figure: not a stage it has, not a zero
    assert ("车缝" in cutting, cutting.get("车缝"), len(cutting), list(cutting)) == (False, None, 1, ["裁剪"])
    assert repr(cutting) == "{'裁剪': 25.0}" and type(cutting["裁剪"]) is float
    with pytest.raises(KeyError):   # a stage without a figure is not in the percents
        cutting["车缝"]
    assert got["SO-2"].to_dict()["percent"] == {"裁剪": 25.0}
    assert json.loads(json.dumps(got["SO-1"].to_dict(), ensure_ascii=False))["percent"] == {"裁剪": 100.0,
                                                                                             "车缝": 30.0}

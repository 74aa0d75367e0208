"""A department's digest counts the findings of every table of its kind, not only the one named after it.

A workbook may keep two production tables (a wide stage tracker and a weekly plan): the second is named
after its sheet (production_周计划) but is production all the same, and the production manager hears of it.
"""

from __future__ import annotations

from datetime import date

from sync.findings import ERROR, Finding, Report
from sync.notices.plan import gather, plan_digest
from sync.state import State
from sync.tables.kinds import kind_of
from tests.noticekit import order, read, write_register
from tests.notices.test_digests import NOW, by_person, config


def _finding(table: str, order_no: str, cell: str) -> Finding:
    return Finding("range", ERROR, f"完成数量为负数 ({cell})", table=table, source="register.xlsx", sheet="周计划",
                   row=int(cell[1:]), cell=cell, field="completed_qty", order_no=order_no, value="-50")


def test_a_second_production_table_is_counted_as_production(tmp_path):
    reg = read(write_register(tmp_path / "register.xlsx", [order("SO-1", date(2026, 9, 30), "张伟"),
                                                            order("SO-2", date(2026, 9, 30), "李娜")]))
    report = Report([_finding("production_周计划", "SO-1", "G7"), _finding("orders_样品单", "SO-2", "F4")])
    cfg = config(tmp_path, to=["production"])
    state = State(tmp_path / "state.db")
    try:
        inputs = gather(state, cfg, reg, now=NOW, lang="zh", report=report)
        mails = by_person(plan_digest(state, cfg, "daily", inputs, now=NOW, lang="en"))
    finally:
        state.close()
    text = mails["孙强"].text
    assert "G7" in text and "SO-1" in text
    assert "F4" not in text                     # a second orders table is no production


def test_kind_of_a_table_name():
    assert kind_of("production_inputs_2") == "production"
    assert kind_of("qc") == "qc"
    assert kind_of("plan", {"plan": "production"}) == "production"
    assert kind_of("orders_样品单") == "orders"
    assert kind_of("something") == "something"

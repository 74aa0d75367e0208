"""Stages come from the register: a tyre maker's, a machine shop's, any trade's own, in the order it works them.

Without ``[reconcile] stages`` the production tab's stage values are the
stages; status, progress, the digests' per-stage table and reconciliation all
use them, in the order each order's rows go through them. A garment register
(and the demo, whose config lists its stages) keeps the garment stages.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from sync.checks.reconcile import reconcile
from sync.cli import app
from sync.config import Config
from sync.findings import Report
from sync.notices.plan import gather, plan_digest, plan_notices
from sync.orders.model import order_model
from sync.orders.progress import stage_label
from sync.orders.view import build_view, settings_from
from sync.state import State
from tests.noticekit import order, read, write_register
from tests.registers import HEADERS, Book

TYRE = ["密炼", "压延", "成型", "硫化", "检验"]
MACHINING = ["下料", "车削", "铣削", "线切割", "热处理", "检验", "入库"]
NOW = datetime(2026, 9, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
runner = CliRunner()


def _day(n: int) -> datetime:
    return datetime(2026, 8, n)


def tyre_register(path: Path) -> Path:
    """Three tyre orders; the production log is kept by day, so the sheet does not list stages in order."""
    orders = [order("TY-01", date(2026, 9, 30), "张伟", product="205/55R16", qty=400),
              order("TY-02", date(2026, 9, 20), "李娜", product="225/45R17", qty=300),
              order("TY-03", date(2026, 10, 10), "张伟", product="195/65R15", qty=500)]
    production = []   # (order, stage, planned finish, completed, actual finish), by day of the work
    for i, stage in enumerate(TYRE):                    # TY-02 through every stage, a day each
        production.append(("TY-02", stage, None, 300, _day(3 + i)))
    production.insert(1, ("TY-01", "密炼", None, 400, _day(2)))       # TY-01 started on the 2nd
    production.insert(4, ("TY-03", "密炼", None, 500, _day(5)))
    production += [("TY-01", "压延", None, 400, _day(9)), ("TY-01", "成型", None, 150, _day(12)),
                   ("TY-03", "压延", None, 200, _day(12))]
    production.sort(key=lambda r: r[4])
    production.insert(0, production.pop())   # a late entry typed at the top: first in the sheet, not first in time
    return write_register(path, orders, production=production)


def machining_register(path: Path) -> Path:
    """A job shop: parts take different routings through the shop's stages (线切割, wire EDM, is no
    vocabulary's word: its place comes from the rows)."""
    orders = [order("MJ-101", date(2026, 9, 25), "张伟", product="轴 Φ40", qty=200),
              order("MJ-102", date(2026, 9, 28), "李娜", product="法兰盘", qty=120),
              order("MJ-103", date(2026, 10, 5), "张伟", product="模板", qty=60)]
    routes = {"MJ-101": ["下料", "车削", "热处理", "检验", "入库"],
              "MJ-102": ["下料", "车削", "铣削", "检验"],
              "MJ-103": ["下料", "铣削", "线切割", "热处理"]}
    production = []
    for no, stages in routes.items():
        qty = next(o[4] for o in orders if o[0] == no)
        for i, stage in enumerate(stages):
            production.append((no, stage, None, qty, _day(1 + 2 * i + len(no) % 3)))
    production.sort(key=lambda r: (r[4], r[1]))
    return write_register(path, orders, production=production)


def test_a_tyre_register_has_its_own_stages_in_the_order_it_works_them(tmp_path: Path) -> None:
    reg = read(tyre_register(tmp_path / "tyre.xlsx"))
    view = build_view(reg, settings_from(None))
    assert view.stages == TYRE and view.unknown_stages == []
    model = order_model(reg, today=date(2026, 8, 14))
    stages = {k: p.current_stage for k, p in model.progress.items()}
    assert stages == {"TY-01": "成型", "TY-02": "qc", "TY-03": "压延"}
    assert model.progress["TY-01"].percent == {"密炼": 100.0, "压延": 100.0, "成型": 37.5}
    assert "裁剪" not in str(model.progress)


def test_status_shows_the_tyre_stages_in_order_and_never_garment_ones(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)   # no config.toml: the project's own lists the demo's garment stages
    monkeypatch.delenv("ORDERSYNC_CONFIG", raising=False)
    path = str(tyre_register(tmp_path / "tyre.xlsx"))
    one = runner.invoke(app, ["status", path, "TY-01", "--today", "2026-08-14"], env={"COLUMNS": "120"})
    assert one.exit_code == 0, one.output
    assert "密炼 100%  →  压延 100%  →  成型 38%  →  硫化 —  →  检验 —  →  质检 —" in one.output
    listed = runner.invoke(app, ["status", path, "--today", "2026-08-14", "--format", "json"])
    data = {o["order_no"]: o for o in json.loads(listed.output)["orders"]}
    assert data["TY-01"]["current_stage"] == "成型" and data["TY-03"]["current_stage"] == "压延"
    assert "裁剪" not in one.output + listed.output and "车缝" not in one.output + listed.output


def test_a_digest_counts_open_orders_by_the_registers_stages(tmp_path: Path) -> None:
    reg = read(tyre_register(tmp_path / "tyre.xlsx"))
    cfg = Config.model_validate({"digests": [{"name": "daily", "to": ["manager"], "charts": False}]})
    cfg.path = tmp_path / "config.toml"
    with State(tmp_path / "state.db") as state:
        inputs = gather(state, cfg, reg, now=NOW, lang="zh", report=Report([]))
        mail = plan_digest(state, cfg, "daily", inputs, now=NOW, lang="zh").outgoing[0]
    # TY-02 went through every stage and waits for QC; TY-01 is at 成型, TY-03 at 压延
    text = mail.text
    line = next(ln for ln in text.splitlines() if ln.startswith("各工序未完成订单"))
    assert line.endswith("压延 1, 成型 1, 质检 1")
    html = mail.html
    assert html.index(">压延<") < html.index(">成型<") < html.index(">质检<")
    assert "裁剪" not in text + html and "车缝" not in text + html


def test_a_machine_shop_routes_parts_through_its_own_stages(tmp_path: Path) -> None:
    reg = read(machining_register(tmp_path / "jobs.xlsx"))
    view = build_view(reg, settings_from(None))
    assert view.stages == MACHINING
    assert not [f for f in reconcile(reg, today=date(2026, 8, 20)) if f.rule in ("stage-ahead", "unknown-stage")]
    model = order_model(reg, today=date(2026, 8, 20))
    assert "裁剪" not in str(model.progress) and model.progress["MJ-101"].percent["热处理"] == 100.0


def test_a_stage_ahead_of_the_one_before_is_found_in_any_trade(tmp_path: Path) -> None:
    book = Book()
    book.order("TY-9", 1000)
    for stage, done, day in (("密炼", 800, "2026-04-01"), ("压延", 600, "2026-04-03"), ("成型", 700, "2026-04-05")):
        row = book.prod("TY-9", stage, done, updated=day)
    reg = book.load(tmp_path)
    found = [f for f in reconcile(reg, today=date(2026, 4, 10)) if f.rule == "stage-ahead"]
    assert [(f.cell, f.message) for f in found] == [
        (book.cell("production", "完成数量", row), "订单 TY-9 的成型完成 700，多于前一道工序压延的 600")]


def test_a_trade_no_vocabulary_knows_is_ordered_by_each_orders_dates(tmp_path: Path) -> None:
    """A cable works' log sorted by day: the sheet's first rows are late stages of old orders."""
    book = Book()
    flow = ["拉丝", "退火", "绞线", "挤塑", "成圈"]
    for n, start in enumerate((1, 4, 8)):
        book.order(f"CB-{n}", 100)
    rows = [(f"CB-{n}", stage, f"2026-04-{start + i:02d}") for n, start in enumerate((1, 4, 8))
            for i, stage in enumerate(flow[: 5 - n])]
    for no, stage, day in sorted(rows, key=lambda r: (r[2], r[0]), reverse=True):
        book.prod(no, stage, 100, updated=day)
    view = build_view(book.load(tmp_path), settings_from(None))
    assert view.stages == flow


def test_a_garment_register_keeps_the_garment_stages_ahead(tmp_path: Path) -> None:
    book = Book()
    book.order("SO-1", 1000)
    book.prod("SO-1", "裁剪", 300, updated="2026-03-20")
    assert build_view(book.load(tmp_path), settings_from(None)).stages == ["裁剪", "车缝", "整烫", "包装"]
    english = Book()
    english.order("SO-1", 1000)
    english.prod("SO-1", "Cutting", 300, updated="2026-03-20")
    english.prod("SO-1", "Sewing", 100, updated="2026-03-22")
    assert build_view(english.load(tmp_path, "en.xlsx"), settings_from(None)).stages == [
        "Cutting", "Sewing", "Pressing", "Packing"]


def test_configured_stages_still_decide_and_name_the_unknown(tmp_path: Path) -> None:
    book = Book()
    book.order("TY-1", 1000)
    book.prod("TY-1", "密炼", 500)
    book.prod("TY-1", "喷漆", 100)
    cfg = Config.model_validate({"reconcile": {"stages": TYRE}})
    view = build_view(book.load(tmp_path), settings_from(cfg))
    assert (view.stages, view.unknown_stages) == (TYRE, ["喷漆"])


def test_a_stage_an_order_skips_is_not_where_it_waits(tmp_path: Path) -> None:
    """A part that is milled and never turned is at 铣削, not stuck before 车削."""
    book = Book()
    book.order("MJ-1", 100)
    book.order("MJ-2", 100)
    for no, stage, done, day in (("MJ-1", "下料", 100, "2026-04-01"), ("MJ-1", "车削", 100, "2026-04-02"),
                                 ("MJ-1", "铣削", 40, "2026-04-03"), ("MJ-2", "下料", 100, "2026-04-01"),
                                 ("MJ-2", "铣削", 60, "2026-04-04")):
        book.prod(no, stage, done, updated=day)
    model = order_model(book.load(tmp_path), today=date(2026, 4, 5))
    assert model.view.stages == ["下料", "车削", "铣削"]
    assert {k: p.current_stage for k, p in model.progress.items()} == {"MJ-1": "铣削", "MJ-2": "铣削"}


def test_a_reminder_behind_plan_names_the_registers_stage(tmp_path: Path) -> None:
    path = write_register(tmp_path / "tyre.xlsx", [order("TY-7", date(2026, 9, 25), "张伟", qty=1000)], production=[
        ("TY-7", "密炼", None, 1000, datetime(2026, 8, 5)), ("TY-7", "压延", None, 1000, datetime(2026, 8, 12)),
        ("TY-7", "成型", None, 50, datetime(2026, 8, 20)), ("TY-7", "成型", None, 50, datetime(2026, 9, 14))])
    cfg = Config.model_validate({"reminders": {"send_after": "00:00"}})
    cfg.path = tmp_path / "config.toml"
    with State(tmp_path / "state.db") as state:
        inputs = gather(state, cfg, read(path), now=NOW, lang="zh", report=Report([]))
        mails = plan_notices(state, cfg, inputs, now=NOW, lang="zh").outgoing
    assert [m.to[0][0] for m in mails] == ["张伟"]
    assert "== TY-7 美佳服饰 · 落后计划" in mails[0].text                 # one card per order (issue 16)
    assert "- [落后计划] 当前工序 成型，预计完成" in mails[0].text
    assert "裁剪" not in mails[0].text + mails[0].html


def test_a_production_tab_without_a_stage_column_counts_what_is_produced(tmp_path: Path) -> None:
    headers = {**HEADERS, "production": ("生产进度", ["订单号", "完成数量", "更新日期"])}
    book = Book(headers)
    book.order("SO-1", 1000)
    book.add("production", "SO-1", 400, "2026-03-20")
    model = order_model(book.load(tmp_path), today=date(2026, 3, 25))
    assert model.view.stages == ["produced"] and model.progress["SO-1"].current_stage == "produced"
    assert (stage_label("produced", "zh"), stage_label("produced", "en")) == ("生产", "production")

"""``ordersync status``: what an order follower sees in the terminal and in JSON."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sync.cli import app
from tests.registers import Book
from tests.orders.test_progress import moving_order

runner = CliRunner()
TODAY = ["--today", "2026-04-10"]


def register(tmp_path: Path) -> Path:
    book = moving_order("sewing")                                   # SO-1, 李娜: about 25 days late
    book.order("SO-2", 500, ordered="2026-03-20", due="2026-06-30", follower="张伟", status="待生产")
    book.order("SO-3", 300, ordered="2026-02-01", due="2026-03-15", follower="张伟", status="已发货")
    book.ship("SO-3", "2026-03-10", 300)
    return book.write(tmp_path / "register.xlsx")


def status(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["status", *args, *TODAY], env={"COLUMNS": "80"})
    return result.exit_code, result.output


def test_the_list_shows_open_orders_with_stage_progress_and_risk(tmp_path: Path) -> None:
    code, out = status(str(register(tmp_path)))
    assert code == 0, out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    so1 = next(line for line in lines if "SO-1" in line)
    assert "李娜" in so1 and "车缝" in so1 and "30%" in so1 and "2026-05-25" in so1 and "约晚 25 天" in so1
    assert any("SO-2" in line for line in lines)
    assert not any("SO-3" in line for line in lines)                 # shipped: only with --all
    assert "2 个订单，1 个有风险（共 3 个）" in out
    assert lines.index(so1) < lines.index(next(line for line in lines if "SO-2" in line))   # at risk first


def test_filters_and_all(tmp_path: Path) -> None:
    path = str(register(tmp_path))
    _, out = status(path, "--at-risk")
    assert "SO-1" in out and "SO-2" not in out
    _, out = status(path, "--follower", "张伟", "--lang", "en")
    assert "SO-2" in out and "SO-1" not in out and "1 order, 0 at risk (of 3)" in out
    _, out = status(path, "--all")
    assert "SO-3" in out and "已发货" in out


def test_json_lists_each_orders_progress(tmp_path: Path) -> None:
    code, out = status(str(register(tmp_path)), "--format", "json")
    assert code == 0
    data = json.loads(out)
    so1 = next(o for o in data["orders"] if o["order_no"] == "SO-1")
    assert so1 | {"percent": None} == so1 | {
        "follower": "李娜", "current_stage": "车缝", "due_date": "2026-04-30", "projected_finish": "2026-05-25",
        "days_late": 25, "at_risk": True, "percent": None}
    assert so1["percent"] == {"裁剪": 100.0, "车缝": 30.0}
    assert data["today"] == "2026-04-10"


def test_one_order_shows_its_timeline_across_the_tabs(tmp_path: Path) -> None:
    path = str(register(tmp_path))
    code, out = status(" so-1 ", path, "--lang", "en")
    assert code == 0, out
    assert "Order SO-1" in out and "~25 days late" in out
    for what, where in (("ordered", "订单登记!B2"), ("material 面料", "物料采购!F2"), ("production 裁剪", "生产进度!C2"),
                        ("production 车缝", "生产进度!C3"), ("due", "订单登记!F2")):
        line = next(line for line in out.splitlines() if what in line and where in line)
        assert line
    code, out = status("SO-3", path, "--format", "json")
    data = json.loads(out)
    assert [e["kind"] for e in data["timeline"]] == ["ordered", "shipped", "due"]
    assert data["timeline"][1] | {"cell": "C2", "qty": 300.0, "sheet": "发货记录"} == data["timeline"][1]


def test_one_orders_cross_tab_findings_are_listed_under_it(tmp_path: Path) -> None:
    book = moving_order("sewing")
    row = book.qc("SO-1", "2026-04-07", 100, 90, 20)                 # 90 + 20 is not 100
    book.ship("SO-1", "2026-04-08", 50)
    _, out = status("SO-1", str(book.write(tmp_path / "r.xlsx")))
    assert any(line.startswith(f"✗ 质检记录!E{row}") and "合格 90 + 不合格 20" in line for line in out.splitlines())


def test_an_unknown_order_is_a_clear_error(tmp_path: Path) -> None:
    code, out = status("SO-404", str(register(tmp_path)))
    assert code == 2 and "SO-404" in out


def test_tabs_that_cannot_be_joined_are_said_once(tmp_path: Path) -> None:
    book = Book()
    book.order("SO-1", 1000)
    book.tabs["materials"] = ("物料采购", ["采购单号", "物料", "需求数量", "实际到货", "到货数量"], [])
    for i in range(6):
        book.add("materials", f"PO-{i}", "面料", 100, "2026-04-07", 10)
    _, out = status(str(book.write(tmp_path / "r.xlsx")), "--lang", "en")
    assert out.count("cannot match") == 1 and "物料采购" in out


def test_config_sources_are_used_without_paths(tmp_path: Path) -> None:
    register(tmp_path)
    (tmp_path / "config.toml").write_text('[sources.main]\nkind = "excel"\npath = "register.xlsx"\n'
                                          '[reconcile]\nship_lag_days = 10\n', encoding="utf-8")
    code, out = status("--config", str(tmp_path / "config.toml"), "--format", "json")
    assert code == 0, out
    so1 = next(o for o in json.loads(out)["orders"] if o["order_no"] == "SO-1")
    assert so1["projected_finish"] == "2026-06-01"                   # 7 more days to ship


def test_bad_options_exit_2(tmp_path: Path) -> None:
    path = str(register(tmp_path))
    assert status(path, "--format", "xml")[0] == 2
    assert status(path, "SO-1", "SO-2")[0] == 2
    result = runner.invoke(app, ["status", path, "--today", "soon"])
    assert result.exit_code == 2 and "2026-04-10" in result.output


def test_sheet_text_in_square_brackets_is_shown_as_typed(tmp_path: Path) -> None:
    book = moving_order("sewing")
    book.order("SO-9", 500, ordered="2026-03-20", due="2026-06-30", follower="[b]张伟", status="待生产")
    path = str(book.write(tmp_path / "register.xlsx"))
    code, out = status(path)
    assert code == 0, out
    assert "[b]张伟" in out
    code, out = status("SO-9", path)
    assert "[b]张伟" in out

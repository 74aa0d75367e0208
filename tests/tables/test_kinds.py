"""Two tables of one kind in one workbook (issue 14): both read zero-config, both written by init, both checked.

The registers are the generated layouts l-two-plans (orders, a wide stage tracker and a weekly plan) and
m-sample-orders (orders and a sample-orders tab of another layout), from tests/layouts_kinds.py; the
figures per layout (recognised, mistakes found, no false errors) are in tests/tables/test_layouts.py.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sync.cli import app
from sync.sources import open_path
from sync.tables.kinds import second_name
from sync.tables.register import load
from tests.layouts import build

runner = CliRunner()


@pytest.fixture(autouse=True)
def quiet_env(monkeypatch, tmp_path):
    monkeypatch.delenv("ORDERSYNC_LANG", raising=False)
    monkeypatch.delenv("ORDERSYNC_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("name,kind,tables", [
    ("l-two-plans", "production", {"orders": "订单", "production": "周计划", "production_生产进度": "生产进度"}),
    ("m-sample-orders", "orders", {"orders": "订单", "orders_样品单": "样品单"})])
def test_two_layouts_of_one_kind_are_two_tables(tmp_path: Path, name: str, kind: str, tables: dict[str, str]) -> None:
    layout = build(name, tmp_path)
    register = load([open_path(p) for p in layout.paths])
    assert {n: t.sheet for n, t in register.tables.items()} == tables
    assert [t.kind for n, t in register.tables.items() if n != "orders"] == [kind] * (len(tables) - 1)


def test_init_writes_both_check_lists_both_and_doctor_passes(tmp_path: Path) -> None:
    path = build("l-two-plans", tmp_path).paths[0]
    out = tmp_path / "config.toml"
    done = runner.invoke(app, ["init", str(path), "--output", str(out)], terminal_width=200)
    assert done.exit_code == 0, done.output
    text = out.read_text(encoding="utf-8")
    config = tomllib.loads(text)
    assert config["tables"]["production"] | {"columns": None} == {
        "source": "生产跟单2026", "sheet": "周计划", "header_row": 2, "columns": None}
    assert config["tables"]["production_生产进度"]["kind"] == "production"
    assert config["tables"]["production_生产进度"]["sheet"] == "生产进度"
    assert "# a second production table of the workbook, in another layout" in text
    doctor = runner.invoke(app, ["doctor", "--config", str(out)], terminal_width=200)
    assert doctor.exit_code == 0, doctor.output
    assert "production_生产进度: 生产跟单2026 › 生产进度" in doctor.output
    check = runner.invoke(app, ["check", "--config", str(out), "--format", "json", "--today", "2026-11-20"])
    report = json.loads(check.stdout)
    assert report["summary"]["tables"] == {"orders": 69, "production": 60, "production_生产进度": 60}
    assert {f["table"] for f in report["findings"] if f["rule"] == "plan-finish-before-start"} == {
        "production", "production_生产进度"}   # the rule of the kind runs on each of its tables


def test_zero_config_check_names_both_tables(tmp_path: Path) -> None:
    path = build("m-sample-orders", tmp_path).paths[0]
    done = runner.invoke(app, ["check", str(path), "--format", "json", "--today", "2026-11-20"])
    report = json.loads(done.stdout)
    assert done.exit_code == 1
    assert report["summary"]["tables"] == {"orders": 60, "orders_样品单": 41}
    assert {s["sheet"]: s["read"] for s in report["summary"]["sheets"]} == {"订单": True, "样品单": True}


def test_a_second_table_is_named_after_its_sheet() -> None:
    assert second_name("production", "Inputs (2)") == "production_inputs_2"
    assert second_name("orders", " 样品单 ") == "orders_样品单"
    assert second_name("orders", "Samples", {"orders_samples"}) == "orders_samples_2"


def test_a_config_table_named_by_its_kind_is_read_as_that_kind(tmp_path: Path) -> None:
    path = build("m-sample-orders", tmp_path).paths[0]
    (tmp_path / "config.toml").write_text(
        f'[sources.book]\nkind = "excel"\npath = "{path.name}"\n\n'
        '[tables.samples]\nkind = "orders"\nsource = "book"\nsheet = "样品单"\n\n'
        '[tables.orders]\nsource = "book"\nsheet = "订单"\n', encoding="utf-8")
    done = runner.invoke(app, ["check", "--config", str(tmp_path / "config.toml"), "--format", "json",
                               "--today", "2026-11-20"])
    report = json.loads(done.stdout)
    assert report["summary"]["tables"] == {"samples": 41, "orders": 60}
    assert any(f["table"] == "samples" and f["rule"] == "implausible-year" for f in report["findings"])


def test_a_table_name_that_is_no_kind_still_needs_one(tmp_path: Path) -> None:
    """A typo like [tables.orders_sep] stays a clear config error (with the way to say a kind), never a traceback."""
    (tmp_path / "config.toml").write_text('[sources.r]\nkind = "excel"\npath = "r.xlsx"\n\n'
                                          '[tables.orders_sep]\nsource = "r"\n', encoding="utf-8")
    done = runner.invoke(app, ["check", "--config", str(tmp_path / "config.toml")], terminal_width=200)
    assert done.exit_code == 2 and done.exception is None or isinstance(done.exception, SystemExit)
    assert '[tables.orders_sep]: unknown table (did you mean "orders"?)' in done.output
    assert 'kind = "production"' in done.output

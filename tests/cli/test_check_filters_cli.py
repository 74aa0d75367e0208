"""``check --errors-only / --follower / --limit``: they change what is shown, never what was checked."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sync.cli import app
from tests.cli.test_check_cli import TODAY, clean_rows, workbook

runner = CliRunner()
D = dt.datetime(2026, 4, 1)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """张伟: an amount error (G8) and a short lead time (H13); 李娜: four errors on 008 and 009; one row with no order."""
    due = D + dt.timedelta(days=40)
    rows = clean_rows() + [
        ["SO-2604-007", D, "Muji HK", "MJ-T01", 400, 10.0, 40000.0, due, "张伟"],   # an extra zero
        ["SO-2604-008", D, "Muji HK", "MJ-T01", 450, 10.0, 1234.0, due, "李娜"],
        ["SO-2604-009", D, "Muji HK", "MJ-T01", 350, 10.0, 1.0, due, "李娜"],
        ["SO-2604-009", D, "UNIQLO JP", "MJ-T01", 350, 10.0, 3500.0, dt.datetime(2026, 3, 1), "李娜"],  # 2 customers
        [None, D, "Muji HK", "MJ-T01", 400, 10.0, 4000.0, due, "李娜"],
        ["SO-2604-010", D, "Muji HK", "MJ-T01", 420, 10.0, 4200.0, D + dt.timedelta(days=3), "张伟"],
    ]
    return workbook(tmp_path / "register.xlsx", rows)


def check_json(book: Path, *args: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["check", str(book), "--today", TODAY, "--format", "json", *args])
    return result.exit_code, json.loads(result.stdout)


def test_unfiltered_baseline(book):
    code, out = check_json(book)
    assert code == 1
    assert (out["summary"]["errors"], out["summary"]["warnings"], len(out["findings"])) == (6, 1, 7)
    assert "limited" not in out["summary"]   # the JSON contract is unchanged without the new options


def test_errors_only(book):
    code, out = check_json(book, "--errors-only")
    assert code == 1
    assert len(out["findings"]) == 6 and {f["severity"] for f in out["findings"]} == {"error"}
    assert out["summary"]["warnings"] == 1 and out["summary"]["selected"] == 6


def test_follower_keeps_their_orders_only(book):
    _, mine = check_json(book, "--follower", "张伟")
    assert {f["order_no"] for f in mine["findings"]} == {"SO-2604-007", "SO-2604-010"}
    _, hers = check_json(book, "--follower", " 李娜 ")
    assert {f["order_no"] for f in hers["findings"]} == {"SO-2604-008", "SO-2604-009"}
    assert len(hers["findings"]) == 4                                  # the row with no order stays out
    assert hers["summary"]["errors"] == 6                               # the summary counts what was checked


def test_follower_keeps_the_orders_they_share(tmp_path: Path):
    due = D + dt.timedelta(days=40)
    rows = clean_rows() + [["SO-2604-007", D, "Muji HK", "MJ-T01", 400, 10.0, 40000.0, due, "张伟/李娜"],
                           ["SO-2604-008", D, "Muji HK", "MJ-T01", 450, 10.0, 1234.0, due, "李娜"]]
    shared = workbook(tmp_path / "register.xlsx", rows)
    _, mine = check_json(shared, "--follower", "张伟")
    assert {f["order_no"] for f in mine["findings"]} == {"SO-2604-007"}
    _, hers = check_json(shared, "--follower", "李娜")
    assert {f["order_no"] for f in hers["findings"]} == {"SO-2604-007", "SO-2604-008"}
    status = runner.invoke(app, ["status", str(shared), "--today", TODAY, "--follower", "李娜", "--all", "--format",
                                 "json"])
    assert {o["order_no"] for o in json.loads(status.stdout)["orders"]} >= {"SO-2604-007", "SO-2604-008"}
    assert "SO-2604-001" not in {o["order_no"] for o in json.loads(status.stdout)["orders"]}


def test_exit_status_reflects_what_was_checked_not_what_was_shown(book):
    code, out = check_json(book, "--follower", "王芳")              # nobody: nothing shown
    assert out["findings"] == [] and code == 1
    code, out = check_json(book, "--follower", "张伟", "--errors-only")
    assert [f["cell"] for f in out["findings"]] == ["G8"] and code == 1


def test_limit_json_counts_stay_complete(book):
    code, out = check_json(book, "--limit", "2")
    assert code == 1 and len(out["findings"]) == 2
    assert out["summary"] | {"rules": None, "sheets": None} == {
        "tables": {"orders": 12}, "errors": 6, "warnings": 1, "info": 0, "rules": None, "sheets": None,
        "selected": 7, "shown": 2, "limited": True}


def test_limit_table_says_how_many_more(book):
    result = runner.invoke(app, ["check", str(book), "--today", TODAY, "--lang", "en", "--limit", "2"],
                           terminal_width=100)
    assert result.exit_code == 1
    assert "G8" in result.output and "G9" in result.output and "A11" not in result.output
    assert "... and 5 more not shown (--limit 2)" in result.output
    assert "6 errors, 1 warning" in result.output


def test_filters_combine_in_the_table(book):
    result = runner.invoke(app, ["check", str(book), "--today", TODAY, "--lang", "en", "--follower", "李娜",
                                 "--errors-only", "--limit", "3"], terminal_width=100)
    assert result.exit_code == 1
    assert "... and 1 more not shown (--limit 3)" in result.output
    assert "showing 3 of 7 findings" in result.output
    assert "G8" not in result.output and "H13" not in result.output and "A12" not in result.output


def test_limit_must_be_positive(book):
    result = runner.invoke(app, ["check", str(book), "--limit", "0"])
    assert result.exit_code == 2

"""``ordersync check`` never says "no problems" about what it did not read, and speaks the register's language.

Nothing recognised: each sheet, what it looks most like and what was missing, exit 2
(also in JSON, as ``summary.sheets``). Some tables recognised: a line for each sheet
that only looks like a table. No --lang, $ORDERSYNC_LANG or configured language:
the workbook's headers decide (English headers, English messages and findings).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sync.cli import app
from tests.cli.workbooks import DAILY_LOG, DAILY_LOG_EN, NOTES, ORDERS_EN, ORDERS_ZH, book

TODAY = "2026-04-20"
runner = CliRunner()


@pytest.fixture(autouse=True)
def no_outside_language(monkeypatch, tmp_path):
    """No $ORDERSYNC_LANG, no config found by accident: the workbook is the only thing that speaks."""
    monkeypatch.delenv("ORDERSYNC_LANG", raising=False)
    monkeypatch.delenv("ORDERSYNC_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


def check(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["check", *args, "--today", TODAY], terminal_width=200)
    return result.exit_code, result.output


def test_nothing_recognised_says_what_each_sheet_looks_like_and_exits_2(tmp_path):
    path = book(tmp_path / "log.xlsx", {"生产日报": DAILY_LOG, "说明": NOTES})
    code, out = check(str(path), "--lang", "en")
    assert code == 2
    assert "no problems" not in out and "no table recognised" in out
    assert "log.xlsx › 生产日报: probably production (missing: order no." in out
    assert "log.xlsx › 说明: not a table" in out
    assert "ordersync init" in out


def test_nothing_recognised_in_chinese(tmp_path):
    path = book(tmp_path / "log.xlsx", {"生产日报": DAILY_LOG})
    code, out = check(str(path))
    assert code == 2 and "没有发现问题" not in out
    assert "没有认出任何表" in out and "生产日报: 可能是生产表 (缺: 订单号" in out


def test_nothing_recognised_in_json_names_each_sheets_verdict(tmp_path):
    path = book(tmp_path / "log.xlsx", {"生产日报": DAILY_LOG, "说明": NOTES})
    code, out = check(str(path), "--format", "json", "--lang", "en")
    assert code == 2
    data = json.loads(out)
    assert data["findings"] == [] and data["summary"]["tables"] == {}
    sheets = {s["sheet"]: s for s in data["summary"]["sheets"]}
    assert sheets["生产日报"] | {"message": None} == {
        "source": "log.xlsx", "sheet": "生产日报", "verdict": "probable", "table": "production", "read": False,
        "header_row": 1, "key": [], "missing": sheets["生产日报"]["missing"], "guess": ["probable"], "message": None}
    assert sheets["生产日报"]["missing"][0] == "order_no"
    assert sheets["说明"]["verdict"] == "none" and sheets["说明"]["message"] == "not a table"


def test_a_sheet_that_only_looks_like_a_table_gets_a_line_not_an_error(tmp_path):
    path = book(tmp_path / "register.xlsx", {"订单": ORDERS_ZH, "生产日报": DAILY_LOG, "说明": NOTES})
    code, out = check(str(path), "--lang", "en")
    assert code == 0
    assert "no problems found" in out
    assert "• register.xlsx › 生产日报: probably production (missing: order no." in out and "not checked" in out
    assert "说明" not in out   # not a table, and tables were found: nothing to say about it
    code, out = check(str(path), "--format", "json")
    verdicts = {s["sheet"]: (s["verdict"], s["read"]) for s in json.loads(out)["summary"]["sheets"]}
    assert verdicts == {"订单": ("recognised", True), "生产日报": ("probable", False), "说明": ("none", False)}


def test_a_sheet_of_order_numbers_that_reads_as_no_table_is_said_not_passed_over(tmp_path):
    """A tab with an 订单号 column that is no table ordersync knows (a list of returned orders): its rows were not
    checked, and the check says so instead of staying silent as for a sheet of notes."""
    returns = [["退货", "订单号"], ["是", "SO-2604-001"], ["是", "SO-2604-002"], ["是", "SO-2604-003"]]
    path = book(tmp_path / "register.xlsx", {"订单": ORDERS_ZH, "跟进备注": returns, "说明": NOTES})
    code, out = check(str(path), "--lang", "en")
    assert code == 0
    assert "• register.xlsx › 跟进备注: has a '订单号' column but reads as no table" in out and "not checked" in out
    assert "说明" not in out
    code, out = check(str(path), "--format", "json")
    sheets = {s["sheet"]: s for s in json.loads(out)["summary"]["sheets"]}
    assert (sheets["跟进备注"]["verdict"], sheets["跟进备注"]["read"]) == ("none", False)
    assert sheets["跟进备注"]["message"].startswith("有“订单号”列，但看不出是哪种表")


def test_english_headers_get_english_messages_and_findings(tmp_path):
    path = book(tmp_path / "orders.xlsx", {"Orders": ORDERS_EN})
    code, out = check(str(path), "--format", "json")
    data = json.loads(out)
    bad = next(f for f in data["findings"] if f["cell"] == "E8")
    assert bad["message"].isascii(), bad["message"]
    code, out = check(str(path))
    assert "1 table, 7 rows" in out and "张表" not in out


def test_chinese_headers_get_chinese_messages(tmp_path):
    path = book(tmp_path / "register.xlsx", {"订单": ORDERS_ZH})
    code, out = check(str(path))
    assert code == 0 and "没有发现问题" in out


@pytest.mark.parametrize("how", ["flag", "env", "config"])
def test_a_language_asked_for_or_configured_wins_over_the_workbooks(how, tmp_path, monkeypatch):
    path = book(tmp_path / "orders.xlsx", {"Orders": ORDERS_EN})
    args = [str(path)]
    if how == "flag":
        args += ["--lang", "zh"]
    elif how == "env":
        monkeypatch.setenv("ORDERSYNC_LANG", "zh")
    else:
        (tmp_path / "config.toml").write_text('[service]\nlanguage = "zh"\n', encoding="utf-8")
        args += ["--config", str(tmp_path / "config.toml")]
    code, out = check(*args)
    assert "张表" in out, out


def test_a_config_that_does_not_say_lets_the_workbook_speak(tmp_path):
    path = book(tmp_path / "orders.xlsx", {"Orders": ORDERS_EN})
    (tmp_path / "config.toml").write_text(
        f'[sources.book]\nkind = "excel"\npath = "{path.name}"\n', encoding="utf-8")
    code, out = check("--config", str(tmp_path / "config.toml"))
    assert "1 table, 7 rows" in out, out


def test_status_speaks_the_workbooks_language(tmp_path):
    path = book(tmp_path / "orders.xlsx", {"Orders": ORDERS_EN})
    result = runner.invoke(app, ["status", str(path), "--today", TODAY], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "orders" in result.output and "个订单" not in result.output


def test_nothing_recognised_in_an_english_workbook_is_said_in_english(tmp_path):
    path = book(tmp_path / "log.xlsx", {"Daily": DAILY_LOG_EN})
    code, out = check(str(path))
    assert code == 2 and "no table recognised" in out


def test_a_real_tracker_with_no_order_number_is_read_on_a_guessed_key_and_says_so(corpus: Path):
    """sidh's plans have no order number: each is read on the columns its rows are told apart by (issue 14),
    a guess said per sheet, and a check that found nothing on a guess gives no green tick."""
    code, out = check(str(corpus / "trackers" / "sidh__Production_Planning.xlsx"))
    assert code == 0, out
    for sheet, key in (("Plan 1", "A Date + C Material in plates/Part No + D Material in plates/Size"),
                       ("Plan 2", "A Date + C Material in plates/Part No")):
        assert (f"sidh__Production_Planning.xlsx › {sheet}: a plan without an order-number column: rows told apart "
                f"by {key} (a guess from their values)") in out
    assert "✓" not in out and "read on a guessed key" in out


def test_a_real_tracker_read_on_a_guessed_key_says_it_is_a_guess(corpus: Path):
    """Its key is the item code under "No" in A (truth; issue 14), a column headed as a row counter: a guess."""
    code, out = check(str(corpus / "trackers" / "hoangpipe__PO.xlsx"))
    assert code in (0, 1)
    assert "CUS030: A No taken as the order number (a guess from its header)" in out

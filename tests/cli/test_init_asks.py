"""``ordersync init`` is honest about what it guessed.

On a terminal (a real pseudo-terminal here, answered as a person would) it asks
about each table that is a guess and writes the answers into config.toml; piped,
it writes its best guess with comments saying what is a guess and exits 1 (0 when
everything was recognised). What it writes reads back as it was found (doctor passes).
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sync.cli import app
from tests.cli.workbooks import DAILY_LOG, NOTES, ORDERS_ZH, book

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

#: orders keyed by style + buyer: no order number, so the key is a composite, a guess
COMPOSITE = [["No.", "Style", "Buyer", "Qty", "Ex-factory Date", "Unit Price"],
             *[[i, f"ST-{i}", "ACME", 100 * i, f"2026-09-{i:02d}", 2.5] for i in range(1, 9)]]


@pytest.fixture(autouse=True)
def quiet_env(monkeypatch, tmp_path):
    monkeypatch.delenv("ORDERSYNC_LANG", raising=False)
    monkeypatch.delenv("ORDERSYNC_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


def init_piped(tmp_path: Path, path: Path, *more: str) -> tuple[int, str, str]:
    out = tmp_path / "config.toml"
    result = runner.invoke(app, ["init", str(path), "--output", str(out), *more], terminal_width=200)
    return result.exit_code, result.output, out.read_text(encoding="utf-8") if out.exists() else ""


def doctor(tmp_path: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["doctor", "--config", str(tmp_path / "config.toml")], terminal_width=200)
    return result.exit_code, result.output


def test_everything_recognised_exits_0_and_says_no_guess(tmp_path):
    code, out, text = init_piped(tmp_path, book(tmp_path / "register.xlsx", {"订单": ORDERS_ZH}))
    assert code == 0, out
    assert "GUESS" not in text and 'language = "zh"' in text
    assert doctor(tmp_path)[0] == 0


def test_piped_a_composite_key_is_written_as_a_guess_and_exits_1(tmp_path):
    code, out, text = init_piped(tmp_path, book(tmp_path / "orders.xlsx", {"Orders": COMPOSITE}))
    assert code == 1, out
    assert 'language = "en"' in text   # English headers: an English config and English messages
    assert "# A GUESS: no order_no column: rows are identified by B Style + C Buyer together." in text
    assert "is read on a guessed key" in out
    config = tomllib.loads(text)
    assert config["tables"]["orders"]["sheet"] == "Orders"   # written, active: the key is a guess, not absent
    assert doctor(tmp_path)[0] == 0


def test_piped_a_probable_table_is_written_commented_out_and_exits_1(tmp_path):
    code, out, text = init_piped(tmp_path, book(tmp_path / "log.xlsx", {"生产日报": DAILY_LOG, "说明": NOTES}))
    assert code == 1, out
    assert "# A GUESS, not read: 生产日报 looks like production, but no column is its order_no." in text
    assert "# [tables.production]" in text and "tables" not in tomllib.loads(text)
    assert "生产日报 是猜测，未启用" in out
    code, said = doctor(tmp_path)
    assert code == 1 and "没有认出任何表" in said and "生产日报: 可能是生产表" in said


def test_nothing_that_even_looks_like_a_table_exits_2(tmp_path):
    code, out, _ = init_piped(tmp_path, book(tmp_path / "notes.xlsx", {"说明": NOTES}))
    assert code == 2


# --- on a terminal ------------------------------------------------------------------------------

def init_on_a_terminal(tmp_path: Path, path: Path, answers: list[str]) -> tuple[int, str, str]:
    """Run ``ordersync init`` with a pseudo-terminal as stdin and stdout; type each answer after a question."""
    main, child = os.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("ORDERSYNC_LANG", "ORDERSYNC_CONFIG")}
    env |= {"PYTHONPATH": str(ROOT), "COLUMNS": "200", "TERM": "dumb"}
    out = tmp_path / "config.toml"
    proc = subprocess.Popen([sys.executable, "-m", "sync", "init", str(path), "--output", str(out)],
                            stdin=child, stdout=child, stderr=child, cwd=tmp_path, env=env, close_fds=True)
    os.close(child)
    seen, pending = b"", list(answers)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(main, 4096)
            except OSError:   # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
            if pending and (seen.rstrip().endswith((b"[Y/n]", b")")) or seen.rstrip().endswith("）".encode())):
                os.write(main, pending.pop(0).encode() + b"\n")
        elif proc.poll() is not None:
            break
    code = proc.wait(timeout=30)
    os.close(main)
    return code, seen.decode("utf-8", "replace"), out.read_text(encoding="utf-8") if out.exists() else ""


def test_on_a_terminal_a_composite_key_is_confirmed(tmp_path):
    code, said, text = init_on_a_terminal(tmp_path, book(tmp_path / "orders.xlsx", {"Orders": COMPOSITE}), ["y"])
    assert "Orders looks like an orders table: order no. = B Style" not in said   # the key is style + buyer
    assert "Orders looks like an orders table: product = B Style, customer = C Buyer, quantity = D Qty" in said
    assert "— right? [Y/n]" in said
    assert code == 0, said
    assert "# rows are identified by B Style + C Buyer: a person confirmed it at init" in text


def test_on_a_terminal_no_then_the_order_number_column(tmp_path):
    rows = [["编号", "Style", "Buyer", "Qty", "Ex-factory Date", "Ref"],
            *[[i, f"ST-{i}", "ACME", 100 * i, f"2026-09-{i:02d}", f"PO-{i:03d}"] for i in range(1, 9)]]
    path = book(tmp_path / "orders.xlsx", {"Orders": rows})
    code, said, text = init_on_a_terminal(tmp_path, path, ["n", "Ref"])
    assert "which column is the order number? (letter or header; empty to skip)" in said
    assert code == 0, said
    config = tomllib.loads(text)
    assert config["tables"]["orders"]["columns"]["order_no"] == "F"
    assert "# order_no is column F: a person said so at init" in text
    assert doctor(tmp_path)[0] == 0
    result = runner.invoke(app, ["check", "--config", str(tmp_path / "config.toml"), "--format", "json",
                                 "--today", "2026-08-01"])
    assert result.exit_code in (0, 1), result.output
    summary = json.loads(result.stdout)["summary"]
    assert summary["tables"] == {"orders": 8}
    assert [s["key"] for s in summary["sheets"]] == [["F"]]   # read on the column the person named


def test_on_a_terminal_a_probable_table_gets_its_key_and_is_read(tmp_path):
    log = [["日期", "人员", "型号", "数量", "工艺", "工单"],
           *[[f"6.{d}", "张三", "113-78", 100 + d, "喷涂", f"WO-{d}"] for d in range(1, 8)]]
    path = book(tmp_path / "log.xlsx", {"生产日报": log})
    code, said, text = init_on_a_terminal(tmp_path, path, ["", "F"])
    assert "生产日报 看起来是生产表（没有找到订单号列）" in said and "—— 对吗？[Y/n]" in said
    assert "生产日报：哪一列是订单号？（列字母或表头，回车跳过）" in said
    assert code == 0, said
    config = tomllib.loads(text)
    assert config["tables"]["production"] | {"columns": None} == {
        "source": "log", "sheet": "生产日报", "header_row": 1, "columns": None}
    assert config["tables"]["production"]["columns"]["order_no"] == "F"
    code, out = doctor(tmp_path)
    assert code == 0, out
    assert "production: log › 生产日报, 7 rows" in out or "production: log › 生产日报，7 行" in out


def test_on_a_terminal_an_unknown_column_is_asked_again_and_empty_leaves_the_guess(tmp_path):
    path = book(tmp_path / "log.xlsx", {"生产日报": DAILY_LOG})
    code, said, text = init_on_a_terminal(tmp_path, path, ["n", "ZZ", ""])
    assert "表头里没有「ZZ」" in said
    assert code == 1
    assert "# [tables.production]" in text


# qosi: its "Others Machines" plan has no order-number column (its "Order" column repeats the quantity): a
# table read with no key is a guess, so init exits 1 (issue 14: "exits non-zero when a table is a guess")
@pytest.mark.parametrize("name,code", [("qosi__Production_Plan.xlsx", 1), ("hoangpipe__PO.xlsx", 1),
                                       ("kusokpi__生产时效性统计表-20211001-20211031.xlsx", 0),
                                       ("sidh__Production_Planning.xlsx", 1)])
def test_real_trackers_init_says_what_is_a_guess_and_reads_back_as_found(tmp_path, corpus, name, code):
    """Piped: exit 0 when all was recognised, 1 with a guess; what is written (a two-row header left
    unpinned) reads back the columns that were found, so doctor passes wherever a table was written."""
    got, out, text = init_piped(tmp_path, corpus / "trackers" / name)
    assert got == code, out
    assert ("GUESS" in text) == (code == 1)
    said = doctor(tmp_path)
    assert said[0] == (0 if "\n[tables." in text else 1), said[1]


def test_check_with_the_written_config_does_not_call_a_configured_key_a_guess(tmp_path):
    init_piped(tmp_path, book(tmp_path / "orders.xlsx", {"Orders": COMPOSITE}))
    result = runner.invoke(app, ["check", "--config", str(tmp_path / "config.toml"), "--today", "2026-08-01"],
                           terminal_width=200)
    assert "a guess" not in result.output and "table, 8 rows" in result.output
    zero = runner.invoke(app, ["check", str(tmp_path / "orders.xlsx"), "--today", "2026-08-01"], terminal_width=200)
    assert "Orders: rows told apart by B Style + C Buyer together (a guess" in zero.output


def test_on_a_terminal_the_key_named_for_monthly_tabs_keeps_them_one_table(tmp_path):
    def month(m: int) -> list[list]:
        return [["编号", "Style", "Buyer", "Qty", "Ex-factory Date", "Ref"],
                *[[i, f"ST-{i}", "ACME", 100 * i, f"2026-{m:02d}-{i:02d}", f"PO-{m}{i:02d}"] for i in range(1, 7)]]

    path = book(tmp_path / "2026.xlsx", {"8月": month(8), "9月": month(9)})
    code, said, text = init_on_a_terminal(tmp_path, path, ["n", "f"])
    assert code == 0, said
    config = tomllib.loads(text)
    assert config["tables"]["orders"]["sheets"] == ["*月"]     # the months' tabs, next month's too
    assert config["tables"]["orders"]["columns"]["order_no"] == "F"
    result = runner.invoke(app, ["check", "--config", str(tmp_path / "config.toml"), "--format", "json",
                                 "--today", "2026-08-01"])
    summary = json.loads(result.stdout)["summary"]
    assert summary["tables"] == {"orders": 12} and {s["sheet"]: s["key"] for s in summary["sheets"]} == {
        "8月": ["F"], "9月": ["F"]}

"""``ordersync check`` as the user runs it: exit status, table, JSON contract, xlsx report."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from sync.cli import app

TODAY = "2026-05-20"
runner = CliRunner()


def workbook(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "订单登记"
    ws.append(["订单号", "下单日期", "客户", "款号", "订单数量", "单价", "金额", "交货日期", "跟单员"])
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows():
        for cell in row:  # text that starts with "=": what a user typed as text, not a formula
            if isinstance(cell.value, str) and cell.value.startswith("TEXT:"):
                cell.value = cell.value[5:]
                cell.data_type = "s"
    wb.save(path)
    return path


def clean_rows() -> list[list]:
    d = dt.datetime(2026, 4, 1)
    return [[f"SO-2604-{i:03d}", d, "Muji HK", "MJ-T01", q, 10.0, q * 10.0, d + dt.timedelta(days=40), "张伟"]
            for i, q in enumerate([300, 450, 600, 500, 350, 400], start=1)]


def dirty(tmp_path: Path) -> Path:
    rows = clean_rows() + [["SO-2604-007", dt.datetime(2026, 4, 1), "Muji HK", "MJ-T01", 5000, 10.0, 50000.0,
                            dt.datetime(2026, 5, 1), "TEXT:=HYPERLINK(\"http://x\")"],
                           ["SO-2604-008", dt.datetime(2026, 4, 1), "Muji HK", "MJ-T01", "TEXT:=1+1", 10.0, None,
                            dt.datetime(2026, 5, 1), "李娜"]]
    return workbook(tmp_path / "register.xlsx", rows)


def test_clean_register_exits_0(tmp_path):
    book = workbook(tmp_path / "clean.xlsx", clean_rows())
    result = runner.invoke(app, ["check", str(book), "--today", TODAY, "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "no problems found" in result.output


def test_errors_exit_1_table_fits_80_columns(tmp_path):
    result = runner.invoke(app, ["check", str(dirty(tmp_path)), "--today", TODAY], terminal_width=80)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert any(line.startswith("订单登记 (register.xlsx)") for line in lines)
    assert "通常为 320–550（Muji HK / MJ-T01），此处为 5000：多打了一个 0？" in " ".join(result.output.split())
    assert "E8" in result.output and "E9" in result.output


def test_json_follows_the_contract(tmp_path):
    out = tmp_path / "findings.json"
    result = runner.invoke(app, ["check", str(dirty(tmp_path)), "--format", "json", "--output", str(out),
                                 "--today", TODAY, "--lang", "en"])
    assert result.exit_code == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    outlier = next(f for f in data["findings"] if f["rule"] == "quantity-outlier")
    assert {k: outlier[k] for k in ("severity", "table", "sheet", "row", "column", "cell", "field", "order_no",
                                    "value")} == {
        "severity": "error", "table": "orders", "sheet": "订单登记", "row": 8, "column": "订单数量", "cell": "E8",
        "field": "quantity", "order_no": "SO-2604-007", "value": "5000"}
    assert outlier["message"] == "订单数量 is usually 320–550 for Muji HK / MJ-T01, got 5000: an extra zero?"
    assert outlier["hint"] == "did you mean 500?"
    assert data["summary"]["tables"] == {"orders": 8} and data["summary"]["errors"] >= 2


def test_xlsx_report_links_cells_and_never_writes_formulas(tmp_path):
    """The findings workbook (issue 18): a sheet per follower, the location a link relative to the report."""
    book = dirty(tmp_path)
    out = tmp_path / "report.xlsx"
    result = runner.invoke(app, ["check", str(book), "--format", "xlsx", "--output", str(out), "--today", TODAY])
    assert result.exit_code == 1, result.output
    wb = openpyxl.load_workbook(out)
    rows = []
    for ws in wb.worksheets[1:]:
        header = [c.value for c in ws[1]]
        rows += [dict(zip(header, (c for c in row))) for row in ws.iter_rows(min_row=2)]
    outlier = next(r for r in rows if r["位置"].value == "订单登记!E8")
    assert outlier["填写值"].value == 5000 and outlier["填写值"].data_type == "n"
    link = outlier["位置"].hyperlink
    assert (link.target.replace("\\", "/"), link.location) == (book.name, "'订单登记'!E8")
    for row in rows:
        for cell in row.values():
            assert cell.data_type != "f", (cell.coordinate, cell.value)
    values = {c.value for r in rows for c in r.values()}
    summary = {c.value for row in wb.worksheets[0].iter_rows() for c in row if c.data_type != "f"}
    assert "=1+1" in values and '=HYPERLINK("http://x")' in summary  # kept as text (a follower's name)
    assert not any(c.data_type == "f" for row in wb.worksheets[0].iter_rows() for c in row)


def test_unreadable_file_exits_2_and_is_named(tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip at all")
    result = subprocess.run([str(Path(sys.executable).parent / "ordersync"), "check", str(broken), "--format", "json",
                             "--today", TODAY, "--lang", "en"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    data = json.loads(result.stdout)
    assert data["findings"][0]["rule"] == "source-unreadable"
    assert "broken.xlsx" in data["findings"][0]["message"]


def test_bad_rule_pack_exits_2_naming_file_line_and_key(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "orders.toml").write_text('table = "orders"\n\n[[rules]]\nid = "x"\ntype = "range"\n'
                                       'field = "quantity"\nminn = 1\n', encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text('[rules]\npaths = ["rules"]\n', encoding="utf-8")
    result = runner.invoke(app, ["check", str(dirty(tmp_path)), "--config", str(config)])
    assert result.exit_code == 2
    assert "orders.toml line 7, rule 'x', key 'minn': unknown key for a range rule" in " ".join(result.output.split())

"""``ordersync init`` then ``doctor`` and ``check`` in a folder of its own, as after a wheel install.

The config init writes names ``[rules] paths = ["rules"]``; outside the
repository there is no rules/ folder, so init puts a copy of the shipped packs
there for the user to edit, and leaves a folder the user already has alone.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from sync.cli import app
from sync.checks.pipeline import SHIPPED_RULES

runner = CliRunner()


def office(tmp_path: Path) -> Path:
    """A folder with a register holding one duplicated order number; no rules/, no config."""
    folder = tmp_path / "office"
    folder.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "订单登记"
    ws.append(["订单号", "下单日期", "客户", "款号", "订单数量", "单价", "金额", "交货日期", "跟单员"])
    d = dt.datetime(2026, 4, 1)
    for i, q in enumerate([300, 450, 600, 500, 350, 400], start=1):
        ws.append([f"SO-2604-{i:03d}", d, "Muji HK", "MJ-T01", q, 10.0, q * 10.0, d + dt.timedelta(days=40), "张伟"])
    ws.append(["SO-2604-001", d, "Muji HK", "MJ-T01", 300, 10.0, 3000.0, d + dt.timedelta(days=40), "张伟"])
    wb.save(folder / "register.xlsx")
    return folder


def init(folder: Path) -> str:
    result = runner.invoke(app, ["init", str(folder / "register.xlsx"), "--output", str(folder / "config.toml"),
                                 "--lang", "en"])
    assert result.exit_code == 0, result.output
    return result.output


def check(folder: Path) -> tuple[int, set[str]]:
    result = runner.invoke(app, ["check", "--config", str(folder / "config.toml"), "--format", "json",
                                 "--today", "2026-04-20"])
    return result.exit_code, {f["rule"] for f in json.loads(result.stdout)["findings"]}


def test_init_copies_the_shipped_rules_so_check_and_doctor_run(tmp_path):
    folder = office(tmp_path)
    out = init(folder)
    assert "copied the shipped rule packs" in out
    shipped = sorted(p.name for p in SHIPPED_RULES.iterdir() if p.is_file())
    assert sorted(p.name for p in (folder / "rules").iterdir()) == shipped
    assert (folder / "rules" / "orders.toml").read_bytes() == (SHIPPED_RULES / "orders.toml").read_bytes()
    code, rules = check(folder)
    assert code == 1 and "duplicate-order" in rules
    doctor = runner.invoke(app, ["doctor", "--config", str(folder / "config.toml")])
    assert doctor.exit_code == 0, doctor.output
    assert "rules:" in doctor.output or "规则" in doctor.output


def test_init_leaves_the_users_rules_folder_alone(tmp_path):
    folder = office(tmp_path)
    (folder / "rules").mkdir()
    own = 'table = "orders"\n\n[[rules]]\nid = "customer-required"\ntype = "required"\nfields = ["customer"]\n'
    (folder / "rules" / "mine.toml").write_text(own, encoding="utf-8")
    out = init(folder)
    assert "copied" not in out
    assert [p.name for p in (folder / "rules").iterdir()] == ["mine.toml"]
    assert (folder / "rules" / "mine.toml").read_text(encoding="utf-8") == own
    code, rules = check(folder)
    assert code == 0 and "duplicate-order" not in rules


def test_a_missing_rules_folder_is_named_with_its_section(tmp_path):
    folder = office(tmp_path)
    init(folder)
    config = folder / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('paths = ["rules"]', 'paths = ["regeln"]'),
                      encoding="utf-8")
    doctor = runner.invoke(app, ["doctor", "--config", str(config)])
    said = " ".join(doctor.output.split())   # unwrapped
    assert doctor.exit_code == 2
    assert "[rules] paths" in said and "regeln does not exist" in said
    checked = runner.invoke(app, ["check", "--config", str(config)])
    assert checked.exit_code == 2
    assert "[rules] paths" in " ".join(checked.output.split())   # the error boundary prints [sections], not markup


def follower_folder(tmp_path: Path, names: tuple[str, ...]) -> Path:
    """A folder of registers, one per follower, each with orders of its own on a 订单登记 tab."""
    folder = tmp_path / "office"
    (folder / "registers").mkdir(parents=True)
    d = dt.datetime(2026, 4, 1)
    for n, name in enumerate(names):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "订单登记"
        ws.append(["订单号", "下单日期", "客户", "款号", "订单数量", "交货日期", "跟单员"])
        for i in range(1, 5):
            ws.append([f"F{n}-{i:03d}", d, "Muji HK", "MJ-T01", 100 * i, d + dt.timedelta(days=40), name])
        wb.save(folder / "registers" / f"{name}.xlsx")
    return folder


def test_init_on_a_register_per_follower_writes_one_glob_that_reads_every_one(tmp_path, monkeypatch):
    folder = follower_folder(tmp_path, ("follower-a", "follower-b", "follower-c"))
    monkeypatch.chdir(folder)
    books = [str(p) for p in sorted((folder / "registers").glob("*.xlsx"))]
    result = runner.invoke(app, ["init", *books, "--lang", "en"], terminal_width=200)
    assert result.exit_code == 0, result.output
    text = (folder / "config.toml").read_text(encoding="utf-8")
    assert '[sources.registers]' in text and 'path = "registers/*.xlsx"' in text and 'source = "registers"' in text
    assert "[sources.follower-a]" not in text
    checked = runner.invoke(app, ["check", "--config", "config.toml", "--format", "json", "--today", "2026-04-02"])
    assert json.loads(checked.stdout)["summary"]["tables"] == {"orders": 12}     # every follower's orders

    # a workbook added later is read too
    wb = openpyxl.load_workbook(folder / "registers" / "follower-a.xlsx")
    wb["订单登记"]["A2"] = "F9-001"
    for row in range(3, 6):
        wb["订单登记"].cell(row, 1).value = f"F9-{row:03d}"
    wb.save(folder / "registers" / "follower-d.xlsx")
    checked = runner.invoke(app, ["check", "--config", "config.toml", "--format", "json", "--today", "2026-04-02"])
    assert json.loads(checked.stdout)["summary"]["tables"] == {"orders": 16}


def test_init_on_some_of_a_folders_registers_says_the_config_reads_fewer_rows(tmp_path, monkeypatch):
    # two of the three: no glob matches just them, and one [sources] per workbook reads only one table's rows
    folder = follower_folder(tmp_path, ("follower-a", "follower-b", "other"))
    monkeypatch.chdir(folder)
    books = [str(folder / "registers" / f"follower-{x}.xlsx") for x in "ab"]
    result = runner.invoke(app, ["init", *books, "--lang", "en"], terminal_width=200)
    text = (folder / "config.toml").read_text(encoding="utf-8")
    assert 'path = "registers/follower-*.xlsx"' in text    # the names begin alike: a glob for just them
    assert "the config.toml written reads" not in " ".join(result.output.split())

    folder = follower_folder(tmp_path / "2", ("张丽", "王芳", "李娜"))
    monkeypatch.chdir(folder)
    result = runner.invoke(app, ["init", str(folder / "registers" / "张丽.xlsx"), str(folder / "registers" / "王芳.xlsx"),
                                 "--lang", "en"], terminal_width=200)
    out = " ".join(result.output.split())
    assert "! orders: the workbooks hold 8 rows, the config.toml written reads 4; check its source and sheets" in out


def monthly_book(path: Path, months: tuple[int, ...]) -> Path:
    wb = openpyxl.Workbook() if not path.exists() else openpyxl.load_workbook(path)
    if not path.exists():
        wb.remove(wb.active)
    for m in months:
        ws = wb.create_sheet(f"{m}月")
        ws.append(["订单号", "下单日期", "客户", "款号", "订单数量", "交货日期", "跟单员"])
        for i in range(1, 4):
            ws.append([f"M{m}-{i}", dt.datetime(2026, m, 1), "Muji HK", "MJ-T01", 300, dt.datetime(2026, m, 25),
                       "张伟"])
    wb.save(path)
    return path


def test_init_on_monthly_tabs_reads_next_months_tab_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    book = monthly_book(tmp_path / "订单.xlsx", (7, 8, 9))
    assert runner.invoke(app, ["init", str(book), "--lang", "en"]).exit_code == 0
    text = (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert 'sheets = ["*月"]   # every tab named like 7月, 8月, 9月, those added later too' in text
    monthly_book(book, (10,))      # a month later, the follower adds 10月
    checked = runner.invoke(app, ["check", "--config", "config.toml", "--format", "json", "--today", "2026-10-02"])
    data = json.loads(checked.stdout)
    assert data["summary"]["tables"] == {"orders": 12}
    assert [s["sheet"] for s in data["summary"]["sheets"]] == ["7月", "8月", "9月", "10月"]


def test_a_tab_named_like_the_configured_ones_but_not_read_is_said(tmp_path, monkeypatch):
    """A config that names its months (written by hand, or by an older init): next month's tab is a warning on
    that tab, with the pattern that reads it, not a month of orders nobody checks."""
    monkeypatch.chdir(tmp_path)
    monthly_book(tmp_path / "订单.xlsx", (7, 8, 9, 10))
    (tmp_path / "config.toml").write_text(
        '[service]\nlanguage = "en"\n\n[sources.book]\nkind = "excel"\npath = "订单.xlsx"\n\n'
        '[tables.orders]\nsource = "book"\nsheets = ["7月", "8月", "9月"]\n', encoding="utf-8")
    checked = runner.invoke(app, ["check", "--config", "config.toml", "--format", "json", "--today", "2026-10-02"])
    said = [(f["rule"], f["severity"], f["sheet"], f["message"], f["hint"])
            for f in json.loads(checked.stdout)["findings"] if f["rule"] == "sheet-not-read"]
    assert said == [("sheet-not-read", "warning", "10月", "sheet 10月 is named like 7月, 8月, 9月 (orders) but "
                     "config.toml does not read it", 'set sheets = ["*月"] under [tables.orders] in config.toml: tabs '
                     "added later are read too")]


def test_init_on_a_register_without_a_follower_shows_where_to_say_whose_it_is(tmp_path):
    """No 跟单员 column and a name that names no one (register-3.xlsx): the written source carries a commented
    ``follower`` to fill in; a register with the column (or named 张丽.xlsx) gets none."""
    folder = tmp_path / "books"
    folder.mkdir()
    for name, follower in (("register-3.xlsx", False), ("张丽.xlsx", False), ("register.xlsx", True)):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "订单登记"
        ws.append(["订单号", "下单日期", "客户", "款号", "订单数量", "交货日期"] + (["跟单员"] if follower else []))
        ws.append(["SO-1", dt.datetime(2026, 4, 1), "Muji HK", "MJ-T01", 300, dt.datetime(2026, 5, 1)]
                  + (["张伟"] if follower else []))
        wb.save(folder / name)
    hint = '# follower = "Anna"   # no follower column: say whose register this is, so its reminders reach someone'
    for name, said in (("register-3.xlsx", True), ("张丽.xlsx", False), ("register.xlsx", False)):
        out = folder / f"{name}.toml"
        result = runner.invoke(app, ["init", str(folder / name), "--output", str(out), "--lang", "en"])
        assert result.exit_code == 0, result.output
        assert (hint in out.read_text(encoding="utf-8")) == said, name

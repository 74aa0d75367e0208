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

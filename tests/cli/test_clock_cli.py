"""One clock: ``status`` and ``check`` see the day where the register is kept, not the host's.

At 01:25 in Shanghai a UTC host is still at 17:25 of the day before. ``$ORDERSYNC_NOW`` pins the
instant (``sync.calendar.local_now``); the config's [service] timezone says whose day it is.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sync.cli import app
from tests.registers import Book

runner = CliRunner()
SHANGHAI_0125 = "2026-09-14T17:25:00Z"     # 2026-09-15 01:25 in Asia/Shanghai


def workbook(tmp_path: Path) -> Path:
    book = Book()
    book.order("SO-1", 500, ordered="2026-08-01", due="2026-09-14", follower="张伟", status="生产中")
    book.order("SO-2", 300, ordered="2026-08-01", due="2026-10-30", follower="张伟", status="生产中")
    book.ship("SO-2", "2026-12-20", 100)     # a shipment dated in the future: check names today
    return book.write(tmp_path / "register.xlsx")


def config(tmp_path: Path, zone: str) -> Path:
    path = tmp_path / f"config-{zone.replace('/', '-')}.toml"
    path.write_text(f'[service]\ntimezone = "{zone}"\nlanguage = "en"\n\n'
                    '[sources.register]\nkind = "excel"\npath = "register.xlsx"\n', encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"ORDERSYNC_NOW": SHANGHAI_0125, "COLUMNS": "120"})
    return result.exit_code, result.output


def test_status_says_the_registers_today_not_the_hosts(tmp_path: Path) -> None:
    workbook(tmp_path)
    code, out = run("status", "--format", "json", "--config", str(config(tmp_path, "Asia/Shanghai")))
    assert code == 0, out
    data = json.loads(out)
    assert data["today"] == "2026-09-15"
    so1 = next(o for o in data["orders"] if o["order_no"] == "SO-1")
    assert so1["days_late"] == 1                  # due yesterday in Shanghai: overdue, as the mail says
    code, out = run("status", "--format", "json", "--config", str(config(tmp_path, "UTC")))
    assert json.loads(out)["today"] == "2026-09-14"


def test_check_judges_dates_against_the_registers_today(tmp_path: Path) -> None:
    workbook(tmp_path)
    code, out = run("check", "--format", "json", "--config", str(config(tmp_path, "Asia/Shanghai")))
    assert code in (0, 1), out
    messages = [f["message"] for f in json.loads(out)["findings"]]
    assert any("2026-12-20 is in the future (today is 2026-09-15)" in m for m in messages), messages
    assert any("SO-1 is 1 day overdue" in m for m in messages), messages


def test_zero_config_uses_the_default_zone_shanghai(tmp_path: Path) -> None:
    code, out = run("status", str(workbook(tmp_path)), "--format", "json")
    assert code == 0, out
    assert json.loads(out)["today"] == "2026-09-15"


def test_a_pinned_instant_that_is_not_one_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["status", str(workbook(tmp_path))], env={"ORDERSYNC_NOW": "yesterday"})
    assert result.exit_code == 2
    assert "ORDERSYNC_NOW" in result.output and "Traceback" not in result.output

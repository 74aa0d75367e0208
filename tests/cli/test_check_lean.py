"""``ordersync check --format json`` loads only what it uses, and its text is the JSON of its content.

The check of a big register is timed by bench/bench_floor.py; here only what must hold
whatever the speed: which packages a JSON check imports, and that the faster JSON
writing (``sync.cli.jsontext``) gives the bytes the standard library would.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sync.cli import app
from sync.demo.register import build_register

TODAY = "2026-12-04"
#: what a JSON check has no use for: terminal drawing, workbooks written, mail templates, the web page, plots
UNUSED = ("rich", "openpyxl", "xlsxwriter", "jinja2", "starlette", "uvicorn", "matplotlib", "sqlite3")
KEYS = ["rule", "severity", "message", "table", "source", "sheet", "row", "column", "cell", "field", "order_no",
        "value", "hint", "follower", "affects"]

_LOADED = """
import atexit, sys
atexit.register(lambda: sys.stderr.write("\\nLOADED " + " ".join(sorted({m.split(".")[0] for m in sys.modules}))))
sys.argv = ["ordersync", *sys.argv[1:]]
from sync.cli import main
main()
"""


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lean") / "register.xlsx"
    build_register(path, orders=120, today=dt.date(2026, 12, 4))
    return path


def check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _LOADED, "check", *args, "--today", TODAY],
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def loaded(result: subprocess.CompletedProcess[str]) -> set[str]:
    return set(result.stderr.rsplit("\nLOADED ", 1)[1].split())


def test_a_json_check_loads_nothing_it_does_not_use(register):
    result = check(str(register), "--format", "json")
    assert result.returncode == 1, result.stderr   # the demo register has its seeded mistakes
    assert json.loads(result.stdout)["summary"]["errors"] > 0
    assert not loaded(result) & set(UNUSED), sorted(loaded(result) & set(UNUSED))


def test_a_table_check_still_draws_its_table(register):
    result = check(str(register), "--lang", "en")
    assert result.returncode == 1
    assert "rich" in loaded(result)
    assert "errors" in result.stdout and "warnings" in result.stdout


def test_the_json_text_is_the_standard_rendering_of_its_content(register):
    result = check(str(register), "--format", "json", "--lang", "en", "--limit", "10")
    data = json.loads(result.stdout)
    assert result.stdout == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    assert all(list(f) == KEYS for f in data["findings"])
    summary = data["summary"]
    assert summary["shown"] == 10 and summary["limited"] is True
    assert summary["errors"] + summary["warnings"] + summary["info"] == sum(summary["rules"].values())


def test_the_collector_runs_again_after_a_check(register):
    assert gc.isenabled()
    result = CliRunner().invoke(app, ["check", str(register), "--format", "json", "--today", TODAY])
    assert result.exit_code == 1
    assert gc.isenabled()

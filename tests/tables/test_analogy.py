"""A sheet without a header row read with the header of a sheet it is laid out like (issue 14).

Real .xlsx files written here with openpyxl: a work-order tracker and a tab of closed work orders copied out
of it without its header (and without its first column), read zero-config as ``ordersync check`` reads them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path


from sync.sources import open_path
from sync.tables.analogy import borrow, headerless, shape
from sync.tables.register import load
from tests.cli.workbooks import book

ROOT = Path(__file__).resolve().parents[2]
HEADER = ["Sl. No", "Work Order", "Product", "Category", "Qty", "Completed", "Pending", "Sales Request", "FG Start",
          "Remarks"]


def _line(i: int) -> list:
    return [i, f"BN-SO-2526-{i:04d}", f"Model {i}", "Burner", 100 * i, 50 * i, 50 * i, dt.datetime(2025, 7, i),
            dt.datetime(2025, 11, i), "ok" if i % 2 else None]


def _book(tmp_path: Path, closed: list[list]) -> Path:
    return book(tmp_path / "tracker.xlsx", {"Inputs": [HEADER, *[_line(i) for i in range(1, 12)]],
                                            "Closed WO": closed})


def test_a_copy_without_its_header_and_first_column_reads_with_the_header_it_lines_up_with(tmp_path: Path) -> None:
    closed = [_line(i)[1:] for i in range(20, 26)]
    register = load([open_path(_book(tmp_path, closed))])
    (table,) = [t for t in register.tables.values() if t.sheet == "Closed WO"]
    assert table.borrowed == "Inputs" and table.header_row == 0
    assert {f: c.letter for f, c in table.columns.items() if f in ("order_no", "product", "quantity")} == {
        "order_no": "A", "product": "B", "quantity": "D"}
    assert table.data["_row"].tolist() == [1, 2, 3, 4, 5, 6]
    assert table.data["order_no"].tolist()[0] == "BN-SO-2526-0020"
    assert table.columns["order_no"].header == "Work Order"


def test_a_headerless_sheet_that_lines_up_with_nothing_is_not_read(tmp_path: Path) -> None:
    other = [["x", 1.5, dt.datetime(2025, 1, 1), "y", 2, 3] for _ in range(6)]
    register = load([open_path(_book(tmp_path, other))])
    assert [t.sheet for t in register.tables.values()] == ["Inputs"]


def test_shapes_agree_only_column_for_column() -> None:
    theirs = shape([HEADER, *[_line(i) for i in range(1, 6)]], 1)
    assert theirs[:5] == ("n", "t", "t", "t", "n")
    own = shape([_line(i)[1:] for i in range(1, 6)], 0)
    assert headerless([_line(1)[1:]]) and not headerless([HEADER])
    assert borrow(own[::-1], []) is None


def test_check_says_the_header_was_borrowed_a_guess(tmp_path: Path) -> None:
    path = _book(tmp_path, [_line(i)[1:] for i in range(20, 26)])
    env = {k: v for k, v in os.environ.items() if k not in ("ORDERSYNC_CONFIG", "ORDERSYNC_LANG")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-m", "sync", "check", str(path), "--lang", "en", "--today",
                           "2026-11-20"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    out = " ".join(done.stdout.split())
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert "Closed WO: no header row: read with the header of Inputs (a guess: its columns line up with it)" in out
    js = subprocess.run([sys.executable, "-m", "sync", "check", str(path), "--format", "json", "--today",
                         "2026-11-20"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    sheets = {s["sheet"]: s for s in json.loads(js.stdout)["summary"]["sheets"]}
    assert "borrowed" in sheets["Closed WO"]["guess"] and sheets["Closed WO"]["read"]


def _uncommented(config: str, table: str) -> str:
    """config.toml with the commented-out block of ``[tables.<table>]`` taken in, as a person does who agrees."""
    lines, inside = [], False
    for line in config.splitlines():
        if line.startswith(f"# [tables.{table}"):
            inside = True
        elif inside and not line.startswith("# "):
            inside = False
        if inside and re.match(r"# (\[tables|[a-z_]+ = )", line):
            line = line[2:]
        lines.append(line)
    return "\n".join(lines) + "\n"


def test_init_writes_a_headerless_sheet_by_column_letters_and_the_config_reads_it(tmp_path: Path) -> None:
    """``init`` cannot pin a header row the sheet does not have: it writes ``header_row = 0`` and the columns by
    letter (commented out: a guess); uncommented, ``doctor`` passes and ``check`` reads the sheet from row 1."""
    _book(tmp_path, [_line(i)[1:] for i in range(20, 26)])
    env = {k: v for k, v in os.environ.items() if k not in ("ORDERSYNC_CONFIG", "ORDERSYNC_LANG")}
    env["PYTHONPATH"] = str(ROOT)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "sync", *args], capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=120, stdin=subprocess.DEVNULL)

    assert run("init", "tracker.xlsx").returncode == 1      # a guess: said with exit 1
    config = (tmp_path / "config.toml").read_text(encoding="utf-8")
    name = next(line.split("]")[0][len("# [tables."):] for line in config.splitlines()
                if line.startswith("# [tables.") and "closed_wo" in line)
    block = config[config.index(f"# [tables.{name}]"):]
    assert '# header_row = 0' in block and '# order_no = "A"   # Work Order' in block
    assert '# quantity = "D"   # Qty' in block
    (tmp_path / "config.toml").write_text(_uncommented(config, name), encoding="utf-8")
    doctor = run("doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert f"{name}: tracker › Closed WO, 6 rows" in " ".join(doctor.stdout.split())
    checked = run("check", "--format", "json", "--today", "2026-11-20")
    rows = {t: n for t, n in json.loads(checked.stdout)["summary"]["tables"].items()}
    assert rows[name] == 6


def test_a_headerless_sheet_pinned_by_header_text_is_a_clear_problem(tmp_path: Path) -> None:
    """``header_row = 0`` with columns named by header text cannot be read (there is no header): the problem
    names the sheet and what to write, and the other tables are read all the same."""
    _book(tmp_path, [_line(i)[1:] for i in range(20, 26)])
    (tmp_path / "config.toml").write_text(
        '[sources.tracker]\nkind = "excel"\npath = "tracker.xlsx"\n\n'
        '[tables.orders]\nsource = "tracker"\nsheet = "Inputs"\nheader_row = 1\n\n'
        '[tables.orders_closed]\nkind = "orders"\nsource = "tracker"\nsheet = "Closed WO"\nheader_row = 0\n'
        '[tables.orders_closed.columns]\norder_no = "Work Order"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("ORDERSYNC_CONFIG", "ORDERSYNC_LANG")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-m", "sync", "check", "--lang", "en", "--format", "json", "--today",
                           "2026-11-20"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    found = json.loads(done.stdout)
    assert found["summary"]["tables"] == {"orders": 11}
    said = [f["message"] for f in found["findings"] if f["sheet"] == "Closed WO"]
    assert said == ["Closed WO has no header row (header_row = 0): name its columns by letter: "
                    "order_no = 'Work Order'"], said

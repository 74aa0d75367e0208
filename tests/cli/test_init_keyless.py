"""A table read with no column that tells its rows apart is a guess (issue 14), everywhere.

A machine plan's "Order" column that repeats the ordered quantity is not its order number
(``sync.tables.detect``), so the plan is read keyless: ``init`` asks on a terminal which column
is the key and writes the answer; piped, it writes the table commented out with a comment and
exits 1; ``check`` says the table has no key column. Only a person makes it sure.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sync.cli import app
from tests.cli.test_init_asks import doctor, init_on_a_terminal, init_piped
from tests.cli.workbooks import ORDERS_ZH, book

runner = CliRunner()

#: a machine plan: "Order" holds the ordered quantity, "Batch No." numbers each job
PLAN = [["Num.", "Product", "Batch No.", "Production Order", "Start Date", "Current production", "Order"],
        *[[i, f"Cup {i}", f"B-{700 + i}", q, "2026-01-31", 0, q]
          for i, q in enumerate([100000, 125000, 40000, 12000, 7000, 9000], 1)]]


@pytest.fixture(autouse=True)
def quiet_env(monkeypatch, tmp_path):
    monkeypatch.delenv("ORDERSYNC_LANG", raising=False)
    monkeypatch.delenv("ORDERSYNC_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


def _books(tmp_path: Path) -> Path:
    return book(tmp_path / "plan.xlsx", {"订单": ORDERS_ZH, "SPEED 280": PLAN})


def test_piped_a_keyless_table_is_written_commented_out_and_exits_1(tmp_path: Path) -> None:
    code, out, text = init_piped(tmp_path, _books(tmp_path))
    assert code == 1, out
    assert ("# A GUESS, not read: SPEED 280 reads as production, but no column tells its rows apart "
            "(no order_no column).") in text
    assert "# [tables.production]" in text
    assert set(tomllib.loads(text)["tables"]) == {"orders"}
    assert "production: plan › SPEED 280 是猜测，未启用" in out   # the orders tab is headed in Chinese
    assert doctor(tmp_path)[0] == 0   # what is written reads back as found


def test_check_says_a_table_has_no_key_column(tmp_path: Path) -> None:
    done = runner.invoke(app, ["check", str(_books(tmp_path)), "--today", "2026-01-20", "--lang", "en"],
                         terminal_width=200)
    assert "SPEED 280: no column tells its rows apart (a guess: no order no. column)" in done.output


def test_on_a_terminal_the_key_of_a_keyless_table_is_asked_and_written(tmp_path: Path) -> None:
    code, said, text = init_on_a_terminal(tmp_path, _books(tmp_path), ["y", "C"])
    assert "SPEED 280 看起来是生产表（没有找到订单号列）" in said and "—— 对吗？[Y/n]" in said
    assert "SPEED 280：哪一列是订单号？（列字母或表头，回车跳过）" in said
    assert code == 0, said
    config = tomllib.loads(text)
    assert config["tables"]["production"]["columns"]["order_no"] == "C"
    assert "# order_no is column C: a person said so at init" in text
    assert doctor(tmp_path)[0] == 0


def test_a_configured_keyless_table_fails_doctor(tmp_path: Path) -> None:
    path = _books(tmp_path)
    (tmp_path / "config.toml").write_text(f'[sources.plan]\nkind = "excel"\npath = "{path.name}"\n\n'
                                          '[tables.production]\nsource = "plan"\nsheet = "SPEED 280"\n',
                                          encoding="utf-8")
    code, said = doctor(tmp_path)
    assert code == 1 and "maps no column that identifies a row (order_no)" in said

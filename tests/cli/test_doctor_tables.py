"""``ordersync doctor`` fails when a configured table cannot tell its rows apart, or its columns name
headers the sheet does not have: every problem listed at once, exit 1 (2 stays "cannot run")."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sync.cli import app
from tests.cli.workbooks import DAILY_LOG, ORDERS_ZH, book

runner = CliRunner()
RULES = Path(__file__).resolve().parents[2] / "rules"


@pytest.fixture(autouse=True)
def quiet_env(monkeypatch, tmp_path):
    monkeypatch.delenv("ORDERSYNC_LANG", raising=False)
    monkeypatch.delenv("ORDERSYNC_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


def doctor(tmp_path: Path, tables: str) -> tuple[int, str]:
    book(tmp_path / "register.xlsx", {"订单": ORDERS_ZH, "生产日报": DAILY_LOG})
    config = tmp_path / "config.toml"
    config.write_text(f'[service]\nlanguage = "en"\n\n[sources.book]\nkind = "excel"\npath = "register.xlsx"\n\n'
                      f'{tables}\n[rules]\npaths = ["{RULES.as_posix()}"]\n', encoding="utf-8")
    result = runner.invoke(app, ["doctor", "--config", str(config)], terminal_width=250)
    return result.exit_code, " ".join(result.output.split())


def test_a_configured_table_with_no_key_column_fails(tmp_path):
    code, out = doctor(tmp_path, '[tables.production]\nsource = "book"\nsheet = "生产日报"\nheader_row = 1\n')
    assert code == 1
    assert ("✗ [tables.production]: book › 生产日报 maps no column that identifies a row (order_no): "
            'set order_no = "LETTER or header" under [tables.production.columns]') in out


def test_columns_naming_headers_not_in_the_sheet_are_all_listed(tmp_path):
    code, out = doctor(tmp_path, '[tables.orders]\nsource = "book"\nsheet = "订单"\n[tables.orders.columns]\n'
                                 'customer = "客户全称"\nquantity = "Z"\ncolour = "颜色"\nproduct = "款号"\n')
    assert code == 1
    assert '✗ [tables.orders.columns] customer = "客户全称": no such column in the header of book › 订单' in out
    assert '✗ [tables.orders.columns] quantity = "Z": no such column' in out
    assert "✗ [tables.orders.columns] colour: not a field of orders" in out
    assert "[tables.orders.columns] product" not in out   # 款号 is there: no problem said
    assert "✓ rules" in out   # the rest is still verified


def test_a_configured_table_not_found_says_what_its_sheet_looks_like(tmp_path):
    code, out = doctor(tmp_path, '[tables.production]\nsource = "book"\nsheet = "生产日报"\n')
    assert code == 1
    assert "✗ table production not found 生产日报: probably production (missing: order no." in out
    assert "set header_row under [tables.production]" in out


def test_a_config_that_reads_no_table_at_all_fails(tmp_path):
    book(tmp_path / "log.xlsx", {"生产日报": DAILY_LOG})
    config = tmp_path / "config.toml"
    config.write_text(f'[sources.log]\nkind = "excel"\npath = "log.xlsx"\n\n[rules]\npaths = ["{RULES.as_posix()}"]\n',
                      encoding="utf-8")
    result = runner.invoke(app, ["doctor", "--config", str(config)], terminal_width=250)
    assert result.exit_code == 1
    assert "没有认出任何表" in result.output and "生产日报: 可能是生产表" in result.output


def test_a_good_config_passes(tmp_path):
    code, out = doctor(tmp_path, '[tables.orders]\nsource = "book"\nsheet = "订单"\n[tables.orders.columns]\n'
                                 'product = "款号"\norder_no = "A"\n')
    assert code == 0, out


def test_with_people_set_up_every_follower_is_known(tmp_path):
    code, out = doctor(tmp_path, '[tables.orders]\nsource = "book"\nsheet = "订单"\n[tables.orders.columns]\n'
                                 'product = "款号"\norder_no = "A"\n\n[people."张伟"]\nemail = "zhang.wei@example.com"\n')
    assert code == 0, out
    assert "✓ reminders: the people sheet or [people] knows every follower (1)" in out


def test_followers_nobody_knows_are_named_with_their_orders(tmp_path):
    # people are set up ([people] 赵敏), but not the follower the orders name
    code, out = doctor(tmp_path, '[tables.orders]\nsource = "book"\nsheet = "订单"\n[tables.orders.columns]\n'
                                 'product = "款号"\norder_no = "A"\n\n[people."赵敏"]\nemail = "zhao.min@example.com"\n')
    assert code == 1
    assert "✗ reminders: 6 order lines name followers neither the people sheet nor [people] knows: 张伟（6）; their " \
           "reminders go to nobody" in out
    code, out = doctor(tmp_path, '[tables.orders]\nsource = "book"\nsheet = "订单"\n[tables.orders.columns]\n'
                                 'product = "款号"\norder_no = "A"\n\n[reminders]\nunassigned_to = "赵敏"\n\n'
                                 '[people."赵敏"]\nemail = "zhao.min@example.com"\n')
    assert code == 0, out
    assert "✓ reminders: 6 order lines name followers" in out and "their reminders go to 赵敏" in out


def test_an_orders_tab_without_a_follower_column_leaves_reminders_with_nobody(tmp_path):
    """No 跟单员 column, in a workbook whose name names no one: doctor says so before run stays silent. Named after
    its follower (张伟.xlsx, one register per follower), the name is the follower."""
    rows = [row[:-1] for row in ORDERS_ZH]   # 跟单员 is the last column
    assert "跟单员" not in rows[0]
    for name, code in (("register.xlsx", 1), ("张伟.xlsx", 0)):
        book(tmp_path / name, {"订单": rows})
        config = tmp_path / "config.toml"
        config.write_text(f'[service]\nlanguage = "en"\n\n[sources.book]\nkind = "excel"\npath = "{name}"\n\n'
                          '[people."张伟"]\nemail = "zhang.wei@example.com"\n', encoding="utf-8")
        result = runner.invoke(app, ["doctor", "--config", str(config)], terminal_width=250)
        out = " ".join(result.output.split())
        assert result.exit_code == code, out
        if code:
            assert ("✗ reminders: the orders tab (book › 订单) has no follower column, so no reminder has anyone to "
                    "go to") in out
        else:
            assert ("✓ reminders: the orders tab has no follower column; the names of the workbooks or tabs give "
                    "their followers: 张伟.xlsx → 张伟") in out
            assert "✓ reminders: the people sheet or [people] knows every follower (1)" in out

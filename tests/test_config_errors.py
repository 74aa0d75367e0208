"""What a user sees when config.toml is wrong: one line per problem, naming file, line, section and key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sync.config import load_config
from sync.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent

GOOD = """\
[service]
language = "en"

[sources.register]
kind = "excel"
path = "register.xlsx"

[tables.orders]
source = "register"
sheet = "订单"

"""


def problems(tmp_path: Path, text: str, *, encoding: str = "utf-8") -> list[str]:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding=encoding)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    lines = str(caught.value).splitlines()
    assert all(line.startswith(str(path)) for line in lines)
    return [line.removeprefix(str(path)) for line in lines]


def test_a_typo_names_line_section_key_and_the_key_meant(tmp_path):
    text = GOOD + "[watch]\ndebounse = 2.0\npoll_interval = 5.0\n"
    assert problems(tmp_path, text) == [' line 13: [watch] debounse: unknown key (did you mean "debounce"?)']


def test_a_wrong_type_quotes_what_was_written(tmp_path):
    text = GOOD + '[mail]\nbackend = "smtp"\nport = "abc"\n'
    assert problems(tmp_path, text) == [' line 14: [mail] port: expected an integer, got "abc"']


def test_every_problem_is_one_line_in_the_order_of_the_file(tmp_path):
    text = GOOD + '[reminders]\nstale_dys = 3\nsend_after = "25:00"\nholidays = ["2026-13-01"]\n\n[wach]\nx = 1\n'
    assert problems(tmp_path, text) == [
        ' line 13: [reminders] stale_dys: unknown key (did you mean "stale_days"?)',
        ' line 14: [reminders] send_after: expected a time like "08:30", got "25:00"',
        ' line 15: [reminders] holidays (item 1): expected a date like 2027-01-01, got "2026-13-01"',
        ' line 17: [wach]: unknown section (did you mean "watch"?)',
    ]


def test_a_key_in_several_sections_is_found_in_its_own(tmp_path):
    # `path` is in two sources and in the second source's wrong place; `at` in two digests
    text = (GOOD + '[sources.export]\nkind = "csv"\npath = 3\n\n'
            '[[digests]]\nname = "daily"\nat = "08:00"\n\n[[digests]]\nname = "weekly"\nat = "8 am"\n')
    assert problems(tmp_path, text) == [
        ' line 14: [sources.export] path: expected a string in quotes, got 3',
        ' line 22: [[digests]] at: expected a time like "08:30", got "8 am"',
    ]


def test_a_sub_table_key_is_found_under_its_table(tmp_path):
    text = GOOD.replace('sheet = "订单"\n', 'sheet = "订单"\n\n[tables.orders.columns]\ndue_date = 3\n')
    assert problems(tmp_path, text) == [" line 13: [tables.orders.columns] due_date: expected a string in quotes, got 3"]


def test_an_unknown_table_name_lists_the_valid_ones(tmp_path):
    text = GOOD + '[tables.orders_sep]\nsource = "register"\n'
    assert problems(tmp_path, text) == [
        ' line 12: [tables.orders_sep]: unknown table (did you mean "orders"?); '
        "tables are orders, materials, production, qc, shipping, customers, people"]


def test_source_kinds_have_their_own_keys(tmp_path):
    text = GOOD + '[sources.shared]\nkind = "gsheets"\npath = "x.xlsx"\n\n[sources.old]\nkind = "excell"\n'
    assert problems(tmp_path, text) == [
        " line 12: [sources.shared] key: missing (required)",
        " line 14: [sources.shared] path: unknown key",
        ' line 17: [sources.old] kind: expected one of excel, csv, gsheets, memory, got "excell"',
    ]


def test_sheet_and_sheets_together_is_an_error(tmp_path):
    text = GOOD.replace('sheet = "订单"\n', 'sheet = "订单"\nsheets = ["*月"]\n')
    assert problems(tmp_path, text) == [" line 11: [tables.orders] sheets: set sheet or sheets, not both"]


def test_a_table_from_an_unknown_source_is_named(tmp_path):
    text = GOOD.replace('source = "register"', 'source = "registers"')
    assert problems(tmp_path, text) == [
        " line 9: [tables.orders] source: 'registers' is not one of [sources.*]: register"]


def test_inline_tables_in_people_are_checked(tmp_path):
    text = GOOD + '[people]\n"赵敏" = { email = "z@example.com", rol = "跟单主管" }\n'
    assert problems(tmp_path, text) == [' line 13: [people.赵敏] rol: unknown key (did you mean "role"?)']


def test_toml_syntax_errors_name_the_line(tmp_path):
    assert problems(tmp_path, GOOD + "[watch]\ndebounce = \n") == [
        " line 13: invalid TOML: Invalid value (column 12)"]


def test_a_folder_is_not_a_config(tmp_path):
    with pytest.raises(ConfigError, match="is a folder, not a config file"):
        load_config(tmp_path)


def test_notepads_utf16_is_named_with_the_fix(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(GOOD, encoding="utf-16")
    with pytest.raises(ConfigError, match="saved as UTF-16, config.toml must be UTF-8") as caught:
        load_config(path)
    assert "Encoding: UTF-8" in caught.value.hint


def test_gbk_text_is_named_with_its_line(tmp_path):
    assert problems(tmp_path, GOOD, encoding="gbk") == [   # 订单 on line 10 is not UTF-8
        " line 10: not UTF-8 text (maybe GBK/ANSI); save the file as UTF-8"]


def test_utf8_with_a_bom_is_fine(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    assert load_config(path).tables["orders"].sheet == "订单"


def test_the_cli_says_it_in_one_line_and_exits_2(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(GOOD + "[watch]\ndebounse = 2.0\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "sync", "check", "--config", str(path)], cwd=tmp_path,
                          capture_output=True, text=True, encoding="utf-8", timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "COLUMNS": "60"})
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f'ordersync: {path} line 13: [watch] debounse: unknown key (did you mean "debounce"?)']
    assert "Traceback" not in done.stderr + done.stdout


def test_a_key_above_every_section_is_unknown(tmp_path):
    assert problems(tmp_path, 'path = "elsewhere"\nlanguage = "en"\n' + GOOD) == [
        " line 1: path: unknown key (keys belong under a [section])"]
    assert problems(tmp_path, 'language = "en"\n' + GOOD) == [
        " line 1: language: unknown key (keys belong under a [section]: [service])"]


def test_a_source_without_a_name_says_how_to_write_one(tmp_path):
    assert problems(tmp_path, '[sources]\npath = "register.xlsx"\n') == [
        ' line 2: [sources] path: expected a table [sources.NAME] with kind = excel | csv | gsheets | memory, '
        'got "register.xlsx"']

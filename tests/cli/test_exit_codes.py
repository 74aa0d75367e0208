"""Exit codes that tell the truth and one-line errors (issue 15 items 13 and 14).

0 only when everything configured was read and checked; 1 a problem found or a cycle failed; 2 cannot run.
Never a traceback for a folder where a file belongs, an unwritable --output, a config typo.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from sync.cli import app
from sync.demo.register import build_register


def run_once(folder: Path, config: str) -> subprocess.CompletedProcess:
    (folder / "config.toml").write_text(config, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "sync", "run", "--once", "--config", str(folder / "config.toml")],
                          cwd=folder, capture_output=True, text=True, timeout=120)


SOURCE = '[service]\nlanguage = "en"\n\n[sources.register]\nkind = "excel"\npath = "{path}"\n'


def test_run_once_with_nothing_configured_cannot_run(tmp_path):
    done = run_once(tmp_path, "")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "no [sources.NAME]: nothing to watch or check" in done.stderr


def test_run_once_fails_when_a_source_cannot_be_read_or_no_table_is_recognised(tmp_path):
    with zipfile.ZipFile(tmp_path / "notabook.xlsx", "w") as z:     # a zip with no workbook in it
        z.writestr("hello.txt", "not a workbook")
    done = run_once(tmp_path, SOURCE.format(path="notabook.xlsx"))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "notabook.xlsx" in done.stderr and "ERROR" in done.stderr

    book = openpyxl.Workbook()
    book.active.title = "杂项"
    book.active.append(["甲", "乙"])
    book.active.append([1, 2])
    book.save(tmp_path / "odd.xlsx")
    done = run_once(tmp_path, SOURCE.format(path="odd.xlsx"))
    assert done.returncode == 1 and "no table recognised" in done.stderr and "Traceback" not in done.stderr

    (tmp_path / "afolder").mkdir()
    done = run_once(tmp_path, SOURCE.format(path="afolder"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "is a folder, not a workbook" in done.stderr and 'path = "afolder/*.xlsx"' in done.stderr


def test_run_once_is_0_when_everything_was_read_and_checked(tmp_path):
    build_register(tmp_path / "register.xlsx", orders=20, mistakes=False, seed=3)
    done = run_once(tmp_path, SOURCE.format(path="register.xlsx"))
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("fmt", ["table", "json", "xlsx"])
def test_output_to_a_folder_or_an_unwritable_path_is_one_line_before_any_work(tmp_path, fmt):
    build_register(tmp_path / "register.xlsx", orders=10, mistakes=False, seed=3)
    (tmp_path / "reports").mkdir()
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for target, said in ((tmp_path / "reports", "is a folder"), (blocker / "out.txt", "cannot be written")):
        result = CliRunner().invoke(app, ["check", str(tmp_path / "register.xlsx"), "--format", fmt,
                                          "--output", str(target)])
        assert result.exit_code == 2, result.output
        assert said in result.output and not isinstance(result.exception, OSError)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "register.xlsx", "reports"]


def test_init_output_to_a_folder_is_one_line(tmp_path):
    build_register(tmp_path / "register.xlsx", orders=10, mistakes=False, seed=3)
    (tmp_path / "conf").mkdir()
    result = CliRunner().invoke(app, ["init", str(tmp_path / "register.xlsx"), "--output", str(tmp_path / "conf")])
    assert result.exit_code == 2 and "is a folder" in result.output


def test_a_typo_for_path_and_for_a_table_name_are_one_line_each(tmp_path):
    (tmp_path / "config.toml").write_text('[sources.r]\nkind = "excel"\npth = "register.xlsx"\n\n'
                                          '[tables.order]\nsource = "r"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--config", str(tmp_path / "config.toml")])
    assert result.exit_code == 2 and not isinstance(result.exception, KeyError)
    assert 'pth: unknown key (did you mean "path"?)' in result.output
    assert '[tables.order]: unknown table (did you mean "orders"?)' in result.output


def test_a_source_path_that_is_a_folder_is_said_and_never_clean(tmp_path):
    (tmp_path / "afolder").mkdir()
    (tmp_path / "config.toml").write_text(SOURCE.format(path="afolder"), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--config", str(tmp_path / "config.toml")])
    assert result.exit_code == 2 and "line 6: [sources.register] path = 'afolder' is a folder" in result.output


def test_a_corrupt_state_is_one_line_for_every_command_that_reads_it(tmp_path):
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "ordersync.db").write_bytes(b"garbage, not SQLite" * 100)
    config = tmp_path / "config.toml"
    config.write_text(SOURCE.format(path="register.xlsx"), encoding="utf-8")
    for args in (["queue"], ["history", "SO-1"], ["changes"]):
        result = CliRunner().invoke(app, [*args, "--config", str(config)])
        assert result.exit_code == 2, (args, result.output)
        assert "the state file is damaged" in result.output and "move ordersync.db aside" in result.output


def test_check_never_says_clean_about_an_empty_config_or_a_zip_without_a_workbook(tmp_path):
    (tmp_path / "empty.toml").write_text("", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "notabook.xlsx", "w") as z:
        z.writestr("hello.txt", "not a workbook")
    for args in (["--config", str(tmp_path / "empty.toml")], [str(tmp_path / "notabook.xlsx")]):
        result = CliRunner().invoke(app, ["check", *args])
        assert result.exit_code == 2, (args, result.output)
        assert "没有发现问题" not in result.output and "no problems" not in result.output

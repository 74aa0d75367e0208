"""The command line's surface: fast help, in the user's language, real option types, in the README."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import sync
from sync.cli import COMMANDS, app
from sync.cli.help import ZH

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "numpy", "openpyxl", "matplotlib", "python_calamine")
CJK = re.compile(r"[\u4e00-\u9fff]")
runner = CliRunner()


def group():
    return typer.main.get_command(app)


def visible_options(command) -> list:
    return [p for p in command.params if not getattr(p, "hidden", False)]


def test_help_imports_nothing_heavy():
    """What keeps `--help` instant: the command modules import their work only when they run."""
    probe = ("import sys\n"
             "import sync.cli\n"
             "from sync.cli import COMMANDS, main\n"
             "for args in [['--help'], ['--version'], *([c, '--help'] for c in COMMANDS)]:\n"
             "    sys.argv = ['ordersync', *args]\n"
             "    try:\n"
             "        main()\n"
             "    except SystemExit as exc:\n"
             "        assert exc.code == 0, (args, exc.code)\n"
             f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_every_command_is_registered_and_in_the_readme():
    assert set(group().commands) == set(COMMANDS)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = [line for line in readme.splitlines() if line.startswith("| `ordersync")]
    for name in COMMANDS:
        assert any(line.startswith(f"| `ordersync {name}") for line in table), f"{name} is not in README's table"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_and_option_has_help_in_both_languages(name):
    command = group().commands[name]
    texts = [command.help, *(p.help for p in visible_options(command))]
    for text in texts:
        assert text, f"{name}: an option without help"
        assert text in ZH and CJK.search(ZH[text]) and ZH[text] != text, f"{name}: no Chinese for {text!r}"
        assert not CJK.search(text), f"{name}: the English help is not English: {text!r}"


@pytest.mark.parametrize("name", COMMANDS)
def test_options_show_their_real_type(name):
    shown = runner.invoke(app, [name, "--help", "--lang", "en"], terminal_width=120)
    assert shown.exit_code == 0, shown.output
    assert "<" not in shown.output, shown.output          # no <bool>, <path>, <list[Path]>
    assert "--quiet" in shown.output and "--verbose" in shown.output and "--lang zh|en" in shown.output
    for line in shown.output.splitlines():
        if line.strip().startswith(("--at-risk", "--errors-only", "--force", "--preview", "--once", "-q,", "-v,")):
            assert not re.search(r"--[\w-]+ [A-Z]", line), f"a flag shows a value: {line}"


def test_check_help_names_paths_numbers_and_choices():
    shown = runner.invoke(app, ["check", "--help", "--lang", "en"], terminal_width=120).output
    assert "-o, --output FILE" in shown and "--limit N" in shown and "--follower NAME" in shown
    assert "-f, --format table|json|xlsx" in shown and "-c, --config FILE" in shown
    assert "[WORKBOOK...]" in shown
    assert "still exit 1" in shown      # what the filters do to the exit status is said where the user looks


def test_help_is_chinese_by_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ORDERSYNC_LANG", raising=False)
    monkeypatch.delenv("ORDERSYNC_CONFIG", raising=False)
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0 and "用法" in top.output and "命令" in top.output and "检查登记表" in top.output
    check = runner.invoke(app, ["check", "--help"])
    assert "只显示错误" in check.output and "显示此帮助并退出" in check.output and "Usage" not in check.output


@pytest.mark.parametrize("how", ["flag", "group flag", "env", "config flag", "config env", "config here"])
def test_help_switches_to_english(how, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ORDERSYNC_LANG", raising=False)
    monkeypatch.delenv("ORDERSYNC_CONFIG", raising=False)
    config = tmp_path / ("config.toml" if how == "config here" else "elsewhere.toml")
    config.write_text('[service]\nlanguage = "en"\n', encoding="utf-8")
    args, env = {"flag": (["check", "--help", "--lang", "en"], {}),
                 "group flag": (["--lang", "en", "check", "--help"], {}),
                 "env": (["check", "--help"], {"ORDERSYNC_LANG": "en"}),
                 "config flag": (["check", "--help", "--config", str(config)], {}),
                 "config env": (["check", "--help"], {"ORDERSYNC_CONFIG": str(config)}),
                 "config here": (["check", "--help"], {})}[how]
    shown = runner.invoke(app, args, env=env)
    assert shown.exit_code == 0, shown.output
    assert "Usage:" in shown.output and "show errors only" in shown.output
    assert not CJK.search(shown.output.replace("跟单员", "")), shown.output


def test_lang_before_the_command_and_from_the_environment_speak_english(tmp_path):
    from tests.cli.test_check_cli import clean_rows, workbook

    book = workbook(tmp_path / "clean.xlsx", clean_rows())
    for args, env in ((["--lang", "en", "check", str(book)], {}), (["check", str(book)], {"ORDERSYNC_LANG": "en"})):
        result = runner.invoke(app, [*args, "--today", "2026-05-20"], env=env)
        assert result.exit_code == 0, result.output
        assert "no problems found" in result.output


def test_version():
    shown = runner.invoke(app, ["--version"])
    assert shown.exit_code == 0 and shown.output.strip() == f"ordersync {sync.__version__}"


def test_errors_are_one_sentence_and_verbose_shows_the_traceback(tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text("[service\n", encoding="utf-8")
    plain = runner.invoke(app, ["check", "--config", str(bad)])
    assert plain.exit_code == 2
    assert "ordersync:" in plain.output and "broken.toml" in plain.output and "Traceback" not in plain.output
    loud = runner.invoke(app, ["check", "--config", str(bad), "-v"])
    assert isinstance(loud.exception, sync.errors.OrdersyncError)   # re-raised: the traceback is shown


@pytest.mark.parametrize("args", [["--help"], *([name, "--help"] for name in COMMANDS)])
def test_chinese_help_fits_80_columns(args, tmp_path, monkeypatch):
    """A Chinese character takes two columns: the help wraps by columns, not by characters."""
    from sync.cli.help import columns

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ORDERSYNC_LANG", raising=False)
    shown = runner.invoke(app, args, terminal_width=80)
    assert shown.exit_code == 0 and "用法" in shown.output
    too_wide = [line for line in shown.output.splitlines() if columns(line) > 80]
    assert not too_wide, too_wide

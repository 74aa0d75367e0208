"""The progress bar: on a terminal it shows what the long work is doing; piped or -q, nothing extra."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from sync.cli import app
from tests.cli.test_check_cli import TODAY, clean_rows, dirty, workbook

ROOT = Path(__file__).resolve().parents[2]
STEPS = ("reading the workbooks", "checking", "writing the config", "读取", "检查 ")
runner = CliRunner()


def on_a_terminal(*args: str, cwd: Path) -> tuple[int, str, str]:
    """Run ``ordersync ARGS`` with stderr on a pseudo-terminal: (exit status, stdout, what the terminal showed)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm", "COLUMNS": "100"}
    env.pop("ORDERSYNC_CONFIG", None)
    proc = subprocess.Popen([sys.executable, "-m", "sync", *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:    # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    out, _ = proc.communicate(timeout=120)
    os.close(leader)
    return proc.returncode, out.decode(), shown.decode(errors="replace")


def test_check_on_a_terminal_shows_progress_on_stderr(tmp_path):
    book = dirty(tmp_path)
    code, out, terminal = on_a_terminal("check", str(book), "--today", TODAY, "--lang", "en", "--format", "json",
                                        cwd=tmp_path)
    assert code == 1
    assert "reading the workbooks" in terminal and "checking 8 rows" in terminal
    assert out.lstrip().startswith("{") and "reading" not in out   # stdout stays the result alone


def test_quiet_on_a_terminal_shows_no_progress(tmp_path):
    book = dirty(tmp_path)
    code, out, terminal = on_a_terminal("check", str(book), "--today", TODAY, "--lang", "en", "-q", cwd=tmp_path)
    assert code == 1 and "errors" in out
    assert not any(step in terminal for step in STEPS), terminal


def test_piped_output_has_no_progress_text(tmp_path):
    book = dirty(tmp_path)
    for args in (["check", str(book), "--today", TODAY], ["check", str(book), "--today", TODAY, "--lang", "en"],
                 ["init", str(workbook(tmp_path / "clean.xlsx", clean_rows())), "-o", str(tmp_path / "c.toml"),
                  "--lang", "en"]):
        result = runner.invoke(app, args)
        assert result.exit_code in (0, 1), result.output
        assert not any(step in result.output for step in STEPS), result.output


def test_init_quiet_says_only_the_result(tmp_path):
    book = workbook(tmp_path / "clean.xlsx", clean_rows())
    loud = runner.invoke(app, ["init", str(book), "-o", str(tmp_path / "a.toml"), "--lang", "en"])
    quiet = runner.invoke(app, ["init", str(book), "-o", str(tmp_path / "b.toml"), "--lang", "en", "-q"])
    assert loud.exit_code == quiet.exit_code == 0
    assert "✓" in loud.output and "✓" not in quiet.output
    assert quiet.output.strip().splitlines() == [f"wrote {tmp_path / 'b.toml'}"]

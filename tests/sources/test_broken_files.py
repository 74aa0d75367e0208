"""Broken, huge and over-budget workbooks: each is named at the first read, never a traceback or 'clean'.

Every broken file is made from a real workbook of the corpus, damaged the way
disks, copies and old writers damage them.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from sync.config import LimitsConfig, load_config
from sync.errors import SourceTooBig, SourceUnreadable
from sync.service.cycle import SourceCache
from sync.sources import ExcelSource, open_path, safety
from sync.tables.register import load

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = "business/fengailing__订单.xlsx"   # one sheet of 242 rows, deflated parts
SHEET = "xl/worksheets/sheet1.xml"
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)
LONG_AGO = time.time() - 3600


@pytest.fixture
def sample(corpus: Path, tmp_path: Path) -> Path:
    path = tmp_path / "订单.xlsx"
    path.write_bytes((corpus / SAMPLE).read_bytes())
    return path


def rewrite(src: Path, dst: Path, change=lambda name, data: data, *, stored: bool = False) -> Path:
    """A copy of the package with each part passed through ``change`` (None drops it)."""
    kind = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst, "w", kind) as b:
        for info in a.infolist():
            data = change(info.filename, a.read(info))
            if data is not None:
                b.writestr(info.filename, data, compress_type=kind)
    return dst


def damage(path: Path, part: str, at: float, spoil) -> Path:
    """Spoil the bytes of ``part`` as stored in the zip, ``at`` (0..1) of the way into them."""
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(part)
    name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    spoil(raw, start + int(info.compress_size * at))
    path.write_bytes(bytes(raw))
    return path


def scramble(raw: bytearray, pos: int) -> None:
    for k in range(64):
        raw[pos + k] ^= 0x5A


def refused(path: Path, limits: LimitsConfig | None = None) -> tuple[str, bool]:
    """(message, retryable) of the one problem a full load reports, and no table."""
    register = load([open_path(path, limits=limits)])
    assert not register.tables
    [problem] = register.problems
    assert path.name in problem.message and "\n" not in problem.message
    return problem.message, problem.retryable


def check_cli(path: Path, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "sync", "check", str(path), "--lang", "en", *extra],
                          capture_output=True, text=True, cwd=path.parent, env=env, timeout=120)


# --- corrupt files (issue 15 item 4) -------------------------------------------------------------

def test_a_truncated_file_that_stays_so_is_corrupt_not_busy(sample: Path, monkeypatch) -> None:
    monkeypatch.setattr(safety, "SETTLED_S", 0.3)   # the test's patience, not two seconds'
    data = sample.read_bytes()
    sample.write_bytes(data[: len(data) * 2 // 3])
    os.utime(sample, (LONG_AGO, LONG_AGO))   # a copy that keeps the old time: its writes still count
    assert refused(sample)[1]
    time.sleep(0.4)                          # nobody is writing it: it stays cut short
    message, retryable = refused(sample)
    assert "truncated" in message and not retryable


def test_a_truncated_file_just_written_is_still_a_save_under_way(sample: Path) -> None:
    data = sample.read_bytes()
    sample.write_bytes(data[: len(data) // 2])
    message, retryable = refused(sample)
    assert "half-written" in message and retryable


@pytest.mark.parametrize("at", [0.001, 0.6], ids=["head", "middle"])
def test_corrupt_deflate_in_a_sheet_part_is_named(sample: Path, at: float) -> None:
    damage(sample, SHEET, at, scramble)
    message, retryable = refused(sample)
    assert "corrupt" in message and not retryable


def test_a_zip_without_its_workbook_part_is_not_clean(sample: Path, tmp_path: Path) -> None:
    path = rewrite(sample, tmp_path / "无工作簿.xlsx", lambda name, data: None if name == "xl/workbook.xml" else data)
    message, retryable = refused(path)
    assert "xl/workbook.xml" in message and not retryable


def test_a_stored_part_with_a_bad_crc_is_named(sample: Path, tmp_path: Path) -> None:
    path = rewrite(sample, tmp_path / "stored.xlsx", stored=True)

    def digit(raw: bytearray, pos: int) -> None:   # one figure of one value changed: still well-formed XML
        at = raw.index(b"<v>", pos) + 3
        raw[at] = ord("8") if raw[at] == ord("9") else ord("9")

    damage(path, SHEET, 0.5, digit)
    message, retryable = refused(path)
    assert "CRC" in message and SHEET in message and not retryable


def test_the_cli_names_a_corrupt_file_and_exits_2(sample: Path) -> None:
    damage(sample, SHEET, 0.001, scramble)
    run = check_cli(sample)
    assert run.returncode == 2 and "Traceback" not in run.stderr + run.stdout
    assert sample.name in run.stdout + run.stderr and "corrupt" in run.stdout + run.stderr


def test_a_corrupt_file_reaches_the_service_as_a_failed_source_at_once(sample: Path, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(f'[sources.register]\nkind = "excel"\npath = "{sample.name}"\n',
                                          encoding="utf-8")
    cache = SourceCache(load_config(tmp_path / "config.toml"), [open_path(sample, name="register")])
    damage(sample, SHEET, 0.001, scramble)
    assert cache.refresh(["register"], NOW) == (["register"], [])   # read once, not kept for a retry
    status = cache.status["register"]
    assert "corrupt" in status.result and status.busy_retries == 0
    [problem] = cache.register().problems
    assert not problem.retryable and sample.name in problem.message


# --- a used range declared to XFD (issue 15 item 6) ----------------------------------------------

def declare_whole_sheet(data: bytes, far_cell: bytes = b"") -> bytes:
    data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048574"/>', data)
    styled = b'<c r="XFD3" s="1"/>'   # formatted but empty cells far out, as old files have them
    data = re.sub(rb'(<row r="3"[^>]*>)', rb"\1" + styled, data, count=1)
    tail = b'<row r="1048574"><c r="XFD1048574" s="1"/>' + far_cell + b"</row>"
    return data.replace(b"</sheetData>", tail + b"</sheetData>")


def test_a_sheet_declared_to_xfd_reads_its_real_extent(sample: Path, tmp_path: Path) -> None:
    path = rewrite(sample, tmp_path / "old.xlsx", lambda n, d: declare_whole_sheet(d) if n == SHEET else d)
    [grid] = ExcelSource("old", path).read()
    [expected] = ExcelSource("sample", sample).read()
    assert (grid.height, grid.width) == (expected.height, expected.width)
    assert grid.rows == expected.rows


def test_a_value_at_xfd1048574_is_refused_by_name_and_the_process_lives(sample: Path, tmp_path: Path) -> None:
    far = b'<c r="XFE1048574" t="inlineStr"><is><t> </t></is></c>'.replace(b"XFE", b"XFD")
    path = rewrite(sample, tmp_path / "stray.xlsx",
                   lambda n, d: declare_whole_sheet(d, far).replace(b'<c r="XFD1048574" s="1"/>', b"")
                   if n == SHEET else d)
    with pytest.raises(SourceTooBig, match="XFD1048574") as err:
        list(ExcelSource("stray", path).read())
    assert "max_sheet_cells" in err.value.hint
    run = check_cli(path)   # the whole process: no abort, one line naming the file and the cell
    assert run.returncode == 2 and "XFD1048574" in run.stdout + run.stderr and "Traceback" not in run.stderr


# --- the size budget (issue 15 item 7) ------------------------------------------------------------

def test_a_workbook_over_the_size_budget_is_refused_naming_its_size_and_the_setting(sample: Path) -> None:
    with pytest.raises(SourceTooBig) as err:
        ExcelSource("big", sample, LimitsConfig(max_workbook_mib=0.05)).sheets()
    assert "MiB" in str(err.value) and sample.name in str(err.value)
    assert "[limits] max_workbook_mib" in err.value.hint


def test_a_workbook_over_the_row_budget_is_refused_before_its_rows_are_built(sample: Path) -> None:
    message, retryable = refused(sample, LimitsConfig(max_rows=100))
    assert "100" in message and "rows" in message and not retryable
    [grid] = ExcelSource("ok", sample, LimitsConfig(max_rows=1000)).read()
    assert grid.height > 200


def test_the_budget_is_set_in_config_toml(sample: Path, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(f'[sources.register]\nkind = "excel"\npath = "{sample.name}"\n\n'
                                          "[limits]\nmax_rows = 50\n", encoding="utf-8")
    run = check_cli(sample, "--config", str(tmp_path / "config.toml"))
    assert run.returncode == 2 and "max_rows" in run.stdout + run.stderr
    (tmp_path / "config.toml").write_text("[limits]\nmax_row = 50\n", encoding="utf-8")
    run = check_cli(sample, "--config", str(tmp_path / "config.toml"))
    assert run.returncode == 2 and "max_rows" in run.stdout + run.stderr and "Traceback" not in run.stderr


def test_a_read_on_a_terminal_says_which_sheet_it_is_at(sample: Path) -> None:
    from tests.cli.test_progress_bar_cli import on_a_terminal

    code, out, terminal = on_a_terminal("check", str(sample), "--lang", "en", "--format", "json", cwd=sample.parent)
    assert code == 2 and out.lstrip().startswith("{")   # zero-config, no table recognised in it: exit 2
    [sheet] = [s.name for s in ExcelSource("s", sample).sheets()]
    assert f"{sample.name} › {sheet} (1/1)" in terminal, terminal


def test_a_far_value_in_a_sheet_that_declares_no_range_is_found_too(sample: Path, tmp_path: Path) -> None:
    far = b'<row r="1048574"><c r="XFD1048574" t="inlineStr"><is><t>x</t></is></c></row>'

    def undeclared(name: str, data: bytes) -> bytes:
        if name != SHEET:
            return data
        data = re.sub(rb'<dimension ref="[^"]*"/>', b"", data)
        return data.replace(b"</sheetData>", far + b"</sheetData>")

    path = rewrite(sample, tmp_path / "tool.xlsx", undeclared)
    with pytest.raises(SourceTooBig, match="XFD1048574"):
        ExcelSource("tool", path).sheets()
    plain = rewrite(sample, tmp_path / "plain.xlsx", lambda n, d: re.sub(rb'<dimension ref="[^"]*"/>', b"", d))
    assert [s.name for s in ExcelSource("plain", plain).sheets()]   # no far cell: read as usual

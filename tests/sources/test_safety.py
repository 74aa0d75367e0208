"""Hostile or broken files are refused before any parser sees them, in well under a second."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from sync.errors import SourceBusy, SourceUnreadable
from sync.tables.register import load
from sync.sources import ExcelSource, open_path
from sync.sources.safety import OLE_MAGIC

LIMIT = 1.0


def _workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["订单号", "客户", "订单数量", "交货日期"])
    for i in range(200):
        ws.append([f"PO-{i:04d}", "ACME", 100 + i, "2026-09-15"])
    wb.save(path)
    return path


def _refused(path: Path) -> tuple[str, bool]:
    """(message, retryable) from a full register load, timed."""
    start = time.perf_counter()
    register = load([open_path(path)])
    assert time.perf_counter() - start < LIMIT
    assert not register.tables
    [problem] = register.problems
    assert path.name in problem.message and "\n" not in problem.message
    return problem.message, problem.retryable


def test_openpyxl_uses_defusedxml() -> None:
    assert openpyxl.xml.DEFUSEDXML is True


def test_zip_bomb_member_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * 1024**2))
    assert path.stat().st_size < 1024**2  # small on disk
    message, retryable = _refused(path)
    assert "zip bomb" in message and "sheet1.xml" in message and not retryable


def test_xml_entity_bomb_is_refused(tmp_path: Path) -> None:
    good = _workbook(tmp_path / "good.xlsx")
    path = tmp_path / "laughs.xlsx"
    laughs = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":  # the declaration goes after any <?xml ...?>
                end = data.find(b"?>", 0, 200) + 2 if data.startswith(b"<?xml") else 0
                data = data[:end] + laughs + data[end:].replace(b"ACME", b"&lol2;")
            dst.writestr(info.filename, data)
    message, retryable = _refused(path)
    assert "XML bomb" in message and not retryable


def test_half_written_workbook_is_busy_and_retryable(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "saving.xlsx")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    message, retryable = _refused(path)
    assert retryable and "half-written" in message
    with pytest.raises(SourceBusy) as info:
        ExcelSource("saving", path).sheets()
    assert info.value.retryable


def test_encrypted_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret.xlsx"
    path.write_bytes(OLE_MAGIC + b"\0" * 4096)
    message, retryable = _refused(path)
    assert "encrypted" in message and not retryable


def test_text_file_renamed_xlsx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("订单号,客户\nPO-1,ACME\n", encoding="utf-8")
    message, _ = _refused(path)
    assert "not a spreadsheet" in message
    with pytest.raises(SourceUnreadable):
        list(ExcelSource("notes", path).read())


def test_empty_file_is_busy(tmp_path: Path) -> None:
    path = tmp_path / "new.xlsx"
    path.write_bytes(b"")
    _, retryable = _refused(path)
    assert retryable


def test_a_good_workbook_next_to_a_bad_one_still_loads(tmp_path: Path) -> None:
    good = _workbook(tmp_path / "good.xlsx")
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    register = load([open_path(bad), open_path(good)])
    assert len(register.problems) == 1 and len(register.tables["orders"]) == 200

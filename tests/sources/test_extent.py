"""How far a sheet's XML says it reaches, and how far its values really do."""

from __future__ import annotations

import zipfile
from pathlib import Path

from sync.sources.extent import column_number, declared_cells, value_extent


def test_column_letters_count_like_excel() -> None:
    assert [column_number(c) for c in ("A", "Z", "AA", "IV", "XFD")] == [1, 26, 27, 256, 16384]


def test_the_declared_range_is_read_from_the_head_of_the_xml() -> None:
    assert declared_cells(b'<worksheet><dimension ref="A1:XFD1048574"/>') == 16384 * 1048574
    assert declared_cells(b'<dimension ref="B3:D10"/>') == 3 * 8
    assert declared_cells(b'<dimension ref="A1"/>') == 1
    assert declared_cells(b"<worksheet><sheetData>") is None


def test_the_extent_counts_cells_with_values_only(tmp_path: Path) -> None:
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="C{r}" t="inlineStr"><is><t>x</t></is></c>'
                   f'<c r="XFD{r}" s="2"/></row>' for r in range(1, 40_000))   # > one chunk of XML
    xml = f'<worksheet><dimension ref="A1:XFD1048574"/><sheetData>{rows}</sheetData></worksheet>'
    path = tmp_path / "sheet.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", xml)
    with zipfile.ZipFile(path) as zf:
        assert value_extent(zf, zf.getinfo("xl/worksheets/sheet1.xml")) == (39_999, 3, "A39999")   # the cell that widened it last

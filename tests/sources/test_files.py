"""Excel (.xlsx via openpyxl-written files) and CSV pass the source contract."""

from __future__ import annotations

import csv
import os

import openpyxl

from tests.sources.contract import SourceContract, as_text

from sync.sources import CsvSource, ExcelSource


def write_xlsx(path, sheets):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value != "":
                    ws.cell(r, c, value)
    book.save(path)


class TestExcelSource(SourceContract):
    def make_source(self, tmp_path, sheets):
        path = tmp_path / "register.xlsx"
        write_xlsx(path, sheets)
        return ExcelSource("register", path)

    def rewrite(self, source, tmp_path, sheets):
        stat = source.path.stat()
        write_xlsx(source.path, sheets)
        os.utime(source.path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


class TestCsvSource(SourceContract):
    typed = False
    multi_sheet = False

    def make_source(self, tmp_path, sheets):
        path = tmp_path / "订单.csv"
        self._write(path, sheets)
        return CsvSource("orders", path)

    def rewrite(self, source, tmp_path, sheets):
        stat = source.path.stat()
        self._write(source.path, sheets)
        os.utime(source.path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))

    def _write(self, path, sheets):
        (rows,) = sheets.values()
        with path.open("w", newline="", encoding="utf-8-sig") as fh:
            csv.writer(fh).writerows([[as_text(v) for v in r] for r in rows])

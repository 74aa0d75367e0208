"""Excel (.xlsx via openpyxl-written files) and CSV pass the source contract."""

from __future__ import annotations

import csv
import os

import openpyxl
import pytest

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
        save_again(source.path, sheets)


def save_again(path, sheets):
    """``path`` written again with ``sheets``, its modification time a second later (a save, however quick)."""
    stat = path.stat()
    write_xlsx(path, sheets)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


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


def many_sheets(count: int) -> dict[str, list[list]]:
    return {f"第{n}页": [["订单号", "数量"]] + [[f"SO-{n}-{r}", r * n] for r in range(1, 40)] for n in range(1, count + 1)}


def test_sheets_parsed_ahead_or_one_at_a_time_read_the_same(tmp_path, monkeypatch):
    """The next sheets are parsed in worker threads while one is converted; with no room to parse
    ahead (a big register's big sheets) the next starts only once the one before is in rows: the
    grids are the same."""
    import sync.sources.excel as excel

    sheets = many_sheets(7)
    path = tmp_path / "register.xlsx"
    write_xlsx(path, sheets)
    order = list(reversed(sheets))
    ahead = [(g.sheet, g.rows) for g in ExcelSource("register", path).read(order)]
    monkeypatch.setattr(excel, "AHEAD_BYTES", 0)
    monkeypatch.setattr(excel, "AHEAD_SHARE", 0)
    alone = [(g.sheet, g.rows) for g in ExcelSource("register", path).read(order)]
    assert [s for s, _ in ahead] == order
    assert ahead == alone
    assert ahead[0][1][2] == ["SO-7-2", 14]


@pytest.mark.parametrize("share", [0.5, 1.0, 2.0])
def test_sheets_parsed_ahead_as_far_as_the_sheet_in_hand_allows_read_the_same(tmp_path, monkeypatch, share):
    """With no floor, the sheets parsed ahead hold up to ``share`` times the XML of the sheet in hand (a big
    register's biggest sheets side by side): sheets of very different sizes, asked biggest first, smallest
    first and mixed, come out as when each is parsed alone."""
    import sync.sources.excel as excel

    sheets = {f"第{n}页": [["订单号", "数量"]] + [[f"SO-{n}-{r}", r * n] for r in range(1, 40 * n * n)]
              for n in range(1, 7)}
    path = tmp_path / "register.xlsx"
    write_xlsx(path, sheets)
    names = list(sheets)
    orders = [names[::-1], names, names[2:] + names[:2]]
    monkeypatch.setattr(excel, "AHEAD_BYTES", 0)
    monkeypatch.setattr(excel, "AHEAD_SHARE", share)
    ahead = [[(g.sheet, g.rows) for g in ExcelSource("register", path).read(order)] for order in orders]
    monkeypatch.setattr(excel, "AHEAD_SHARE", 0)
    alone = [[(g.sheet, g.rows) for g in ExcelSource("register", path).read(order)] for order in orders]
    assert ahead == alone
    assert [[s for s, _ in read] for read in ahead] == orders
    assert ahead[0][0][1][-1] == ["SO-6-1439", 1439 * 6]


@pytest.fixture
def parsing_threads():
    """The sheet-parsing threads started since the test began (another test's are not this one's business)."""
    import threading

    before = set(threading.enumerate())
    return lambda: [t for t in threading.enumerate() if t.name.startswith("calamine") and t not in before]


def test_stopping_part_way_leaves_no_thread_behind(tmp_path, parsing_threads):
    path = tmp_path / "register.xlsx"
    write_xlsx(path, many_sheets(5))
    grids = ExcelSource("register", path).read()
    assert next(grids).sheet == "第1页"
    assert parsing_threads()
    grids.close()
    assert not parsing_threads()


def test_a_read_let_go_of_without_being_closed_lets_its_threads_go(tmp_path, parsing_threads):
    """A read begun ahead and dropped with its workbook, never taken over nor closed: its parsing threads end
    (a daemon reading one workbook after another must not gather idle threads)."""
    import gc

    _, source = begun_ahead(tmp_path, 3, ["第1页", "第2页"])
    started = parsing_threads()
    assert started
    del source   # it and its read refer to each other: the collector frees them once the sheets are parsed
    for _ in range(1200):   # a minute at most: a parse of three small sheets takes milliseconds
        gc.collect()
        for thread in started:
            thread.join(0.05)
        if not any(thread.is_alive() for thread in started):
            break
    assert not any(thread.is_alive() for thread in started)


def begun_ahead(tmp_path, sheets: int, names: list[str]):
    """A register of ``sheets`` tabs and its source, with the read of ``names`` begun ahead."""
    path = tmp_path / "register.xlsx"
    write_xlsx(path, many_sheets(sheets))
    source = ExcelSource("register", path)
    source.read_ahead(names)
    return path, source


def test_a_read_begun_ahead_is_taken_over_and_reads_the_same(tmp_path, parsing_threads):
    """``ordersync check`` begins reading the workbook before it imports the checks: the read that asks for the
    same sheets takes the parsing over and hands out what a read begun then would."""
    order = [f"第{n}页" for n in (4, 1, 6, 2, 5, 3)]
    path, source = begun_ahead(tmp_path, 6, order)
    assert parsing_threads()   # parsing before anyone asked
    ahead = [(g.sheet, g.rows, g.errors) for g in source.read(order)]
    fresh = [(g.sheet, g.rows, g.errors) for g in ExcelSource("register", path).read(order)]
    assert ahead == fresh
    assert [s for s, _, _ in ahead] == order
    assert ahead[0][1][3] == ["SO-4-3", 12]
    assert not parsing_threads()


def test_a_save_after_the_read_began_ahead_is_what_is_read(tmp_path, parsing_threads):
    """The register saved again between the read begun ahead and the read: the read gives the saved cells."""
    path, source = begun_ahead(tmp_path, 3, ["第1页", "第2页"])
    changed = many_sheets(3)
    changed["第1页"][1] = ["SO-1-1", 999]
    save_again(path, changed)
    first, second = source.read(["第1页", "第2页"])
    assert first.rows[1] == ["SO-1-1", 999]
    assert second.rows[1] == ["SO-2-1", 2]
    assert not parsing_threads()


def test_a_read_of_other_sheets_lets_the_read_begun_ahead_go(tmp_path, parsing_threads):
    _, source = begun_ahead(tmp_path, 4, ["第1页", "第2页"])
    assert [g.sheet for g in source.read(["第3页", "第1页"])] == ["第3页", "第1页"]
    assert not parsing_threads()
    source.read_ahead(["第4页"])
    source.drop_ahead()   # begun and never asked for
    assert not parsing_threads()
    assert [g.rows[1] for g in source.read(["第4页"])] == [["SO-4-1", 4]]


def test_a_workbook_that_cannot_be_read_is_said_by_the_read_not_the_read_ahead(tmp_path):
    from sync.errors import SourceError

    path = tmp_path / "register.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    source = ExcelSource("register", path)
    source.read_ahead(["Sheet1"])   # quietly nothing
    with pytest.raises(SourceError) as raised:
        list(source.read(["Sheet1"]))
    with pytest.raises(SourceError) as fresh:
        list(ExcelSource("register", path).read(["Sheet1"]))
    assert str(raised.value) == str(fresh.value)
    assert "register.xlsx" in str(raised.value) and "half-written" in str(raised.value)


def test_a_read_stopped_by_ctrl_c_lets_the_parsing_threads_run_out_with_the_process(tmp_path, parsing_threads):
    """Ctrl-C while sheets are parsed (or parsed ahead, while `check` imports the checks) ends the command at once:
    the parsing threads are daemon threads, which the interpreter does not wait for, and the stopped read does
    not wait for them either; each stops by itself once its sheet is parsed."""
    _, source = begun_ahead(tmp_path, 6, [f"第{n}页" for n in range(1, 7)])
    assert parsing_threads() and all(t.daemon for t in parsing_threads())

    def interrupted(sheet, at, of):
        if at == 1:
            raise KeyboardInterrupt   # as the signal lands while the read waits for a sheet
    source.progress = interrupted
    seen = []
    with pytest.raises(KeyboardInterrupt):
        for grid in source.read([f"第{n}页" for n in range(1, 7)]):
            seen.append(grid.sheet)
    assert seen == ["第1页"]
    for thread in parsing_threads():
        thread.join()   # they end on their own: nothing else is queued for them
    source.progress = None
    assert [g.sheet for g in source.read(["第6页"])] == ["第6页"]   # and the workbook reads again


def test_a_missing_sheet_after_good_ones_is_named_when_reached(tmp_path):
    from sync.errors import SheetNotFound

    path = tmp_path / "register.xlsx"
    write_xlsx(path, many_sheets(3))
    grids = ExcelSource("register", path).read(["第1页", "第2页", "第9页", "第3页"])
    assert [next(grids).sheet, next(grids).sheet] == ["第1页", "第2页"]
    with pytest.raises(SheetNotFound, match="第9页") as raised:
        next(grids)
    assert "第3页" in (raised.value.hint or "")


def _workbooks(corpus):
    """The corpus workbooks of several sheets (one sheet has nothing to parse ahead), the slowest left out."""
    for path in sorted(corpus.glob("*/*")):
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls") and path.stat().st_size < 400_000:
            yield path


def test_every_corpus_workbook_reads_the_same_parsed_ahead_or_not(corpus, monkeypatch):
    """Sheets parsed in threads ahead of the caller come out cell for cell, type for type, as when each
    starts only once the one before is in rows (merged ranges and date system too), in the order asked."""
    import sync.sources.excel as excel
    from sync.errors import SourceError

    compared = 0
    for path in _workbooks(corpus):
        source = ExcelSource(path.name, path)
        try:
            names = [s.name for s in source.sheets()]
            if len(names) < 2:
                continue
            monkeypatch.setattr(excel, "AHEAD_BYTES", 1 << 40)
            ahead = list(source.read(list(reversed(names))))
        except SourceError:
            continue   # a workbook the reader refuses (corrupt, encrypted) is tested in test_broken_files
        monkeypatch.setattr(excel, "AHEAD_BYTES", 0)
        monkeypatch.setattr(excel, "AHEAD_SHARE", 0)
        after = list(source.read(list(reversed(names))))
        assert [g.sheet for g in ahead] == [g.sheet for g in after] == names[::-1], path.name
        for one, other in zip(ahead, after):
            assert (one.date1904, one.merged) == (other.date1904, other.merged), (path.name, one.sheet)
            assert _typed(one.rows) == _typed(other.rows), (path.name, one.sheet)
        compared += 1
    assert compared >= 8


def _typed(rows):
    return [[(type(v), v) for v in row] for row in rows]

"""Excel workbooks (.xlsx, .xlsm, .xls, .ods) through python-calamine.

calamine reads every format in one fast pass and never trusts a declared
``<dimension>``; the bytes are first checked by ``sync.sources.safety``.
"""

from __future__ import annotations

import os
import queue
import struct
import threading
import weakref
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from pathlib import Path

import defusedxml.ElementTree as ElementTree
import python_calamine as calamine

from sync.config import LimitsConfig
from sync.errors import SheetNotFound, SourceBusy, SourceError, SourceTooBig, SourceUnreadable
from sync.gcpause import collection_paused
from sync.sources.heap import limit_arenas, release_free_memory
from sync.sources.base import Grid, SheetInfo, Source, register
from sync.sources.cell_errors import biff_errors, xml_errors
from sync.sources.lineage import shared_token
from sync.sources.safety import Inspection, file_token, inspect

EXTENSIONS = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xla", ".ods")
PARSERS = min(2, os.cpu_count() or 1)   # threads parsing sheets while the last one is converted
AHEAD_BYTES = 32 * 1024**2               # sheet XML parsed ahead at least, if the sheet in hand is smaller
AHEAD_SHARE = 2.0                        # ... else twice what the sheet in hand has (those cells are held meanwhile)


@register
class ExcelSource(Source):
    kind = "excel"

    @classmethod
    def from_config(cls, name: str, options: dict, base_dir: Path) -> Source:
        return cls(name, base_dir / str(options["path"]))

    def set_limits(self, limits: LimitsConfig) -> None:
        self.limits, self._checked = limits, None

    def __init__(self, name: str, path: str | Path, limits: LimitsConfig | None = None) -> None:
        self.path = Path(path)
        self.limits = limits or LimitsConfig()
        self._checked: tuple[str, Inspection] | None = None
        self._ahead: _Reading | None = None
        super().__init__(name, str(self.path))

    def _inspect(self) -> Inspection:
        """The safety checks, once per version of the file (``sheets`` and then ``read`` both open it)."""
        token = self.fingerprint()
        if self._checked is None or self._checked[0] != token or not token:
            self._checked = (token, inspect(self.path, self.limits))
        return self._checked[1]

    def _open(self) -> tuple[calamine.CalamineWorkbook, Inspection]:
        checked = self._inspect()
        try:
            return calamine.CalamineWorkbook.from_path(str(self.path)), checked
        except calamine.PasswordError as exc:
            raise SourceUnreadable(self.location, "the workbook is password-protected (encrypted)") from exc
        except BaseException as exc:  # calamine panics surface as a BaseException
            raise self._translate(exc) from exc

    def _translate(self, exc: BaseException) -> Exception:
        if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
            return exc  # type: ignore[return-value]
        if isinstance(exc, OSError):
            return SourceBusy(self.location, f"cannot read the file ({exc})")
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return SourceUnreadable(self.location, f"corrupt or unsupported workbook ({text})",
                                hint="Open it in Excel to repair it, or restore the last good copy.")

    def sheets(self) -> list[SheetInfo]:
        book, _ = self._open()
        try:
            return [SheetInfo(m.name, m.visible != calamine.SheetVisibleEnum.Visible)
                    for m in book.sheets_metadata if m.typ == calamine.SheetTypeEnum.WorkSheet]
        finally:
            book.close()

    def read(self, names: Iterable[str] | None = None) -> Iterator[Grid]:
        """The asked sheets in order; the next ones are parsed in worker threads meanwhile.

        calamine parses a sheet's XML without holding the GIL, so while this thread
        turns one sheet into Python rows (and the caller compacts them) the workers
        parse the next: a whole 10k-order register reads in about half the time on
        two cores. The sheets parsed ahead of the one in hand hold up to twice its XML
        (``AHEAD_SHARE``; at least ``AHEAD_BYTES``): a big register's biggest sheets parse
        side by side, the third as soon as a worker is free, instead of each waiting for
        the one before to be turned into rows (the 100k bench register's check: 8.6 s ->
        7.4 s). A detected register is asked for biggest first, so the read then holds at
        most about three times its biggest sheet's parsed cells (on that register the read
        peaks at about 550 MiB, as high as the order model and the checks reach after it; a
        share of 1 or 0.5 lowered neither the check's peak nor its time: 6.5 s and 7.2 s
        against 6.1 s, 570-610 MiB either way).
        """
        wanted = None if names is None else list(names)
        reading, self._ahead = self._ahead, None
        if reading is not None and not reading.serves(wanted, self.fingerprint()):
            reading.close()
            reading = None
        reading = reading or _Reading(self, wanted)
        try:
            yield from reading.grids()
        except (KeyboardInterrupt, SystemExit):
            reading.abandon()   # stopped: the sheets being parsed are not waited for
            raise
        finally:
            reading.close()

    def read_ahead(self, names: Iterable[str]) -> None:
        """Begin the read of ``names`` now, before anyone asks for it: the first sheets parse in worker threads
        (without the GIL) while this thread goes on, e.g. to import the checks (0.4 s of ``ordersync check``).
        The next ``read`` takes it over when it asks for the same sheets of the same version of the file, and
        else drops it; a file that cannot be read is left for that read to say so, in its place."""
        self.drop_ahead()
        try:
            self._ahead = _Reading(self, list(names))
        except SourceError:
            pass

    def drop_ahead(self) -> None:
        """Let go of a read begun ahead that no read took over."""
        reading, self._ahead = self._ahead, None
        if reading is not None:
            reading.close()

    def _read_sheet(self, parsed: Future, name: str, date1904: bool, budget: _RowBudget) -> Grid:
        # to_python makes one list per row, millions of new containers and no cycles
        try:
            with collection_paused():
                sheet, errors = parsed.result()
                budget.take(name, sheet.height, sheet.width)   # before the rows become Python objects
                rows = sheet.to_python(skip_empty_area=False)
                merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
        except SourceError:
            raise
        except BaseException as exc:
            raise self._translate(exc) from exc
        return Grid(name, rows, date1904=date1904, merged=merged, errors=errors)

    def sheet_sizes(self) -> dict[str, int]:
        """Uncompressed bytes of each worksheet's XML (.xlsx/.xlsm), a cheap hint of its size; {} otherwise."""
        return {name: size for name, (_, size) in self._parts().items()}

    def _parts(self) -> dict[str, tuple[str, int]]:
        """Sheet name -> its worksheet part in the package and that part's uncompressed bytes (.xlsx/.xlsm); {}
        for a workbook that is no package (.xls, .ods) or whose directory does not say."""
        try:
            with zipfile.ZipFile(self.path) as package:
                return {name: (part, package.getinfo(part).file_size) for name, part in _sheet_parts(package).items()
                        if part in package.NameToInfo}
        except (OSError, KeyError, ValueError, zipfile.BadZipFile, ElementTree.ParseError):
            return {}

    def _errors(self, part: str) -> dict[tuple[int, int], str]:
        """The cells of worksheet ``part`` that show a formula's error, which calamine reads as "" without saying
        (``sync.sources.cell_errors``); {} where that cannot be told. Run in the thread that parsed the sheet: the
        XML is inflated again without the GIL, beside the other sheets' parsing."""
        if not part:
            return {}
        try:
            return xml_errors(str(self.path), part)
        except (OSError, KeyError, ValueError, EOFError, zlib.error, zipfile.BadZipFile):
            return {}

    def _biff_errors(self) -> dict[str, dict[tuple[int, int], str]]:
        """Each sheet's cells that show a formula's error, of a legacy .xls workbook (``cell_errors.biff_errors``);
        {} where that cannot be told."""
        try:
            return biff_errors(str(self.path))
        except (OSError, ValueError, IndexError, struct.error):
            return {}

    def sheet_tokens(self) -> dict[str, str]:
        """Sheet name -> a token of what its cells read as.

        The CRC and size of the sheet's own XML (from the package directory), the
        lineage of the parts every sheet is read through (shared strings, styles:
        ``sync.sources.lineage``, which stays put while Excel only adds to them)
        and the date system: a save that changes one tab leaves the other tabs'
        tokens as they were, so they need not be read again, even when it added
        new text. {} where that cannot be told (.xls, .ods, an odd package).
        """
        try:
            with zipfile.ZipFile(self.path) as package:
                parts = _sheet_parts(package)
                if not parts:
                    return {}
                where = str(self.path.resolve())
                shared = "|".join(shared_token(where, package, part, kind)
                                  for kind, part in _shared_parts(package))
                book = package.read("xl/workbook.xml")
                date1904 = b'date1904="1"' in book or b'date1904="true"' in book
                return {name: f"{_crc(package, part)}|{shared}|{int(date1904)}"
                        for name, part in parts.items() if part in package.NameToInfo}
        except (OSError, KeyError, ValueError, EOFError, zlib.error, zipfile.BadZipFile, ElementTree.ParseError):
            return {}

    def fingerprint(self) -> str:
        try:
            return file_token(self.path)
        except OSError:
            return ""


class _Reading:
    """One read of some of a workbook's sheets: the threads that parse them, the sheets parsed or being parsed.

    The first sheets start parsing as soon as it exists (``ExcelSource.read_ahead``); ``grids`` hands them over
    in order, parsing the next ones meanwhile, and ``close`` lets go of whatever was not handed over."""

    def __init__(self, source: ExcelSource, names: list[str] | None) -> None:
        self.source = source
        self.token = source.fingerprint()   # before the safety checks: the workers open only the file they passed
        self.book, checked = source._open()
        self.names = names
        self.date1904 = checked.date1904
        self.legacy = checked.container == "ole"   # an .xls: its error cells are found for all sheets at once
        self.biff: dict[str, dict[tuple[int, int], str]] | None = None
        self.wanted = list(self.book.sheet_names if names is None else names)
        self.budget = _RowBudget(source.location, source.limits)
        self.parts = source._parts()
        self.sizes = {name: size for name, (_, size) in self.parts.items()}
        self.books = [self.book]
        self.local = threading.local()
        self.lock = threading.Lock()
        limit_arenas()   # before the parsing threads exist: they share one arena, not one each
        self.workers = _Parsers(min(PARSERS, len(self.wanted)) or 1)
        self.parsing: dict[int, Future] = {}
        self.closed = False
        if self.wanted and self.wanted[0] in self.book.sheet_names:
            self._parse_from(0)

    def serves(self, names: list[str] | None, token: str) -> bool:
        """It reads what is asked, of the file as it is now."""
        return not self.closed and names == self.names and token == self.token and not self.budget.rows

    def _parse(self, name: str) -> tuple[calamine.CalamineSheet, dict[tuple[int, int], str]]:
        own = getattr(self.local, "book", None)
        if own is None:   # a workbook borrows itself for a whole parse: one per thread
            own = self.local.book = calamine.CalamineWorkbook.from_path(str(self.source.path))
            with self.lock:
                self.books.append(own)
            if self.source.fingerprint() != self.token:
                raise SourceBusy(self.source.location, "the workbook was saved again while it was read")
        sheet = own.get_sheet_by_name(name)
        if self.legacy:
            with self.lock:   # one scan of the workbook's stream, for whichever worker asks first
                if self.biff is None:
                    self.biff = self.source._biff_errors()
            return sheet, self.biff.get(name, {})
        return sheet, self.source._errors(self.parts.get(name, ("", 0))[0])

    def _parse_from(self, at: int) -> None:
        """Sheet ``at`` being parsed, and the ones after it that fit in its room beside it."""
        wanted, sheets = self.wanted, self.book.sheet_names
        if at not in self.parsing:
            self.parsing[at] = self.workers.submit(self._parse, wanted[at])
        ahead, room = 0, _room(self.sizes.get(wanted[at]))   # bytes of XML parsed ahead of this sheet, at most
        for later in range(at + 1, len(wanted)):
            ahead += self.sizes.get(wanted[later], room + 1)   # size unknown: too much
            if len(self.parsing) > PARSERS or ahead > room or wanted[later] not in sheets:
                break
            if later not in self.parsing:
                self.parsing[later] = self.workers.submit(self._parse, wanted[later])

    def grids(self) -> Iterator[Grid]:
        wanted, sheets, progress = self.wanted, self.book.sheet_names, self.source.progress
        for at, name in enumerate(wanted):
            if name not in sheets:
                raise SheetNotFound(self.source.location, f"no sheet named {name!r}",
                                    hint=f"Sheets in the workbook: {', '.join(sheets)}")
            self._parse_from(at)
            if progress is not None:
                progress(name, at, len(wanted))
            read = [self.source._read_sheet(self.parsing.pop(at), name, self.date1904, self.budget)]
            nxt = at + 1
            if nxt < len(wanted) and nxt not in self.parsing and wanted[nxt] in sheets:
                # this sheet's parsed cells are freed: the next one is parsed while the caller works
                # on this grid (a detected register asks for its biggest sheet first, so the next
                # one's parsed cells are no more than this one's were a moment ago)
                self.parsing[nxt] = self.workers.submit(self._parse, wanted[nxt])
            yield read.pop()   # held here no longer than the caller holds it

    def abandon(self) -> None:
        """Let go without waiting for the sheets being parsed (Ctrl-C): the parsing threads stop once theirs is
        done, or with the process; their workbooks stay open meanwhile."""
        self.closed = True
        for future in self.parsing.values():
            future.cancel()
        self.workers.shutdown(wait=False)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for future in self.parsing.values():
            future.cancel()
        self.workers.shutdown(wait=True)
        for each in self.books:
            each.close()
        self.parsing.clear()
        release_free_memory()


class _Parsers:
    """``count`` daemon threads that run what is submitted, in order: a pool whose threads the interpreter does
    not wait for at exit (``ThreadPoolExecutor``'s it does), so a check stopped with Ctrl-C while a big sheet is
    being parsed, or parsed ahead, ends at once. Each thread keeps the workbook it opened for the next sheet; a
    pool let go of without ``shutdown`` lets its threads go too, as an executor does."""

    def __init__(self, count: int) -> None:
        self.tasks: queue.SimpleQueue[tuple[Future, Callable[..., object], tuple] | None] = queue.SimpleQueue()
        self.threads = [threading.Thread(target=_work, args=(self.tasks,), name=f"calamine_{n}", daemon=True)
                        for n in range(count)]
        for thread in self.threads:
            thread.start()
        self._stop = weakref.finalize(self, _stop, self.tasks, count)

    def submit(self, work: Callable[..., object], *args: object) -> Future:
        future: Future = Future()
        self.tasks.put((future, work, args))
        return future

    def shutdown(self, wait: bool = True) -> None:
        """No more work: each thread stops after what it has (cancel the futures not wanted first)."""
        self._stop()
        if wait:
            for thread in self.threads:
                thread.join()


def _work(tasks: queue.SimpleQueue) -> None:
    """A parsing thread: the tasks in turn, until told to stop. It holds the queue, not the pool: the pool can go."""
    while (task := tasks.get()) is not None:
        _run(*task)
        del task   # nor the sheet parsed: it is the reader's, and freed when the reader is done with it


def _stop(tasks: queue.SimpleQueue, count: int) -> None:
    for _ in range(count):
        tasks.put(None)


def _run(future: Future, work: Callable[..., object], args: tuple) -> None:
    if future.set_running_or_notify_cancel():
        try:
            result = work(*args)
        except BaseException as exc:   # handed to whoever asks for the sheet, as an executor does
            future.set_exception(exc)
        else:
            future.set_result(result)


def _room(size: int | None) -> float:
    """The bytes of sheet XML that may be parsed ahead of a sheet of ``size`` bytes (None: unknown)."""
    return max(AHEAD_BYTES, AHEAD_SHARE * (size or 0))


class _RowBudget:
    """``[limits] max_rows`` over the sheets of one read, ``max_sheet_cells`` for each."""

    def __init__(self, where: str, limits: LimitsConfig) -> None:
        self.where, self.limits, self.rows = where, limits, 0

    def take(self, sheet: str, height: int, width: int) -> None:
        self.rows += height
        if self.rows > self.limits.max_rows:
            raise SourceTooBig(self.where, f"too big to read: {self.rows:,} rows up to sheet {sheet!r}, over the "
                                           f"budget of {self.limits.max_rows:,} rows",
                               hint="Raise [limits] max_rows in config.toml to read it, or split the register.")
        if height * width > self.limits.max_sheet_cells:
            raise SourceTooBig(self.where, f"sheet {sheet!r} is too big to read: {height:,} rows x {width:,} "
                                           f"columns, over the budget of {self.limits.max_sheet_cells:,} cells",
                               hint="Raise [limits] max_sheet_cells in config.toml to read it.")


_HINT_LIMIT = 4_000_000
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _crc(package: zipfile.ZipFile, part: str) -> str:
    info = package.NameToInfo.get(part)
    return f"{info.CRC:08x}:{info.file_size}" if info is not None else "-"


def _shared_parts(package: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(kind, part) of the shared strings and styles, which every sheet's cells are read through."""
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    kinds = {"sharedStrings": "strings", "styles": "styles"}
    out = []
    for rel in rels.iter(f"{_RELS}Relationship"):
        kind = kinds.get(rel.get("Type", "").rsplit("/", 1)[-1])
        if kind:
            target = rel.get("Target", "")
            out.append((kind, target.lstrip("/") if target.startswith("/") else f"xl/{target}"))
    return sorted(out)


def _sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the package, from xl/workbook.xml and its relationships."""
    wanted = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
    if any(n not in package.NameToInfo or package.getinfo(n).file_size > _HINT_LIMIT for n in wanted):
        return {}  # a hint is not worth unpacking anything big before the safety checks have run
    book = ElementTree.fromstring(package.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_RELS}Relationship")}
    parts = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(_REL_ID), "")
        parts[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return parts

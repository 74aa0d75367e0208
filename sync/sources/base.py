"""The source contract: where rows of cells come from.

Glossary
--------
source   one workbook (an Excel file, a CSV file, a Google spreadsheet), named in
         config.toml under ``[sources.NAME]``; ``kind`` selects the backend.
sheet    one tab of it (a CSV file has exactly one sheet).
grid     the cells of one sheet as a list of rows, each a list of Python values.
         ``grid.rows[0][0]`` is cell A1, whatever is empty around the data, so a
         value at ``rows[i][j]`` sits in sheet row ``i + 1``, column ``j + 1``.

Cell values are one of: ``str`` (``""`` for an empty cell), ``float``, ``int``,
``bool``, ``datetime.datetime``, ``datetime.date``, ``datetime.time``,
``datetime.timedelta``. A cell showing a formula's error (#N/A) is ``""`` and is named in
``Grid.errors``. Backends hand over what the file holds; all meaning
(numbers, dates, keys) is decided later by ``sync.tables.normalize``.

A backend is a short subclass that sets ``kind`` and implements ``sheets`` and
``read``; ``tests/sources/contract.py`` is the one test class they all pass.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from sync.errors import SourceError


@dataclass(frozen=True)
class SheetInfo:
    name: str
    hidden: bool = False


@dataclass
class Grid:
    """The cells of one sheet; ``rows[i][j]`` is the cell at sheet row i+1, column j+1."""

    sheet: str
    rows: list[list[Any]]
    #: serial numbers in this sheet count from 1904-01-01 (Excel for Mac, old files)
    date1904: bool = False
    #: merged ranges as (first_row, first_col, last_row, last_col), 0-based inclusive
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    #: the cells showing a formula's error, (row, col) 0-based -> what they show (#N/A, #REF!); such a cell reads
    #: as "" in ``rows``: its value is unknown (``sync.sources.cell_errors``)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max(map(len, self.rows), default=0)  # C-level: called on 300k-row sheets


class Source(ABC):
    """One workbook. Reading never changes it."""

    kind: ClassVar[str]
    #: requests made to a remote service so far (shown per cycle in the log line)
    requests: int = 0
    #: a remote source whose change token may miss edits asks for a periodic full read
    full_read_due: bool = False
    #: the ``[sources.NAME]`` a source opened from a path glob came from (its own name is NAME/file)
    group: str | None = None
    #: whose register this is (``[sources.NAME] follower``): the follower of its orders where no column says who
    follower: str | None = None
    #: told (sheet, position, of how many) as each sheet of a read starts: the CLI's progress bar says it
    progress: Callable[[str, int, int], None] | None = None

    @classmethod
    def from_config(cls, name: str, options: dict[str, Any], base_dir: Path) -> Source:
        """Build from a ``[sources.NAME]`` table; relative paths are relative to ``base_dir``."""
        raise NotImplementedError

    def __init__(self, name: str, location: str) -> None:
        self.name = name          # the key in config.toml, or the file name
        self.location = location  # path or URL, for messages

    @abstractmethod
    def sheets(self) -> list[SheetInfo]:
        """The sheets in workbook order."""

    @abstractmethod
    def read(self, names: Iterable[str] | None = None) -> Iterator[Grid]:
        """Yield the grids of the named sheets (all when None), in the order asked.

        Backends that pay per request (Google Sheets) fetch all asked sheets at once;
        file backends read one sheet at a time so only one grid is in memory.
        Raises ``SheetNotFound`` for a name the workbook does not have.
        """

    def read_ahead(self, names: Iterable[str]) -> None:
        """Begin reading ``names`` before anyone asks, where that can go on beside this thread; the next ``read``
        of the same sheets takes it over. A backend that cannot does nothing here: its ``read`` does it all."""

    def fingerprint(self) -> str:
        """A cheap token that changes whenever the content may have changed."""
        return ""

    def set_limits(self, limits: Any) -> None:
        """The ``[limits]`` of the config (``sync.config.LimitsConfig``); backends that read files honour it."""

    def describe(self) -> str:
        return f"{self.name} ({self.kind}: {self.location})"


def biggest_first(names: Iterable[str], sizes: Mapping[str, int]) -> list[str]:
    """``names`` the biggest first (``sizes``: what ``sheet_sizes`` says; a sheet it does not know last), else in
    their order: how a register's sheets are read when its tables are recognised, the biggest while nothing else
    is held (its cells are the peak of the whole read)."""
    return sorted(names, key=lambda name: -sizes.get(name, 0))


def read_all_ahead(source: Source) -> None:
    """Begin reading every visible sheet of ``source``, the biggest first, as a load that recognises its tables
    asks for them (``Source.read_ahead``). A workbook that cannot be read is left for that load to say so, in its
    place."""
    try:
        sizes = getattr(source, "sheet_sizes", dict)()
        source.read_ahead(biggest_first([s.name for s in source.sheets() if not s.hidden], sizes))
    except SourceError:
        pass


_BACKENDS: dict[str, type[Source]] = {}
#: backends imported on first use: gspread and google-auth cost ~25 MB and 0.3 s, needed only for Google
_LAZY = {"gsheets": "sync.sources.gsheets"}


def register(cls: type[Source]) -> type[Source]:
    _BACKENDS[cls.kind] = cls
    return cls


def backend(kind: str) -> type[Source]:
    from sync.errors import ConfigError

    if kind not in _BACKENDS and kind in _LAZY:
        import importlib

        importlib.import_module(_LAZY[kind])
    try:
        return _BACKENDS[kind]
    except KeyError:
        known = ", ".join(sorted(set(_BACKENDS) | set(_LAZY)))
        raise ConfigError(f"unknown source kind {kind!r}; expected one of: {known}") from None

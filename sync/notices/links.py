"""Where a notice's order or finding links to: the row in the register the reader can open, and the status page.

The server reads the register from its own disk (``/srv/ordersync/registers/
张伟.xlsx``); that path means nothing on a phone or a colleague's PC. So an Excel
or CSV source links only through what the reader can open: the source's
``share`` (the folder of its ``path`` as people reach it, ``\\\\fileserver\\跟单\\``
or ``https://nas/跟单/``) or, for every source, ``[mail] link_prefix`` (the
config's folder as people reach it). Without either there is no file link,
and the mail names the file, sheet and cell in words instead. A Google Sheet
links to the exact cell: ``…/edit#gid=GID&range=B7``. The status page link
(``sync.links.page_link``) is signed for the person the mail goes to, when
``[web] base_url`` and its secret are configured.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath
from urllib.parse import quote

import numpy as np

from sync.config import Config
from sync.findings import Finding
from sync.links import page_link
from sync.tables.normalize import normalise_key, remembered_key
from sync.tables.register import Register
from sync.tables.table import ROW, Table, column_letter

GOOGLE = "https://docs.google.com/spreadsheets/d/"


@dataclass(frozen=True)
class Place:
    """A cell as the reader knows it: the file's name, the sheet, the cell, and a link when there is one."""

    file: str
    sheet: str
    cell: str
    url: str | None = None

    @property
    def label(self) -> str:
        return f"{self.file} › {self.sheet}!{self.cell}" if self.file else f"{self.sheet}!{self.cell}"


class Links:
    """Links for one notice run: built once from the config and the register, asked per order and finding."""

    def __init__(self, config: Config | None, register: Register | None, now: datetime | None = None) -> None:
        self.config = config
        self.now = now
        self._orders = register.get("orders") if register is not None else None
        self._rows: dict[str, tuple[str, str, str, str]] | None = None   # made when an order is first asked for
        self._locations = _locations(register)
        self._files: dict[tuple[str, str], str | None] = {}

    def order(self, order_no: str | None) -> Place | None:
        """The order's row in the orders tab (its order-number cell)."""
        if self._rows is None:
            self._rows = _order_rows(self._orders)
        found = self._rows.get(normalise_key(order_no)) if order_no else None
        if found is None:
            return None
        source, location, sheet, cell = found
        return Place(_file_name(location), sheet, cell, self.url(source, location, sheet, cell))

    def finding(self, f: Finding) -> Place | None:
        if not f.sheet or not (f.cell or f.row):
            return None
        location = self._locations.get(f.source or "", f.source or "")
        cell = f.cell or f"A{f.row}"
        return Place(_file_name(location), f.sheet, cell, self.url(f.source or "", location, f.sheet, cell))

    def page(self, person: str, order_no: str | None = None) -> str | None:
        """The status page for ``person`` (one order's when given), or None without [web] base_url and secret."""
        web = getattr(self.config, "web", None) if self.config is not None else None
        return page_link(web, person, f"/order/{order_no}" if order_no else "/me", self.now)

    def url(self, source: str, location: str, sheet: str, cell: str) -> str | None:
        if location.startswith(GOOGLE):
            return google_url(location, sheet, cell)
        if (source, location) not in self._files:      # one file, many cells: its part worked out once
            self._files[(source, location)] = self._file_url(source, location)
        file = self._files[(source, location)]
        return file + cell_fragment(sheet, cell) if file else None

    def _file_url(self, source: str, location: str) -> str | None:
        if self.config is None or "://" in location:
            return None
        base = self._share(source, location)
        if base is None:
            return None
        folder, prefix = base
        try:
            relative = PurePath(location).relative_to(folder)
        except ValueError:
            relative = PurePath(PurePath(location).name)
        return join_link(prefix, relative.parts)

    def _share(self, source: str, location: str) -> tuple[Path, str] | None:
        """(the local folder, how readers reach it) for the file: its source's ``share`` (the source by name,
        else the one whose folder holds the file), else [mail] link_prefix."""
        assert self.config is not None
        shared = {name: (_static_folder(self.config.resolve(str(spec.path))), spec.share)
                  for name, spec in self.config.sources.items() if getattr(spec, "share", None) and
                  getattr(spec, "path", None)}
        named = shared.get(source.split("/")[0])
        if named:
            return named
        for folder, share in shared.values():
            if PurePath(location).is_relative_to(folder):
                return folder, share
        prefix = self.config.mail.link_prefix
        return (self.config.base_dir, prefix) if prefix else None


def google_url(location: str, sheet: str, cell: str) -> str:
    from sync.sources.google_addresses import sheet_gid

    key = location[len(GOOGLE):].split("/")[0]
    gid = sheet_gid(key, sheet)
    anchor = f"#gid={gid}&range={cell}" if gid is not None else ""
    return f"{GOOGLE}{key}/edit{anchor}"


def join_link(prefix: str, parts: tuple[str, ...]) -> str:
    """``prefix`` + the file's path under it: a web prefix as it is, a UNC share (``\\\\server\\跟单``)
    as the ``file://server/跟单/…`` link Outlook and Explorer open."""
    if "://" in prefix:
        return prefix.rstrip("/") + "/" + "/".join(_iri(p) for p in parts)
    unc = prefix.replace("\\", "/").strip("/")
    return "file://" + _iri("/".join([unc, *parts]), "/:")


def cell_fragment(sheet: str, cell: str) -> str:
    """The cell Excel opens the workbook at: ``#'订单'!A7``."""
    return "#" + _iri(f"'{sheet}'!{cell}", "'!")


def _iri(text: str, safe: str = "") -> str:
    """Percent-encode what a URL cannot hold (spaces, #, %, ?), keep Chinese as it is: every mail client takes
    an IRI, and encoded it is three times as long."""
    return "".join(ch if ord(ch) > 127 else quote(ch, safe=safe) for ch in text)


def _static_folder(path: Path) -> Path:
    """The folder of a source's ``path``: of the file, or the part of a glob before its first pattern."""
    parts = path.parts
    for i, part in enumerate(parts):
        if glob.has_magic(part):
            return Path(*parts[:i])
    return path.parent


def _file_name(location: str) -> str:
    if location.startswith(GOOGLE):
        return ""
    return PurePath(location).name


def _locations(register: Register | None) -> dict[str, str]:
    """source name -> its location (path or URL), from the tables' sheets."""
    out: dict[str, str] = {}
    for table in (register.tables.values() if register is not None else []):
        for part in table.parts:
            out.setdefault(part.source, part.location)
        out.setdefault(table.source, table.location)
    return out


def _order_rows(table: Table | None) -> dict[str, tuple[str, str, str, str]]:
    """order key -> (source, location, sheet, order-number cell) of its first row in the orders tab."""
    if table is None or not table.has("order_no") or ROW not in table.data:
        return {}
    numbers = table.data["order_no"].to_numpy()
    rows = table.data[ROW].to_numpy()
    letter = column_letter(table.columns["order_no"].index)
    whole = (table.source, table.location, table.sheet)
    places = [(p.source, p.location, p.sheet) for p in table.parts] or [whole]
    stops = np.array([p.stop for p in table.parts]) if table.parts else np.zeros(0, dtype=np.int64)
    # each row's sheet, all at once: the part whose rows it is among (the last part past its stop)
    part_of = np.minimum(np.searchsorted(stops, np.arange(len(numbers)), side="right"), len(places) - 1).tolist()
    out: dict[str, tuple[str, str, str, str]] = {}
    for no, row, part in zip(numbers, rows, part_of):
        if no is None or no != no or not str(no).strip():    # NaN != NaN
            continue
        key = remembered_key(str(no))   # the same numbers come back every cycle
        if key in out:
            continue
        out[key] = (*places[part], f"{letter}{int(row)}")
    return out

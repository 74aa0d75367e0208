"""Google Sheets (and Excel files kept in Google Drive), read-only, paying as few requests as possible.

The source is here; what it is made of sits beside it: ``google_addresses`` (every URL
form users paste, A1 ranges), ``google_http`` (one request at a time inside the poll's
time budget, counted), ``google_errors`` (each Google reason with its own hint),
``google_plan`` (which batchGets read which rows), ``google_drive`` (Excel files kept in
Drive), ``google_credentials`` (the service account).

What a poll costs
-----------------
``fingerprint()``  one Drive ``files.get`` of ``mimeType``, ``version`` and ``modifiedTime``
                   (Drive quota, not the Sheets read quota).
``sheets()``       the spreadsheet metadata (titles, hidden flags, merges, grid sizes),
                   fetched once and again only after ``fingerprint()`` saw a change.
``read(names)``    one Sheets ``values:batchGet`` per ~2 MB of grid (``google_plan``): one
                   for an ordinary register, whatever its number of tabs; a big tab is
                   read in row ranges, and many tabs never go into one URL.

So the first cycle costs 3 requests (files.get, metadata, batchGet), an unchanged poll
1 (Drive only), a changed poll 3 (files.get, metadata, batchGet: the metadata is read
again because a tab may have been added, hidden or grown), and a big changed register
2 + one batchGet per ~2 MB. No Spreadsheet/Worksheet objects are built, so gspread makes
no hidden per-worksheet requests.

Excel files in Drive
--------------------
An .xlsx uploaded to Drive and opened in Sheets' Office mode is not a Google Sheet: the
Sheets API answers 400 FAILED_PRECONDITION. The ``mimeType`` from the files.get already
made says so; such a file is downloaded (``alt=media``, once per Drive version) and read
by ``sync.sources.excel``, under the same change token.

Time and quota
--------------
Each poll has a time budget (``RetryPolicy.budget``, ``budget`` in config.toml): past it
the source is busy for this cycle, the daemon goes on with its other sources, and the
next poll resumes a cut-short read where it stopped (the row ranges already fetched
under the same Drive version are kept). A 429 (the per-minute read quota) makes the
source wait until the next minute without a request; the other sources keep polling.

What Drive's version misses
---------------------------
Formulas that recalculate without an edit (IMPORTRANGE pulling another department's
sheet, TODAY(), NOW(), GOOGLEFINANCE) change the values but not Drive's ``version`` or
``modifiedTime``. ``full_read_every`` reads the values anyway, every N polls or every
given duration (``"10m"``); the daemon compares ``last_content_hash``::

    token = source.fingerprint()                        # 1 request
    if token != last_token or source.full_read_due:
        grids = list(source.read(names))
        if source.last_content_hash != last_hash: ...   # the content really changed

Cells come as ``UNFORMATTED_VALUE`` with dates as ``SERIAL_NUMBER``: numbers, text and
booleans as typed; a date is a serial counting days since 1899-12-30, left as a number
for ``sync.tables.normalize`` to convert by the column's type (``date1904`` is False).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from sync.errors import ConfigError, SheetNotFound, SourceBusy, SourceError, SourceUnreadable
from sync.sources.base import Grid, SheetInfo, Source, register
from sync.sources.cell_errors import text_errors
from sync.sources.google_addresses import anchor, range_origin, remember_gid, spreadsheet_key, stitch, tab_id
from sync.sources.google_credentials import (CREDENTIALS_ENV, SCOPES, authorized_session, credentials_from_env,
                                             load_credentials)
from sync.sources.google_drive import EXCEL_TYPES, NATIVE, Download
from sync.sources.google_errors import GridChanged, NotASheet, RateLimited, TooLarge
from sync.sources.google_http import GoogleHTTP, RetryPolicy
from sync.sources.google_plan import CELL_BYTES, MAX_BYTES, batches, pieces

__all__ = ["GSheetsSource", "anchor", "range_origin", "spreadsheet_key", "SCOPES", "CREDENTIALS_ENV"]

#: send the API calls to another root than googleapis.com (a reverse proxy, a private endpoint, an emulator)
API_ROOT_ENV = "ORDERSYNC_GOOGLE_API"
SHEETS_API = "https://sheets.googleapis.com/v4/spreadsheets"
DRIVE_API = "https://www.googleapis.com/drive/v3/files"
VALUE_PARAMS = [("majorDimension", "ROWS"), ("valueRenderOption", "UNFORMATTED_VALUE"),
                ("dateTimeRenderOption", "SERIAL_NUMBER")]
METADATA_FIELDS = ("properties.title,sheets(properties(sheetId,title,index,hidden,sheetType,"
                   "gridProperties(rowCount,columnCount)),merges)")
DRIVE_FIELDS = "mimeType,version,modifiedTime"
MIN_CELLS = 2_000         # a 503 makes cells count dearer, until a range would hold fewer than this
QUOTA_WAIT = 60.0         # the read quota is per minute
#: the tab ordersync writes its findings to (sync.notices.feedback_sheets): never part of the register
FEEDBACK_TAB = "ordersync"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h)\s*$", re.IGNORECASE)


def full_read_interval(value: int | float | str) -> tuple[int, float | None]:
    """``full_read_every`` as (polls, seconds): ``60`` is every 60 polls, ``"10m"`` every ten minutes."""
    if isinstance(value, str):
        match = _DURATION.match(value)
        if not match:
            raise ConfigError(f"full_read_every = {value!r}: expected a number of polls or a duration "
                              "such as \"30s\", \"10m\" or \"1h\"")
        amount, unit = float(match.group(1)), match.group(2).lower()[0]
        return 0, amount * {"s": 1, "m": 60, "h": 3600}[unit]
    return max(1, int(value)), None


@dataclass
class _Tab:
    info: SheetInfo
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    rows: int = 1000
    columns: int = 26


def _merges(sheet: dict[str, Any]) -> list[tuple[int, int, int, int]]:
    out = []
    for m in sheet.get("merges", []):
        r0, c0 = m.get("startRowIndex", 0), m.get("startColumnIndex", 0)
        out.append((r0, c0, m.get("endRowIndex", r0 + 1) - 1, m.get("endColumnIndex", c0 + 1) - 1))
    return out


def _api_roots() -> tuple[str, str]:
    root = os.environ.get(API_ROOT_ENV, "").rstrip("/")
    return (f"{root}/v4/spreadsheets", f"{root}/drive/v3/files") if root else (SHEETS_API, DRIVE_API)


@register
class GSheetsSource(Source):
    """One Google spreadsheet (or an Excel file in Drive), read-only.

    ``session`` is the transport: by default an ``AuthorizedSession`` built from the
    service-account key file at ``credentials`` (read-only scopes), created on first
    use so a missing or bad key fails this source only. Pass your own
    ``requests.Session`` to route the calls elsewhere (a proxy, an API emulator).
    """

    kind = "gsheets"

    @classmethod
    def from_config(cls, name: str, options: dict[str, Any], base_dir: Path) -> Source:
        if not options.get("key"):
            raise ConfigError(f"[sources.{name}] needs key = \"<spreadsheet key or URL>\"")
        if options.get("credentials"):
            creds: Path | None = base_dir / str(options["credentials"])
        else:  # a path in the environment is taken as it is given (absolute, or from the cwd)
            creds = credentials_from_env()
        base = RetryPolicy()
        policy = RetryPolicy(attempts=int(options.get("attempts") or base.attempts),
                             timeout=(base.timeout[0], float(options.get("timeout") or base.timeout[1])),
                             budget=float(options.get("budget") or base.budget))
        return cls(name, str(options["key"]), credentials=creds, policy=policy,
                   full_read_every=options.get("full_read_every", 60))

    def __init__(self, name: str, key: str, *, credentials: str | Path | None = None,
                 session: requests.Session | None = None, policy: RetryPolicy = RetryPolicy(),
                 full_read_every: int | float | str = 60, account_email: str | None = None,
                 clock: Callable[[], float] = time.monotonic, max_answer: int = MAX_BYTES) -> None:
        self.key = spreadsheet_key(key)
        self.gid = tab_id(key)
        super().__init__(name, f"https://docs.google.com/spreadsheets/d/{self.key}")
        self.credentials = Path(credentials) if credentials else None
        self.policy = policy
        self.full_read_every, self.full_read_seconds = full_read_interval(full_read_every)
        self._session = session
        self._account_email = account_email
        self._clock = clock
        self._http: GoogleHTTP | None = None
        self._tabs: dict[str, _Tab] | None = None
        self._tabs_token: str | None = None   # the Drive token when the metadata was fetched
        self._token: str | None = None        # the Drive token last seen by fingerprint()
        self._mime: str | None = None
        self._polls_since_read = 0
        self._last_read: float | None = None
        self._blocked_until = 0.0
        self._pieces: dict[str, dict[str, Any]] = {}   # row ranges fetched under ``_pieces_token``
        self._pieces_token: str | None = None
        self._max_bytes = max_answer   # estimated bytes of one batchGet's answer (Google advises <= 2 MB)
        self._used: dict[str, tuple[int, int]] = {}   # tab -> (rows, columns) its values held at the last read
        self._cell_bytes = CELL_BYTES                 # bytes of JSON per cell, learned from the answers
        self._answer_bytes = 0
        self._download: Download | None = None
        #: sha256 of the values of the last read (the daemon's periodic full-read check)
        self.last_content_hash: str | None = None
        #: the sheetId of the ``ordersync`` tab as the metadata last said (None: absent; -1: not fetched yet)
        self.feedback_tab: int | None = -1
        #: (change token, tab -> grid) that ``sheet_tokens`` fetched and the poll's ``read`` hands out
        self._prefetched: tuple[str | None, dict[str, Grid]] = (None, {})
        self._digests: tuple[str | None, dict[str, str]] = (None, {})   # sheet_tokens of the change token

    # -- what the daemon asks ----------------------------------------------------------

    @property
    def requests(self) -> int:  # type: ignore[override]
        return self._http.requests if self._http else 0

    @property
    def uploaded_excel(self) -> bool:
        """The key names an Excel file in Drive (known after the first files.get or Sheets refusal)."""
        return self._mime is not None and self._mime != NATIVE

    @property
    def full_read_due(self) -> bool:
        """True when the values should be read although Drive's version did not move."""
        if self.uploaded_excel:
            return False   # a file's bytes cannot change without a new version
        if self.full_read_seconds is not None:
            return self._last_read is None or self._clock() - self._last_read >= self.full_read_seconds
        return self._polls_since_read >= self.full_read_every

    @property
    def account_email(self) -> str | None:
        """The service account's email (the address to share the spreadsheet with), when known."""
        if self._account_email is None and self._session is None:
            try:
                self._account_email = self._load_credentials().service_account_email
            except SourceUnreadable:
                return None
        return self._account_email

    # -- the client ---------------------------------------------------------------------

    def _client(self) -> GoogleHTTP:
        if self._http is None:
            session = self._session or self._authorized_session()
            self._http = GoogleHTTP(session, location=self.location, policy=self.policy,
                                    account_email=self._account_email, clock=self._clock)
        return self._http

    def _load_credentials(self) -> Any:
        return load_credentials(self.credentials, location=self.location, source=self.name)

    def _authorized_session(self) -> requests.Session:
        creds = self._load_credentials()
        self._account_email = creds.service_account_email
        return authorized_session(creds, self.policy.timeout[1])

    def _json(self, url: str, params: Any, *, split: bool = False) -> Any:
        """One GET answered in JSON; a 200 with a cut-off body is retried next cycle."""
        response = self._client().get(url, params, split=split)
        self._answer_bytes = len(response.content)
        try:
            return response.json()
        except ValueError as exc:
            raise SourceBusy(self.location, f"Google sent an unreadable answer ({exc})") from exc

    def _quota(self, call: Callable[[], Any]) -> Any:
        """Run one step; a used-up quota blocks this source (only) until the next minute."""
        if self._clock() < self._blocked_until:
            wait = self._blocked_until - self._clock()
            raise RateLimited(self.location, f"waiting for Google's per-minute quota ({wait:.0f} s more)")
        try:
            return call()
        except RateLimited:
            # a few seconds of jitter: sources sharing one service account do not all come back at once
            self._blocked_until = self._clock() + QUOTA_WAIT + random.uniform(0, 5)
            raise

    # -- change detection ---------------------------------------------------------------

    def fingerprint(self) -> str:
        def files_get() -> str:
            self._client().start()   # a poll begins: its time budget starts now
            data = self._json(f"{_api_roots()[1]}/{self.key}", {"fields": DRIVE_FIELDS, "supportsAllDrives": "true"})
            self._mime = str(data.get("mimeType") or NATIVE)
            return f"{data.get('version', '')}@{data.get('modifiedTime', '')}"

        self._digests = (None, {})   # a new poll: the tabs' digests are taken again (a full read may be due)
        self._token = self._quota(files_get)
        self._polls_since_read += 1
        return self._token

    def _learn_mime(self) -> None:
        if self._mime is None or self._mime == NATIVE:
            self.fingerprint()

    # -- metadata -----------------------------------------------------------------------

    def _fetch_tabs(self) -> dict[str, _Tab]:
        meta = self._json(f"{_api_roots()[0]}/{self.key}", {"fields": METADATA_FIELDS})
        self.feedback_tab = None
        tabs = {}
        for sheet in meta.get("sheets", []):
            props = sheet.get("properties", {})
            if props["title"] == FEEDBACK_TAB:   # ordersync's own tab is not data; its writer wants its id
                self.feedback_tab = props.get("sheetId")
                continue
            if props.get("sheetType", "GRID") != "GRID":
                continue  # charts and data-source sheets hold no cell values
            grid = props.get("gridProperties", {})
            tabs[props["title"]] = _Tab(SheetInfo(props["title"], bool(props.get("hidden", False))),
                                        _merges(sheet), int(grid.get("rowCount", 1000)),
                                        int(grid.get("columnCount", 26)))
            if "sheetId" in props:
                remember_gid(self.key, props["title"], int(props["sheetId"]))   # notices link to #gid=…&range=…
        self._tabs, self._tabs_token = tabs, self._token
        return tabs

    def _cached_tabs(self, *, fresh: bool = False) -> dict[str, _Tab]:
        stale = self._tabs is None or (fresh and self._tabs_token != self._token)
        return self._fetch_tabs() if stale else self._tabs  # type: ignore[return-value]

    def sheets(self) -> list[SheetInfo]:
        self._client().ensure_started()
        return self._quota(self._sheets)

    def _sheets(self) -> list[SheetInfo]:
        if self.uploaded_excel:
            return self._excel_call(lambda excel: excel.sheets())
        try:
            return [t.info for t in self._cached_tabs(fresh=True).values()]
        except NotASheet:
            self._learn_mime()
            if not self.uploaded_excel:
                raise
            return self._excel_call(lambda excel: excel.sheets())

    def _missing(self, tabs: dict[str, _Tab], names: list[str]) -> SheetNotFound | None:
        gone = [n for n in names if n not in tabs]
        if not gone:
            return None
        return SheetNotFound(self.location, f"no sheet named {gone[0]!r}",
                             hint=f"Sheets in the spreadsheet: {', '.join(tabs)}")

    # -- values -------------------------------------------------------------------------

    def sheet_tokens(self) -> dict[str, str]:
        """Each visible tab's content digest, for the service's memo: a tab whose values did not change is not
        normalised again. Google has no per-tab version, so this fetches the values (the same one read a
        poll makes: ``read`` then hands out what this fetched, without a request)."""
        if self._digests[0] is not None and self._digests[0] == self._token:
            return dict(self._digests[1])   # asked again in the same poll (did it change while read?): no
        self._client().ensure_started()
        if self.uploaded_excel:
            return self._excel_call(lambda excel: excel.sheet_tokens())
        try:
            tabs = self._quota(lambda: self._cached_tabs(fresh=True))
            visible = [name for name, tab in tabs.items() if not tab.info.hidden]
            grids = self._quota(lambda: self._read_native(visible))
        except NotASheet:
            self._quota(self._learn_mime)
            if not self.uploaded_excel:
                raise
            return self._excel_call(lambda excel: excel.sheet_tokens())
        self._prefetched = (self._token, {g.sheet: g for g in grids})
        digests = {g.sheet: hashlib.sha256(json.dumps([g.rows, g.merged], ensure_ascii=False, default=str)
                                           .encode()).hexdigest()[:32] for g in grids}
        self._digests = (self._token, digests)
        return dict(digests)

    def read(self, names: Iterable[str] | None = None) -> Iterator[Grid]:
        """The asked tabs (all when None), in the order asked; see the module docstring for what it costs."""
        wanted = None if names is None else list(names)
        token, fetched = self._prefetched
        self._prefetched = (None, {})
        if wanted is not None and token == self._token and all(n in fetched for n in wanted):
            yield from (fetched[n] for n in wanted)   # what sheet_tokens just fetched, this poll
            return
        self._client().ensure_started()   # within a poll: the budget fingerprint() started; else a new one
        if self.uploaded_excel:
            yield from self._excel_call(lambda excel: list(excel.read(wanted)))
            return
        try:
            grids = self._quota(lambda: self._read_native(wanted))
        except NotASheet:
            self._quota(self._learn_mime)
            if not self.uploaded_excel:
                raise
            grids = self._excel_call(lambda excel: list(excel.read(wanted)))
        yield from grids

    def _read_native(self, names: list[str] | None) -> list[Grid]:
        tabs = self._tabs_for(names)
        wanted = list(tabs) if names is None else names
        values = self._fetch(wanted, tabs)
        grids = [stitch(values[name]) for name in wanted]
        self._used.update((name, (len(rows), len(rows[0]) if rows else 0)) for name, rows in zip(wanted, grids))
        self.last_content_hash = hashlib.sha256(
            json.dumps([wanted, grids], ensure_ascii=False, default=str).encode()).hexdigest()
        self._polls_since_read, self._last_read = 0, self._clock()
        tabs = self._tabs or tabs
        # a formula's error comes as its text (#N/A): read as unknown, not as text (``sync.sources.cell_errors``)
        return [Grid(name, rows, date1904=False, merged=list(tabs[name].merged), errors=text_errors(rows))
                for name, rows in zip(wanted, grids)]

    def _tabs_for(self, names: list[str] | None) -> dict[str, _Tab]:
        """The metadata to plan with: fetched again when it predates the last change and a tab asked for
        is missing (renamed, added) or big (its row count decides the ranges)."""
        tabs = self._cached_tabs()
        stale = self._tabs_token != self._token
        wanted = list(tabs) if names is None else names
        big = any(len(pieces(n, tabs[n].rows, tabs[n].columns, max_bytes=self._max_bytes,
                             cell_bytes=self._cell_bytes)) > 1
                  for n in wanted if n in tabs)
        if stale and (self._missing(tabs, wanted) or big):
            tabs = self._fetch_tabs()
        if error := self._missing(tabs, wanted):
            raise error
        return tabs

    def _plan(self, tabs: dict[str, _Tab], names: list[str]) -> list[list[Any]]:
        return batches([(n, tabs[n].rows, tabs[n].columns, self._used.get(n)) for n in names],
                       max_bytes=self._max_bytes, cell_bytes=self._cell_bytes)

    def _fetch(self, wanted: list[str], tabs: dict[str, _Tab]) -> dict[str, list[dict[str, Any]]]:
        """Every planned row range, resuming what an earlier poll of the same version already fetched."""
        if self._pieces_token != self._token or self._token is None:
            self._pieces, self._pieces_token = {}, self._token
        for _ in range(8):   # each pass either finishes or learns something (smaller answers, new grid sizes)
            plan = self._plan(tabs, wanted)
            try:
                for batch in plan:
                    self._fetch_batch([p.a1 for p in batch if p.a1 not in self._pieces])
                break
            except TooLarge as exc:
                guessed, self._used = bool(self._used), {}   # what the tabs held last time misled the plan
                if self._tabs_token != self._token:          # the tab grew since the metadata said how big
                    tabs = self._fetch_tabs()
                elif not guessed:                            # cells dearer than thought: ask for fewer
                    if self._cell_bytes * 1.5 * MIN_CELLS > self._max_bytes:
                        raise SourceBusy(self.location, f"Google keeps refusing even small reads ({exc.reason})") from exc
                    self._cell_bytes = int(self._cell_bytes * 1.5) + 1
            except GridChanged:   # rows deleted or a tab renamed since the metadata: read it again
                tabs = self._fetch_tabs()
                if error := self._missing(tabs, wanted):
                    raise error from None
        out = {name: [self._pieces[p.a1] for batch in plan for p in batch if p.tab == name] for name in wanted}
        self._pieces = {}
        return out

    def _fetch_batch(self, ranges: list[str]) -> None:
        if not ranges:
            return
        http = self._client()
        if http.left() <= 0:
            raise http.over_budget(f"reading {len(self._pieces)} of the register's row ranges")
        params = [("ranges", r) for r in ranges] + VALUE_PARAMS
        try:
            data = self._json(f"{_api_roots()[0]}/{self.key}/values:batchGet", params, split=True)
        except SheetNotFound as exc:   # "Unable to parse range": a tab renamed or removed since the metadata
            raise GridChanged(self.location, exc.reason) from exc
        value_ranges = data.get("valueRanges", [])
        if len(value_ranges) != len(ranges):
            raise SourceBusy(self.location, f"Google returned {len(value_ranges)} ranges for {len(ranges)} asked")
        self._pieces.update(zip(ranges, value_ranges))
        cells = sum(len(row) for vr in value_ranges for row in vr.get("values", []))
        if cells >= 1000:   # plan the next ranges with the bytes per cell seen, and room to spare
            self._cell_bytes = max(CELL_BYTES, int(self._answer_bytes / cells * 1.2) + 1)

    # -- an Excel file kept in Drive ----------------------------------------------------------

    def _excel_call(self, call: Callable[[Any], Any]) -> Any:
        """``call(ExcelSource)`` on the downloaded file; its errors name this source, not the temp file."""
        excel = self._quota(self._downloaded)
        try:
            return call(excel)
        except SourceError as exc:
            raise type(exc)(self.location, exc.reason, hint=exc.hint or None) from exc

    def _downloaded(self) -> Any:
        """The ExcelSource of this file's bytes at the current Drive version (downloaded once per version)."""
        from sync.sources.excel import ExcelSource

        suffix = EXCEL_TYPES.get(self._mime or "")
        if suffix is None:
            raise SourceUnreadable(self.location, f"this Drive file is not a spreadsheet ({self._mime})",
                                   hint="Give the key of a Google Sheet or of an Excel file kept in Drive.")
        if self._download is None or self._download.token != self._token or self._token is None:
            response = self._client().get(f"{_api_roots()[1]}/{self.key}", {"alt": "media", "supportsAllDrives": "true"})
            self._download = Download.save(self._download, self.key + suffix, response.content, self._token)
            self.last_content_hash = hashlib.sha256(response.content).hexdigest()
            self._polls_since_read, self._last_read = 0, self._clock()
        return ExcelSource(self.name, self._download.path)

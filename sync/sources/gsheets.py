"""Google Sheets through gspread's low-level client, paying as few requests as possible.

What a poll costs
-----------------
``fingerprint()``  one Drive ``files.get`` of ``version`` and ``modifiedTime``.
``read(names)``    one Sheets ``values:batchGet`` for all asked tabs, whatever their number.
``sheets()``       the spreadsheet metadata (titles, hidden flags, merges), fetched
                   once and cached; fetched again only when ``sheets()`` is asked after
                   ``fingerprint()`` saw a change, or when a batchGet names a tab that
                   was renamed or removed.

So the first cycle costs 3 requests (files.get, metadata, batchGet), an unchanged
poll 1, a changed poll 2, however many tabs are mapped. No Spreadsheet/Worksheet
objects are built, so gspread makes no hidden per-worksheet requests.

How the daemon polls
--------------------
Drive's ``modifiedTime``/``version`` can lag behind edits, so a periodic full
read by content catches what they miss::

    token = source.fingerprint()                        # 1 request
    if token != last_token or source.full_read_due:
        grids = list(source.read(names))                # 1 request
        if source.last_content_hash != last_hash:
            ...                                         # the content really changed
        last_token, last_hash = token, source.last_content_hash

``full_read_due`` turns true once ``full_read_every`` fingerprints were taken
without a read. ``requests`` counts every HTTP attempt (retries included, since
each costs quota); the daemon logs its growth per cycle.

Cells come as ``UNFORMATTED_VALUE`` with dates as ``SERIAL_NUMBER``: numbers, text
and booleans as typed; a date is a serial counting days since 1899-12-30, left as a
number for ``sync.tables.normalize`` to convert by the column's type (``date1904`` is False).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from gspread.exceptions import NoValidUrlKeyFound
from gspread.urls import DRIVE_FILES_API_V3_URL, SPREADSHEET_DRIVE_URL
from gspread.utils import absolute_range_name, column_letter_to_index, extract_id_from_url

from sync.errors import ConfigError, SheetNotFound, SourceBusy, SourceUnreadable
from sync.sources.base import Grid, SheetInfo, Source, register
from sync.sources.google_http import GoogleHTTP, RetryPolicy

SCOPES = ("https://www.googleapis.com/auth/spreadsheets.readonly",
          "https://www.googleapis.com/auth/drive.metadata.readonly")
CREDENTIALS_ENV = ("ORDERSYNC_GOOGLE_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS")
VALUE_PARAMS = {"majorDimension": "ROWS", "valueRenderOption": "UNFORMATTED_VALUE",
                "dateTimeRenderOption": "SERIAL_NUMBER"}
METADATA_FIELDS = "properties.title,sheets(properties(sheetId,title,index,hidden,sheetType),merges)"
DRIVE_FIELDS = "modifiedTime,version"
#: the tab ordersync writes its findings to (sync.notices.feedback_sheets): never part of the register
FEEDBACK_TAB = "ordersync"
_CELL = re.compile(r"^([A-Za-z]*)(\d*)$")


def spreadsheet_key(key_or_url: str) -> str:
    """The spreadsheet id from a bare key or any docs.google.com URL."""
    text = key_or_url.strip()
    if "/" not in text and "key=" not in text:
        return text
    try:
        return extract_id_from_url(text)
    except NoValidUrlKeyFound:
        raise ConfigError(f"no spreadsheet key in {text!r}; give the key or the sheet's full URL") from None


def range_origin(a1: str) -> tuple[int, int]:
    """0-based (row, column) of the first cell of a response range such as ``'订单'!B3:F9``."""
    cells = a1.rpartition("!")[2] if "!" in a1 else ""
    match = _CELL.match(cells.split(":")[0])
    if not match:
        return 0, 0
    letters, digits = match.groups()
    return (int(digits) - 1 if digits else 0), (column_letter_to_index(letters) - 1 if letters else 0)


def anchor(value_range: dict[str, Any]) -> list[list[Any]]:
    """Rows of a ValueRange re-anchored at A1 and made rectangular; empty cells are ``""``."""
    values = value_range.get("values") or []
    if not values:
        return []
    top, left = range_origin(str(value_range.get("range", "")))
    width = left + max((len(r) for r in values), default=0)
    rows = [[] for _ in range(top)] + [[""] * left + ["" if v is None else v for v in r] for r in values]
    return [r + [""] * (width - len(r)) for r in rows]


@dataclass
class _Tab:
    info: SheetInfo
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


def _merges(sheet: dict[str, Any]) -> list[tuple[int, int, int, int]]:
    out = []
    for m in sheet.get("merges", []):
        r0, c0 = m.get("startRowIndex", 0), m.get("startColumnIndex", 0)
        out.append((r0, c0, m.get("endRowIndex", r0 + 1) - 1, m.get("endColumnIndex", c0 + 1) - 1))
    return out


@register
class GSheetsSource(Source):
    """One Google spreadsheet, read-only.

    ``session`` is the transport: by default an ``AuthorizedSession`` built from the
    service-account key file at ``credentials`` (read-only scopes), created on first
    use so a missing or bad key fails this source only. Pass your own
    ``requests.Session`` to route the calls elsewhere (a proxy, an API emulator);
    gspread's URLs name the googleapis.com hosts, so such a session redirects at its
    transport adapter.
    """

    kind = "gsheets"

    @classmethod
    def from_config(cls, name: str, options: dict[str, Any], base_dir: Path) -> Source:
        if not options.get("key"):
            raise ConfigError(f"[sources.{name}] needs key = \"<spreadsheet key or URL>\"")
        if options.get("credentials"):
            creds: Path | None = base_dir / str(options["credentials"])
        else:  # a path in the environment is taken as it is given (absolute, or from the cwd)
            creds = next((Path(os.environ[v]) for v in CREDENTIALS_ENV if os.environ.get(v)), None)
        policy = RetryPolicy(attempts=int(options.get("attempts", RetryPolicy.attempts)),
                             timeout=(RetryPolicy.timeout[0], float(options.get("timeout", RetryPolicy.timeout[1]))))
        return cls(name, str(options["key"]), credentials=creds,
                   policy=policy, full_read_every=int(options.get("full_read_every", 60)))

    def __init__(self, name: str, key: str, *, credentials: str | Path | None = None,
                 session: requests.Session | None = None, policy: RetryPolicy = RetryPolicy(),
                 full_read_every: int = 60, account_email: str | None = None) -> None:
        self.key = spreadsheet_key(key)
        super().__init__(name, SPREADSHEET_DRIVE_URL % self.key)
        self.credentials = Path(credentials) if credentials else None
        self.policy = policy
        self.full_read_every = max(1, full_read_every)
        self._session = session
        self._account_email = account_email
        self._http: GoogleHTTP | None = None
        self._tabs: dict[str, _Tab] | None = None
        self._tabs_token: str | None = None   # the Drive token when the metadata was fetched
        self._token: str | None = None        # the Drive token last seen by fingerprint()
        self._polls_since_read = 0
        #: sha256 of the values of the last read (the daemon's periodic full-read check)
        self.last_content_hash: str | None = None
        #: the sheetId of the ``ordersync`` tab as the metadata last said (None: absent; unset: not fetched yet)
        self.feedback_tab: int | None = -1

    @property
    def requests(self) -> int:  # type: ignore[override]
        return self._http.requests if self._http else 0

    @property
    def full_read_due(self) -> bool:
        """True when ``full_read_every`` fingerprints were taken since the last read."""
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

    def _client(self) -> GoogleHTTP:
        if self._http is None:
            session = self._session or self._authorized_session()
            self._http = GoogleHTTP(session, location=self.location, policy=self.policy,
                                    account_email=self._account_email)
        return self._http

    def _load_credentials(self) -> Any:
        from google.oauth2 import service_account

        if self.credentials is None:
            raise SourceUnreadable(self.location, "no Google credentials configured",
                                   hint=f"Set {CREDENTIALS_ENV[0]} to the service-account key file (JSON), "
                                        f"or `credentials = \"path\"` under [sources.{self.name}].")
        try:
            return service_account.Credentials.from_service_account_file(str(self.credentials), scopes=SCOPES)
        except (OSError, ValueError, KeyError) as exc:
            raise SourceUnreadable(self.location, f"cannot load the service-account key {self.credentials} ({exc})",
                                   hint="Download a JSON key for the service account from the Google Cloud "
                                        "console (IAM > Service accounts > Keys).") from exc

    def _authorized_session(self) -> requests.Session:
        from google.auth.transport.requests import AuthorizedSession

        creds = self._load_credentials()
        self._account_email = creds.service_account_email
        return AuthorizedSession(creds, refresh_timeout=self.policy.timeout[1])

    def _json(self, call: Callable[[], Any]) -> Any:
        """Run one gspread call that parses JSON; a 200 with a cut-off body is retried next cycle."""
        try:
            return call()
        except ValueError as exc:
            raise SourceBusy(self.location, f"Google sent an unreadable answer ({exc})") from exc

    # -- change detection ---------------------------------------------------------------

    def fingerprint(self) -> str:
        url = f"{DRIVE_FILES_API_V3_URL}/{self.key}"
        params = {"fields": DRIVE_FIELDS, "supportsAllDrives": True}
        http = self._client()
        data = self._json(lambda: http.request("get", url, params=params).json())
        self._token = f"{data.get('version', '')}@{data.get('modifiedTime', '')}"
        self._polls_since_read += 1
        return self._token

    # -- metadata -----------------------------------------------------------------------

    def _fetch_tabs(self) -> dict[str, _Tab]:
        http = self._client()
        meta = self._json(lambda: http.fetch_sheet_metadata(self.key, params={"fields": METADATA_FIELDS}))
        self.feedback_tab = None
        tabs = {}
        for sheet in meta.get("sheets", []):
            props = sheet.get("properties", {})
            if props["title"] == FEEDBACK_TAB:   # ordersync's own tab is not data; its writer wants its id
                self.feedback_tab = props.get("sheetId")
                continue
            if props.get("sheetType", "GRID") != "GRID":
                continue  # charts and data-source sheets hold no cell values
            tabs[props["title"]] = _Tab(SheetInfo(props["title"], bool(props.get("hidden", False))),
                                        _merges(sheet))
        self._tabs, self._tabs_token = tabs, self._token
        return tabs

    def _cached_tabs(self, *, fresh: bool = False) -> dict[str, _Tab]:
        stale = self._tabs is None or (fresh and self._tabs_token != self._token)
        return self._fetch_tabs() if stale else self._tabs  # type: ignore[return-value]

    def sheets(self) -> list[SheetInfo]:
        return [t.info for t in self._cached_tabs(fresh=True).values()]

    def _missing(self, tabs: dict[str, _Tab], names: list[str]) -> SheetNotFound | None:
        gone = [n for n in names if n not in tabs]
        if not gone:
            return None
        return SheetNotFound(self.location, f"no sheet named {gone[0]!r}",
                             hint=f"Sheets in the spreadsheet: {', '.join(tabs)}")

    # -- values -------------------------------------------------------------------------

    def read(self, names: Iterable[str] | None = None) -> Iterator[Grid]:
        """One batchGet for all asked tabs (all cached tabs when None).

        Merged ranges come from the cached metadata: a banner merged since it was
        fetched shows up once ``sheets()`` is asked after a change.
        """
        tabs = self._cached_tabs()
        wanted = list(tabs) if names is None else list(names)
        if self._missing(tabs, wanted) and self._tabs_token != self._token:
            tabs = self._fetch_tabs()  # a tab may have been added or renamed since
        if error := self._missing(tabs, wanted):
            raise error
        grids = [anchor(vr) for vr in self._batch_get(wanted)]
        self.last_content_hash = hashlib.sha256(
            json.dumps([wanted, grids], ensure_ascii=False).encode()).hexdigest()
        self._polls_since_read = 0
        tabs = self._tabs or tabs
        for name, rows in zip(wanted, grids):
            yield Grid(name, rows, date1904=False, merged=list(tabs[name].merged))

    def _batch_get(self, names: list[str]) -> list[dict[str, Any]]:
        ranges = [absolute_range_name(n) for n in names]
        http = self._client()
        try:
            data = self._json(lambda: http.values_batch_get(self.key, ranges, params=dict(VALUE_PARAMS)))
        except SheetNotFound as exc:  # a tab was renamed or removed since the metadata was read
            if error := self._missing(self._fetch_tabs(), names):
                raise error from exc
            data = self._json(lambda: http.values_batch_get(self.key, ranges, params=dict(VALUE_PARAMS)))
        value_ranges = data.get("valueRanges", [])
        if len(value_ranges) != len(names):
            raise SourceBusy(self.location, f"Google returned {len(value_ranges)} ranges for {len(names)} asked")
        return value_ranges

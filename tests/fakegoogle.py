"""A local stand-in for the Google Sheets v4 and Drive v3 endpoints ordersync calls.

Real HTTP on 127.0.0.1 (port 0, a thread) answering what gspread sends:

    GET /v4/spreadsheets/{id}                   spreadsheet metadata
    GET /v4/spreadsheets/{id}/values/{range}    one range
    GET /v4/spreadsheets/{id}/values:batchGet   several ranges (?ranges=..&ranges=..)
    GET /drive/v3/files/{id}                    Drive metadata (mimeType, version, modifiedTime)
    GET /drive/v3/files/{id}?alt=media          the file's bytes (an uploaded Excel file)
    POST /token                                 OAuth2 token exchange (a key file's token_uri)

and, for the ``ordersync`` findings tab (issue 18), in handlers of their own
(``_FeedbackSide``, at the end of this file):

    GET  /v4/spreadsheets/{id}?includeGridData=true&ranges=..   cells (values, notes) and protections
    GET  /drive/v3/files/{id}?fields=capabilities(canEdit)      whether the caller may edit
    POST /v4/spreadsheets/{id}:batchUpdate      addSheet, addProtectedRange, updateCells (values, notes),
                                                updateSheetProperties, updateDimensionProperties
    PUT  /v4/spreadsheets/{id}/values/{range}   values.update

``FakeSpreadsheet.role = "reader"`` makes every write answer 403 as Google does for a Viewer.

Errors have Google's shape ``{"error": {"code", "message", "status"}}`` (Drive adds
``errors: [{"reason"}]``, Sheets ``details: [ErrorInfo]``). ``fail()`` queues faults
(429 storms, 500s, 403 with their reasons and metadata, slow answers for timeouts);
``counts`` tallies requests per endpoint.

Google's behaviour the client must survive, by default as Google does it:

- an uploaded Excel file (``add_excel``) has an Office ``mimeType``; the Sheets API
  refuses it with 400 FAILED_PRECONDITION "This operation is not supported for this
  document", and ``alt=media`` answers its bytes;
- ``max_response`` bytes: a values answer larger than that is a 503, as Google answers
  requests it finds too large;
- a range starting below a tab's grid is a 400 "exceeds grid limits";
- URLs longer than ``max_url`` characters are refused (414);
- answers are gzip-compressed only when the user agent contains "gzip" and
  ``Accept-Encoding: gzip`` is sent (``gzipped`` counts them);
- 429 carries no Retry-After unless a fault asks for one.

``session()`` is a ``requests.Session`` that delivers googleapis.com URLs here.
gspread's URLs are module constants naming the real hosts, so the redirect sits in
requests' transport seam (an ``HTTPAdapter`` mounted for those hosts) and the code
under test runs unchanged.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import requests
from requests.adapters import HTTPAdapter

GOOGLE_HOSTS = ("https://sheets.googleapis.com/", "https://www.googleapis.com/")
STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
          429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 502: "UNAVAILABLE", 503: "UNAVAILABLE",
          504: "DEADLINE_EXCEEDED"}
EPOCH = dt.datetime(1899, 12, 30)
NATIVE = "application/vnd.google-apps.spreadsheet"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_SUPPORTED = "This operation is not supported for this document"
_CELLS = re.compile(r"^([A-Z]*)(\d*)$")


def to_serial(value: Any) -> Any:
    """What Sheets returns for a date/time cell with dateTimeRenderOption=SERIAL_NUMBER."""
    if isinstance(value, dt.datetime):
        days = (value - EPOCH) / dt.timedelta(days=1)
        return int(days) if days.is_integer() else days
    if isinstance(value, dt.date):
        return (value - EPOCH.date()).days
    return value


def column_letters(index: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def split_range(a1: str) -> tuple[str, str]:
    """``'It''s'!A1:B2`` -> (``It's``, ``A1:B2``); an unquoted name ends at the last ``!``."""
    if a1.startswith("'"):
        i, name = 1, ""
        while i < len(a1):
            if a1[i] == "'":
                if a1[i + 1:i + 2] == "'":
                    name, i = name + "'", i + 2
                    continue
                return name, a1[i + 2:] if a1[i + 1:i + 2] == "!" else ""
            name, i = name + a1[i], i + 1
        raise ValueError(a1)
    name, bang, cells = a1.rpartition("!")
    return (name, cells) if bang else (a1, "")


@dataclass
class FakeSpreadsheet:
    key: str
    sheets: dict[str, list[list[Any]]]
    title: str = "Order register"
    hidden: set[str] = field(default_factory=set)
    merges: dict[str, list[tuple[int, int, int, int]]] = field(default_factory=dict)
    version: int = 1
    modified: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.timezone.utc))
    mime: str = NATIVE
    content: bytes = b""            # the file's bytes, for a file that is not a native Sheet
    min_rows: int = 1000            # a new Sheet's grid: 1000 rows x 26 columns

    def grid(self, name: str) -> tuple[int, int]:
        """(rowCount, columnCount) of a tab's grid: the data, or a new sheet's default if larger."""
        rows = self.sheets[name]
        return max(self.min_rows, len(rows)), max(26, max((len(r) for r in rows), default=0))

    #: the findings tab's side (issue 18): the caller's role, cell notes, protected ranges, sheet ids given
    role: str = "writer"
    notes: dict[tuple[str, int, int], str] = field(default_factory=dict)   # (sheet, row0, col0) -> note
    protected: list[dict[str, Any]] = field(default_factory=list)
    given_ids: dict[str, int] = field(default_factory=dict)

    def update(self, sheets: dict[str, list[list[Any]]] | None = None, *, drive_notices: bool = True) -> None:
        """Change the content; ``drive_notices=False`` leaves version and modifiedTime as they were."""
        if sheets is not None:
            self.sheets = {k: [list(r) for r in v] for k, v in sheets.items()}
        if drive_notices:
            self.version += 1
            self.modified += dt.timedelta(seconds=1)

    def rename(self, old: str, new: str) -> None:
        self.sheets = {(new if k == old else k): v for k, v in self.sheets.items()}
        self.update()

    def metadata(self) -> dict[str, Any]:
        sheets = []
        for index, (name, rows) in enumerate(self.sheets.items()):
            row_count, column_count = self.grid(name)
            props = {"sheetId": 1000 + index, "title": name, "index": index, "sheetType": "GRID",
                     "gridProperties": {"rowCount": row_count, "columnCount": column_count}}
            if name in self.hidden:
                props["hidden"] = True
            merges = [{"sheetId": 1000 + index, "startRowIndex": r0, "endRowIndex": r1 + 1,
                       "startColumnIndex": c0, "endColumnIndex": c1 + 1}
                      for r0, c0, r1, c1 in self.merges.get(name, [])]
            sheets.append({"properties": props, **({"merges": merges} if merges else {})})
        return {"spreadsheetId": self.key, "properties": {"title": self.title}, "sheets": sheets}

    def value_range(self, a1: str, params: dict[str, list[str]], tight: bool) -> dict[str, Any]:
        name, cells = split_range(a1)
        if name not in self.sheets:
            raise LookupError(a1)
        first, last = self._rows(a1, name, cells)
        serial = params.get("dateTimeRenderOption", ["SERIAL_NUMBER"])[0] == "SERIAL_NUMBER"
        unformatted = params.get("valueRenderOption", ["FORMATTED_VALUE"])[0] == "UNFORMATTED_VALUE"
        rows = [[self._render(v, unformatted, serial) for v in r] for r in self.sheets[name][first - 1:last]]
        rows = [self._rstrip(r) for r in rows]
        while rows and not rows[-1]:
            rows.pop()
        top, left = first - 1, 0
        if tight and rows:  # report the used area only, as a range that does not start at A1
            skip = next(i for i, r in enumerate(rows) if r)
            left = min(next(i for i, v in enumerate(r) if v != "") for r in rows if r)
            rows = [r[left:] for r in rows[skip:]]
            top += skip
        width = max((len(r) for r in rows), default=0)
        end = f"{column_letters(left + max(width, 1))}{top + max(len(rows), 1)}" if tight else \
            f"{column_letters(self.grid(name)[1])}{last}"
        out: dict[str, Any] = {"range": f"{quote_sheet(name)}!{column_letters(left + 1)}{top + 1}:{end}",
                               "majorDimension": "ROWS"}
        if rows:
            out["values"] = rows
        return out

    def _rows(self, a1: str, name: str, cells: str) -> tuple[int, int]:
        """First and last row a range asks for: a whole tab, ``1:500`` or ``A1:Z500``; past the grid is an error."""
        row_count, column_count = self.grid(name)
        if not cells:
            return 1, row_count
        ends = []
        for part in cells.upper().split(":"):
            match = _CELLS.match(part)
            if not match or not match.group(2):
                raise LookupError(a1)  # this fake serves whole tabs and row ranges only
            ends.append(int(match.group(2)))
        first, last = ends[0], ends[-1]
        if first > row_count:
            raise GridError(f"Range ({a1}) exceeds grid limits. Max rows: {row_count}, max columns: {column_count}")
        return first, min(last, row_count)

    @staticmethod
    def _render(value: Any, unformatted: bool, serial: bool) -> Any:
        if isinstance(value, (dt.date, dt.datetime)):
            return to_serial(value) if unformatted and serial else value.isoformat()
        return value if unformatted else ("" if value == "" else str(value))

    @staticmethod
    def _rstrip(row: list[Any]) -> list[Any]:
        row = list(row)
        while row and row[-1] in ("", None):
            row.pop()
        return row


class GridError(LookupError):
    """A range past the end of a tab's grid."""


@dataclass
class Fault:
    endpoint: str | None            # metadata | values | batchGet | files, or None for any
    status: int = 429               # 200 = answer normally (after ``delay``)
    times: int | None = 1           # None = for ever
    retry_after: str | None = None
    delay: float = 0.0
    message: str | None = None
    reason: str | None = None       # Drive-style errors[0].reason / Sheets details[0].reason
    metadata: dict[str, str] | None = None   # the ErrorInfo metadata (service, consumer, activationUrl)
    status_text: str | None = None  # error.status, when not the usual one for the code
    after: int = 0                  # let this many matching requests through first


class FakeGoogle:
    def __init__(self, *, tight_ranges: bool = False, max_response: int | None = None,
                 max_url: int = 16_000) -> None:
        self.spreadsheets: dict[str, FakeSpreadsheet] = {}
        self.max_response = max_response
        self.max_url = max_url
        self.gzipped = 0
        self.tokens_issued = 0
        self.faults: list[Fault] = []
        self.counts: Counter[str] = Counter()
        self.log: list[tuple[str, str]] = []
        self.tight_ranges = tight_ranges
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeGoogle:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add(self, key: str, sheets: dict[str, list[list[Any]]], **kw: Any) -> FakeSpreadsheet:
        book = FakeSpreadsheet(key, {k: [list(r) for r in v] for k, v in sheets.items()}, **kw)
        self.spreadsheets[key] = book
        return book

    def add_excel(self, key: str, content: bytes, **kw: Any) -> FakeSpreadsheet:
        """An Excel file uploaded to Drive: the Sheets API refuses it, Drive hands out its bytes."""
        kw.setdefault("mime", XLSX)
        return self.add(key, {}, content=content, **kw)

    def fail(self, endpoint: str | None = None, status: int = 429, times: int | None = 1, **kw: Any) -> Fault:
        fault = Fault(endpoint, status, times, **kw)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def session(self) -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # no proxy from the environment between us and loopback
        adapter = _Redirect(self.url)
        for prefix in GOOGLE_HOSTS:
            session.mount(prefix, adapter)
        return session

    def _take_fault(self, endpoint: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.endpoint in (None, endpoint) and fault.times != 0:
                    if fault.after:
                        fault.after -= 1
                        return None
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None


class _Redirect(HTTPAdapter):
    """Sends a googleapis.com request to the fake server, keeping path and query."""

    def __init__(self, base: str) -> None:
        super().__init__(max_retries=0)
        self.base = base

    def send(self, request: requests.PreparedRequest, **kw: Any) -> requests.Response:
        parts = urlsplit(request.url or "")
        request.url = self.base + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().send(request, **kw)


def _route(path: str, query: str = "") -> tuple[str, str, str]:
    """(endpoint, spreadsheet id, range) for a request path; the range stays percent-encoded."""
    if path.startswith("/drive/v3/files/"):
        media = "alt=media" in query.split("&")
        return ("media" if media else "files"), unquote(path.split("/")[4]), ""
    if path.startswith("/v4/spreadsheets/"):
        rest = path[len("/v4/spreadsheets/"):]
        key, _, tail = rest.partition("/")
        if not tail:
            return "metadata", unquote(key), ""
        if tail == "values:batchGet":
            return "batchGet", unquote(key), ""
        if tail.startswith("values/"):
            return "values", unquote(key), tail[len("values/"):]
    return "unknown", "", ""


def _handler(fake: FakeGoogle) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes

        def log_message(self, *args: Any) -> None:  # keep pytest output clean
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            parts = urlsplit(self.path)
            if _FeedbackSide.claims("GET", parts):
                return _FeedbackSide(fake, self).get(parts)
            endpoint, key, a1 = _route(parts.path, parts.query)
            params = parse_qs(parts.query, keep_blank_values=True)
            with fake._lock:
                fake.counts[endpoint] += 1
                fake.log.append((endpoint, self.path))
            if len(self.path) > fake.max_url:
                return self._error(414, "The requested URL is too large to process.", endpoint)
            fault = fake._take_fault(endpoint)
            if fault and fault.delay:
                time.sleep(fault.delay)
            if fault and fault.status != 200:
                return self._fault(fault, endpoint)
            book = fake.spreadsheets.get(key)
            if endpoint == "unknown":
                return self._error(404, f"no such endpoint {parts.path}", endpoint)
            if book is None:
                message = f"File not found: {key}." if endpoint in ("files", "media") else "Requested entity was not found."
                return self._error(404, message, endpoint, "notFound")
            if endpoint == "media":
                return self._drive_media(book)
            if book.mime != NATIVE and endpoint != "files":
                return self._error(400, NOT_SUPPORTED, endpoint, status="FAILED_PRECONDITION")
            try:
                body = self._answer(book, endpoint, unquote(a1), params)
            except GridError as exc:
                return self._error(400, exc.args[0], endpoint)
            except LookupError as exc:
                return self._error(400, f"Unable to parse range: {exc.args[0]}", endpoint)
            self._send(200, body, too_large=endpoint in ("values", "batchGet"))

        def do_POST(self) -> None:  # noqa: N802
            if urlsplit(self.path).path == "/token":
                return self._token_exchange()
            _FeedbackSide(fake, self).post(urlsplit(self.path))   # the findings tab's writes (issue 18)

        # -- Drive: an uploaded file's bytes; OAuth: a key file's token exchange --------------

        def _drive_media(self, book: FakeSpreadsheet) -> None:
            if book.mime == NATIVE:   # what Drive says to alt=media on a Docs editors file
                return self._error(403, "Only files with binary content can be downloaded. Use Export with Docs "
                                        "Editors files.", "files", "fileNotDownloadable")
            self._send_bytes(200, book.content, book.mime)

        def _token_exchange(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            if "assertion" not in form:
                return self._send(400, {"error": "invalid_grant", "error_description": "no assertion"})
            with fake._lock:
                fake.tokens_issued += 1
                fake.counts["token"] += 1
            self._send(200, {"access_token": f"fake-token-{fake.tokens_issued}", "expires_in": 3600,
                             "token_type": "Bearer"})

        # -- answers ---------------------------------------------------------------------------

        def _answer(self, book: FakeSpreadsheet, endpoint: str, a1: str, params: dict[str, list[str]]) -> Any:
            if endpoint == "files":
                return {"mimeType": book.mime, "version": str(book.version),
                        "modifiedTime": book.modified.isoformat(timespec="milliseconds").replace("+00:00", "Z")}
            if endpoint == "metadata":
                return book.metadata()
            if endpoint == "values":
                return book.value_range(a1, params, fake.tight_ranges)
            ranges = [book.value_range(r, params, fake.tight_ranges) for r in params.get("ranges", [])]
            return {"spreadsheetId": book.key, "valueRanges": ranges}

        def _fault(self, fault: Fault, endpoint: str) -> None:
            self._error(fault.status, fault.message, endpoint, fault.reason, fault.retry_after,
                        metadata=fault.metadata, status=fault.status_text)

        def do_PUT(self) -> None:  # noqa: N802
            _FeedbackSide(fake, self).put(urlsplit(self.path))

        def _error(self, code: int, message: str | None, endpoint: str, reason: str | None = None,
                   retry_after: str | None = None, *, metadata: dict[str, str] | None = None,
                   status: str | None = None) -> None:
            error: dict[str, Any] = {"code": code, "message": message or f"fake error {code}",
                                     "status": status or STATUS.get(code, "UNKNOWN")}
            if reason and endpoint in ("files", "media"):
                error["errors"] = [{"domain": "global", "reason": reason, "message": error["message"]}]
            if reason and (endpoint not in ("files", "media") or metadata):
                error["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason,
                                     "domain": "googleapis.com", **({"metadata": metadata} if metadata else {})}]
            self._send(code, {"error": error}, {"Retry-After": retry_after} if retry_after else {})

        def _send(self, code: int, body: Any, headers: dict[str, str] | None = None, *, too_large: bool = False) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            if too_large and fake.max_response is not None and len(data) > fake.max_response:
                return self._error(503, "The service is currently unavailable.", "values")
            self._send_bytes(code, data, "application/json; charset=UTF-8", headers)

        def _send_bytes(self, code: int, data: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
            headers = dict(headers or {})
            if "gzip" in self.headers.get("Accept-Encoding", "") and "gzip" in self.headers.get("User-Agent", ""):
                data = gzip.compress(data, compresslevel=1)
                headers["Content-Encoding"] = "gzip"
                with fake._lock:
                    fake.gzipped += 1
            try:
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and left

    return Handler


def service_account_file(path: Any, token_uri: str, email: str = "ordersync@factory.iam.gserviceaccount.com") -> Any:
    """A real service-account key file (a fresh RSA key) whose token exchange goes to ``token_uri``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "factory", "private_key_id": "1", "private_key": pem,
        "client_email": email, "client_id": "1", "token_uri": token_uri}), encoding="utf-8")
    return path

# -- the write side, for the ordersync findings tab (issue 18) ------------------------------------------

def _sheet_ids(book: FakeSpreadsheet) -> dict[str, int]:
    """Title -> sheetId: the metadata's 1000+index, or the id an addSheet asked for."""
    return {name: book.given_ids.get(name, 1000 + i) for i, name in enumerate(book.sheets)}


class _FeedbackSide:
    """What the findings tab needs: grid data with notes and protections, batchUpdate, values.update."""

    def __init__(self, fake: FakeGoogle, handler: BaseHTTPRequestHandler) -> None:
        self.fake, self.h = fake, handler

    @staticmethod
    def claims(method: str, parts: Any) -> bool:
        query = parse_qs(parts.query)
        if parts.path.startswith("/drive/v3/files/"):
            return "capabilities" in " ".join(query.get("fields", []))
        return parts.path.startswith("/v4/spreadsheets/") and "includeGridData" in query

    def _count(self, endpoint: str) -> FakeSpreadsheet | None:
        with self.fake._lock:
            self.fake.counts[endpoint] += 1
            self.fake.log.append((endpoint, self.h.path))
        fault = self.fake._take_fault(endpoint)
        if fault and fault.status != 200:
            self.h._error(fault.status, fault.message, endpoint, fault.reason, fault.retry_after)
            return None
        key = unquote(urlsplit(self.h.path).path.split("/")[-1].split(":")[0]) \
            if "/values/" not in self.h.path else unquote(self.h.path.split("/v4/spreadsheets/")[1].split("/")[0])
        book = self.fake.spreadsheets.get(key)
        if book is None:
            self.h._error(404, "Requested entity was not found.", endpoint, "notFound")
        return book

    def get(self, parts: Any) -> None:
        if parts.path.startswith("/drive/"):
            book = self._count("capabilities")
            if book is not None:
                self.h._send(200, {"capabilities": {"canEdit": book.role == "writer"}})
            return
        book = self._count("gridData")
        if book is None:
            return
        ids = _sheet_ids(book)
        data: dict[str, list[dict[str, Any]]] = {}
        for a1 in parse_qs(parts.query).get("ranges", []):
            name, cells = split_range(unquote(a1))
            if name not in book.sheets:
                return self.h._error(400, f"Unable to parse range: {a1}", "gridData")
            data.setdefault(name, []).append(self._grid(book, name))
        sheets = [{"properties": {"sheetId": ids[name], "title": name},
                   "protectedRanges": [p for p in book.protected if p["range"]["sheetId"] == ids[name]],
                   **({"data": data[name]} if name in data else {})} for name in book.sheets if name in data]
        self.h._send(200, {"spreadsheetId": book.key, "sheets": sheets})

    @staticmethod
    def _grid(book: FakeSpreadsheet, name: str) -> dict[str, Any]:
        rows = book.sheets[name]
        height = max([len(rows)] + [r + 1 for (s, r, _c) in book.notes if s == name])
        out = []
        for r in range(height):
            row = rows[r] if r < len(rows) else []
            width = max([len(row)] + [c + 1 for (s, rr, c) in book.notes if s == name and rr == r])
            values = []
            for c in range(width):
                cell: dict[str, Any] = {}
                v = row[c] if c < len(row) else ""
                if isinstance(v, str) and v.startswith("="):
                    cell["userEnteredValue"] = {"formulaValue": v}
                elif isinstance(v, bool):
                    cell["userEnteredValue"] = {"boolValue": v}
                elif isinstance(v, (int, float)) or isinstance(v, (dt.date, dt.datetime)):
                    cell["userEnteredValue"] = {"numberValue": to_serial(v)}
                elif v not in ("", None):
                    cell["userEnteredValue"] = {"stringValue": str(v)}
                if (note := book.notes.get((name, r, c))):
                    cell["note"] = note
                values.append(cell)
            out.append({"values": values})
        return {"startRow": 0, "startColumn": 0, "rowData": out}

    def _body(self) -> Any:
        length = int(self.h.headers.get("Content-Length") or 0)
        return json.loads(self.h.rfile.read(length) or b"{}")

    def post(self, parts: Any) -> None:
        body = self._body()
        book = self._count("batchUpdate")
        if book is None:
            return
        if book.role != "writer":
            return self.h._error(403, "The caller does not have permission", "batchUpdate")
        with self.fake._lock:
            replies = [self._apply(book, request) for request in body.get("requests", [])]
            book.update()
        self.h._send(200, {"spreadsheetId": book.key, "replies": replies})

    def put(self, parts: Any) -> None:
        body = self._body()
        book = self._count("valuesUpdate")
        if book is None:
            return
        if book.role != "writer":
            return self.h._error(403, "The caller does not have permission", "valuesUpdate")
        name, _ = split_range(unquote(parts.path.split("/values/")[1]))
        with self.fake._lock:
            book.sheets[name] = [list(r) for r in body.get("values", [])]
            book.update()
        self.h._send(200, {"spreadsheetId": book.key, "updatedRange": name})

    def _apply(self, book: FakeSpreadsheet, request: dict[str, Any]) -> dict[str, Any]:
        (kind, args), = request.items()
        ids = {v: k for k, v in _sheet_ids(book).items()}
        if kind == "addSheet":
            props = args["properties"]
            book.sheets[props["title"]] = []
            if "sheetId" in props:
                book.given_ids[props["title"]] = props["sheetId"]
            return {"addSheet": {"properties": {**props, "sheetId": _sheet_ids(book)[props["title"]]}}}
        if kind == "addProtectedRange":
            protected = {**args["protectedRange"], "protectedRangeId": 5000 + len(book.protected)}
            book.protected.append(protected)
            return {"addProtectedRange": {"protectedRange": protected}}
        if kind == "updateCells":
            self._update_cells(book, ids, args)
        elif kind not in ("updateSheetProperties", "updateDimensionProperties", "repeatCell", "setBasicFilter"):
            raise ValueError(f"the fake does not know {kind}")
        return {}

    @staticmethod
    def _update_cells(book: FakeSpreadsheet, ids: dict[int, str], args: dict[str, Any]) -> None:
        where = args.get("range") or {**args["start"], "startRowIndex": args["start"].get("rowIndex", 0),
                                      "startColumnIndex": args["start"].get("columnIndex", 0)}
        name = ids[where["sheetId"]]
        fields = args["fields"]
        r0, c0 = where.get("startRowIndex", 0), where.get("startColumnIndex", 0)
        rows = args.get("rows", [])
        if "range" in args and not rows:          # clear the range
            end_r = where.get("endRowIndex", 1 << 20)
            end_c = where.get("endColumnIndex", 1 << 20)
            if "userEnteredValue" in fields:
                book.sheets[name] = [[("" if r0 <= i < end_r and c0 <= j < end_c else v) for j, v in enumerate(row)]
                                     for i, row in enumerate(book.sheets[name])]
            if "note" in fields:
                for k in [k for k in book.notes if k[0] == name and r0 <= k[1] < end_r and c0 <= k[2] < end_c]:
                    del book.notes[k]
            return
        grid = book.sheets[name]
        for i, row in enumerate(rows):
            for j, cell in enumerate(row.get("values", [])):
                r, c = r0 + i, c0 + j
                if "note" in fields:
                    if cell.get("note"):
                        book.notes[(name, r, c)] = cell["note"]
                    else:
                        book.notes.pop((name, r, c), None)
                if "userEnteredValue" in fields:
                    while len(grid) <= r:
                        grid.append([])
                    while len(grid[r]) <= c:
                        grid[r].append("")
                    value = cell.get("userEnteredValue", {})
                    grid[r][c] = next(iter(value.values()), "") if value else ""

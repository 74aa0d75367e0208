"""The ``ordersync`` tab in a Google spreadsheet: the findings where the team works, in at most two requests.

Per cycle that read the spreadsheet:

1. one ``spreadsheets.get`` with ``includeGridData`` and a fields mask: the tab's
   cells (what people typed in 处理), its protections, and, with ``cell_notes``,
   the notes of the register's tabs that have findings. A tab that does not exist
   answers 400 (unknown range): it is created in step 2;
2. one ``batchUpdate``, only when something differs from what is there: the tab
   added (with its own sheetId, so the same batch can fill it), protected except the
   处理 column, its cells rewritten, and the notes ordersync owns set or cleared.

So a cycle that changed something costs at most 2 requests and one that finds the
tab as it should be costs the read only; a source not read this cycle costs nothing.

Notes ordersync writes start with ``NOTE_MARK``; a note without it was written by
a person and is never touched (nor covered by ours).

Writing needs Editor rights. A Viewer-only service account gets 403: the tab is
turned off for this source for the life of the service, said once in the log, and
everything else carries on as before (``ordersync doctor`` says Editor is needed).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from gspread.urls import DRIVE_FILES_API_V3_URL, SPREADSHEET_BATCH_UPDATE_URL, SPREADSHEET_URL

from sync.errors import SheetNotFound, SourceError
from sync.findings import Finding
from sync.i18n import say
from sync.notices.feedback import Entry, Row, absorb, latest, rows_for
from sync.notices.feedback_xlsx import COLUMNS, ID_HEADER, STATUS, WRITTEN_HEADER
from sync.sources.gsheets import FEEDBACK_TAB, GSheetsSource
from sync.sources.google_http import GoogleHTTP

log = logging.getLogger("ordersync.feedback")
TAB = FEEDBACK_TAB
TAB_ID = 1_818_018   # the tab's sheetId, chosen by ordersync so one batch can add and fill it
NOTE_MARK = "【ordersync】"
WRITE_SCOPES = ("https://www.googleapis.com/auth/spreadsheets",
                "https://www.googleapis.com/auth/drive.metadata.readonly")
_COLS = len(COLUMNS) + 2           # the visible columns and the two hidden ones
_STATUS_COL = len(COLUMNS) - 1
_CELL = re.compile(r"^([A-Z]+)(\d+)$")


class SheetsTab:
    """The ``ordersync`` tab of one spreadsheet; kept for the life of the service."""

    def __init__(self, source: GSheetsSource, *, lang: str) -> None:
        self.source = source
        self.lang = lang
        self.off: str | None = None      # why the tab is off (no Editor rights)
        self.exists: bool | None = None  # whether the tab is there, as this writer last saw
        self.requests = 0                # requests this tab made (the source counts its own)
        self._http: GoogleHTTP | None = None

    def write(self, state: Any, findings: list[Finding], *, notes: bool, per: str, now: datetime) -> bool:
        """Read the tab, record what was typed, rewrite it when it differs; True when a write was made."""
        if self.off:
            return False
        self.client().start()   # each write has the source's time budget of its own
        sheets = sorted({f.sheet for f in findings if f.sheet and f.cell}) if notes else []
        seen = self._read(sheets)
        entries = _entries(seen["tab"]) if seen["tab"] is not None else []
        absorb(state, entries, who="sheet", origin="sheet", now=now, lang=self.lang)
        rows = rows_for(findings, latest(state), self.lang)
        requests = self._requests(seen, rows, findings if notes else [], sheets)
        if not requests:
            return False
        try:
            self._call("post", SPREADSHEET_BATCH_UPDATE_URL % self.source.key, json={"requests": requests})
            self.exists = True
        except SourceError as exc:
            if _forbidden(exc):
                self._turn_off()
                return False
            raise
        return True

    def can_edit(self) -> bool:
        """Whether the service account may write the tab: Drive's ``capabilities.canEdit`` (one request)."""
        data = self._call("get", f"{DRIVE_FILES_API_V3_URL}/{self.source.key}",
                          params={"fields": "capabilities(canEdit)", "supportsAllDrives": True})
        return bool(data.get("capabilities", {}).get("canEdit"))

    # -- the transport ----------------------------------------------------------------------------

    def client(self) -> GoogleHTTP:
        """The source's own transport when it was given one (a proxy, the tests' server), else a session
        with the write scope (the source reads with read-only scopes)."""
        if self._http is None:
            session = getattr(self.source, "_session", None)
            if session is None:
                from google.auth.transport.requests import AuthorizedSession
                from google.oauth2 import service_account

                creds = service_account.Credentials.from_service_account_file(
                    str(self.source.credentials), scopes=WRITE_SCOPES)
                session = AuthorizedSession(creds)
            self._http = GoogleHTTP(session, location=self.source.location, policy=self.source.policy,
                                    account_email=self.source.account_email)
        return self._http

    def _call(self, method: str, url: str, **kw: Any) -> Any:
        http = self.client()
        before = http.requests
        try:
            if method == "get":
                return http.get(url, kw.get("params") or {}).json()
            return http.send(method, url, **kw).json()
        finally:
            self.requests += http.requests - before

    def _read(self, sheets: list[str]) -> dict[str, Any]:
        """The tab's cells and protections, and the notes of ``sheets``; ``tab`` is None when it is missing."""
        exists = self.exists if self.exists is not None else getattr(self.source, "feedback_tab", -1) is not None
        ranges = ([_quoted(TAB)] if exists or not sheets else []) + [_quoted(s) for s in sheets]
        fields = ("sheets(properties(sheetId,title),protectedRanges(protectedRangeId,description),"
                  "data(startRow,startColumn,rowData(values(userEnteredValue,note))))")
        try:
            data = self._call("get", SPREADSHEET_URL % self.source.key,
                              params={"includeGridData": "true", "ranges": ranges, "fields": fields})
        except SheetNotFound:
            self.exists = False
            if not sheets:
                return {"tab": None, "id": None, "protected": False, "grids": {}, "ids": {}}
            data = self._call("get", SPREADSHEET_URL % self.source.key,   # the tab is gone: the notes still count
                              params={"includeGridData": "true", "ranges": ranges[1:], "fields": fields})
            data["sheets"] = [s for s in data.get("sheets", []) if s["properties"]["title"] != TAB]
        seen = _parse(data)
        self.exists = seen["tab"] is not None
        return seen

    def _turn_off(self) -> None:
        who = self.source.account_email or "the service account"
        self.off = say("{who} 只有查看权限，ordersync 标签页已关闭（需要编辑者权限）",
                       "{who} can only view; the ordersync tab is off (it needs Editor rights)", self.lang, who=who)
        log.warning("%s: %s can only view this spreadsheet, so the ordersync tab is off (it needs Editor rights); "
                    "share it with %s as Editor, or set [feedback] sheets_tab = false", self.source.location, who, who)

    # -- what to write --------------------------------------------------------------------------

    def _requests(self, seen: dict[str, Any], rows: list[Row], findings: list[Finding],
                  sheets: list[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        tab_id = seen["id"] if seen["id"] is not None else TAB_ID
        if seen["tab"] is None:
            out += _create(tab_id)
        if not seen["protected"]:
            out.append(_protect(tab_id, self.source.account_email))
        wanted = _cells(rows, seen["ids"], self.lang)
        if seen["tab"] != wanted:
            out += [{"updateCells": {"range": {"sheetId": tab_id}, "fields": "userEnteredValue"}},
                    {"updateCells": {"start": {"sheetId": tab_id, "rowIndex": 0, "columnIndex": 0},
                                     "rows": [{"values": [{"userEnteredValue": v} if v else {} for v in row]}
                                              for row in wanted], "fields": "userEnteredValue"}}]
        out += _notes(seen, findings, self.lang)
        return out


def _forbidden(exc: SourceError) -> bool:
    cause = exc.__cause__
    response = getattr(cause, "response", None)
    return response is not None and response.status_code == 403


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _parse(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"tab": None, "id": None, "protected": False, "grids": {}, "ids": {}}
    for sheet in data.get("sheets", []):
        title, sheet_id = sheet["properties"]["title"], sheet["properties"]["sheetId"]
        out["ids"][title] = sheet_id
        grid = [[cell for cell in row.get("values", [])] for d in sheet.get("data", []) for row in d.get("rowData", [])]
        if title == TAB:
            out["id"] = sheet_id
            out["tab"] = _trim([[c.get("userEnteredValue") or None for c in row] for row in grid])
            out["protected"] = any(p.get("description") == "ordersync" for p in sheet.get("protectedRanges", []))
        else:
            out["grids"][title] = {(r, c): cell.get("note", "") for r, row in enumerate(grid)
                                   for c, cell in enumerate(row) if cell.get("note")}
    return out


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    rows = [list(r) for r in rows]
    for r in rows:
        while r and r[-1] is None:
            r.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _entries(tab: list[list[Any]]) -> list[Entry]:
    if not tab:
        return []
    header = [_plain(v) for v in tab[0]]
    if ID_HEADER not in header:
        return []
    ids, written = header.index(ID_HEADER), header.index(WRITTEN_HEADER) if WRITTEN_HEADER in header else None
    status = next((i for i, h in enumerate(header) if h in (STATUS.zh, STATUS.en)), _STATUS_COL)
    out = []
    for row in tab[1:]:
        if subject := _at(row, ids):
            out.append(Entry(subject, _at(row, status), _at(row, written)))
    return out


def _at(row: list[Any], index: int | None) -> str:
    return _plain(row[index]) if index is not None and index < len(row) else ""


def _plain(value: Any) -> str:
    if not value:
        return ""
    inner = next(iter(value.values()))
    if isinstance(inner, float) and inner.is_integer():
        return str(int(inner))
    return str(inner).strip()


def _cells(rows: list[Row], ids: dict[str, int], lang: str) -> list[list[Any]]:
    """The tab as userEnteredValue cells: the header, then a row per finding (links within the spreadsheet)."""
    header = [{"stringValue": title.format(lang)} for _, title, _ in COLUMNS]
    out = [header + [{"stringValue": ID_HEADER}, {"stringValue": WRITTEN_HEADER}]]
    levels = {"error": say("错误", "error", lang), "warning": say("警告", "warning", lang)}
    for row in rows:
        where = f"{row.sheet}!{row.cell}" if row.cell else row.sheet
        location: dict[str, Any] = {"stringValue": where}
        if row.sheet in ids:
            anchor = f"#gid={ids[row.sheet]}" + (f"&range={row.cell}" if row.cell else "")
            location = {"formulaValue": f'=HYPERLINK("{anchor}","{where.replace(chr(34), chr(34) * 2)}")'}
        out.append([{"stringValue": levels[row.severity]}, location, _text(row.order_no), _text(row.problem),
                    _text(row.hint), _value(row.value), _text(row.status), {"stringValue": row.subject},
                    _text(row.status)])
    return _trim([[c or None for c in r] for r in out])


def _text(value: str) -> dict[str, Any] | None:
    return {"stringValue": value} if value else None


def _value(value: Any) -> dict[str, Any] | None:
    """Numbers as numbers; a date as its ISO text (a serial would show as a number without a format)."""
    if isinstance(value, bool) or value in ("", None):
        return _text(str(value)) if value not in ("", None) else None
    if isinstance(value, (int, float)):
        return {"numberValue": value}
    return {"stringValue": value.isoformat() if hasattr(value, "isoformat") else str(value)}


def _create(tab_id: int) -> list[dict[str, Any]]:
    return [{"addSheet": {"properties": {"sheetId": tab_id, "title": TAB,
                                         "gridProperties": {"frozenRowCount": 1}}}},
            {"updateDimensionProperties": {"range": {"sheetId": tab_id, "dimension": "COLUMNS",
                                                     "startIndex": len(COLUMNS), "endIndex": _COLS},
                                           "properties": {"hiddenByUser": True}, "fields": "hiddenByUser"}}]


def _protect(tab_id: int, account: str | None) -> dict[str, Any]:
    """Everything but the 处理 column, editable by ordersync only."""
    protected: dict[str, Any] = {
        "range": {"sheetId": tab_id}, "description": "ordersync", "warningOnly": False,
        "unprotectedRanges": [{"sheetId": tab_id, "startRowIndex": 1, "startColumnIndex": _STATUS_COL,
                               "endColumnIndex": _STATUS_COL + 1}]}
    if account:
        protected["editors"] = {"users": [account]}
    return {"addProtectedRange": {"protectedRange": protected}}


def _notes(seen: dict[str, Any], findings: list[Finding], lang: str) -> list[dict[str, Any]]:
    """Set our note on each offending cell, clear our notes that no longer stand; never touch a person's."""
    wanted: dict[tuple[str, int, int], str] = {}
    for f in findings:
        m = _CELL.match(f.cell or "")
        if m and f.sheet in seen["ids"] and f.severity in ("error", "warning"):
            key = (f.sheet, int(m[2]) - 1, _column(m[1]))
            text = f"{f.message}" + (f"\n{f.hint}" if f.hint else "")
            wanted[key] = (wanted[key] + "\n" + text) if key in wanted else text
    out = []
    for sheet, grid in seen["grids"].items():
        for (r, c), note in grid.items():
            key = (sheet, r, c)
            if not note.startswith(NOTE_MARK):
                wanted.pop(key, None)           # a person's note: theirs, never covered
            elif key not in wanted:
                out.append(_note(seen["ids"][sheet], r, c, ""))
    for (sheet, r, c), text in sorted(wanted.items()):
        note = NOTE_MARK + text
        if seen["grids"].get(sheet, {}).get((r, c)) != note:
            out.append(_note(seen["ids"][sheet], r, c, note))
    return out


def _note(sheet_id: int, row: int, col: int, text: str) -> dict[str, Any]:
    return {"updateCells": {"range": {"sheetId": sheet_id, "startRowIndex": row, "endRowIndex": row + 1,
                                      "startColumnIndex": col, "endColumnIndex": col + 1},
                            "rows": [{"values": [{"note": text} if text else {}]}], "fields": "note"}}


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1

"""Google Sheets as people really use it (issue 20), over real HTTP to a local Google that behaves like Google:
uploaded Excel files, big registers, errors that name their reason, the per-minute quota, URL forms."""

from __future__ import annotations

import io
import time

import openpyxl
import pytest
import requests

from tests.fakegoogle import XLSX, FakeGoogle

from sync.errors import ConfigError, SourceBusy, SourceUnreadable
from sync.sources import MemorySource, open_path
from sync.sources.google_addresses import is_google_url, spreadsheet_key, tab_id
from sync.sources.google_http import OverBudget, RetryPolicy
from sync.sources.google_plan import batches
from sync.sources.gsheets import GSheetsSource, full_read_interval

KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-key"
EMAIL = "ordersync@factory-project.iam.gserviceaccount.com"
FAST = RetryPolicy(attempts=3, backoff=0.001, cap=0.01, timeout=(1.0, 2.0), budget=5.0)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def google():
    with FakeGoogle() as fake:
        yield fake


def make(google: FakeGoogle, key: str = KEY, **kw) -> GSheetsSource:
    kw.setdefault("policy", FAST)
    return GSheetsSource("register", key, session=google.session(), account_email=EMAIL, **kw)


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- 1. an Excel file uploaded to Drive --------------------------------------------------------


def test_the_local_google_refuses_an_uploaded_excel_file_as_google_does(google):
    google.add_excel(KEY, xlsx({"订单": [["订单号"]]}))
    answer = google.session().get(f"https://sheets.googleapis.com/v4/spreadsheets/{KEY}")
    assert answer.status_code == 400
    assert answer.json()["error"]["status"] == "FAILED_PRECONDITION"
    assert answer.json()["error"]["message"] == "This operation is not supported for this document"
    drive = google.session().get(f"https://www.googleapis.com/drive/v3/files/{KEY}").json()
    assert drive["mimeType"] == XLSX


def test_uploaded_excel_is_downloaded_once_per_version_and_read_by_the_excel_reader(google):
    book = google.add_excel(KEY, xlsx({"订单": [["订单号", "数量"], ["SO-1", 300]], "发货": [["订单号"]]}))
    source = make(google)
    token = source.fingerprint()
    assert source.uploaded_excel
    assert [s.name for s in source.sheets()] == ["订单", "发货"]
    assert next(source.read(["订单"])).rows == [["订单号", "数量"], ["SO-1", 300]]
    assert source.fingerprint() == token
    list(source.read(["订单"]))
    assert google.counts == {"files": 2, "media": 1}   # no Sheets request, one download for this version

    book.content = xlsx({"订单": [["订单号", "数量"], ["SO-1", 3000]]})
    book.update()
    assert source.fingerprint() != token
    assert next(source.read(["订单"])).rows[1] == ["SO-1", 3000]
    assert google.counts["media"] == 2 and not source.full_read_due


def test_uploaded_excel_found_without_a_fingerprint_first(google):
    """``check`` reads without polling first: the Sheets refusal sends it to Drive."""
    google.add_excel(KEY, xlsx({"订单": [["订单号"], ["SO-7"]]}))
    source = make(google)
    assert [s.name for s in source.sheets()] == ["订单"]
    assert next(source.read(None)).rows == [["订单号"], ["SO-7"]]
    assert google.counts == {"metadata": 1, "files": 1, "media": 1}


def test_a_drive_file_that_is_no_spreadsheet_says_so(google):
    google.add_excel(KEY, b"%PDF-1.4", mime="application/pdf")
    source = make(google)
    source.fingerprint()
    with pytest.raises(SourceUnreadable, match="not a spreadsheet"):
        source.sheets()


# -- 2. big registers --------------------------------------------------------------------------


def big_tab(rows: int, columns: int = 12) -> list[list]:
    header = ["订单号", "数量"] + [f"列{c}" for c in range(columns - 2)]
    return [header] + [[f"SO-{r:06d}", r % 997] + [f"值{r}-{c}" for c in range(columns - 2)] for r in range(rows)]


def test_a_big_tab_is_read_in_row_ranges_each_answer_under_the_limit(google):
    google.max_response = 40_000             # the fake answers 503 above this, as Google does to big answers
    rows = big_tab(3_000, columns=4)
    google.add(KEY, {"订单": rows, "发货": [["订单号"], ["SO-000001"]]})
    source = make(google, max_answer=40_000)
    source.fingerprint()
    source.sheets()
    grids = {g.sheet: g.rows for g in source.read(["订单", "发货"])}
    assert grids["订单"] == rows and grids["发货"] == [["订单号"], ["SO-000001"]]
    assert google.counts["batchGet"] > 3
    assert google.gzipped == sum(google.counts.values())   # every answer came compressed


def test_a_tab_that_grew_since_the_metadata_is_split_after_a_503(google):
    google.max_response = 40_000
    book = google.add(KEY, {"订单": big_tab(100, columns=4)})
    source = make(google, max_answer=40_000)
    source.fingerprint()
    list(source.read(["订单"]))
    book.update({"订单": big_tab(5_000, columns=4)})
    source.fingerprint()
    assert next(source.read(["订单"])).rows == big_tab(5_000, columns=4)
    assert google.counts["metadata"] == 2   # the 503 sent it to the grid sizes, read again


def test_503_to_a_big_answer_halves_what_is_asked_for(google):
    google.max_response = 30_000
    google.add(KEY, {"订单": big_tab(3_000, columns=4)})
    source = make(google, max_answer=200_000)
    assert next(source.read(["订单"])).rows == big_tab(3_000, columns=4)
    assert google.counts["metadata"] == 1


def test_two_hundred_tabs_never_go_into_one_url(google):
    google.max_url = 8_000
    sheets = {f"2026年{i // 20 + 1}月 客户{i:03d} 订单明细": [["订单号"], [f"SO-{i}"]] for i in range(200)}
    google.add(KEY, sheets)
    source = make(google)
    source.fingerprint()
    grids = list(source.read(list(sheets)))
    assert [g.rows[1][0] for g in grids] == [f"SO-{i}" for i in range(200)]
    assert max(len(path) for _, path in google.log) < 8_000


def test_plan_keeps_answers_and_urls_small():
    plan = batches([("订单", 100_000, 30, None), ("QC", 1000, 26, (50, 8))], max_bytes=2_000_000)
    assert all(sum(p.cost(None, 10) for p in b if p.tab == "订单") <= 2_000_000 for b in plan)
    assert plan[0][0].a1 == "'订单'!1:6666" and plan[-1][-1].a1 == "'QC'"
    assert sum(len(b) for b in plan) == 17   # 100,000 rows in 16 ranges of 6,666, and QC whole


def test_a_stalled_google_holds_a_poll_for_its_budget_only(google):
    google.add(KEY, {"订单": [["订单号"]]})
    google.fail("files", 200, times=None, delay=3.0)
    source = make(google, policy=RetryPolicy(attempts=3, backoff=0.001, cap=0.01, timeout=(1.0, 30.0), budget=0.5))
    started = time.monotonic()
    with pytest.raises(OverBudget, match="budget of 0.5 s"):
        source.fingerprint()
    assert time.monotonic() - started < 1.5


def test_a_read_cut_short_by_the_budget_resumes_where_it_stopped(google):
    rows = big_tab(3_000, columns=4)
    google.add(KEY, {"订单": rows})
    source = make(google, max_answer=20_000,
                  policy=RetryPolicy(attempts=1, backoff=0.001, cap=0.01, timeout=(1.0, 5.0), budget=1.5))
    source.fingerprint()
    source.sheets()
    google.fail("batchGet", 200, times=1, delay=4.0, after=2)   # the third range stalls past the budget
    with pytest.raises(OverBudget):
        list(source.read(["订单"]))
    assert google.counts["batchGet"] == 3
    source.fingerprint()   # the next poll: same Drive version
    assert next(source.read(["订单"])).rows == rows
    planned = len(batches([("订单", 3_001, 26, None)], max_bytes=20_000))
    assert google.counts["batchGet"] == planned + 1   # only the range cut off was asked again


# -- 3. errors that say the right thing ----------------------------------------------------------


@pytest.mark.parametrize("endpoint, reason, meta, expect, hint", [
    ("metadata", "ACCESS_TOKEN_SCOPE_INSUFFICIENT", None, "read-only scopes", "domain-wide delegation"),
    ("files", "insufficientPermissions", None, "read-only scopes", "drive.readonly"),
    ("files", "domainPolicy", None, "Workspace's policy", "gserviceaccount.com"),
    ("metadata", "SERVICE_DISABLED",
     {"service": "sheets.googleapis.com", "consumer": "projects/4242",
      "activationUrl": "https://console.developers.google.com/apis/api/sheets.googleapis.com/overview?project=4242"},
     "Google Sheets API is not enabled", "overview?project=4242"),
    ("files", "accessNotConfigured", {"service": "drive.googleapis.com", "consumer": "projects/4242"},
     "Google Drive API is not enabled", "drive.googleapis.com?project=4242"),
    (None, None, None, "not shared", EMAIL),
])
def test_each_403_names_its_reason(google, endpoint, reason, meta, expect, hint):
    google.add(KEY, {"订单": [["订单号"]]})
    google.fail(endpoint, 403, times=None, reason=reason, metadata=meta, message="The caller does not have permission")
    source = make(google)
    with pytest.raises(SourceUnreadable, match=expect) as err:
        source.fingerprint() if endpoint == "files" else source.sheets()
    assert hint in err.value.hint
    assert source.requests == 1


def test_a_dead_proxy_says_to_check_the_proxy(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    session = requests.Session()   # takes the proxy from the environment, as the service does
    source = GSheetsSource("register", KEY, session=session, policy=FAST)
    with pytest.raises(SourceBusy, match="proxy") as err:
        source.fingerprint()
    assert "HTTPS_PROXY is http://127.0.0.1:9" in err.value.hint and "mainland China" in err.value.hint


def test_no_network_names_the_proxy_setting(monkeypatch):
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    monkeypatch.delenv("https_proxy", raising=False)
    with FakeGoogle() as gone:
        session = gone.session()
    source = GSheetsSource("register", KEY, session=session, policy=FAST)
    with pytest.raises(SourceBusy, match="cannot connect") as err:
        source.fingerprint()
    assert "HTTPS_PROXY is not set" in err.value.hint


# -- 4. the per-minute quota ------------------------------------------------------------------------


def test_429_waits_for_the_next_minute_and_the_other_sources_go_on(google):
    google.add(KEY, {"订单": [["订单号"], ["SO-1"]]})
    google.add("other-register-key-0001", {"订单": [["订单号"], ["SO-2"]]})
    clock = Clock()
    limited = make(google, clock=clock)
    other = make(google, key="other-register-key-0001", clock=clock)
    google.fail("files", 429, times=1)   # no Retry-After, as Google answers
    with pytest.raises(SourceBusy, match="quota"):
        limited.fingerprint()
    assert google.counts["files"] == 1
    clock.now += 30
    with pytest.raises(SourceBusy, match="quota"):
        limited.fingerprint()               # still this minute: no request at all
    assert google.counts["files"] == 1
    assert other.fingerprint() and next(other.read(["订单"])).rows[1] == ["SO-2"]
    clock.now += 36
    assert limited.fingerprint() and google.counts["files"] == 3


# -- 6. formulas that change without an edit ----------------------------------------------------------


def test_full_read_every_a_duration(google):
    book = google.add(KEY, {"订单": [["订单号", "今天"], ["SO-1", 46280]]})
    clock = Clock()
    source = make(google, clock=clock, full_read_every="10m")
    source.fingerprint()
    list(source.read(["订单"]))
    before = source.last_content_hash
    book.update({"订单": [["订单号", "今天"], ["SO-1", 46281]]}, drive_notices=False)   # TODAY() moved on
    clock.now += 9 * 60
    source.fingerprint()
    assert not source.full_read_due
    clock.now += 60
    source.fingerprint()
    assert source.full_read_due
    list(source.read(["订单"]))
    assert source.last_content_hash != before and not source.full_read_due
    assert full_read_interval("30s") == (0, 30) and full_read_interval(5) == (5, None)
    with pytest.raises(ConfigError, match="duration"):
        full_read_interval("ten minutes")


# -- 7. every URL form users paste ----------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0",
    f"https://docs.google.com/spreadsheets/u/0/d/{KEY}/edit",
    f"https://docs.google.com/spreadsheets/u/1/d/{KEY}/edit?usp=sharing#gid=123",
    f"https://drive.google.com/open?id={KEY}",
    f"https://drive.google.com/file/d/{KEY}/view?usp=drive_link",
    f"https://docs.google.com/spreadsheet/ccc?key={KEY}#gid=5",
    f"https://docs.google.com/spreadsheets/d/{KEY}/htmlview",
    f"  {KEY}  ",
])
def test_every_url_form(url):
    assert spreadsheet_key(url) == KEY


def test_url_helpers():
    assert tab_id(f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=123") == 123
    assert tab_id(KEY) is None
    assert is_google_url("https:/docs.google.com/spreadsheets/d/x")   # as pathlib.Path folds it
    assert not is_google_url("registers/docs.google.com.xlsx")
    with pytest.raises(ConfigError):
        spreadsheet_key("https://docs.google.com/spreadsheets/")


def test_a_sheets_url_on_the_command_line_opens_a_google_source(tmp_path, monkeypatch):
    from pathlib import Path

    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "sa.json"))
    source = open_path(Path(f"https://docs.google.com/spreadsheets/u/0/d/{KEY}/edit#gid=0"))
    assert isinstance(source, GSheetsSource) and source.key == KEY
    assert source.credentials == tmp_path / "sa.json"


def test_a_failing_google_source_leaves_the_others_alone(google):
    google.fail(None, 503, times=None)
    sources = [make(google), MemorySource("excel", {"订单": [["订单号"], ["SO-1"]]})]
    read = {}
    for source in sources:
        try:
            read[source.name] = [g.rows for g in source.read(["订单"])]
        except SourceBusy:
            pass
    assert read == {"excel": [[["订单号"], ["SO-1"]]]}

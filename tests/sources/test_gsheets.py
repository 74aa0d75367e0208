"""Google Sheets: the source contract, request costs, retries and errors, over real HTTP to a fake Google."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from tests.fakegoogle import FakeGoogle, to_serial
from tests.sources.contract import SourceContract

from sync.errors import ConfigError, SheetNotFound, SourceBusy, SourceError, SourceUnreadable
from sync.sources import GSheetsSource, MemorySource, backend
from sync.sources.google_http import RetryPolicy
from sync.sources.gsheets import anchor, range_origin, spreadsheet_key

KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-key"
EMAIL = "ordersync@factory-project.iam.gserviceaccount.com"
FAST = RetryPolicy(attempts=4, backoff=0.001, cap=0.01, timeout=(1.0, 0.3), budget=5.0)


@pytest.fixture
def google():
    with FakeGoogle() as fake:
        yield fake


def make(google: FakeGoogle, key: str = KEY, **kw) -> GSheetsSource:
    kw.setdefault("policy", FAST)
    return GSheetsSource("register", key, session=google.session(), account_email=EMAIL, **kw)


class TestGSheetsSource(SourceContract):
    tight_ranges = False

    @pytest.fixture(autouse=True)
    def _google(self):
        with FakeGoogle(tight_ranges=self.tight_ranges) as fake:
            self.google = fake
            yield

    def make_source(self, tmp_path, sheets):
        self.google.add(KEY, sheets)
        return make(self.google)

    def rewrite(self, source, tmp_path, sheets):
        self.google.spreadsheets[source.key].update(sheets)

    def assert_same_cells(self, grid, rows):
        # Sheets hands dates over as serial numbers; sync.tables.normalize converts them by column type
        super().assert_same_cells(grid, [[to_serial(v) for v in r] for r in rows])


class TestGSheetsSourceTightRanges(TestGSheetsSource):
    """The values API may report a range that starts after A1: grids are still anchored at A1."""

    tight_ranges = True


# -- what a poll costs -----------------------------------------------------------------------


@pytest.mark.parametrize("tabs", [1, 3, 12])
def test_unchanged_poll_costs_1_request_and_changed_poll_2_or_3(google, tabs):
    sheets = {f"Tab {i}": [["订单号", "数量"], [f"SO-{i}", i]] for i in range(tabs)}
    book = google.add(KEY, sheets)
    source = make(google)
    names = list(sheets)

    token = source.fingerprint()
    assert [s.name for s in source.sheets()] == names
    assert len(list(source.read(names))) == tabs
    # first cycle: files.get, metadata, batchGet; a tab never read is estimated by its grid (1000 x 26),
    # so twelve new tabs take two batchGets the first time
    assert source.requests == (3 if tabs < 8 else 4)

    before = source.requests
    assert source.fingerprint() == token
    assert source.requests - before == 1  # unchanged: files.get only

    sheets["Tab 0"][1][1] = 999
    book.update(sheets)
    before = source.requests
    assert source.fingerprint() != token
    grids = list(source.read(names))
    assert source.requests - before == 2  # changed, tabs named in config: files.get + one batchGet
    assert grids[0].rows[1][1] == 999

    book.update(sheets)
    before = source.requests
    source.fingerprint()
    source.sheets()
    list(source.read(names))
    assert source.requests - before == 3  # changed, tables found by their headers: + the metadata
    assert google.counts["metadata"] == 2 and google.counts["batchGet"] == (3 if tabs < 8 else 4)
    assert google.counts["values"] == 0   # never a per-tab request


def test_batch_get_asks_unformatted_values_with_serial_dates(google):
    google.add(KEY, {"订单": [["交期"], [dt.datetime(2026, 9, 15)], [dt.datetime(2026, 9, 15, 12)]]})
    grid = next(make(google).read(["订单"]))
    assert grid.rows[1:] == [[46280], [46280.5]]
    assert not grid.date1904
    (_, path), = google.log[-1:]
    assert "valueRenderOption=UNFORMATTED_VALUE" in path and "dateTimeRenderOption=SERIAL_NUMBER" in path


@pytest.mark.parametrize("name", ["Q3 plan", "It's", "生产进度 (二)", "a!b", "x/y", "''"])
def test_sheet_names_are_quoted_in_ranges(google, name):
    google.add(KEY, {name: [["订单号"], ["SO-1"]], "Other": [["x"]]})
    assert next(make(google).read([name])).rows == [["订单号"], ["SO-1"]]


def test_hidden_tabs_and_merged_banners_come_from_the_cached_metadata(google):
    google.add(KEY, {"订单": [["订单登记表", "", ""], ["订单号", "客户", "数量"]], "备用": [["x"]]},
               hidden={"备用"}, merges={"订单": [(0, 0, 0, 2)]})
    source = make(google)
    assert [(s.name, s.hidden) for s in source.sheets()] == [("订单", False), ("备用", True)]
    assert next(source.read(["订单"])).merged == [(0, 0, 0, 2)]
    assert google.counts["metadata"] == 1


def test_renamed_tab_refetches_metadata_and_names_the_tabs_there_are(google):
    book = google.add(KEY, {"订单": [["订单号"]], "发货": [["订单号"]]})
    source = make(google)
    list(source.read(["订单"]))
    book.rename("订单", "订单登记")
    source.fingerprint()
    with pytest.raises(SheetNotFound) as err:
        list(source.read(["订单"]))
    assert "订单登记" in err.value.hint
    assert google.counts["metadata"] == 2
    assert [s.name for s in source.sheets()] == ["订单登记", "发货"]
    assert google.counts["metadata"] == 2  # the refetch is already up to date


def test_tab_added_after_a_change_is_seen_by_sheets(google):
    book = google.add(KEY, {"订单": [["订单号"]]})
    source = make(google)
    source.fingerprint()
    assert [s.name for s in source.sheets()] == ["订单"]
    book.update({"订单": [["订单号"]], "QC": [["订单号"]]})
    assert [s.name for s in source.sheets()] == ["订单"]  # no change seen yet: cached
    source.fingerprint()
    assert [s.name for s in source.sheets()] == ["订单", "QC"]


def test_periodic_full_read_catches_what_drive_timestamps_miss(google):
    book = google.add(KEY, {"订单": [["订单号", "数量"], ["SO-1", 300]]})
    source = make(google, full_read_every=3)
    last_token = source.fingerprint()
    list(source.read(["订单"]))
    last_hash = source.last_content_hash
    book.update({"订单": [["订单号", "数量"], ["SO-1", 3000]]}, drive_notices=False)
    reads = 0
    for _ in range(3):  # the daemon's loop, as documented in sync/sources/gsheets.py
        token = source.fingerprint()
        if token != last_token or source.full_read_due:
            list(source.read(["订单"]))
            reads += 1
    assert token == last_token and reads == 1
    assert source.last_content_hash != last_hash


# -- retries and timeouts --------------------------------------------------------------------


def test_429_is_not_retried_and_retry_after_is_not_relied_on(google):
    """The read quota is per minute: retries seconds apart fail again. Retry-After is not promised."""
    google.add(KEY, {"订单": [["订单号"]]})
    source = make(google)
    list(source.read(["订单"]))
    google.fail("batchGet", 429, times=None, retry_after="0")
    with pytest.raises(SourceBusy, match="quota"):
        list(source.read(["订单"]))
    assert google.counts["batchGet"] == 2  # one refused read, not a storm of retries


def test_500s_are_retried(google):
    google.add(KEY, {"订单": [["订单号"]]})
    google.fail("metadata", 500, times=2)
    google.fail("metadata", 503, times=1)
    assert [s.name for s in make(google).sheets()] == ["订单"]
    assert google.counts["metadata"] == 4


def test_drive_403_rate_limit_is_a_quota_not_a_refusal(google):
    google.add(KEY, {"订单": [["订单号"]]})
    google.fail("files", 403, times=2, reason="userRateLimitExceeded", message="User rate limit exceeded.")
    with pytest.raises(SourceBusy, match="quota") as err:
        make(google).fingerprint()
    assert err.value.retryable and "per minute" in err.value.hint
    assert google.counts["files"] == 1


def test_slow_answer_times_out_and_is_retried(google):
    google.add(KEY, {"订单": [["订单号"]]})
    google.fail("files", 200, times=1, delay=0.6)
    source = make(google)
    started = time.monotonic()
    assert source.fingerprint()
    assert source.requests == 2 and time.monotonic() - started < 0.6  # did not wait for the slow answer


def test_google_that_never_answers_is_busy_not_stuck(google):
    google.add(KEY, {"订单": [["订单号"]]})
    google.fail("files", 200, times=None, delay=0.5)
    source = make(google, policy=RetryPolicy(attempts=2, backoff=0.001, cap=0.01, timeout=(1.0, 0.1), budget=5.0))
    with pytest.raises(SourceBusy, match="did not answer within 0.1 s"):
        source.fingerprint()
    assert source.requests == 2


def test_google_unreachable_is_busy():
    with FakeGoogle() as gone:
        session = gone.session()
    source = GSheetsSource("register", KEY, session=session, policy=FAST)
    with pytest.raises(SourceBusy, match="cannot connect"):
        source.fingerprint()
    assert source.requests == FAST.attempts


# -- errors a user can act on ----------------------------------------------------------------


def test_not_shared_names_the_service_account(google):
    google.add(KEY, {"订单": [["订单号"]]})
    google.fail(None, 403, times=None, message="The caller does not have permission")
    source = make(google)
    with pytest.raises(SourceUnreadable, match="not shared") as err:
        source.sheets()
    assert EMAIL in str(err.value) and EMAIL in err.value.hint
    assert source.requests == 1  # a 403 that is not a rate limit is not retried


def test_api_not_enabled(google):
    google.add(KEY, {"订单": [["订单号"]]})
    google.fail("files", 403, times=None, reason="SERVICE_DISABLED", message=(
        "Google Drive API has not been used in project 123456 before or it is disabled."))
    with pytest.raises(SourceUnreadable, match="not enabled") as err:
        make(google).fingerprint()
    assert "Drive API" in err.value.hint


def test_wrong_key(google):
    with pytest.raises(SourceUnreadable, match="wrong key") as err:
        make(google, key="no-such-key").sheets()
    assert "/d/" in err.value.hint and err.value.location.endswith("/no-such-key")


def test_a_failing_google_source_does_not_stop_the_others(google):
    google.fail(None, 503, times=None)
    sources = [make(google), MemorySource("excel", {"订单": [["订单号"], ["SO-1"]]})]
    read, failed = {}, {}
    for source in sources:  # what the daemon does each cycle
        try:
            read[source.name] = [g.rows for g in source.read(["订单"])]
        except SourceError as exc:
            failed[source.name] = exc
    assert read == {"excel": [[["订单号"], ["SO-1"]]]}
    assert isinstance(failed["register"], SourceBusy)


# -- configuration and helpers ---------------------------------------------------------------


def test_from_config_takes_a_url_and_credentials_from_the_environment(tmp_path, monkeypatch):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    (tmp_path / "sa.json").write_text(json.dumps({
        "type": "service_account", "project_id": "factory", "private_key_id": "1", "private_key": pem,
        "client_email": EMAIL, "client_id": "1", "token_uri": "https://oauth2.googleapis.com/token"}))
    monkeypatch.setenv("ORDERSYNC_GOOGLE_CREDENTIALS", str(tmp_path / "sa.json"))
    url = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0"
    source = backend("gsheets").from_config("register", {"key": url, "full_read_every": 10}, tmp_path)
    assert (source.key, source.full_read_every, source.account_email) == (KEY, 10, EMAIL)
    assert source.requests == 0


def test_missing_credentials_fail_the_source_on_use_not_the_config(tmp_path, monkeypatch):
    for var in ("ORDERSYNC_GOOGLE_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS"):
        monkeypatch.delenv(var, raising=False)
    source = GSheetsSource.from_config("register", {"key": KEY}, tmp_path)
    with pytest.raises(SourceUnreadable, match="no Google credentials") as err:
        source.fingerprint()
    assert "ORDERSYNC_GOOGLE_CREDENTIALS" in err.value.hint
    with pytest.raises(ConfigError):
        GSheetsSource.from_config("register", {}, tmp_path)


def test_helpers():
    assert spreadsheet_key(f"https://docs.google.com/spreadsheets/d/{KEY}/edit") == KEY
    assert spreadsheet_key(f" {KEY} ") == KEY
    with pytest.raises(ConfigError):
        spreadsheet_key("https://example.com/nothing")
    assert range_origin("'a!b'!C4:F9") == (3, 2) and range_origin("Sheet1") == (0, 0)
    assert anchor({"range": "S!B2:C3", "values": [["x"], [1, 2]]}) == [["", "", ""], ["", "x", ""], ["", 1, 2]]
    assert anchor({"range": "S!A1:Z1000"}) == []


def test_a_change_to_one_tab_normalises_only_that_tab_for_the_same_requests(google, tmp_path):
    """The service's memo: Google has no per-tab version, so the poll's one batchGet gives each tab's digest,
    and only the tab whose values moved is read into a table again (issue 19)."""
    from datetime import datetime, timezone

    from sync.config import Config
    from sync.service.cycle import SourceCache

    sheets = {"订单登记": [["订单号", "客户", "数量", "交货日期"], ["SO-1", "Muji", 100, 46300], ["SO-2", "Muji", 200, 46310]],
              "发货记录": [["订单号", "发货日期", "发货数量"], ["SO-1", 46290, 100]]}
    book = google.add(KEY, sheets)
    source = make(google)
    cache = SourceCache(Config(), [source])
    now = datetime(2026, 11, 27, tzinfo=timezone.utc)
    cache.refresh(["register"], now)
    assert sorted(cache.memos["register"].reread) == ["发货记录", "订单登记"]
    first = cache.register()

    sheets["发货记录"][1][2] = 90
    book.update(sheets)
    before = source.requests
    read, _ = cache.refresh(["register"], now)
    assert read == ["register"]
    assert cache.memos["register"].reread == ["发货记录"]          # the orders tab is kept as it was
    counts = dict(google.counts)
    assert source.requests - before == 3, counts                  # files.get + metadata + one batchGet, as before
    second = cache.register()
    assert second.tables["orders"] is first.tables["orders"]
    assert second.tables["shipping"].data["shipped_qty"].tolist() == [90]

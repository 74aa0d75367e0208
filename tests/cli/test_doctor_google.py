"""``ordersync doctor`` with a Google Sheet: it walks the path a poll takes and says which proxy it went through."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from sync.cli import app
from tests.fakegoogle import FakeGoogle, service_account_file

runner = CliRunner()
KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-key"
EMAIL = "ordersync@factory.iam.gserviceaccount.com"
ORDERS = [["订单号", "下单日期", "客户", "款号", "订单数量", "交货日期", "跟单员"],
          ["SO-1", 46113, "Muji", "MJ-1", 300, 46153, "张伟"]]


@pytest.fixture
def google(tmp_path, monkeypatch):
    with FakeGoogle() as fake:
        for var in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ORDERSYNC_LANG", "ORDERSYNC_CONFIG"):
            monkeypatch.delenv(var, raising=False)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        monkeypatch.setenv("ORDERSYNC_GOOGLE_API", fake.url)
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS",
                           str(service_account_file(tmp_path / "sa.json", f"{fake.url}/token", EMAIL)))
        monkeypatch.chdir(tmp_path)
        (tmp_path / "config.toml").write_text(
            f'[service]\nlanguage = "en"\n\n[sources.shared]\nkind = "gsheets"\nkey = "{KEY}"\nattempts = 1\n',
            encoding="utf-8")
        yield fake


def doctor() -> tuple[int, str]:
    result = runner.invoke(app, ["doctor"], terminal_width=250)
    return result.exit_code, " ".join(result.output.split())


def test_doctor_says_the_sheet_is_reachable_and_shared(google):
    google.add(KEY, {"订单": ORDERS})
    code, out = doctor()
    assert code == 0, out
    assert f"✓ Google shared: a Google Sheet with 1 tab(s), shared with {EMAIL}, direct (HTTPS_PROXY not set)" in out


def test_doctor_names_the_proxy_when_google_cannot_be_reached(google, monkeypatch):
    google.add(KEY, {"订单": ORDERS})
    monkeypatch.delenv("NO_PROXY")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")   # the local Google is plain http
    code, out = doctor()
    assert code == 2
    assert "✗ Google shared: cannot connect to Google" in out and "(through the proxy http://127.0.0.1:9)" in out
    assert "mainland China" in out


def test_doctor_names_a_disabled_api_with_its_console_link(google):
    google.add(KEY, {"订单": ORDERS})
    google.fail("metadata", 403, times=None, reason="SERVICE_DISABLED", metadata={
        "service": "sheets.googleapis.com", "consumer": "projects/4242",
        "activationUrl": "https://console.developers.google.com/apis/api/sheets.googleapis.com/overview?project=4242"})
    code, out = doctor()
    assert code == 2
    assert "✗ Google shared: the Google Sheets API is not enabled" in out
    assert "overview?project=4242" in out.replace(" ", "")

"""``ordersync check <Sheets URL>``: zero-config, credentials from the environment, over real HTTP and a real
token exchange with a local Google (``ORDERSYNC_GOOGLE_API`` sends the API calls there)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest

from tests.fakegoogle import FakeGoogle, service_account_file, to_serial

KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-key"
HEADER = ["订单号", "下单日期", "客户", "款号", "订单数量", "交货日期", "跟单员"]


def orders() -> list[list]:
    day = dt.datetime(2026, 4, 1)
    rows = [[f"SO-2604-{i:03d}", to_serial(day), "Muji HK", "MJ-T01", q, to_serial(day + dt.timedelta(days=40)), "张伟"]
            for i, q in enumerate([300, 450, 600, 500, 350, 400], start=1)]
    return [HEADER] + rows + [["SO-2604-007", to_serial(day), "Muji HK", "MJ-T01", "三百", to_serial(day), "张伟"],
                              # a due date typed one column too far left: Sheets hands it over as 46203
                              ["SO-2604-008", to_serial(day), "Muji HK", "MJ-T01", to_serial(dt.datetime(2026, 6, 30)),
                               "", "张伟"]]


@pytest.fixture
def google():
    with FakeGoogle() as fake:
        yield fake


def check(google: FakeGoogle, tmp_path, url: str, *extra: str) -> subprocess.CompletedProcess:
    key = service_account_file(tmp_path / "sa.json", f"{google.url}/token")
    env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY") and not k.startswith("ORDERSYNC_")}
    env.update(GOOGLE_APPLICATION_CREDENTIALS=str(key), ORDERSYNC_GOOGLE_API=google.url, NO_PROXY="*")
    return subprocess.run([sys.executable, "-m", "sync", "check", url, "--today", "2026-05-20", *extra],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_check_a_sheets_url_with_credentials_from_the_environment(google, tmp_path):
    google.add(KEY, {"订单登记": orders()})
    done = check(google, tmp_path, f"https://docs.google.com/spreadsheets/u/0/d/{KEY}/edit#gid=0",
                 "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    bad = [f for f in report["findings"] if f["severity"] == "error"]
    assert any(f["cell"] == "E8" and f["value"] == "三百" for f in bad)
    assert any(f["rule"] == "date-as-quantity" and f["cell"] == "E9" and "2026-06-30" in f["message"]
               for f in report["findings"])
    assert report["summary"]["tables"] == {"orders": 8}
    assert google.tokens_issued == 1
    assert google.counts["metadata"] == 1 and google.counts["batchGet"] == 1


def test_check_an_uploaded_excel_url(google, tmp_path):
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "订单登记"
    for row in orders():
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    google.add_excel(KEY, data.getvalue())
    done = check(google, tmp_path, f"https://drive.google.com/file/d/{KEY}/view?usp=sharing", "--format", "json")
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["summary"]["tables"] == {"orders": 8}
    assert google.counts["media"] == 1


def test_check_a_sheet_not_shared_says_whom_to_share_it_with(google, tmp_path):
    google.add(KEY, {"订单登记": orders()})
    google.fail(None, 403, times=None, message="The caller does not have permission")
    done = check(google, tmp_path, f"https://docs.google.com/spreadsheets/d/{KEY}/edit", "--lang", "en")
    assert done.returncode == 2
    assert "ordersync@factory.iam.gserviceaccount.com" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr

"""The daemon with a Google Sheet that stalls: the sheet costs each poll its time budget, no more, and a save
of the Excel register beside it is still noticed and checked (a real daemon, a real local Google)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from sync.demo.register import build_register
from tests.fakegoogle import FakeGoogle, service_account_file
from tests.service.test_service import cycles, edited, save_like_excel, stop, wait_for

KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-key"
CONFIG = f"""
[service]
language = "en"
state = "state/ordersync.db"
log_file = "state/ordersync.log"

[sources.register]
kind = "excel"
path = "register.xlsx"

[sources.shared]
kind = "gsheets"
key = "https://docs.google.com/spreadsheets/d/{KEY}/edit"
budget = 1.0

[mail]
outbox = "outbox"
sender = "ordersync@demo.example.com"

[watch]
debounce = 0.4
polling = false
rescan_seconds = 3600
remote_poll_seconds = 1
"""


@pytest.fixture
def google():
    with FakeGoogle() as fake:
        yield fake


def test_a_stalled_google_sheet_does_not_hold_the_excel_register(google, tmp_path: Path):
    google.add(KEY, {"订单": [["订单号", "数量"], ["SO-1", 300]]})
    google.fail("files", 200, times=None, delay=10.0)   # Google accepts the connection and says nothing
    build_register(tmp_path / "register.xlsx", orders=60, mistakes=False, seed=7)
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    key = service_account_file(tmp_path / "sa.json", f"{google.url}/token")
    env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY") and not k.startswith("ORDERSYNC_")}
    env.update(GOOGLE_APPLICATION_CREDENTIALS=str(key), ORDERSYNC_GOOGLE_API=google.url, NO_PROXY="*")
    proc = subprocess.Popen([sys.executable, "-m", "sync", "run", "--config", str(tmp_path / "config.toml")],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: cycles(tmp_path), what="the first cycle")
        wait_for(lambda: google.counts["files"] >= 3, what="a few polls of the stalled sheet")
        register = tmp_path / "register.xlsx"
        saved = time.monotonic()
        save_like_excel(register, edited(register, "订单登记", "J10", datetime(2020, 1, 1)))
        wait_for(lambda: any("read=register" in line and "changes=1" in line for line in cycles(tmp_path)),
                 what="the Excel save checked while Google stalls")
        noticed = time.monotonic() - saved
        status = json.loads((tmp_path / "state" / "service.json").read_text(encoding="utf-8"))
        assert "budget of 1 s" in status["sources"]["shared"]["result"]
        print(f"Excel save noticed {noticed:.1f} s after it was made, while Google stalled")
    finally:
        code, err = stop(proc) if proc.poll() is None else (proc.returncode, proc.stderr.read())
    assert code == 0, err

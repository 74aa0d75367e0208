"""The ``ordersync`` tab in a Google spreadsheet, over real HTTP to the local Sheets server (tests/fakegoogle.py)."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from sync.actions import history
from sync.cli.doctor_feedback import feedback_problems
from sync.config import load_config
from sync.notices.feedback_sheets import NOTE_MARK, TAB
from sync.service.cycle import prepare_state
from sync.service.daemon import Service
from sync.sources import GSheetsSource
from sync.sources.google_http import RetryPolicy
from sync.state import State
from tests.fakegoogle import FakeGoogle

KEY = "1FeedbackTabKey0123456789abcdefghijklmnopq"
EMAIL = "ordersync@factory-project.iam.gserviceaccount.com"
FAST = RetryPolicy(attempts=2, backoff=0.001, cap=0.01, timeout=(1.0, 2.0), budget=5.0)
HEADER = ["订单号", "下单日期", "客户", "款号", "订单数量", "单价", "交货日期", "跟单员"]
D = dt.datetime(2026, 9, 1)


def orders(bad_qty: object = "39O0") -> list[list]:
    rows = [[f"SO-2609-{i:03d}", D, "Muji HK", "MJ-T01", 300 + 10 * i, 10.0, D + dt.timedelta(days=40), "王芳"]
            for i in range(1, 9)]
    rows.append(["SO-2609-900", D, "Muji HK", "MJ-T01", bad_qty, 10.0, D + dt.timedelta(days=40), "李娜"])
    rows.append(["SO-2609-901", D, "", "MJ-T01", 400, 10.0, D + dt.timedelta(days=40), "张伟"])
    return [HEADER, *rows]


@pytest.fixture
def google():
    with FakeGoogle() as fake:
        yield fake


def service(tmp_path: Path, google: FakeGoogle, feedback: str = "cell_notes = true\n") -> Service:
    (tmp_path / "config.toml").write_text(
        f'[service]\nstate = "state/o.db"\nlog_file = ""\n[sources.register]\nkind = "gsheets"\nkey = "{KEY}"\n'
        f'[reminders]\nenabled = []\n[feedback]\n{feedback}', encoding="utf-8")
    config = load_config(tmp_path / "config.toml")
    source = GSheetsSource("register", KEY, session=google.session(), account_email=EMAIL, policy=FAST)
    svc = Service(config, [source])
    svc.state = State(config.resolve(config.service.state))
    prepare_state(svc.state)
    return svc


def tab_requests(svc: Service) -> int:
    tab = svc.feedback.sheets.get("register")
    return tab.requests if tab else 0


def tab_rows(google: FakeGoogle) -> list[dict]:
    grid = google.spreadsheets[KEY].sheets[TAB]
    header = grid[0]
    return [dict(zip(header, row)) for row in grid[1:]]


def test_the_tab_and_notes_in_two_requests_then_none_while_nothing_changes(tmp_path, google):
    book = google.add(KEY, {"订单登记": orders()})
    book.notes[("订单登记", 10, 2)] = "客户还没定，等销售回复"         # a person's note on C11 (the missing customer)
    svc = service(tmp_path, google)
    svc.cycle(["register"], force=True)
    assert tab_requests(svc) == 2 and google.counts["batchUpdate"] == 1
    rows = tab_rows(google)
    bad = next(r for r in rows if r["订单"] == "SO-2609-900")
    assert bad["位置"].startswith('=HYPERLINK("#gid=1000&range=E10"') and bad["填写值"] == "39O0"
    assert {r["级别"] for r in rows} >= {"错误"} and rows[0]["级别"] == "错误"
    [protection] = book.protected
    assert protection["unprotectedRanges"][0]["startColumnIndex"] == 6    # only 处理 is open to people
    assert book.notes[("订单登记", 9, 4)].startswith(NOTE_MARK)            # E10, ordersync's
    assert book.notes[("订单登记", 10, 2)] == "客户还没定，等销售回复"       # the person's, untouched
    assert "订单登记" in book.sheets and TAB in book.sheets

    before = tab_requests(svc)
    svc.cycle(["register"])               # the tab's own write changed the file: read once, nothing to write
    assert tab_requests(svc) - before <= 1 and google.counts["batchUpdate"] == 1
    before, total = tab_requests(svc), google.total
    svc.cycle(["register"])               # nothing changed at all: not a single request for the tab
    assert tab_requests(svc) == before and google.counts["batchUpdate"] == 1
    assert google.total - total == 1      # the source's own change check (files.get)
    svc.state.close()


def test_status_typed_in_the_tab_is_recorded_once_and_a_fixed_cell_loses_our_note(tmp_path, google):
    book = google.add(KEY, {"订单登记": orders()})
    book.notes[("订单登记", 10, 2)] = "客户还没定，等销售回复"
    svc = service(tmp_path, google)
    svc.cycle(["register"], force=True)
    grid = book.sheets[TAB]
    row = next(i for i, r in enumerate(grid) if r[2] == "SO-2609-900")
    grid[row][6] = "已处理"
    book.update()
    before = tab_requests(svc)
    svc.cycle(["register"])
    assert tab_requests(svc) - before == 2
    [action] = history(svc.state, prefix="finding:")
    assert (action.verb, action.origin, action.by) == ("done", "sheet", "sheet")
    svc.cycle(["register"], force=True)
    assert len(history(svc.state, prefix="finding:")) == 1
    assert next(r for r in tab_rows(google) if r["订单"] == "SO-2609-900")["处理"] == "已处理"

    book.update({"订单登记": orders(bad_qty=390), TAB: book.sheets[TAB]})   # the quantity corrected
    svc.cycle(["register"])
    assert ("订单登记", 9, 4) not in book.notes                            # our note went with the finding
    assert book.notes[("订单登记", 10, 2)] == "客户还没定，等销售回复"
    assert not any(r["订单"] == "SO-2609-900" for r in tab_rows(google))
    svc.state.close()


def test_a_viewer_only_account_keeps_working_with_the_tab_off(tmp_path, google, caplog):
    book = google.add(KEY, {"订单登记": orders()})
    book.role = "reader"
    svc = service(tmp_path, google)
    with caplog.at_level(logging.WARNING, logger="ordersync"):
        result = svc.cycle(["register"], force=True)
        svc.cycle(["register"], force=True)
    assert result is not None and result.report is not None and result.report.count("error") >= 2
    assert TAB not in book.sheets and google.counts["batchUpdate"] == 1   # tried once, then off
    lines = [r.getMessage() for r in caplog.records if "ordersync tab" in r.getMessage()]
    assert len(lines) == 1 and "Editor" in lines[0] and EMAIL in lines[0]
    problems = feedback_problems(svc.config, list(svc.cache.sources.values()), "en")
    assert len(problems) == 1 and "needs Editor rights" in problems[0][0] and "Share" in problems[0][1]
    book.role = "writer"
    assert feedback_problems(svc.config, list(svc.cache.sources.values()), "en") == []
    svc.state.close()


def test_the_tab_is_never_read_as_part_of_the_register(tmp_path, google):
    book = google.add(KEY, {"订单登记": orders()})
    svc = service(tmp_path, google, "cell_notes = false\n")
    svc.cycle(["register"], force=True)
    assert TAB in book.sheets and not book.notes
    source = svc.cache.sources["register"]
    assert [s.name for s in source.sheets()] == ["订单登记"]
    svc.state.close()

"""Who changed it (issue 17): the name an .xlsx save writes into docProps/core.xml is filed with each change,
shown by ``history`` (table and JSON), and an entry error goes to whoever saved its cell when the people sheet
knows them, else to the order's follower."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from sync.changes.ledger import CHANGED, history
from sync.cli import app
from sync.config import load_config
from sync.demo.register import build_register
from sync.service.cycle import SourceCache, prepare_state, run_cycle
from sync.sources import open_path
from sync.sources.docprops import read_core
from sync.state import State

T0 = datetime(2026, 11, 3, 2, 0, tzinfo=timezone.utc)
CONFIG = """
[service]
language = "en"
timezone = "Asia/Shanghai"
state = "state/ordersync.db"

[sources.register]
kind = "excel"
path = "register.xlsx"

[mail]
outbox = "outbox"
sender = "ordersync@demo.example.com"

[reminders]
send_after = "00:00"
entry_error_delay_minutes = 0
entry_error_batch_minutes = 0
workdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
enabled = ["entry_errors"]
"""


def save_as(path: Path, who: str, sheet: str, cell: str, value) -> None:
    """An edit saved by ``who``, as Excel records it in the package's core properties."""
    book = load_workbook(path)
    book[sheet][cell] = value
    book.properties.lastModifiedBy = who
    book.save(path)


class Cycles:
    def __init__(self, folder: Path) -> None:
        (folder / "config.toml").write_text(CONFIG, encoding="utf-8")
        self.folder = folder
        self.config = load_config(folder / "config.toml")
        self.book = folder / "register.xlsx"
        self.cache = SourceCache(self.config, [open_path(self.book, name="register")])
        self.state = State(folder / "state" / "ordersync.db")
        prepare_state(self.state)
        self.minutes = 0

    def run(self):
        self.minutes += 1
        now = T0 + timedelta(minutes=self.minutes)
        self.cache.refresh(["register"], now)
        return run_cycle(self.state, self.config, self.cache.register(), now=now, lang="en")

    def mail_to(self, address: str) -> list[str]:
        """The text of each mail sent to ``address``."""
        out = []
        for path in sorted((self.folder / "outbox").glob("*.eml")):
            mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if address in str(mail["To"]):
                out.append(mail.get_body(("plain", "html")).get_content())
        return out


def order_row(path: Path, follower_not: str, after: int = 3) -> tuple[int, str, str]:
    """A row of the orders sheet below ``after`` (row, order no, follower) whose follower is not ``follower_not``."""
    ws = load_workbook(path)["订单登记"]
    header = [c.value for c in ws[3]]
    for r in range(after + 1, ws.max_row):
        no, follower = ws.cell(r, 1).value, ws.cell(r, header.index("跟单员") + 1).value
        if no and str(no).startswith("SO-") and follower and follower != follower_not:
            return r, str(no).strip(), follower
    raise AssertionError("no such row")


def test_each_change_is_filed_with_who_saved_it_and_history_shows_it(tmp_path, monkeypatch):
    build_register(tmp_path / "register.xlsx", orders=60, today=date(2026, 11, 3))
    cycles = Cycles(tmp_path)
    cycles.run()
    row, no, _ = order_row(cycles.book, "")
    save_as(cycles.book, "王芳", "订单登记", f"G{row}", 4321)
    assert read_core(cycles.book).by == "王芳"
    assert cycles.run().changes == 1
    (change,) = [c for c in history(cycles.state, no) if c.kind == CHANGED]
    assert (change.field, change.new, change.saved_by) == ("quantity", "4321", "王芳") and change.saved_at
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    shown = runner.invoke(app, ["history", no, "--format", "json", "--config", "config.toml"])
    assert [c["saved_by"] for c in json.loads(shown.output)["changes"]] == ["王芳"]
    table = runner.invoke(app, ["history", no, "--config", "config.toml", "--lang", "en"], terminal_width=200)
    assert "saved by" in table.output and "王芳" in table.output


def test_an_entry_error_goes_to_whoever_saved_the_cell_when_the_people_sheet_knows_them(tmp_path):
    build_register(tmp_path / "register.xlsx", orders=60, today=date(2026, 11, 3))
    cycles = Cycles(tmp_path)
    cycles.run()
    row, no, follower = order_row(cycles.book, "赵敏")
    save_as(cycles.book, "赵敏", "订单登记", f"G{row}", -5)          # 赵敏 (in the people sheet) typed it
    cycles.run()
    assert any(no in m for m in cycles.mail_to("zhao.min@demo.example.com"))
    row2, no2, follower2 = order_row(cycles.book, "赵敏", after=row)
    save_as(cycles.book, "Administrator", "订单登记", f"G{row2}", -7)       # nobody the people sheet knows
    cycles.run()
    people = {r[0].value: r[1].value for r in load_workbook(cycles.book)["人员"].iter_rows(min_row=2)}
    assert any(no2 in m for m in cycles.mail_to(people[follower2]))        # so the order's follower is told
    assert not any(no2 in m for m in cycles.mail_to("zhao.min@demo.example.com"))

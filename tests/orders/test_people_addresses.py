"""An email cell in the people sheet that is not an address: a finding on that cell, that person's mail held in the
queue with the reason, and everybody else's mail going as before (a real demo register, a real cycle, the outbox)."""

from __future__ import annotations

import email
import shutil
from datetime import date
from email import policy
from pathlib import Path

import openpyxl
import pytest

from sync.cli.session import sources_from_config
from sync.cli.demo_tour import DEMO_CONFIG
from sync.config import load_config
from sync.delivery.queue import MailQueue
from sync.demo import data as D
from sync.demo.register import build_register
from sync.service.daemon import Service
from sync.state import State

BAD = "wang at factory"


def demo_folder(folder: Path, book: Path, manifest) -> Path:
    folder.mkdir()
    shutil.copy(book, folder / "register.xlsx")
    (folder / "config.toml").write_text(DEMO_CONFIG.format(lang="zh", manager=D.MANAGER.zh, **manifest.sheets),
                                        encoding="utf-8")
    return folder


def break_address(book: Path, sheet: str, name: str) -> tuple[int, str]:
    """Write BAD into ``name``'s email cell; return (row, cell)."""
    wb = openpyxl.load_workbook(book)
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    column = header.index("邮箱") + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == name)
    ws.cell(row, column).value = BAD
    wb.save(book)
    return row, ws.cell(row, column).coordinate


def run_once(folder: Path):
    config = load_config(folder / "config.toml")
    service = Service(config, sources_from_config(config), lang="zh")
    service.run(once=True)
    return config, service


def mails(folder: Path) -> list[tuple[str, str]]:
    """(to, subject) of each mail in the outbox."""
    out = []
    for path in sorted((folder / "outbox").glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        out.append((str(msg["To"]), str(msg["Subject"])))
    return sorted(out)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("people")
    manifest = build_register(root / "register.xlsx", orders=120, seed=3, today=date.today())
    return root, manifest


def test_one_bad_address_holds_only_that_persons_mail(demo, tmp_path):
    root, manifest = demo
    good = demo_folder(tmp_path / "good", root / "register.xlsx", manifest)
    bad = demo_folder(tmp_path / "bad", root / "register.xlsx", manifest)
    _, service = run_once(good)
    baseline = mails(good)
    follower = D.FOLLOWERS[0]
    theirs = [m for m in baseline if follower.email in m[0]]
    assert theirs and len(theirs) < len(baseline)          # the follower gets mail, and so do others

    row, cell = break_address(bad / "register.xlsx", manifest.sheets["people"], follower.zh)
    config, service = run_once(bad)
    assert service.last is not None and service.last.report is not None   # the cycle did not fail
    others = [m for m in baseline if follower.email not in m[0]]
    manager = (f"{D.MANAGER.zh} <{D.MANAGER.email}>", "【录入错误】1 处需要更正")   # the bad cell: unassigned_to's job
    assert mails(bad) == sorted(others + [manager])        # everyone else's mail went, as before

    (finding,) = [f for f in service.last.report.findings if f.rule == "people-bad-email"]
    assert (finding.severity, finding.table, finding.sheet, finding.row, finding.cell, finding.value) == \
        ("error", "people", manifest.sheets["people"], row, cell, BAD)
    with State(config.resolve(config.service.state)) as state:
        held = [e for e in MailQueue(state, config.mail.sender).entries() if e.status == "held"]
    assert len(held) == len(theirs)                         # each of their mails waits in the queue ...
    for entry in held:                                      # ... saying why, and where to mend it
        assert BAD in entry.last_error and cell in entry.last_error and follower.zh in entry.last_error


def test_a_mended_address_sends_what_was_held(demo, tmp_path):
    root, manifest = demo
    folder = demo_folder(tmp_path / "mended", root / "register.xlsx", manifest)
    follower = D.FOLLOWERS[0]
    break_address(folder / "register.xlsx", manifest.sheets["people"], follower.zh)
    config, _ = run_once(folder)
    assert not [m for m in mails(folder) if follower.email in m[0]]
    wb = openpyxl.load_workbook(folder / "register.xlsx")
    ws = wb[manifest.sheets["people"]]
    for r in ws.iter_rows():
        for c in r:
            if c.value == BAD:
                c.value = follower.email
    wb.save(folder / "register.xlsx")
    run_once(folder)
    assert [m for m in mails(folder) if follower.email in m[0]]
    with State(config.resolve(config.service.state)) as state:
        assert not [e for e in MailQueue(state, config.mail.sender).entries() if e.status == "held"]


def test_check_reports_the_cell(demo, tmp_path):
    from typer.testing import CliRunner

    from sync.cli.app import app

    root, manifest = demo
    folder = demo_folder(tmp_path / "check", root / "register.xlsx", manifest)
    row, cell = break_address(folder / "register.xlsx", manifest.sheets["people"], D.FOLLOWERS[1].zh)
    result = CliRunner().invoke(app, ["check", "--config", str(folder / "config.toml"), "--format", "json"])
    import json

    found = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "people-bad-email"]
    assert [(f["sheet"], f["row"], f["cell"], f["value"]) for f in found] == \
        [(manifest.sheets["people"], row, cell, BAD)]
    assert result.exit_code == 1

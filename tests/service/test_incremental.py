"""A cycle that redoes only what a save changed gives what a full cycle gives, edit after edit.

Two services watch the same register through a series of random saves (a cell
edited, a row sorted away, the workbook saved with nothing changed, the day
moving on): one keeps its ``PassMemo`` between cycles as the daemon does, the
other reads and checks everything afresh each time. After every save both must
report the same findings, record the same changes in the ledger and queue the
same mails; the memo must also have skipped work (or it proves nothing).
"""

from __future__ import annotations

import json
import random
import re
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest

from sync.checks.memo import PassMemo
from sync.cli.session import sources_from_config
from sync.config import load_config
from sync.demo.data import SHEETS
from sync.demo.register import build_register
from sync.service.cycle import SourceCache, run_cycle
from sync.sources import open_path
from sync.state import State
from sync.tables.register import Register, load

START = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)
CONFIG = """[sources.register]
kind = "excel"
path = "register.xlsx"

[mail]
outbox = "outbox"

[reminders]
entry_error_delay_minutes = 0
entry_error_batch_minutes = 0
"""


def edit(book: Path, rng: random.Random) -> str:
    """One save of the kind people make; returns what it did, for the failure message."""
    wb = openpyxl.load_workbook(book)
    ws = wb.worksheets[rng.randrange(len(wb.worksheets) - 1)]          # not the people sheet
    kind = rng.choice(["cell", "cell", "number", "sort", "nothing"])
    if kind in ("cell", "number") and ws.max_row > 2:
        row, col = rng.randrange(2, ws.max_row + 1), rng.randrange(1, ws.max_column + 1)
        cell = ws.cell(row, col)
        cell.value = rng.randrange(1, 5000) if kind == "number" else f"x{rng.randrange(99)}"
        done = f"{ws.title}!{cell.coordinate}={cell.value!r}"
    elif kind == "sort" and ws.max_row > 3:
        rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2, max_row=ws.max_row)]
        rng.shuffle(rows)
        for r, values in enumerate(rows, start=2):
            for c, v in enumerate(values, start=1):
                ws.cell(r, c).value = v
        done = f"sorted {ws.title}"
    else:
        done = "saved, nothing changed"
    wb.save(book)
    return done


def what_it_did(state: State, result) -> dict:
    findings = sorted(json.dumps(f.to_dict(), ensure_ascii=False, sort_keys=True, default=str)
                      for f in result.report.findings)
    changes = [tuple(r) for r in state.db.execute(
        "SELECT tbl, key, kind, field, old, new, sheet, row, cell FROM ledger_changes ORDER BY id")]
    mails = [tuple(r) for r in state.db.execute("SELECT dedupe_key, subject FROM mail_queue ORDER BY dedupe_key")]
    return {"findings": findings, "changes": changes, "mails": mails}


#: the tables pinned to their sheets, as ``ordersync init`` writes them
PINNED_CONFIG = CONFIG + "".join(f'\n[tables.{table}]\nsource = "register"\nsheet = "{sheet}"\n'
                                 for table, sheet in SHEETS["zh"].items())


@pytest.mark.parametrize("seed,text", [(1, CONFIG), (2, CONFIG), (3, CONFIG), (4, PINNED_CONFIG), (5, PINNED_CONFIG)])
def test_memoised_cycles_match_full_cycles_over_random_saves(tmp_path, seed, text):
    rng = random.Random(seed)
    book = tmp_path / "register.xlsx"
    build_register(book, orders=60, seed=seed, today=START.date())
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    config = load_config(tmp_path / "config.toml")
    lang = config.service.language
    kept = SourceCache(config, [open_path(book, name="register")])
    memo = PassMemo()
    with State(tmp_path / "memo.db") as mine, State(tmp_path / "full.db") as theirs:
        now, reused, history = START, 0, []
        for step in range(8):
            if step:
                history.append(edit(book, rng))
                if rng.random() < 0.3:
                    now += timedelta(days=1)
                    history.append("a day later")
            kept.refresh(["register"], now)
            ours = run_cycle(mine, config, kept.register(), now=now, lang=lang, memo=memo)
            fresh = SourceCache(config, [open_path(book, name="register")])
            fresh.refresh(["register"], now)
            full = run_cycle(theirs, config, fresh.register(), now=now, lang=lang)
            assert what_it_did(mine, ours) == what_it_did(theirs, full), history
            reused += memo.reused
    assert reused > 0, "the memo never spared any work"


def test_a_save_that_changes_nothing_redoes_no_rule(tmp_path):
    book = tmp_path / "register.xlsx"
    build_register(book, orders=60, seed=9, today=START.date())
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    config = load_config(tmp_path / "config.toml")
    cache, memo = SourceCache(config, [open_path(book, name="register")]), PassMemo()
    with State(tmp_path / "state.db") as state:
        cache.refresh(["register"], START)
        first = run_cycle(state, config, cache.register(), now=START, lang="zh", memo=memo)
        openpyxl.load_workbook(book).save(book)          # every tab's XML rewritten, no value changed
        # a save in the same second can give the very same bytes (openpyxl stamps the time): read it anyway
        assert cache.refresh(["register"], START, force=True) == (["register"], [])
        again = run_cycle(state, config, cache.register(), now=START, lang="zh", memo=memo)
    assert memo.computed == 0 and memo.reused > 10
    assert again.changes == 0
    assert len(again.report.findings) == len(first.report.findings)


FOLDER_CONFIG = CONFIG.replace('[sources.register]\nkind = "excel"\npath = "register.xlsx"',
                               '[sources.registers]\nkind = "excel"\npath = "registers/*.xlsx"')


def change_folder(folder: Path, rng: random.Random, seeds: list[int], own: bool = False) -> str:
    """One thing that happens to a folder of registers: a save to one of them, or a register added, removed
    or renamed (``own``: each follower's order numbers their own)."""
    books = sorted(folder.glob("*.xlsx"))
    kind = rng.choice(["save", "save", "save", "add", "remove", "rename"])
    if kind == "add" or len(books) < 2:
        seeds.append(seeds[-1] + 1)
        book = folder / f"follower-{seeds[-1]}.xlsx"
        build_register(book, orders=60, seed=seeds[-1], today=START.date())
        if own:
            own_numbers(book, f"F{seeds[-1]}")
        return f"added {book.name}"
    book = rng.choice(books)
    if kind == "remove":
        book.unlink()
        return f"removed {book.name}"
    if kind == "rename":
        book.rename(book.with_name(f"renamed-{book.name}"))
        return f"renamed {book.name}"
    return f"{book.name}: {edit(book, rng)}"


#: an order number at the start of a cell's text, after the spaces typed before it (" SO-2611-001")
_ORDER_NO = re.compile(rb">(\s*)SO-")


def own_numbers(book: Path, prefix: str) -> None:
    """Give a generated register order numbers of its own (SO-2611-001 -> F3-2611-001), as followers have;
    the ones typed with a space before them too, or they would name orders no register has."""
    with zipfile.ZipFile(book) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            zf.writestr(info, _ORDER_NO.sub(rb">\1" + prefix.encode() + b"-", data)
                        if info.filename.endswith(".xml") else data)


def as_check_reads_it(config) -> Register:
    """The folder read the way ``ordersync check`` reads it: every workbook in one ``load``."""
    return load(sources_from_config(config), None, day_first=config.service.day_first)


@pytest.mark.parametrize("seed,own", [(4, False), (5, False), (6, True), (7, True)])
def test_a_folder_of_registers_memoised_matches_full_cycles(tmp_path, seed, own):
    """One register per follower (a path glob): saves to random files, files added, removed and renamed. The
    daemon's cache (each file read on its own, joined by ``sync.service.merge``, fingerprinted by file) with its
    memo must do what a fresh read of the whole folder and a full cycle do. With ``own`` each follower has
    order numbers of their own (as the bench's registers do) and the full cycle reads the folder as ``check``
    does; without, the files' order numbers overlap, so the cross-file parts (duplicates, reconciliation across
    files) are exercised too."""
    rng = random.Random(seed)
    folder = tmp_path / "registers"
    folder.mkdir()
    seeds = [seed * 10 + n for n in range(3)]
    for n in seeds:
        build_register(folder / f"follower-{n}.xlsx", orders=60, seed=n, today=START.date())
        if own:
            own_numbers(folder / f"follower-{n}.xlsx", f"F{n}")
    (tmp_path / "config.toml").write_text(FOLDER_CONFIG, encoding="utf-8")
    config = load_config(tmp_path / "config.toml")
    lang = config.service.language
    kept, memo = SourceCache(config, sources_from_config(config)), PassMemo()
    with State(tmp_path / "memo.db") as mine, State(tmp_path / "full.db") as theirs:
        now, reused, history = START, 0, []
        for step in range(10):
            if step:
                history.append(change_folder(folder, rng, seeds, own))
            kept.follow(sources_from_config(config))
            kept.refresh(list(kept.sources), now)
            ours = run_cycle(mine, config, kept.register(), now=now, lang=lang, memo=memo, parts=kept.parts())
            if own:
                full = run_cycle(theirs, config, as_check_reads_it(config), now=now, lang=lang)
            else:
                fresh = SourceCache(config, sources_from_config(config))
                fresh.refresh(list(fresh.sources), now)
                full = run_cycle(theirs, config, fresh.register(), now=now, lang=lang)
            assert what_it_did(mine, ours) == what_it_did(theirs, full), history
            reused += memo.reused
    assert reused > 0, "the memo never spared any work"


def folder_service(tmp_path: Path):
    """A service watching ``registers/*.xlsx``, a folder of two followers' workbooks: (the folder, the service)."""
    from sync.service.daemon import Service

    folder = tmp_path / "registers"
    folder.mkdir()
    for n in (1, 2):
        build_register(folder / f"follower-{n}.xlsx", orders=60, seed=n, today=START.date())
    (tmp_path / "config.toml").write_text(FOLDER_CONFIG, encoding="utf-8")
    config = load_config(tmp_path / "config.toml")
    return folder, Service(config, sources_from_config(config))


def first_cycle(service, state: State) -> None:
    """The service's first cycle, on ``state``, as ``run`` starts."""
    from sync.service.cycle import prepare_state

    service.state = state
    prepare_state(state)
    service.cycle(list(service.cache.sources), force=True)


def test_the_service_follows_a_glob_as_files_come_and_go(tmp_path):
    """At each rescan a ``registers/*.xlsx`` source takes in a new follower's workbook and lets go of one removed
    or renamed: the next cycle checks the new one's rows and no longer the gone one's."""
    folder, service = folder_service(tmp_path)
    with State(tmp_path / "state.db") as state:
        first_cycle(service, state)
        assert {f.source for f in service.last.report.findings if f.source} >= {
            "registers/follower-1.xlsx", "registers/follower-2.xlsx"}
        build_register(folder / "follower-3.xlsx", orders=60, seed=3, today=START.date())
        (folder / "follower-1.xlsx").rename(folder / "renamed-1.xlsx")
        service.rescan()
        sources = {f.source for f in service.last.report.findings if f.source}
    assert list(service.cache.sources) == ["registers/follower-2.xlsx", "registers/follower-3.xlsx",
                                           "registers/renamed-1.xlsx"]
    assert {"registers/follower-3.xlsx", "registers/renamed-1.xlsx"} <= sources
    assert "registers/follower-1.xlsx" not in sources


def test_a_rescan_in_the_middle_of_an_excel_save_keeps_the_workbook(tmp_path):
    """Excel saves by deleting the workbook and renaming its new copy into its place; while the workbook is open
    its owner file (``~$NAME.xlsx``, which ``*.xlsx`` matches too) is beside it. A rescan that falls in between
    lets go of no workbook, files none of its rows as deleted and does not take the owner file for a register.
    A workbook really gone is let go as before, even with a stale owner file beside it, at the next rescan."""
    import threading

    folder, service = folder_service(tmp_path)
    book, owner, temp = folder / "follower-1.xlsx", folder / "~$follower-1.xlsx", folder / "A1B2C3D4"
    both = ["registers/follower-1.xlsx", "registers/follower-2.xlsx"]
    with State(tmp_path / "state.db") as state:
        first_cycle(service, state)
        rows = sum(service.last.report.tables.values())

        # the save under way: the workbook deleted, its copy renamed into its place a moment later (no owner
        # file yet, so it is the second look that finds it)
        book.rename(temp)
        back = threading.Timer(0.3, temp.rename, [book])
        back.start()
        service.rescan()
        back.join()
        assert list(service.cache.sources) == both
        assert service.last.changes == 0 and sum(service.last.report.tables.values()) == rows

        # still missing after the pause, but open in Excel (its owner file is there): kept until it is closed
        owner.write_bytes(b"\x07Excel user")
        book.rename(temp)
        service.rescan()
        assert list(service.cache.sources) == both
        assert service.last.changes == 0 and sum(service.last.report.tables.values()) == rows

        # still missing at the next rescan: the owner file is one a crash left behind, and the workbook is gone
        service.rescan()
        assert list(service.cache.sources) == ["registers/follower-2.xlsx"]
        assert sum(service.last.report.tables.values()) < rows

        # back (and closed): taken in again, and its rows count as they did
        owner.unlink()
        temp.rename(book)
        service.rescan()
        assert list(service.cache.sources) == both
        assert sum(service.last.report.tables.values()) == rows


def test_a_glob_does_not_take_an_owner_file_for_a_workbook(tmp_path):
    """``registers/*.xlsx`` matches ``~$follower-1.xlsx`` too, the few bytes Excel keeps beside a workbook
    while it is open: ``check`` and the service read the workbooks only."""
    from sync.sources import from_config, open_paths

    folder = tmp_path / "registers"
    folder.mkdir()
    build_register(folder / "follower-1.xlsx", orders=60, seed=1, today=START.date())
    (folder / "~$follower-1.xlsx").write_bytes(b"\x07Excel user")
    (folder / ".~lock.follower-1.xlsx#").write_text("LibreOffice user", encoding="utf-8")
    names = [s.name for s in from_config("registers", "excel", {"path": "registers/*"}, tmp_path)]
    assert names == ["registers/follower-1.xlsx"]
    assert [s.path.name for s in open_paths(folder / "*.xlsx")] == ["follower-1.xlsx"]

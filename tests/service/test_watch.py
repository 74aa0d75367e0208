"""The watcher on a real folder with real filesystem events (inotify here).

What a save looks like to it: Excel's temp file + delete + rename with an
owner file ~$NAME, LibreOffice's in-place rewrite with a .~lock file, and a
writer that pauses mid-file. Each save must come out as one 'ready', soon
after the debounce, and never while the file is incomplete.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from sync.demo.register import build_register
from sync.service.watch import SETTLE, Watcher

DEBOUNCE = 0.3


@pytest.fixture(scope="module")
def workbook_bytes(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("book") / "register.xlsx"
    build_register(path, orders=40, mistakes=False, seed=3, fast=True)
    return path.read_bytes()


@pytest.fixture
def watched(tmp_path: Path, workbook_bytes: bytes):
    register = tmp_path / "register.xlsx"
    register.write_bytes(workbook_bytes)
    watcher = Watcher({register: "register"}, debounce=DEBOUNCE, polling=False)
    watcher.start()
    time.sleep(0.1)
    try:
        yield register, watcher
    finally:
        watcher.stop()


def collect(watcher: Watcher, seconds: float) -> list[tuple[float, str]]:
    """Run the service's loop for ``seconds``: (time, source) for every ready workbook."""
    out = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        watcher.wait(watcher.next_look(0.2))
        out += [(time.monotonic(), name) for name in watcher.ready()]
    return out


def save_like_excel(path: Path, data: bytes) -> None:
    owner = path.with_name("~$" + path.name)
    owner.write_bytes(b"\x07someone")
    temp = path.with_name("8E4D0C21")
    temp.write_bytes(data)
    os.remove(path)
    os.rename(temp, path)
    owner.unlink()


def test_an_excel_save_is_one_ready_soon_after_the_debounce(watched, workbook_bytes):
    register, watcher = watched
    save_like_excel(register, workbook_bytes + b"")
    saved = time.monotonic()
    seen = collect(watcher, DEBOUNCE + 1.5)
    assert [name for _, name in seen] == ["register"]
    delay = seen[0][0] - saved
    assert DEBOUNCE <= delay < DEBOUNCE + SETTLE   # the quiet period proves it stable: no extra look


def test_lock_and_other_files_in_the_folder_are_not_workbook_saves(watched):
    register, watcher = watched
    (register.parent / f".~lock.{register.name}#").write_text("someone,host,01.01.2026 08:00,")
    (register.parent / f"~${register.name}").write_bytes(b"\x07someone")
    (register.parent / "notes.txt").write_text("unrelated")
    assert collect(watcher, DEBOUNCE + 0.8) == []


def test_a_writer_that_pauses_mid_file_is_read_once_after_it_finishes(watched, workbook_bytes):
    register, watcher = watched
    pause = DEBOUNCE * 2          # longer than the debounce: the half-written zip is seen, and refused
    with register.open("r+b") as fh:
        fh.truncate(0)
        fh.write(workbook_bytes[: len(workbook_bytes) // 2])
        fh.flush()
        started = time.monotonic()
        early = collect(watcher, pause)
        fh.write(workbook_bytes[len(workbook_bytes) // 2:])
    finished = time.monotonic()
    assert early == []
    seen = collect(watcher, DEBOUNCE + 1.5)
    assert [name for _, name in seen] == ["register"]
    assert seen[0][0] - finished >= DEBOUNCE and started < finished


def test_several_saves_in_a_burst_are_one_ready(watched, workbook_bytes):
    register, watcher = watched
    for _ in range(4):
        save_like_excel(register, workbook_bytes)
        time.sleep(DEBOUNCE / 3)
    assert [name for _, name in collect(watcher, DEBOUNCE + 1.5)] == ["register"]


def test_a_package_cut_short_for_good_is_handed_over_to_be_reported_soon(watched, workbook_bytes):
    """A copy cut short (a full disk) never completes: it is read, and so reported, within seconds, not at
    the next rescan minutes later; a writer that pauses for less than that is still waited for (above)."""
    from sync.service.watch import STUCK

    register, watcher = watched
    register.write_bytes(workbook_bytes[: len(workbook_bytes) // 2])
    cut = time.monotonic()
    seen = collect(watcher, STUCK + 2.0)
    assert [name for _, name in seen] == ["register"]
    assert STUCK <= seen[0][0] - cut < STUCK + 2.0

"""Save-to-notice latency of the daemon: python bench/bench_latency.py [--orders 10000] [--saves 20] [--every-tab] [--pinned]

Starts ``ordersync run`` as a real subprocess on a copy of the bench register
(bench/out/register-N.xlsx, generated once and shared with bench_read.py), in
a temp folder, with the default watch settings (debounce 0.25 s, native
observer), the outbox as mail backend and entry-error mails sent at once
(``entry_error_delay_minutes = 0`` and ``entry_error_batch_minutes = 0``: by
default ordersync waits 5 minutes so a person can finish typing and sends one
such mail per person per 30 minutes, which is policy, not latency).

Each save is made the way Excel makes it (owner file ~$NAME, the new bytes
written to a temporary file, the original deleted, the temporary renamed into
place) and each introduces one new data-entry error: an order's delivery date
moved before its order date, in a different row each time. The edits add up,
as a person's typing does. Latency is from the moment the rename completes to
the moment the first new .eml that names the edited cell is in the outbox
(its modification time; the outbox writes atomically). The next save waits
until that cycle is logged.

The daemon reads again only the tabs whose content token moved (see
``ExcelSource.sheet_tokens``: a tab's own XML, and the shared strings and
styles unless a save only added to them, as Excel does). ``--every-tab`` also
rewrites every other tab's XML with each save, so every tab is read again, as
after a save by a program that renumbers its shared strings. Report both.

``--pinned`` pins every table to its tab in config.toml, as the config
``ordersync init`` writes does (the register is then read through the
configured tables, not detected).

Targets (issue 19) on the 10k-order register: p95 under 1 s for a one-tab save,
under 2 s for an every-tab save.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from email import message_from_bytes, policy
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_read import register_path  # noqa: E402  (the cached bench register)
from sync.demo.data import SHEETS  # noqa: E402

TARGET_P95 = {False: 1.0, True: 2.0}   # issue 19: one-tab save, every-tab save (debounce 0.25 s)
ORDERS_SHEET = "xl/worksheets/sheet1.xml"       # 订单登记, the first tab the generator writes
ORDER_DATE, DUE_DATE = "B", "J"                  # 下单日期 and 交货日期 in the generated orders tab

CONFIG = """\
[service]
language = "zh"
timezone = "Asia/Shanghai"
state = "state/ordersync.db"
log_file = "state/ordersync.log"

[sources.register]
kind = "excel"
path = "register.xlsx"

[mail]
outbox = "outbox"
sender = "ordersync@bench.example.com"

[reminders]
send_after = "00:00"
entry_error_delay_minutes = 0
entry_error_batch_minutes = 0
workdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
enabled = ["entry_errors"]
"""

#: ``--pinned``: every table pinned to its tab, as the config ``ordersync init`` writes does
PINNED = "".join(f'\n[tables.{table}]\nsource = "register"\nsheet = "{sheet}"\n'
                 for table, sheet in SHEETS["zh"].items())   # the bench register's tabs are the demo's


# --- the saves ---------------------------------------------------------------------------------

def date_cells(sheet_xml: str) -> dict[int, tuple[int, int]]:
    """row -> (order date serial, delivery date serial) for the orders tab's rows with both."""
    pattern = r'<c r="{col}(\d+)"[^>]*><v>(\d+)</v></c>'
    ordered = {int(r): int(v) for r, v in re.findall(pattern.format(col=ORDER_DATE), sheet_xml)}
    due = {int(r): int(v) for r, v in re.findall(pattern.format(col=DUE_DATE), sheet_xml)}
    return {r: (ordered[r], due[r]) for r in ordered.keys() & due.keys()}


def versions(original: bytes, saves: int, every_tab: bool = False, alone: bool = False) -> list[tuple[str, bytes]]:
    """``saves`` workbooks, each the previous one with one more delivery date before its order date.

    With ``every_tab`` each save also rewrites every other sheet's XML (one more
    trailing newline each time, the cells as they were): the daemon must read
    every tab again. With ``alone`` each is the original with only its own wrong
    date: a save puts the last one right and makes a new one (the register's
    mistakes do not pile up).
    """
    with zipfile.ZipFile(io.BytesIO(original)) as book:
        members = [(info, book.read(info)) for info in book.infolist()]
    sheet = next(data for info, data in members if info.filename == ORDERS_SHEET).decode("utf-8")
    cells = date_cells(sheet)
    if len(cells) < saves:
        raise SystemExit(f"{ORDERS_SHEET} has only {len(cells)} rows with both dates; need {saves}")
    rows = sorted(cells)
    step = max(1, len(rows) // saves)
    out, first = [], sheet
    for number, row in enumerate(rows[::step][:saves], 1):
        ordered, due = cells[row]
        cell = f"{DUE_DATE}{row}"
        sheet, count = re.subn(rf'(<c r="{cell}"[^>]*><v>){due}(</v></c>)', rf"\g<1>{ordered - 10}\g<2>",
                               first if alone else sheet)
        assert count == 1, cell
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
            for info, data in members:
                if info.filename == ORDERS_SHEET:
                    data = sheet.encode("utf-8")
                elif every_tab and info.filename.startswith("xl/worksheets/sheet"):
                    data = data + b"\n" * number
                book.writestr(info, data)
        out.append((cell, buffer.getvalue()))
    return out


def save_like_excel(path: Path, data: bytes) -> float:
    """Owner file, temp file, delete, rename: returns the time the new workbook is in place."""
    owner = path.with_name("~$" + path.name)
    owner.write_bytes(b"\x07bench")
    temp = path.with_name("A1B2C3D4")          # Excel's temporary files have no extension
    temp.write_bytes(data)
    os.remove(path)
    os.rename(temp, path)
    saved = time.time()
    owner.unlink()
    return saved


# --- watching the daemon -----------------------------------------------------------------------

def cycles(folder: Path) -> int:
    log = folder / "state" / "ordersync.log"
    return sum(" cycle read=" in line for line in log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


def start_daemon(folder: Path) -> subprocess.Popen:
    """``ordersync run`` on ``folder/config.toml``, its stderr written to ``folder/daemon.stderr``: a pipe nobody
    reads while the saves go on fills up after a few hundred log lines, and the daemon stops at its next line."""
    with (folder / "daemon.stderr").open("w", encoding="utf-8") as err:
        return subprocess.Popen([sys.executable, "-m", "sync", "run", "--config", str(folder / "config.toml")],
                                cwd=folder, stdout=subprocess.DEVNULL, stderr=err)


def wait_for(predicate, timeout: float, what: str, proc: subprocess.Popen):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc.poll() is not None:
            err = Path(proc.args[-1]).parent / "daemon.stderr"
            said = err.read_text(encoding="utf-8", errors="replace")[-3000:] if err.exists() else ""
            raise SystemExit(f"the daemon exited ({proc.returncode}) while waiting for {what}:\n{said}")
        time.sleep(0.01)
    raise SystemExit(f"timed out after {timeout:.0f} s waiting for {what}")


def mail_naming(outbox: Path, seen: set[Path], cell: str) -> float | None:
    """The modification time of the first new mail that names ``cell``, if one is there."""
    times = []
    for path in outbox.glob("*.eml"):
        if path in seen:
            continue
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        text = message.get_body(("plain",)).get_content()
        if re.search(rf"\b{cell}\b", text):
            times.append(path.stat().st_mtime)
    return min(times) if times else None


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 20 saves is the 19th smallest)."""
    ranked = sorted(values)
    return ranked[max(0, math.ceil(share * len(ranked)) - 1)]


def run(orders: int, saves: int, gap: float, keep: Path | None, every_tab: bool, pinned: bool = False) -> int:
    source = register_path(orders)
    original = source.read_bytes()
    started = time.perf_counter()
    edits = versions(original, saves, every_tab)
    print(f"{orders:,} orders ({len(original) / 1e6:.1f} MB); {saves} edited versions prepared in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="ordersync-latency-")) if keep is None else keep
    folder.mkdir(parents=True, exist_ok=True)
    register = folder / "register.xlsx"
    register.write_bytes(original)
    (folder / "config.toml").write_text(CONFIG + (PINNED if pinned else ""), encoding="utf-8")
    outbox = folder / "outbox"
    proc = start_daemon(folder)
    latencies: list[float] = []
    try:
        first = time.perf_counter()
        wait_for(lambda: cycles(folder) >= 1, 300, "the first cycle", proc)
        print(f"daemon up, first cycle (baseline of every row) done in {time.perf_counter() - first:.1f} s",
              flush=True)
        time.sleep(gap)
        for number, (cell, data) in enumerate(edits, 1):
            seen = set(outbox.glob("*.eml")) if outbox.exists() else set()
            before = cycles(folder)
            saved = save_like_excel(register, data)
            arrived = wait_for(lambda: outbox.exists() and mail_naming(outbox, seen, cell), 60,
                               f"a mail naming {cell}", proc)
            wait_for(lambda: cycles(folder) > before, 60, "the cycle's log line", proc)
            latencies.append(arrived - saved)
            print(f"  save {number:>2}: {cell:<7} -> mail in {latencies[-1]:5.2f} s", flush=True)
            time.sleep(gap)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    log_cycles = cycles(folder) if keep is not None else None
    p50, p95 = statistics.median(latencies), percentile(latencies, 0.95)
    what = "every tab read again" if every_tab else "the changed tab read again"
    print(f"\nsave -> entry-error mail in the outbox, {len(latencies)} Excel-style saves ({what}), "
          "debounce 0.25 s (default)")
    print(f"  min {min(latencies):.2f} s   p50 {p50:.2f} s   p95 {p95:.2f} s   max {max(latencies):.2f} s")
    if log_cycles is not None:
        print(f"  cycles logged: {log_cycles} (1 start + {saves} saves expected); folder kept: {folder}")
    target = TARGET_P95[every_tab]
    ok = p95 < target
    print(f"  p95 < {target:.0f} s: {'met' if ok else 'NOT met'} ({p95 / target:.2f} of the target)")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between a logged cycle and the next save")
    parser.add_argument("--keep", type=Path, help="run in this folder and keep it (log, state, outbox)")
    parser.add_argument("--every-tab", action="store_true",
                        help="make each save change what every tab is read through (as new text does in Excel)")
    parser.add_argument("--pinned", action="store_true",
                        help="pin every table to its tab in config.toml, as `ordersync init` writes it")
    args = parser.parse_args(argv)
    return run(args.orders, args.saves, args.gap, args.keep, args.every_tab, args.pinned)


if __name__ == "__main__":
    sys.exit(main())

"""Diff time against read time: python bench/bench_diff.py [--orders 100000] [--register FILE]

Reads a demo register (written with ``sync.demo.register.build_register`` in fast mode
unless --register names one; kept in a temp folder between runs because
writing 100k orders takes minutes), records it as the baseline in a fresh
state file, then changes 1% of the rows of every tab in memory (one number
field each, as an edit in the sheet would after reading) and times:

- read: loading the workbook into typed tables;
- diff: planning the cycle against the stored snapshot (keys, hashes, the
  changed fields), which is what every cycle pays;
- cycle: the whole ``remember`` (diff, change requests, one transaction).

Target: diff under 25% of read.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from sync.demo.register import build_register
from sync.tables.fields import NUMBER
from sync.changes.ledger import CHANGED, plan_cycle, remember
from sync.tables.register import Register, load
from sync.sources import open_path
from sync.state import State

TODAY = date(2026, 11, 2)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--register", type=Path, help="an existing register .xlsx to read")
    parser.add_argument("--share", type=float, default=0.01, help="share of rows to change")
    args = parser.parse_args(argv)
    path = args.register or _demo(args.orders)
    read, register = _timed(lambda: load([open_path(path, name="register")]))
    rows = sum(len(t) for t in register.tables.values())
    print(f"read     {read:7.2f} s   {path.name}: {rows} rows in {len(register.tables)} tabs")
    with tempfile.TemporaryDirectory() as tmp, State(Path(tmp) / "bench.db") as state:
        now = datetime(2026, 11, 2, 8, tzinfo=timezone.utc)
        baseline, _ = _timed(lambda: remember(state, register, now=now))
        print(f"baseline {baseline:7.2f} s   (first sight: every row stored once)")
        changed = change_rows(register, args.share)
        diff, plan = _timed(lambda: plan_cycle(state.db, register, "bench"))
        cycle, seen = _timed(lambda: remember(state, register, now=now + timedelta(minutes=1)))
    recorded = len([c for c in seen.changes if c.kind == CHANGED])
    assert len(plan.changes) == recorded == changed, (len(plan.changes), recorded, changed)
    print(f"diff     {diff:7.2f} s   {changed} rows changed ({args.share:.0%}), {recorded} changes found")
    print(f"cycle    {cycle:7.2f} s   diff + {len(seen.requests)} change requests + one transaction")
    print(f"diff / read = {diff / read:.1%} (target < 25%); cycle / read = {cycle / read:.1%}")


def change_rows(register: Register, share: float, seed: int = 7) -> int:
    """Add 1 to one number field in ``share`` of each tab's rows; returns how many rows changed."""
    rng = np.random.default_rng(seed)
    total = 0
    for table in register.tables.values():
        numbers = [f for f in table.columns if table.spec.fields[f].type == NUMBER]
        picked = rng.choice(len(table), size=int(len(table) * share), replace=False) if numbers else []
        if len(picked):
            col = table.data[numbers[0]].to_numpy(dtype=float, copy=True)
            col[picked] = np.nan_to_num(col[picked]) + 1
            table.data[numbers[0]] = col
            table.bad[numbers[0]] = table.bad[numbers[0]].copy()
            table.bad[numbers[0]][picked] = False
            vars(table).pop("_snapshot", None)   # the ledger keeps a table's snapshot on it: this one changed
            total += len(picked)
    return total


def _demo(orders: int) -> Path:
    path = Path(tempfile.gettempdir()) / "ordersync-bench" / f"register-{orders}.xlsx"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        took, _ = _timed(lambda: build_register(path, orders=orders, today=TODAY, mistakes=False, fast=True))
        print(f"wrote {path} in {took:.0f} s")
    return path


def _timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


if __name__ == "__main__":
    main()

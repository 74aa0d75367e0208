"""Google Sheets source benchmark: requests per poll and the largest register read within one poll's budget.

    python bench/bench_gsheets.py [--sizes 1000 10000 50000 100000] [--columns 30] [--latency 0 1.0]

Each register (N rows x C columns of order-like values, one tab) is served by the
local Google of the tests (tests/fakegoogle.py: real HTTP on 127.0.0.1, gzip, 503
above 2 MB per answer) and read through the real ``GSheetsSource``. ``--latency``
adds that many seconds to every values request, standing in for Google's own time
per batchGet (about a second for a 2 MB range is typical over a good line; more
through a proxy from mainland China). For each size and latency it prints the
requests of the first cycle, an unchanged poll and a changed poll (tables found by
their headers, so the metadata is read again), the batchGets of the read, its wall
time, and whether it fits the default 30 s budget in one poll (a read that does not
resumes on the next poll, so it still completes, a poll later per 30 s).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sync.sources.google_http import OverBudget, RetryPolicy  # noqa: E402
from sync.sources.gsheets import GSheetsSource  # noqa: E402
from tests.fakegoogle import FakeGoogle  # noqa: E402

KEY = "bench-register-key-0123456789"


def register(rows: int, columns: int) -> list[list]:
    header = ["订单号", "下单日期", "客户", "款号", "订单数量", "交货日期"] + [f"列{c}" for c in range(columns - 6)]
    body = [[f"SO-{r:06d}", 46100 + r % 90, "江南布衣", f"JN-{r % 400:04d}", 100 + r % 900, 46180 + r % 90]
            + [f"备注{r % 37}" for _ in range(columns - 6)] for r in range(rows)]
    return [header] + body


def measure(rows: int, columns: int, latency: float, budget: float) -> dict:
    with FakeGoogle(max_response=2_000_000) as google:
        book = google.add(KEY, {"订单": register(rows, columns)})
        source = GSheetsSource("bench", KEY, session=google.session(),
                               policy=RetryPolicy(timeout=(5.0, 60.0), budget=budget))
        first = _until_read(source)[0]
        unchanged = source.requests
        source.fingerprint()
        unchanged = source.requests - unchanged
        book.update()
        if latency:
            google.fail("batchGet", 200, times=None, delay=latency)
        before, batch_before = source.requests, google.counts["batchGet"]
        started = time.perf_counter()
        _, polls = _until_read(source)
        took = time.perf_counter() - started
        return {"rows": rows, "latency": latency, "first": first, "unchanged": unchanged,
                "changed": source.requests - before, "batchGets": google.counts["batchGet"] - batch_before,
                "seconds": took, "polls": polls}


def _until_read(source: GSheetsSource) -> tuple[int, int]:
    """(requests, polls) until a read completes: a read cut short by the budget resumes on the next poll."""
    before, polls = source.requests, 1
    while True:
        try:
            _poll(source)
            return source.requests - before, polls
        except OverBudget:
            polls += 1


def _poll(source: GSheetsSource) -> int:
    before = source.requests
    source.fingerprint()
    names = [s.name for s in source.sheets()]
    list(source.read(names))
    return source.requests - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 50_000, 100_000])
    parser.add_argument("--columns", type=int, default=30)
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, 1.0])
    parser.add_argument("--budget", type=float, default=30.0)
    args = parser.parse_args()
    print(f"{'rows':>8} {'latency':>7} {'first':>5} {'unchanged':>9} {'changed':>7} {'batchGets':>9} "
          f"{'seconds':>8} {'polls':>5}")
    for latency in args.latency:
        for rows in args.sizes:
            r = measure(rows, args.columns, latency, args.budget)
            print(f"{r['rows']:>8} {r['latency']:>7.1f} {r['first']:>5} {r['unchanged']:>9} {r['changed']:>7} "
                  f"{r['batchGets']:>9} {r['seconds']:>8.1f} {r['polls']:>5}", flush=True)


if __name__ == "__main__":
    main()

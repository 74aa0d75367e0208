"""The daemon's cycle with its memo against a full cycle: python bench/bench_incremental.py [--orders 10000] [--saves 5]

A save costs the daemon one cycle. With the memo (``sync.checks.memo``) a cycle
compares with the ledger only the tables whose values changed and re-runs only
the rules (and the order model and cross-tab checks) whose tables changed.
This replays the saves of bench_latency (each moves one delivery date in the
orders tab before its order date) on the bench register, once as a one-tab
save and once with every other tab's XML rewritten too (``--every-tab`` of
bench_latency: all tabs are read again, their values unchanged), through the
daemon's own ``SourceCache`` and ``run_cycle``, with and without the memo, in
one process, and prints each cycle's median and worst seconds and the ratio.

Issue 19's targets (save -> notice, debounce 0.25 s): one-tab p95 under 1 s,
every-tab p95 under 2 s; bench_latency.py measures those end to end.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_cycle import CONFIG  # noqa: E402
from bench_latency import versions  # noqa: E402
from bench_read import register_path  # noqa: E402


def replay(original: bytes, saves: list[tuple[str, bytes]], memoised: bool) -> list[tuple[float, dict]]:
    """Each save's cycle time and steps, after a first cycle on ``original`` was stored."""
    from sync.checks.memo import PassMemo
    from sync.config import load_config
    from sync.service.cycle import SourceCache, prepare_state, run_cycle
    from sync.sources import open_path
    from sync.state import State

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "register.xlsx"
        path.write_bytes(original)
        (folder / "config.toml").write_text(CONFIG.format(path=path.as_posix()), encoding="utf-8")
        config = load_config(folder / "config.toml")
        memo = PassMemo() if memoised else None
        out = []
        with State(folder / "state.db") as state:
            prepare_state(state)
            cache = SourceCache(config, [open_path(path, name="register")])
            now = datetime.now(timezone.utc)
            cache.refresh(["register"], now)
            run_cycle(state, config, cache.register(), now=now, lang="zh", memo=memo)
            for _, data in saves:
                path.write_bytes(data)
                started = time.perf_counter()
                cache.refresh(["register"], now)
                result = run_cycle(state, config, cache.register(), now=now, lang="zh", memo=memo)
                out.append((time.perf_counter() - started, dict(result.steps)))
        return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--saves", type=int, default=5)
    args = parser.parse_args(argv)
    original = register_path(args.orders).read_bytes()
    print(f"{args.orders:,} orders, {args.saves} saves each; seconds per cycle (read included), median / worst:")
    for every_tab in (False, True):
        saves = versions(original, args.saves, every_tab=every_tab)
        full = replay(original, saves, memoised=False)
        memo = replay(original, saves, memoised=True)
        f = [t for t, _ in full]
        m = [t for t, _ in memo]
        label = "every-tab save" if every_tab else "one-tab save  "
        print(f"  {label}  full {statistics.median(f):5.2f} / {max(f):5.2f}   "
              f"memo {statistics.median(m):5.2f} / {max(m):5.2f}   ratio {statistics.median(m) / statistics.median(f):.2f}")
        steps = memo[-1][1]
        print("      memo steps: " + ", ".join(f"{k} {v:.2f}" for k, v in steps.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

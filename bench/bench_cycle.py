"""Where a cycle's time goes: python bench/bench_cycle.py [--orders 10000] [--profile STEP]

A save costs the daemon one cycle: read -> check (rules, cross-tab) -> remember
(ledger) -> notices (gather facts and concerns, plan mails). This times each
step on the bench register (bench/out/register-N.xlsx, shared with
bench_read.py) after a first cycle has been stored (so, as in the daemon, only
what is new gets planned and only the tab the save changed is read again;
``--every-tab`` makes the save rewrite every tab's XML), in one
process, as the daemon runs them; ``--profile STEP`` prints a cProfile of that step (read,
rules, orders, reconcile, remember, gather, plan).

The save-to-mail target of issue 7 (p95 under 3 s on 10k orders, with the
1 s debounce) leaves about 1.5 s for the whole cycle.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_latency import versions  # noqa: E402
from bench_read import register_path  # noqa: E402

CONFIG = """\
[service]
language = "zh"
timezone = "Asia/Shanghai"
state = "state.db"

[sources.register]
kind = "excel"
path = "{path}"

[mail]
outbox = "outbox"
sender = "ordersync@bench.example.com"
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--profile", choices=["read", "rules", "orders", "reconcile", "remember", "gather", "plan"])
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key (cumulative, tottime)")
    parser.add_argument("--every-tab", action="store_true", help="the save rewrites every tab's XML (all are read again)")
    args = parser.parse_args(argv)

    from sync.checks import Context, run_checks
    from sync.config import load_config
    from sync.service.cycle import prepare_state
    from sync.changes.ledger import remember
    from sync.notices.plan import gather, local_now, plan_notices
    from sync.checks.pipeline import rules_for, source_findings
    from sync.checks.reconcile import reconcile
    from sync.orders.model import order_model
    from sync.tables.register import load
    from sync.sources import open_path
    from sync.state import State

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "register.xlsx"
        original = register_path(args.orders).read_bytes()
        path.write_bytes(original)
        (folder / "config.toml").write_text(CONFIG.format(path=path.as_posix()), encoding="utf-8")
        config = load_config(folder / "config.toml")
        state = State(folder / "state.db")
        prepare_state(state)
        now = datetime.now(timezone.utc)
        today = local_now(config, now).date()   # the day where the register is kept, as a cycle has it
        rules = rules_for(config)
        memos: dict = {}
        baseline = load([open_path(path, name="register")], memos=memos)
        remember(state, baseline, now=now, lang="zh")
        from sync.findings import Report
        plan_notices(state, config, gather(state, config, baseline, now=now, lang="zh", report=Report()), now=now,
                     lang="zh").record()
        del baseline
        print(f"{args.orders:,} orders, a first cycle stored (snapshot, mails planned); the next one, step by step:")

        times: dict[str, float] = {}
        out: dict[str, object] = {}

        def step(name: str, work):
            profiler = cProfile.Profile() if args.profile == name else None
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            out[name] = work()
            if profiler:
                profiler.disable()
            times[name] = time.perf_counter() - started
            print(f"  {name:<10}{times[name]:7.2f} s", flush=True)
            if profiler:
                pstats.Stats(profiler).sort_stats(args.sort).print_stats(40)
            return out[name]

        # the save: one delivery date in the orders tab moved before its order date
        path.write_bytes(versions(original, 1, every_tab=args.every_tab)[0][1])
        register = step("read", lambda: load([open_path(path, name="register")], memos=memos))
        print(f"            (tabs read: {', '.join(memos['register'].reread)})")
        report = step("rules", lambda: run_checks(register, rules, Context("zh", today, register, config)))
        orders = step("orders", lambda: order_model(register, config, today=today))   # once, shared as in a cycle
        step("reconcile", lambda: reconcile(register, config, lang="zh", today=today, orders=orders))
        full = Report(tables={n: len(t) for n, t in register.tables.items()})
        full.extend(source_findings(register, "zh"))
        full.extend(report)
        full.extend(out["reconcile"])
        step("remember", lambda: remember(state, register, now=now, lang="zh", orders=orders))
        inputs = step("gather", lambda: gather(state, config, register, now=now, lang="zh", report=full,
                                               orders=orders, history=False))
        step("plan", lambda: plan_notices(state, config, inputs, now=now, lang="zh"))
        state.close()
    total = sum(times.values())
    after_read = total - times["read"]
    print(f"  {'total':<10}{total:7.2f} s   (after the read: {after_read:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""CLI start-up benchmark: how long ``ordersync --help`` and friends take, whole process.

    python bench/bench_cli.py [--repeat 5] [--lang zh|en]

Runs ``python -m sync ARGS`` in a fresh process for ``--help``, ``--version`` and
``COMMAND --help`` of every command, best of ``--repeat``, and prints each time
with its ratio to the target (issue 13): under 0.3 s, interpreter start included.
For reference it also times a bare ``python -c pass``: the part no code of ours can remove.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.3
COMMANDS = ("demo", "init", "doctor", "check", "status", "history", "changes", "digest", "run")


def best_of(args: list[str], repeat: int, env: dict[str, str]) -> tuple[float, float]:
    """Best wall time and best CPU time (user + system) of the child, in seconds."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True)
        wall = min(wall, time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = min(cpu, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    opts = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ORDERSYNC_LANG": opts.lang}
    cases = [["--help"], ["--version"], *([name, "--help"] for name in COMMANDS)]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; best of {opts.repeat}; "
          "wall time is the target, CPU time is what the wall time would be on an idle machine")
    print(f"{'':<28} {'wall':>7} {'cpu':>7}   wall / {TARGET} s target")
    wall, cpu = best_of([sys.executable, "-c", "pass"], opts.repeat, env)
    print(f"{'python -c pass':<28} {wall:6.3f}s {cpu:6.3f}s   (the interpreter alone)")
    worst = (0.0, 0.0)
    for case in cases:
        wall, cpu = best_of([sys.executable, "-m", "sync", *case], opts.repeat, env)
        worst = max(worst, (wall, cpu))
        print(f"{'ordersync ' + ' '.join(case):<28} {wall:6.3f}s {cpu:6.3f}s   {wall / TARGET:4.2f}x")
    verdict = "OK" if worst[0] < TARGET else "TOO SLOW"
    print(f"{'worst':<28} {worst[0]:6.3f}s {worst[1]:6.3f}s   {worst[0] / TARGET:4.2f}x: {verdict}")


if __name__ == "__main__":
    main()

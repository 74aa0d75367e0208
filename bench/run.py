"""`make bench`: the reader bench, then every other bench that exists.

Each bench runs as its own subprocess, so the peak memory it reports is its
own. Arguments are passed to the reader bench (e.g. ``--sizes 10000``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = (("bench_read.py",), ("bench_floor.py",), ("bench_check.py",), ("bench_diff.py",), ("bench_cycle.py",),
           ("bench_latency.py",), ("bench_latency.py", "--every-tab"))   # latency: one tab read again, then all


def main(argv: list[str]) -> int:
    failed = []
    for name, *fixed in BENCHES:
        script = HERE / name
        label = " ".join([name, *fixed])
        if not script.exists():
            print(f"\n== {label}: not present, skipped")
            continue
        print(f"\n== {label}", flush=True)
        args = argv if name == "bench_read.py" else fixed
        code = subprocess.run([sys.executable, str(script), *args], cwd=HERE.parent).returncode
        if code:
            failed.append(f"{label} (exit {code})")
    if failed:
        print(f"\nbenches that failed or missed a target: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The long fault-injection run: python bench/bench_faults.py [--operations 300] [--seed 15] [--orders 60]

The real daemon (``ordersync run`` as a subprocess) on a demo register with a
real SMTP server on 127.0.0.1, and a few hundred random operations: saves with
real edits (Excel-like and in place), sorts, a tab renamed and back, corrupt
saves, kill -9 and restart, SMTP 451 / 550 / stalls (``tests/faults.py`` says
how each is made and counted). Prints the counts: every real change recorded
exactly once, no phantom change, every notice delivered exactly once, the
daemon running at the end. Run from the repository root.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.faults import FaultRun  # noqa: E402
from tests.smtpserver import MailServer  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=300)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--orders", type=int, default=60)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, MailServer(Path(tmp) / "smtp") as server:
        folder = Path(tmp) / "run"
        folder.mkdir()
        counts = FaultRun(folder, server, seed=args.seed, orders=args.orders).run(args.operations)
    print("\n".join(counts.lines()))
    ok = (counts.daemon_alive and counts.recorded_once == counts.edits and counts.phantoms == 0
          and counts.delivered == counts.notices)
    print("verdict:", "nothing lost, nothing twice" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Write a bench-sized demo register: python bench/make_register.py N OUT.xlsx [--seed S]

Streams the workbook (fast mode, no styling) with no seeded mistakes, and
prints how long it took.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sync.demo.register import build_register


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write an N-order demo register for benchmarks.")
    parser.add_argument("orders", type=int, help="number of orders")
    parser.add_argument("out", type=Path, help="the .xlsx to write")
    parser.add_argument("--seed", type=int, default=2611)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    build_register(args.out, orders=args.orders, seed=args.seed, mistakes=False, fast=True)
    elapsed = time.perf_counter() - started
    size = args.out.stat().st_size / 1e6
    print(f"{args.orders} orders -> {args.out} ({size:.1f} MB) in {elapsed:.1f} s")


if __name__ == "__main__":
    main()

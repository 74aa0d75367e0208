"""The check against the floor: whole processes, ``ordersync check`` vs fastexcel to Arrow.

    python bench/bench_floor.py [--sizes 10000 100000] [--repeat 1] [--register N=PATH ...] [--tree DIR]

For each size it times, in fresh processes and in the same run:

check      ``python -m sync check REG --format json`` (exit 0 or 1 both count as a run)
fastexcel  a process that loads every sheet with fastexcel and turns it into
           Arrow (``fastexcel.read_excel(p).load_sheet(name).to_arrow()``)

Wall is the whole process (interpreter start, imports, read, output); cpu is
its user+system time (steadier than wall on a shared machine); peak is the
largest resident set seen while polling the child with psutil (and its
children). Targets (issue 19): at 100k the check within 1.5x of fastexcel and
peak <= 400 MiB; at 10k the check within 1.5x of fastexcel.
Registers are made once (bench/make_register.py) and cached in bench/out/.
``--tree DIR`` runs the check of another checkout (e.g. main, for a before/after),
as it is (its byte-code as found); this checkout's modules are byte-compiled
first, as an installed package's are.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGET_RATIO = 1.5
TARGET_PEAK_MIB = 400.0
PEAK_AT = 100_000
POLL_S = 0.01

FASTEXCEL = """
import sys, fastexcel
reader = fastexcel.read_excel(sys.argv[1])
tables = [reader.load_sheet(name).to_arrow() for name in reader.sheet_names]
print(sum(t.num_rows for t in tables))
"""


def register_path(orders: int) -> Path:
    """The cached bench register of ``orders`` orders, generated on first use."""
    path = HERE / "out" / f"register-{orders}.xlsx"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.xlsx")
        print(f"generating {path.name} (once; cached in {path.parent}) ...", flush=True)
        subprocess.run([sys.executable, str(HERE / "make_register.py"), str(orders), str(partial)],
                       check=True, env=_env())
        partial.replace(path)
    return path


def _env(tree: Path = ROOT) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(tree), env.get("PYTHONPATH", "")) if p)
    return env


def compiled(tree: Path) -> Path:
    """``tree`` with its package byte-compiled (PYTHONDONTWRITEBYTECODE would have every run compile it)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "sync")], check=True,
                   stdout=subprocess.DEVNULL)
    return tree


def _rss(proc: psutil.Process) -> int:
    total = 0
    try:
        for each in [proc, *proc.children(recursive=True)]:
            try:
                total += each.memory_info().rss
            except psutil.Error:
                pass
    except psutil.Error:
        pass
    return total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(argv: list[str], tree: Path = ROOT) -> tuple[float, float, int, float]:
    """(wall seconds, peak MiB, exit code, cpu seconds) of one process, its children polled for memory."""
    cpu = _children_cpu()
    started = time.perf_counter()
    proc = psutil.Popen(argv, cwd=tree, env=_env(tree), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _rss(proc))
        time.sleep(POLL_S)
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        print(proc.stderr.read().decode(errors="replace")[-2000:], file=sys.stderr)
    return wall, peak / 1024**2, proc.returncode, _children_cpu() - cpu


def best(argv: list[str], repeat: int, tree: Path = ROOT) -> tuple[float, float, int, float]:
    runs = [measure(argv, tree) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs), runs[-1][2], min(r[3] for r in runs)


def bench_one(label: str, path: Path, orders: int | None, repeat: int, tree: Path = ROOT) -> bool:
    check = best([sys.executable, "-m", "sync", "check", str(path), "--format", "json"], repeat, tree)
    floor = best([sys.executable, "-c", FASTEXCEL, str(path)], repeat)
    ratio = check[0] / floor[0]
    print(f"{label}: check {check[0]:6.2f} s (cpu {check[3]:.2f}) {check[1]:5.0f} MiB (exit {check[2]}) | "
          f"fastexcel {floor[0]:6.2f} s (cpu {floor[3]:.2f}) {floor[1]:5.0f} MiB | "
          f"ratio {ratio:.2f}x wall, {check[3] / max(floor[3], 1e-9):.2f}x cpu", flush=True)
    ok = ratio <= TARGET_RATIO and check[2] in (0, 1)
    if orders is not None and orders >= PEAK_AT:
        ok = ok and check[1] <= TARGET_PEAK_MIB
    print(f"  target: within {TARGET_RATIO}x"
          + (f", peak <= {TARGET_PEAK_MIB:.0f} MiB" if orders and orders >= PEAK_AT else "")
          + f" -> {'met' if ok else 'MISSED'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--register", action="append", default=[], metavar="N=PATH",
                        help="use an existing register of N orders instead of generating one")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout whose check is measured")
    args = parser.parse_args(argv)
    tree = args.tree.resolve()
    if tree == ROOT:
        compiled(tree)
    given = {int(n): Path(p) for n, p in (r.split("=", 1) for r in args.register)}
    ok = True
    for orders in args.sizes:
        path = given.get(orders) or register_path(orders)
        ok = bench_one(f"{orders:>7} orders", path, orders, args.repeat, tree) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Check benchmark: read alone vs read + check, and frictionless on the same orders sheet.

    python bench/bench_check.py [--orders 100000] [--repeat 3] [--no-frictionless]

Uses (and makes once, via bench/make_register.py) bench/out/register-N.xlsx.
Measures, in this process, best of ``--repeat``:

read      ``sync.tables.register.load``: read, detect and normalise every tab;
rules     read + every rule of the shipped packs (``sync.checks.run_checks``);
check     read + ``sync.checks.pipeline.check_register`` (rules and reconciliation): what
          ``ordersync check`` does;
frictionless  ``frictionless.validate`` of the orders sheet with a schema holding
          the equivalent of 10 of our rules (types, required, unique, minimum), once.

Targets (issue 3): rules within 1.5x of read; check at least 10x faster than frictionless.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TODAY = dt.date.today()  # make_register.py builds the register around the real today


def register_path(orders: int) -> Path:
    path = HERE / "out" / f"register-{orders}.xlsx"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(HERE / "make_register.py"), str(orders), str(path)], check=True)
    return path


def best(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def time_ordersync(path: Path, repeat: int) -> dict[str, float]:
    from sync.checks import Context, run_checks
    from sync.checks.pipeline import check_register, rules_for
    from sync.tables.register import load
    from sync.sources import open_path

    rules = rules_for(None)
    read, register = best(lambda: load([open_path(path)]), repeat)

    def read_and_rules():
        reg = load([open_path(path)])
        return run_checks(reg, rules, Context("zh", TODAY, reg))

    with_rules, findings = best(read_and_rules, repeat)
    full, report = best(lambda: check_register(load([open_path(path)]), None, today=TODAY), repeat)
    rows = sum(len(t) for t in register.tables.values())
    print(f"register: {path.name}, {rows} rows in {len(register.tables)} tabs "
          f"({len(register.tables['orders'])} orders)")
    print(f"read only            {read:7.2f} s")
    print(f"read + rules         {with_rules:7.2f} s   ({len(rules)} rules, {len(findings)} findings)"
          f"   ratio {with_rules / read:.2f}x (target <= 1.5x)")
    print(f"read + check         {full:7.2f} s   (rules + reconciliation, {len(report.findings)} findings)"
          f"   ratio {full / read:.2f}x")
    rules_alone, _ = best(lambda: run_checks(register, rules, Context("zh", TODAY, register)), repeat)
    print(f"rules alone          {rules_alone:7.2f} s   (on the register already read)")
    orders_only = time_orders_only(path, rules, repeat)
    return {"read": read, "rules": with_rules, "check": full, "orders": orders_only}


def time_orders_only(path: Path, rules: list, repeat: int) -> float:
    """What frictionless does: the orders sheet alone, read and checked (config pins the one sheet)."""
    from sync.checks import Context, run_checks
    from sync.config import TableConfig
    from sync.tables.register import load
    from sync.sources import open_path

    def run():
        source = open_path(path, name="register")
        reg = load([source], {"orders": TableConfig(source="register", sheet="订单登记")})
        return run_checks(reg, [r for r in rules if r.table == "orders"], Context("zh", TODAY, reg))

    elapsed, _ = best(run, repeat)
    print(f"orders sheet only    {elapsed:7.2f} s   (read + orders rules, like frictionless)")
    return elapsed


def time_frictionless(path: Path) -> float | None:
    try:
        import frictionless
        from frictionless import formats
    except ImportError:
        print("frictionless not installed (pip install -e '.[bench]'); skipped")
        return None
    schema = frictionless.Schema.from_descriptor({"fields": [
        {"name": "订单号", "type": "string", "constraints": {"required": True, "unique": True}},
        {"name": "下单日期", "type": "datetime", "constraints": {"required": True}},
        {"name": "客户", "type": "string", "constraints": {"required": True}},
        {"name": "款号", "type": "string"}, {"name": "颜色", "type": "string"}, {"name": "尺码", "type": "string"},
        {"name": "订单数量", "type": "integer", "constraints": {"required": True, "minimum": 1}},
        {"name": "单价", "type": "number", "constraints": {"minimum": 0}},
        {"name": "金额", "type": "number", "constraints": {"minimum": 0}},
        {"name": "交货日期", "type": "datetime", "constraints": {"required": True}},
        {"name": "付款方式", "type": "string"}, {"name": "跟单员", "type": "string"},
        {"name": "状态", "type": "string"}, {"name": "备注", "type": "string"}]})
    control = formats.ExcelControl(sheet="订单登记")
    resource = frictionless.Resource(path.name, basepath=str(path.parent), schema=schema, control=control,
                                     dialect=frictionless.Dialect(header_rows=[3]))
    started = time.perf_counter()
    report = frictionless.validate(resource, limit_errors=10**9)
    elapsed = time.perf_counter() - started
    print(f"frictionless 5       {elapsed:7.2f} s   (orders sheet only, 10 constraints, "
          f"{len(report.flatten(['type']))} errors)")
    return elapsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-frictionless", action="store_true")
    args = parser.parse_args(argv)
    path = register_path(args.orders)
    ours = time_ordersync(path, args.repeat)
    if not args.no_frictionless and (theirs := time_frictionless(path)):
        print(f"frictionless / ordersync on the same sheet: {theirs / ours['orders']:.1f}x (target >= 10x); "
              f"frictionless / whole-workbook read + rules: {theirs / ours['rules']:.1f}x; "
              f"/ whole-workbook check: {theirs / ours['check']:.1f}x")


if __name__ == "__main__":
    main()

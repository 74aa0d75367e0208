"""Scoreboard of issue 14: how well ordersync reads the registers people really keep.

    python bench/score_registers.py [--corpus DIR] [--details]

Runs the two harnesses of tests/tables outside pytest, the way ``ordersync check FILE``
reads (zero-config ``load`` + ``check_register``):

- one line per real tracker sheet of the shared corpus (manifest.json ``truth``):
  recognised as its kind?, key column right?, header row right?, canonical fields
  mapped x/y, error findings on its tricky rows;
- one line per generated layout (tests/layouts.py): tables recognised x/y, injected
  mistakes found x/y, false errors (error findings on legitimate rows);

and, for the industries (tests/industries.py), whether the stages read are the register's own;
then totals. ``--details`` adds what each failing check read instead.
"""

from __future__ import annotations

import argparse
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sync.orders.view import build_view, settings_from  # noqa: E402
from tests.industries import STAGES  # noqa: E402
from tests.tables.scoring import LAYOUT_CHECKS, all_layouts, layout_score, read  # noqa: E402
from tests.tables.truth import cases, evaluate, find_corpus  # noqa: E402


def _pad(text: str, width: int) -> str:
    """``text`` cut or padded to ``width`` terminal columns (a Chinese character takes two)."""
    out, used = "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > width:
            break
        out, used = out + ch, used + w
    return out + " " * (width - used)


def _mark(results: dict[str, tuple[bool, str]], check: str) -> str:
    if check not in results:
        return "-"
    return "yes" if results[check][0] else "NO"


def tracker_lines(corpus: Path, details: bool) -> tuple[list[str], dict[str, list[int]]]:
    by_sheet: dict[tuple[str, str], dict[str, tuple[bool, str]]] = defaultdict(dict)
    clis: dict[str, tuple[bool, str]] = {}
    for case in cases(corpus):
        result = evaluate(case, corpus)
        if case.check == "cli":
            clis[case.file] = result
        else:
            by_sheet[(case.file, case.sheet)][case.check] = result
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    lines = [f"{_pad('tracker › sheet', 58)} {'kind':>5} {'key':>4} {'header':>6} {'fields':>7} {'tricky':>7} {'honest':>6}"]
    for (file, sheet), results in by_sheet.items():
        fields = [ok for check, (ok, _) in results.items() if check.startswith("field:")]
        tricky = [ok for check, (ok, _) in results.items() if check.startswith("tricky:")]
        kind = "none✓" if results.get("not-taken", (False,))[0] else ("none✗" if "not-taken" in results
                                                                       else _mark(results, "kind"))
        label = _pad(f"{Path(file).stem} › {sheet}", 58)
        lines.append(f"{label} {kind:>5} {_mark(results, 'field:order_no'):>4} {_mark(results, 'header'):>6} "
                     f"{sum(fields)}/{len(fields):<5} {sum(tricky)}/{len(tricky):<5} {_mark({'c': clis[file]}, 'c'):>6}")
        for name, oks in (("sheets recognised", [results["kind"][0]] if "kind" in results else []),
                          ("key columns", [results["field:order_no"][0]] if "field:order_no" in results else []),
                          ("header rows", [results["header"][0]] if "header" in results else []),
                          ("fields", fields), ("tricky-row sets clean", tricky),
                          ("kind-none sheets left alone", [results["not-taken"][0]] if "not-taken" in results else [])):
            totals[name][0] += sum(oks)
            totals[name][1] += len(oks)
        if details:
            lines += [f"    {check}: {why}" for check, (ok, why) in results.items() if not ok]
    totals["files honest (cli)"] = [sum(ok for ok, _ in clis.values()), len(clis)]
    return lines, totals


def layout_lines(details: bool) -> tuple[list[str], dict[str, list[int]]]:
    lines = [f"{'layout':24} {'tables':>7} {'found':>7} {'share':>6} {'false errors':>12}"]
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name in all_layouts():
        s = layout_score(name)
        ok_tables = sum(ok for _, ok, _ in s.tables)
        lines.append(f"{name:24} {ok_tables}/{len(s.tables):<5} {s.found}/{len(s.injected):<5} {s.share:6.0%} "
                     f"{len(s.false):>12}")
        totals["layout tables recognised"][0] += ok_tables
        totals["layout tables recognised"][1] += len(s.tables)
        totals["injected mistakes found"][0] += s.found
        totals["injected mistakes found"][1] += len(s.injected)
        totals["false errors (count)"][0] += len(s.false)
        totals["layouts passing all three checks"][0] += all(s.verdict(c)[0] for c in LAYOUT_CHECKS)
        totals["layouts passing all three checks"][1] += 1
        if details:
            lines.append(f"    {s.layout.what}")
            lines += [f"    {c}: {s.verdict(c)[1]}" for c in LAYOUT_CHECKS if not s.verdict(c)[0]]
        if name in STAGES:
            stages = build_view(read(s.layout.paths)[0], settings_from(None)).stages
            totals["industry stages from the register"][0] += stages == STAGES[name]
            totals["industry stages from the register"][1] += 1
            if details or stages != STAGES[name]:
                lines.append(f"    stages {' → '.join(stages)}")
    return lines, totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None, help="the shared corpus folder (with manifest.json)")
    parser.add_argument("--details", action="store_true", help="say what each failing check read instead")
    args = parser.parse_args()
    start = time.perf_counter()
    corpus = args.corpus or find_corpus()
    totals: dict[str, list[int]] = {}
    if corpus is None:
        print("corpus not found: trackers skipped (give --corpus or set ORDERSYNC_CORPUS)")
    else:
        lines, found = tracker_lines(corpus, args.details)
        print("\n".join(lines) + "\n")
        totals.update(found)
    lines, found = layout_lines(args.details)
    print("\n".join(lines) + "\n")
    totals.update(found)
    for name, (x, n) in totals.items():
        print(f"{name:34} {x}" + (f"/{n}" if n else ""))
    print(f"({time.perf_counter() - start:.1f}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Real hand-kept trackers against their truth (corpus manifest.json): the measuring stick of issue 14.

One case per file, sheet and check (tests/tables/truth.py says what each check means), so
the scoreboard is the test report. ``KNOWN`` lists the cases today's reader fails, each
with what is missing; they run as strict xfails, so a fix that makes one pass fails the
suite with XPASS until its line here is removed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tables.truth import ROOT, Case, cases, evaluate, find_corpus, first_letter, parse_rows
from tests.tables.sheetkit import TODAY

CORPUS = find_corpus()

#: case id -> what today's reader lacks ("issue 14: " is prefixed)
KNOWN = {
    'warroom__Production_Plan/Inputs/tricky:5-6, 18/39/40 and 19 other WOs':
        "J39 holds 'jm' in the Sales Request (order date) column: reported as unreadable, an error as any text "
        "that is no date is (tests/tables/test_values.py); truth lists row 39 for its repeated work order only",
    'kusokpi__生产时效性统计表-20211001-20211031/生产时效性统计表/field:inspected_qty':
        "truth reads 报检数量 (T, the quantity sent for inspection) as inspected; ordersync reads 检验数量 (X, the inspection's own count)",
}


#: what an XPASS(strict) failure tells the one who fixed it
_FIXED = "if this passes now, remove its entry from KNOWN in tests/tables/test_trackers.py"


def _param(case: Case) -> object:
    if case.id not in KNOWN:
        return pytest.param(case, id=case.id)
    mark = pytest.mark.xfail(strict=True, reason=f"issue 14: {KNOWN[case.id]} ({_FIXED})")
    return pytest.param(case, id=case.id, marks=[mark])


CASES = cases(CORPUS)


@pytest.mark.skipif(CORPUS is None, reason="the shared corpus (shared/corpus/manifest.json) is not there")
@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_tracker_reads_as_its_truth(case: Case) -> None:
    assert CORPUS is not None
    ok, detail = evaluate(case, CORPUS)
    assert ok, f"{case.id}: {detail}"


@pytest.mark.parametrize("text,rows", [
    ("2-3,4-5,13-14", [2, 3, 4, 5, 13, 14]),
    ("3-4 (and 21 other repeated 订单号)", [3, 4]),
    ("5-6, 18/39/40 and 19 other WOs", [5, 6, 18, 39, 40]),
    ("5,7,…,13 (4 rows)", [5, 7, 9, 11, 13]),
    ("30,48,50…", [30, 48, 50]),
])
def test_truth_rows_are_read_as_a_person_reads_them(text: str, rows: list[int]) -> None:
    assert parse_rows(text) == rows


@pytest.mark.parametrize("ref,letter", [("D", "D"), ("AZ", "AZ"), ("A+B (生产订单号码+行号)", "A"),
                                        ("A (composite item key; no PO number)", "A"), ("U:AY", None)])
def test_truth_columns_give_their_first_letter(ref: str, letter: str | None) -> None:
    assert first_letter(ref) == letter


@pytest.mark.skipif(CORPUS is None, reason="the shared corpus is not there")
def test_known_failures_name_real_cases() -> None:
    """A known failure that names no case (a typo, a truth that changed) would hide nothing and mean nothing."""
    assert set(KNOWN) <= {c.id for c in CASES}


@pytest.mark.skipif(CORPUS is None, reason="the shared corpus is not there")
def test_check_command_on_a_real_register_exits_and_prints_json(tmp_path: Path) -> None:
    """The command as a user runs it, zero-config: findings as JSON, the exit code saying whether errors were found."""
    assert CORPUS is not None
    path = CORPUS / "trackers" / "alonorder__订单表.xlsx"
    env = {k: v for k, v in os.environ.items() if k != "ORDERSYNC_CONFIG"} | {"PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "sync", "check", str(path), "--format", "json",
                           "--today", TODAY.isoformat()], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=120)
    report = json.loads(done.stdout)
    errors = report["summary"]["errors"]
    assert done.returncode == (1 if errors else 0), done.stderr
    assert errors == sum(f["severity"] == "error" for f in report["findings"])
    assert report["summary"]["tables"] == {"orders": 390}   # truth: data rows 2-391 of 订单登记表
    assert {f["sheet"] for f in report["findings"]} == {"订单登记表"}

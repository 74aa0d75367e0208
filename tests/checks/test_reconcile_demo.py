"""End to end on the demo register: the seeded cross-tab mistakes are found at the manifest's cells."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sync.demo.register import build_register
from sync.orders.progress import progress
from sync.checks.reconcile import reconcile
from tests.registers import read

TODAY = dt.date(2026, 4, 10)
CROSS_TAB = {"over-production": "stage-over-ordered", "ship-over-passed": "shipped-over-passed",
             "qc-sum-mismatch": "qc-sum", "orphan": "orphan-row",
             "status-shipped-unshipped": "status-shipped-nothing-shipped"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_seeded_cross_tab_mistakes_are_found_at_their_cells(tmp_path: Path, lang: str) -> None:
    manifest = build_register(tmp_path / "demo.xlsx", orders=120, today=TODAY, lang=lang, fast=True)
    findings = reconcile(read(manifest.path), lang=lang, today=TODAY)
    at = {(f.sheet, f.cell, f.rule) for f in findings}
    seeded = [m for m in manifest.mistakes if m.kind in CROSS_TAB]
    assert sorted(m.kind for m in seeded) == sorted(CROSS_TAB)
    for m in seeded:
        assert (m.sheet, m.cell, CROSS_TAB[m.kind]) in at, m
    # nothing else in the demo's story is a data error across the tabs
    errors = {(f.sheet, f.cell) for f in findings if f.severity == "error"}
    assert errors == {(m.sheet, m.cell) for m in seeded}
    orphan = next(f for f in findings if f.rule == "orphan-row")
    assert orphan.follower and next(m for m in seeded if m.kind == "orphan").order_no not in orphan.hint


def test_the_demo_story_has_orders_at_risk_and_orders_on_time(tmp_path: Path) -> None:
    manifest = build_register(tmp_path / "demo.xlsx", orders=120, today=TODAY, mistakes=False, fast=True)
    progs = progress(read(manifest.path), today=TODAY)
    open_orders = [p for p in progs.values() if p.open]
    risky = [p for p in open_orders if p.at_risk]
    assert risky and len(risky) < len(open_orders)
    assert all(p.follower for p in risky)
    assert not any(p.at_risk for p in progs.values() if not p.open)

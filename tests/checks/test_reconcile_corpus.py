"""The real trackers in the corpus: reconciliation and progress never crash on them, and say plainly what they cannot join."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sync.orders.progress import progress
from sync.checks.reconcile import reconcile
from sync.tables.register import load
from sync.sources import open_path

BUSINESS = sorted((Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "business").glob("*"))
TODAY = dt.date(2026, 4, 10)


@pytest.mark.parametrize("path", BUSINESS, ids=[p.name for p in BUSINESS])
def test_business_workbooks_reconcile_without_crashing(corpus: Path, path: Path) -> None:
    register = load([open_path(path)])
    findings = reconcile(register, lang="en", today=TODAY)
    progs = progress(register, today=TODAY)
    assert all(f.message and f.severity in ("error", "warning", "info") for f in findings)
    joinable = "orders" in register.tables
    departments = [t for t in ("materials", "production", "qc", "shipping") if t in register.tables]
    if departments and not joinable:
        # a department tab with nothing to join to: one plain note, not a finding per row
        assert [f.rule for f in findings] == ["tabs-not-joined"]
    assert len([f for f in findings if f.rule == "tabs-not-joined"]) <= len(departments)
    assert all(p.order_no for p in progs.values()) and (progs == {} or joinable)

"""Generated registers in the layouts people keep (tests/layouts.py), read zero-config and checked.

Per layout: every table recognised with its key column (``tables``), at least 95% of
the injected mistakes named by a finding (``errors``), and no error-severity finding
on a legitimate row (``false-errors``); tests/tables/scoring.py says how each is
counted. ``KNOWN`` holds what today's reader fails, as strict xfails: a fix that
makes one pass turns it into an XPASS failure until its line is removed.
The demo's seeded mistakes are checked by tests/demo/test_demo.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.layouts import LAYOUTS
from tests.tables.scoring import LAYOUT_CHECKS, layout_score

#: (layout, check) -> what today's reader lacks ("issue 14: " is prefixed)
KNOWN = {
}


#: what an XPASS(strict) failure tells the one who fixed it
_FIXED = "if this passes now, remove its entry from KNOWN in tests/tables/test_layouts.py"


def _params() -> list[object]:
    out = []
    for name in LAYOUTS:
        for check in LAYOUT_CHECKS:
            reason = KNOWN.get((name, check))
            marks = [pytest.mark.xfail(strict=True, reason=f"issue 14: {reason} ({_FIXED})")] if reason else []
            out.append(pytest.param(name, check, id=f"{name}/{check}", marks=marks))
    return out


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("layouts")


@pytest.mark.parametrize("name,check", _params())
def test_layout_is_read_and_checked(folder: Path, name: str, check: str) -> None:
    ok, detail = layout_score(name, folder).verdict(check)
    assert ok, f"{name} {check}: {detail}"


def test_known_failures_name_real_cases() -> None:
    assert {n for n, _ in KNOWN} <= set(LAYOUTS) and {c for _, c in KNOWN} <= set(LAYOUT_CHECKS)


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_layout_is_what_it_says(folder: Path, name: str) -> None:
    """The builders keep their promises, whatever the reader does: 40-200 orders, mistakes known by
    distinct cells, none of them on a tricky row."""
    layout = layout_score(name, folder).layout
    assert 40 <= len(layout.orders) <= 200
    cells = [(i.file, i.sheet, i.cell) for i in layout.errors]
    assert cells and len(cells) == len(set(cells))
    tricky = {(t.file, t.sheet, r) for t in layout.tricky for r in t.rows}
    assert not [i for i in layout.errors if (i.file, i.sheet, i.row) in tricky]

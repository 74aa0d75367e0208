"""Registers of other industries (tests/industries.py) are read zero-config, with their own stages and language.

Per industry: every table recognised, at least 95% of the injected mistakes found, no error on a legitimate
row (tests/tables/scoring.py counts them), the stages the register uses in its order (a moulding or bakery
register never shows 裁剪 → 车缝), and ``ordersync check`` speaking the workbook's language.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from sync.orders.view import build_view, settings_from
from tests.industries import INDUSTRIES, LANGUAGE, STAGES
from tests.tables.scoring import LAYOUT_CHECKS, layout_score, read
from tests.tables.sheetkit import TODAY

GARMENT = {"裁剪", "车缝", "整烫", "Cutting", "Sewing", "Pressing"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("industries")


@pytest.mark.parametrize("name", list(INDUSTRIES))
@pytest.mark.parametrize("check", LAYOUT_CHECKS)
def test_industry_register_is_read_and_checked(folder: Path, name: str, check: str) -> None:
    ok, detail = layout_score(name, folder).verdict(check)
    assert ok, f"{name} {check}: {detail}"


@pytest.mark.parametrize("name", list(INDUSTRIES))
def test_stages_come_from_the_register(folder: Path, name: str) -> None:
    register, _ = read(layout_score(name, folder).layout.paths)
    stages = build_view(register, settings_from(None)).stages
    assert stages == STAGES[name]
    assert not GARMENT & set(stages)


@pytest.mark.parametrize("name", list(INDUSTRIES))
def test_check_speaks_the_workbooks_language(folder: Path, name: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from sync.cli.app import app

    [path] = layout_score(name, folder).layout.paths
    monkeypatch.chdir(tmp_path)        # no config.toml around: zero-config
    result = CliRunner().invoke(app, ["check", str(path), "--format", "json", "--today", TODAY.isoformat()],
                                env={"ORDERSYNC_CONFIG": None, "ORDERSYNC_LANG": None})
    assert result.exit_code == 1, result.output
    errors = [f for f in json.loads(result.stdout)["findings"] if f["severity"] == "error"]
    chinese = [f["message"] for f in errors if re.search(r"[\u4e00-\u9fff]", _without_values(f))]
    assert errors and (not chinese if LANGUAGE[name] == "en" else len(chinese) == len(errors)), chinese[:3]


@pytest.mark.parametrize("headers,stages", [
    (["注塑完成", "修边完成", "包装完成"], ["注塑", "修边", "包装"]),
    (["Mixing done", "Baking done", "Remark"], ["Mixing", "Baking"]),
    (["计划完成", "实际完成", "是否完成", "注塑完成"], []),       # when and whether, and one stage alone: no stages
])
def test_a_wide_trackers_own_stage_words_need_two_done_columns(headers: list[str], stages: list[str]) -> None:
    import numpy as np

    from sync.orders.wide import stage_columns

    extra = {i + 5: (h, np.array([100, 200, None], dtype=object)) for i, h in enumerate(headers)}
    assert list(dict.fromkeys(c.stage for c in stage_columns(extra, []))) == stages


def _without_values(finding: dict) -> str:
    """The message without what the sheet itself wrote (order numbers, headers, customer names)."""
    text = finding["message"]
    for quoted in (finding.get("value"), finding.get("column"), finding.get("order_no"), finding.get("sheet")):
        if quoted:
            text = text.replace(str(quoted), "")
    return text


def test_digest_speaks_the_workbooks_language_when_config_does_not_say(tmp_path: Path) -> None:
    from sync.cli.app import app

    wb = Workbook()
    orders = wb.active
    orders.title = "Orders"
    # a status says the orders are still open: past their dates, they are overdue (an orders tab with nothing to
    # say so is a list of past orders as much as of late ones, ``OrderFacts.known_open``)
    orders.append(["Order No", "Order Date", "Customer", "Product", "Qty", "Delivery Date", "Merchandiser", "Status"])
    orders.append(["BK-1", datetime(2026, 8, 1), "FreshMart", "Rye Loaf", 600, datetime(2026, 9, 10), "Anna Lee",
                   "In production"])
    orders.append(["BK-2", datetime(2026, 8, 2), "FreshMart", None, 400, datetime(2026, 9, 11), "Anna Lee",
                   "In production"])
    people = wb.create_sheet("People")
    people.append(["Name", "Email", "Role"])
    people.append(["Anna Lee", "anna@example.com", "merchandiser"])
    wb.save(tmp_path / "orders.xlsx")
    (tmp_path / "config.toml").write_text(
        '[sources.register]\nkind = "excel"\npath = "orders.xlsx"\n\n'
        '[[digests]]\nname = "daily"\nto = ["followers"]\ncharts = false\n', encoding="utf-8")
    out = tmp_path / "d.html"
    result = CliRunner().invoke(app, ["digest", "daily", "--preview", "--output", str(out), "--config",
                                      str(tmp_path / "config.toml"), "--now", "2026-09-16T09:00:00+08:00"],
                                env={"ORDERSYNC_LANG": None})
    assert result.exit_code == 0, result.output
    text = out.with_suffix(".txt").read_text(encoding="utf-8")
    assert "Overdue and at-risk orders" in text and "逾期" not in text
    assert "- BK-1 FreshMart Rye Loaf due" in text
    assert "- BK-2 FreshMart due" in text                 # no empty gap where the product is blank

"""Registers kept apart (``[sources.NAME] apart = true``): each workbook checked on its own, a save re-checks its own.

One register per follower, each with whole orders of its own: with ``apart`` each
workbook's findings are what ``ordersync check`` says of that workbook alone, an
order number kept in two workbooks is an error on the second, and the service
checks again only the workbook a save changed, with what it reports, records
and mails the same as a service that checks every workbook afresh.
"""

from __future__ import annotations

import json
import random
import shutil
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from sync.checks.lanes import LaneMemo, check_lanes
from sync.checks.pipeline import check_register
from sync.cli import app
from sync.cli.session import sources_from_config
from sync.config import load_config
from sync.demo.register import build_register
from sync.orders.model import order_model
from sync.service.cycle import SourceCache, run_cycle
from sync.sources import open_path
from sync.state import State
from sync.tables.register import load
from tests.service.test_incremental import FOLDER_CONFIG, START, change_folder, own_numbers, what_it_did

APART_CONFIG = FOLDER_CONFIG.replace('path = "registers/*.xlsx"', 'path = "registers/*.xlsx"\napart = true')


def followers(tmp_path, seeds, *, own=True):
    folder = tmp_path / "registers"
    folder.mkdir()
    for n in seeds:
        build_register(folder / f"follower-{n}.xlsx", orders=60, seed=n, today=START.date())
        if own:
            own_numbers(folder / f"follower-{n}.xlsx", f"F{n}")
    (tmp_path / "config.toml").write_text(APART_CONFIG, encoding="utf-8")
    return folder, load_config(tmp_path / "config.toml")


def seen(findings) -> list[tuple]:
    """What a person reads of each finding: where, which rule, what it says."""
    return sorted((f.rule, f.severity, f.sheet, f.row, f.cell, f.message) for f in findings)


def test_each_workbook_kept_apart_is_checked_as_check_checks_it_alone(tmp_path):
    folder, config = followers(tmp_path, [11, 12, 13])
    sources = sources_from_config(config)
    cache = SourceCache(config, sources)
    cache.refresh(list(cache.sources), START)
    report, model = check_lanes(cache.lanes(), cache.register(), config, lang="zh", today=START.date())
    for book in sorted(folder.glob("*.xlsx")):
        alone = check_register(load([open_path(book)]), None, lang="zh", today=START.date())
        mine = [f for f in report.findings if f.source == f"registers/{book.name}"]
        assert alone.findings and seen(mine) == seen(alone.findings), book.name
    assert len(report.findings) == sum(1 for f in report.findings if f.source and f.source.startswith("registers/"))
    # one model of every workbook's orders, each order's progress its own workbook's
    assert len(model.lanes) == 3 and len(model.progress) == sum(len(m.progress) for m in model.lanes) > 150
    assert model.view.orders.shape[0] == len(model.progress)      # the whole view, joined when asked for


def test_an_order_kept_in_two_workbooks_is_an_error_on_the_second(tmp_path):
    folder, config = followers(tmp_path, [21, 22])
    first, second = sorted(folder.glob("*.xlsx"))
    args = ["check", "--config", str(tmp_path / "config.toml"), "--format", "json", "--lang", "en",
            "--today", START.date().isoformat()]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert not [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "duplicate-order"
                and "also kept in" in f["message"]]

    shutil.copy(first, second)     # the second follower's register is the first one's over again
    result = CliRunner().invoke(app, args)
    data = json.loads(result.stdout)
    twice = [f for f in data["findings"] if "also kept in" in f["message"]]
    # the copy is checked (as its own), and said so: no "also looks like ..., not checked" about its sheets
    sheets = data["summary"]["sheets"]
    assert len(sheets) == 14 and all(s["read"] and s["verdict"] == "recognised" for s in sheets), sheets
    assert data["summary"]["tables"]["orders"] == 2 * len(load([open_path(first)]).tables["orders"])
    orders = order_model(load([open_path(first)]), today=START.date()).progress     # its orders, by key
    assert len(twice) == len(orders) > 50     # each order once, however many lines it has
    assert {f["source"] for f in twice} == {f"registers/{second.name}"}
    assert all(f["rule"] == "duplicate-order" and f["severity"] == "error" and f["cell"] for f in twice)
    assert twice[0]["message"].endswith(f"is also kept in registers/{first.name}")


@pytest.mark.parametrize("seed", [8, 9])
def test_a_save_rechecks_only_its_own_workbook_and_matches_a_full_check(tmp_path, seed):
    """Random saves, workbooks added, removed and renamed: the service's lanes (each checked again only when its
    workbook was read again) report, record and mail what a service checking every workbook afresh does."""
    rng = random.Random(seed)
    seeds = [seed * 10 + n for n in range(3)]
    folder, config = followers(tmp_path, seeds)
    lang = config.service.language
    kept, lanes = SourceCache(config, sources_from_config(config)), LaneMemo()
    with State(tmp_path / "lanes.db") as mine, State(tmp_path / "full.db") as theirs:
        now, history, spared = START, [], 0
        for step in range(10):
            if step:
                history.append(change_folder(folder, rng, seeds, own=True))
                if rng.random() < 0.2:
                    now += timedelta(days=1)
                    history.append("a day later")
            kept.follow(sources_from_config(config))
            read, _ = kept.refresh(list(kept.sources), now)
            ours = run_cycle(mine, config, kept.register(), now=now, lang=lang, lanes=(kept.lanes(), lanes))
            if step and "a day later" not in history[-1:]:
                assert set(lanes.rechecked) <= set(read), history      # only what a save changed
                spared += len(kept.lanes()) - len(lanes.rechecked)
            fresh = SourceCache(config, sources_from_config(config))
            fresh.refresh(list(fresh.sources), now)
            full = run_cycle(theirs, config, fresh.register(), now=now, lang=lang, lanes=(fresh.lanes(), LaneMemo()))
            assert what_it_did(mine, ours) == what_it_did(theirs, full), history
    assert spared > 0, "no workbook was ever spared a check"


def test_the_service_mails_an_entry_error_from_the_workbook_saved(tmp_path):
    """End to end: ``ordersync run --once`` over a folder kept apart; a mistake typed into one workbook is mailed,
    naming that workbook and its cell."""
    import openpyxl

    folder, config = followers(tmp_path, [31, 32])
    runner = CliRunner()
    args = ["run", "--once", "--config", str(tmp_path / "config.toml")]
    assert runner.invoke(app, args).exit_code in (0, 1)
    before = set((tmp_path / "outbox").glob("*.eml"))
    book = folder / "follower-32.xlsx"
    wb = openpyxl.load_workbook(book)
    ws = wb.worksheets[0]
    col = next(c.column for c in ws[3] if c.value == "订单数量")     # the header is on row 3, under a title
    ws.cell(6, col).value = -40
    wb.save(book)
    assert runner.invoke(app, args).exit_code in (0, 1)
    new = set((tmp_path / "outbox").glob("*.eml")) - before
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in new)
    assert "follower-32" in text and f"{openpyxl.utils.get_column_letter(col)}6" in text


def test_a_change_request_in_one_workbook_kept_apart_is_weighed_without_joining_them_all(tmp_path):
    """A customer's new quantity on an order under way, in one of the workbooks kept apart: the change request is
    made from that order's own workbook, and the cycle never joins every workbook's orders into one view (it did,
    on every save, and it was half of the service's time over fifty registers)."""
    import openpyxl

    folder, config = followers(tmp_path, [61, 62, 63])
    cache = SourceCache(config, sources_from_config(config))
    cache.refresh(list(cache.sources), START)
    with State(tmp_path / "state.db") as state:
        run_cycle(state, config, cache.register(), now=START, lang="en", lanes=(cache.lanes(), LaneMemo()))
        book = folder / "follower-62.xlsx"
        under_way = [key for key, p in order_model(load([open_path(book)]), today=START.date()).progress.items()
                     if p.open and p.percent]
        wb = openpyxl.load_workbook(book)
        ws = wb.worksheets[0]
        col = next(c.column for c in ws[3] if c.value == "订单数量")
        row = next(r for r in range(4, ws.max_row + 1) if str(ws.cell(r, 1).value).strip() in under_way)
        no, qty = str(ws.cell(row, 1).value).strip(), ws.cell(row, col).value
        ws.cell(row, col).value = qty * 2
        wb.save(book)
        cache.refresh(list(cache.sources), START + timedelta(minutes=5))
        result = run_cycle(state, config, cache.register(), now=START + timedelta(minutes=5), lang="en",
                           lanes=(cache.lanes(), LaneMemo()))
        said = [f for f in result.report.findings if f.rule == "change-request"]
    assert [(f.order_no, f.value) for f in said] == [(no, str(qty * 2))], said
    assert said[0].message.startswith(f"order {no} change request: ")
    assert result.orders._view is None    # the whole view was not joined for one order


def test_the_pages_and_digests_see_every_workbook_from_one_cycle(tmp_path):
    """The status page's board and a digest are made from the cycle's joined model: each order as its own
    workbook has it, and the whole view (joined when first asked for) holding every order."""
    from sync.orders.facts import order_facts
    from sync.web.board import build_board

    folder, config = followers(tmp_path, [41, 42, 43])
    cache = SourceCache(config, sources_from_config(config))
    cache.refresh(list(cache.sources), START)
    with State(tmp_path / "state.db") as state:
        result = run_cycle(state, config, cache.register(), now=START, lang="en", lanes=(cache.lanes(), LaneMemo()))
        board = build_board(state, config, cache.register(), now=START, lang="en", report=result.report,
                            orders=result.orders)
    model = result.orders
    assert board.orders is model and len(model.lanes) == 3
    for lane in model.lanes:
        own = order_facts(lane)
        assert own and all(board.facts[k] == f for k, f in own.items())
        assert all(model.status_class(k) == lane.status_class(k) for k in own)
    keys = [k for lane in model.lanes for k in list(lane.progress)[:2]]
    assert sorted(k for _, ks in model.views_of(keys) for k in ks) == sorted(keys)
    assert set(model.view.orders.index) == set(board.facts)


def test_status_shows_each_order_as_its_own_workbook_has_it(tmp_path):
    """``ordersync status --config``: every order of every workbook kept apart, each with the progress, projected
    finish and risk that ``ordersync status`` of its own workbook gives it."""
    folder, _ = followers(tmp_path, [51, 52])
    day = START.date().isoformat()
    first, second = sorted(folder.glob("*.xlsx"))
    _numbered(second, rb">(\s*)F52-(\d{4})-00", rb">\1F51-\2-00")   # a few of its orders are the first's too

    def orders(*args: str) -> dict[str, dict]:
        result = CliRunner().invoke(app, ["status", *args, "--all", "--format", "json", "--today", day])
        assert result.exit_code == 0, result.output
        return {o["order_no"]: o for o in json.loads(result.stdout)["orders"]}

    together = orders("--config", str(tmp_path / "config.toml"))
    alone, mine = orders(str(second)), orders(str(first))
    assert len(set(alone) & set(mine)) > 5
    alone.update(mine)       # an order kept in both is the first workbook's
    assert together == alone and len(together) > 80


def _numbered(book, pattern: bytes, into: bytes) -> None:
    """Renumber orders in the workbook's XML (``own_numbers``, for any pattern)."""
    import re
    import zipfile

    with zipfile.ZipFile(book) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            zf.writestr(info, re.sub(pattern, into, data) if info.filename.endswith(".xml") else data)


@pytest.mark.parametrize("own", [True, False])
def test_the_service_says_when_a_folder_could_be_kept_apart(tmp_path, caplog, own):
    """A folder of registers read as one, each workbook with orders of its own: the first cycle says once that
    ``apart = true`` would check each on its own; when workbooks share order numbers it says nothing."""
    followers(tmp_path, [61, 62], own=own)
    (tmp_path / "config.toml").write_text(FOLDER_CONFIG, encoding="utf-8")     # not kept apart
    with caplog.at_level("INFO"):
        result = CliRunner().invoke(app, ["run", "--once", "--config", str(tmp_path / "config.toml")])
    assert result.exit_code in (0, 1), result.output
    said = [r.getMessage() for r in caplog.records if "apart = true" in r.getMessage()]
    assert said == (["[sources.registers]: each workbook keeps orders of its own; with apart = true each is checked "
                     "on its own, as `ordersync check` checks it alone, and a save re-checks only its own workbook"]
                    if own else [])

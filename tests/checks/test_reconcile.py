"""Cross-tab reconciliation: each finding holds where the tabs disagree, and stays silent where they agree."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sync.config import Config, load_config
from sync.errors import ConfigError
from sync.findings import Finding
from sync.checks.pipeline import check_register
from sync.checks.reconcile import reconcile
from tests.registers import Book

TODAY = dt.date(2026, 4, 10)


def run(book: Book, tmp_path: Path, *, lang: str = "zh", config: Config | None = None,
        today: dt.date = TODAY) -> list[Finding]:
    return reconcile(book.load(tmp_path), config, lang=lang, today=today, risk=False)


def of(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def healthy(book: Book, no: str = "SO-1", qty: int = 1000, status: str = "生产中") -> None:
    """An order whose tabs all agree: cut, sewn, inspected, half shipped."""
    book.order(no, qty, status=status)
    book.material(no, "面料", 1500, expected="2026-03-10", arrived="2026-03-09", arrived_qty=1500)
    book.prod(no, "裁剪", qty, start="2026-03-12", finish="2026-03-25", actual="2026-03-24")
    book.prod(no, "车缝", qty, start="2026-03-15", finish="2026-04-02", actual="2026-04-01")
    book.prod(no, "整烫", qty, start="2026-03-20", finish="2026-04-04", actual="2026-04-03")
    book.prod(no, "包装", qty, start="2026-03-22", finish="2026-04-05", actual="2026-04-05")
    book.qc(no, "2026-04-06", qty, qty - 10, 10)


def test_tabs_that_agree_give_no_findings(tmp_path: Path) -> None:
    book = Book()
    healthy(book)
    book.ship("SO-1", "2026-04-07", 400)
    assert run(book, tmp_path) == []


def test_order_numbers_join_across_case_spaces_and_full_width(tmp_path: Path) -> None:
    book = Book()
    healthy(book, "SO-2611-017")
    book.ship("ｓｏ－２６１１－０１７", "2026-04-07", 300)
    book.ship(" so-2611-017 ", "2026-04-08", 300)
    assert run(book, tmp_path) == []


def test_orphan_row_points_at_the_order_number_cell_and_suggests_the_near_miss(tmp_path: Path) -> None:
    book = Book()
    healthy(book, "SO-2611-017")
    row = book.ship("SO-2611-0l7", "2026-04-07", 100)      # a letter l for the digit 1
    far = book.ship("XX-9999", "2026-04-07", 100)
    found = of(run(book, tmp_path), "orphan-row")
    assert [(f.sheet, f.cell, f.value) for f in found] == [("发货记录", f"A{row}", "SO-2611-0l7"),
                                                           ("发货记录", f"A{far}", "XX-9999")]
    assert "SO-2611-017" in found[0].hint and found[0].follower == "张伟"
    assert "SO-2611-017" not in found[1].hint and found[1].follower is None


def test_order_numbers_that_lost_their_leading_zeros_are_matched_and_said_once(tmp_path: Path) -> None:
    """08215048 in the orders tab, 8215048 typed as a number in the shipping tab (Excel drops the zeros): the
    same order, matched, and said once for the tab, not an orphan error per row."""
    book = Book()
    healthy(book, "08215048")
    healthy(book, "0077")
    first = book.ship(8215048, "2026-04-07", 300)
    book.ship(8215048, "2026-04-08", 800)      # with the first, more than passed QC: matched, so it is said
    book.ship("077", "2026-04-08", 100)         # text with one zero of two: matched too
    found = run(book, tmp_path, lang="en")
    assert of(found, "orphan-row") == []
    said = of(found, "order-no-zeros")
    assert [(f.severity, f.sheet, f.cell) for f in said] == [("warning", "发货记录", f"A{first}")]
    assert said[0].message.startswith("发货记录: 3 rows give order numbers that differ from the orders tab's only "
                                      "in their leading zeros (e.g. 8215048 for 08215048)")
    assert [f.order_no for f in of(found, "shipped-over-passed")] == ["8215048"]


def test_leading_zeros_join_nothing_when_two_orders_differ_only_in_them(tmp_path: Path) -> None:
    book = Book()
    healthy(book, "01")
    healthy(book, "001")
    row = book.ship(1, "2026-04-07", 100)
    found = run(book, tmp_path, lang="en")
    assert [f.cell for f in of(found, "orphan-row")] == [f"A{row}"] and of(found, "order-no-zeros") == []


def test_a_row_without_an_order_number_is_no_orphan_of_order_nan(tmp_path: Path) -> None:
    """A department line whose order number is left blank names no order (its own tab's rules say the blank);
    it is never "order nan is not in the orders tab"."""
    book = Book()
    healthy(book, "SO-2611-017")
    book.ship("SO-2611-017", "2026-04-07", 10)
    book.ship(None, "2026-04-07", 100)
    book.ship("SO-2611-017", "2026-04-08", 10)
    findings = run(book, tmp_path, lang="en")
    assert of(findings, "orphan-row") == []
    assert not [f for f in findings if "nan" in f.message.lower().replace(":", " ").split()]


def test_a_tab_sharing_no_order_numbers_is_said_once_not_per_row(tmp_path: Path) -> None:
    book = Book()
    healthy(book)
    for i in range(8):
        book.ship(f"OTHER-{i}", "2026-04-07", 10)
    findings = run(book, tmp_path)
    assert of(findings, "orphan-row") == []
    assert [f.sheet for f in of(findings, "tabs-not-joined")] == ["发货记录"]


def test_a_department_tab_without_an_order_number_column_is_said_once(tmp_path: Path) -> None:
    book = Book()
    healthy(book)
    # a purchasing tab keyed by purchase order only: it cannot say which order its rows are for
    book.tabs["materials"] = ("物料采购", ["采购单号", "物料", "需求数量", "实际到货", "到货数量"], [])
    for i in range(5):
        book.add("materials", f"PO-{i}", "面料", 100, "2026-04-07", 10)
    findings = run(book, tmp_path, lang="en")
    notes = of(findings, "tabs-not-joined")
    assert len(notes) == 1 and notes[0].severity == "info"
    assert "物料采购" in notes[0].message and "no order number column" in notes[0].message
    assert of(findings, "materials-short") == [] and of(findings, "missing-department-rows") == []


def test_missing_department_rows_by_status_and_by_age(tmp_path: Path) -> None:
    book = Book()
    healthy(book)
    done = book.order("SO-2", 500, status="已完成")          # finished, yet QC has no row for it
    young = book.order("SO-3", 500, ordered="2026-04-05", status="待生产")
    old = book.order("SO-4", 500, ordered="2026-02-01", status=None)   # no status: its age speaks
    book.material("SO-2", "面料", 600, arrived="2026-03-09", arrived_qty=600)
    book.prod("SO-2", "裁剪", 500)
    found = {(f.order_no, f.cell, f.message.split("「")[-1].split("」")[0]) for f in
             of(run(book, tmp_path), "missing-department-rows")}
    assert ("SO-2", f"H{done}", "质检记录") in found
    assert ("SO-4", f"A{old}", "物料采购") in found and ("SO-4", f"A{old}", "生产进度") in found
    assert not any(no == "SO-3" for no, *_ in found)
    assert not any(no == "SO-1" for no, *_ in found)
    assert young


def test_stage_over_ordered_allows_the_tolerance(tmp_path: Path) -> None:
    book = Book()
    book.order("SO-1", 1000)
    book.prod("SO-1", "裁剪", 1030)                  # +3%: normal cutting allowance
    book.order("SO-2", 1000)
    over = book.prod("SO-2", "裁剪", 1100)
    found = of(run(book, tmp_path), "stage-over-ordered")
    assert [(f.order_no, f.cell, f.value) for f in found] == [("SO-2", f"C{over}", "1100")]
    cfg = Config.model_validate({"reconcile": {"over_tolerance": 0.10}})
    assert of(run(book, tmp_path, config=cfg), "stage-over-ordered") == []


def test_stage_ahead_of_an_earlier_stage_points_at_the_later_row(tmp_path: Path) -> None:
    book = Book()
    book.order("SO-1", 1000)
    book.prod("SO-1", "裁剪", 600)
    ahead = book.prod("SO-1", "车缝", 700)
    book.prod("SO-1", "包装", 500)                    # 整烫 not recorded: compared with 车缝
    found = of(run(book, tmp_path), "stage-ahead")
    assert [(f.cell, f.value) for f in found] == [(f"C{ahead}", "700")]
    assert "裁剪" in found[0].message


def test_several_rows_per_stage_are_added_up(tmp_path: Path) -> None:
    book = Book()
    book.order("SO-1", 1000)
    book.prod("SO-1", "cutting", 600, updated="2026-04-01")
    book.prod("SO-1", "裁床", 500, updated="2026-04-02")       # two cutting days: 1100 > 1030
    found = of(run(book, tmp_path), "stage-over-ordered")
    assert len(found) == 1 and "1100" in found[0].message and found[0].value == "600"


def test_qc_sum_points_at_the_failed_cell(tmp_path: Path) -> None:
    book = Book()
    healthy(book)
    wrong = book.qc("SO-1", "2026-04-07", 200, 190, 20)
    found = of(run(book, tmp_path), "qc-sum")
    assert [(f.sheet, f.cell, f.value) for f in found] == [("质检记录", f"E{wrong}", "20")]


def test_qc_sum_points_at_the_figure_with_a_zero_slipped(tmp_path: Path) -> None:
    book = Book()
    healthy(book)
    short = book.qc("SO-1", "2026-04-07", 200, 19, 10)        # passed 190 typed 19
    big = book.qc("SO-1", "2026-04-08", 3000, 290, 10)        # inspected 300 typed 3000
    found = of(run(book, tmp_path), "qc-sum")
    assert [(f.cell, f.value) for f in found] == [(f"D{short}", "19"), (f"C{big}", "3000")]
    assert all(len(f.compared) == 3 and {c.row for c in f.compared} == {f.row} for f in found)


def test_inspected_over_produced(tmp_path: Path) -> None:
    book = Book()
    book.order("SO-1", 1000)
    book.prod("SO-1", "裁剪", 1000)
    book.prod("SO-1", "包装", 600)
    book.qc("SO-1", "2026-04-06", 400, 400, 0)
    big = book.qc("SO-1", "2026-04-07", 500, 500, 0)
    found = of(run(book, tmp_path), "inspected-over-produced")
    assert [(f.cell, f.value) for f in found] == [(f"C{big}", "500")]


def test_shipped_over_passed_with_several_inspections_and_shipments(tmp_path: Path) -> None:
    book = Book()
    book.order("SO-1", 1000)
    book.prod("SO-1", "包装", 1000)
    book.qc("SO-1", "2026-04-01", 500, 490, 10)
    book.qc("SO-1", "2026-04-03", 500, 495, 5)
    book.ship("SO-1", "2026-04-04", 400)
    book.ship("SO-1", "2026-04-05", 500)
    assert of(run(book, tmp_path), "shipped-over-passed") == []        # 900 <= 985
    big = book.ship("SO-1", "2026-04-06", 200)
    book.tabs["shipping"][2][1][2] = 600                             # the 500 row now says 600: 1200 > 985
    found = of(run(book, tmp_path), "shipped-over-passed")
    assert [(f.cell, f.value) for f in found] == [(f"C{big - 1}", "600")]


def test_shipped_with_no_inspection_at_all(tmp_path: Path) -> None:
    book = Book()
    healthy(book)
    book.order("SO-2", 100)
    row = book.ship("SO-2", "2026-04-07", 100)
    found = of(run(book, tmp_path), "shipped-over-passed")
    assert [(f.order_no, f.cell) for f in found] == [("SO-2", f"C{row}")]


def test_partial_shipments_within_tolerance_are_fine_and_close_the_order(tmp_path: Path) -> None:
    book = Book()
    healthy(book, status="已发货")
    book.ship("SO-1", "2026-04-07", 500)
    book.ship("SO-1", "2026-04-08", 475)                              # 975 of 1000: -2.5%
    assert run(book, tmp_path) == []


def test_status_contradictions(tmp_path: Path) -> None:
    book = Book()
    said = book.order("SO-1", 1000, status="已发货")
    book.order("SO-2", 1000, status="生产中")
    book.ship("SO-2", "2026-04-07", 990)
    open_row = book.order("SO-3", 1000, status="部分发货")
    book.ship("SO-3", "2026-04-07", 500)
    book.order("SO-4", 1000, status="未发货")                          # 未 is not 已: nothing to contradict
    book.order("SO-5", 1000, status="结案")
    book.ship("SO-5", "2026-04-07", 1000)
    findings = run(book, tmp_path)
    assert [(f.order_no, f.cell) for f in of(findings, "status-shipped-nothing-shipped")] == [("SO-1", f"H{said}")]
    assert [f.order_no for f in of(findings, "status-open-all-shipped")] == ["SO-2"]
    assert open_row


def test_materials_short(tmp_path: Path) -> None:
    book = Book()
    book.order("SO-1", 1000)
    book.material("SO-1", "面料", 1500, arrived="2026-03-09", arrived_qty=800)
    last = book.material("SO-1", "面料", 1500, arrived="2026-03-12", arrived_qty=600)   # 1400: short
    book.material("SO-1", "辅料", 1000, arrived="2026-03-09", arrived_qty=980)          # -2%: fine
    book.material("SO-1", "纽扣", 2000)                                                 # not arrived: not short
    found = of(run(book, tmp_path), "materials-short")
    assert [(f.cell, f.severity) for f in found] == [(f"F{last}", "warning")]
    assert "1400" in found[0].message and "1500" in found[0].message


def test_date_chain(tmp_path: Path) -> None:
    book = Book()
    book.order("SO-1", 1000, ordered="2026-03-01", due="2026-04-20")
    late_plan = book.prod("SO-1", "包装", 100, finish="2026-04-25")
    book.qc("SO-1", "2026-04-05", 100, 100, 0)
    before_order = book.ship("SO-1", "2026-02-20", 10)
    before_qc = book.ship("SO-1", "2026-04-03", 10)
    future = book.ship("SO-1", "2026-04-12", 10)
    findings = run(book, tmp_path)
    assert [f.cell for f in of(findings, "planned-after-due")] == [f"E{late_plan}"]
    assert [f.cell for f in of(findings, "shipped-before-order")] == [f"B{before_order}"]
    assert [f.cell for f in of(findings, "shipped-before-inspection")] == [f"B{before_qc}"]
    assert [f.cell for f in of(findings, "date-in-future")] == [f"B{future}"]
    assert of(run(book, tmp_path, today=dt.date(2026, 4, 12)), "date-in-future") == []


def test_a_due_date_before_the_order_date_is_not_blamed_on_production(tmp_path: Path) -> None:
    book = Book()
    book.order("SO-1", 1000, ordered="2026-03-01", due="2026-02-01")   # the orders row is wrong itself
    book.prod("SO-1", "裁剪", 100, finish="2026-03-20")
    assert of(run(book, tmp_path), "planned-after-due") == []


def test_english_stage_names_map_and_unknown_stages_are_said_once(tmp_path: Path) -> None:
    book = Book()
    book.order("SO-1", 1000)
    book.prod("SO-1", "Cutting", 500)
    book.prod("SO-1", "Pressing", 600)            # 整烫 ahead of 裁剪
    book.prod("SO-1", "绣花", 100)
    book.prod("SO-1", "绣花", 100)
    garment = Config.model_validate({"reconcile": {"stages": ["裁剪", "车缝", "整烫", "包装"]}})
    findings = run(book, tmp_path, config=garment, lang="en")
    assert len(of(findings, "stage-ahead")) == 1
    notes = of(findings, "unknown-stage")
    assert len(notes) == 1 and "绣花" in notes[0].message
    # without configured stages they are the register's: 绣花 is one of them, and nothing is unknown
    findings = run(book, tmp_path, lang="en")
    assert len(of(findings, "stage-ahead")) == 1 and not of(findings, "unknown-stage")


def test_stages_are_configurable_per_factory(tmp_path: Path) -> None:
    book = Book()
    book.order("SO-1", 1000)
    book.prod("SO-1", "挤压", 500)
    book.prod("SO-1", "氧化", 600)
    cfg = Config.model_validate({"reconcile": {"stages": ["挤压", "时效", "氧化"],
                                               "stage_aliases": {"extrusion": "挤压"}}})
    findings = run(book, tmp_path, config=cfg)
    assert [f.rule for f in findings] == ["stage-ahead"]


def test_bad_reconcile_config_names_the_key(tmp_path: Path) -> None:
    # [reconcile] is typed in sync.config: a bad value stops loading config.toml, before any reconciling
    path = tmp_path / "config.toml"
    path.write_text('[reconcile]\nover_tolerance = "lots"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r'line 2: \[reconcile\] over_tolerance: expected a number, got "lots"'):
        load_config(path)
    path.write_text('[reconcile]\nstages = ["裁剪", "车缝"]\nstage_aliases = {x = "绣花"}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 3: \[reconcile\] stage_aliases: names stages not in stages: 绣花"):
        load_config(path)
    # without a stage list the stages are the register's: an alias may name any of them
    path.write_text('[reconcile]\nstage_aliases = {x = "绣花"}\n', encoding="utf-8")
    assert load_config(path).reconcile.stage_aliases == {"x": "绣花"}


def test_messages_in_english(tmp_path: Path) -> None:
    book = Book()
    book.order("SO-1", 1000, status="shipped")
    book.ship("SO-9", "2026-04-01", 1)
    findings = run(book, tmp_path, lang="en")
    assert {f.rule for f in findings} >= {"status-shipped-nothing-shipped", "orphan-row"}
    said = {f.rule: f.message for f in findings}
    assert said["status-shipped-nothing-shipped"].startswith("order SO-1 says shipped, but nothing is shipped")
    assert said["orphan-row"].startswith("order SO-9 in 发货记录 row 2 is not in the orders tab")


def test_check_includes_the_cross_tab_findings(tmp_path: Path) -> None:
    book = Book()
    healthy(book)
    book.ship("SO-1", "2026-04-07", 1200)
    report = check_register(book.load(tmp_path), None, today=TODAY)
    assert "shipped-over-passed" in report.to_dict()["summary"]["rules"]


def test_reconcile_rules_are_switched_off_by_rules_disable(tmp_path: Path) -> None:
    from sync.checks.pipeline import rules_for
    from sync.checks.reconcile import RECONCILE_IDS, RULE_IDS
    from sync.config import load_config

    book = Book()
    healthy(book)
    book.ship("SO-1", "2026-04-07", 1200)          # more than passed QC
    book.ship("SO-9", "2026-04-07", 10)            # an order the orders tab does not know
    register = book.load(tmp_path)
    path = tmp_path / "config.toml"
    path.write_text('[rules]\ndisable = ["orphan-row", "order-overdue", "quantity-outlier"]\n', encoding="utf-8")
    config = load_config(path)
    found = {f.rule for f in check_register(register, config, today=TODAY).findings}
    assert "orphan-row" not in found and "order-overdue" not in found and "shipped-over-passed" in found
    assert "orphan-row" in {f.rule for f in check_register(register, None, today=TODAY).findings}
    assert "orphan-row" not in {f.rule for f in reconcile(register, config, today=TODAY)}
    # every id a reconcile rule reports is one that can be named
    assert {i for ids in RULE_IDS.values() for i in ids} <= RECONCILE_IDS and "order-at-risk" in RECONCILE_IDS
    for rule_id in sorted(RECONCILE_IDS):
        path.write_text(f'[rules]\ndisable = ["{rule_id}"]\n', encoding="utf-8")
        rules_for(load_config(path))          # accepted


def test_an_unknown_id_in_rules_disable_names_the_near_matches(tmp_path: Path) -> None:
    from sync.checks.pipeline import rules_for
    from sync.config import load_config

    path = tmp_path / "config.toml"
    path.write_text('[rules]\ndisable = ["orphan-rows"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'orphan-rows' is not a rule id; did you mean 'orphan-row'"):
        rules_for(load_config(path))
    path.write_text('[rules]\ndisable = ["quantity-outliers"]\n', encoding="utf-8")   # a pack's rule
    with pytest.raises(ConfigError, match=r"did you mean 'quantity-outlier'"):
        rules_for(load_config(path))
    path.write_text('[rules]\ndisable = ["people-bad-email", "status-values"]\n', encoding="utf-8")
    rules_for(load_config(path))              # the people sheet's, and a pack's rule it leaves off

"""The ledger against sequences of real workbook versions: the ledger must be exactly right."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from sync.config import TableConfig
from sync.changes.ledger import ADDED, CHANGED, REMOVED, CycleChanges, confirm_brake, history, remember
from sync.tables.register import Register, load
from sync.sources import ExcelSource, open_path
from sync.state import State

ORDERS_HEADER = ["订单号", "客户", "款号", "颜色", "尺码", "订单数量", "交货日期", "跟单员", "状态"]
PRODUCTION_HEADER = ["订单号", "工序", "产线", "计划完成", "完成数量"]
MATERIALS_HEADER = ["订单号", "物料", "采购单号", "需求数量", "到货数量"]
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)


def order(no: str, qty: Any = 1000, due: Any = date(2026, 12, 1), *, color: str = "黑色", status: str = "生产中",
          product: str = "ST-100", size: str = "S-XL") -> list[Any]:
    return [no, "优衣库", product, color, size, qty, due, "李娜", status]


def orders(n: int, **kw: Any) -> list[list[Any]]:
    return [order(f"SO-{i:03d}", 1000 + i, **kw) for i in range(1, n + 1)]


def production(nos: list[str], done: int = 0) -> list[list[Any]]:
    return [[no, stage, line, date(2026, 11, 20), done] for no in nos
            for stage, line in (("裁剪", "裁床A"), ("车缝", "车缝一组"))]


def write(path: Path, sheets: dict[str, tuple[list[str], list[list[Any]]]], *, title: bool = True) -> Path:
    """Each sheet: a title row (as real registers have), the header, then the rows as given."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, (header, rows) in sheets.items():
        ws = wb.create_sheet(name)
        if title:
            ws.append([f"{name}（2026）"])
        ws.append(header)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def register_of(path: Path, pinned: dict[str, str] | None = None) -> Register:
    """Auto-detected tables, or tables pinned to sheets as config.toml would."""
    if pinned:
        source = ExcelSource("register", path)
        return load([source], {t: TableConfig(source="register", sheet=s) for t, s in pinned.items()})
    return load([open_path(path, name="register")])


class Run:
    """One state file; each ``see`` is one cycle an hour after the last."""

    def __init__(self, tmp_path: Path, pinned: dict[str, str] | None = None) -> None:
        self.state = State(tmp_path / "state" / "ordersync.db")
        self.book = tmp_path / "register.xlsx"
        self.pinned = pinned
        self.hour = 0

    def see(self, sheets: dict[str, tuple[list[str], list[list[Any]]]], **kw: Any) -> CycleChanges:
        write(self.book, sheets, **kw)
        self.hour += 1
        return remember(self.state, register_of(self.book, self.pinned), now=T0 + timedelta(hours=self.hour))


def brief(cycle: CycleChanges) -> list[tuple]:
    """The ledger entries as a user reads them: kind, table, key, field, old, new, cell."""
    return sorted((c.kind, c.table, c.key, c.field, c.old, c.new, c.cell) for c in cycle.changes)


def test_first_sight_is_a_baseline_and_rereading_records_nothing(tmp_path):
    run = Run(tmp_path)
    first = run.see({"订单": (ORDERS_HEADER, orders(5))})
    assert first.baselined == ["orders"] and first.changes == []
    assert run.see({"订单": (ORDERS_HEADER, orders(5))}).changes == []


def test_an_edit_is_one_change_with_its_cell(tmp_path):
    run = Run(tmp_path)
    run.see({"订单": (ORDERS_HEADER, orders(5))})
    rows = orders(5)
    rows[2][5] = 1500                  # SO-003: 1003 -> 1500, sheet row 5 (title, header, 2 rows above)
    rows[4][6] = date(2026, 11, 20)    # SO-005 due date
    assert brief(run.see({"订单": (ORDERS_HEADER, rows)})) == [
        (CHANGED, "orders", "SO-003", "quantity", "1003", "1500", "F5"),
        (CHANGED, "orders", "SO-005", "due_date", "2026-12-01", "2026-11-20", "G7"),
    ]


def test_insert_above_sort_and_blank_rows_change_nothing(tmp_path):
    run = Run(tmp_path)
    base = orders(6)
    run.see({"订单": (ORDERS_HEADER, base), "生产进度": (PRODUCTION_HEADER, production(["SO-001", "SO-002"]))})
    shuffled = [base[5], [None] * 9, base[3], base[0], [None] * 9, base[1], base[4], base[2]]
    prod = production(["SO-002", "SO-001"])[::-1]
    assert run.see({"订单": (ORDERS_HEADER, shuffled), "生产进度": (PRODUCTION_HEADER, prod)}).changes == []
    # a later edit points at the row where the order sits now, not where it was first seen
    shuffled[2][5] = 7
    (change,) = run.see({"订单": (ORDERS_HEADER, shuffled), "生产进度": (PRODUCTION_HEADER, prod)}).changes
    assert (change.key, change.cell, change.old, change.new) == ("SO-004", "F5", "1004", "7")


def test_an_edit_next_to_blank_cells_is_one_change(tmp_path):
    run = Run(tmp_path)
    rows = [order("SO-001", 100, None, color=None, status=None)]
    run.see({"订单": (ORDERS_HEADER, rows)})
    rows[0][5] = 120
    assert brief(run.see({"订单": (ORDERS_HEADER, rows)})) == [(CHANGED, "orders", "SO-001", "quantity", "100", "120", "F3")]


def test_a_value_that_only_changed_its_form_is_not_a_change(tmp_path):
    run = Run(tmp_path)
    run.see({"订单": (ORDERS_HEADER, [order("SO-001", "1,200", "2026/9/5"), order("SO-002", 800, 46270)])})
    again = [order(" so-001 ", 1200, datetime(2026, 9, 5)), order("SO-002", "800件", "2026-09-05")]
    assert run.see({"订单": (ORDERS_HEADER, again)}).changes == []   # 46270 is 2026-09-05 as an Excel serial


def test_an_unreadable_value_is_remembered_as_typed(tmp_path):
    run = Run(tmp_path)
    run.see({"订单": (ORDERS_HEADER, [order("SO-001", "12OO")])})
    assert brief(run.see({"订单": (ORDERS_HEADER, [order("SO-001", 1200)])})) == [
        (CHANGED, "orders", "SO-001", "quantity", "12OO", "1200", "F3")]


def test_rows_added_and_removed(tmp_path):
    run = Run(tmp_path)
    run.see({"订单": (ORDERS_HEADER, orders(12))})
    rows = orders(12)[1:] + [order("SO-100", 50)]
    cycle = run.see({"订单": (ORDERS_HEADER, rows)})
    assert [(c.kind, c.key, c.row) for c in cycle.changes] == [(ADDED, "SO-100", 14), (REMOVED, "SO-001", 3)]
    assert '"quantity": "50"' in cycle.of(ADDED)[0].new and '"quantity": "1001"' in cycle.of(REMOVED)[0].old
    assert cycle.findings == []


def test_duplicate_keys_are_told_apart_by_occurrence(tmp_path):
    run = Run(tmp_path)
    rows = [order("SO-001", 100), order("SO-001", 200), order("SO-002", 300)]
    run.see({"订单": (ORDERS_HEADER, rows)})
    rows[1][5] = 250
    assert brief(run.see({"订单": (ORDERS_HEADER, rows)})) == [
        (CHANGED, "orders", "SO-001#2", "quantity", "200", "250", "F4")]


def test_rows_without_a_key_fall_back_to_their_content(tmp_path):
    run = Run(tmp_path)
    rows = [order("SO-001"), order(None, 5, color="红色"), order(None, 6, color="蓝色")]
    run.see({"订单": (ORDERS_HEADER, rows)})
    assert run.see({"订单": (ORDERS_HEADER, [rows[2], rows[0], rows[1]])}).changes == []
    rows[2][3] = "绿色"     # an edit is found by content: the closest row, one change (issue 15 item 1)
    assert [(c.kind, c.field, c.old, c.new) for c in run.see({"订单": (ORDERS_HEADER, rows)}).changes] == [
        (CHANGED, "color", "蓝色", "绿色")]


def test_a_truncated_save_records_no_deletions_until_confirmed(tmp_path):
    run = Run(tmp_path)
    nos = [f"SO-{i:03d}" for i in range(1, 13)]
    full = {"订单": (ORDERS_HEADER, orders(12)), "生产进度": (PRODUCTION_HEADER, production(nos))}
    run.see(full)
    cut = {"订单": (ORDERS_HEADER, orders(12)), "生产进度": (PRODUCTION_HEADER, production(nos[:3]))}
    held = run.see(cut)
    assert held.changes == []
    (finding,) = held.findings
    assert (finding.rule, finding.sheet) == ("sheet-truncated", "生产进度")
    assert "“生产进度”工作表看起来被截断或改名了" in finding.message
    assert len(run.see(cut).findings) == 1          # held: still one finding, still no deletions
    assert run.see(full).changes == [] and run.see(full).findings == []   # recovered: nothing happened
    run.see(cut)
    assert confirm_brake(run.state, "production")
    confirmed = run.see(cut)
    assert len(confirmed.of(REMOVED)) == 18 and confirmed.findings == []
    assert run.see(cut).changes == []


def test_an_emptied_tab_is_held(tmp_path):
    run = Run(tmp_path)
    run.see({"订单": (ORDERS_HEADER, orders(3)), "生产进度": (PRODUCTION_HEADER, production(["SO-001"]))})
    cycle = run.see({"订单": (ORDERS_HEADER, orders(3)), "生产进度": (PRODUCTION_HEADER, [])})
    assert cycle.changes == [] and [f.sheet for f in cycle.findings] == ["生产进度"]


def test_a_renamed_pinned_sheet_is_held_and_recovers(tmp_path):
    run = Run(tmp_path, pinned={"orders": "订单", "production": "生产进度"})
    book = {"订单": (ORDERS_HEADER, orders(4)), "生产进度": (PRODUCTION_HEADER, production(["SO-001"]))}
    run.see(book)
    renamed = {"订单": (ORDERS_HEADER, orders(4)), "生产进度 (2)": (PRODUCTION_HEADER, production(["SO-001"]))}
    cycle = run.see(renamed)
    assert cycle.changes == []
    assert "生产进度" in {f.sheet for f in cycle.findings}
    back = run.see(book)
    assert back.changes == [] and back.findings == []


def test_a_renamed_sheet_found_by_its_header_changes_nothing(tmp_path):
    run = Run(tmp_path)
    run.see({"订单": (ORDERS_HEADER, orders(4))})
    assert run.see({"订单登记": (ORDERS_HEADER, orders(4))}, title=False).changes == []


def test_a_lost_header_is_held(tmp_path):
    run = Run(tmp_path)
    run.see({"订单": (ORDERS_HEADER, orders(4)), "生产进度": (PRODUCTION_HEADER, production(["SO-001"] * 6))})
    headless = {"订单": (ORDERS_HEADER, orders(4)), "生产进度": (["", "", "", "", ""], production(["SO-001"] * 6))}
    cycle = run.see(headless)
    assert cycle.of(REMOVED) == [] and [f.rule for f in cycle.findings] == ["sheet-truncated"]


def test_a_sequence_of_versions_gives_exactly_this_ledger(tmp_path):
    run = Run(tmp_path)
    v = orders(4)
    run.see({"订单": (ORDERS_HEADER, v)})
    v[0][5] = "1,500"                                   # 1001 -> 1500
    run.see({"订单": (ORDERS_HEADER, v)})
    v.insert(0, order("SO-009", 90))                    # a new order on top
    run.see({"订单": (ORDERS_HEADER, v)})
    v.sort(key=lambda r: r[0], reverse=True)            # sorted: nothing
    run.see({"订单": (ORDERS_HEADER, v)})
    v = [r for r in v if r[0] != "SO-002"]              # deleted
    v[0][3] = "白色"                                     # SO-009 recoloured
    run.see({"订单": (ORDERS_HEADER, v)})
    run.see({"订单": (ORDERS_HEADER, v)})                # re-read: nothing
    ledger = [(c.seen_at[11:13], c.kind, c.key, c.field, c.old, c.new)
              for key in ("SO-001", "SO-002", "SO-009") for c in history(run.state, key)]
    assert ledger == [
        ("10", CHANGED, "SO-001", "quantity", "1001", "1500"),
        ("13", REMOVED, "SO-002", None, ledger[1][4], None),
        ("11", ADDED, "SO-009", None, None, ledger[2][5]),
        ("13", CHANGED, "SO-009", "color", "黑色", "白色"),
    ]


def test_stored_rows_are_written_as_pandas_writes_json_lines_whatever_the_cells_hold():
    """``json_records`` cuts the JSON array instead of splitting lines: cells holding braces, commas, quotes,
    backslashes, slashes, newlines and the very text of a record boundary come out as ``lines=True`` has them."""
    import random

    import pandas as pd

    from sync.changes.ledger import json_records

    rng = random.Random(19)
    pieces = ["}", "{", ",", '"', "\\", ":", "a", "订", "\n", "/", " ", "},{", '},{"', '"quantity":', '},{"quantity":']
    for _ in range(300):
        rows = rng.randrange(1, 25)
        columns = rng.choice([["quantity", "note"], ["order_no", "a/b", "备注"], ["note"], ['"q"', "x"], [",x", "y"]])
        frame = pd.DataFrame({c: [rng.choice(["".join(rng.choice(pieces) for _ in range(rng.randrange(6))), None,
                                              rng.random() * 1000, rng.randrange(100), float("nan")])
                                  for _ in range(rows)] for c in columns})
        assert json_records(frame) == frame.to_json(orient="records", lines=True, force_ascii=False).splitlines()


def test_a_change_names_its_order_as_the_sheet_writes_it(tmp_path):
    """The ledger files an order under its normalised key (``SO-100``) and shows its number as written
    (``so-100``) in what it records and says, for an added row and for an edited one alike."""
    run = Run(tmp_path)
    run.see({"订单": (ORDERS_HEADER, orders(3) + [order("so-101", 70)])})
    rows = orders(3) + [order("so-101", 75), order("so-100", 50)]
    cycle = run.see({"订单": (ORDERS_HEADER, rows)})
    assert sorted((c.kind, c.key, c.order_key, c.order_no) for c in cycle.changes) == [
        (ADDED, "SO-100", "SO-100", "so-100"), (CHANGED, "SO-101", "SO-101", "so-101")]

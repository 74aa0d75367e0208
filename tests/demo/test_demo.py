"""The demo register: its layout, its seeded mistakes, its messy forms, and clean invariants."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from sync.demo import data as D
from sync.demo.register import MISTAKE_KINDS, build_register, show_value
from sync.demo.mistakes import lookalike
from sync.tables.fields import TABLES, alias_index, header_key
from sync.tables.normalize import parse_date_text, parse_number_text

TODAY = date(2026, 11, 20)
ORDER_HEADERS = ["订单号", "下单日期", "客户", "款号", "颜色", "尺码", "订单数量", "单价", "金额", "交货日期",
                 "付款方式", "跟单员", "状态", "备注"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("demo") / "register.xlsx"
    return build_register(path, today=TODAY)


@pytest.fixture(scope="module")
def book(demo) -> openpyxl.Workbook:
    return openpyxl.load_workbook(demo.path)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("clean") / "register.xlsx"
    return build_register(path, orders=200, today=TODAY, mistakes=False, seed=7)


def sheets_of(path: Path) -> dict[str, list[list[Any]]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}


def number(v: Any) -> float | None:
    if v is None or v == "":
        return None
    return float(v) if isinstance(v, (int, float)) else parse_number_text(v)


def day(v: Any) -> date | None:
    if v is None or v == "":
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    parsed = parse_date_text(v)
    assert parsed is not None, v
    return parsed.date()


def records(sheet: list[list[Any]], header_row: int, table: str) -> list[dict[str, Any]]:
    """Data rows as {canonical field: value}, skipping blank rows and the totals row."""
    fields = list(D.HEADERS["zh"][table])
    out = []
    for row in sheet[header_row:]:
        if all(v in (None, "") for v in row) or row[0] in ("合计", "Total"):
            continue
        out.append({f: None if v == "" else v for f, v in zip(fields, row)})  # calamine reads blank as ""
    return out


def test_tabs_header_title_and_totals(demo, book) -> None:
    wb = book
    assert wb.sheetnames == list(D.SHEETS["zh"].values())
    assert demo.sheets == D.SHEETS["zh"]
    ws = wb["订单登记"]
    assert ws["A1"].value == "2026年 订单登记表" and "A1:N1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value.startswith("更新日期：2026-11-20")
    assert [c.value for c in ws[3]] == ORDER_HEADERS
    last = ws.max_row
    assert ws[f"A{last}"].value == "合计"
    assert ws[f"G{last}"].value == f"=SUM(G4:G{last - 1})" and ws[f"I{last}"].value == f"=SUM(I4:I{last - 1})"
    blank = [r for r in range(4, last) if all(c.value is None for c in ws[r])]
    assert len(blank) == 1 and 4 < blank[0] < last - 1
    assert ws.max_row == 3 + demo.orders + 2
    for table, name in D.SHEETS["zh"].items():
        if table != "orders":
            assert [c.value for c in wb[name][1]] == list(D.HEADERS["zh"][table].values())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_headers_are_recognised_by_the_alias_table(lang: str) -> None:
    for table, labels in D.HEADERS[lang].items():
        index = alias_index(TABLES[table])
        assert {f: index.strong.get(header_key(label)) for f, label in labels.items()} == {f: f for f in labels}


def test_each_seeded_mistake_is_in_its_cell(demo, book) -> None:
    assert sorted(m.kind for m in demo.mistakes) == sorted(MISTAKE_KINDS)
    assert len({m.order_no for m in demo.mistakes}) == len(demo.mistakes)
    wb, cal = book, sheets_of(demo.path)
    for m in demo.mistakes:
        assert show_value(wb[m.sheet][m.cell].value) == m.value, m
        column = openpyxl.utils.column_index_from_string(re.match(r"[A-Z]+", m.cell)[0])
        assert show_value(cal[m.sheet][m.row - 1][column - 1]) == m.value, m
        header = D.HEADERS["zh"][next(t for t, s in demo.sheets.items() if s == m.sheet)][m.field]
        assert wb[m.sheet].cell(3 if m.sheet == "订单登记" else 1, column).value == header


def test_mistakes_look_like_their_kind(demo) -> None:
    by = {m.kind: m for m in demo.mistakes}
    assert by["implausible-year"].value.startswith("2062")
    assert by["required-blank"].value == ""
    assert "O" in by["unparseable-quantity"].value and number(by["unparseable-quantity"].value) is None
    assert by["unknown-customer"].value not in {c.name for c in D.CUSTOMERS}
    orders = records(sheets_of(demo.path)["订单登记"], 3, "orders")
    numbers = [str(r["order_no"]).strip() for r in orders]
    assert numbers.count(by["duplicate-order"].value) == 2
    assert by["orphan"].value not in numbers and by["orphan"].value in {lookalike(n) for n in numbers}
    assert lookalike("SO-2611-017") == "SO-2611-0l7" and lookalike("SO-2611-002") == "SO-2611-O02"


def test_messy_but_legal_forms(demo) -> None:
    cal = sheets_of(demo.path)
    texts = []
    for table, name in demo.sheets.items():
        if table in ("orders", "materials", "production", "qc", "shipping"):
            top = 3 if table == "orders" else 1
            for rec in records(cal[name], top, table):
                texts += [(f, v) for f, v in rec.items() if isinstance(v, str)]
    qty = [v for f, v in texts if f.endswith("qty") or f == "quantity"]
    for pattern in (r"^\d{1,3}(,\d{3})+$", r"^\d+件$", r"^\d+ pcs$", r"^[０-９]+$"):
        assert any(re.match(pattern, v) for v in qty), pattern
    prices = [v for f, v in texts if f == "unit_price"]
    assert any(v.startswith("¥") for v in prices) and any(v.startswith("RMB ") for v in prices)
    dates = [v for f, v in texts if f.endswith(("_date", "_on", "_start", "_finish")) or f == "eta"]
    for pattern in (r"^\d{4}/\d\d/\d\d$", r"^\d{4}\.\d{1,2}\.\d{1,2}$", r"^\d{4}年\d{1,2}月\d{1,2}日$",
                    r"^\d{1,2} [A-Z][a-z]{2} \d{4}$"):
        assert any(re.match(pattern, v) for v in dates), pattern
    assert [v for v in dates if not parse_date_text(v)] == []
    mistaken = {m.value for m in demo.mistakes}
    assert all(number(v) is not None for v in qty + prices if v not in mistaken)
    assert any(v != v.strip() for f, v in texts if f == "order_no")


def test_messy_share_is_small(clean) -> None:
    cal = sheets_of(clean.path)
    rows = records(cal["订单登记"], 3, "orders")
    cells = [r[f] for r in rows for f in ("quantity", "unit_price", "order_date", "due_date")]
    share = sum(isinstance(v, str) for v in cells) / len(cells)
    assert 0.02 < share < 0.12


def test_same_seed_same_register(tmp_path: Path) -> None:
    a = build_register(tmp_path / "a.xlsx", orders=60, seed=5, today=TODAY, fast=True)
    b = build_register(tmp_path / "b.xlsx", orders=60, seed=5, today=TODAY, fast=True)
    c = build_register(tmp_path / "c.xlsx", orders=60, seed=6, today=TODAY, fast=True)
    assert sheets_of(a.path) == sheets_of(b.path) != sheets_of(c.path)
    assert [m.__dict__ for m in a.mistakes] == [m.__dict__ for m in b.mistakes]


def test_fast_mode_writes_the_same_data(tmp_path: Path) -> None:
    slow = build_register(tmp_path / "slow.xlsx", orders=80, today=TODAY)
    fast = build_register(tmp_path / "fast.xlsx", orders=80, today=TODAY, fast=True)
    assert sheets_of(slow.path) == sheets_of(fast.path)
    assert [m.cell for m in slow.mistakes] == [m.cell for m in fast.mistakes]


def test_english_register(tmp_path: Path) -> None:
    m = build_register(tmp_path / "en.xlsx", orders=80, lang="en", today=TODAY)
    cal = sheets_of(m.path)
    assert list(cal) == ["Orders", "Materials", "Production", "QC", "Shipping", "Customers", "People"]
    assert cal["Orders"][0][0] == "2026 Order Register" and cal["Orders"][2][0] == "Order No"
    assert cal["Orders"][-1][0] == "Total"
    assert {r[2] for r in cal["People"][1:]} >= {"Merchandiser", "Manager"}


def test_clean_register_keeps_the_invariants(clean) -> None:
    assert clean.mistakes == []
    cal = sheets_of(clean.path)
    s = clean.sheets
    orders = records(cal[s["orders"]], 3, "orders")
    by_no = {r["order_no"]: r for r in orders}
    assert len(by_no) == len(orders) == clean.orders
    assert all(re.fullmatch(r"SO-\d{4}-\d{3}", n) for n in by_no)
    customers = {r["customer"] for r in records(cal[s["customers"]], 1, "customers")}
    statuses = set(D.STATUSES["zh"].values())
    for r in orders:
        assert day(r["due_date"]) >= day(r["order_date"]) and TODAY.year - 1 <= day(r["due_date"]).year <= TODAY.year + 1
        assert r["customer"] in customers and r["status"] in statuses
        assert abs(number(r["quantity"]) * number(r["unit_price"]) - r["amount"]) < 0.01
    dept = {t: defaultdict(list) for t in ("materials", "production", "qc", "shipping")}
    for table in dept:
        for r in records(cal[s[table]], 1, table):
            assert r["order_no"].strip() in by_no
            dept[table][r["order_no"].strip()].append(r)
    passed = {}
    for no, rows in dept["qc"].items():
        for r in rows:
            assert number(r["passed_qty"]) + number(r["failed_qty"]) == number(r["inspected_qty"])
        passed[no] = sum(number(r["passed_qty"]) for r in rows)
    for no, rows in dept["shipping"].items():
        shipped = sum(number(r["shipped_qty"]) for r in rows)
        assert shipped <= passed[no]
        if by_no[no]["status"] == "已发货":
            assert abs(shipped / number(by_no[no]["quantity"]) - 1) <= 0.03
    for no, rows in dept["production"].items():
        order = [D.WORDS["zh"]["stages"].index(r["stage"]) for r in rows]
        assert order == list(range(len(rows)))
        done = [number(r["completed_qty"]) for r in rows]
        assert done == sorted(done, reverse=True) and done[0] <= number(by_no[no]["quantity"]) * 1.05
    for no, r in by_no.items():
        assert (r["status"] == "已发货") <= (no in dept["shipping"])
    assert {r["status"] for r in orders} == statuses

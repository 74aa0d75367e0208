"""Checks that judge a real register by its own measure: its own span of years, slips of the hand
against meant differences in an amount, what an orders table must say (what and how many).

Each test writes a real workbook with openpyxl and reads and checks it as ``ordersync check`` does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from sync.checks.pipeline import check_register
from sync.checks.slips import is_slip
from sync.findings import ERROR, WARNING
from sync.sources.excel import ExcelSource
from sync.tables.register import load
from tests.cli.workbooks import book

TODAY = dt.date(2026, 9, 1)
HEAD = ["订单号", "订单日期", "客户", "产品名称", "单价", "数量", "金额", "交货日期"]


def write(path: Path, rows: list[list], head: list[str] = HEAD) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "订单登记表"
    ws.append(head)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def findings(path: Path, rule: str) -> list[tuple[int, str]]:
    register = load([ExcelSource(path.name, path)])
    report = check_register(register, None, lang="en", today=TODAY)
    return sorted((f.row, f.severity) for f in report.findings if f.rule == rule)


def order(n: int, ordered: dt.date, qty: int = 100, price: float = 10.0, amount: float | None = None) -> list:
    return [f"SO-{n:03d}", ordered, "ACME", "Roller", price, qty, qty * price if amount is None else amount,
            ordered + dt.timedelta(days=40)]


def test_a_register_of_past_years_is_judged_by_its_own_years(tmp_path):
    """A 2019-2021 book read in 2026: its years are its own, not typos; 2062 typed once still is one."""
    rows = [order(n, dt.date(2019 + n % 3, 1 + n % 12, 10)) for n in range(1, 40)]
    rows.append([*order(40, dt.date(2020, 5, 6))[:7], dt.date(2062, 6, 20)])
    path = write(tmp_path / "old.xlsx", rows)
    assert findings(path, "implausible-year") == [(41, ERROR)]


def test_a_year_typed_wrong_down_a_block_stays_wrong(tmp_path):
    """Four rows of 2062 are well used, but stand apart from the register's 2026: still typos."""
    rows = [order(n, dt.date(2026, 1 + n % 8, 10)) for n in range(1, 40)]
    rows += [[*order(n, dt.date(2026, 8, 1))[:7], dt.date(2062, 9, 20)] for n in range(40, 44)]
    path = write(tmp_path / "block.xlsx", rows)
    assert findings(path, "implausible-year") == [(r, ERROR) for r in range(41, 45)]


def test_a_date_running_on_from_the_registers_years_is_no_typo(tmp_path):
    """A 2016-2017 book: an order of 2017-12-20 due 2018-01-29 runs on past its last year (Superstore's ship
    dates of early January); 2062 typed once is still a typo."""
    rows = [order(n, dt.date(2016 + n % 2, 1 + n % 12, 10)) for n in range(1, 40)]
    rows.append(order(40, dt.date(2017, 12, 20)))
    rows.append([*order(41, dt.date(2017, 5, 6))[:7], dt.date(2062, 6, 20)])
    path = write(tmp_path / "runs-on.xlsx", rows)
    assert findings(path, "implausible-year") == [(42, ERROR)]


def test_an_old_year_no_slip_explains_is_to_confirm_not_an_error(tmp_path):
    """Five lines of 2020-12-10 in a 2026 register (old sales orders still open): no swapped digit or
    slipped decade gives 2020 from a year near today, so it asks to confirm; 2016 (2026 with a decade
    slipped) and 1926 (a century) stay errors."""
    rows = [order(n, dt.date(2026, 1 + n % 8, 10)) for n in range(1, 60)]
    rows += [order(n, dt.date(2020, 12, 10)) for n in range(60, 65)]
    rows += [order(65, dt.date(2016, 3, 4)), order(66, dt.date(1926, 3, 4))]
    path = write(tmp_path / "old-lines.xlsx", rows)
    got = findings(path, "implausible-year")
    assert [r for r, s in got if s == WARNING] == list(range(61, 66))   # their due dates (2021-01-19) are in range
    assert [r for r, s in got if s == ERROR] == [66, 66, 67, 67]
    register = load([ExcelSource("old-lines.xlsx", path)])
    report = check_register(register, None, lang="zh", today=TODAY)
    said = next(f for f in report.findings if f.rule == "implausible-year" and f.row == 61)
    assert "请确认" in said.message and "旧单" in said.hint


def test_an_amount_off_by_a_slip_is_an_error_and_a_meant_difference_a_warning(tmp_path):
    day = dt.date(2026, 5, 1)
    rows = [order(1, day, 1000, 8.1, 8100), order(2, day, 1000, 12.465, 12645),   # digits swapped
            order(3, day, 100, 12.0, 12000),                                       # an extra zero
            order(4, day, 10000, 0.8, 8190),                                       # freight added
            order(5, day, 16, 16.0, 0),                                            # a free sample
            order(6, day, 2, 13.5, 300),                                           # a minimum charge
            order(7, day, 3200, 18.3, 50697.5),                                    # a discount
            order(8, day, 450, 10.0, 1234)]                                        # far below, no reason
    path = write(tmp_path / "amounts.xlsx", rows)
    assert findings(path, "amount-mismatch") == [(3, ERROR), (4, ERROR), (5, WARNING), (6, WARNING),
                                                 (7, WARNING), (8, WARNING), (9, ERROR)]


def test_slips_of_the_hand():
    assert all(is_slip(a, e) for a, e in [(12645, 12465), (12416, 124416), (1244160, 124416), (1246.5, 12465)])
    assert not any(is_slip(a, e) for a, e in [(8190, 8000), (8500, 8100), (0, 256), (300, 27), (12465, 12465)])


def test_a_payments_log_keyed_by_order_number_is_not_an_orders_table(tmp_path):
    head = ["状态", "客户", "订单号", "收汇日期", "收汇金额", "手续费", "货币"]
    rows = [[None, "ACME", f"250454{n // 2}", dt.date(2025, 3, 1 + n), 1000.0 * (n + 1), None, "USD"]
            for n in range(8)]
    register = load([ExcelSource("收汇.xlsx", write(tmp_path / "收汇.xlsx", rows, head))])
    assert "orders" not in register.tables
    with_qty = write(tmp_path / "orders.xlsx", [[*r[:4], 5, *r[4:]] for r in rows],
                     [*head[:4], "数量", *head[4:]])
    assert "orders" in load([ExcelSource("orders.xlsx", with_qty)]).tables


def test_an_orders_own_line_in_a_shortage_list_is_a_note_not_a_blank_material(tmp_path):
    """A shortage list (yintu's MC 欠料清单) gives a fully kitted order one line, "已齊套" where the material code
    goes, no material and no quantity: asked about as a note line. A material line with its quantity but no
    material name is still an error."""
    head = ["訂單編號", "物料編號", "物項名称", "工單需求", "到货数量"]
    rows = [[f"MSO{n}", f"216-{n}", f"PP-{n} 銀色", 100 + n, None] for n in range(1, 12)]
    rows += [["MSO20", "已齊套", None, None, None], ["MSO21", "216-99", None, 40, None]]
    path = book(tmp_path / "shortage.xlsx", {"欠料清单": [head, *rows]})
    register = load([ExcelSource(path.name, path)])
    assert "materials" in register.tables
    report = check_register(register, None, lang="zh", today=TODAY)
    blanks = sorted((f.row, f.severity) for f in report.findings if f.rule == "required")
    assert blanks == [(13, WARNING), (14, ERROR)]
    note = next(f for f in report.findings if f.rule == "required" and f.row == 13)
    assert note.message == "物項名称 未填写，这一行也没有工單需求、到货数量：是一条说明行？请确认"


def test_a_negative_shipment_is_asked_about_as_a_return_and_a_zero_one_stays_an_error(tmp_path):
    """An ERP sales export books a return as a negative line (赛卓 销货明细's -6000): a warning asking whether
    it is one; a shipment of 0 ships nothing and stays an error."""
    head = ["订单号", "出货日期", "出货数量", "客户"]
    rows = [[f"SO-{n:03d}", dt.date(2026, 8, n), 100 * n, "ACME"] for n in range(1, 9)]
    rows += [["SO-009", dt.date(2026, 8, 20), -600, "ACME"], ["SO-010", dt.date(2026, 8, 21), 0, "ACME"]]
    path = book(tmp_path / "出货.xlsx", {"出货明细": [head, *rows]})
    register = load([ExcelSource(path.name, path)])
    assert "shipping" in register.tables
    report = check_register(register, None, lang="zh", today=TODAY)
    said = {f.row: f for f in report.findings if f.rule == "shipped-positive"}
    assert {r: f.severity for r, f in said.items()} == {10: WARNING, 11: ERROR}
    assert said[10].message == "出货数量 为 -600，是负数：是退货（红字）吗？请确认"

"""Header and table recognition on registers written the way people write them."""

from __future__ import annotations

from pathlib import Path


from sync.config import TableConfig
from sync.tables.register import Register, load
from sync.sources import open_path
from tests.tables.sheetkit import write_book as _save

ZH = ["订单号", "客户", "款号", "订单数量", "交货日期", "跟单员"]


def _rows(n: int = 5, start: int = 1) -> list[list]:
    return [[f"PO-{i:03d}", f"客户{i % 3}", f"ST-{i}", 100 * i, f"2026-09-{i:02d}", "王芳"] for i in range(start, start + n)]


def _load(path: Path, configured: dict | None = None) -> Register:
    register = load([open_path(path)], configured)
    assert not register.problems, register.problems
    return register


def test_title_banner_notes_blank_rows_and_legend_above_the_header(tmp_path: Path) -> None:
    rows = [["2026年订单跟进表"], ["更新于 2026-05-01"], [], ["图例: 黄色=加急"], ZH, *_rows(3)]
    path = _save(tmp_path, {"订单": rows}, merges={"订单": ["A1:F1"]})
    orders = _load(path).tables["orders"]
    assert orders.header_row == 5 and len(orders) == 3
    assert orders.data["_row"].tolist() == [6, 7, 8]
    assert orders.cell("quantity", 7) == "D7" and orders.columns["due_date"].header == "交货日期"
    assert orders.data["quantity"].tolist() == [100, 200, 300]


def test_header_on_row_nine(tmp_path: Path) -> None:
    rows = [[], [], ["", "", "note: exported"], [], [], [], [], [], ZH, *_rows(2)]
    orders = _load(_save(tmp_path, {"Sheet1": rows})).tables["orders"]
    assert orders.header_row == 9 and orders.data["_row"].tolist() == [10, 11]


def test_two_row_header_with_merged_group(tmp_path: Path) -> None:
    rows = [["订单号", "客户", "交货日期", "数量", "", "备注"],
            ["", "", "", "订单数量", "已出货", ""],
            ["PO-1", "ACME", "2026-09-15", 1200, 300, ""]]
    path = _save(tmp_path, {"订单": rows}, merges={"订单": ["D1:E1", "A1:A2", "B1:B2", "C1:C2", "F1:F2"]})
    orders = _load(path).tables["orders"]
    assert orders.header_row == 2 and orders.columns["quantity"].letter == "D"
    assert orders.columns["quantity"].header == "数量/订单数量"
    assert orders.data["_row"].tolist() == [3] and orders.data["quantity"].tolist() == [1200]


def test_english_headers(tmp_path: Path) -> None:
    header = ["PO #", "Style No.", "Buyer", "Order Qty", "Ex-factory Date", "Merchandiser"]
    orders = _load(_save(tmp_path, {"Orders": [header, *_rows(2)]})).tables["orders"]
    assert {f: c.header for f, c in orders.columns.items()} == {
        "order_no": "PO #", "product": "Style No.", "customer": "Buyer", "quantity": "Order Qty",
        "due_date": "Ex-factory Date", "follower": "Merchandiser"}


def test_traditional_chinese_headers(tmp_path: Path) -> None:
    header = ["訂單編號", "客戶名稱", "款號", "訂單數量", "交貨日期", "跟單員"]
    orders = _load(_save(tmp_path, {"訂單": [header, *_rows(2)]})).tables["orders"]
    assert set(orders.columns) == {"order_no", "customer", "product", "quantity", "due_date", "follower"}


def test_totals_blank_separators_and_trailing_formatted_rows(tmp_path: Path) -> None:
    rows = [ZH, *_rows(2), [], ["小计", "", "", 300, "", ""], *_rows(2, start=3), [None] * 6,
            ["合计", "", "", 1000, "", ""], ["Total", "", "", 1000, "", ""]]
    orders = _load(_save(tmp_path, {"订单": rows}, styled_tail=20)).tables["orders"]
    assert orders.data["order_no"].tolist() == ["PO-001", "PO-002", "PO-003", "PO-004"]
    assert orders.data["_row"].tolist() == [2, 3, 6, 7]


def test_guidance_row_under_the_header_is_skipped(tmp_path: Path) -> None:
    rows = [ZH, ["必填", "客户全称", "见款式表", "填件数", "格式: 年-月-日", "姓名"], *_rows(2)]
    orders = _load(_save(tmp_path, {"订单": rows})).tables["orders"]
    assert orders.data["_row"].tolist() == [3, 4] and not orders.bad["quantity"].any()


def test_unparseable_values_are_kept_and_marked(tmp_path: Path) -> None:
    rows = [ZH, ["PO-1", "ACME", "S1", "很多", "下周", "王芳"]]
    orders = _load(_save(tmp_path, {"订单": rows})).tables["orders"]
    assert orders.bad["quantity"].tolist() == [True] and orders.raw_text("quantity", 0) == "很多"
    assert orders.bad["due_date"].tolist() == [True] and orders.raw_text("due_date", 0) == "下周"


def test_each_sheet_is_its_own_table(tmp_path: Path) -> None:
    sheets = {
        "订单": [ZH, *_rows(3)],
        "物料": [["订单号", "物料名称", "供应商", "需求数量", "预计到货"], ["PO-001", "面料", "宏达", 300, "2026-08-01"]],
        "出货": [["订单号", "出货日期", "出货数量", "物流单号"], ["PO-001", "2026-09-01", 100, "SF123"]],
        "客户": [["客户编码", "客户名称", "联系人", "邮箱"], ["C1", "ACME", "Li", "li@acme.cn"],
                 ["C2", "Beta", "Wu", "wu@beta.cn"]],
    }
    tables = _load(_save(tmp_path, sheets)).tables
    assert {n: t.sheet for n, t in tables.items()} == {
        "orders": "订单", "materials": "物料", "shipping": "出货", "customers": "客户"}


def test_a_supplier_list_is_not_customer_orders(tmp_path: Path) -> None:
    header = ["采购单号", "供应商名称", "物料名称", "采购数量", "交货日期"]
    register = _load(_save(tmp_path, {"Sheet1": [header, ["P-1", "宏达", "拉链", 500, "2026-08-01"]]}))
    assert set(register.tables) == {"materials"}


def test_transactions_with_customer_codes_are_not_a_customer_master(tmp_path: Path) -> None:
    header = ["订单号", "客户编号", "客户名称", "订单数量"]
    rows = [[f"PO-{i}", "C1" if i % 2 else "C2", "ACME", 10] for i in range(20)]
    register = _load(_save(tmp_path, {"Sheet1": [header, *rows], "Sheet2": [header, *rows]}))
    assert "customers" not in register.tables and "orders" in register.tables


def test_a_sheet_without_order_numbers_is_not_a_register(tmp_path: Path) -> None:
    rows = [["日期", "人员", "型号", "数量", "工艺"], ["6.1", "张三", "113-78", 136, "喷涂"]]
    register = _load(_save(tmp_path, {"生产日报": rows}))
    assert not register.tables and register.notes


def test_a_key_value_block_above_the_header_is_not_glued_to_it(tmp_path: Path) -> None:
    rows = [["质量检验报告"], [], ["报告编号", "QR-1"], ["生产厂家", "宏达"], ZH, *_rows(2)]
    orders = _load(_save(tmp_path, {"订单": rows})).tables["orders"]
    assert orders.header_row == 5 and orders.columns["order_no"].header == "订单号"


def test_config_pins_sheet_header_row_columns_and_aliases(tmp_path: Path) -> None:
    rows = [["说明"], ["单据", "买方代码", "件", "走货", "Ref"], ["X-1", "ACME", 12, "2026-09-15", "PO-9"]]
    path = _save(tmp_path, {"Data": rows, "Other": [ZH, *_rows(2)]})
    cfg = TableConfig(source=path.name, sheet="Data", header_row=2,
                      columns={"quantity": "C", "due_date": "走货"}, aliases={"customer": ["买方代码"]})
    orders = _load(path, {"orders": cfg}).tables["orders"]
    assert orders.sheet == "Data" and orders.header_row == 2
    assert orders.columns["quantity"].letter == "C" and orders.columns["due_date"].header == "走货"
    assert orders.columns["customer"].header == "买方代码"
    assert orders.data["due_date"].tolist()[0].isoformat().startswith("2026-09-15")


def test_config_alias_finds_an_unusual_header(tmp_path: Path) -> None:
    rows = [["Ref", "Customer", "Qty"], ["X-1", "ACME", 12]]
    path = _save(tmp_path, {"Book": rows})
    cfg = TableConfig(source=path.name, aliases={"order_no": ["Ref"]})
    orders = _load(path, {"orders": cfg}).tables["orders"]
    assert orders.columns["order_no"].header == "Ref" and orders.data["order_no"].tolist() == ["X-1"]


def test_a_column_headed_order_that_repeats_the_quantity_is_not_the_order_number(tmp_path: Path) -> None:
    """A machine plan's "Order" column holds the ordered quantity (100000 beside a Production Order of 100000):
    taking it as the order number would make every row an order nobody has."""
    head = ["Num.", "Product", "Production Order", "Start Date", "Current production", "Order"]
    rows = [[i, f"Cup {i}", q, "2026-01-31", 0, q] for i, q in enumerate([100000, 125000, 0, 12000, 7000], 1)]
    path = _save(tmp_path, {"SPEED 280": [head, *rows]})
    register = load([open_path(path)])
    table = next(iter(register.tables.values()), None)
    assert table is None or "order_no" not in table.columns


def test_numeric_order_numbers_stay_order_numbers(tmp_path: Path) -> None:
    rows = [[2008236 + i, f"客户{i}", f"ST-{i}", 100 * i, f"2026-09-{i:02d}", "王芳"] for i in range(1, 6)]
    orders = _load(_save(tmp_path, {"订单": [ZH, *rows]})).tables["orders"]
    assert orders.columns["order_no"].letter == "A"


def test_a_counter_column_of_codes_is_the_key_of_a_sheet_without_one(tmp_path: Path) -> None:
    """A delivery plan keyed by item: "No" holds '|0200226010|38.10|…', not 1, 2, 3; it names the rows."""
    head = ["No", "Item code", "Customer Name", "Total Qty", "PO Date"]
    rows = [[f"|02002{i:05d}|38.10|NBC", f"|02002{i:05d}|38.10|NBC", "VPIC1", 100 * i, "20/10/2023"]
            for i in range(1, 9)]
    orders = _load(_save(tmp_path, {"CUS030": [head, *rows]})).tables["orders"]
    assert orders.columns["order_no"].letter == "A"


def test_a_counter_column_that_counts_is_never_the_key(tmp_path: Path) -> None:
    head = ["No", "Style", "Buyer", "Qty", "Ex-factory Date"]
    rows = [[i, f"ST-{i}", "ACME", 100 * i, f"2026-09-{i:02d}"] for i in range(1, 9)]
    register = _load(_save(tmp_path, {"Orders": [head, *rows]}))
    assert all("order_no" not in t.columns for t in register.tables.values())


def test_a_work_order_tracker_with_milestone_dates_is_the_orders_table(tmp_path: Path) -> None:
    """One row per work order with Completed/Pending looks like a production plan, but a date column per
    milestone (sales request, drawing release, costing sign-off, PO, FG start) makes it the order tracker."""
    import datetime as dt

    header = ["Sl. No", "Work Order", "Product", "Qty", "Completed", "Pending", "Sales Request", "Drawing Release",
              "Costing Sign Off", "PO Completion", "FG Start"]
    day = dt.datetime(2026, 7, 1)
    rows = [[i, f"WO-{i:03d}", f"Model {i}", 100 * i, 50 * i, 50 * i,
             *(day + dt.timedelta(days=7 * i + 10 * k) for k in range(5))] for i in range(1, 7)]
    tables = _load(_save(tmp_path, {"Inputs": [header, *rows]})).tables
    assert list(tables) == ["orders"]
    orders = tables["orders"]
    assert orders.columns["order_no"].letter == "B" and orders.columns["order_date"].letter == "G"
    assert len(orders) == 6

    plan = ["工单号", "产品", "计划数量", "完成数量", "计划开始", "计划完成"]
    rows = [[f"WO-{i:03d}", f"P{i}", 100, 40, day, day + dt.timedelta(days=9)] for i in range(1, 7)]
    assert list(_load(_save(tmp_path, {"排产": [plan, *rows]}, name="plan.xlsx")).tables) == ["production"]


def test_a_daily_output_sheet_with_a_calendar_across_its_header_is_production(tmp_path: Path) -> None:
    """订单号 | 工序 | 计划数 | 9/1 … 9/10 | 累计: the days across the header are its labels, not a row of data; 累计 is
    the quantity done, and a 累计 over the order is found on its cell."""
    import datetime as dt

    from sync.checks.pipeline import check_register

    days = [dt.datetime(2026, 9, d) for d in range(1, 11)]
    daily = [["订单号", "工序", "计划数", *days, "累计"]]
    for n, per_day in enumerate((80, 100, 145), start=1):
        daily.append([f"SO-{n}", "车缝", 1000, *([per_day] * 10), per_day * 10])
    orders = [["订单号", "客户", "款号", "订单数量", "下单日期", "交货日期", "跟单员", "状态"]]
    orders += [[f"SO-{n}", "优衣库", "K1", 1000, dt.datetime(2026, 8, 1), dt.datetime(2026, 9, 30), "张伟", "生产中"]
               for n in (1, 2, 3)]
    reg = _load(_save(tmp_path, {"订单": orders, "车缝日产量": daily}, name="daily.xlsx"))
    production = reg.get("production")
    assert production is not None and production.sheet == "车缝日产量"
    assert {f: production.columns[f].header for f in ("order_no", "stage", "quantity", "completed_qty")} == {
        "order_no": "订单号", "stage": "工序", "quantity": "计划数", "completed_qty": "累计"}
    found = check_register(reg, None, lang="en", today=dt.date(2026, 9, 11)).findings
    assert [(f.rule, f.cell) for f in found if f.severity == "error"] == [("stage-over-ordered", "N4")]


def test_a_row_of_a_few_unrelated_dates_is_still_data() -> None:
    import datetime as dt

    from sync.tables.detect import _calendar_run

    assert _calendar_run(["SO-1", dt.date(2026, 8, 1), dt.date(2026, 9, 30), dt.date(2026, 10, 2)]) == set()
    assert _calendar_run(["W", dt.date(2026, 9, 7), dt.date(2026, 9, 14), dt.date(2026, 9, 21)]) == {1, 2, 3}
    assert _calendar_run([dt.date(2026, 9, 1), dt.date(2026, 9, 2)]) == set()

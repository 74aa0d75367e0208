"""Headers and keys as people really type them (issue 14): folding, any key, line keys, composite keys,
two-row group headers, how sure recognition is, and the language of the headers."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.sources import open_path
from sync.sources.base import Grid
from sync.tables.detect import map_labels, recognise
from sync.tables.reading import describe, read_sheet, workbook_language
from sync.tables.fields import header_key
from sync.tables.register import Register, load
from tests.tables.sheetkit import write_book as _save

ROWS = [["A-1001", "ACME", "ST-1", 1200, "2026-09-15"], ["A-1002", "Beta", "ST-2", 800, "2026-09-20"],
        ["A-1003", "ACME", "ST-3", 600, "2026-10-01"]]


def _load(path: Path) -> Register:
    register = load([open_path(path)])
    assert not register.problems, register.problems
    return register


def _grids(path: Path) -> list[Grid]:
    source = open_path(path)
    return list(source.read([s.name for s in source.sheets()]))


def _letters(table) -> dict[str, str]:
    return {f: c.letter for f, c in table.columns.items()}


# --- how people type headers ------------------------------------------------------------------

@pytest.mark.parametrize("typed,folded", [
    ("生 產 單 号", "生产单号"), ("客\u3000戶", "客户"), ("交\u00a0貨\u00a0期", "交货期"), ("（訂單編號）", "订单编号"),
    ("Del. Date", "deliverydate"), ("Delivery Dt", "deliverydate"), ("Unite Price", "unitprice"), ("Q'ty", "qty"),
    ("Qty.", "qty"),
])
def test_header_key_folds_how_people_type(typed: str, folded: str) -> None:
    assert header_key(typed) == folded


@pytest.mark.parametrize("table,field,label", [
    ("orders", "order_no", "生 產 單 号"), ("orders", "order_no", "訂單編號\n(已勾測料)"),
    ("orders", "quantity", "數量(Pcs)"), ("orders", "quantity", "Qty (pcs)"), ("orders", "quantity", "數量（Pcs）"),
    ("orders", "unit_price", "单价(USD)"), ("orders", "unit_price", "Unite Price"), ("orders", "unit_price", "Net Price"),
    ("orders", "quantity", "Qty."), ("orders", "quantity", "Q'ty"), ("orders", "due_date", "Del. Date"),
    ("orders", "due_date", "Delivery Dt"), ("orders", "due_date", "交貨期"), ("orders", "due_date", "客期"),
    ("orders", "due_date", "Ngày giao hàng\nETD"), ("production", "quantity", "SL\nSheet"),
    ("orders", "product", "TÊN SẢN PHẨM\nMaterial Name"), ("orders", "customer", "客 戶 名 稱"),
    ("orders", "order_date", "Order placement date"), ("orders", "due_date", "Order deadline"),
    ("materials", "material", "存货名称"), ("materials", "expected_date", "计划到货日期"),
    ("materials", "po_no", "Purchasing Document"), ("orders", "amount", "Net Value"),
    ("orders", "order_date", "签订日期"), ("orders", "order_date", "簽訂日期"),
])
def test_typed_headers_find_their_field(table: str, field: str, label: str) -> None:
    assert field in map_labels([label], table), f"{label!r} should be {table}.{field}"


# --- any key, not only 订单号 -----------------------------------------------------------------

KEYS = ["订单号", "合同号", "生产单号", "项目号", "工单号", "制令单号", "訂單編號", "PO", "PO No.", "PO#", "P.O.",
        "Purchasing Document", "Purchase Order", "Job No.", "Work Order", "WO No", "NO.ORDER", "Order ID", "SO No."]


@pytest.mark.parametrize("key", KEYS)
def test_any_key_name_makes_an_orders_table(tmp_path: Path, key: str) -> None:
    header = [key, "Customer", "Style", "Qty", "Delivery Date"]
    orders = _load(_save(tmp_path, {"Sheet1": [header, *ROWS]})).tables["orders"]
    assert orders.columns["order_no"].letter == "A" and orders.data["order_no"].tolist()[0] == "A-1001"
    [match] = [m for m in recognise(_grids(_save(tmp_path, {"Sheet1": [header, *ROWS]}))[0]) if m.table == "orders"]
    assert match.key == ["order_no"] and not match.composite


def test_a_line_key_is_its_own_field_never_the_product(tmp_path: Path) -> None:
    header = ["Purchasing Document", "Item", "Material", "Order Quantity", "Delivery Date", "Net Price"]
    rows = [["4500001", 10, "M-100", 50, "2026-09-01", 3.5], ["4500001", 20, "M-200", 70, "2026-09-08", 2.0]]
    path = _save(tmp_path, {"PO lines": [header, *rows]})
    orders = _load(path).tables["orders"]
    assert _letters(orders)["order_no"] == "A" and _letters(orders)["line_no"] == "B"
    assert _letters(orders)["product"] == "C" and orders.data["line_no"].tolist() == ["10", "20"]
    [match] = [m for m in recognise(_grids(path)[0]) if m.table == "orders"]
    assert match.key == ["order_no", "line_no"]


@pytest.mark.parametrize("counter", ["序号", "No.", "#", "SL No"])
def test_a_row_counter_is_not_a_key_and_a_composite_key_is_chosen(tmp_path: Path, counter: str) -> None:
    header = [counter, "款号", "客户", "数量", "交期", "单价"]
    rows = [[i + 1, f"ST-{i}", "ACME", 100 * (i + 1), "2026-09-15", 2.5] for i in range(4)]
    path = _save(tmp_path, {"Sheet1": [header, *rows]})
    orders = _load(path).tables["orders"]
    assert "order_no" not in orders.columns and "line_no" not in orders.columns
    assert _letters(orders)["product"] == "B" and _letters(orders)["customer"] == "C"
    [match] = recognise(_grids(path)[0])
    assert match.table == "orders" and match.key == ["product", "customer"] and match.composite
    assert "composite key" in describe(read_sheet(_grids(path)[0]), "en")


def test_a_composite_key_needs_the_table_around_it(tmp_path: Path) -> None:
    """Style and customer alone, with nothing else of an order, are a price list or a contact list."""
    path = _save(tmp_path, {"Sheet1": [["款号", "客户", "备注"], ["ST-1", "ACME", ""], ["ST-2", "Beta", "x"]]})
    assert recognise(_grids(path)[0]) == []


def test_erp_purchase_export_with_u8_names(tmp_path: Path) -> None:
    header = ["行号", "订单号", "供应商编码", "存货编码", "存货名称", "计划到货日期", "数量", "到货数量"]
    rows = [[1, "000003601", "V01", "C-1", "轴承", "2021-10-09", 100, 100],
            [2, "000003601", "V01", "C-2", "螺栓", "2021-10-12", 500, 0]]
    materials = _load(_save(tmp_path, {"采购": [header, *rows]})).tables["materials"]
    assert _letters(materials) | {} == {"line_no": "A", "order_no": "B", "supplier": "C", "material": "E",
                                        "expected_date": "F", "required_qty": "G", "arrived_qty": "H"}
    assert materials.data["order_no"].tolist() == ["000003601", "000003601"]


def test_traditional_headers_with_spaces_and_units(tmp_path: Path) -> None:
    header = ["序號", "生 產 單 号", "客\u3000戶", "款 號", "數量(Pcs)", "單價（USD）", "客期"]
    rows = [[1, "SO-1", "ACME", "ST-1", 1200, 2.5, "2026-09-15"], [2, "SO-2", "Beta", "ST-2", 300, 3.0, "2026-09-30"]]
    orders = _load(_save(tmp_path, {"8月": [["2026年8月订单"], header, *rows]})).tables["orders"]
    assert orders.header_row == 2
    assert _letters(orders) == {"order_no": "B", "customer": "C", "product": "D", "quantity": "E", "unit_price": "F",
                                "due_date": "G"}
    assert orders.columns["quantity"].header == "數量(Pcs)"


def test_bilingual_vietnamese_headers_with_line_breaks(tmp_path: Path) -> None:
    header = ["NO.ORDER", "NGÀY SX\nDate of Production", "TÊN SẢN PHẨM\nMaterial", "SL\nSheet", "Brand",
              "Ngày Sản xuất hoàn thành", "Out put\nThực tế", "Ngày giao hàng\nETD"]
    rows = [["ORD-1", "20/4", "Insole A", 300, "NIKE", "2026-04-22", 300, "2026-04-25"],
            ["ORD-2", "21/4", "Insole B", 500, "ADIDAS", "2026-04-23", 200, "2026-04-28"]]
    path = _save(tmp_path, {"W17-2026": [[None, None, None, 800], header, *rows]})
    [match] = [m for m in recognise(_grids(path)[0]) if m.table == "production"]
    letters = {f: chr(65 + c) for f, c in match.mapping.items()}
    assert match.header_row_1based == 2 and letters["order_no"] == "A" and letters["quantity"] == "D"
    assert letters["product"] == "C" and letters["completed_qty"] == "G" and letters["planned_start"] == "B"
    assert match.language == "en"


# --- two-row headers with group labels --------------------------------------------------------

def test_group_and_leaf_labels_read_together(tmp_path: Path) -> None:
    groups = ["生产订单", "", "", "", "报检", "", "检验", "", "入库", ""]
    leaves = ["生产订单号码", "行号", "物料名称", "数量", "单号", "数量", "单号", "数量", "单号", "数量"]
    rows = [["MO-1", 1, "硫化机", 10, "BJ-1", 10, "JY-1", 9, "RK-1", 9],
            ["MO-1", 2, "模具", 2, "BJ-2", 2, "JY-2", 2, "RK-2", 2]]
    path = _save(tmp_path, {"生产时效": [["生产时效性统计表"], groups, leaves, *rows]},
                 merges={"生产时效": ["A2:D2", "E2:F2", "G2:H2", "I2:J2"]})
    production = _load(path).tables["production"]
    assert production.header_row == 3
    assert {f: _letters(production)[f] for f in ("order_no", "line_no", "quantity", "inspected_qty", "received_qty")} \
        == {"order_no": "A", "line_no": "B", "quantity": "D", "inspected_qty": "H", "received_qty": "J"}
    assert production.columns["inspected_qty"].header == "检验/数量"
    assert production.data["received_qty"].tolist() == [9, 2]


def test_english_group_header_over_repeated_leaves(tmp_path: Path) -> None:
    upper = ["Date", "Material in plates", "", "", "Produced from furnace", "", ""]
    lower = ["", "QTY", "Part No", "Size", "QTY", "Part No", "Size"]
    rows = [["2020-01-20", 500, "R-10", "6mm", 480, "R-10", "6mm"]]
    path = _save(tmp_path, {"Plan 1": [upper, lower, *rows]}, merges={"Plan 1": ["A1:A2", "B1:D1", "E1:G1"]})
    [match] = recognise(_grids(path)[0], unsure=True)[:1]
    letters = {f: chr(65 + c) for f, c in match.mapping.items()}
    assert letters["quantity"] == "B" and letters["product"] == "C" and match.header_row_1based == 2


# --- how sure recognition is ------------------------------------------------------------------

def test_recognition_says_recognised_probable_or_not_a_table(tmp_path: Path) -> None:
    sheets = {
        "订单": [["订单号", "客户", "款号", "数量"], *[r[:4] for r in ROWS]],
        "生产日报": [["日期", "人员", "型号", "数量", "工艺"], ["6.1", "张三", "113-78", 136, "喷涂"]],
        "说明": [["本表由跟单部维护"], ["如有疑问请联系王芳"]],
    }
    readings = {g.sheet: read_sheet(g) for g in _grids(_save(tmp_path, sheets))}
    assert {s: r.verdict for s, r in readings.items()} == {"订单": "recognised", "生产日报": "probable", "说明": "none"}
    orders = readings["订单"].match
    assert orders.table == "orders" and orders.missing == ["due_date"]
    assert describe(readings["订单"], "en") == "orders: header on row 1, key = A 订单号 (missing: due date)"
    probable = readings["生产日报"].match
    assert probable.table == "production" and probable.missing[0] == "order_no"
    assert describe(readings["生产日报"], "en").startswith("probably production (missing: order no")
    assert describe(readings["生产日报"], "zh").startswith("可能是生产表 (缺: 订单号")
    assert describe(readings["说明"], "en") == "not a table"


def test_a_probable_table_is_never_loaded(tmp_path: Path) -> None:
    register = _load(_save(tmp_path, {"生产日报": [["日期", "人员", "型号", "数量", "工艺"], ["6.1", "张三", "113-78", 136, "喷涂"]]}))
    assert not register.tables


def test_every_same_layout_sheet_is_reported(tmp_path: Path) -> None:
    header = ["订单号", "客户", "款号", "数量", "交期"]
    grids = _grids(_save(tmp_path, {"8月": [header, *ROWS], "9月": [header, *ROWS], "10月": [header, *ROWS]}))
    assert [(g.sheet, recognise(g)[0].table) for g in grids] == [("8月", "orders"), ("9月", "orders"),
                                                                  ("10月", "orders")]


def test_a_blank_template_under_a_header_is_not_a_table(tmp_path: Path) -> None:
    header = ["序号", "日期", "机台", "项目号", "产品型号", "产量"]
    rows = [[i, None, None, None, None, 0] for i in range(1, 40)]
    path = _save(tmp_path, {"1月份": [header, *rows]})
    assert not _load(path).tables
    assert read_sheet(_grids(path)[0]).verdict == "probable"


# --- the language of the headers --------------------------------------------------------------

def test_the_language_of_a_workbook_comes_from_its_headers(tmp_path: Path) -> None:
    en = _save(tmp_path, {"Orders": [["PO No.", "Customer", "Style", "Qty", "Ex-factory Date"], *ROWS]})
    assert workbook_language([read_sheet(g) for g in _grids(en)]) == "en"
    zh = tmp_path / "zh"
    zh.mkdir()
    assert workbook_language([read_sheet(g) for g in _grids(_save(zh, {"订单": [
        ["订单号", "客户", "Style", "数量", "交期"], *ROWS]}))]) == "zh"
    assert workbook_language([]) is None


# --- init writes what it chose as the key -----------------------------------------------------

def test_init_config_says_which_columns_identify_a_row(tmp_path: Path) -> None:
    from sync.tables.scaffold import render_config

    keyed = _save(tmp_path, {"Sheet1": [["PO No.", "Line", "Customer", "Style", "Qty", "Delivery Date"],
                                        ["P-1", 1, "ACME", "ST-1", 10, "2026-09-01"]]})
    source = open_path(keyed)
    text = render_config([source], load([source]))
    assert "# rows are identified by A PO No. + B Line" in text and 'line_no = "Line"' in text
    other = tmp_path / "composite"
    other.mkdir()
    composite = _save(other, {"Sheet1": [["No.", "Style", "Buyer", "Qty", "Ex-factory Date"],
                                         [1, "ST-1", "ACME", 10, "2026-09-01"]]})
    source = open_path(composite)
    text = render_config([source], load([source]))
    assert "rows are identified by B Style + C Buyer together (a guess" in text


# --- the real trackers (corpus/trackers; manifest.json truth) ---------------------------------

TRACKERS = [  # file, sheet, table, header row (the last row of a two-row header), key as column letters
    ("alonorder__订单表.xlsx", "订单登记表", "orders", 1, ["D"]),
    ("foamplan__Production_Plan_W17.xlsx", "W17-2026", "production", 2, ["A"]),
    ("foamplan__W16-Prodcution_plan.xlsx", "W16-2026", "production", 10, ["A"]),
    ("hoangpipe__PO.xlsx", "CUS030", "orders", 4, ["A"]),   # no PO number: the item key under "No" (truth)
    ("kusokpi__生产时效性统计表-20211001-20211031.xlsx", "生产时效性统计表", "production", 3, ["A", "B"]),
    ("kusokpi__采购时效性统计表-20211001-20211031.xlsx", "采购时效性统计表", "materials", 3, ["B", "A"]),
    ("qosi__Production_Plan.xlsx", "Clinet Orders", "orders", 2, ["F"]),
]


@pytest.mark.parametrize("name,sheet,table,header_row,key", TRACKERS, ids=[t[0] for t in TRACKERS])
def test_real_trackers_are_recognised_with_their_key(corpus: Path, name: str, sheet: str, table: str,
                                                     header_row: int, key: list[str]) -> None:
    source = open_path(corpus / "trackers" / name)
    [grid] = source.read([sheet])
    reading = read_sheet(grid, source.name.rsplit(".", 1)[0])
    match = reading.match
    assert reading.verdict == "recognised" and match.table == table and match.header_row_1based == header_row
    assert [chr(65 + match.mapping[f]) for f in match.key] == key

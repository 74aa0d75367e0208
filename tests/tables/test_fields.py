"""The alias table knows the header names real registers use."""

from __future__ import annotations

import pytest

from sync.tables.detect import map_labels
from sync.tables.fields import TABLES, header_key

VARIANTS = [
    ("orders", "order_no", ["订单号", "订单编号", "合同号", "合同编号", "生产单号", "制单号", "客户订单号", "PO #", "PO No.",
                            "PO_NUMBER", "Order ID", "Order No", "Order Number", "SO#", "SO單號", "訂單編號", "Contract No.",
                            "订单号\n(必填)", "单号"]),
    ("orders", "customer", ["客户", "客户名称", "客户简称", "客戶名稱", "Customer", "Customer Name", "Buyer", "Client",
                            "品牌", "买方"]),
    ("orders", "quantity", ["订单数量", "订货数量", "下单数量", "訂單數量", "数量(PCS)", "数量Pcs", "Order Qty", "QTY",
                            "Quantity", "PO Qty", "件数"]),
    ("orders", "due_date", ["交期", "交货期", "交货日期", "交貨日期", "客户交期", "出货日期", "船期", "Ex-factory Date",
                            "ETD", "Delivery Date", "Due Date", "XFD", "Ship Date"]),
    ("orders", "order_date", ["下单日期", "订单日期", "接单日期", "Order Date", "PO Date", "創建日期"]),
    ("orders", "product", ["款号", "款式", "Style No.", "Style", "品名", "产品型号", "货号", "Item No.", "SKU", "Article"]),
    ("orders", "unit_price", ["单价", "含税单价", "FOB", "Unit Price", "单价(元)"]),
    ("orders", "amount", ["金额", "订单金额", "总金额", "Amount", "订单金额(RMB)", "金额RMB"]),
    ("orders", "follower", ["跟单员", "跟单", "业务员", "Merchandiser", "负责人", "HandleBy"]),
    ("orders", "status", ["状态", "订单状态", "Status", "狀態"]),
    ("orders", "remarks", ["备注", "Remarks", "Comments", "備註", "订单备注"]),
    ("orders", "color", ["颜色", "色号", "Colour", "Color"]),
    ("orders", "size", ["尺码", "Size"]),
    ("materials", "supplier", ["供应商", "供应商名称", "供货商名称", "Vendor", "Supplier"]),
    ("materials", "po_no", ["采购单号", "采购订单号", "请购单号", "Purchase Order"]),
    ("materials", "material", ["物料名称", "面料", "辅料", "材料名称", "物項名称", "Material"]),
    ("materials", "arrived_date", ["到货日期", "实际到货", "入库日期", "Arrival Date"]),
    ("materials", "arrived_qty", ["到货数量", "已入库数量", "允收数量", "Received Qty"]),
    ("materials", "required_qty", ["需求数量", "采购数量", "用量", "工單需求\n(已估計)"]),
    ("production", "stage", ["工序", "Stage", "Process"]),
    ("production", "completed_qty", ["完成数量", "实际产出", "产量", "Output"]),
    ("production", "line", ["产线", "组别", "Line"]),
    ("qc", "failed_qty", ["不合格数量", "不良数", "Rejected Qty"]),
    ("qc", "inspected_on", ["检验日期", "验货日期", "Inspection Date"]),
    ("shipping", "shipped_on", ["发货日期", "出货日期", "交易日期", "SHIP_DATE", "Date of document"]),
    ("shipping", "tracking_no", ["物流单号", "运单号", "出库单号", "销货单号", "Tracking No", "PACKING_SLIP_NUMBER"]),
    ("shipping", "shipped_qty", ["发货数量", "出货数量", "Shipped Qty"]),
    ("customers", "customer_code", ["客户编码", "客户编号", "Customer Code"]),
    ("customers", "email", ["邮箱", "E-mail", "电子邮箱"]),
    ("people", "name", ["姓名", "Name"]),
    ("people", "supervisor", ["上级", "主管", "Supervisor"]),
]
CASES = [(t, f, label) for t, f, labels in VARIANTS for label in labels]


def test_the_table_is_broad() -> None:
    assert len(CASES) >= 80


@pytest.mark.parametrize("table,field,label", CASES)
def test_header_variant_maps_to_its_field(table: str, field: str, label: str) -> None:
    assert field in map_labels([label], table), f"{label!r} should be {table}.{field}"


@pytest.mark.parametrize("table,label", [
    ("orders", "State"), ("orders", "訂貨類型"), ("orders", "客户订单号"), ("materials", "采购单位"),
    ("orders", "Remarks/Completed"),
])
def test_look_alikes_do_not_take_the_wrong_field(table: str, label: str) -> None:
    wrong = {"State": "status", "訂貨類型": "quantity", "客户订单号": "customer", "采购单位": "po_no",
             "Remarks/Completed": "quantity"}[label]
    assert map_labels([label], table).get(wrong) is None


def test_header_key_folds_width_case_traditional_and_punctuation() -> None:
    assert header_key("ＰＯ　＃") == "po"
    assert header_key("訂單編號") == header_key("订单编号")
    assert header_key("Ex-factory Date") == "exfactorydate"


def test_every_table_needs_a_field_it_has() -> None:
    for spec in TABLES.values():
        assert spec.needs and set(spec.needs) <= set(spec.fields)
        for ref in spec.against:
            table, name = ref.split(".")
            assert name in TABLES[table].fields

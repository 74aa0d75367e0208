"""What a merchandiser sees in each business workbook of the corpus, written down by hand.

For every file: the tables a person would agree are there (most files hold none
of ours: inventories, plans, forms), the sheet and 1-based header row, and the
header each key field must map to. A tuple means "any of these" where a person
could fairly go either way. A table not listed must not be detected: a wrong
table sends users false alarms, so precision matters more than recall.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Expect:
    sheet: str | tuple[str, ...]
    header_row: int | tuple[int, ...]   # 1-based, paired with sheet when several
    #: field -> header text as the user sees it (or any of several)
    fields: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    #: fields that must not be mapped at all (a wrong column is worse than none)
    absent: tuple[str, ...] = ()


NONE: dict[str, Expect] = {}

EXPECTATIONS: dict[str, dict[str, Expect]] = {
    # ERP open-order backlog: the order register itself; Sheet1 is a pivot-style summary
    "ttt_fa__未交订单.xlsx": {"orders": Expect("Sheet", 1, {
        "order_no": ("单号", "客户单号"), "order_date": "订单日期", "customer": "客户全称",
        "due_date": ("客户要求交期", "回复客户交期"), "quantity": ("订单数量", "未交订单数量"),
        "unit_price": "单价-原币", "follower": "业务员姓名"})},
    # sales delivery lines (销货/出库单号 per row, 订单单号 refers to the order): shipments, not orders;
    # Sheet1 is a copy of Sheet's lines (left out), Sheet2 60 other lines of the same layout (issue 14: a
    # family of same-layout tabs is one table), Sheet3/Sheet4 pasted pivots
    "ttt_semiexcel__赛卓-销货明细.xlsx": {"shipping": Expect(("Sheet", "Sheet2"), (1, 1), {   # one table or both tabs
        "order_no": "订单单号", "shipped_on": "交易日期", "shipped_qty": "数量"})},
    # goods-receipt lines from suppliers: procurement arrivals
    "ttt_semiexcel__赛卓-到货明细.xlsx": {"materials": Expect("Sheet", 1, {
        "order_no": "订单单号", "supplier": ("供应商简称",), "arrived_date": "到货日期",
        "arrived_qty": ("允收数量", "已入库数量")}, absent=("po_no",))},
    # outsourcing orders placed with subcontractors (供应商): a purchase list, never customer orders
    "ttt_semiexcel__赛卓-下单明细.xlsx": {"materials": Expect("Sheet", 1, {
        "order_no": "单号", "supplier": "供应商名称"})},
    "ttt_fa__预测分析.xlsx": NONE,           # forecast vs orders per month, no order numbers
    "ttt_op__安全库存.xlsx": NONE,           # safety stock plan per part
    # MC material-shortage list per production order; the 江門 sheet is the sales-order export
    "yintu__mat_owe_pso.xlsx": {
        "materials": Expect("Sheet1", 2, {"order_no": "訂單編號 (已勾測料)", "material": "物項名称",
                                          "required_qty": "工單需求 (已估計)"}),
        "orders": Expect("江門銀電訂單", 1, {"order_no": "SO單號", "customer": "客戶名稱", "status": "狀態",
                                            "order_date": "創建日期"}, absent=("quantity",)),
        # the P-R sales orders, exported with other columns (no 創建日期): a second orders table (issue 14)
        "orders_p_r清單": Expect("P-R清單", 1, {"order_no": "SO單號", "status": "狀態"}, absent=("quantity",)),
    },
    "yintu__8月9月不缺料订单清单.xlsx": {"orders": Expect("不缺料订单清单", 1, {
        "order_no": ("生产单号", "客户订单号"), "product": "产品型号", "quantity": "数量Pcs", "due_date": "客户交期"},
        absent=("customer",))},
    # extrusion daily output per machine, keyed by 项目号 (the project is the order here: issue 14);
    # one tab per month, most of them zero-formula templates: only the filled tabs are tables,
    # and the filled ones (same layout) are one table
    "jjg__挤压车间生产日报表.xlsx": {"production": Expect(
        (*(f"{m}月份" for m in range(1, 13)), "3月份, 4月份, 5月份, 6月份"), (1,) * 13, {
        "order_no": "项目号", "line": "挤压机", "product": "产品型号"})},
    # purchase-order lines to suppliers
    "jjg__采购订单.xlsx": {"materials": Expect("采购订单", 1, {
        "po_no": "采购订单号", "supplier": "供应商名称", "material": "物料名称", "expected_date": "交货日期",
        "required_qty": ("订购数量", "原需求数量")})},
    "jjg__11.27.xlsx": {"materials": Expect("P202511140770", 1, {
        "po_no": "采购单号", "supplier": "供应商名称", "material": "物料名称", "expected_date": "交货日期"})},
    "jjg__工装模具总台账.xlsx": NONE,        # tooling/mould ledger
    "jjg__包装车间工时清单6月份.xls": NONE,  # piecework log per person
    # supplier delivery self-check; the second sheet is the document-receipt list of the same deliveries, in
    # another layout: two materials tables, the second named after its sheet (issue 14)
    "gtbj__各厂家自查表.xlsx": {
        "materials": Expect("10月14以后资料接收清单", 1, {"order_no": "合同号", "po_no": "请购单号"}),
        "materials_请完善此表": Expect("请完善此表", 2, {
            "order_no": "合同号", "po_no": "请购单号", "supplier": "供货商名称"})},
    "gtbj__质检文件.xlsx": NONE,             # one inspection report form with a key/value block
    "genshipment__装箱单.xlsx": NONE,        # packing lists per carton, no order numbers
    "inventory__库存.xlsx": NONE,
    "inventory__sales.xlsx": NONE,           # retail till lines
    "inventory__单品.xlsx": NONE,            # product master
    "fengailing__订单.xlsx": NONE,           # one replenishment order form, no order numbers
    "poi__64508_delivery_lines_dates.xlsx": {"shipping": Expect("sheet1", 1, {
        "order_no": "Order number", "shipped_on": "Date of document", "shipped_qty": "Quantity - number"})},
    "poi__64667_delivery_lines_serials.xlsx": {"shipping": Expect("sheet1", 1, {
        "order_no": "Order number", "shipped_on": "Date of document", "shipped_qty": "Quantity - number"})},
    "poi__28772_packing_slips.xls": {"shipping": Expect("ExportESNData", 1, {
        "order_no": "PO_NUMBER", "shipped_on": "SHIP_DATE",
        "tracking_no": ("PACKING_SLIP_NUMBER", "VENDOR_TRACKING_NUMBER")})},
    "poi__33082_supplier_inventory.xls": NONE,
    "poi__48962_task_tracker_1904.xlsx": NONE,   # a to-do list
    "poi__bug66675_production_report.xlsx": NONE,
    "pcpp__09-09-2024_plant_planning.xlsx": NONE,
    "pcpp__Week_Production_Plan_2024-09-20.xlsx": NONE,
    "pcpp__Database_weekly_lines.xlsx": NONE,
    "superstore__Sample-Superstore.xls": {"orders": Expect("Orders", 1, {
        "order_no": "Order ID", "order_date": "Order Date", "customer": "Customer Name", "quantity": "Quantity",
        "amount": "Sales", "product": ("Product ID", "Product Name")}, absent=("status",))},
}

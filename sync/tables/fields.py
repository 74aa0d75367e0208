"""The canonical tables and fields, and the header aliases that find them.

Real registers name the same column many ways (订单号 / 合同号 / PO# / Order No.);
this table is the product's memory of those names. ``config.toml`` adds more
under ``[tables.T.aliases]``. Aliases are compared after ``header_key``:
NFKC (full-width to half-width), lower case, traditional characters folded to
simplified, spaces and punctuation removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from sync.tables.labels import header_key, header_variants  # noqa: F401 (re-exported: callers fold labels here)

TEXT, KEY, NUMBER, DATE, EMAIL = "text", "key", "number", "date", "email"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    aliases: tuple[str, ...]
    #: names that map the column when nothing better is there, but say nothing
    #: about which table a sheet is (数量 alone could be any quantity)
    weak: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    name: str
    fields: dict[str, FieldSpec]
    #: words in a sheet name that suggest this table
    sheet_words: tuple[str, ...]
    #: fields that only this table has; a sheet needs one of them (or a matching name)
    signature: tuple[str, ...]
    #: fields that identify a row, in order of preference (see sync.state)
    key: tuple[str, ...] = ("order_no",)
    zh: str = ""
    en: str = ""
    #: a sheet is this table only if one of these fields is there (rows need an identity)
    needs: tuple[str, ...] = ()
    #: "table.field" columns that say a sheet is some other document (a supplier column on
    #: a sheet of orders makes it a purchase list); each one found lowers the score
    against: tuple[str, ...] = ()
    #: when no column identifies a row on its own: field sets that do together (style + customer)
    composite: tuple[tuple[str, ...], ...] = ()
    #: what a person expects of this kind of table; recognition reports those it did not find
    core: tuple[str, ...] = ()
    #: a sheet is this table only if one of these is there too: an order says what and how many (a
    #: payments log keyed by order number, with amounts and customers, is not an orders table)
    substance: tuple[str, ...] = ()
    #: fields read when a sheet is this table that say nothing about whether it is: a production plan
    #: carrying each order's promised day is no more a plan for it, so they never add to its score
    riders: tuple[str, ...] = ()


def F(name: str, type_: str, *aliases: str, weak: tuple[str, ...] = ()) -> FieldSpec:
    return FieldSpec(name, type_, aliases, weak)


_ORDER_NOS = ("订单号", "订单编号", "订单号码", "订单单号", "订单id", "订单no", "销售订单号", "销售单号", "销售订单编号",
              "合同号", "合同编号", "合同单号", "合同号码", "生产单号", "生产订单号", "生产订单号码", "生产订单", "生产单编号",
              "制单号", "工单号", "工单编号", "工令号", "工令单号", "制令单号", "制令号", "生产令号", "生产指令单号", "指令单号",
              "款单号", "单号", "项目号", "项目编号", "工程号", "工程编号", "客户订单号", "客户单号", "客户po号", "po",
              "po#", "pono", "ponumber", "po号", "po单号", "order", "orderno", "ordernumber", "orderid", "order#",
              "no order", "order ref", "order reference", "salesorder", "salesorderno", "sales order number", "so", "so#",
              "sono", "so number", "so号", "so单号", "contractno", "contractnumber", "ordercode", "job", "job no",
              "job number", "job order", "work order", "work order no", "work order number", "wo", "wo no", "wo number",
              "customer po", "customer po no", "buyer po", "mã đơn hàng", "số đơn hàng", "số po")
#: a row number in a register is often headed just 编号 ("number"): it keys orders only when nothing else does
_ORDER_NO_WEAK = ("编号", "单据编号", "单据号", "单据号码")
ORDER_NO = F("order_no", KEY, *_ORDER_NOS, weak=_ORDER_NO_WEAK)
#: a customer's purchase order is the factory's order; on a purchasing sheet the same words are ``po_no``
ORDER_NO_PO = F("order_no", KEY, *_ORDER_NOS, "purchase order", "purchase order no", "purchase order number",
                "purchasing document", "purchasing doc no", "purchase doc", weak=_ORDER_NO_WEAK)
#: the line of a multi-line order; never the product, never the order number
LINE_NO = F("line_no", KEY, "行号", "行次", "项次", "项目行", "行项目", "行项", "订单行号", "明细行号", "采购行号", "line no",
            "lineno", "line number", "line item", "line#", "item", "item line", "pos", "po line", "po item", "order line",
            "so line", "sap item")
#: a row counter ("序号", "No.", "#", "SL No") counts rows: it is never a key
ROW_COUNTERS = frozenset(header_key(w) for w in (
    "序号", "序", "行序", "no", "no.", "#", "nr", "sl no", "s no", "sr no", "sno", "srno", "sn", "stt", "num",
    "number", "seq", "seq no", "index", "idx"))
#: the day the customer is promised the goods: an order's, and a production plan's that carries it
_DUE_DATES = ("交货日期", "交期", "交货期", "货期", "交货时间", "交期日期", "出货日期", "出货期", "船期",
              "走货期", "走货日期", "出厂日期", "交付日期", "要求交期", "约定交期", "订单交期", "客户交期", "客户要求交期",
              "回复客户交期", "合同交期", "计划交期", "最终期限", "due date", "duedate", "delivery date", "deliverydate",
              "ship date", "shipdate", "ex-factory date", "exfactorydate", "exfactory", "ex-fty date", "x-factory date",
              "x-fty date", "x-fty", "ex-fty", "x-factory", "ex factory",
              "xfd", "etd", "crd", "cargo ready date", "required date", "requested date", "need by", "deadline", "delivery",
              "客期", "客户期", "交货日", "要求交货日期", "承诺交期", "order deadline", "delivery deadline", "requested delivery date",
              "delivery time", "ngày giao hàng", "ngày giao")
_PRODUCTS = ("款号", "款式", "款式编号", "款名", "款式名称", "产品", "产品名称", "产品型号", "产品编号", "产品编码", "产品料号",
             "品名", "品号", "货号", "型号", "商品", "商品名称", "货品", "货品名称", "物料号", "客户型号", "客型号", "成品编码",
             "成品料号", "料号", "存货名称", "图号", "零件号", "零件名称", "规格型号", "style", "styleno",
             "style#", "stylenumber", "style name", "product", "productname", "productid", "product code", "itemno",
             "item code", "item number", "item name", "item description", "article", "article no", "sku", "model",
             "part number", "partno", "partnumber", "part#", "part name", "material no", "material number",
             "tên sản phẩm", "mã hàng", "tên hàng")
PRODUCT = F("product", TEXT, *_PRODUCTS, weak=("description", "material", "名称", "规格", "物料名称"))
#: who ordered; on a production plan its Brand column (a rider there: plans list it too)
CUSTOMER = F("customer", TEXT, "客户", "客户名称", "客户名", "客户名字", "客户全称", "客户简称", "客人",
             "买家", "买方", "购货单位", "订货单位", "订货客户", "品牌", "customer", "customername", "customer name", "client",
             "client name", "buyer", "buyer name", "brand", "sold to", "soldto", "sold-to party", "khách hàng", "tên khách hàng",
             # the customer's customer: used only when the sheet names no other
             weak=("终端客户", "终端客户全称", "end customer", "客户编码", "客户代码", "customer code", "customer id"))
REMARKS = F("remarks", TEXT, "备注", "说明", "备注说明", "备注信息", "附注", "remark", "remarks", "note", "notes", "comment",
            "comments", "memo", "ghi chú")
FOLLOWER = F("follower", TEXT, "跟单员", "跟单", "跟单人", "跟单负责人", "负责人", "业务员", "业务员姓名", "业务跟单",
             "业务", "业务担当", "经办人", "业务员名称", "采购员", "merchandiser", "follower", "owner", "salesperson", "sales rep", "salesrep",
             "responsible", "person in charge", "pic", "handled by", "handleby", "account manager")
EMAIL_FIELD = F("email", EMAIL, "邮箱", "电子邮件", "电子邮箱", "电邮", "邮件", "email", "e-mail", "mail", "email address")

TABLES: dict[str, TableSpec] = {}


def _table(name: str, zh: str, en: str, words: tuple[str, ...], signature: tuple[str, ...],
           *fields: FieldSpec, key: tuple[str, ...] = ("order_no",), needs: tuple[str, ...] = (),
           against: tuple[str, ...] = (), composite: tuple[tuple[str, ...], ...] = (),
           core: tuple[str, ...] = (), substance: tuple[str, ...] = (), riders: tuple[str, ...] = ()) -> None:
    TABLES[name] = TableSpec(name, {f.name: f for f in fields}, words, signature, key, zh, en,
                             needs or key[:1], against, composite, core or (needs or key)[:1], substance, riders)


#: a status header that asks a question, answered √ / × (``sync.tables.answers``)
STATUS_QUESTIONS = ("是否完成", "是否已完成", "是否出货", "是否已出货", "是否发货", "是否已发货", "是否交货", "是否已交货",
                    "是否结案", "是否出运", "完成否", "出货否", "发货否", "结案否", "shipped y/n", "completed y/n",
                    "delivered y/n", "closed y/n")

_table(
    "orders", "订单", "orders",
    ("订单", "订单登记", "接单", "下单", "合同", "销售订单", "未交订单", "order", "orders", "po", "register", "backlog"),
    ("order_date", "customer", "quantity", "unit_price", "amount", "due_date", "status", "payment_terms"),
    ORDER_NO_PO,
    LINE_NO,
    F("order_date", DATE, "下单日期", "下单日", "订单日期", "订货日期", "接单日期", "接单日", "签约日期", "合同日期",
      "签订日期", "签订日", "合同签订日期", "签单日期", "单据日期",
      "下单时间", "订单时间", "制单日期", "开单日期", "录单日期", "创建日期", "创建时间", "order date",
      "orderdate", "po date", "podate", "date of order", "date ordered", "order placed", "order placement date", "document date", "created on", "po issue date",
      "sales request", "sales request date"),
    CUSTOMER,
    PRODUCT,
    F("color", TEXT, "颜色", "色号", "颜色名称", "配色", "色别", "颜色色号", "color", "colour", "colorway", "color name"),
    F("size", TEXT, "尺码", "尺寸", "码数", "码段", "尺码段", "规格", "size", "sizes", "size range"),
    F("quantity", NUMBER, "订单数量", "订货数量", "订购数量", "下单数量", "合同数量", "订单量", "订单数", "订货量",
      "数量pcs", "数量件", "件数", "订单件数", "总件数", "订单总数", "订单总数量", "订货", "qty", "quantity", "orderqty",
      "order qty", "orderquantity", "order quantity", "po qty", "po quantity", "total qty", "pcs", "quantity pcs",
      "qty pcs", "pieces", "units", "total units", "po units", "order units", "unit qty", "số lượng", "sl đặt hàng",
      weak=("数量", "总数", "总数量", "数目", "sl")),
    F("unit_price", NUMBER, "单价", "含税单价", "未税单价", "销售单价", "单价原币", "单价(元)", "单价usd", "价格", "售价",
      "fob", "fob价", "fob单价", "unitprice", "unit price", "price", "fobprice", "fob price", "price per unit", "u/price",
      "cost", "net price", "unit cost", "đơn giá"),
    F("amount", NUMBER, "金额", "总金额", "订单金额", "合计金额", "合同金额", "销售金额", "含税金额", "货款", "总价", "总额",
      "原币金额", "amount", "total", "totalamount", "total amount", "total value", "value", "order value",
      "order amount", "sales", "订单金额rmb", "net value", "net amount", "价税合计", "thành tiền"),
    F("due_date", DATE, *_DUE_DATES),
    # the day after which the buyer may cancel an order not yet shipped (US retail POs)
    F("cancel_date", DATE, "cancel date", "cancellation date", "cxl date", "po cancel date", "cancel by",
      "取消日期", "最迟交期", "最晚交期", "最迟出货日期"),
    F("payment_terms", TEXT, "付款方式", "付款条件", "付款条款", "结算方式", "收款方式", "账期", "payment",
      "payment terms", "paymentterms", "payment method", "terms"),
    FOLLOWER,
    F("status", TEXT, "状态", "订单状态", "进度状态", "生产状态", "status", "order status", "结束", *STATUS_QUESTIONS),
    REMARKS,
    against=("materials.supplier", "materials.po_no", "materials.arrived_date", "materials.arrived_qty",
             "shipping.tracking_no", "shipping.shipped_qty", "qc.inspected_qty", "qc.failed_qty"),
    composite=(("product", "customer"),),
    core=("order_no", "customer", "product", "quantity", "due_date"),
    substance=("product", "quantity"),
)

_table(
    "materials", "物料", "materials",
    ("物料", "采购", "面辅料", "面料", "辅料", "原料", "原材料", "到货", "欠料", "bom", "material", "materials",
     "purchasing", "procurement", "purchase", "trims", "fabric"),
    ("material", "required_qty", "supplier", "po_no", "expected_date", "arrived_date", "arrived_qty"),
    ORDER_NO,
    LINE_NO,
    # the purchase order's own date (a U8 purchase report's 订单日期): the clock its lead time runs on
    F("order_date", DATE, "订单日期", "采购日期", "采购订单日期", "下单日期", "订货日期", "制单日期", "po date", "podate",
      "order date", "orderdate", "purchase order date", "document date"),
    F("material", TEXT, "物料", "物料名称", "物料描述", "物项名称", "材料", "材料名称", "面辅料", "面料", "面料名称", "辅料",
      "辅料名称", "原料", "原材料", "物资名称", "设备材料名称", "material", "materialname", "material name",
      "material description", "component", "fabric", "trim", "存货名称", "物料名", "物料描述", "short text",
      weak=("存货编码", "物料编码", "物料代码", "material code")),
    F("required_qty", NUMBER, "需求数量", "需求量", "用量", "需用量", "总用量", "采购数量", "采购量", "请购数量", "订购量",
      "订购数量", "工单需求", "计划用量", "required", "requiredqty", "required qty", "requirement", "qty required",
      "needed", "order quantity", "po quantity", "po qty", weak=("数量",)),
    F("supplier", TEXT, "供应商", "供应商名称", "供应商简称", "供货商", "供货商名称", "厂商", "厂家", "生产厂家", "加工厂",
      "外协厂", "供方", "supplier", "vendor", "suppliername", "supplier name", "vendor name", "mill",
      weak=("供应商编码", "供应商代码", "vendor code", "supplier code")),
    F("po_no", KEY, "采购单号", "采购订单号", "采购单", "采购编号", "采购合同号", "请购单号", "委外单号", "外协单号",
      "purchase order", "purchaseorder", "purchase order no", "po no", "pono", "purchase no", "ponumber",
      "purchasing document", "purchase order number"),
    F("expected_date", DATE, "预计到货", "预计到货日期", "预计到料", "预计到料日期", "计划到货", "计划到料", "要求到货日期",
      "交货日期", "回货日期", "承诺到货", "计划到货日期", "计划到料日期", "expected", "expected date", "expecteddate", "eta",
      "promised date", "delivery date"),
    F("arrived_date", DATE, "实际到货", "实际到货日期", "实际到料", "到货日期", "到货时间", "到料日期", "入库日期", "收货日期",
      "arrived", "arrival date", "arriveddate", "received date", "receiveddate", "received on", "receipt date"),
    F("arrived_qty", NUMBER, "到货数量", "实到数量", "已到数量", "到料数量", "入库数量", "已入库数量", "收货数量", "实收数量",
      "允收数量", "回货数量", "arrivedqty", "arrived qty", "received qty", "receivedqty", "qty received", "receipt qty"),
    REMARKS,
    needs=("order_no", "po_no"),
    against=("shipping.tracking_no", "qc.failed_qty"),
    core=("order_no", "material", "required_qty", "expected_date"),
)

_table(
    "production", "生产", "production",
    ("生产", "进度", "生产进度", "排产", "排程", "车间", "日报", "生产日报", "production", "progress", "wip", "schedule",
     "plan", "planning"),
    ("stage", "line", "planned_start", "planned_finish", "completed_qty", "actual_finish", "received_qty"),
    ORDER_NO_PO,
    F("line_no", KEY, *(a for a in LINE_NO.aliases if header_key(a) != "line")),   # "Line" here: the production line
    PRODUCT,
    F("quantity", NUMBER, "计划数量", "计划数", "计划产量", "生产数量", "排产数量", "投产数量",
      "订单数量", "订货数量", "下单数量", "plan qty", "planned qty",
      "planned quantity", "production qty", "production order", "order qty", "order quantity", "qty", "quantity",
      "required qty", "số lượng", "mrp净算量", "净算量", weak=("数量", "总数", "sl")),   # U8: MRP's net quantity to make
    # a plan often carries each order's promised day (ETD) and its brand beside its own dates (riders)
    F("due_date", DATE, *_DUE_DATES),
    CUSTOMER,
    F("size", TEXT, "尺码", "尺寸", "码数", "规格", "size", "sizes"),   # a plan by part keys its rows by part + size
    F("stage", TEXT, "工序", "工序名称", "生产工序", "当前工序", "工段", "阶段", "环节", "进度节点", "部门", "stage", "process",
      "operation", "step", "工艺"),
    F("line", TEXT, "产线", "生产线", "线别", "拉别", "组别", "班组", "生产班组", "生产组", "车间", "机台", "挤压机", "line",
      "production line", "workshop", "team", "group", "machine", "机器", "设备", "machine no", "máy",
      "load", "loading", "machine load", "chuyền", "dây chuyền"),   # LOAD: the line a plan loads the job on
    F("planned_start", DATE, "计划开始", "计划开始日期", "计划上线", "上线日期", "开始日期", "开拉期", "开拉日期", "开工日期",
      "计划开工", "计划开工日期", "planned start", "plannedstart", "plan start", "start date", "start", "starting date",
      "date of production", "date of producing", "production date", "ngày sx", "fg start"),
    F("planned_finish", DATE, "计划完成", "计划完成日期", "计划完工", "计划下线", "完成日期计划", "planned finish",
      "plannedfinish", "plan finish", "planned end", "finish date", "end date", "target date"),
    F("completed_qty", NUMBER, "完成数量", "完成数", "已完成数量", "已生产数量", "实际产出", "产量", "日产量", "完工数量",
      "累计完成", "累计产量", "累计", "累计数", "累计数量",
      "产出数量", "completed", "completedqty", "completed qty", "output", "done", "qty done",
      "produced", "produced qty", "current production", "achieved", "actual", "actual qty", "实际", "实际数量",
      "实际产量", "实际完成数量", "thực tế", weak=("数量", "completed")),
    F("actual_finish", DATE, "实际完成", "实际完成日期", "实际完工", "完工日期", "actual finish", "actualfinish",
      "finished on", "completion date", "ngày sản xuất hoàn thành"),
    F("inspected_qty", NUMBER, "检验数量", "质检数量", "抽检数量", "qc qty", "qc check qty", "inspected qty", "sl qc check"),
    F("received_qty", NUMBER, "入库数量", "完工入库数量", "入库数", "成品入库数量", "received qty", "fg received",
      "fg qty received"),
    F("updated_on", DATE, "更新日期", "更新时间", "日期", "填报日期", "统计日期", "updated", "updated on", "updatedon",
      "last update", "date"),
    REMARKS,
    key=("order_no", "stage", "line"),
    composite=(("line", "product"),),
    core=("order_no", "product", "quantity", "planned_finish"),
    riders=("due_date", "customer"),
)

_table(
    "qc", "质检", "QC",
    ("质检", "检验", "品检", "验货", "品质", "质量", "qc", "qa", "quality", "inspection"),
    ("inspected_on", "inspected_qty", "passed_qty", "failed_qty", "defect", "action"),
    ORDER_NO,
    F("inspected_on", DATE, "检验日期", "质检日期", "验货日期", "检查日期", "送检日期", "inspection date", "inspected on",
      "inspectedon", "qc date", "date inspected", weak=("日期",)),
    F("inspected_qty", NUMBER, "检验数量", "送检数量", "抽检数量", "验货数量", "质检数量", "抽样数量", "inspected",
      "inspectedqty", "inspected qty", "qty inspected", "inspection qty", "sample size", weak=("数量",)),
    F("passed_qty", NUMBER, "合格数量", "合格数", "良品数", "良品数量", "通过数量", "passed", "passedqty", "passed qty",
      "qty passed", "accepted", "good qty"),
    F("failed_qty", NUMBER, "不合格数量", "不合格数", "不良数", "不良数量", "次品数", "次品数量", "failed", "failedqty",
      "failed qty", "rejected", "rejected qty", "defective qty", "qty failed", "reject qty"),
    F("defect", TEXT, "不良原因", "不良描述", "不良现象", "缺陷", "缺陷描述", "问题描述", "defect", "defects",
      "defect reason", "reason"),
    F("action", TEXT, "处理方式", "处理结果", "处理意见", "处置", "返工", "action", "disposition", "corrective action"),
    # an inspection's verdict where no quantity is kept: 合格 / 不合格, Pass / Fail, OK / NG, 复验
    F("result", TEXT, "检验结果", "验货结果", "质检结果", "检测结果", "判定", "判定结果", "检验判定", "结论", "检验结论",
      "验货结论", "result", "results", "inspection result", "qc result", "verdict", "pass/fail", "pass fail"),
    REMARKS,
    key=("order_no", "inspected_on"),
    core=("order_no", "inspected_on", "inspected_qty"),
)

_table(
    "shipping", "发货", "shipping",
    ("发货", "出货", "出运", "装箱", "物流", "送货", "销货", "交货", "shipping", "shipment", "shipments", "delivery",
     "deliveries", "packing", "dispatch", "logistics"),
    ("shipped_on", "shipped_qty", "carrier", "tracking_no", "eta", "delivered_on"),
    ORDER_NO_PO,
    LINE_NO,
    F("shipped_on", DATE, "发货日期", "出货日期", "出运日期", "发运日期", "送货日期", "出库日期", "销货日期", "交易日期",
      "装运日期", "实际出货日期", "shipped on", "shippedon", "ship date", "shipdate", "shipped date", "dispatch date",
      "date of document", "delivery date", weak=("日期",)),
    F("shipped_qty", NUMBER, "发货数量", "出货数量", "出运数量", "送货数量", "出库数量", "装箱数量", "发运数量", "shipped",
      "shippedqty", "shipped qty", "qty shipped", "ship qty", "delivered qty", "quantity number", weak=("数量",)),
    F("carrier", TEXT, "物流公司", "承运商", "快递公司", "货代", "船公司", "运输方式", "carrier", "forwarder",
      "ship mode", "shipmode", "courier", "shipping company"),
    F("tracking_no", KEY, "物流单号", "运单号", "快递单号", "提单号", "柜号", "出库单号", "出入库单号", "发货单号",
      "出货单号", "送货单号", "销货单号", "销货销退单号", "装箱单号", "tracking", "tracking no", "trackingno",
      "tracking number", "awb", "b/l", "bl no", "vendor tracking number", "document number", "packing slip number",
      "delivery note no", "container no"),
    F("eta", DATE, "预计到达", "预计到达日期", "预计到港", "eta", "estimated arrival"),
    F("delivered_on", DATE, "签收日期", "到达日期", "送达日期", "delivered", "delivered on", "deliveredon",
      "received on", "pod date"),
    REMARKS,
    key=("order_no", "shipped_on", "tracking_no"),
    core=("order_no", "shipped_on", "shipped_qty"),
)

_table(
    "customers", "客户", "customers",
    ("客户", "客户资料", "客户信息", "客户名单", "customer", "customers", "buyers", "clients", "accounts"),
    ("customer_code", "email", "contact"),
    F("customer_code", KEY, "客户编码", "客户编号", "客户代码", "customer code", "customercode", "customer id",
      "customerid", "client id", "buyer code"),
    F("customer", TEXT, "客户名称", "客户", "客户名", "客户全称", "customer", "customer name", "customername", "client",
      "buyer", "name", "名称"),
    F("contact", TEXT, "联系人", "对接人", "contact", "contact name", "contactname", "attn"),
    EMAIL_FIELD,
    FOLLOWER,
    REMARKS,
    key=("customer_code", "customer"),
    needs=("customer_code", "customer"),
)

_table(
    "people", "人员", "people",
    ("人员", "员工", "跟单员", "通讯录", "联系人", "people", "staff", "team", "contacts", "employees", "users"),
    ("email", "role", "supervisor"),
    F("name", TEXT, "姓名", "名字", "人员", "员工", "跟单员", "name", "person", "full name", "employee"),
    EMAIL_FIELD,
    F("role", TEXT, "角色", "职位", "岗位", "职务", "部门", "role", "position", "title", "department", "dept"),
    F("supervisor", TEXT, "上级", "主管", "直属上级", "负责人", "supervisor", "manager", "reports to", "boss"),
    # how a group bot @-mentions the person (optional columns; they say nothing about what the sheet is)
    F("mobile", TEXT, "手机", "手机号", "手机号码", "移动电话", "电话", "联系电话", "mobile", "mobile no", "mobile phone",
      "cell", "cell phone", "phone"),
    F("wecom_id", TEXT, "企业微信", "企业微信id", "企业微信账号", "企微", "企微id", "企微账号", "wecom", "wecom id",
      "wecom userid", "wework id"),
    F("dingtalk_id", TEXT, "钉钉", "钉钉id", "钉钉账号", "钉钉userid", "dingtalk", "dingtalk id", "dingtalk userid"),
    F("feishu_id", TEXT, "飞书", "飞书id", "飞书账号", "飞书openid", "feishu", "feishu id", "feishu open id", "lark id",
      "open id"),
    REMARKS,
    key=("name",),
    riders=("mobile", "wecom_id", "dingtalk_id", "feishu_id"),
)

#: tables whose rows are distinct entities (a master list), not events
MASTERS = ("customers", "people")

@dataclass
class AliasIndex:
    """Alias lookups for one table: exact key -> field, with strength."""

    strong: dict[str, str] = field(default_factory=dict)
    weak: dict[str, str] = field(default_factory=dict)
    #: names of other tables' telling columns ("table.field"), none of which is an alias here
    against: dict[str, str] = field(default_factory=dict)


def alias_index(spec: TableSpec, extra: dict[str, list[str]] | None = None) -> AliasIndex:
    index = AliasIndex()
    for f in spec.fields.values():
        for alias in f.aliases:
            index.strong.setdefault(header_key(alias), f.name)
        for alias in f.weak:
            index.weak.setdefault(header_key(alias), f.name)
        index.strong.setdefault(header_key(f.name), f.name)
    for name, aliases in (extra or {}).items():
        for alias in aliases:
            index.strong[header_key(alias)] = name  # user aliases win
    for ref in spec.against:
        table, name = ref.split(".")
        for alias in TABLES[table].fields[name].aliases:
            key = header_key(alias)
            if key not in index.strong and key not in index.weak:
                index.against[key] = ref
    return index


def layout_label(table: str, field_name: str, label: str) -> str:
    """What a header cell says for the table's layout: the field itself when the label is one of its
    known names (客期 and 交貨期 are the same due date on two monthly tabs), else the folded label."""
    key = header_key(label)
    spec = TABLES[table].fields.get(field_name) if table in TABLES else None
    return f"={field_name}" if spec is not None and key in _strong_keys(spec) else key



@lru_cache(maxsize=None)
def _strong_keys(spec: FieldSpec) -> frozenset[str]:
    return frozenset(header_key(a) for a in spec.aliases)


def field_word(spec: TableSpec, name: str, lang: str) -> str:
    """A field as a person calls it: its first Chinese alias (交货日期), or its name in words (due date)."""
    if lang == "en":
        return name.replace("_no", " no.").replace("_qty", " qty").replace("_", " ")
    return next((a for a in spec.fields[name].aliases if not a.isascii()), name)

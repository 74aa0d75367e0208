"""The canonical tables and fields, and the header aliases that find them.

Real registers name the same column many ways (订单号 / 合同号 / PO# / Order No.);
this table is the product's memory of those names. ``config.toml`` adds more
under ``[tables.T.aliases]``. Aliases are compared after ``header_key``:
NFKC (full-width to half-width), lower case, traditional characters folded to
simplified, spaces and punctuation removed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

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


def F(name: str, type_: str, *aliases: str, weak: tuple[str, ...] = ()) -> FieldSpec:
    return FieldSpec(name, type_, aliases, weak)


ORDER_NO = F("order_no", KEY, "订单号", "订单编号", "订单号码", "订单单号", "销售订单号", "合同号", "合同编号",
             "生产单号", "生产订单号", "生产订单", "制单号", "工单号", "款单号", "单号", "客户订单号", "客户单号",
             "po", "po#", "pono", "ponumber", "order", "orderno", "ordernumber", "orderid", "order#",
             "salesorder", "sono", "contractno", "ordercode", "订单no")
REMARKS = F("remarks", TEXT, "备注", "说明", "备注说明", "remark", "remarks", "note", "notes", "comment", "comments")
FOLLOWER = F("follower", TEXT, "跟单员", "跟单", "跟单人", "负责人", "业务员", "业务员姓名", "业务跟单", "merchandiser",
             "follower", "owner", "salesperson", "salesrep", "responsible", "person in charge", "pic")

TABLES: dict[str, TableSpec] = {}


def _table(name: str, zh: str, en: str, words: tuple[str, ...], signature: tuple[str, ...],
           *fields: FieldSpec, key: tuple[str, ...] = ("order_no",)) -> None:
    TABLES[name] = TableSpec(name, {f.name: f for f in fields}, words, signature, key, zh, en)


_table(
    "orders", "订单", "orders",
    ("订单", "订单登记", "接单", "下单", "合同", "销售订单", "未交订单", "order", "orders", "po", "register", "backlog"),
    ("order_date", "customer", "quantity", "unit_price", "amount", "due_date", "status", "payment_terms"),
    ORDER_NO,
    F("order_date", DATE, "下单日期", "订单日期", "接单日期", "签约日期", "合同日期", "单据日期", "下单时间", "order date",
      "orderdate", "po date", "podate", "date of order", "date ordered", "创建日期"),
    F("customer", TEXT, "客户", "客户名称", "客户名", "客户全称", "客户简称", "终端客户", "终端客户全称", "买家", "品牌",
      "customer", "customername", "customer name", "client", "buyer", "brand", "account"),
    F("product", TEXT, "款号", "款式", "款式编号", "产品", "产品名称", "产品型号", "产品编号", "品名", "品号", "货号",
      "型号", "商品", "商品名称", "物料号", "style", "styleno", "style#", "stylenumber", "product", "productname",
      "productid", "item", "itemno", "article", "sku", "model", "part number", "partno", "partnumber"),
    F("color", TEXT, "颜色", "色号", "颜色名称", "配色", "color", "colour", "colorway"),
    F("size", TEXT, "尺码", "尺寸", "码数", "规格", "size", "sizes", "size range"),
    F("quantity", NUMBER, "订单数量", "订货数量", "订购数量", "下单数量", "合同数量", "订单量", "数量pcs",
      "件数", "订货", "qty", "quantity", "orderqty", "order qty", "orderquantity", "order quantity", "pcs",
      "quantity pcs", weak=("数量", "总数", "总数量")),
    F("unit_price", NUMBER, "单价", "含税单价", "单价原币", "单价(元)", "价格", "fob", "fob价", "unitprice", "unit price",
      "price", "fobprice", "cost"),
    F("amount", NUMBER, "金额", "总金额", "订单金额", "合计金额", "货款", "总价", "原币金额", "amount", "total", "totalamount",
      "total amount", "value", "order value", "sales", "订单金额rmb"),
    F("due_date", DATE, "交货日期", "交期", "交货期", "货期", "出货日期", "出货期", "船期", "交付日期", "要求交期",
      "客户交期", "客户要求交期", "回复客户交期", "合同交期", "计划交期", "due date", "duedate", "delivery date",
      "deliverydate", "ship date", "shipdate", "ex-factory date", "exfactorydate", "exfactory", "xfd", "etd",
      "required date", "need by", "deadline", "delivery"),
    F("payment_terms", TEXT, "付款方式", "付款条件", "结算方式", "账期", "payment", "payment terms", "paymentterms",
      "terms"),
    FOLLOWER,
    F("status", TEXT, "状态", "订单状态", "进度状态", "生产状态", "status", "order status", "state", "结束"),
    REMARKS,
)

_table(
    "materials", "物料", "materials",
    ("物料", "采购", "面辅料", "面料", "辅料", "原料", "原材料", "到货", "欠料", "bom", "material", "materials",
     "purchasing", "procurement", "purchase", "trims", "fabric"),
    ("material", "required_qty", "supplier", "po_no", "expected_date", "arrived_date", "arrived_qty"),
    ORDER_NO,
    F("material", TEXT, "物料", "物料名称", "物料描述", "物项名称", "材料", "材料名称", "面辅料", "面料", "辅料",
      "原料", "material", "materialname", "material name", "component", "fabric", "trim", "设备材料名称"),
    F("required_qty", NUMBER, "需求数量", "需求量", "用量", "需用量", "采购数量", "订购量", "工单需求", "计划用量",
      "required", "requiredqty", "required qty", "requirement", "qty required", "needed", weak=("数量",)),
    F("supplier", TEXT, "供应商", "供应商名称", "供货商", "供货商名称", "厂商", "厂家", "supplier", "vendor",
      "suppliername", "vendor name"),
    F("po_no", KEY, "采购单号", "采购订单号", "采购单", "采购编号", "请购单号", "purchase order", "purchaseorder",
      "po no", "pono", "purchase no", "ponumber"),
    F("expected_date", DATE, "预计到货", "预计到货日期", "预计到料", "预计到料日期", "交货日期", "回货日期", "承诺到货",
      "expected", "expected date", "expecteddate", "eta", "promised date"),
    F("arrived_date", DATE, "实际到货", "实际到货日期", "到货日期", "到料日期", "入库日期", "收货日期", "arrived",
      "arrival date", "arriveddate", "received date", "receiveddate", "received on"),
    F("arrived_qty", NUMBER, "到货数量", "实到数量", "已到数量", "入库数量", "已入库数量", "收货数量", "允收数量",
      "arrivedqty", "arrived qty", "received qty", "receivedqty", "qty received"),
    REMARKS,
)

_table(
    "production", "生产", "production",
    ("生产", "进度", "生产进度", "排产", "排程", "车间", "日报", "生产日报", "production", "progress", "wip", "schedule",
     "plan", "planning"),
    ("stage", "line", "planned_start", "planned_finish", "completed_qty", "actual_finish"),
    ORDER_NO,
    F("stage", TEXT, "工序", "工序名称", "生产工序", "工段", "阶段", "环节", "部门", "stage", "process", "operation",
      "step", "工艺"),
    F("line", TEXT, "产线", "生产线", "线别", "组别", "班组", "生产班组", "车间", "机台", "挤压机", "line",
      "production line", "workshop", "team", "group"),
    F("planned_start", DATE, "计划开始", "计划开始日期", "计划上线", "上线日期", "开始日期", "开拉期", "planned start",
      "plannedstart", "plan start", "start date", "start"),
    F("planned_finish", DATE, "计划完成", "计划完成日期", "计划完工", "计划下线", "完成日期计划", "planned finish",
      "plannedfinish", "plan finish", "planned end", "finish date", "end date", "target date"),
    F("completed_qty", NUMBER, "完成数量", "完成数", "已完成数量", "实际产出", "产量", "完工数量", "累计完成",
      "产出数量", "completed", "completedqty", "completed qty", "output", "done", "qty done", "produced",
      weak=("数量",)),
    F("actual_finish", DATE, "实际完成", "实际完成日期", "实际完工", "完工日期", "actual finish", "actualfinish",
      "finished on", "completion date"),
    F("updated_on", DATE, "更新日期", "更新时间", "日期", "填报日期", "统计日期", "updated", "updated on", "updatedon",
      "last update", "date"),
    REMARKS,
    key=("order_no", "stage", "line"),
)

_table(
    "qc", "质检", "QC",
    ("质检", "检验", "品检", "验货", "品质", "质量", "qc", "qa", "quality", "inspection"),
    ("inspected_on", "inspected_qty", "passed_qty", "failed_qty", "defect", "action"),
    ORDER_NO,
    F("inspected_on", DATE, "检验日期", "质检日期", "验货日期", "检查日期", "inspection date", "inspected on",
      "inspectedon", "qc date", "date inspected", weak=("日期",)),
    F("inspected_qty", NUMBER, "检验数量", "送检数量", "抽检数量", "验货数量", "质检数量", "inspected",
      "inspectedqty", "inspected qty", "qty inspected", "inspection qty", weak=("数量",)),
    F("passed_qty", NUMBER, "合格数量", "合格数", "良品数", "良品数量", "通过数量", "passed", "passedqty", "passed qty",
      "qty passed", "accepted", "good qty"),
    F("failed_qty", NUMBER, "不合格数量", "不合格数", "不良数", "不良数量", "次品数", "failed", "failedqty",
      "failed qty", "rejected", "defective qty", "qty failed", "reject qty"),
    F("defect", TEXT, "不良原因", "不良描述", "缺陷", "缺陷描述", "问题描述", "defect", "defects", "defect reason",
      "reason"),
    F("action", TEXT, "处理方式", "处理结果", "处理意见", "处置", "返工", "action", "disposition", "corrective action"),
    REMARKS,
    key=("order_no", "inspected_on"),
)

_table(
    "shipping", "发货", "shipping",
    ("发货", "出货", "出运", "装箱", "物流", "送货", "销货", "交货", "shipping", "shipment", "shipments", "delivery",
     "deliveries", "packing", "dispatch", "logistics"),
    ("shipped_on", "shipped_qty", "carrier", "tracking_no", "eta", "delivered_on"),
    ORDER_NO,
    F("shipped_on", DATE, "发货日期", "出货日期", "出运日期", "发运日期", "送货日期", "交易日期", "装运日期",
      "shipped on", "shippedon", "ship date", "shipdate", "shipped date", "dispatch date", "date of document",
      "delivery date", weak=("日期",)),
    F("shipped_qty", NUMBER, "发货数量", "出货数量", "出运数量", "送货数量", "装箱数量", "发运数量", "shipped",
      "shippedqty", "shipped qty", "qty shipped", "ship qty", "delivered qty", "quantity number", weak=("数量",)),
    F("carrier", TEXT, "物流公司", "承运商", "快递公司", "货代", "船公司", "运输方式", "carrier", "forwarder",
      "ship mode", "shipmode", "courier", "shipping company"),
    F("tracking_no", KEY, "物流单号", "运单号", "快递单号", "提单号", "柜号", "tracking", "tracking no", "trackingno",
      "tracking number", "awb", "b/l", "bl no", "vendor tracking number", "document number", "packing slip number"),
    F("eta", DATE, "预计到达", "预计到达日期", "预计到港", "eta", "estimated arrival"),
    F("delivered_on", DATE, "签收日期", "到达日期", "送达日期", "delivered", "delivered on", "deliveredon",
      "received on", "pod date"),
    REMARKS,
    key=("order_no", "shipped_on", "tracking_no"),
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
    F("email", EMAIL, "邮箱", "电子邮件", "电邮", "email", "e-mail", "mail", "email address"),
    FOLLOWER,
    REMARKS,
    key=("customer_code", "customer"),
)

_table(
    "people", "人员", "people",
    ("人员", "员工", "跟单员", "通讯录", "联系人", "people", "staff", "team", "contacts", "employees", "users"),
    ("email", "role", "supervisor"),
    F("name", TEXT, "姓名", "名字", "人员", "员工", "跟单员", "name", "person", "full name", "employee"),
    F("email", EMAIL, "邮箱", "电子邮件", "电邮", "email", "e-mail", "mail", "email address"),
    F("role", TEXT, "角色", "职位", "岗位", "职务", "部门", "role", "position", "title", "department", "dept"),
    F("supervisor", TEXT, "上级", "主管", "直属上级", "负责人", "supervisor", "manager", "reports to", "boss"),
    REMARKS,
    key=("name",),
)

# Traditional characters seen in Hong Kong / Taiwan registers, folded for matching.
_TRAD = str.maketrans(
    "訂單編號數貨戶產價額檢驗發運狀態備註顏碼廠應採購實際預計達劃線開員錄間質類務總項簽門倉庫領齊現創規格欄稱據處標準資記錄",
    "订单编号数货户产价额检验发运状态备注颜码厂应采购实际预计达划线开员录间质类务总项签门仓库领齐现创规格栏称据处标准资记录",
)
_PUNCT = re.compile(r"[\s\u3000_\-–—.:：#№/\\,，、;；'\"“”‘’*（）()\[\]【】<>《》?？!！]+")
_PAREN = re.compile(r"[（(\[【][^）)\]】]*[）)\]】]")


def header_key(text: object) -> str:
    """How a header label is compared with aliases."""
    s = unicodedata.normalize("NFKC", str(text)).lower().translate(_TRAD)
    return _PUNCT.sub("", s)


def header_variants(text: object) -> list[str]:
    """The label as a whole, without its parenthetical parts, and each line or part alone.

    '訂單編號\\n(已勾測料)' -> ['订单编号已勾测料', '订单编号', '已勾测料'];
    '数量（Quantity）' -> ['数量quantity', '数量', 'quantity'].
    """
    raw = unicodedata.normalize("NFKC", str(text))
    out = [header_key(raw), header_key(_PAREN.sub(" ", raw))]
    out += [header_key(p) for p in _PAREN.findall(raw)]
    out += [header_key(p) for p in re.split(r"[\n/|]", raw) if p.strip()]
    seen: list[str] = []
    for v in out:
        if v and v not in seen:
            seen.append(v)
    return seen


@dataclass
class AliasIndex:
    """Alias lookups for one table: exact key -> field, with strength."""

    strong: dict[str, str] = field(default_factory=dict)
    weak: dict[str, str] = field(default_factory=dict)


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
    return index

"""Names, words and headers for the demo register (see sync.demo.register).

Plain data only: who the customers are, what they buy, who follows them, and
how each tab and column is labelled in Chinese and English.
"""

from __future__ import annotations

from dataclasses import dataclass

PENDING, PRODUCING, DONE, PARTIAL, SHIPPED = "pending", "producing", "done", "partial", "shipped"
TABLES = ("orders", "materials", "production", "qc", "shipping", "customers", "people")

SHEETS = {
    "zh": dict(zip(TABLES, ("订单登记", "物料采购", "生产进度", "质检记录", "发货记录", "客户资料", "人员"))),
    "en": dict(zip(TABLES, ("Orders", "Materials", "Production", "QC", "Shipping", "Customers", "People"))),
}

#: canonical field -> header label, in column order
HEADERS: dict[str, dict[str, dict[str, str]]] = {
    "zh": {
        "orders": dict(order_no="订单号", order_date="下单日期", customer="客户", product="款号", color="颜色",
                       size="尺码", quantity="订单数量", unit_price="单价", amount="金额", due_date="交货日期",
                       payment_terms="付款方式", follower="跟单员", status="状态", remarks="备注"),
        "materials": dict(order_no="订单号", material="物料", required_qty="需求数量", supplier="供应商",
                          po_no="采购单号", expected_date="预计到货", arrived_date="实际到货", arrived_qty="到货数量"),
        "production": dict(order_no="订单号", stage="工序", line="产线", planned_start="计划开始",
                           planned_finish="计划完成", completed_qty="完成数量", actual_finish="实际完成",
                           updated_on="更新日期"),
        "qc": dict(order_no="订单号", inspected_on="检验日期", inspected_qty="检验数量", passed_qty="合格数量",
                   failed_qty="不合格数量", defect="不良原因", action="处理方式"),
        "shipping": dict(order_no="订单号", shipped_on="发货日期", shipped_qty="发货数量", carrier="物流公司",
                         tracking_no="物流单号", eta="预计到达", delivered_on="签收日期"),
        "customers": dict(customer_code="客户编码", customer="客户名称", contact="联系人", email="邮箱",
                          follower="跟单员"),
        "people": dict(name="姓名", email="邮箱", role="角色", supervisor="上级", mobile="手机"),
    },
    "en": {
        "orders": dict(order_no="Order No", order_date="Order Date", customer="Customer", product="Style",
                       color="Color", size="Size", quantity="Order Qty", unit_price="Unit Price", amount="Amount",
                       due_date="Due Date", payment_terms="Payment Terms", follower="Merchandiser",
                       status="Status", remarks="Remarks"),
        # "PO No" would read as the order number (PO#), so the purchase number says so in full
        "materials": dict(order_no="Order No", material="Material", required_qty="Required Qty",
                          supplier="Supplier", po_no="Purchase Order", expected_date="Expected Date",
                          arrived_date="Arrival Date", arrived_qty="Arrived Qty"),
        "production": dict(order_no="Order No", stage="Stage", line="Line", planned_start="Planned Start",
                           planned_finish="Planned Finish", completed_qty="Completed Qty",
                           actual_finish="Actual Finish", updated_on="Updated On"),
        "qc": dict(order_no="Order No", inspected_on="Inspection Date", inspected_qty="Inspected Qty",
                   passed_qty="Passed Qty", failed_qty="Failed Qty", defect="Defect", action="Action"),
        "shipping": dict(order_no="Order No", shipped_on="Shipped On", shipped_qty="Shipped Qty",
                         carrier="Carrier", tracking_no="Tracking No", eta="ETA", delivered_on="Delivered On"),
        "customers": dict(customer_code="Customer Code", customer="Customer Name", contact="Contact",
                          email="Email", follower="Merchandiser"),
        "people": dict(name="Name", email="Email", role="Role", supervisor="Supervisor", mobile="Mobile"),
    },
}

STATUSES = {
    "zh": dict(pending="待生产", producing="生产中", done="已完成", partial="部分发货", shipped="已发货"),
    "en": dict(pending="Pending", producing="In production", done="Completed", partial="Partially shipped",
               shipped="Shipped"),
}

WORDS = {
    "zh": dict(title="{year}年 订单登记表", note="更新日期：{today}  跟单部", total="合计", pcs="件",
               stages=("裁剪", "车缝", "整烫", "包装"),
               lines=("车缝一组", "车缝二组", "车缝三组", "裁床A", "裁床B", "后整一线", "后整二线"),
               materials=("面料", "辅料", "拉链", "纽扣", "吊牌", "洗水唛", "包装袋", "纸箱"),
               defects=("线头", "污渍", "尺寸偏差", "色差", "跳针", "破洞", "印花不良"),
               actions=("返工", "返工后复检", "让步接收", "报废", "退回车间"),
               payment=("T/T 30天", "月结60天", "信用证 L/C", "预付30%，余款见提单", "月结30天"),
               remarks=("客户要求加急", "面料延迟到货，已催", "分两批出货", "改色：藏青改黑色", "客户确认产前样",
                        "等客户确认洗水标", "含税价", "包装要求见附件")),
    "en": dict(title="{year} Order Register", note="Updated: {today}  Merchandising Dept.", total="Total",
               pcs="pcs",
               stages=("Cutting", "Sewing", "Pressing", "Packing"),
               lines=("Sewing 1", "Sewing 2", "Sewing 3", "Cutting A", "Cutting B", "Finishing 1", "Finishing 2"),
               materials=("Fabric", "Trims", "Zipper", "Buttons", "Hang tags", "Care labels", "Polybags",
                          "Cartons"),
               defects=("Loose threads", "Stains", "Size deviation", "Shade variation", "Skipped stitches",
                        "Holes", "Print defect"),
               actions=("Rework", "Rework and re-inspect", "Accepted with concession", "Scrapped",
                        "Returned to line"),
               payment=("T/T 30 days", "Net 60", "L/C at sight", "30% deposit, balance against B/L", "Net 30"),
               remarks=("Rush order", "Fabric late, chasing supplier", "Ship in two lots", "Colour changed: navy "
                        "to black", "PP sample approved", "Waiting for care label approval", "Price incl. VAT",
                        "Packing per attachment")),
}


@dataclass(frozen=True)
class Person:
    zh: str
    en: str
    email: str
    role: str          # key into ROLES
    supervisor: str    # email of the supervisor, "" for none


ROLES = {
    "follower": ("跟单员", "Merchandiser"), "production": ("生产主管", "Production Supervisor"),
    "qc": ("质检", "QC Inspector"), "warehouse": ("仓库发货", "Warehouse"), "purchasing": ("采购", "Purchasing"),
    "manager": ("经理", "Manager"),
}

_D = "@demo.example.com"
MANAGER = Person("赵敏", "Zhao Min", "zhao.min" + _D, "manager", "")
FOLLOWERS = tuple(Person(zh, en, en.lower().replace(" ", ".") + _D, "follower", MANAGER.email) for zh, en in (
    ("张伟", "Zhang Wei"), ("李娜", "Li Na"), ("王芳", "Wang Fang"), ("刘洋", "Liu Yang"), ("陈静", "Chen Jing")))
PEOPLE = FOLLOWERS + (
    Person("孙强", "Sun Qiang", "sun.qiang" + _D, "production", MANAGER.email),
    Person("周丽", "Zhou Li", "zhou.li" + _D, "qc", MANAGER.email),
    Person("吴刚", "Wu Gang", "wu.gang" + _D, "warehouse", MANAGER.email),
    Person("郑洁", "Zheng Jie", "zheng.jie" + _D, "purchasing", MANAGER.email),
    MANAGER,
)


@dataclass(frozen=True)
class Customer:
    code: str
    name: str
    prefix: str               # style-number prefix: MJ-T2301
    band: tuple[int, int]     # the usual order size
    contact: str
    email: str


def _c(i: int, name: str, prefix: str, lo: int, hi: int, contact: str, domain: str) -> Customer:
    return Customer(f"C{i:03d}", name, prefix, (lo, hi), contact, f"{contact.split()[-1].lower()}@{domain}.example.com")


CUSTOMERS = (
    _c(1, "Muji HK", "MJ", 300, 600, "Kelly Wong", "muji-hk"),
    _c(2, "UNIQLO JP", "UQ", 5000, 20000, "Sato Kenji", "uniqlo-jp"),
    _c(3, "Decathlon", "DC", 3000, 12000, "Pierre Martin", "decathlon"),
    _c(4, "H&M", "HM", 5000, 18000, "Anna Berg", "hm"),
    _c(5, "无印良品", "WY", 300, 800, "林小姐 Lin", "muji-cn"),
    _c(6, "优衣库(中国)", "YY", 2000, 8000, "黄先生 Huang", "uniqlo-cn"),
    _c(7, "ZARA", "ZR", 800, 3000, "Lucia Garcia", "inditex"),
    _c(8, "森马", "SM", 500, 1500, "何经理 He", "semir"),
    _c(9, "太平鸟", "TP", 300, 1200, "钱小姐 Qian", "peacebird"),
    _c(10, "Gap Inc.", "GP", 1000, 4000, "Mike Johnson", "gap"),
    _c(11, "Lands' End", "LE", 200, 900, "Sarah Miller", "landsend"),
    _c(12, "Primark", "PK", 3000, 10000, "Tom Walsh", "primark"),
    _c(13, "Bershka", "BK", 500, 1500, "Elena Ruiz", "bershka"),
    _c(14, "Lululemon", "LL", 300, 1000, "Jess Taylor", "lululemon"),
    _c(15, "Mango", "MG", 400, 1200, "Marta Puig", "mango"),
    _c(16, "海澜之家", "HL", 1000, 5000, "高先生 Gao", "hla"),
    _c(17, "李宁", "LN", 800, 3000, "马经理 Ma", "lining"),
    _c(18, "安踏", "AT", 1000, 4000, "罗小姐 Luo", "anta"),
    _c(19, "波司登", "BS", 300, 1200, "谢先生 Xie", "bosideng"),
    _c(20, "Patagonia", "PT", 200, 700, "Chris Evans", "patagonia"),
    _c(21, "Columbia", "CB", 500, 1500, "Laura Chen", "columbia"),
    _c(22, "Marks & Spencer", "MS", 1000, 3500, "James Wright", "marksandspencer"),
    _c(23, "Esprit", "ES", 300, 1000, "Nina Vogel", "esprit"),
    _c(24, "GU", "GU", 2000, 6000, "Yamada Aoi", "gu-global"),
    _c(25, "江南布衣", "JN", 200, 600, "宋小姐 Song", "jnby"),
)

#: garment kinds: style letter, usual unit price range (RMB)
GARMENTS = (("T", 18.0, 45.0), ("S", 45.0, 90.0), ("P", 40.0, 85.0), ("J", 120.0, 260.0), ("D", 60.0, 140.0),
            ("K", 55.0, 120.0), ("H", 70.0, 150.0))
COLORS = {
    "zh": ("白色", "黑色", "藏青", "灰色", "米色", "卡其", "酒红", "浅蓝", "军绿", "粉色"),
    "en": ("White", "Black", "Navy", "Grey", "Beige", "Khaki", "Burgundy", "Light Blue", "Olive", "Pink"),
}
SIZES = ("S-XL", "S/M/L", "M-XXL", "XS-L", "均码", "100-160", "38-44", "S-XXL")
SUPPLIERS = ("绍兴华纺织造", "东莞顺达辅料", "YKK 拉链(深圳)", "温州永兴纽扣", "广州恒印吊牌", "宁波博洋面料",
             "佛山美高包装", "苏州吴江丝绸", "Coats 线业(中国)", "嘉兴新丰织带")
CARRIERS = (("顺丰速运", "SF"), ("德邦物流", "DB"), ("中远海运", "COSU"), ("马士基 Maersk", "MAEU"),
            ("DHL", "DHL"), ("京东物流", "JD"), ("中通快递", "ZT"))

"""What a workbook's or a tab's name gives the rows in it, where no column says it.

Whose they are. Teams often keep one register per follower (张丽.xlsx,
王芳的订单.xlsx, 订单跟踪-李娜-2026.xlsx) and, each file being one person's,
leave the follower column out. Read as they are, those orders have no
follower: their reminders go to nobody, and no digest or ``--follower`` finds
them. So the file's name speaks for it: a Chinese personal name in it (a
common surname and one or two more characters, once the register's own words
around it are taken away: 订单, 跟踪, 登记表, 的, 2026, 副本, ...) is the follower
of every order the workbook holds (``owner_named``). A name is only taken when
there is exactly one, and never when it is one of the workbook's own
customers (华为.xlsx, one file per customer, is not a person). Names in Latin
letters are not guessed at (Walmart.xlsx, Anna.xlsx cannot be told apart
without the people sheet): such a register maps a follower column, or sets
[reminders] unassigned_to.

That they are finished. Orders done are often moved to a tab of their own
(已完成, 已出货, 历史订单, Completed, Archive) that, like the tab they came from,
has no status column: every order in it would read as open and past due, and
be reminded every day. A tab so named gives its rows the status its name
says (``finished_tab``: 完结, 已出货 or 已取消, words the status vocabulary
counts as finished), so they are closed; 未完成 or 进行中 give nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePath

from sync.tables.labels import header_key

#: the commonest Chinese surnames (about nine in ten people bear one of them)
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪"
    "范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜"
    "倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲"
    "房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商"
    "刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒", "夏侯",
                     "长孙", "宇文", "轩辕", "端木", "独孤", "南宫", "西门", "百里", "呼延", "申屠", "澹台", "万俟")
#: the words a register's file name wraps a name in, longest first where one begins another
REGISTER_WORDS = tuple(sorted((
    "订单", "订货", "跟单员", "跟单", "业务员", "业务", "负责人", "登记表", "登记", "台账", "跟踪表", "跟踪", "进度表", "进度",
    "明细表", "明细", "记录表", "记录", "汇总表", "汇总", "统计表", "统计", "生产", "出货", "发货", "排产", "计划", "报表",
    "周报", "日报", "月报", "年报", "表格", "工作簿", "副本", "备份", "最新版", "最新", "新版", "旧版", "修改版", "终版",
    "定稿", "大货", "外贸", "内销", "样品", "客户", "名下", "个人", "专用", "所有", "全部", "本年", "今年", "年度", "上半年",
    "下半年", "季度", "月份", "表", "的", "之", "和",
), key=len, reverse=True))
#: what a date leaves before a name once its digits are gone (2026年张丽, 9月张丽)
_DATE_LEFT = ("年", "月")
#: characters of register and trade words that given names hardly use (单品, 时效性, 周报 are no people)
NOT_IN_NAMES = frozenset("品性效率量数价货单号期表额款料件类型库存销购售厂司部组店仓账务计划统汇总查询报告据项目产线序质检验收发运输"
                         "流程系客户商场区域省县镇村楼室周季度元吨箱袋盒套批次码费税柜港")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


def owner_named(location: str, customers: Iterable[object] = ()) -> str | None:
    """The one person the workbook at ``location`` (a path) is named after, or None: no name, several, a URL
    (a Google Sheet's address names no one), or a name that is one of ``customers``."""
    if "://" in location:
        return None
    names = {name for run in _HAN_RUN.findall(PurePath(location).stem) if (name := _name_in(run))}
    if len(names) != 1:
        return None
    name = names.pop()
    known = {str(c).strip() for c in customers if isinstance(c, str) and c.strip()}
    if any(name in c or c in name for c in known):
        return None
    return name


def _name_in(run: str) -> str | None:
    """The run of Chinese characters with the register's words taken off both ends, if a personal name is left.
    A word is not taken off where it would leave one character: 王月 is a name, not 王 and a month."""
    if run[:1] in _DATE_LEFT and len(run) > 2:
        run = run[1:]
    trimmed = True
    while trimmed and run:
        trimmed = False
        for word in REGISTER_WORDS:
            for rest in (run[len(word):] if run.startswith(word) else None,
                         run[:-len(word)] if run.endswith(word) else None):
                if rest is not None and len(rest) != 1:
                    run, trimmed = rest, True
                    break
            if trimmed:
                break
    return run if _is_name(run) else None


def _is_name(text: str) -> bool:
    if text[:2] in COMPOUND_SURNAMES:
        return 3 <= len(text) <= 4 and not NOT_IN_NAMES.intersection(text[2:])
    return (2 <= len(text) <= 3 and text[0] in SURNAMES and not NOT_IN_NAMES.intersection(text[1:])
            and not any(text.startswith(w) for w in REGISTER_WORDS))


#: a tab of finished orders, by its name once folded (``header_key``) and rid of years, months and the word for
#: orders -> the status its rows are given (each one a finished class's word in ``sync.orders.view.STATUS_WORDS``)
FINISHED_TABS = {
    **dict.fromkeys(("已出货", "已发货", "出货完成", "发货完成", "已交货", "已交付", "已出运", "shipped", "delivered"),
                    "已出货"),
    **dict.fromkeys(("已取消", "取消", "作废", "撤单", "cancelled", "canceled", "void"), "已取消"),
    **dict.fromkeys(("已完成", "完成", "已结案", "结案", "已关闭", "关闭", "完结", "已完结", "历史", "归档", "已归档", "存档",
                     "done", "completed", "complete", "finished", "closed", "archive", "archived", "history"), "完结"),
}
#: what a tab's name may carry beside the status: the year or month, the word for orders
_TAB_NOISE = re.compile(r"\d+|年|月份|月|的|订单表|订单|单据|记录|明细|列表|清单|表|orders?|list|po|s$")


def finished_tab(sheet: str) -> str | None:
    """The status a tab's name gives its rows (已完成 -> 完结, 2025已出货订单 -> 已出货, Completed Orders -> 完结), or
    None: a tab whose name says nothing of the sort (进行中, 未完成, 9月, Sheet1)."""
    return FINISHED_TABS.get(_TAB_NOISE.sub("", header_key(sheet)))

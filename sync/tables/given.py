"""What a workbook's or a tab's name gives the rows in it, where no column says it.

Whose they are. Teams often keep one register per follower (张丽.xlsx,
王芳的订单.xlsx, 订单跟踪-李娜-2026.xlsx) and, each file being one person's,
leave the follower column out. Read as they are, those orders have no
follower: their reminders go to nobody, and no digest or ``--follower`` finds
them. So the file's name speaks for it: a Chinese personal name in it (a
common surname and one or two more characters, once the register's own words
around it are taken away: 订单, 跟踪, 登记表, 的, 2026, 副本, ...) is the follower
of every order the workbook holds (``owner_named``); so are those in the names of
a workbook's orders tabs when each of them names another person (one tab per
follower, 张伟 | 李娜 | 王芳, ``tab_owners``). A name is only taken when
there is exactly one, and never when it is one of the workbook's own
customers (华为.xlsx, one file per customer, is not a person). Names in Latin
letters are not guessed at (Walmart.xlsx, Anna.xlsx cannot be told apart
without the people sheet), nor is a Google Sheet's title: such a register says
whose it is in config.toml (``[sources.NAME] follower = "Anna"``), which goes
before any name.

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

#: what gave a field its value (``Table.given``): the workbook's name, the tab's, or config.toml (``[sources.NAME]
#: follower``, whose register it is)
FILE, TAB, CONFIG = "file", "tab", "config"

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
#: the characters given names are made of (a common surname and then any other character reads as a name far too
#: often: 包装, 车缝, 颜色, 温州 are no people); a name is a surname and one or two of these
GIVEN_NAME_CHARS = frozenset(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚英华玲桂兰秀飞鹏辉红梅燕鑫斌宇浩凯健俊帆帅旭宁龙林欣婷雪琳晶莉倩颖慧佳琪嘉思雨萍晨阳亮"
    "成建国文志海波峰东春云新兵永生利清荣金晓小玉凤兴发福贵祥德中天宏家翔瑞博鸿毅彬晖杨蕾丹婕薇菲媛露蓉琴瑶妍璐怡悦昊睿轩泽宸涵梓子"
    "晗硕铭楠欢乐爽畅冰洁虹岩石山松柏竹秋冬夏立振继长保安庆祖光良善仁义礼智信忠孝学胜锋威武豪彪虎鹤凌峻淼森焱琦瑛璇琼珍珠翠彩娇婉婧"
    "嫣姗姝妮娅娴媚婵萱蓓蕊莹芸芝芬芹苗茜荷菊萌蓝蔚霖霏灵月星辰民众坚顺达远航奇才贤彦哲伦诚实勋宾浪洪润泉江河湖滨川源澄淑贞娥巧鸣"
    "歌群力根树桐枫杉梧柳桃李杏榕樱梦馨香茹雯彤青紫绿雅然喜康泰禄寿元亨爱聪捷锐迪程万里霄宙昱旻晏晋曦曙朗朔望雄壮猛正直方圆满美真"
    "廉谦恭让俭朴素淳厚一二三四五六七八九十百千亿兆坤乾鼎臣卿相将侯君王宝珊瑚钰铮锦钧镇钢铁银铜玺瑜瑾璋琛琨琰瑄璟妤嫦姣娆嫚莲菡芙"
    "芷若茗芊芮苒茵荔蓁靖朝晴战鹃巍腾凡唯之奕屹宽艺令佐易男章少优栋以心非黛笛岚玮先进花妹珏炜昕煜烨焕耀灿熙")
#: words a surname and name characters make that are no one's name: places, brands, everyday words
NOT_NAMES = frozenset((
    "宁波", "沈阳", "桂林", "金华", "龙岩", "吉林", "黄山", "荣成", "高明", "宁夏", "华东", "华南", "华北", "华中", "江南", "江北",
    "韩国", "万达", "方正", "金山", "华润", "李宁", "温馨", "阳光", "吉祥", "凌晨", "盛夏", "祝福", "朱红", "毛利", "黄金", "米兰",
    "安全", "高新", "石家庄", "金星", "金龙", "金鹰", "华夏", "华美", "华丽", "江山", "江海", "林海", "林业", "白云", "白金",
    "黄河", "长江", "长城", "海尔", "海信", "格力", "美的", "方圆", "成品", "安康", "安宁", "宁德", "常青", "明天", "明年", "和平",
    "高达", "雷达", "马达", "石油", "金融", "金银", "蓝天", "蓝海", "红星", "红旗", "向阳", "秦皇", "程序", "文明", "文化", "康乐", "梅花",
))
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


def owner_named(location: str, customers: Iterable[object] = ()) -> str | None:
    """The one person the workbook at ``location`` (a path) is named after, or None: no name, several, a URL
    (a Google Sheet's address names no one), or a name that is one of ``customers``."""
    if "://" in location:
        return None
    return person_named(PurePath(location).stem, customers)


def person_named(name: str, customers: Iterable[object] = ()) -> str | None:
    """The one person a file's or a tab's ``name`` names (张丽, 王芳的订单, 跟单-李娜 2026), or None: no name,
    several, or one of ``customers``."""
    names = {found for run in _HAN_RUN.findall(name) if (found := _name_in(run))}
    if len(names) != 1:
        return None
    person = names.pop()
    known = {str(c).strip() for c in customers if isinstance(c, str) and c.strip()}
    if any(person in c or c in person for c in known):
        return None
    return person


def tab_owners(sheets: list[str], customers: list[Iterable[object]]) -> list[str] | None:
    """The follower each of a workbook's orders tabs is named after, when there are several and each names another
    person (张伟 | 李娜的订单 | 王芳); else None (宁波 | 温州, 9月 | 10月, or one tab alone, say nothing of the sort).
    ``customers``: each tab's own, none of which its name may be."""
    if len(sheets) < 2:
        return None
    names = [person_named(sheet, theirs) for sheet, theirs in zip(sheets, customers)]
    if None in names or len(set(names)) < len(names):
        return None
    return [str(n) for n in names]


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
    if text in NOT_NAMES or any(text.startswith(w) for w in REGISTER_WORDS):
        return False
    if text[:2] in COMPOUND_SURNAMES:
        return 3 <= len(text) <= 4 and GIVEN_NAME_CHARS.issuperset(text[2:])
    return 2 <= len(text) <= 3 and text[0] in SURNAMES and GIVEN_NAME_CHARS.issuperset(text[1:])


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

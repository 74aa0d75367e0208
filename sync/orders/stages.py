"""The production stages of a register: which they are, in which order, and what each is called.

``[reconcile] stages`` in config.toml fixes the list (the demo sets the garment
one). Without it the stages come from the register itself: the production
tab's stage values, in the order they are used there, or a wide tracker's
stage columns in column order (``sync.orders.wide``).

The order of a production tab's stages is worked out from each order's own
rows: per order, its stages sorted by their first date (the planned start,
else any date the row has) and then by sheet row, and each stage's mean place
across the orders. Whole registers are seldom sorted by stage (they are by
order, or by day), but one order's rows are almost always written in the
order the work flows, so the mean place is robust where "first appearance in
the sheet" is not (a tab sorted by day starts with whatever was done first).

``VOCABULARY`` knows the stages of common industries in zh and en. It does
two things, for an industry that knows at least half of the register's stage
words: a word it knows is put in its industry's order whatever the rows
say (a stage sometimes logged late does not jump ahead), and where an
industry's stages are ones every order goes through (``complete``), the stages
the register does not use yet are kept in the list: a garment register whose
orders are all still at 裁剪 has 车缝, 整烫, 包装 ahead of it, as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sync.tables.fields import header_key
from sync.tables.table import ROW


@dataclass(frozen=True)
class Stage:
    zh: str
    en: str
    aliases: tuple[str, ...] = ()

    def words(self) -> set[str]:
        return {header_key(w) for w in (self.zh, self.en, *self.aliases)}


@dataclass(frozen=True)
class Industry:
    name: str
    stages: tuple[Stage, ...]
    #: every order goes through every stage (garment, tyre); not: a routing of which a part uses some (machining)
    complete: bool = True


VOCABULARY: tuple[Industry, ...] = (
    Industry("garment", (
        Stage("裁剪", "Cutting", ("裁床", "开裁", "裁片", "裁", "cut")),
        # a garment tracker's departments stand for their stages: 裁床 | 车间 | 尾部 (cutting room, sewing floor,
        # finishing)
        Stage("车缝", "Sewing", ("缝制", "缝纫", "车位", "车间缝制", "车间", "sew", "sewn", "stitching", "stitched")),
        Stage("整烫", "Pressing", ("后整", "后道", "尾部", "熨烫", "整理", "大烫", "ironing", "ironed", "finishing", "press",
                                   "pressed")),
        Stage("包装", "Packing", ("装箱", "打包", "包装装箱", "packaging", "pack", "packed")))),
    Industry("tyre", (
        Stage("密炼", "Mixing", ("混炼", "炼胶", "compounding")),
        Stage("压延", "Calendering", ("压出", "挤出", "extrusion", "extruding")),
        Stage("成型", "Building", ("成形", "tire building", "tyre building", "forming")),
        Stage("硫化", "Curing", ("vulcanizing", "vulcanising", "vulcanization", "cure")),
        Stage("检验", "Inspection", ("质检", "检测", "终检", "外观检验", "inspect", "final inspection")))),
    Industry("machining", (
        Stage("下料", "Blanking", ("备料", "锯料", "开料", "sawing", "stock cutting")),
        Stage("车削", "Turning", ("车加工", "车床", "粗车", "精车", "数控车", "lathe", "cnc turning", "turned")),
        Stage("铣削", "Milling", ("铣加工", "铣床", "数控铣", "加工中心", "cnc milling", "milled")),
        Stage("钻孔", "Drilling", ("钻床", "攻丝", "tapping")),
        Stage("热处理", "Heat treatment", ("淬火", "调质", "回火", "hardening", "heat treat")),
        Stage("磨削", "Grinding", ("磨床", "磨加工", "外圆磨", "grind")),
        Stage("表面处理", "Surface treatment", ("电镀", "发黑", "氧化", "镀锌", "喷涂", "plating", "coating",
                                               "anodizing")),
        Stage("检验", "Inspection", ("质检", "检测", "终检", "inspect", "qc")),
        Stage("入库", "Stock-in", ("成品入库", "入仓", "warehousing", "stock in", "warehouse"))), complete=False),
    Industry("electronics", (
        Stage("SMT", "SMT", ("贴片", "smt贴片")),
        Stage("插件", "DIP", ("dip插件", "through hole", "tht")),
        Stage("焊接", "Soldering", ("波峰焊", "后焊", "solder")),
        Stage("组装", "Assembly", ("装配", "总装", "assemble")),
        Stage("测试", "Testing", ("功能测试", "test", "functional test")),
        Stage("老化", "Burn-in", ("burnin", "aging", "ageing")),
        Stage("包装", "Packing", ("装箱", "packaging", "pack"))), complete=False),
)


def vocabulary_lookup(words: Iterable[str]) -> dict[str, str]:
    """Folded alias -> configured stage, for the configured stages that a vocabulary stage knows."""
    out: dict[str, str] = {}
    for name in words:
        key = header_key(name)
        for industry in VOCABULARY:
            for stage in industry.stages:
                if key in stage.words():
                    out.update({w: name for w in stage.words()})
    return out


def is_stage_word(text: object, extra: Iterable[str] = ()) -> str | None:
    """The stage a header or value names (a vocabulary stage's zh name, or one of ``extra``), else None."""
    key = header_key(text)
    for name in extra:
        if header_key(name) == key:
            return name
    for industry in VOCABULARY:
        for stage in industry.stages:
            if key in stage.words():
                return stage.zh
    return None


@dataclass
class Used:
    """The stage words one register uses: folded word -> (display name, mean place, first sheet row)."""

    spelling: dict[str, str]
    place: dict[str, float]
    first: dict[str, int]


def stages_used(rows: pd.DataFrame, words: pd.Series, key: str) -> Used:
    """``words``: each production row's folded stage word ("" for none); the rows carry their order key
    (column ``key``), sheet row and dates. Worked out on whole numbers: a register has 100,000s of rows."""
    has = (words != "").to_numpy()
    if not has.any():
        return Used({}, {}, {})
    orders = pd.factorize(rows[key].to_numpy()[has])[0]
    said, distinct = pd.factorize(words.to_numpy()[has])
    written, spelt = pd.factorize(rows["stage"].to_numpy()[has])
    line = rows[ROW].to_numpy(dtype=np.int64)[has]
    when = _when(rows)[has].astype("datetime64[ns]").astype(np.int64)
    when[when == np.iinfo(np.int64).min] = np.iinfo(np.int64).max   # undated: after the dated
    # per order and word: its first date and first row; then each word's place in its order's sequence
    first = pd.DataFrame({"when": when, "line": line}).groupby(orders * len(distinct) + said).min()
    order_of, word_of = np.divmod(first.index.to_numpy(), len(distinct))
    sequence = np.lexsort((first["line"].to_numpy(), first["when"].to_numpy(), order_of))
    starts = np.flatnonzero(np.r_[True, order_of[sequence][1:] != order_of[sequence][:-1]])
    place = np.arange(len(sequence)) - np.repeat(starts, np.diff(np.r_[starts, len(sequence)]))
    mean = np.bincount(word_of[sequence], weights=place, minlength=len(distinct)) / \
        np.bincount(word_of[sequence], minlength=len(distinct))
    top = pd.Series(line).groupby(said).min()
    counts = pd.Series(said * len(spelt) + written).value_counts(sort=True)   # the commonest spelling first
    spelling: dict[str, str] = {}
    for code in counts.index.tolist():
        w = distinct[code // len(spelt)]
        spelling.setdefault(w, str(spelt[code % len(spelt)]).strip())
    names = distinct.tolist()
    return Used(spelling, dict(zip(names, mean.tolist())), dict(zip(names, top.reindex(range(len(names))).tolist())))


def _when(rows: pd.DataFrame) -> np.ndarray:
    """Each row's first date: the planned start, else the other dates it has."""
    when = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]")
    for name in ("planned_start", "actual_finish", "updated_on", "planned_finish"):
        if name in rows:
            when = when.fillna(pd.to_datetime(rows[name], errors="coerce"))
    return when.to_numpy()


def order_stages(used: Used, aliases: dict[str, str] | None = None) -> tuple[list[str], dict[str, str]]:
    """The stages, in order, and folded word -> stage, from the words a register uses.

    ``aliases``: folded word -> a name the config gives it (``[reconcile] stage_aliases``)."""
    aliases = aliases or {}
    group = {w: header_key(aliases.get(w, w)) for w in used.spelling}   # word -> the word it is one with
    industry = _industry(set(group.values()))
    vocab = {w: i for i, s in enumerate(industry.stages) for w in s.words()} if industry else {}
    names: dict[str, str] = {}   # group -> its display name: the config's, else the spelling seen first
    place: dict[str, float] = {}
    first: dict[str, int] = {}
    for w in sorted(group, key=lambda w: used.first[w]):
        slot = vocab.get(group[w])
        g = group[w] = f"#{slot}" if slot is not None else group[w]   # words of one vocabulary stage are one
        if w in aliases:
            names[g] = aliases[w]
        names.setdefault(g, used.spelling[w])
        place[g] = min(place.get(g, float("inf")), used.place[w])
        first.setdefault(g, used.first[w])
    ordered = sorted(place, key=lambda g: (place[g], first[g]))
    ordered = _vocabulary_order(ordered, industry)
    stages = [names[g] if g in names else _unused_name(industry, g, names) for g in ordered]
    return stages, {w: names[g] for w, g in group.items()}


def _industry(words: set[str]) -> Industry | None:
    """The industry whose vocabulary knows most of the words (the first of a tie), if it knows at least
    half of them: a moulding register's 检验 and 包装 do not make it a garment one with 裁剪 ahead."""
    best, count = None, (len(words) + 1) // 2 - 1
    for industry in VOCABULARY:
        known = set().union(*(s.words() for s in industry.stages))
        n = len(words & known)
        if n > count:
            best, count = industry, n
    return best


def _vocabulary_order(ordered: list[str], industry: Industry | None) -> list[str]:
    """The vocabulary's stages put in its order in the places they hold; a complete industry's stages the
    register does not use yet are added after the one before them."""
    if industry is None:
        return ordered
    known = sorted((g for g in ordered if g.startswith("#")), key=lambda g: int(g[1:]))
    slots = iter(known)
    out = [next(slots) if g.startswith("#") else g for g in ordered]
    if industry.complete:
        for i in range(len(industry.stages)):
            g = f"#{i}"
            if g not in out:
                before = [k for k in out if k.startswith("#") and int(k[1:]) < i]
                out.insert(out.index(before[-1]) + 1 if before else 0, g)
    return out


def _unused_name(industry: Industry | None, group: str, names: dict[str, str]) -> str:
    """A stage the register does not use yet, in the register's language."""
    stage = industry.stages[int(group[1:])] if industry else None
    if stage is None:
        return group
    latin = all(n.isascii() for n in names.values()) and names
    return stage.en if latin else stage.zh

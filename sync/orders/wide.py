"""The wide tracker: one row per order, a column per stage, read as production and shipping rows.

Many followers keep one row per order with a column per stage (裁剪完成数,
车缝完成, 整烫, 包装数量; Cut qty, Sewn, Packed; 下料, 车削, 热处理, 入库) and
the shipment at the end (出货日期, 出货数量; Ship date, Shipped qty). The
orders table keeps those columns as ``Table.extra`` (they map to no orders
field); ``wide_tables`` turns them into a production table (a row per order
and stage with a figure) and a shipping table (a row per order shipped), so
reconciliation, progress, reminders and digests read them as they read
department tabs. Every row keeps its sheet row, and every figure its own
cell: a finding about 车缝 names the 车缝 cell of that order's row.

A column is a stage's when its header is a stage word (the configured
stages, the production tab's words, or ``sync.orders.stages.VOCABULARY``),
alone or followed by 完成/完成数/数量/qty/done (its figure) or 日期/date (the
day it finished). A stage column of dates, or of ticks (✓, 完成, OK), says
the stage is done: the whole order went through it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np
import pandas as pd

from sync.orders.stages import is_stage_word
from sync.tables.answers import NOES, TICKS
from sync.tables.detect import FILL_SAMPLE, MILESTONES, map_labels, mostly_dates
from sync.tables.fields import DATE, NUMBER, header_key
from sync.tables.normalize import FORMULA_ERROR, Parsed, parse_column
from sync.tables.table import ROW, Column, Part, Table, column_letter

_QTY_ZH, _QTY_EN = r"完成数量|完成数|完工数|完成|数量|件数|产量", r"qty|quantity|pcs|done|completed|output|count"
_DATE_ZH, _DATE_EN = r"完成日期|完工日期|日期|时间", r"date|day|on"
#: what may follow a stage word in its column's header: a figure's word, or a date's (Latin words after a space)
_SUFFIX = re.compile(rf"(?:[\s_\-:：(（]*(?:(?P<date>{_DATE_ZH})|(?P<qty>{_QTY_ZH}))"
                     rf"|[\s_\-:：(（]+(?:(?P<date_en>{_DATE_EN})|(?P<qty_en>{_QTY_EN}))\.?)[)）]*\s*$", re.IGNORECASE)
#: what says a stage of any name is done: 注塑完成, 贴片完成数, Reflow done, Testing completed
_DONE = re.compile(r"(?:完成数量|完成数|完工数|完成|完工|[\s_\-]+(?:done|completed|finished|complete))\s*(?:[(（].*[)）])?\s*$",
                   re.IGNORECASE)
#: words before 完成/done that say whether or when, not which stage: 是否完成, 预计完成, Planned done
NOT_STAGES = frozenset(header_key(w) for w in ("是否", "预计", "计划", "实际", "要求", "已", "未", "累计", "当日",
                                               "今日", "本周", "本月", "合计", "planned", "plan", "actual",
                                               "expected", "target", "total", "is", "date"))
#: a header that is about the shipment, not a stage
SHIP_WORDS = ("出货", "发货", "出运", "走货", "shipped", "shipping", "shipment", "ship",
              "delivered")
#: the one stage of a production tab without a stage column (when the config names no stages), and of a
#: tracker's overall progress column (生产进度 80%)
PRODUCED = "produced"
#: a header over an order's overall progress, in percent: 生产进度, 完成进度, 完成率, Progress, % done
_PROGRESS = re.compile(r"^(?:生产|完成|总|整体|订单)?(?:进度|完成率|完成度|完成比例)(?:[(（]?%[)）]?)?$"
                       r"|^(?:production\s+|overall\s+)?(?:progress|%\s*done|percent\s+done|completion)"
                       r"(?:\s*[(（]?%[)）]?)?$", re.IGNORECASE)


@dataclass
class WideTable(Table):
    """A production or shipping table made from an orders sheet's columns: ``at[field]`` is, per row, the
    sheet column (0-based) that row's figure is in, so each finding names its own cell."""

    at: dict[str, np.ndarray] = field(default_factory=dict)
    headers: dict[str, np.ndarray] = field(default_factory=dict)
    #: the rows whose cells read as no figure, date or tick (``wide_tables(every=True)``); None: there are none
    unread: np.ndarray | None = None
    #: the register's table it is made from (its orders tab; its production tab where that is the tracker)
    made_from: str = "orders"

    def read_rows(self) -> WideTable | None:
        """The rows with a figure, a date or a tick, all the order model reads; None when there are none."""
        if self.unread is None or not self.unread.any():
            return replace(self, unread=None)
        keep = np.flatnonzero(~self.unread)
        if not len(keep):
            return None
        return replace(self, data=self.data.iloc[keep].reset_index(drop=True),
                       raw={name: np.asarray(cells, dtype=object)[keep] for name, cells in self.raw.items()},
                       bad={name: flags[keep] for name, flags in self.bad.items()},
                       marks={name: {kind: rows[keep] for kind, rows in by_kind.items()}
                              for name, by_kind in self.marks.items()},
                       errors={name: shown[keep] for name, shown in self.errors.items()}, unread=None,
                       parts=[replace(p, stop=int(np.searchsorted(keep, p.stop))) for p in self.parts],
                       at={name: where[keep] for name, where in self.at.items()},
                       headers={name: said[keep] for name, said in self.headers.items()})

    def cell_at(self, name: str, position: int, row: int) -> str:
        if name in self.at:
            return f"{column_letter(int(self.at[name][position]))}{row}"
        return self.cell(name, row)

    def header_at(self, name: str, position: int) -> str:
        if name in self.headers:
            return str(self.headers[name][position])
        return self.columns[name].header


@dataclass
class StageColumn:
    stage: str
    index: int            # 0-based sheet column
    header: str
    kind: str             # "qty" or "date"


def stage_columns(extra: dict[int, tuple[str, np.ndarray]], words: Iterable[str]) -> list[StageColumn]:
    """The columns of ``extra`` (index -> header, cells) that are a stage's figure or date, in column order.
    A word no vocabulary knows is a stage too when its header says it is done (注塑完成, Reflow done) and
    two or more columns do so: any industry's stages, from the register."""
    words = list(words)
    own = _own_stages(extra, words)
    out = []
    for index in sorted(extra):
        header, cells = extra[index]
        if is_shipping(header):
            continue
        stem, kind = _stem(str(header))
        stage = is_stage_word(stem, words + own)
        if stage is None:
            continue
        kind = kind or _kind_of(cells)
        if kind is None:
            continue
        name = stage if stage in words else stem.strip()
        out.append(StageColumn(name, index, str(header), kind))
    if len(out) == 1 and _answers(extra[out[0].index][1]):
        # the only stage word of the sheet over a column of yes and no (电镀: 是/否, beside 图号 and LOGO) says
        # what an order needs, not how far it got: orders shipped long ago say 否 as often as open ones
        out = []
    return out or milestone_columns(extra) or progress_columns(extra)


def progress_columns(extra: dict[int, tuple[str, np.ndarray]]) -> list[StageColumn]:
    """A tracker without a column per stage may keep one of overall progress (生产进度: 80%, 0.3, 100%): the
    first such column, read as one stage, production, done to that share of the order."""
    for index in sorted(extra):
        header, cells = extra[index]
        if _PROGRESS.match(" ".join(str(header).split())) and _percents(cells) is not None:
            return [StageColumn(PRODUCED, index, str(header), "pct")]
    return []


def _percents(cells: np.ndarray) -> np.ndarray | None:
    """A column of percentages as shares of 1 (80% and 0.8 alike; 80 where every figure is over 1), NaN where
    blank; None when some cell is no percentage (a stage name, a remark) or none is filled."""
    values = _figures(cells)[0]
    filled = _filled(cells)
    if not filled.any() or np.isnan(values[filled]).any():
        return None
    typed = values[filled]
    if typed.min() < 0 or typed.max() > 100:
        return None
    return values / 100 if typed.max() > 1 and not _has_percent_sign(cells) else values


def _has_percent_sign(cells: np.ndarray) -> bool:
    return any(isinstance(c, str) and c.strip().endswith("%") for c in cells.tolist())


def milestone_columns(extra: dict[int, tuple[str, np.ndarray]]) -> list[StageColumn]:
    """A tracker without stage words may keep a date per milestone (WO Creation, DRG Release Date, Costing Sign
    Off, PO Completion, FG Start): ``MILESTONES`` or more columns of dates that name no field are its stages, in
    column order, each done on its date (``sync.tables.detect`` reads such a sheet as the orders table)."""
    out = []
    for index in sorted(extra):
        header, cells = extra[index]
        if not mostly_dates(cells[:FILL_SAMPLE].tolist(), 1) or is_shipping(header) or _names_a_field(str(header)):
            continue
        stem, kind = _stem(str(header))
        out.append(StageColumn((stem if kind == "date" else str(header)).strip(), index, str(header), "date"))
    dated = sum(1 for c in out if mostly_dates(extra[c.index][1][:FILL_SAMPLE].tolist()))
    return out if len(out) >= MILESTONES and dated else []


def _own_stages(extra: dict[int, tuple[str, np.ndarray]], words: list[str]) -> list[str]:
    """Stage words of the register's own: headers '<word> 完成/完成数/done/completed' whose word is no known
    stage, when two or more columns are so headed, known stages counted (one such column is a remark as
    often as a stage)."""
    done, own = 0, []
    for index in sorted(extra):
        header = str(extra[index][0])
        match = _DONE.search(header)
        if match is None or match.start() == 0 or is_shipping(header) or _names_a_field(header):
            continue
        stem = header[:match.start()].strip(" _-:：(（")
        if not stem or header_key(stem) in NOT_STAGES:
            continue
        done += 1
        if is_stage_word(stem, words) is None and stem not in own:
            own.append(stem)
    return own if done >= 2 else []


def _names_a_field(header: str) -> bool:
    """The header is a field's own (计划完成: planned finish, 累计完成: completed), not a stage's."""
    return any(strength >= 2 for kind in ("production", "orders", "shipping")
               for _, strength in map_labels([header], kind).values())


def shipping_columns(extra: dict[int, tuple[str, np.ndarray]]) -> list[dict[str, tuple[int, str]]]:
    """The shipments ``extra`` records, in column order: each a dict shipped_qty / shipped_on -> (column, header).

    A register that ships an order in parts gives each shipment its columns (出货日期1, 出货数量1, 出货日期2,
    出货数量2; 第一次出货 ... 第二次出货): a date or a quantity seen again starts the next shipment. A total
    over them (出货合计, 累计出货, Total shipped) is no shipment of its own, unless it is all there is."""
    found = []
    for index in sorted(extra):
        header, cells = extra[index]
        if not is_shipping(header):
            continue
        kind = _stem(str(header))[1] or _kind_of(cells)
        if kind is not None:
            found.append(("shipped_on" if kind == "date" else "shipped_qty", index, str(header)))
    totals = [f for f in found if f[0] == "shipped_qty" and _SUM_WORD.search(header_key(f[2]))]
    if len(totals) < sum(f[0] == "shipped_qty" for f in found):
        found = [f for f in found if f not in totals]
    groups: list[dict[str, tuple[int, str]]] = []
    for name, index, header in found:
        if not groups or name in groups[-1]:
            groups.append({})
        groups[-1][name] = (index, header)
    return groups


#: a header over a total of shipments, not one shipment: 出货合计, 累计出货, 出货总数, Total shipped
_SUM_WORD = re.compile(r"合计|合計|总计|總計|累计|累計|总数|總數|总量|汇总|彙總|total|sum|cumulative")


def _stem(header: str) -> tuple[str, str | None]:
    """The header without its figure or date word, and which it was ("qty", "date"; None: neither). A whole
    header that is a stage word keeps its ending (Inspection is not Inspecti + on)."""
    match = _SUFFIX.search(header)
    if match is None or match.start() == 0 or is_stage_word(header) is not None:
        return header.strip(), None
    return header[:match.start()].strip(), "date" if match.group("date") or match.group("date_en") else "qty"


def is_shipping(header: str) -> bool:
    key = header_key(header)
    key = led.rest if (led := ordinal(key)) is not None else key
    return any(key.startswith(header_key(w)) for w in SHIP_WORDS)


#: which of several (shipments, batches) a header is about, before its words: 第一次, 第2批, 批次3, 分批1, 首次, 1st
_ORDINAL = re.compile(r"^(?:第?(?P<zh>[一二三四五六七八九十]|\d{1,2})[次批]次?|批次(?P<lot>\d{1,2})|分批(?P<part>\d{1,2})?"
                      r"|(?P<en>\d{1,2})(?:st|nd|rd|th)|(?P<first>首次|首批)|末次|尾批)(?P<rest>.+)$")
_ZH_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


class Ordinal(NamedTuple):
    number: int   # 0: which one is not said (分批, 末次)
    rest: str     # the header's words after it


def ordinal(key: str) -> Ordinal | None:
    """The ordinal a folded header (``header_key``) begins with, and its words after it; None without one."""
    m = _ORDINAL.match(key)
    if m is None:
        return None
    said = m["zh"] or m["lot"] or m["part"] or m["en"]
    number = 1 if m["first"] else _ZH_NUMBERS[said] if said in _ZH_NUMBERS else int(said) if said else 0
    return Ordinal(number, m["rest"])


def _kind_of(cells: np.ndarray) -> str | None:
    """A header without a suffix: dates or figures, by what most of its cells hold (a number is a figure);
    None for a column of neither (发货方式, a text column)."""
    dates = int(pd.notna(pd.Series(parse_column(cells, DATE).values)).sum())
    numbers = int(pd.notna(pd.Series(parse_column(cells, NUMBER).values)).sum())
    ticks = int(_ticked(cells).sum())
    if not (dates or numbers or ticks):
        return None
    return "date" if dates - numbers > numbers + ticks else "qty"


def wide_tables(orders: Table, words: Iterable[str] = (), *,
                every: bool = False) -> tuple[WideTable | None, WideTable | None, list[str]]:
    """The production and shipping tables in ``orders``' extra columns (None: it has none), and the
    stages in column order. ``words``: stage names besides the vocabulary (config, production tab).

    A row is a stage's or a shipment's figure or date. With ``every``, a cell of those columns that holds
    something no figure, date or tick reads from (text, a formula's error) is a row as well, its value
    unknown: marked ``bad`` or FORMULA_ERROR as a department tab's cell would be, for the rules to say
    (``WideTables.checked``); the order model reads the others (``WideTable.read_rows``)."""
    if not orders.extra or not orders.has("order_no"):
        return None, None, []
    extra = {c: (label, cells.cells()) for c, (label, cells) in orders.extra.items()}
    columns = stage_columns(extra, words)
    stages = list(dict.fromkeys(c.stage for c in columns))
    production = _production(orders, extra, columns, every) if columns else None
    shipments = shipping_columns(extra)
    shipping = _shipping(orders, extra, shipments, every) if shipments else None
    return production, shipping, stages


@dataclass
class WideTables:
    """What ``add_wide_tables`` made of a wide tracker."""

    stages: list[str] = field(default_factory=list)   # in column order
    #: the production and shipping tables it added, with a row for every cell of their columns that holds
    #: something (``wide_tables(every=True)``): what the rules check, cell by cell
    checked: dict[str, WideTable] = field(default_factory=dict)


#: a daily output sheet's day columns, as ``sync.tables.detect`` labels them
_DAY_LABEL = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: ... of which it has this many at least
DAYS_MIN = 3


#: what a daily output sheet writes in a day's cell when nothing was made that day, on purpose: no figure, and
#: nothing to say of it (休, 停机, 待料, Off)
NO_WORK = frozenset(header_key(w) for w in (
    "休", "休息", "放假", "假", "调休", "节假日", "周末", "停", "停机", "停产", "停工", "停线", "停电", "待料", "缺料",
    "检修", "保养", "off", "rest", "holiday", "closed", "down", "idle"))


def day_columns(production: Table) -> dict[int, dt.date]:
    """A daily output sheet's day columns (0-based column -> its day); {} when ``production`` is no such sheet (or
    keeps its own quantity done)."""
    if production.has("completed_qty") or not production.has("order_no"):
        return {}
    days = {c: dt.date.fromisoformat(label) for c, (label, _) in production.extra.items() if _DAY_LABEL.match(label)}
    return days if len(days) >= DAYS_MIN else {}


def daily_cells(production: Table) -> WideTable | None:
    """A daily output sheet's day cells as the rules check them: a row for each day cell that holds a figure other
    than 0, text other than a day off (``NO_WORK``), or a formula's error, with its order number and figure, marked
    as a department tab's quantity cell would be. None when ``production`` is no such sheet."""
    days = day_columns(production)
    if not days:
        return None
    unread = _Unread(production, {c: (label, cells.cells()) for c, (label, cells) in production.extra.items()
                                  if c in days}, len(production.data), True)
    found = []
    for c in sorted(days):
        cells, factor = unread.extra[c][1], production.extra[c][1]
        figures = _numbers(unread.parsed(c, NUMBER))
        said = unread.of((c, production.extra[c][0]), NUMBER)
        said.bad[:] &= ~factor.mask(lambda v: isinstance(v, str) and header_key(v) in NO_WORK)   # 休: no slip
        has = (~np.isnan(figures) & (figures != 0)) | said.rows()
        found.append(pd.DataFrame({"pos": np.flatnonzero(has), "col": c, "done": figures[has],
                                   "raw": np.asarray(cells, dtype=object)[has], **said.columns("qty", has)}))
    rows = pd.concat(found, ignore_index=True).sort_values(["pos", "col"], kind="stable", ignore_index=True)
    if rows.empty:
        return None
    pos = rows["pos"].to_numpy()
    first = min(days)
    data = pd.DataFrame({"order_no": production.data["order_no"].to_numpy()[pos],
                         "completed_qty": rows["done"].to_numpy(dtype=float), ROW: production.data[ROW].to_numpy()[pos]})
    data["order_no"] = data["order_no"].astype(production.data["order_no"].dtype)
    cols = {"order_no": production.columns["order_no"],
            "completed_qty": Column("completed_qty", first, production.extra[first][0])}
    raw = {"order_no": np.asarray(production.raw["order_no"], dtype=object)[pos],
           "completed_qty": rows["raw"].to_numpy(dtype=object)}
    at = {"completed_qty": rows["col"].to_numpy()}
    headers = {"completed_qty": np.array([production.extra[c][0] for c in at["completed_qty"].tolist()], dtype=object)}
    table = WideTable(production.name, production.source, production.location, production.sheet,
                      production.header_row, cols, data, raw, {}, parts=_parts(production, pos), kind=production.kind,
                      key=production.key, at=at, headers=headers, unread=np.isnan(rows["done"].to_numpy(dtype=float)),
                      made_from=production.name)
    return _unknown(table, rows, {"completed_qty": "qty"})


def daily_rows(production: Table) -> WideTable | None:
    """A daily output sheet (订单号 | 工序 | 9/1 | 9/2 | … with each day's figure) as production rows: one per line
    and day with a figure, that day's output done on that day, each naming its own cell; a line with nothing made
    yet keeps one row without. None when ``production`` is no such sheet (or keeps its own quantity done)."""
    days = day_columns(production)
    if not days:
        return None
    n = len(production.data)
    found = []
    for c, day in sorted(days.items()):
        cells = production.extra[c][1].cells()
        figures = pd.to_numeric(pd.Series(parse_column(cells, NUMBER).values), errors="coerce").to_numpy(dtype=float)
        has = ~np.isnan(figures) & (figures != 0)   # 0: nothing made that day
        found.append(pd.DataFrame({"pos": np.flatnonzero(has), "col": c, "done": figures[has],
                                   "day": np.datetime64(day, "ns"), "raw": np.asarray(cells, dtype=object)[has]}))
    rows = pd.concat(found, ignore_index=True)
    idle = np.setdiff1d(np.arange(n), rows["pos"].to_numpy())   # lines with no figure yet: still lines
    rows = pd.concat([rows, pd.DataFrame({"pos": idle, "col": min(days), "done": np.nan,
                                          "day": np.datetime64("NaT", "ns"), "raw": None})], ignore_index=True)
    rows = rows.sort_values(["pos", "col"], kind="stable", ignore_index=True)
    pos = rows["pos"].to_numpy()
    data = production.data.iloc[pos].reset_index(drop=True)
    data["completed_qty"] = rows["done"].to_numpy(dtype=float)
    raw = {name: np.asarray(production.raw[name], dtype=object)[pos] for name in production.columns}
    raw["completed_qty"] = rows["raw"].to_numpy(dtype=object)
    cols = dict(production.columns)
    first = min(days)
    cols["completed_qty"] = Column("completed_qty", first, production.extra[first][0])
    at = {"completed_qty": rows["col"].to_numpy()}
    headers = {"completed_qty": np.array([production.extra[c][0] for c in at["completed_qty"].tolist()], dtype=object)}
    if not production.has("updated_on"):
        data["updated_on"] = rows["day"].to_numpy()
        raw["updated_on"] = np.array([d.date().isoformat() if pd.notna(d) else None for d in rows["day"]],
                                     dtype=object)
        cols["updated_on"] = Column("updated_on", first, production.extra[first][0])
        at["updated_on"], headers["updated_on"] = at["completed_qty"], headers["completed_qty"]
    extra = {c: cell for c, cell in production.extra.items() if c not in days}
    return WideTable(production.name, production.source, production.location, production.sheet,
                     production.header_row, cols, data, raw, {f: b[pos] for f, b in production.bad.items()},
                     list(production.unmapped), [*production.notes, f"daily output: {len(days)} days, "
                                                 f"{min(days.values())} to {max(days.values())}"],
                     parts=_parts(production, pos), marks={}, units={}, extra=extra, kind=production.kind,
                     key=production.key, borrowed=production.borrowed, at=at, headers=headers)


def add_wide_tables(tables: dict[str, Table], words: Iterable[str] = ()) -> WideTables:
    """A wide tracker's stage and shipment columns, as the production and shipping tables the register does not
    have, added to ``tables`` (the rows the order model reads); the stages in column order, and the tables with
    every row for the rules (``WideTables``). ``words``: stage names besides the vocabulary. A tracker read as
    the production tab (no orders tab, no stage column: one row per order) is the orders tab as well."""
    made = WideTables()
    for name, table in list(tables.items()):   # a daily output sheet: its days are its rows
        if table.kind == "production" and (daily := daily_rows(table)) is not None:
            tables[name] = daily
            if (cells := daily_cells(table)) is not None:
                made.checked[name] = cells
    orders, plan = tables.get("orders"), tables.get("production")
    tracker = orders is None and plan is not None and not plan.has("stage") and bool(plan.extra)
    if tracker:
        orders = replace(plan, name="orders", kind="orders")
    if orders is None or not orders.extra:
        return made
    every, shipped, stages = wide_tables(orders, words, every=True)
    production = every.read_rows() if every is not None else None
    if tracker and production is None:
        return made
    for table in (every, shipped):
        if table is not None and tracker:
            table.made_from = "production"
    if shipped is not None and "shipping" not in tables:
        made.checked["shipping"] = shipped
        if (shipping := shipped.read_rows()) is not None:
            tables["shipping"] = shipping
    if production is None or (plan is not None and not tracker):   # the register's own production tab stands
        return made
    made.checked["production"] = every
    tables["orders"], tables["production"] = orders, production
    made.stages = stages
    return made


def _production(orders: Table, extra: dict[int, tuple[str, np.ndarray]],
                columns: list[StageColumn], every: bool = False) -> WideTable | None:
    """A row per order and stage with a figure, a date or a tick; the order's quantity where only a date or a
    tick says the stage is done. ``every``: and one where its cells hold what reads as none (``wide_tables``)."""
    n = len(orders.data)
    unread = _Unread(orders, extra, n, every)
    quantity = orders.data["quantity"].to_numpy(dtype=float, na_value=np.nan) if orders.has("quantity") \
        else np.full(n, np.nan)
    parts = []
    for stage in dict.fromkeys(c.stage for c in columns):
        qty = next((c for c in columns if c.stage == stage and c.kind in ("qty", "pct")), None)
        day = next((c for c in columns if c.stage == stage and c.kind == "date"), None)
        done = _numbers(unread.parsed(qty.index, NUMBER)) if qty else np.full(n, np.nan)
        raw = np.asarray(extra[qty.index][1], dtype=object) if qty else np.full(n, None, dtype=object)
        if qty is not None and qty.kind == "pct":   # a share of the order done: that many of its pieces
            done = _percents(extra[qty.index][1]) * quantity
        when = _days(unread.parsed(day.index, DATE)) if day else np.full(n, np.datetime64("NaT", "ns"))
        ticked = _ticked(extra[qty.index][1]) if qty else np.zeros(n, dtype=bool)
        finished = (~pd.isna(when)) | ticked
        done = np.where(np.isnan(done) & finished, quantity, done)
        read = ~np.isnan(done) | ~pd.isna(when)
        said_qty, said_day = unread.of(qty, NUMBER), unread.of(day, DATE)
        has = read | said_qty.rows() | said_day.rows()
        where = qty or day
        raw_day = extra[day.index][1] if day else np.full(n, None, dtype=object)
        parts.append(pd.DataFrame({"pos": np.flatnonzero(has), "stage": stage, "completed_qty": done[has],
                                   "actual_finish": when[has], "raw": raw[has], "col": where.index,
                                   "header": where.header, "date_col": day.index if day else -1,
                                   "read": read[has], **said_qty.columns("qty", has), **said_day.columns("day", has),
                                   "raw_day": np.asarray(raw_day, dtype=object)[has]}))
    rows = pd.concat(parts, ignore_index=True).sort_values(["pos", "col"], kind="stable", ignore_index=True)
    if rows.empty:
        return None
    pos = rows["pos"].to_numpy()
    data = pd.DataFrame({"order_no": orders.data["order_no"].to_numpy()[pos], "stage": rows["stage"].to_numpy(),
                         "completed_qty": rows["completed_qty"].to_numpy(dtype=float),
                         "actual_finish": rows["actual_finish"].to_numpy(), ROW: orders.data[ROW].to_numpy()[pos]})
    data["order_no"] = data["order_no"].astype(orders.data["order_no"].dtype)
    first = columns[0]
    cols = {"order_no": orders.columns["order_no"], "stage": Column("stage", first.index, first.header),
            "completed_qty": Column("completed_qty", first.index, first.header)}
    at = {"stage": rows["col"].to_numpy(), "completed_qty": rows["col"].to_numpy()}
    headers = {"stage": rows["header"].to_numpy(), "completed_qty": rows["header"].to_numpy()}
    dated = rows["date_col"].to_numpy()
    if (dated >= 0).any():
        day = next(c for c in columns if c.kind == "date")
        cols["actual_finish"] = Column("actual_finish", day.index, day.header)
        at["actual_finish"] = np.where(dated >= 0, dated, day.index)
        headers["actual_finish"] = np.array([extra[i][0] if i >= 0 else day.header for i in dated], dtype=object)
    else:
        data = data.drop(columns="actual_finish")
    raw = {"order_no": np.asarray(orders.raw["order_no"], dtype=object)[pos],
           "completed_qty": rows["raw"].to_numpy(dtype=object), "stage": rows["stage"].to_numpy(dtype=object)}
    unknown = {"completed_qty": "qty"}
    if "actual_finish" in cols:
        raw["actual_finish"] = rows["raw_day"].to_numpy(dtype=object)
        unknown["actual_finish"] = "day"
    table = WideTable("production", orders.source, orders.location, orders.sheet, orders.header_row, cols, data,
                      raw, {}, notes=[f"wide tracker: stages {', '.join(dict.fromkeys(c.stage for c in columns))}"],
                      parts=_parts(orders, pos), at=at, headers=headers, unread=~rows["read"].to_numpy(dtype=bool))
    return _unknown(table, rows, unknown)


class _Said(NamedTuple):
    """What the rules are to say of one stage or shipment column's cells, per row of the orders table."""

    bad: np.ndarray      # text that reads as no figure or date (and no tick)
    shown: np.ndarray    # what a cell that shows a formula's error shows; None elsewhere
    marks: dict[str, np.ndarray]   # what normalisation noted of a cell (a placeholder, 500+200): kind -> mask

    def rows(self) -> np.ndarray:
        return np.logical_or.reduce([self.bad, pd.notna(self.shown), *self.marks.values()])

    def columns(self, suffix: str, rows: np.ndarray) -> dict[str, np.ndarray]:
        """Its masks at ``rows``, as columns of a frame of rows (``_unknown`` reads them back by ``suffix``)."""
        return {f"bad_{suffix}": self.bad[rows], f"shown_{suffix}": self.shown[rows],
                **{f"mark:{kind}:{suffix}": marked[rows] for kind, marked in self.marks.items()}}


class _Unread:
    """The cells of an orders table's stage or shipment columns that hold what no figure, date or tick reads from
    (text, a formula's error) or that normalisation marks (待定, 500+200): none unless ``every`` (``wide_tables``)."""

    def __init__(self, orders: Table, extra: dict[int, tuple[str, np.ndarray]], rows: int, every: bool) -> None:
        self.orders, self.extra, self.rows, self.every = orders, extra, rows, every
        self._parsed: dict[tuple[int, str], Parsed] = {}

    def parsed(self, index: int, type_: str) -> Parsed:
        """Column ``index`` parsed as ``type_`` (NUMBER, DATE), once: for its values and for what to say of it."""
        if (index, type_) not in self._parsed:
            self._parsed[index, type_] = parse_column(np.asarray(self.extra[index][1], dtype=object), type_)
        return self._parsed[index, type_]

    def of(self, column: StageColumn | tuple[int, str] | None, type_: str) -> _Said:
        """What to say of ``column`` (a stage's, or a shipment's (index, header)), of figures or of dates."""
        said = _Said(np.zeros(self.rows, dtype=bool), np.full(self.rows, None, dtype=object), {})
        if not self.every or column is None:
            return said
        index = column.index if isinstance(column, StageColumn) else column[0]
        if index in self.orders.extra_errors:
            said.shown[:] = self.orders.extra_errors[index]
        cells = self.extra[index][1]
        parsed = self.parsed(index, type_)
        said.bad[:] = parsed.bad & ~_ticked(cells) & pd.isna(said.shown)
        said.marks.update({kind: np.asarray(marked, dtype=bool) for kind, marked in parsed.marks.items()})
        return said


def _unknown(table: WideTable, rows: pd.DataFrame, columns: dict[str, str]) -> WideTable:
    """``table`` with what is to be said of its fields' cells (field -> the suffix of the columns of ``rows`` that
    hold it, ``_Said.columns``) as a department tab's: ``bad``, ``marks``, and ``errors`` with FORMULA_ERROR."""
    table.bad = {name: np.zeros(len(table), dtype=bool) for name in table.columns}   # as a tab's: every field's
    for name, suffix in columns.items():
        table.bad[name] = rows[f"bad_{suffix}"].to_numpy(dtype=bool)
        shown = rows[f"shown_{suffix}"].to_numpy(dtype=object, copy=True)
        if (errors := pd.notna(shown)).any():
            shown[~errors] = None
            table.errors[name] = shown
            table.marks.setdefault(name, {})[FORMULA_ERROR] = errors
        for column in rows.columns:   # one per kind of mark some part had: False where a part had none
            if column.startswith("mark:") and column.endswith(f":{suffix}"):
                marked = rows[column].fillna(False).to_numpy(dtype=bool)
                if marked.any():
                    table.marks.setdefault(name, {})[column.split(":")[1]] = marked
    return table


def _figures(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The numbers of a stage column, and its cells as written."""
    return _numbers(parse_column(cells, NUMBER)), np.asarray(cells, dtype=object)


def _numbers(parsed: Parsed) -> np.ndarray:
    """A column parsed as numbers, as floats (NaN where a cell is blank or no number)."""
    return pd.to_numeric(pd.Series(parsed.values), errors="coerce").to_numpy(dtype=float)


def day_values(cells: np.ndarray) -> np.ndarray:
    """A date column's days (datetime64; NaT where a cell is blank or no date)."""
    return _days(parse_column(np.asarray(cells, dtype=object), DATE))


def _days(parsed: Parsed) -> np.ndarray:
    """A column parsed as dates, as datetime64 (NaT where a cell is blank or no date)."""
    values = np.asarray(parsed.values, dtype=object)
    return pd.to_datetime(pd.Series(values), errors="coerce").to_numpy(dtype="datetime64[ns]")


def _answers(cells: np.ndarray) -> bool:
    """Every filled cell says yes or no, and some say no: a question's answers, not a stage's progress."""
    said = [header_key(c) if isinstance(c, str) else None for c in cells[_filled(cells)].tolist()]
    return any(c in NOES for c in said) and all(c in NOES or c in TICKS for c in said)


def _filled(cells: np.ndarray) -> np.ndarray:
    """The cells that hold something (not None, NaN or blank text)."""
    return np.array([c is not None and c == c and str(c).strip() != "" for c in cells.tolist()], dtype=bool)


def _ticked(cells: np.ndarray) -> np.ndarray:
    return np.array([isinstance(c, str) and header_key(c) in TICKS for c in cells], dtype=bool)


def _shipping(orders: Table, extra: dict[int, tuple[str, np.ndarray]],
              shipments: list[dict[str, tuple[int, str]]], every: bool = False) -> WideTable | None:
    """A row per order and shipment with a shipped quantity or date, each naming its own cells. ``every``: and one
    where its cells hold what reads as neither (``wide_tables``)."""
    n = len(orders.data)
    unread = _Unread(orders, extra, n, every)
    rows = []
    for ship in shipments:
        qty = _numbers(unread.parsed(ship["shipped_qty"][0], NUMBER)) if "shipped_qty" in ship \
            else np.full(n, np.nan)
        on = _days(unread.parsed(ship["shipped_on"][0], DATE)) if "shipped_on" in ship \
            else np.full(n, np.datetime64("NaT", "ns"))
        read = ~np.isnan(qty) | ~pd.isna(on)
        qty_col, on_col = ship.get("shipped_qty"), ship.get("shipped_on")
        said_qty, said_on = unread.of(qty_col, NUMBER), unread.of(on_col, DATE)
        has = read | said_qty.rows() | said_on.rows()
        raw_qty = np.asarray(extra[qty_col[0]][1], dtype=object) if qty_col else np.full(n, None, dtype=object)
        raw_on = np.asarray(extra[on_col[0]][1], dtype=object) if on_col else np.full(n, None, dtype=object)
        first = min(c[0] for c in ship.values())
        rows.append(pd.DataFrame({
            "pos": np.flatnonzero(has), "first": first, "shipped_qty": qty[has], "shipped_on": on[has],
            "raw_qty": raw_qty[has], "raw_on": raw_on[has], "read": read[has],
            **said_qty.columns("qty", has), **said_on.columns("on", has),
            "qty_col": qty_col[0] if qty_col else -1, "qty_header": qty_col[1] if qty_col else "",
            "on_col": on_col[0] if on_col else -1, "on_header": on_col[1] if on_col else ""}))
    found = pd.concat(rows, ignore_index=True).sort_values(["pos", "first"], kind="stable", ignore_index=True)
    if found.empty:
        return None
    pos = found["pos"].to_numpy()
    data = pd.DataFrame({"order_no": orders.data["order_no"].to_numpy()[pos]})
    data["order_no"] = data["order_no"].astype(orders.data["order_no"].dtype)
    raw = {"order_no": np.asarray(orders.raw["order_no"], dtype=object)[pos]}
    cols = {"order_no": orders.columns["order_no"]}
    at: dict[str, np.ndarray] = {}
    headers: dict[str, np.ndarray] = {}
    unknown: dict[str, str] = {}
    for name, short in (("shipped_qty", "qty"), ("shipped_on", "on")):
        where = found[f"{short}_col"].to_numpy()
        if not (where >= 0).any():
            continue
        unknown[name] = short
        one = next(s[name] for s in shipments if name in s)
        data[name] = found[name].to_numpy()
        raw[name] = found[f"raw_{short}"].to_numpy(dtype=object)
        cols[name] = Column(name, one[0], one[1])
        at[name] = np.where(where >= 0, where, one[0])
        headers[name] = np.where(where >= 0, found[f"{short}_header"].to_numpy(dtype=object), one[1])
    data[ROW] = orders.data[ROW].to_numpy()[pos]
    said = ", ".join(" / ".join(h for _, h in s.values()) for s in shipments)
    table = WideTable("shipping", orders.source, orders.location, orders.sheet, orders.header_row, cols, data, raw,
                      {}, notes=[f"wide tracker: shipping columns ({said})"], parts=_parts(orders, pos), at=at,
                      headers=headers, unread=~found["read"].to_numpy(dtype=bool))
    return _unknown(table, found, unknown)


def _parts(orders: Table, pos: np.ndarray) -> list[Part]:
    """The orders table's sheets, for rows made from its rows at ``pos`` (ascending)."""
    return [replace(p, stop=int(np.searchsorted(pos, p.stop))) for p in orders.parts]

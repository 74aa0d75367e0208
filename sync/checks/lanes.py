"""Registers kept apart: each workbook of an ``apart`` source is checked as a register of its own.

Teams that keep one register per follower (``[sources.registers] path =
"registers/*.xlsx"``) can say that each workbook holds whole orders of its
own (``apart = true``): then each is checked as ``ordersync check`` checks it
alone (its rules, its cross-tab reconciliation, its orders' progress, what
its own figures say is usual) and the findings of all are one report. The
tables of the sources not kept apart are checked together, as one register.
One thing crosses workbooks: an order number kept in two of them is an error
(``duplicate-order``) on the second one's row.

Each of these registers is a lane. The service keeps each lane's last check
(``LaneMemo``) and checks again only the lanes whose register was read again,
so a save costs its own workbook's check, not fifty; the findings and the
order model are the same as checking every lane afresh (each lane's are a
function of its register, the day and the language).
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

from sync.checks.memo import PassMemo
from sync.checks.pipeline import check_register, memoised_model
from sync.config import Config
from sync.findings import ERROR, Finding, Report
from sync.i18n import say
from sync.orders.model import OrderModel, joined_model
from sync.orders.view import POS, order_keys
from sync.sources.base import Source
from sync.tables.register import Register
from sync.tables.table import ROW, Table

#: the lane of the sources that are not kept apart: their tables are one register
TOGETHER = ""
DUPLICATE = "duplicate-order"


def apart_sources(config: Config | None) -> set[str]:
    """The ``[sources.NAME]`` whose workbooks are kept apart."""
    if config is None:
        return set()
    return {name for name, cfg in config.sources.items() if getattr(cfg, "apart", False)}


def lane_of(source: Source, apart: set[str]) -> str:
    """The lane of a source: its own when its ``[sources.NAME]`` keeps workbooks apart, else ``TOGETHER``."""
    return source.name if (getattr(source, "group", None) or source.name) in apart else TOGETHER


def lanes_of(sources: Iterable[Source], apart: set[str]) -> dict[str, list[Source]]:
    """Lane -> its sources, ``TOGETHER`` first (when any source is not kept apart), then one lane per workbook."""
    out: dict[str, list[Source]] = {}
    for source in sources:
        out.setdefault(lane_of(source, apart), []).append(source)
    return dict(sorted(out.items(), key=lambda item: item[0] != TOGETHER))


@dataclass
class _Checked:
    register: weakref.ref
    today: dt.date
    lang: str
    report: Report
    model: OrderModel


class LaneMemo:
    """Each lane's last check, while its register is the same object; a ``PassMemo`` per lane for the rest."""

    def __init__(self) -> None:
        self._checked: dict[str, _Checked] = {}
        self._memos: dict[str, PassMemo] = {}
        self.rechecked: list[str] = []   # the lanes the last ``check_lanes`` checked again
        self._stored: dict[str, weakref.ref] = {}   # the joined tables the ledger last committed

    def held(self, lane: str, register: Register, today: dt.date, lang: str) -> _Checked | None:
        held = self._checked.get(lane)
        if held is not None and held.register() is register and held.today == today and held.lang == lang:
            return held
        return None

    def keep(self, lane: str, register: Register, today: dt.date, lang: str, report: Report,
             model: OrderModel) -> None:
        self._checked[lane] = _Checked(weakref.ref(register), today, lang, report, model)

    def unchanged_since_stored(self, joined: Register) -> frozenset[str]:
        """The tables of ``joined`` that are the very tables the ledger committed last time: nothing to diff."""
        return frozenset(n for n, t in joined.tables.items() if n in self._stored and self._stored[n]() is t)

    def stored(self, joined: Register) -> None:
        """The ledger committed ``joined``'s tables."""
        self._stored = {n: weakref.ref(t) for n, t in joined.tables.items()}

    def forget_stored(self) -> None:
        """The ledger may hold something else now (a cycle failed)."""
        self._stored = {}

    def memo(self, lane: str) -> PassMemo:
        return self._memos.setdefault(lane, PassMemo())

    def keep_only(self, lanes: Iterable[str]) -> None:
        """Forget the lanes that are gone (a workbook removed from the folder)."""
        live = set(lanes)
        self._checked = {k: v for k, v in self._checked.items() if k in live}
        self._memos = {k: v for k, v in self._memos.items() if k in live}


def check_lanes(lanes: dict[str, Register], joined: Register, config: Config | None, *, lang: str,
                today: dt.date, memo: LaneMemo | None = None) -> tuple[Report, OrderModel]:
    """Each lane checked on its own (again only where its register changed, with ``memo``), as one report and
    one order model (``joined_model``, whose view is ``joined``'s: the lanes' tables as one register)."""
    checked: list[tuple[Report, OrderModel]] = []
    if memo is not None:
        memo.keep_only(lanes)
        memo.rechecked = []
    for name, register in lanes.items():
        held = memo.held(name, register, today, lang) if memo is not None else None
        if held is None:
            own = memo.memo(name) if memo is not None else None
            keys = own.begin(register, config, today) if own is not None else None
            model = memoised_model(register, config, today, own, keys)
            report = check_register(register, config, lang=lang, today=today, orders=model, memo=own, keys=keys)
            if memo is not None:
                memo.keep(name, register, today, lang, report, model)
                memo.rechecked.append(name)
        else:
            report, model = held.report, held.model
        checked.append((report, model))
    report = Report(tables={name: 0 for name in joined.tables})
    for part, _ in checked:     # what was checked: every lane's rows, a workbook the join left out too
        report.extend(part.findings)
        for name, rows in part.tables.items():
            report.tables[name] = report.tables.get(name, 0) + rows
    off = set(config.rules.disable) if config is not None else set()
    if DUPLICATE not in off:
        report.extend(kept_twice([model for _, model in checked], lang))
    return report, joined_model([model for _, model in checked], joined, config, today=today)


def could_keep_apart(config: Config, sources: Iterable[Source], orders: list[Table]) -> list[str]:
    """The ``[sources.NAME]`` not kept apart whose workbooks each have an orders tab of their own orders, no order
    number in two of them: ``apart = true`` would check each on its own (``orders``: the orders tables joined)."""
    by_group: dict[str, list[Source]] = {}
    apart = apart_sources(config)
    for source in sources:
        if source.group and source.group not in apart:
            by_group.setdefault(source.group, []).append(source)
    out = []
    for group, members in by_group.items():
        names = {s.name for s in members}
        tables = [t for t in orders if t.source in names and t.has("order_no")]
        if len(members) < 2 or len(tables) != len(members):
            continue
        keys = [set(k for k in order_keys([t])[0][0].tolist() if k) for t in tables]
        if all(keys) and sum(map(len, keys)) == len(set().union(*keys)):
            out.append(group)
    return out


def kept_twice(models: list[OrderModel], lang: str) -> list[Finding]:
    """An order kept in two registers: an error on the first row of each register after the first that has it."""
    seen: dict[str, str] = {}    # order key -> the workbook that has it first
    out: list[Finding] = []
    for model in models:
        own = model.kept("workbook-of-orders", lambda: _workbook_of_orders(model))
        if not own:
            continue
        twice = seen.keys() & own.keys()   # in C: a save re-checks one workbook, not every workbook's orders
        if twice:
            table, frame = model.view.tables["orders"], model.view.orders
            keys = list(own)   # the orders tab's keys, in its order
            rows, places = frame[ROW].to_numpy(), frame[POS].to_numpy()
            numbers = frame["order_no"].tolist()
            column = table.columns["order_no"].header
            for i in (i for i, key in enumerate(keys) if key in twice):
                row, pos, number = int(rows[i]), int(places[i]), str(numbers[i])
                out.append(Finding(
                    DUPLICATE, ERROR,
                    say("{key} 也登记在 {other}", "{key} is also kept in {other}", lang, key=number,
                        other=seen[keys[i]]),
                    table="orders", source=table.source_at(pos), sheet=table.sheet_at(pos), row=row,
                    column=column, cell=table.cell("order_no", row), field="order_no", order_no=number, value=number,
                    hint=say("一张订单只在一个跟单员的登记表里登记；请删去重复的一行，或改正编号",
                             "keep each order in one follower's register; remove the repeated line or correct "
                             "its number", lang),
                    follower=model.progress[keys[i]].follower if keys[i] in model.progress else None))
        first = {key: seen[key] for key in twice}   # an order stays with the first workbook that has it
        seen.update(own)
        seen.update(first)
    return out


def _workbook_of_orders(model: OrderModel) -> dict[str, str]:
    """Each order key of the model's orders tab -> the workbook it is kept in; {} without order numbers."""
    table = model.view.tables.get("orders")
    frame = model.view.orders
    if table is None or frame.empty or not table.has("order_no"):
        return {}
    return dict.fromkeys(frame.index.tolist(), table.source_at(0) if len(table) else table.source)

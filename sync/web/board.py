"""What the pages show, worked out once per reading of the register: the board.

A page never checks or joins anything itself. The board holds what the last
cycle made (the report, the order model, each order's facts, the reminder
concerns, the people) and a few indexes the pages look things up in (an
order's lines and findings). Inside ``ordersync run`` it is made from the
daemon's last cycle (``ServiceBoard``); ``ordersync serve`` alone reads the
sources itself and reads them again when their content changed
(``OwnBoard``). The state (actions, the ledger, the queue) is read per
request, so what someone just did shows at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from sync.calendar import SystemClock
from sync.checks.pipeline import check_register
from sync.config import Config
from sync.findings import Finding, Report
from sync.notices.plan import gather, local_now
from sync.notices.recipients import Recipients
from sync.notices.reminders import Concern
from sync.orders.facts import OrderFacts
from sync.orders.model import OrderModel, order_model
from sync.orders.people import Directory
from sync.orders.view import KEY
from sync.service.cycle import CycleResult, SourceCache, prepare_state
from sync.sources.base import Source
from sync.state import State
from sync.tables.normalize import normalise_key
from sync.tables.register import Register


@dataclass
class Board:
    config: Config
    lang: str
    today: date
    built: datetime
    register: Register
    report: Report
    orders: OrderModel
    facts: dict[str, OrderFacts]
    concerns: list[Concern]
    directory: Directory
    findings_by_order: dict[str, list[Finding]] = field(default_factory=dict)
    _lines: dict[str, list[int]] | None = field(default=None, repr=False)
    _kept: dict[Any, Any] = field(default_factory=dict, repr=False)

    def kept(self, what: Any, make: Callable[[], Any]) -> Any:
        """``make()``, worked out once per board (what does not depend on what people said since)."""
        if what not in self._kept:
            self._kept[what] = make()
        return self._kept[what]

    def rows_of(self, table: str, key: str) -> Any:
        """A department tab's rows (the view's part) of one order, by an index made once per board."""
        rows = self.orders.view.parts.get(table)
        if rows is None or rows.empty:
            return None
        index = self.kept(("rows", table), lambda: rows.groupby(KEY, sort=False).indices)
        return rows.iloc[index[key]] if key in index else rows.iloc[[]]

    def lines(self, key: str) -> list[int]:
        """The orders tab's row positions of one order (several lines: colours, sizes)."""
        if self._lines is None:
            table = self.register.tables.get("orders")
            index: dict[str, list[int]] = {}
            if table is not None and table.has("order_no"):
                for pos, no in enumerate(table.data["order_no"].tolist()):
                    index.setdefault(normalise_key(no) if no is not None else "", []).append(pos)
            self._lines = index
        return self._lines.get(key, [])


class BoardSource(Protocol):
    state_path: Path
    clock: Callable[[], datetime]     # the daemon's clock: when an action is taken, when its mail is due

    def board(self) -> Board | None: ...


def build_board(state: State, config: Config, register: Register, *, now: datetime, lang: str,
                report: Report | None = None, orders: OrderModel | None = None) -> Board:
    """The board of a register: the cycle's report and model when given, else checked here, once."""
    today = local_now(config, now).date()
    if orders is None or orders.today != today:
        orders = order_model(register, config, today=today)
    if report is None:
        report = check_register(register, config, lang=lang, today=today, orders=orders)
    inputs = gather(state, config, register, now=now, lang=lang, report=report, orders=orders, history=False)
    directory = Recipients.from_register(register, config.people, lang).directory
    by_order: dict[str, list[Finding]] = {}
    for f in report.findings:
        if f.order_no:
            by_order.setdefault(normalise_key(f.order_no), []).append(f)
    return Board(config, lang, today, now, register, report, inputs.orders or orders, inputs.facts,
                 inputs.concerns, directory, by_order)


class ServiceBoard:
    """The daemon's last cycle, shared: the page and the daemon read the register once."""

    def __init__(self, service: Any) -> None:
        self.service = service
        self.state_path: Path = service.state_path
        self.clock: Callable[[], datetime] = service.now
        self._made: tuple[CycleResult | None, Board | None] = (None, None)
        self._lock = threading.Lock()

    def board(self) -> Board | None:
        last = self.service.last
        if last is None or last.report is None:
            return None
        with self._lock:
            if self._made[0] is not last:
                with State(self.state_path) as state:
                    made = build_board(state, self.service.config, self.service.cache.register(),
                                       now=self.clock(), lang=self.service.lang,
                                       report=last.report, orders=last.orders)
                self._made = (last, made)
            return self._made[1]


class OwnBoard:
    """``ordersync serve`` alone: its own reading of the sources, again when their content changed."""

    def __init__(self, config: Config, sources: list[Source], lang: str, *, look_every: float = 30.0,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.config, self.lang, self.look_every = config, lang, look_every
        self.clock = clock or SystemClock().now   # the daemon's clock, as a page sees it ($ORDERSYNC_NOW pins it)
        self.state_path = config.resolve(config.service.state)
        self.cache = SourceCache(config, sources)
        self._board: Board | None = None
        self._looked = 0.0
        self._lock = threading.Lock()

    def board(self) -> Board | None:
        with self._lock:
            if self._board is None or time.monotonic() - self._looked >= self.look_every:
                now = self.clock()
                read, _ = self.cache.refresh(list(self.cache.sources), now)
                self._looked = time.monotonic()
                if read or self._board is None or self._board.today != local_now(self.config, now).date():
                    with State(self.state_path) as state:
                        prepare_state(state)
                        self._board = build_board(state, self.config, self.cache.register(), now=now,
                                                  lang=self.lang)
            return self._board

    def statuses(self) -> dict[str, dict[str, Any]]:
        return {name: vars(s) for name, s in self.cache.status.items()}


class FixedBoard:
    """A board made once (tests, the bench)."""

    def __init__(self, board: Board, state_path: Path) -> None:
        self._board, self.state_path = board, state_path
        self.clock: Callable[[], datetime] = lambda: board.built

    def board(self) -> Board | None:
        return self._board

"""Quantity and price sanity: a number typed with an extra zero (or one missing).

Each value is compared with a robust baseline of its group on a log scale:
the median of the group and its spread (MAD, never narrower than
``min_spread``). A value is flagged only when it is outside the group's usual
range *and* dividing (or multiplying) it by 10 or 100 brings it back inside:
that is the signature of a slipped zero, not of a big order. Groups with
fewer than ``min_history`` other rows stay quiet; the most specific group with
enough history is used (customer + product before customer). A customer who
always orders big is simply a group with a big baseline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import ClassVar

import numpy as np
import pandas as pd
from pydantic import Field

from sync.checks.base import Check, Context
from sync.checks.signs import CONFIRMED, group_codes, read_signs
from sync.findings import WARNING, Finding
from sync.i18n import Text
from sync.tables.table import Table

_SLIPS = {1: Text("多打了一个 0", "an extra zero"), 2: Text("多打了两个 0", "two extra zeros"),
          -1: Text("少打了一个 0", "a zero missing"), -2: Text("少打了两个 0", "two zeros missing")}
MAD_TO_SIGMA = 1.4826
#: a corrected figure is at most this share of the typed one's distance from the group's median (log scale)
NEARER = 0.6
#: a figure this many rows of the column hold, and this share of its figures, is one people order (1 piece in a
#: shop's sales): typed in a group of larger orders it is no zero gone missing
COMMON_ROWS = 20
COMMON_SHARE = 0.05


class Outlier(Check):
    """``field`` against the usual values of its group; flags factors near 10x / 100x and 1/10, 1/100."""

    type = "outlier"
    MESSAGE = Text("{column} 通常为 {usual}（{group}），此处为 {value}：{slip}？",
                   "{column} is usually {usual} for {group}, got {value}: {slip}?")
    HINT = Text("是否应为 {suggestion}？{confirmed}", "did you mean {suggestion}?{confirmed}")
    #: a figure far from the usual that the row's other facts vouch for (``sync.checks.signs``): a warning
    CONFIRM: ClassVar[Text] = Text("{column} 为 {value}，远离平常的 {usual}（{group}），但{why}：请确认",
                                   "{column} is {value}, far from the usual {usual} for {group}, but {why}: please confirm")
    CONFIRM_HINT: ClassVar[Text] = Text("如数字无误，无需处理；如多打或少打了 0，应为 {suggestion}",
                                        "if the figure is right, nothing to do; if a zero slipped, it is {suggestion}")
    PLACEHOLDERS = frozenset({"usual", "group", "slip", "suggestion", "history", "why", "confirmed"})
    field: str
    #: grouping levels, most specific first, e.g. [["customer", "product"], ["customer"]]
    groups: list[list[str]] = Field(min_length=1)
    #: the levels used on a table that lacks a field of ``groups``' broadest level (a work-order tracker without
    #: a customer column: [["product"]])
    fallback: list[list[str]] = Field(default_factory=list)
    min_history: int = Field(default=5, ge=1)
    #: powers of ten to test, both ways (10 -> 10x and 1/10)
    factors: list[int] = Field(default_factory=lambda: [10, 100])
    #: the usual range is at least x/÷ this wide, so a very regular group does not make noise
    min_spread: float = Field(default=1.5, gt=1)
    #: how many robust spreads from the median count as "outside the usual"
    z: float = Field(default=2.5, gt=0)
    #: and never closer to the median than this ratio
    min_ratio: float = Field(default=3.5, gt=1)
    #: the field whose lines make one order (split deliveries): a part is judged with its order's lines
    order_field: str | None = None
    #: the column billed for the row (amount) and the one that times ``field`` makes it (quantity x unit price):
    #: the signs that a far-off figure is meant read them (``sync.checks.signs``)
    amount: str | None = None
    per: str | None = None

    def fields_needed(self) -> list[str]:
        broadest = set(self.groups[-1]) & set(self.fallback[-1]) if self.fallback else set(self.groups[-1])
        return [self.field, *(f for f in self.groups[-1] if f in broadest)]

    def run(self, table: Table, ctx: Context) -> Iterator[Finding]:
        if self.fallback and not all(table.has(f) for f in self.groups[-1]):
            if all(table.has(f) for f in self.fallback[-1]):
                yield from self.model_copy(update={"groups": self.fallback, "fallback": []}).run(table, ctx)
            return
        values = table.data[self.field].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.where(values > 0, np.log10(values), np.nan)
        base = self._baseline(table, x)
        if base is None:
            return
        median, spread, codes = base
        shift = self._slips(x, median, spread)
        shift[self._whole_order_usual(table, values, median, spread) & (shift < 0)] = 0
        positions = np.flatnonzero(shift != 0)
        if not len(positions):
            return
        peers_of = self._peers(table, codes)
        positions = positions[self._meant_is_usual(positions, values, shift, peers_of)]
        if len(positions):
            yield from self._report(table, ctx, positions, values, shift, codes, peers_of)

    def _meant_is_usual(self, positions: np.ndarray, values: np.ndarray, shift: np.ndarray,
                        peers_of: Callable[[int], np.ndarray]) -> np.ndarray:
        """Of the rows flagged, those a slip explains as the message will put it: the figure is outside the
        usual range shown (the group's others, 10th to 90th percentile); the corrected figure is a whole
        number where the group's figures all are (14 pieces among orders of 1-6 is no 1.4 with a zero typed
        extra); and a zero went missing only from a figure the group has had, no more than its largest (1
        among a customer's orders of 3-9 would mean 10), and from no figure the whole column holds often
        (``COMMON_SHARE``)."""
        flagged = np.zeros(len(values), dtype=bool)
        flagged[positions] = True
        keep = np.ones(len(positions), dtype=bool)
        figures = values[np.isfinite(values)]
        typed, counts = np.unique(figures, return_counts=True)
        common = set(typed[(counts >= COMMON_ROWS) & (counts >= COMMON_SHARE * len(figures))].tolist())
        for i, p in enumerate(positions):
            members = peers_of(p)
            peers = values[members[~flagged[members]]]
            peers = peers[np.isfinite(peers)]
            if not len(peers):
                continue
            lo, hi = np.quantile(peers, [0.1, 0.9])
            meant = values[p] / 10 ** int(shift[p])
            whole = meant == round(meant) or not np.all(peers == np.round(peers))
            keep[i] = whole and not lo <= values[p] <= hi and (shift[p] > 0 or (
                meant <= peers.max() and values[p] not in common))
        return keep

    def _baseline(self, table: Table, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Per row: median and spread (log10) of its most specific group with enough history, and that group."""
        n = len(x)
        median, spread = np.full(n, np.nan), np.full(n, np.nan)
        codes = np.full(n, -1, dtype=np.int64)
        used = False
        floor = np.log10(self.min_spread) / self.z
        counted = np.where(self._counted_once(table, x), x, np.nan)
        for level, fields in enumerate(self.groups):
            if not all(table.has(f) for f in fields):
                continue
            used = True
            group = group_codes(table, fields)
            frame = pd.DataFrame({"x": counted, "g": group})[group >= 0]
            by = frame.groupby("g")["x"]
            med = by.transform("median")
            mad = (frame["x"] - med).abs().groupby(frame["g"]).transform("median")
            history = by.transform("count") - 1
            take = frame.index[(history >= self.min_history).to_numpy() & np.isnan(median[frame.index])
                               & ~np.isnan(x[frame.index])]
            median[take] = med[take]
            spread[take] = np.maximum(MAD_TO_SIGMA * mad[take], floor)
            codes[take] = group[take] * len(self.groups) + level
        return (median, spread, codes) if used else None

    def _slips(self, x: np.ndarray, median: np.ndarray, spread: np.ndarray) -> np.ndarray:
        """Per row: +1/+2 for one/two extra zeros, -1/-2 for missing ones, 0 for fine."""
        d = x - median
        band = self.z * spread
        far = np.abs(d) > np.maximum(band, np.log10(self.min_ratio))
        shift = np.zeros(len(x), dtype=np.int64)
        for power in sorted({int(round(np.log10(f))) for f in self.factors if f > 1}):
            for sign in (1, -1):
                # corrected, it must be usual, and well nearer the median than as typed (``NEARER``: 1 among
                # orders of 2-7 is nearer 4 than 10 is, so no zero went missing)
                back = (np.abs(d - sign * power) <= band) & (np.abs(d - sign * power) <= NEARER * np.abs(d))
                hit = far & back & (np.sign(d) == sign) & (shift == 0)
                shift[hit] = sign * power
        return shift

    def _counted_once(self, table: Table, x: np.ndarray) -> np.ndarray:
        """Rows that count in a baseline: an order's quantity repeated on each of its operation lines
        (车, 铣, 磨) is one order, not three."""
        if self.order_field is None or not table.has(self.order_field):
            return np.ones(len(x), dtype=bool)
        order = group_codes(table, [self.order_field])
        repeated = pd.DataFrame({"o": order, "x": x}).duplicated().to_numpy()
        return ~(repeated & (order >= 0))

    def _whole_order_usual(self, table: Table, values: np.ndarray, median: np.ndarray,
                           spread: np.ndarray) -> np.ndarray:
        """Rows of an order on several lines whose lines together are a usual order: a delivery part of
        a split order is small by design, not a zero short."""
        usual = np.zeros(len(values), dtype=bool)
        if self.order_field is None or not table.has(self.order_field):
            return usual
        order = group_codes(table, [self.order_field])
        split = order >= 0
        if not split.any():
            return usual
        frame = pd.DataFrame({"v": np.where(np.isfinite(values), values, 0.0), "o": order})[split]
        whole = frame.groupby("o")["v"].transform("sum").to_numpy()
        lines = frame.groupby("o")["v"].transform("size").to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.log10(whole) - median[split]
        band = np.maximum(self.z * spread[split], np.log10(self.min_ratio))
        usual[np.flatnonzero(split)] = (lines > 1) & (np.abs(d) <= band)
        return usual

    def _peers(self, table: Table, codes: np.ndarray) -> Callable[[int], np.ndarray]:
        """``peers(p)``: the positions of the rows of the group the row at ``p`` was judged against, all of
        them: a row judged against its customer (no history of its product) has all the customer's rows for
        peers, whatever group they were judged in themselves."""
        levels: dict[int, tuple[np.ndarray, dict[int, np.ndarray]]] = {}

        def peers(p: int) -> np.ndarray:
            level = int(codes[p] % len(self.groups))
            if level not in levels:
                group = group_codes(table, self.groups[level])
                levels[level] = group, pd.Series(np.arange(len(group))).groupby(group).indices
            group, members = levels[level]
            return members.get(group[p], np.array([p]))
        return peers

    def _report(self, table: Table, ctx: Context, positions: np.ndarray, values: np.ndarray,
                shift: np.ndarray, codes: np.ndarray, peers_of: Callable[[int], np.ndarray]) -> Iterator[Finding]:
        usual, group, slip, suggestion, history = [], [], [], [], []
        normal = np.ones(len(values), dtype=bool)
        normal[positions] = False  # the usual range is shown without the other slips of the group
        for p in positions:
            peers = peers_of(p)
            peers = values[peers[normal[peers]]]
            peers = peers[np.isfinite(peers)]
            lo, hi = np.quantile(peers, [0.1, 0.9])
            usual.append(f"{_nice(lo)}–{_nice(hi)}" if _nice(lo) != _nice(hi) else _nice(lo))
            fields = self.groups[codes[p] % len(self.groups)]
            group.append(" / ".join(table.raw_text(f, p) for f in fields))
            power = int(shift[p])
            slip.append(_SLIPS.get(power, Text("差 10^{0} 倍", "off by 10^{0}")).format(ctx.lang).format(power))
            suggestion.append(_nice(values[p] / 10 ** power, exact=True))
            history.append(len(peers))
        verdict = read_signs(self, table, positions, values, shift, peers_of)
        fill = {"usual": usual, "group": group, "slip": slip, "suggestion": suggestion, "history": history}
        amounts = table.data[self.amount].to_numpy() if self.amount and table.has(self.amount) else None
        fill["confirmed"] = [CONFIRMED.format(ctx.lang, amount=_nice(float(amounts[p]), exact=True), suggestion=s)
                             if verdict.confirmed[i] and amounts is not None else ""
                             for i, (p, s) in enumerate(zip(positions, suggestion))]
        fill["why"] = [verdict.text(i, ctx.lang, value=table.raw_text(self.field, p))
                       for i, p in enumerate(positions)]
        for vouched in (False, True):
            take = [i for i, w in enumerate(verdict.why) if (w is not None) == vouched]
            if not take:
                continue
            picked = {k: [v[i] for i in take] for k, v in fill.items()}
            if vouched:
                yield from self.flag_at(table, ctx, positions[take], self.field, picked, severity=WARNING,
                                        message=self.CONFIRM, hint=self.CONFIRM_HINT)
            else:
                yield from self.flag_at(table, ctx, positions[take], self.field, picked)


def _nice(value: float, exact: bool = False) -> str:
    """Two significant figures for a range (300–600, 63–64), the value itself for a suggestion."""
    if not exact:
        digits = 2 if value >= 100 else 3
        value = float(f"{value:.{digits}g}")
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")

"""The digests' charts as data for HTML bars: no image, no font, no matplotlib.

A PNG drawn on the server needs a CJK font on the server; without one,
matplotlib turned 裁剪, 车缝 and 整烫 into "?" and merged them into one bar
with the wrong number. Bars drawn as table cells of a given width are text
the mail client sets in its own fonts, so every label reads as typed, on a
phone too, and cost a few hundred bytes. ``templates/bars.j2`` draws them.

A chart that cannot be drawn correctly is not drawn wrong: ``Chart.problem``
says why it is left out (two bars with one label, a value that is not a
count), and the mail shows that line instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sync.i18n import say

#: a bar never narrower than this (percent of the track) when its value is not zero, so it stays visible
MIN_WIDTH = 2.0


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    width: float          # percent of the track, 0..100

    @property
    def shown(self) -> str:
        return f"{self.value:,.0f}" if float(self.value).is_integer() else f"{self.value:,.1f}"


@dataclass
class Chart:
    title: str
    bars: list[Bar] = field(default_factory=list)
    bad: bool = False          # the bars count something wrong (late orders): drawn in the warning colour
    problem: str = ""          # why it is left out; empty: draw it

    @property
    def drawn(self) -> bool:
        return not self.problem and bool(self.bars)


def bar_chart(labels: list[str], values: list[float], *, title: str, lang: str, bad: bool = False) -> Chart:
    """Bars scaled to the largest value, or a chart with ``problem`` set when they would mislead."""
    chart = Chart(title, bad=bad)
    problem = _problem(labels, values, lang)
    if problem:
        chart.problem = problem
        return chart
    top = max(values, default=0) or 1
    chart.bars = [Bar(str(label), value, _width(value, top)) for label, value in zip(labels, values)]
    return chart


def _width(value: float, top: float) -> float:
    if value <= 0:
        return 0.0
    return round(max(MIN_WIDTH, 100.0 * value / top), 1)


def _problem(labels: list[str], values: list[float], lang: str) -> str:
    if len(labels) != len(values):
        return say("图表的标签与数值对不上，未画出。", "The chart's labels and values do not match; not drawn.", lang)
    names = [str(label).strip() for label in labels]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice or any(not n for n in names):
        return say("图表中有重复或空白的标签（{names}），未画出，以免合并成错误的数字；见下表。",
                   "The chart has repeated or blank labels ({names}); not drawn rather than merged into wrong "
                   "numbers. See the table below.", lang, names="、".join(twice) or "∅")
    if any(not isinstance(v, (int, float)) or isinstance(v, bool) or math.isnan(v) or v < 0 for v in values):
        return say("图表中有不是数量的数值，未画出；见下表。", "The chart has values that are not counts; not drawn. "
                   "See the table below.", lang)
    return ""

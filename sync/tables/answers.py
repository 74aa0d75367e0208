"""Cells that answer yes or no, and the status column that asks a question.

A register often keeps no status words: a column 是否出货 or 是否完成 is ticked
(√, 是, Y) when the order has shipped or is done and left blank or crossed (×,
否) while it is not. Such a column is the order's status; its answers read as the
status words the header's question stands for (√ under 是否出货 reads 已出货, a
blank or × reads 未出货), so every consumer of the status (overdue orders,
reminders, the reconciliation with the shipping tab) treats them as it treats
words. The cells stay as typed in the table's ``raw``.
"""

from __future__ import annotations

import re

import numpy as np

from sync.tables.columns import Factor
from sync.tables.labels import header_key

#: a cell that says "yes" / "done" without a figure
TICKS = frozenset({"✓", "√", "✔", "v", "ok", "y", "yes", "done", "完成", "已完成", "完工", "是"})
#: a cell that answers no: beside 是 in the same column, the column asks a question (电镀: 是/否, needs plating?)
NOES = frozenset({"否", "不", "无", "不需要", "no", "n", "none", "×", "✗", "✘"})

#: a status header that asks whether the order got somewhere: 是否出货, 是否已完成, 出货否, 完成与否
_QUESTION = re.compile(r"^(?:是否已?(?P<a>\w+?)|(?P<b>\w+?)(?:否|与否|yn))$")
#: what the question asks, folded -> (the status a yes reads as, the one a no or blank reads as)
_ASKED = {
    "出货": ("已出货", "未出货"), "发货": ("已发货", "未发货"), "出运": ("已出运", "未出运"), "交货": ("已交货", "未交货"),
    "交付": ("已交付", "未交付"), "完成": ("完结", "未完成"), "完工": ("完结", "未完成"), "结案": ("已结案", "未结案"),
    "shipped": ("shipped", "not shipped"), "delivered": ("delivered", "not delivered"),
    "completed": ("closed", "not completed"), "closed": ("closed", "not closed"),
}


def asked(label: str) -> tuple[str, str] | None:
    """(yes, no) status words of a status header that asks a question; None for any other header."""
    found = _QUESTION.match(header_key(label))
    if found is None:
        return None
    return _ASKED.get(found.group("a") or found.group("b"))


def answered_status(label: str, factor: Factor) -> Factor | None:
    """The status column ``factor`` under header ``label`` with its answers read as status words; None when the
    header asks no question or no cell answers it (a column of words stays as it is)."""
    words = asked(label)
    if words is None:
        return None
    values = factor.uniques.tolist()
    folded = [header_key(u) if isinstance(u, str) else None for u in values]
    used = (np.bincount(factor.codes, minlength=len(values)) > 0).tolist()
    if not any(u and (f in TICKS or f in NOES) for f, u in zip(folded, used)):
        return None
    yes, no = words
    uniques = factor.uniques.copy()
    for i, (value, f) in enumerate(zip(values, folded)):
        if f in TICKS:
            uniques[i] = yes
        elif f in NOES or f == "" or value is None or value != value:   # blank (or NaN): not ticked yet
            uniques[i] = no
    return Factor(factor.codes, uniques)

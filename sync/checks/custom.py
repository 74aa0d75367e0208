"""Custom checks: a rules/*.py file for what a TOML pack cannot express.

A custom check is a function decorated with ``@check``. It gets the table
(``table.data`` is a pandas DataFrame with one typed column per canonical
field, plus ``_row``) and the context (``ctx.today``, ``ctx.lang``,
``ctx.register`` for the other tables) and returns a boolean mask over the
rows: True marks a row to report. To fill placeholders of your message,
return ``(mask, {"name": values})`` with one value per flagged row::

    from sync.checks.custom import check

    @check(id="tiny-order", table="orders", field="quantity", severity="warning",
           message=("{column} 只有 {value} 件", "{column} is only {value}"),
           hint=("样品单请在备注注明", "mark sample orders in the remarks"))
    def tiny_order(table, ctx):
        return table.data["quantity"] < 10

The finding points at ``field`` on each flagged row; ``id`` is the finding's
rule and can be switched off with ``[rules] disable = ["tiny-order"]``.
Work on whole columns (pandas), not row by row: registers can be large.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from pydantic import PrivateAttr

from sync.checks.base import Check, Context, LangText
from sync.findings import Finding
from sync.i18n import Text
from sync.tables.table import Table

CheckFunction = Callable[[Table, Context], Any]


class CustomCheck(Check):
    """A rule backed by a decorated function from a rules/*.py file."""

    type = "custom"
    field: str
    #: other columns the function reads; the rule is skipped when one is missing
    uses: list[str] = []
    PLACEHOLDERS = frozenset({"*"})  # a custom check names its own placeholders
    _fn: CheckFunction = PrivateAttr()
    _origin: str = PrivateAttr(default="")

    def fields_needed(self) -> list[str]:
        return [self.field, *self.uses]

    def run(self, table: Table, ctx: Context) -> Iterator[Finding]:
        result = self._fn(table, ctx)
        mask, values = result if isinstance(result, tuple) else (result, {})
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (len(table.data),):
            raise ValueError(f"{self._origin}: {self.id} must return one True/False per row, "
                             f"got shape {mask.shape} for {len(table.data)} rows")
        yield from self.flag(table, ctx, mask, self.field, values)

    def check_templates(self) -> str | None:
        return None


def check(*, id: str, table: str, field: str, severity: str = "warning", message: tuple[str, str] | Text,
          hint: tuple[str, str] | Text = ("", ""), uses: list[str] | None = None,
          enabled: bool = True) -> Callable[[CheckFunction], CustomCheck]:
    """Turn a function ``(table, ctx) -> mask`` into a rule (see the module docstring)."""

    def wrap(fn: CheckFunction) -> CustomCheck:
        msg = message if isinstance(message, Text) else Text(*message)
        tip = hint if isinstance(hint, Text) else Text(*hint)
        rule = CustomCheck(id=id, table=table, field=field, severity=severity, uses=uses or [],
                           enabled=enabled, message=LangText(zh=msg.zh, en=msg.en),
                           hint=LangText(zh=tip.zh, en=tip.en))
        rule._fn = fn
        rule._origin = getattr(fn, "__module__", "")
        return rule

    return wrap

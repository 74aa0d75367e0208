"""A date typed into a quantity column of a Google Sheet: it arrives as a day count (46280), not as a date.

Excel hands ordersync a date cell as a date, so a date in a quantity column is
unreadable there and said so. The Sheets API hands every date over as a serial
number (days since 1899-12-30) unless the request asks for the cells' formats,
which costs a request per range or a response several times larger
(``includeGridData``): the read stays one ``values:batchGet`` and this rule
looks instead for quantities that are whole numbers counting the days of a date
near today (within ``years`` either side). Such a quantity is rare; such a slip
is common (typing the delivery date one column too far left).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field

from sync.checks.base import Check, Context, field_type
from sync.findings import ERROR, Finding
from sync.i18n import Text
from sync.tables.table import Table

SHEETS_EPOCH = dt.date(1899, 12, 30)
GOOGLE = "https://docs.google.com/"


class SerialDate(Check):
    """Whole numbers in quantity columns of a Google Sheet that are the serial of a date near today."""

    type = "serial-date"
    MESSAGE = Text("{column}“{value}”像是日期 {date}（Google 表格把日期作为天数传来），不像数量",
                   "{column} '{value}' looks like the date {date} (Google Sheets hands dates over as day counts), "
                   "not a quantity")
    HINT = Text("如果是日期，请填到日期列，这里填数量；如果确实是这个数量，可在 config.toml 的 [rules] disable 关掉 {rule}",
                "if it is a date, move it to its date column and type the quantity here; if it really is the "
                "quantity, switch this rule off in config.toml: [rules] disable = [\"{rule}\"]")
    PLACEHOLDERS = frozenset({"date", "rule"})
    severity: Literal["error", "warning", "info"] = ERROR
    fields: list[str] = Field(default_factory=list)   # default: the table's quantity fields
    years: int = Field(default=2, ge=1)

    def run(self, table: Table, ctx: Context) -> Iterator[Finding]:
        if not _from_google(table):
            return
        low = (ctx.today.replace(year=ctx.today.year - self.years) - SHEETS_EPOCH).days
        high = (ctx.today.replace(year=ctx.today.year + self.years) - SHEETS_EPOCH).days
        for name in self.fields or _quantity_fields(table):
            if not table.has(name):
                continue
            values = pd.to_numeric(table.data[name], errors="coerce").to_numpy(dtype=float)
            hit = (values >= low) & (values <= high) & (np.mod(values, 1) == 0)
            positions = np.flatnonzero(hit)
            dates = [(SHEETS_EPOCH + dt.timedelta(days=int(values[p]))).isoformat() for p in positions]
            yield from self.flag_at(table, ctx, positions, name, {"date": dates, "rule": [self.id] * len(dates)})


def _from_google(table: Table) -> bool:
    return any(str(p.location).startswith(GOOGLE) for p in table.parts) or str(table.location).startswith(GOOGLE)


def _quantity_fields(table: Table) -> list[str]:
    return [n for n in table.columns if field_type(table, n) == "number" and ("qty" in n or n == "quantity")]

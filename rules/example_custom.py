"""Example custom check: the month in the order number should match the order date.

Many registers number orders by month (SO-2605-039 is the 39th order of May
2026). When the number says one month and the order date another, one of the
two was typed wrong, or a row was copied and only half edited. The rule is
quiet for order numbers without a YYMM part, so it is safe on any register.

Copy this file to write your own: the decorator API is documented in
sync/checks/custom.py. Switch this one off with [rules] disable = ["order-no-month"].
"""

from __future__ import annotations

import re

import numpy as np

from sync.checks.custom import check

# SO-2605-039, PO2605-12, 2605-001: a 4-digit YYMM group between separators or after letters
YYMM = re.compile(r"^[A-Za-z]*-?(\d{2})(0[1-9]|1[0-2])-\d+$")


@check(id="order-no-month", table="orders", field="order_no", uses=["order_date"], severity="warning",
       message=("订单号 {value} 表示 {number_month}，但下单日期是 {date}",
                "order number {value} says {number_month}, but the order date is {date}"),
       hint=("请核对订单号或下单日期", "check the order number or the order date"))
def order_no_month(table, ctx):
    # a plain loop over the numbers: one regex match each is quicker than pandas' str.extract
    found = [YYMM.match(n) if isinstance(n, str) else None for n in table.data["order_no"].tolist()]
    said = np.array([(2000 + int(m[1])) * 12 + int(m[2]) if m else -1 for m in found])
    dated = table.data["order_date"]
    actual = (dated.dt.year * 12 + dated.dt.month).to_numpy(dtype=float, na_value=np.nan)
    early = (dated.dt.day <= 3).to_numpy(dtype=bool, na_value=False)
    # the first days of a month are often still numbered in the month before
    flagged = (said > 0) & ~np.isnan(actual) & (said != actual) & ~((said == actual - 1) & early)
    return flagged, {
        "number_month": [f"20{m[1]}-{m[2]}" for m, f in zip(found, flagged) if f],
        "date": [d.date().isoformat() for d in dated[flagged]],
    }

"""Example custom check: the month in the order number should match the order date.

Many registers number orders by month (SO-2605-039 is the 39th order of May
2026). When the number says one month and the order date another, one of the
two was typed wrong, or a row was copied and only half edited. The rule is
quiet for order numbers without a YYMM part, so it is safe on any register.

Copy this file to write your own: the decorator API is documented in
sync/checks/custom.py. Switch this one off with [rules] disable = ["order-no-month"].
"""

from __future__ import annotations

import pandas as pd

from sync.checks.custom import check


@check(id="order-no-month", table="orders", field="order_no", uses=["order_date"], severity="warning",
       message=("订单号 {value} 表示 {number_month}，但下单日期是 {date}",
                "order number {value} says {number_month}, but the order date is {date}"),
       hint=("请核对订单号或下单日期", "check the order number or the order date"))
def order_no_month(table, ctx):
    numbers = table.data["order_no"].astype("string")
    # SO-2605-039, PO2605-12, 2605-001: a 4-digit YYMM group between separators or after letters
    parts = numbers.str.extract(r"^[A-Za-z]*-?(\d{2})(0[1-9]|1[0-2])-\d+$")
    dated = table.data["order_date"]
    has = parts[0].notna() & dated.notna()
    said = (2000 + parts[0].astype(float)) * 12 + parts[1].astype(float)
    actual = dated.dt.year * 12 + dated.dt.month
    # the first days of a month are often still numbered in the month before
    wrong = has & ~((said == actual) | ((said == actual - 1) & (dated.dt.day <= 3)))
    flagged = wrong.to_numpy(dtype=bool)
    return flagged, {
        "number_month": [f"20{y}-{m}" for y, m in zip(parts[0][flagged], parts[1][flagged])],
        "date": [d.date().isoformat() for d in pd.to_datetime(dated[flagged])],
    }

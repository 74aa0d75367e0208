"""The order model of one pass: the joined view and every order's progress, worked out once.

A cycle asks three things of the orders: the cross-tab checks (the view, and
the at-risk warnings from progress), the change-request impacts (status and
projected finish) and the notices (the facts of each order). ``order_model``
works the view and the progress out once; the cycle hands the one model to
each of them, so nothing is joined or classified twice and nothing is kept
behind anyone's back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sync.orders.progress import OrderProgress, progress_of_view
from sync.orders.view import OrderView, build_view, settings_from
from sync.tables.register import Register


@dataclass(frozen=True)
class OrderModel:
    """The register's orders as of ``today``: the view, and each order's progress by order key."""

    view: OrderView
    progress: dict[str, OrderProgress]
    today: dt.date

    def projected_finish(self, key: str) -> dt.date | None:
        p = self.progress.get(key)
        return p.projected_finish if p is not None else None

    def status_class(self, key: str) -> str | None:
        """The class of the order's status (``sync.orders.view.STATUS_WORDS``); None: blank, or no such order."""
        orders = self.view.orders
        if key not in orders.index or "status_class" not in orders:
            return None
        value = orders.at[key, "status_class"]
        return value if isinstance(value, str) else None


def order_model(register: Register, config: Any = None, *, today: dt.date) -> OrderModel:
    """Join the register and work out every order's progress, once."""
    view = build_view(register, settings_from(config))
    return OrderModel(view, progress_of_view(view, today=today), today)

"""The order model of one pass: the joined view and every order's progress, worked out once.

A cycle asks three things of the orders: the cross-tab checks (the view, and
the at-risk warnings from progress), the change-request impacts (status and
projected finish) and the notices (the facts of each order). ``order_model``
works the view and the progress out once; the cycle hands the one model to
each of them, so nothing is joined or classified twice and nothing is kept
behind anyone's back.

Registers kept apart (``[sources.NAME] apart = true``, one per follower) are
each worked out on their own (``sync.checks.lanes``); ``joined_model`` puts
their models together: each order's progress is its own register's, and the
view of the whole, which only the pages, the digests and change requests look
at, is joined when one of them first asks for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from sync.orders.progress import OrderProgress, progress_of_view
from sync.orders.view import OrderView, build_view, settings_from
from sync.tables.register import Register


class OrderModel:
    """The register's orders as of ``today``: the view, and each order's progress by order key.

    ``lanes``: the models of the registers kept apart it was put together from (``joined_model``).
    What is worked out from the model alone (its orders' facts) is kept on it (``kept``)."""

    def __init__(self, view: OrderView | Callable[[], OrderView], progress: dict[str, OrderProgress],
                 today: dt.date, lanes: tuple[OrderModel, ...] = ()) -> None:
        self._view = view if isinstance(view, OrderView) else None
        self._make_view = None if isinstance(view, OrderView) else view
        self.progress = progress
        self.today = today
        self.lanes = lanes
        self._kept: dict[str, Any] = {}

    @property
    def view(self) -> OrderView:
        if self._view is None:
            self._view = self._make_view()
            self._make_view = None
        return self._view

    def kept(self, what: str, make: Callable[[], Any]) -> Any:
        """``make()``, once per model: the model does not change."""
        if what not in self._kept:
            self._kept[what] = make()
        return self._kept[what]

    def projected_finish(self, key: str) -> dt.date | None:
        p = self.progress.get(key)
        return p.projected_finish if p is not None else None

    def views_of(self, keys: Iterable[str]) -> list[tuple[OrderView, list[str]]]:
        """The views that have ``keys``, each with the keys it has: for registers kept apart, each order's own
        register's (the whole view is not joined for a few orders); else the one view, with every key."""
        keys = list(keys)
        if not self.lanes:
            return [(self.view, keys)]
        out: dict[int, tuple[OrderView, list[str]]] = {}
        for key in keys:
            lane = self._lane_of(key)
            if lane is not None:
                out.setdefault(id(lane), (lane.view, []))[1].append(key)
        return list(out.values())

    def _lane_of(self, key: str) -> OrderModel | None:
        """The first of ``lanes`` that has the order (as ``joined_model`` takes its progress)."""
        return next((m for m in self.lanes if key in m.progress), None)

    def status_class(self, key: str) -> str | None:
        """The class of the order's status (``sync.orders.view.STATUS_WORDS``); None: blank, or no such order."""
        if self.lanes:   # its own register's: the whole view is not joined for one order's status
            lane = self._lane_of(key)
            return lane.status_class(key) if lane is not None else None
        orders = self.view.orders
        if key not in orders.index or "status_class" not in orders:
            return None
        value = orders.at[key, "status_class"]
        return value if isinstance(value, str) else None


def order_model(register: Register, config: Any = None, *, today: dt.date) -> OrderModel:
    """Join the register and work out every order's progress, once."""
    view = build_view(register, settings_from(config))
    return OrderModel(view, progress_of_view(view, today=today), today)


def joined_model(lanes: Iterable[OrderModel], register: Register, config: Any = None, *,
                 today: dt.date) -> OrderModel:
    """The models of registers kept apart as one: an order's progress is the first register's that has it; the
    view is ``register``'s (the registers joined), made when it is first asked for."""
    lanes = tuple(lanes)
    progress = first_of(lane.progress for lane in lanes)
    return OrderModel(lambda: build_view(register, settings_from(config)), progress, today, lanes)


def first_of(parts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The mappings as one, the first one's entry where two have the same key."""
    out: dict[str, Any] = {}
    for part in reversed(list(parts)):
        out.update(part)
    return out

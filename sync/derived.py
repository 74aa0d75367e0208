"""What is worked out from a loaded register, worked out once per register.

A cycle asks for the same joined view and the same progress three times (the
cross-tab checks, the change-request impacts, the notices); on a 10k-order
register each costs seconds. A loaded ``Register`` is not changed afterwards,
so what is derived from it can be kept with it: ``derived(register, key, make)``
calls ``make`` the first time and returns the kept value after that. The values
go when the register does (the service keeps one register per content of its
workbooks, so a new save gets fresh ones).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

_kept: dict[int, dict[Hashable, Any]] = {}


def derived(register: object, key: Hashable, make: Callable[[], T]) -> T:
    """``make()`` for this register and key, worked out once while the register lives."""
    slot = _kept.get(id(register))
    if slot is None:
        slot = _kept[id(register)] = {}
        weakref.finalize(register, _kept.pop, id(register), None)
    if key not in slot:
        slot[key] = make()
    return slot[key]

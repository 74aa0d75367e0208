"""What is worked out from a loaded register or table, worked out once per object.

A cycle asks for the same joined view and the same progress three times (the
cross-tab checks, the change impacts, the notices), and the daemon keeps the
tables of tabs a save did not change (``sync.tables.register.SheetMemo``), whose
snapshots need not be taken again. Loaded registers and tables are not changed
afterwards, so what is derived from them can be kept with them:
``derived(obj, key, make)`` calls ``make`` the first time and returns the kept
value after that. The values live on the object itself, so they go when it
does (a value that refers back to its object is an ordinary reference cycle).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")

_SLOT = "_derived"


def derived(obj: object, key: Hashable, make: Callable[[], T]) -> T:
    """``make()`` for this object and key, worked out once while the object lives."""
    kept = vars(obj).setdefault(_SLOT, {})
    if key not in kept:
        kept[key] = make()
    return kept[key]

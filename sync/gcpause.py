"""The cyclic garbage collector, paused around work that makes many objects and no cycles.

Reading a sheet makes a list per row, and a cycle of the service makes and drops
whole frames of them. Reference counting frees all of that; the cyclic collector
would only walk it again and again while it is alive, for nothing (and on a big
register its full passes landed between a save and its mail). It runs again
when the work is over.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()

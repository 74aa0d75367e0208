"""The C heap under Python: fewer malloc arenas while sheets parse in threads, free pages given back after.

The Rust reader allocates a string per text cell, in whichever thread parses
the sheet; glibc gives each such thread an arena of its own, and the pages of
an arena stay with the process after its cells are freed (at 100k orders, about
70 MiB more at the peak of a read, and 60 MiB held after it). Capping the
arenas and trimming the heap once a workbook has been read keeps the resident
size close to what is really in use. glibc only: elsewhere both do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import lru_cache
from typing import Any

M_ARENA_MAX = -8   # mallopt parameter (malloc.h)
ARENAS = 2         # the main thread's and one the parsing threads share


@lru_cache(maxsize=1)
def _glibc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:
        return None


@lru_cache(maxsize=1)
def limit_arenas() -> None:
    """Cap malloc arenas for the rest of the process (once; threads made before keep theirs)."""
    libc = _glibc()
    if libc is not None:
        libc.mallopt(M_ARENA_MAX, ARENAS)


def release_free_memory() -> None:
    """Give the heap's free pages back to the system (after a big read; costs a few ms)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)

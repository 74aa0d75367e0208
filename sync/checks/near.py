"""Near misses among many keys: ``difflib.get_close_matches`` with its cheap bound taken over the whole pool at once.

An orphan row's order number is compared with every known order number of
about its length. ``get_close_matches`` drops a candidate whose
``quick_ratio`` (twice the characters the two share, as multisets, over their
total length) is under the cutoff before it works out the real ratio; over a
100,000-order register (fifty followers' registers in one service) calling it
once per candidate costs minutes. ``NearPool`` counts every key's characters
once, takes that bound for all candidates in one array operation, and hands
``get_close_matches`` only the candidates that pass it: the same answer, as
the bound is the very test it would have made.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable

import numpy as np

#: an alphabet wider than this (keys in free text) is not worth counting: plain ``get_close_matches``
MAX_ALPHABET = 256


class NearPool:
    """Known keys, with each one's character counts, for repeated near-miss look-ups."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = list(keys)
        self.lengths = np.fromiter((len(k) for k in self.keys), dtype=np.int64, count=len(self.keys))
        alphabet = sorted({c for k in self.keys for c in k})
        self.columns = {c: i for i, c in enumerate(alphabet)} if len(alphabet) <= MAX_ALPHABET else None
        self.counts = self._count(alphabet) if self.columns is not None else None

    def _count(self, alphabet: list[str]) -> np.ndarray:
        width = int(self.lengths.max()) if len(self.keys) else 0
        codes = np.array(self.keys, dtype=f"<U{max(width, 1)}").view(np.uint32).reshape(len(self.keys), -1)
        counts = np.zeros((len(self.keys), len(alphabet)), dtype=np.int32)
        for i, c in enumerate(alphabet):
            counts[:, i] = (codes == ord(c)).sum(axis=1)
        return counts

    def closest(self, key: str, cutoff: float, spread: int = 1) -> str | None:
        """``get_close_matches(key, <known keys within spread of its length>, n=1, cutoff=cutoff)``."""
        near = np.abs(self.lengths - len(key)) <= spread
        if self.counts is None:
            pool = [self.keys[i] for i in np.flatnonzero(near)]
        else:
            shared = np.zeros(len(self.keys), dtype=np.int64)
            for c, n in Counter(key).items():
                column = self.columns.get(c)
                if column is not None:
                    shared += np.minimum(self.counts[:, column], n)
            total = self.lengths + len(key)
            bound = np.where(total > 0, 2.0 * shared / np.maximum(total, 1), 1.0)
            pool = [self.keys[i] for i in np.flatnonzero(near & (bound >= cutoff))]
        close = difflib.get_close_matches(key, pool, n=1, cutoff=cutoff)
        return close[0] if close else None

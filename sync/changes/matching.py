"""Which stored row each row of a new read is: identity first, then content.

A sort, a filter-and-resort or an inserted row must never record a change, and
a real edit must record exactly that edit, so rows are paired in rounds, each
over the rows the earlier rounds left:

1. same identity and same content (``Index.khashes`` and ``Index.hashes``):
   the row is as it was, wherever it sits now. Rows alike in both are paired
   in sheet order; which of two identical rows is which makes no difference;
2. same content alone: the identity was worked out differently (a state
   written by an older version, a row moved between monthly tabs);
3. the same identity held by exactly one row on each side: an edit;
4. the closest by content (``pair_closest``), first within an order, then
   across the table: an edit to a column of the identity itself (a corrected
   date, a typo in an order number), or rows still tied (two progress rows of
   one order and stage). Within an order a pair counts when more filled-in
   fields agree than differ; across orders only when one field alone differs
   (a corrected order number), since the rows of different orders are alike in
   most other columns. What is left is added or removed.

Rounds 1-3 are vectorised; round 4 only sees the few rows that are left.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: round 4 compares every old row of a group with every new one; above this many pairs it is left out
CLOSE_PAIRS_LIMIT = 4_000_000


def match_exact(old_keys: np.ndarray, old_hashes: np.ndarray, new_keys: np.ndarray,
                new_hashes: np.ndarray) -> np.ndarray:
    """Rounds 1-3: for each new row, its position in the old index, or -1."""
    at = np.full(len(new_keys), -1, dtype=np.int64)
    if len(old_keys) == len(new_keys) and (old_keys == new_keys).all() and (old_hashes == new_hashes).all():
        return np.arange(len(new_keys), dtype=np.int64)   # the common case: nothing moved
    taken = np.zeros(len(old_keys), dtype=bool)
    _pair((old_keys, old_hashes), (new_keys, new_hashes), at, taken)
    _pair((old_hashes,), (new_hashes,), at, taken)
    _unique(old_keys, new_keys, at, taken)
    return at


def _pair(old: tuple[np.ndarray, ...], new: tuple[np.ndarray, ...], at: np.ndarray, taken: np.ndarray) -> None:
    """Pair rows equal in every column of ``old``/``new``, the n-th of a kind with the n-th."""
    o, n = np.flatnonzero(~taken), np.flatnonzero(at < 0)
    if not len(o) or not len(n):
        return
    if _pair_unique(_combined(old, o), _combined(new, n), o, n, at, taken):
        return
    names = [f"c{i}" for i in range(len(old))]
    left = pd.DataFrame({name: col[o] for name, col in zip(names, old)})
    right = pd.DataFrame({name: col[n] for name, col in zip(names, new)})
    left["occ"] = left.groupby(names, sort=False).cumcount()
    right["occ"] = right.groupby(names, sort=False).cumcount()
    left["pos"], right["at"] = o, n
    both = right.merge(left, on=[*names, "occ"], how="inner")
    at[both["at"].to_numpy()] = both["pos"].to_numpy()
    taken[both["pos"].to_numpy()] = True


def _combined(cols: tuple[np.ndarray, ...], positions: np.ndarray) -> np.ndarray:
    out = np.zeros(len(positions), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in cols:
            out = out * np.uint64(1_000_003) ^ col[positions].view(np.uint64)
    return out


def _pair_unique(old: np.ndarray, new: np.ndarray, o: np.ndarray, n: np.ndarray, at: np.ndarray,
                 taken: np.ndarray) -> bool:
    """The common case in one lookup: no two rows alike on either side. False: there are, pair by occurrence."""
    index = pd.Index(old)
    if not index.is_unique or not pd.Index(new).is_unique:
        return False
    pos = index.get_indexer(new)
    hit = pos >= 0
    at[n[hit]] = o[pos[hit]]
    taken[o[pos[hit]]] = True
    return True


def _unique(old_keys: np.ndarray, new_keys: np.ndarray, at: np.ndarray, taken: np.ndarray) -> None:
    """Pair the identities held by exactly one unpaired row on each side."""
    o, n = np.flatnonzero(~taken), np.flatnonzero(at < 0)
    if not len(o) or not len(n):
        return
    left = pd.Series(o, index=old_keys[o])
    right = pd.Series(n, index=new_keys[n])
    left = left[~left.index.duplicated(keep=False)]
    right = right[~right.index.duplicated(keep=False)]
    both = pd.concat([right.rename("at"), left.rename("pos")], axis=1, join="inner")
    at[both["at"].to_numpy()] = both["pos"].to_numpy()
    taken[both["pos"].to_numpy()] = True


def pair_closest(old: Sequence[dict], old_groups: Sequence[str], new: Sequence[dict],
                 new_groups: Sequence[str]) -> list[tuple[int, int]]:
    """Round 4: (old index, new index) pairs of the rows closest by content, within each group, then across
    the groups for the rows left. ``old``/``new``: each row's normalised values by field."""
    pairs: list[tuple[int, int]] = []
    by_group: dict[str, tuple[list[int], list[int]]] = {}
    for i, g in enumerate(old_groups):
        by_group.setdefault(g, ([], []))[0].append(i)
    for j, g in enumerate(new_groups):
        by_group.setdefault(g, ([], []))[1].append(j)
    for olds, news in by_group.values():
        if olds and news:
            pairs += _closest(old, olds, new, news, most_differ=None)
    done_old, done_new = {i for i, _ in pairs}, {j for _, j in pairs}
    olds = [i for i in range(len(old)) if i not in done_old]
    news = [j for j in range(len(new)) if j not in done_new]
    if olds and news:
        pairs += _closest(old, olds, new, news, most_differ=1)
    return pairs


def _closest(old: Sequence[dict], olds: list[int], new: Sequence[dict], news: list[int],
             most_differ: int | None) -> list[tuple[int, int]]:
    """Greedy: the pair with the fewest differing fields first (then the most agreeing), while more
    filled-in fields agree than differ (and no more than ``most_differ`` differ)."""
    if len(olds) * len(news) > CLOSE_PAIRS_LIMIT:
        return []
    fields = sorted({f for i in olds for f in old[i]} & {f for j in news for f in new[j]})
    same = np.zeros((len(olds), len(news)), dtype=np.int32)
    diff = np.zeros_like(same)
    for name in fields:
        a = [old[i].get(name) for i in olds]
        b = [new[j].get(name) for j in news]
        codes, _ = pd.factorize(pd.Series(a + b, dtype=object), use_na_sentinel=True)
        ca, cb = codes[:len(a)][:, None], codes[len(a):][None, :]
        equal = ca == cb
        same += equal & (ca >= 0)
        diff += ~equal
    ok = np.argwhere((same > diff) & (diff <= (most_differ if most_differ is not None else diff.max())))
    if not len(ok):
        return []
    order = np.lexsort((ok[:, 1], ok[:, 0], -same[ok[:, 0], ok[:, 1]], diff[ok[:, 0], ok[:, 1]]))
    used_old, used_new, out = set(), set(), []
    for a, b in ok[order]:
        if a not in used_old and b not in used_new:
            used_old.add(a)
            used_new.add(b)
            out.append((olds[a], news[b]))
            if len(used_old) == len(olds) or len(used_new) == len(news):
                break
    return out

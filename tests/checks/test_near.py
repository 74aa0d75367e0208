"""``NearPool.closest`` answers what ``difflib.get_close_matches`` answers over the keys of about the same length."""

from __future__ import annotations

import difflib

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.checks.near import NearPool
from sync.checks.reconcile.joins import suggest

ORDER_NOS = st.from_regex(r"(SO|F0[1-3]|订单)-26(0[1-9]|1[0-2])-[0-9]{2,3}(-[0-9])?", fullmatch=True)


def plain(key: str, known: list[str], cutoff: float) -> str | None:
    pool = [k for k in known if abs(len(k) - len(key)) <= 1]
    close = difflib.get_close_matches(key, pool, n=1, cutoff=cutoff)
    return close[0] if close else None


@settings(max_examples=60, deadline=None)
@given(known=st.lists(ORDER_NOS, min_size=1, max_size=60, unique=True),
       keys=st.lists(st.one_of(ORDER_NOS, st.text(max_size=14)), min_size=1, max_size=8),
       cutoff=st.sampled_from([0.6, 0.75, 0.9]))
def test_closest_is_difflibs_close_match(known, keys, cutoff):
    pool = NearPool(known)
    for key in keys:
        assert pool.closest(key, cutoff) == plain(key, known, cutoff)


def test_an_orphan_gets_the_order_it_most_likely_meant():
    import pandas as pd

    known = pd.Index([f"F07-2609-{n:03d}" for n in range(500)])
    assert suggest(["F07-2609-O12", "F07-2609-12X", "ZZZZ"], known, 0.8) == {
        "F07-2609-O12": "F07-2609-012", "F07-2609-12X": plain("F07-2609-12X", list(known), 0.8)}

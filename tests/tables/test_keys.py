"""``sync.tables.keys``: normalising a whole column of keys at once gives ``normalise_key`` of each value."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sync.tables.keys import normalise_all, normalise_array, normalise_texts
from sync.tables.normalize import normalise_key

#: ASCII with every space ``normalise_key`` removes, the way order numbers are typed (and mistyped)
_ascii = st.text(st.sampled_from("SO-2611-017 po#ab\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f/._"), max_size=14)
#: anything at all: full-width digits, odd spaces, accents to compose, lone surrogates Arrow cannot hold
_any = st.text(st.characters(), max_size=10)
_mixed = st.text(st.sampled_from("So1２０２６－ａ　\u00a0\u2003\ufeffé\u0301ﬁ ｓｏ\t"), max_size=10)
_values = st.lists(_ascii | _any | _mixed, max_size=30)


@settings(max_examples=500, deadline=None)
@given(_values)
@example(["so-2611-017", " SO 2611 017 ", "ＳＯ－２６１１", "\ud800x", "", "a\x00b", "\x1cso\x1f"])
def test_texts_as_normalise_key_would(texts: list[str]) -> None:
    assert normalise_texts(texts) == [normalise_key(t) for t in texts]


@settings(max_examples=200, deadline=None)
@given(st.lists(_ascii | _mixed | st.integers() | st.floats() | st.none() | st.booleans(), max_size=20))
@example([1.0, 2.5, math.nan, None, True, "so-1", 26110017])
def test_any_values_as_normalise_key_would(values: list) -> None:
    assert normalise_all(values) == [normalise_key(v) for v in values]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.none() | _ascii | _mixed | _any, max_size=30), st.sampled_from(["str", "string", "object"]))
@example([None, "so 1", "ＳＯ１"], "str")
@example([None, "so 1", "\ud800"], "string")
def test_a_column_as_iterating_over_it_would(values: list, dtype: str) -> None:
    """A text column's missing values are its dtype's: NaN (``str``) or NA (``string``), as in ``list(column)``."""
    try:
        column = pd.Index(values, dtype=dtype)
    except (UnicodeError, ValueError, TypeError):
        return   # a dtype that cannot hold these values: nothing to compare
    assert normalise_array(column).tolist() == [normalise_key(v) for v in column]
    assert normalise_array(pd.Series(column)).tolist() == [normalise_key(v) for v in pd.Series(column)]

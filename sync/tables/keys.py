"""``normalise_key`` of many values at once: ASCII text in a few passes of Arrow's kernels.

Order numbers are compared after ``normalise_key`` (NFKC, no spaces, upper case),
and a big register has a hundred thousand distinct ones, nearly all plain ASCII
(``SO-2611-017``). On ASCII, NFKC changes nothing, the spaces are the ASCII ones
``\\s`` matches, and upper case is ASCII upper case: so one regex replacement and
one upper-casing over the whole column do what a call per value did. Text with
any other character, and values that are not text, go the long way
(``sync.tables.cells.normalise_keys``, ``normalise_key``); tests/tables/test_keys.py
checks the two ways agree value for value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sync.tables.cells import normalise_keys
from sync.tables.normalize import normalise_key

#: the ASCII characters ``normalise_key`` removes (``\s`` of Python's ``re`` counts \x1c-\x1f, RE2's does not)
_ASCII_SPACES = r"[\t\n\x0b\x0c\r\x1c-\x1f ]+"


def normalise_array(values: Any) -> np.ndarray:
    """``normalise_key`` of each value of a column (an Index, a Series, an array, a list), as an object array.
    A text column goes to Arrow as it is, without a Python string per value on the way in; its missing
    values are its dtype's (NaN or NA), as iterating over it would give them."""
    dtype = getattr(values, "dtype", None)
    if not isinstance(dtype, pd.StringDtype) or len(values) == 0:
        return np.array(normalise_all(list(values)), dtype=object)
    try:
        column = pa.array(values)
    except (pa.ArrowException, UnicodeError):   # text held as Python strings, a lone surrogate among them
        return np.array(normalise_all(list(values)), dtype=object)
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    folded = _folded(column)
    if column.null_count:
        folded = pc.fill_null(folded, normalise_key(dtype.na_value))
    out = folded.to_numpy(zero_copy_only=False)
    _the_long_way(column, out)
    return out


def normalise_all(values: Sequence[Any]) -> list[str]:
    """``[normalise_key(v) for v in values]``, the text among them worked out column-wise."""
    is_text = [type(v) is str for v in values]   # noqa: E721 -- a str subclass goes the long way
    if all(is_text):
        return normalise_texts(values)
    texts = iter(normalise_texts([v for v, t in zip(values, is_text) if t]))
    return [next(texts) if t else normalise_key(v) for v, t in zip(values, is_text)]


def normalise_texts(texts: Sequence[str]) -> list[str]:
    """``normalise_key`` of each text (``str`` only)."""
    if not texts:
        return []
    try:
        column = pa.array(texts, type=pa.string())
    except (pa.ArrowException, UnicodeError):   # a lone surrogate is not UTF-8: Arrow cannot hold it
        return normalise_keys(list(texts))
    folded = _folded(column).to_pylist()
    _the_long_way(column, folded)
    return folded


def _folded(column: pa.Array) -> pa.Array:
    """What ``normalise_key`` makes of ASCII text (and not of the rest)."""
    return pc.ascii_upper(pc.replace_substring_regex(column, pattern=_ASCII_SPACES, replacement=""))


def _the_long_way(column: pa.Array, out: list[str] | np.ndarray) -> None:
    """``out`` at each text of ``column`` that is not all ASCII: ``normalise_key`` of it."""
    plain = pc.string_is_ascii(column)
    if pc.all(plain).as_py() is not False:
        return
    others = np.flatnonzero(pc.fill_null(pc.invert(plain), False).to_numpy(zero_copy_only=False)).tolist()
    for i, key in zip(others, normalise_keys(column.take(others).to_pylist())):
        out[i] = key

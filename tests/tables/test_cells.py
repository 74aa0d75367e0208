"""The column-at-a-time reading of sync.tables.cells and the QC and materials facts built on it give what the
per-cell definitions give over ``DataFrame.to_dict("records")``, cell for cell and row for row:
on a demo register with its seeded mistakes and on columns of every type and oddity. (The order facts
themselves are read off the order model: tests/orders/test_order_model.py.)"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.tables.cells import Columns, Keys, day, keyed, normalise_keys, number, text
from sync.demo.register import build_register
from sync.tables.normalize import fold_text, normalise_key
from sync.orders.facts import SETTLED_ACTIONS, materials_late, qc_awaiting_rework
from sync.tables.register import load
from sync.sources import open_path

TODAY = date(2026, 11, 27)


# --- the definitions: one record at a time, as the notices read the register before -------------

def _records(table, need):
    if table is None or need not in table.data:
        return []
    return [dict(r, _sheet=table.sheet) for r in table.data.to_dict("records") if text(r.get(need))]


def reference_rework(register):
    latest = {}
    for rec in _records(register.get("qc"), "order_no"):
        key = normalise_key(rec["order_no"])
        inspected = day(rec.get("inspected_on")) or date.min
        if key not in latest or inspected >= (day(latest[key].get("inspected_on")) or date.min):
            latest[key] = rec
    return {k: r for k, r in latest.items() if (number(r.get("failed_qty")) or 0) > 0
            and not any(w in fold_text(text(r.get("action")) or "") for w in SETTLED_ACTIONS)}


def reference_late(register, today):
    late = []
    for rec in _records(register.get("materials"), "order_no"):
        expected = day(rec.get("expected_date"))
        required, arrived = number(rec.get("required_qty")), number(rec.get("arrived_qty")) or 0.0
        short = day(rec.get("arrived_date")) is None or (required is not None and arrived < required)
        if expected and expected < today and short:
            late.append(dict(rec, expected=expected))
    return late


# --- odd registers: what a register can hold beyond what the reader makes -------------------------

ODD_TEXT = ["  SO-x  ", "", "   ", "so-2608-001", "ＳＯ－２６０８－００２", "SO\u3000-2608-003", "e\u0301", "\u0301SO",
            "a\x00b", "ß-1", "\u00a0SO-2608-004", "让步 接收", "已 发货", " 已发货 ", "SHIPPED", None]
ODD_CELLS = ODD_TEXT + [12345.0, 77, True, "12", "nan", "abc", -0.0, np.nan, pd.NaT, np.float64(4.0), np.int64(9),
                        pd.Timestamp("2026-11-26 23:30", tz="Asia/Shanghai"), date(2026, 11, 20),
                        datetime(2026, 11, 25, 23, 59), np.datetime64("2026-11-01")]
ODD_STAMPS = [pd.NaT, pd.Timestamp("1969-12-31 23:59"), pd.Timestamp("1900-03-01 12:00"),
              pd.Timestamp("2026-11-26 23:59:59.999"), pd.Timestamp("2262-01-01")]


def _scatter(col: pd.Series, odd: list, every: int, seed: int) -> list:
    values = col.astype(object).tolist()
    rng = np.random.default_rng(seed)
    for i, p in enumerate(rng.choice(len(values), size=max(1, len(values) // every), replace=False)):
        values[p] = odd[i % len(odd)]
    return values


def oddly(register, kind: str):
    """The register with its columns made odd: ``cells`` (anything, object columns), ``texts`` (odd text
    kept as text columns, odd stamps and floats), ``tz`` (zoned stamps), ``units`` (ms stamps, float32,
    object text), ``dup`` (a column twice)."""
    tables = {}
    for n, (name, t) in enumerate(register.tables.items()):
        df = t.data.copy()
        for c in [c for c in df.columns if c != "_row"]:
            kind_of, seed = str(df[c].dtype), n * 100 + len(c)
            if kind == "cells":
                df[c] = pd.Series(_scatter(df[c], ODD_CELLS, 5, seed), index=df.index, dtype=object)
            elif kind == "texts" and kind_of == "str":
                df[c] = pd.Series(_scatter(df[c], ODD_TEXT, 4, seed), index=df.index, dtype="str")
            elif kind == "texts" and kind_of.startswith("datetime"):
                df[c] = pd.to_datetime(pd.Series(_scatter(df[c], ODD_STAMPS, 5, seed), index=df.index)
                                       ).astype("datetime64[us]")
            elif kind == "texts" and kind_of == "float64":
                df[c] = pd.Series(_scatter(df[c], [np.nan, -0.0, -5.0, np.inf, 1e300], 5, seed), index=df.index,
                                  dtype="float64")
            elif kind == "tz" and kind_of.startswith("datetime"):
                df[c] = df[c].dt.tz_localize("UTC").dt.tz_convert("Asia/Shanghai") - pd.Timedelta(hours=3)
            elif kind == "units" and kind_of in ("str", "float64"):
                df[c] = df[c].astype(object if kind_of == "str" else "float32")
            elif kind == "units" and kind_of.startswith("datetime"):
                df[c] = df[c].astype("datetime64[ms]")
        if kind == "dup" and len(df.columns) > 2:
            df = pd.concat([df, df.iloc[:, [1, 0]].iloc[::-1].set_axis(df.index)], axis=1)
        tables[name] = dataclasses.replace(t, data=df)
    return dataclasses.replace(register, tables=tables)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = Path(tmp_path_factory.mktemp("cells")) / "register.xlsx"
    build_register(path, orders=120, seed=11, today=date(2026, 11, 20), mistakes=True)
    return load([open_path(path, name="register")])


@pytest.mark.filterwarnings("ignore:DataFrame columns are not unique")
@pytest.mark.parametrize("kind", ["as read", "cells", "texts", "tz", "units", "dup"])
def test_rework_and_late_materials_are_the_per_record_definitions(demo, kind):
    register = demo if kind == "as read" else oddly(demo, kind)
    assert repr(qc_awaiting_rework(register)) == repr(reference_rework(register))
    for today in (TODAY, date(2026, 10, 15)):
        assert repr(materials_late(register, today)) == repr(reference_late(register, today))


def test_only_narrows_without_reordering(demo):
    def odd(key: str) -> bool:
        return sum(map(ord, key)) % 2 == 1

    everything = qc_awaiting_rework(demo)
    assert repr(qc_awaiting_rework(demo, only=odd)) == repr({k: r for k, r in everything.items() if odd(k)})
    late = materials_late(demo, TODAY)     # (repr: a blank quantity is NaN, unequal to itself)
    assert repr(materials_late(demo, TODAY, only=odd)) == repr([r for r in late if odd(normalise_key(r["order_no"]))])


# --- single columns ----------------------------------------------------------------------------

def _per_cell(frame: pd.DataFrame, name: str) -> list:
    return [r.get(name) for r in frame.to_dict("records")]


def _same(a: list, b: list) -> bool:
    return repr(a) == repr(b) and [type(x) for x in a] == [type(x) for x in b]


_stamps = st.one_of(st.none(), st.datetimes(min_value=datetime(1677, 9, 22), max_value=datetime(2262, 4, 10)))
_texts = st.one_of(st.none(), st.text(st.characters(codec="utf-8"), max_size=6),
                   st.sampled_from([" a ", "\u3000", "\u00a0b", "nan", "1e3", "12", "已发货"]))
_cells = st.one_of(_texts, st.floats(), st.integers(-10**20, 10**20), st.booleans(), _stamps,
                   st.dates(), st.just(pd.NaT), st.just(np.nan), st.just(pd.NA),
                   st.floats().map(np.float64), st.integers(-2**62, 2**62).map(np.int64), st.booleans().map(np.bool_),
                   _stamps.map(lambda d: None if d is None else np.datetime64(d, "us")),
                   _stamps.map(lambda d: None if d is None else pd.Timestamp(d, tz="Asia/Shanghai")))
_columns = st.one_of(
    st.lists(_texts, max_size=12).map(lambda v: pd.Series(v, dtype="str")),
    st.lists(_texts, max_size=12).map(lambda v: pd.Series(v, dtype="string")),
    st.lists(st.one_of(st.none(), st.floats()), max_size=12).map(lambda v: pd.Series(v, dtype="float64")),
    st.lists(st.floats(width=32), max_size=12).map(lambda v: pd.Series(v, dtype="float32")),
    st.lists(st.integers(-2**62, 2**62), max_size=12).map(lambda v: pd.Series(v, dtype="int64")),
    st.lists(st.one_of(st.none(), st.integers(-10**6, 10**6)), max_size=12).map(
        lambda v: pd.Series(v, dtype="Int64")),
    st.lists(st.booleans(), max_size=12).map(lambda v: pd.Series(v, dtype=bool)),
    st.lists(_stamps, max_size=12).map(lambda v: pd.Series(pd.to_datetime(pd.Series(v, dtype=object)),
                                                           dtype="datetime64[us]")),
    st.lists(_stamps, max_size=12).map(lambda v: pd.Series(pd.to_datetime(pd.Series(v, dtype=object)),
                                                           dtype="datetime64[ns]").dt.tz_localize(timezone.utc)
                                       .dt.tz_convert("America/St_Johns")),
    st.lists(_cells, max_size=12).map(lambda v: pd.Series(v, dtype=object)),
)


@settings(max_examples=150, deadline=None)
@given(column=_columns)
def test_each_reading_of_a_column_is_the_per_cell_definition(column):
    frame = pd.DataFrame({"c": column, "other": range(len(column))})
    cols, cells = Columns(frame), _per_cell(frame, "c")
    assert _same(cols.raw("c"), cells)
    assert _same(cols.texts("c"), [text(v) for v in cells])
    assert _same(cols.numbers("c"), [number(v) for v in cells])
    assert _same(cols.days("c"), [day(v) for v in cells])
    values, blank = cols.number_array("c")
    assert blank.tolist() == [number(v) is None for v in cells]
    assert repr(values[~blank].tolist()) == repr([number(v) for v in cells if number(v) is not None])
    ordinals, blank = cols.day_array("c")
    assert blank.tolist() == [day(v) is None for v in cells]
    assert ordinals[~blank].tolist() == [day(v).toordinal() for v in cells if day(v) is not None]
    assert cols.texts("missing") == cols.numbers("missing") == cols.days("missing") == [None] * len(frame)


@settings(max_examples=100, deadline=None)
@given(column=_columns, trimmed=st.booleans())
def test_keyed_rows_are_the_rows_naming_an_order(column, trimmed):
    table = dataclasses.replace(_table(), data=pd.DataFrame({"order_no": column}))
    found = keyed(table, Keys(), trimmed=trimmed)
    cells = _per_cell(table.data, "order_no")
    rows = [i for i, v in enumerate(cells) if text(v)]
    keys = [normalise_key(text(v) if trimmed else v) for v in cells if text(v)]
    assert found.rows.tolist() == rows
    assert [found.keys[c] for c in found.codes.tolist()] == keys
    assert found.keys == list(dict.fromkeys(keys))


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.one_of(st.text(max_size=8), st.sampled_from(
    ["\u0301", "e\u0301", "\u1100", "\u1161", "\u11a8", "\x00", " ", "\u3000", "ﬁ", "ß", "Ⅻ", "\u0b47", "\u0b3e",
     "\u00a0", "\u200b", "\ufeff", "ｓｏ－１"])), max_size=10))
def test_normalise_keys_is_normalise_key_of_each(texts):
    joined = ["".join(texts[i:i + 3]) for i in range(len(texts))]   # marks and jamo next to the seams too
    assert normalise_keys(joined) == [normalise_key(t) for t in joined]
    assert normalise_keys(texts) == [normalise_key(t) for t in texts]


def _table():
    from sync.tables.table import Table
    return Table("qc", "register", "register.xlsx", "质检", 1, {}, pd.DataFrame(), {}, {})

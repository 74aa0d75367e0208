"""``sync.cli.jsontext.dumps`` writes what ``json.dumps(..., ensure_ascii=False, indent=2)`` writes, byte for byte."""

from __future__ import annotations

import json
import math

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sync.cli.jsontext import dumps

_scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
            | st.text(st.characters(codec="utf-8")))
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(
    st.text(max_size=6) | st.integers() | st.booleans() | st.none() | st.floats(), inner, max_size=5)
    | st.lists(inner, max_size=3).map(tuple), max_leaves=40)


def standard(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)


@settings(max_examples=600, deadline=None)
@given(_values)
@example({"findings": [], "summary": {"tables": {}, "errors": 0}})
@example({"a": [{}, [], {"b": []}], "c": ["\n", "订单\u2028", "\x00"], "d": (1, (2.5, math.inf))})
@example([{"x": {1: "one", None: "none"}}])
def test_same_text_as_the_library(obj: object) -> None:
    assert dumps(obj) == standard(obj)


def test_a_report_shaped_document() -> None:
    finding = {"rule": "quantity-outlier", "severity": "error", "row": 17, "value": "5000", "hint": "",
               "follower": None, "affects": [{"rule": "qc-passed-over", "row": 3, "message": "合格数量 > 检验数量"}]}
    report = {"findings": [finding, dict(finding, affects=[])],
              "summary": {"tables": {"orders": 120}, "errors": 1, "sheets": [{"key": [], "missing": ["due_date"]}]}}
    assert dumps(report) == standard(report)

"""``json.dumps(obj, ensure_ascii=False, indent=2)``, the same text, made many times faster.

The standard library writes indented JSON with its pure-Python encoder, one call
per value: a check with tens of thousands of findings spent more on that than on
some of its rules. Here each container whose values are all plain (text, numbers,
booleans, null, empty containers) is written in one call of the C encoder, its
item separator carrying the newline and the indent; only the containers that
hold others are walked in Python. JSON text never holds a raw newline (a newline
in a string is written ``\\n``), so the indent can ride on the separators.
"""

from __future__ import annotations

import json
from typing import Any

_INDENT = 2
_plain: dict[int, json.JSONEncoder] = {}   # level -> the encoder of a plain container's items at that level


def dumps(obj: Any) -> str:
    """``json.dumps(obj, ensure_ascii=False, indent=2)``, byte for byte."""
    return _text(obj, 0)


def _text(obj: Any, level: int) -> str:
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        if not all(type(k) is str for k in obj):   # noqa: E721 -- keys made text (1 -> "1"): the library's way
            return _standard(obj, level)
        if not any(_nested(v) for v in obj.values()):
            return _plain_text(obj, level, "{", "}")
        pad = "\n" + " " * (_INDENT * (level + 1))
        items = (f"{_plain_encoder(level).encode(k)}: {_text(v, level + 1)}" for k, v in obj.items())
        return "{" + pad + ("," + pad).join(items) + "\n" + " " * (_INDENT * level) + "}"
    if isinstance(obj, (list, tuple)):
        if not obj:
            return "[]"
        if not any(_nested(v) for v in obj):
            return _plain_text(obj, level, "[", "]")
        pad = "\n" + " " * (_INDENT * (level + 1))
        return "[" + pad + ("," + pad).join(_text(v, level + 1) for v in obj) + "\n" + " " * (_INDENT * level) + "]"
    return _plain_encoder(level).encode(obj)


def _nested(value: Any) -> bool:
    """A container with something in it: written over several lines."""
    return isinstance(value, (dict, list, tuple)) and len(value) > 0


def _plain_text(obj: dict | list | tuple, level: int, opening: str, closing: str) -> str:
    """A non-empty container of plain values, in one call: ``{a, b}`` becomes ``{\\n  a,\\n  b\\n}``."""
    body = _plain_encoder(level).encode(obj)
    return (opening + "\n" + " " * (_INDENT * (level + 1)) + body[1:-1] + "\n" + " " * (_INDENT * level)
            + closing)


def _plain_encoder(level: int) -> json.JSONEncoder:
    encoder = _plain.get(level)
    if encoder is None:   # no indent: the C encoder; the separator puts each item on its own line
        separator = ",\n" + " " * (_INDENT * (level + 1))
        encoder = _plain[level] = json.JSONEncoder(ensure_ascii=False, separators=(separator, ": "))
    return encoder


def _standard(obj: Any, level: int) -> str:
    """The library's own text, indented to ``level``."""
    return json.dumps(obj, ensure_ascii=False, indent=_INDENT).replace("\n", "\n" + " " * (_INDENT * level))

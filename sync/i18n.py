"""Two languages, side by side where the sentence is written.

``Text("数量 {qty} 偏大", "quantity {qty} is high")`` keeps both versions of a
message next to each other, so neither language drifts; ``.format(lang, ...)``
picks one. Chinese is the default everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

LANGUAGES = ("zh", "en")
DEFAULT = "zh"


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def format(self, lang: str = DEFAULT, /, **values: Any) -> str:
        return say(self.zh, self.en, lang, **values)


def say(zh: str, en: str, lang: str = DEFAULT, /, **values: Any) -> str:
    """``Text(zh, en).format(lang, **values)``, without making the Text: a big register's findings say it
    tens of thousands of times."""
    if not values:
        return en if lang == "en" else zh
    return agree(en, values).format(**values) if lang == "en" else zh.format(**values)


#: English nouns written after a count, and what they are after a count of one ("1 day late", not "1 days late")
_SINGULAR = {
    "working days": "working day", "days": "day", "cells": "cell", "dates": "date", "rows": "row", "orders": "order",
    "entries": "entry", "mails": "mail", "workbooks": "workbook", "errors": "error", "warnings": "warning",
    "findings": "finding", "tables": "table", "lines": "line", "followers": "follower", "pieces": "piece",
    "columns": "column", "recipients": "recipient"}
#: ... and a verb right after such a noun ("1 order needs", "1 cell holds")
_VERBS = {"need": "needs", "hold": "holds", "have": "has", "name": "names", "are": "is", "show": "shows",
          "draw": "draws", "give": "gives", "were": "was"}
_COUNTED = re.compile(r"\{(\w+)(?:![rsa])?(?::[^{}]*)?\} (%s)\b(?: (%s)\b)?" % (
    "|".join(_SINGULAR), "|".join(_VERBS)))


def agree(template: str, values: dict[str, Any]) -> str:
    """An English ``template`` with the nouns (and their verbs) written after a count of one made singular:
    "{n} orders need your follow-up" with n=1 is "1 order needs your follow-up". Only words written in the
    template right after a count are changed, never a value filled in."""
    counts = _counted(template)
    if not counts:
        return template
    ones = frozenset(name for name in counts if _is_one(values.get(name)))
    return _singular(template, ones) if ones else template


@lru_cache(maxsize=4096)
def _counted(template: str) -> frozenset[str]:
    """The names of the counts a noun of ``_SINGULAR`` follows in ``template``."""
    return frozenset(m.group(1) for m in _COUNTED.finditer(template))


@lru_cache(maxsize=4096)
def _singular(template: str, ones: frozenset[str]) -> str:
    def one(m: re.Match[str]) -> str:
        if m.group(1) not in ones:
            return m.group(0)
        field, verb = m.group(0)[:m.start(2) - m.start(0) - 1], m.group(3)
        return f"{field} {_SINGULAR[m.group(2)]}" + (f" {_VERBS[verb]}" if verb else "")
    return _COUNTED.sub(one, template)


def _is_one(value: Any) -> bool:
    return type(value) in (int, float) and value == 1


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        from sync.errors import ConfigError

        raise ConfigError(f"unknown language {lang!r}; expected zh or en")
    return lang

"""Two languages, side by side where the sentence is written.

``Text("数量 {qty} 偏大", "quantity {qty} is high")`` keeps both versions of a
message next to each other, so neither language drifts; ``.format(lang, ...)``
picks one. Chinese is the default everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    template = en if lang == "en" else zh
    return template.format(**values) if values else template


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        from sync.errors import ConfigError

        raise ConfigError(f"unknown language {lang!r}; expected zh or en")
    return lang
